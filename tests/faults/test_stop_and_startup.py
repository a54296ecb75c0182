"""Stopping and starting ``python -m bot run``, in a child process against the fake Discord.

* SIGTERM and SIGINT stop it cleanly within a few seconds: the gateway is closed
  (code 1000), a reply in flight is still sent, the records are flushed to the
  database, exit code 0, nothing on standard error but log lines.
* A start-up failure is one line on standard error and a non-zero exit, never a
  traceback, and never shows the token: a token the gateway refuses (close 4004), a
  token with a line break, Discord unreachable, a broken config.yaml; and a REST 500 at
  login (in this process, with discord.py's retry sleeps shortened).
"""

from __future__ import annotations

import asyncio
import io
import signal
import sqlite3
import time
from pathlib import Path

import pytest

from bot import runner
from bot.client import FOCBot
from bot.config import load_config
from bot.secrets import TOKEN_ENV, Token
from tests.fake_discord import FakeDiscord, fake_discord_server, fast_http_retries, patch_discord

from .helpers import TOKEN, BotProcess, ask_by_mention, eventually, project_copy
from .test_token_security import assert_no_token

pytestmark = pytest.mark.asyncio

STOPPED_WITHIN = 5.0  # seconds from the signal to the exit


def questions_in(db: Path) -> list[str]:
    with sqlite3.connect(db) as conn:
        return [text for (text,) in conn.execute("SELECT text FROM questions ORDER BY id")]


def one_line(text: str) -> str:
    """The one error line of standard error (the rest is the bot's log, if it started)."""
    lines = [line for line in text.splitlines() if line.startswith("error:")]
    assert len(lines) == 1, text
    assert "Traceback" not in text and " ERROR " not in text, text
    return lines[0]


async def request_in_flight(fake: FakeDiscord, path: str, after: int):
    """The bot's POST to ``path`` once the fake has received it, before it answers."""
    return await eventually(
        lambda: next((r for r in fake.requests[after:] if r.method == "POST" and r.path == path), None),
        f"POST {path}",
    )


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
async def test_a_signal_stops_the_bot_cleanly_finishing_the_reply_in_flight(
    fake: FakeDiscord, tmp_path: Path, sig: signal.Signals
) -> None:
    config = project_copy(tmp_path)
    bot = BotProcess(fake, config)
    try:
        await fake.wait_for_ready(timeout=30)
        await ask_by_mention(fake, "Who is Park Jin?", timeout=30)  # ready and answering
        path = f"/channels/{fake.channel.id}/messages"
        fake.delay(path, 1.0, method="POST")
        before = len(fake.requests)
        question = fake.message_create(
            fake.channel, fake.user, f"{fake.bot_user.mention} What does ICCPR stand for?"
        )
        await fake.dispatch("MESSAGE_CREATE", question)
        in_flight = await request_in_flight(fake, path, before)
        assert in_flight.status is None  # the reply is being sent right now
        started = time.monotonic()
        bot.signal(sig)
        code = await bot.wait(timeout=15)
        took = time.monotonic() - started
    finally:
        bot.kill()
    assert code == 0, bot.error_text
    assert took < STOPPED_WITHIN, f"stopping took {took:.1f} s"
    assert "Traceback" not in bot.error_text, bot.error_text
    assert in_flight.status == 200  # finished, not cut off
    assert str(in_flight.json["message_reference"]["message_id"]) == question["id"]
    assert fake.gateway.connections[-1].ws.close_code == 1000  # closed, not dropped
    # Both questions were recorded before the database was closed.
    assert questions_in(tmp_path / "data" / "bot.sqlite3") == [
        "Who is Park Jin?",
        "What does ICCPR stand for?",
    ]


