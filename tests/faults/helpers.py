"""What the fault-injection tests share: a private copy of the project, a bot in the test
process or in a child process, and ways to break things for real.

* :func:`project_copy`: a config in ``tmp_path`` with its own copy of the knowledge, its
  own database, a moderator channel and a short file-watch interval.
* :class:`ModWorld` / :func:`mod_world`: the real ``FOCBot`` on that copy, connected to
  the fake Discord in this process.
* :class:`BotProcess`: ``python -m bot run`` in a child process, pointed at the fake
  Discord of this process (the endpoints are set by a two-line launcher, as
  ``patch_discord`` does in-process), so that signals, exit codes and standard error
  are the real ones.
* :func:`no_root_override`: as root, permission bits do not stop reads or writes; the
  prefix returned drops the two capabilities that let root ignore them (``setpriv``), so
  ``chmod 000`` means unreadable for the child as it would for any user.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import subprocess
import sys
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.client import FOCBot
from bot.config import Config, load_config
from bot.engine.engine import Engine
from bot.storage import Store
from tests.fake_discord import FakeChannel, FakeDiscord, RecordedRequest, running_client

PROJECT = Path(__file__).resolve().parents[2]
STEP = 5.0
TOKEN = "MTA5ODc2NTQzMjEwOTg3NjU0.Gx7Qz9.q8Zr2VkP4wYt6NbH1sLx3JdC9mFe7uQa0TgRo5Wi"

LAUNCHER = """
import sys, yarl
from discord.gateway import DiscordWebSocket
from discord.http import Route
Route.BASE = sys.argv[1]
DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(sys.argv[2])
from bot.cli import main
sys.exit(main(sys.argv[3:]))
"""


def project_copy(root: Path, *, mod_channel: int | None = None, extra: str = "") -> Path:
    """A config in ``root`` with its own knowledge copy and database; returns its path."""
    shutil.copytree(PROJECT / "knowledge", root / "knowledge", ignore=shutil.ignore_patterns("backups"))
    config = root / "config.yaml"
    discord_section = f"discord:\n  mod_channel: {mod_channel}\n" if mod_channel else ""
    config.write_text(
        "knowledge:\n  directory: knowledge\n  watch_interval: 0.05\n"
        f"{discord_section}storage:\n  path: data/bot.sqlite3\n{extra}",
        encoding="utf-8",
    )
    return config


def no_root_override() -> list[str]:
    """A command prefix under which root obeys file permissions like any user."""
    if os.geteuid() != 0:
        return []
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        import pytest

        pytest.skip("running as root without setpriv: chmod cannot make a file unreadable")
    return [setpriv, "--bounding-set=-dac_override,-dac_read_search"]


def child_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("FOC_BOT_CONFIG", "FOC_BOT_DB", "DISCORD_TOKEN")}
    env["PYTHONPATH"] = str(PROJECT) + os.pathsep + env.get("PYTHONPATH", "")
    env.update(extra)
    return env


def cli(args: Sequence[str], *, prefix: Sequence[str] = (), input: bytes | None = None, **env: str):
    """``python -m bot ARGS`` in a child process; the CompletedProcess (bytes)."""
    return subprocess.run(
        [*prefix, sys.executable, "-m", "bot", *args],
        input=input,
        capture_output=True,
        env=child_env(**env),
        cwd=PROJECT,
        timeout=120,
    )


async def eventually(check: Callable[[], object], what: str, timeout: float = STEP) -> Any:
    """Wait until ``check()`` is truthy; returns it."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        value = check()
        if value:
            return value
        if loop.time() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.02)


def posts(fake: FakeDiscord, channel: FakeChannel, after: int = 0) -> list[RecordedRequest]:
    path = f"/channels/{channel.id}/messages"
    return [r for r in fake.requests[after:] if r.method == "POST" and r.path == path and r.status == 200]


async def ask_by_mention(fake: FakeDiscord, question: str, timeout: float = STEP) -> dict[str, Any]:
    """Mention the bot in the guild channel; returns its reply (the REST request body)."""
    before = len(fake.requests)
    message = fake.message_create(fake.channel, fake.user, f"{fake.bot_user.mention} {question}")
    await fake.dispatch("MESSAGE_CREATE", message)
    reply = await fake.wait_for_request(
        "POST",
        f"/channels/{fake.channel.id}/messages",
        where=lambda r: (
            r.status == 200
            and str((r.json or {}).get("message_reference", {}).get("message_id")) == message["id"]
        ),
        after=before,
        timeout=timeout,
    )
    return reply.json


# -- a bot in this process ---------------------------------------------------------------------


@dataclass
class ModWorld:
    bot: FOCBot
    config: Config
    store: Store
    fake: FakeDiscord
    mod_channel: FakeChannel

    def mod_posts(self, after: int = 0) -> list[RecordedRequest]:
        return posts(self.fake, self.mod_channel, after)


@asynccontextmanager
async def mod_world(
    fake: FakeDiscord,
    root: Path,
    *,
    store: Store | None = None,
    extra: str = "",
    before_start: Callable[[Config], object] | None = None,
) -> AsyncIterator[ModWorld]:
    """The real bot on a private copy of the project, connected to ``fake``;
    ``before_start(config)`` runs once the copy is made."""
    mod_channel = fake.create_text_channel(fake.guild, "moderators")
    config = load_config(project_copy(root, mod_channel=mod_channel.id, extra=extra))
    if before_start is not None:
        before_start(config)
    store = store or Store(config.storage_path)
    bot = FOCBot(config, Engine(config), store=store, guild_ready_timeout=0.1)
    try:
        async with running_client(bot, fake):
            await bot.sync_commands(fake.guild.id)
            yield ModWorld(bot, config, store, fake, mod_channel)
    finally:
        store.close()


# -- a bot in a child process ------------------------------------------------------------------


class BotProcess:
    """``python -m bot --config CONFIG run`` in a child process, connected to ``fake``."""

    def __init__(
        self,
        fake: FakeDiscord | None,
        config: Path,
        *,
        token: str = TOKEN,
        prefix: Sequence[str] = (),
        endpoints: tuple[str, str] | None = None,
        **env: str,
    ) -> None:
        """``endpoints`` (REST base, gateway) replace those of ``fake``."""
        if endpoints is None:
            assert fake is not None
            endpoints = (fake.base_url, fake.gateway_url)
        launch = [sys.executable, "-c", LAUNCHER, *endpoints]
        self.process = subprocess.Popen(
            [*prefix, *launch, "--config", str(config), "run"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=child_env(DISCORD_TOKEN=token, **env),
            cwd=config.parent,
        )
        self.stderr = b""

    async def wait(self, timeout: float = STEP) -> int:
        """Wait for the exit (the fake keeps serving meanwhile); returns the exit code."""
        try:
            _, self.stderr = await asyncio.to_thread(self.process.communicate, timeout=timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            _, self.stderr = await asyncio.to_thread(self.process.communicate)
            raise AssertionError(f"the bot did not exit within {timeout} s") from None
        return self.process.returncode

    def signal(self, sig: signal.Signals) -> None:
        self.process.send_signal(sig)

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.communicate()

    @property
    def error_text(self) -> str:
        return self.stderr.decode("utf-8", errors="replace")
