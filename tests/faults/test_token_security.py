"""Security review of the Discord token's handling (bot.secrets, bot.runner, bot.config).

* The real start-up path (``bot.runner.run``: token from the environment, discord.py's
  logging set up, login, gateway, answering, a RESUME that resends the token) against
  the fake Discord never writes the token to any log record (everything at DEBUG: the
  root logger, discord.py, the bot, aiohttp, asyncio), to stdout or to stderr; neither
  does a start-up with a token Discord refuses.
* ``bot.secrets.Token`` hides its value from ``repr``, ``str``, formatting and logging.
* ``python -m bot run`` without a token prints a one-line error and exits 2, no traceback.
* The token comes from the environment or a ``.env`` beside config.yaml; config.yaml has
  no token setting (a ``token`` key is refused, without echoing its value); git ignores
  ``.env``.
"""

from __future__ import annotations

import asyncio
import io
import logging
import os
import shutil
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any, ClassVar

import pytest
import pytest_asyncio

from bot import runner
from bot.client import FOCBot
from bot.config import load_config
from bot.knowledge.problems import KnowledgeError
from bot.knowledge.yamlio import read_yaml
from bot.secrets import TOKEN_ENV, MissingToken, Token, load_token, read_dotenv
from tests.fake_discord import (
    DiscordErrorLog,
    FakeDiscord,
    capture_discord_errors,
    fake_discord_server,
    patch_discord,
)

PROJECT = Path(__file__).resolve().parents[2]
CONFIG_PATH = PROJECT / "config.yaml"
# Distinctive, shaped like a real bot token. Any 12 characters of it in a row count as
# a leak, so a truncated or partly masked token is caught too.
TOKEN = "MTA5ODc2NTQzMjEwOTg3NjU0.Gx7Qz9.q8Zr2VkP4wYt6NbH1sLx3JdC9mFe7uQa0TgRo5Wi"
LEAK_WINDOW = 12
TOKEN_PIECES = frozenset(TOKEN[i : i + LEAK_WINDOW] for i in range(len(TOKEN) - LEAK_WINDOW + 1))
STEP = 10.0
LOGGERS = ("discord", "bot", "aiohttp", "asyncio", "fake_discord", "websockets")


def assert_no_token(text: str, where: str) -> None:
    leaked = [piece for piece in TOKEN_PIECES if piece in text]
    assert not leaked, f"{len(leaked)} piece(s) of the token appear in {where}, e.g. {leaked[0]!r}"


# -- log capture ------------------------------------------------------------------------------


class Everything(logging.Handler):
    """Every record, formatted with its traceback and its raw arguments."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
        self.lines: list[str] = []
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)
        self.lines.append(self.format(record))
        self.lines.append(repr(record.args))


@pytest.fixture
def all_logs() -> Iterator[Everything]:
    """Root and library loggers at DEBUG into one handler; logging restored afterwards."""
    root = logging.getLogger()
    saved_root = (root.level, list(root.handlers))
    loggers = [logging.getLogger(name) for name in LOGGERS]
    saved_levels = [logger.level for logger in loggers]
    handler = Everything()
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    for logger in loggers:
        # Explicit levels: discord.utils.setup_logging() (run by the runner) resets the root's.
        logger.setLevel(logging.DEBUG)
    try:
        yield handler
    finally:
        for added in [h for h in root.handlers if h not in saved_root[1]]:
            root.removeHandler(added)  # ours and the one setup_logging() added
        root.setLevel(saved_root[0])
        for logger, level in zip(loggers, saved_levels, strict=True):
            logger.setLevel(level)


@pytest.fixture(autouse=True)
def discord_errors() -> Iterator[DiscordErrorLog]:
    with capture_discord_errors() as errors:
        yield errors


@pytest_asyncio.fixture
async def fake() -> AsyncIterator[FakeDiscord]:
    # The fake only accepts this token, so the bot must really have used it.
    async with fake_discord_server(token=TOKEN) as server:
        yield server


class RecordingBot(FOCBot):
    """The runner's FOCBot, remembered so the test can stop it, and quick to get ready."""

    started: ClassVar[list[FOCBot]] = []

    def __init__(self, *args: Any, **options: Any) -> None:
        super().__init__(*args, guild_ready_timeout=0.1, **options)
        RecordingBot.started.append(self)


async def wait_until(condition: Any, timeout: float = STEP) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.02)