async def test_a_token_the_gateway_refuses_is_one_line_and_exit_2(
    fake: FakeDiscord, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def refuse(conn, data) -> None:  # REST accepted the token, the gateway does not
        await conn.ws.close(code=4004, message=b"Authentication failed.")

    monkeypatch.setattr(fake.gateway, "_identify", refuse)
    bot = BotProcess(fake, project_copy(tmp_path))
    try:
        code = await bot.wait(timeout=30)
    finally:
        bot.kill()
    assert code == 2
    assert one_line(bot.error_text).startswith("error: Discord refused the token (DISCORD_TOKEN)")
    assert_no_token(bot.error_text, "stderr")


async def test_a_token_with_a_line_break_is_one_line_and_exit_2(fake: FakeDiscord, tmp_path: Path) -> None:
    bot = BotProcess(fake, project_copy(tmp_path), token=TOKEN[:20] + "\n" + TOKEN[20:])
    try:
        code = await bot.wait(timeout=30)
    finally:
        bot.kill()
    assert code == 2
    assert "line break" in one_line(bot.error_text)
    assert_no_token(bot.error_text, "stderr")
    assert not fake.requests  # refused before anything was sent


async def test_discord_unreachable_is_one_line_and_exit_1(tmp_path: Path) -> None:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    endpoints = (f"http://127.0.0.1:{port}/api/v10", f"ws://127.0.0.1:{port}/")
    bot = BotProcess(None, project_copy(tmp_path), endpoints=endpoints)
    try:
        code = await bot.wait(timeout=30)
    finally:
        bot.kill()
    assert code == 1
    assert one_line(bot.error_text).startswith("error: cannot reach Discord")
    assert_no_token(bot.error_text, "stderr")


async def test_a_broken_config_is_one_line_and_exit_2(fake: FakeDiscord, tmp_path: Path) -> None:
    config = project_copy(tmp_path, extra="  retention_days: forever\n")
    bot = BotProcess(fake, config)
    try:
        code = await bot.wait(timeout=30)
    finally:
        bot.kill()
    assert code == 2
    line = one_line(bot.error_text)
    assert "config.yaml:" in line and "storage.retention_days" in line, line
    assert not fake.requests


async def test_a_server_error_at_login_is_one_line_and_a_non_zero_exit(
    monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv(TOKEN_ENV, TOKEN)
    err = io.StringIO()
    async with fake_discord_server() as fake:
        fake.fail_next("GET", "/users/@me", status=500, times=20)
        with patch_discord(fake), fast_http_retries():
            config = load_config(Path(__file__).resolve().parents[2] / "config.yaml")
            code = await asyncio.wait_for(asyncio.to_thread(runner.run, config, err), 30)
        statuses = [r.status for r in fake.requests if r.path == "/users/@me"]
    assert code == 1
    assert statuses and set(statuses) == {500}
    assert (
        one_line(err.getvalue()) == "error: Discord answered with a server error (HTTP 500); try again later"
    )
    out, error = capfd.readouterr()
    assert "Traceback" not in error
    assert_no_token(err.getvalue() + out + error, "the output")


async def test_a_reply_stuck_longer_than_the_grace_is_cancelled_and_the_stop_completes(
    fake: FakeDiscord, base_config, shared_engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(runner, "STOP_GRACE", 0.5)
    bot = FOCBot(base_config, shared_engine, guild_ready_timeout=0.1)
    stop = asyncio.Event()
    with patch_discord(fake):
        serving = asyncio.create_task(runner.serve(bot, Token("fake-token"), stop))
        await eventually(bot.is_ready, "the bot to be ready")
        path = f"/channels/{fake.channel.id}/messages"
        fake.delay(path, 30.0, method="POST")
        before = len(fake.requests)
        mention = f"{fake.bot_user.mention} Who is Park Jin?"
        await fake.dispatch("MESSAGE_CREATE", fake.message_create(fake.channel, fake.user, mention))
        stuck = await request_in_flight(fake, path, before)
        started = time.monotonic()
        stop.set()  # what SIGTERM does
        await asyncio.wait_for(serving, 5)
    assert time.monotonic() - started < 3.0
    assert bot.is_closed()
    assert stuck.status is None  # never answered: the reply was cancelled
    assert fake.gateway.connections[-1].ws.close_code == 1000
    assert not [t for t in asyncio.all_tasks() if t.get_name().startswith("discord.py: ") and not t.done()]
