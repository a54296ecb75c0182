"""Fixtures for the FOC bot's end-to-end tests against ``tests.fake_discord``."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import AsyncExitStack
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio

from bot.client import FOCBot
from bot.config import Config, load_config
from bot.engine.engine import Engine
from tests.fake_discord import (
    DiscordErrorLog,
    FakeDiscord,
    RateLimits,
    capture_discord_errors,
    fake_discord_server,
    running_client,
)

CONFIG_PATH = Path(__file__).resolve().parents[2] / "config.yaml"


@pytest.fixture(scope="session")
def base_config() -> Config:
    return load_config(CONFIG_PATH)


@pytest.fixture(scope="session")
def shared_engine(base_config: Config) -> Engine:
    # Loading the knowledge is the slow part; the engine is read-only in these tests
    # (the one test that breaks it uses monkeypatch, which restores it).
    return Engine(base_config)


@pytest_asyncio.fixture
async def fake(request: pytest.FixtureRequest) -> AsyncIterator[FakeDiscord]:
    # Discord's rate limits are enforced unless a test is marked ``no_rate_limits`` (a
    # test about something else that sends more than Discord would let through at once).
    unlimited = request.node.get_closest_marker("no_rate_limits") is not None
    async with fake_discord_server(rate_limits=RateLimits(enabled=not unlimited)) as server:
        yield server


@pytest.fixture(autouse=True)
def discord_errors() -> Iterator[DiscordErrorLog]:
    # Fails the test at teardown if discord.py, asyncio or the fake logged an error.
    with capture_discord_errors() as errors:
        yield errors


StartBot = Callable[..., Awaitable[FOCBot]]


@pytest_asyncio.fixture
async def start_bot(fake: FakeDiscord, base_config: Config, shared_engine: Engine) -> AsyncIterator[StartBot]:
    """``await start_bot(**discord_overrides)``: a running FOCBot with guild commands synced."""
    async with AsyncExitStack() as stack:

        async def start(*, sync: bool = True, **discord_overrides: Any) -> FOCBot:
            config = base_config
            if discord_overrides:
                config = dataclasses.replace(
                    config, discord=dataclasses.replace(config.discord, **discord_overrides)
                )
            client = FOCBot(config, shared_engine, guild_ready_timeout=0.1)
            bot = await stack.enter_async_context(running_client(client, fake))
            if sync:
                await bot.sync_commands(fake.guild.id)
            return bot

        yield start


@pytest_asyncio.fixture
async def bot(start_bot: StartBot) -> FOCBot:
    return await start_bot()