# -- the token in logs, stdout and stderr ------------------------------------------------------------


@pytest.mark.asyncio
async def test_token_never_appears_in_logs_or_output_of_a_running_bot(
    fake: FakeDiscord,
    all_logs: Everything,
    capfd: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(TOKEN_ENV, TOKEN)
    monkeypatch.setattr(runner, "FOCBot", RecordingBot)
    RecordingBot.started = []
    err = io.StringIO()
    with patch_discord(fake):
        # runner.run owns its event loop (asyncio.run): a worker thread, while this loop serves the fake.
        run = asyncio.ensure_future(asyncio.to_thread(runner.run, load_config(CONFIG_PATH), err))
        try:
            await wait_until(lambda: RecordingBot.started and RecordingBot.started[0].is_ready())
            bot = RecordingBot.started[0]

            before = len(fake.requests)
            question = fake.message_create(
                fake.channel, fake.user, f"{fake.bot_user.mention} Who is Park Jin?"
            )
            await fake.dispatch("MESSAGE_CREATE", question)
            reply = await fake.wait_for_request(
                "POST", f"/channels/{fake.channel.id}/messages", after=before, timeout=STEP
            )
            assert reply.status == 200 and reply.json["embeds"]

            frames = len(fake.gateway_received)
            await fake.drop_gateway(code=4000)
            resume = await fake.wait_for_resume(after=frames, timeout=STEP)
            assert resume["token"] == TOKEN  # the token did travel: on the wire only
        finally:
            if RecordingBot.started:
                bot = RecordingBot.started[0]
                # Not awaited: once start() returns, asyncio.run() may cancel this very task.
                asyncio.run_coroutine_threadsafe(bot.close(), bot.loop)
            exit_code = await asyncio.wait_for(run, STEP)
    assert exit_code == 0, err.getvalue()

    assert any(r.headers.get("Authorization") == f"Bot {TOKEN}" for r in fake.requests)
    # The capture did see discord.py's DEBUG chatter, including the RESUME it sent.
    assert any(r.levelno == logging.DEBUG and r.name.startswith("discord") for r in all_logs.records)
    assert any("RESUME" in r.getMessage() for r in all_logs.records)
    out, error = capfd.readouterr()
    assert_no_token("\n".join(all_logs.lines), "the log records")
    assert_no_token(out, "stdout")
    assert_no_token(error, "stderr")
    assert_no_token(err.getvalue(), "the runner's error output")


@pytest.mark.asyncio
async def test_refused_token_is_reported_without_showing_it(
    all_logs: Everything, capfd: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(TOKEN_ENV, TOKEN)
    monkeypatch.setattr(runner, "FOCBot", RecordingBot)
    err = io.StringIO()
    async with fake_discord_server(token="another-token") as fake:
        with patch_discord(fake):
            exit_code = await asyncio.wait_for(
                asyncio.to_thread(runner.run, load_config(CONFIG_PATH), err), STEP
            )
        statuses = [r.status for r in fake.requests]
        assert statuses and set(statuses) == {401}, statuses
    assert exit_code == 2
    assert err.getvalue().startswith("error: Discord refused the token")
    out, error = capfd.readouterr()
    for text, where in (
        (err.getvalue(), "the error"),
        ("\n".join(all_logs.lines), "logs"),
        (out, "stdout"),
        (error, "stderr"),
    ):
        assert_no_token(text, where)


# -- Token ---------------------------------------------------------------------------------------


def test_token_hides_its_value_from_repr_str_formatting_and_logging(caplog: pytest.LogCaptureFixture) -> None:
    token = Token(TOKEN)
    shown = [
        repr(token),
        str(token),
        f"{token}",
        f"{token!s} {token!r}",
        format(token, ""),
        "{}".format(token),  # noqa: UP032 (the str.format path on purpose)
        "%s %r" % (token, token),  # noqa: UP031 (the %-format path on purpose)
        repr([token]),
        str({"token": token}),
        str(Exception(token)),
    ]
    with caplog.at_level(logging.DEBUG, logger="bot.test"):
        logging.getLogger("bot.test").debug("token %s %r", token, token)
        logging.getLogger("bot.test").debug(token)
    shown += [r.getMessage() for r in caplog.records] + [caplog.text]
    for text in shown:
        assert_no_token(text, repr(text))
    assert token.reveal() == TOKEN and type(token.reveal()) is str
    assert token == TOKEN  # still usable as the str discord.py needs (through reveal())


def test_missing_token_message_names_the_variable_not_a_value(tmp_path: Path) -> None:
    with pytest.raises(MissingToken) as caught:
        load_token(environ={TOKEN_ENV: "   "}, dotenv=tmp_path / ".env")
    assert TOKEN_ENV in str(caught.value)


# -- python -m bot run without a token -------------------------------------------------------------


def bare_project(root: Path) -> Path:
    """A config in a folder without .env, pointing at the project's knowledge."""
    config = root / "config.yaml"
    config.write_text(f"knowledge:\n  directory: {PROJECT / 'knowledge'}\n", encoding="utf-8")
    return config


@pytest.mark.parametrize("value", [None, "", "   "], ids=["unset", "empty", "blank"])
def test_run_without_a_token_prints_one_line_and_exits_2(tmp_path: Path, value: str | None) -> None:
    env = {k: v for k, v in os.environ.items() if k not in (TOKEN_ENV, "FOC_BOT_CONFIG")}
    env["PYTHONPATH"] = str(PROJECT) + os.pathsep + env.get("PYTHONPATH", "")
    if value is not None:
        env[TOKEN_ENV] = value
    done = subprocess.run(
        [sys.executable, "-m", "bot", "--config", str(bare_project(tmp_path)), "run"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        timeout=60,
    )
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    lines = done.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: no Discord token"), done.stderr
    assert TOKEN_ENV in lines[0]
    assert done.stdout == ""


# -- where the token comes from --------------------------------------------------------------------


def test_dotenv_beside_config_is_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(TOKEN_ENV, raising=False)
    config = load_config(bare_project(tmp_path))
    (tmp_path / ".env").write_text(
        f"# the bot's secrets\nOTHER=1\n\nexport {TOKEN_ENV}='{TOKEN}'\n", encoding="utf-8"
    )
    err = io.StringIO()
    token = runner._token(config, err)
    assert isinstance(token, Token) and token.reveal() == TOKEN
    assert err.getvalue() == ""
    assert read_dotenv(tmp_path / ".env")[TOKEN_ENV] == TOKEN


def test_environment_wins_over_dotenv(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text(f"{TOKEN_ENV}=from-dotenv\n", encoding="utf-8")
    assert load_token(environ={TOKEN_ENV: TOKEN}, dotenv=tmp_path / ".env").reveal() == TOKEN
    assert load_token(environ={}, dotenv=tmp_path / ".env").reveal() == "from-dotenv"


@pytest.mark.parametrize(
    "text",
    [
        f"discord:\n  token: {TOKEN}\n",
        f"token: {TOKEN}\n",
        f"{TOKEN_ENV}: {TOKEN}\n",
        f"discord:\n  dev_guild: null\n  {TOKEN_ENV.lower()}: '{TOKEN}'\n",
    ],
    ids=["discord.token", "top-level-token", "top-level-DISCORD_TOKEN", "discord.discord_token"],
)
def test_config_yaml_refuses_a_token_without_echoing_it(tmp_path: Path, text: str) -> None:
    config = tmp_path / "config.yaml"
    config.write_text(text, encoding="utf-8")
    with pytest.raises(KnowledgeError) as caught:
        load_config(config)
    message = caught.value.render()
    assert "unknown" in message and "token" in message.lower()
    assert_no_token(message, "the config error")


def test_project_config_has_no_token_setting() -> None:
    def keys(node: Any) -> Iterator[str]:
        if isinstance(node, dict):
            for key, value in node.items():
                yield str(key)
                yield from keys(value)
        elif isinstance(node, list):
            for value in node:
                yield from keys(value)

    assert not [k for k in keys(read_yaml(CONFIG_PATH)) if "token" in k.lower()]


def test_gitignore_ignores_dotenv() -> None:
    patterns = [
        line.strip()
        for line in (PROJECT / ".gitignore").read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]
    assert {".env", "/.env", "*.env", ".env*"} & set(patterns), patterns
    if shutil.which("git") and (PROJECT / ".git").exists():
        # Read-only: asks git whether a .env beside config.yaml would be ignored.
        checked = subprocess.run(
            ["git", "check-ignore", "--no-index", "-q", ".env"], cwd=PROJECT, capture_output=True, timeout=30
        )
        assert checked.returncode == 0, "git does not ignore .env"
