"""Starting the Discord bot, stopping it cleanly, and syncing its commands
(``python -m bot run`` / ``sync``).

A start-up failure (no token, a token with a line break in it, a token Discord refuses
at login or at the gateway, Discord unreachable or answering with server errors, the
Message Content intent not enabled) is one line on standard error and a non-zero exit,
never a traceback; nothing printed ever holds the token.

SIGTERM and SIGINT stop the bot cleanly: the gateway is closed first (no new
questions), the replies already being worked on get ``STOP_GRACE`` seconds to be sent
(then they are cancelled), the records waiting to be written are flushed, and the
database is closed (:meth:`bot.client.FOCBot.close`).

Imported only by those two commands, so the rest of the CLI never loads discord.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import sys
from typing import TextIO

import aiohttp
import discord

from .client import FOCBot
from .config import Config
from .engine.engine import Engine
from .secrets import MissingToken, Token, load_token

log = logging.getLogger(__name__)

EXIT_OK = 0
EXIT_FAIL = 1
EXIT_BAD_INPUT = 2
# Seconds the replies in flight get to finish once a stop was asked for.
STOP_GRACE = 3.0
# Names discord.py gives the tasks running event handlers and application commands.
_WORK_TASKS = ("discord.py: ", "CommandTree-invoker")
_REFUSED = "error: Discord refused the token (DISCORD_TOKEN): check it in the developer portal"


class StartupError(Exception):
    """A start-up failure, with the one line to show and the exit code."""

    def __init__(self, line: str, code: int = EXIT_FAIL) -> None:
        super().__init__(line)
        self.line = line
        self.code = code


def _token(config: Config, err: TextIO) -> Token | None:
    try:
        token = load_token(dotenv=config.base / ".env")
    except MissingToken as exc:
        err.write(f"error: {exc}\n")
        return None
    if any(ch.isspace() for ch in token.reveal()):
        err.write(
            "error: DISCORD_TOKEN holds a line break or a space: copy the token again, "
            "on one line with nothing else\n"
        )
        return None
    return token


def _redacted(text: str, token: Token) -> str:
    return text.replace(token.reveal(), "***")


def explain(exc: BaseException, token: Token) -> StartupError:
    """The one line (and exit code) that says why the bot could not start or run."""
    if isinstance(exc, StartupError):
        return exc
    if isinstance(exc, discord.LoginFailure):
        return StartupError(_REFUSED, EXIT_BAD_INPUT)
    if isinstance(exc, discord.PrivilegedIntentsRequired):
        return StartupError(
            "error: Discord refused the Message Content intent (needed by discord.answer_channels): "
            "enable it for the bot in the developer portal, or empty answer_channels",
            EXIT_BAD_INPUT,
        )
    if isinstance(exc, discord.ConnectionClosed):
        if exc.code == 4004:
            return StartupError(_REFUSED, EXIT_BAD_INPUT)
        reason = _redacted(exc.reason or "no reason given", token)
        return StartupError(f"error: Discord closed the gateway connection (code {exc.code}: {reason})")
    if isinstance(exc, discord.DiscordServerError):
        return StartupError(
            f"error: Discord answered with a server error (HTTP {exc.status}); try again later"
        )
    if isinstance(exc, discord.HTTPException):
        return StartupError(
            f"error: Discord refused a request (HTTP {exc.status}: {_redacted(exc.text, token)})"
        )
    if isinstance(exc, aiohttp.ClientError | OSError | TimeoutError | discord.GatewayNotFound):
        reason = _redacted(str(exc) or exc.__class__.__name__, token)
        return StartupError(f"error: cannot reach Discord ({reason}); check the network and try again")
    reason = _redacted(f"{exc.__class__.__name__}: {exc}", token)
    return StartupError(f"error: the bot stopped on an unexpected error ({reason})")


def run(config: Config, err: TextIO = sys.stderr) -> int:
    """Run the bot until stopped (SIGTERM, SIGINT); returns the exit code."""
    token = _token(config, err)
    if token is None:
        return EXIT_BAD_INPUT
    discord.utils.setup_logging()
    bot = FOCBot(config, Engine(config))
    try:
        asyncio.run(serve(bot, token))
    except KeyboardInterrupt:  # a second Ctrl-C while stopping, or no signal handler
        pass
    except Exception as exc:
        failure = explain(exc, token)
        err.write(failure.line + "\n")
        return failure.code
    return EXIT_OK


def _install_stop_signals(stop: asyncio.Event) -> list[signal.Signals]:
    loop = asyncio.get_running_loop()
    installed = []
    for sig in (signal.SIGTERM, signal.SIGINT):
        try:
            loop.add_signal_handler(sig, stop.set)
        except (NotImplementedError, RuntimeError, ValueError):
            continue  # not the main thread (tests), or a platform without them
        installed.append(sig)
    return installed


async def serve(bot: FOCBot, token: Token, stop: asyncio.Event | None = None) -> None:
    """Log in, run the gateway until it fails or ``stop`` is set (by SIGTERM/SIGINT), then
    stop cleanly. Raises why it could not run."""
    stop = stop or asyncio.Event()
    installed = _install_stop_signals(stop)
    try:
        async with bot:
            await bot.login(token.reveal())
            gateway = asyncio.create_task(bot.connect(), name="foc-gateway")
            stopping = asyncio.create_task(stop.wait(), name="foc-stop")
            await asyncio.wait({gateway, stopping}, return_when=asyncio.FIRST_COMPLETED)
            if gateway.done():
                stopping.cancel()
                gateway.result()  # why the gateway ended, raised
                return
            log.info("stop requested: closing the gateway and finishing the replies in flight")
            await stop_cleanly(bot, gateway)
    finally:
        loop = asyncio.get_running_loop()
        for sig in installed:
            loop.remove_signal_handler(sig)


async def stop_cleanly(bot: FOCBot, gateway: asyncio.Task[None], grace: float | None = None) -> None:
    """Close the gateway, let the work in flight finish (or cancel it after ``grace``
    seconds, default ``STOP_GRACE``), then close the bot: HTTP, pending records flushed,
    database closed."""
    grace = STOP_GRACE if grace is None else grace
    gateway.cancel()  # no more events are read
    with contextlib.suppress(asyncio.CancelledError, Exception):
        await gateway
    if bot.ws is not None and bot.ws.open:
        with contextlib.suppress(Exception):
            await bot.ws.close(code=1000)
    current = asyncio.current_task()
    work = [
        task
        for task in asyncio.all_tasks()
        if task is not current and not task.done() and task.get_name().startswith(_WORK_TASKS)
    ]
    if work:
        _, late = await asyncio.wait(work, timeout=grace)
        for task in late:
            task.cancel()
        if late:
            log.warning("cancelled %d reply(ies) still unfinished after %.0f s", len(late), grace)
            await asyncio.wait(late, timeout=1.0)
    await bot.close()
    log.info("stopped")


def sync(config: Config, guild_id: int | None, err: TextIO = sys.stderr, out: TextIO = sys.stdout) -> int:
    """Log in over REST only, sync the command tree, log out."""
    token = _token(config, err)
    if token is None:
        return EXIT_BAD_INPUT
    discord.utils.setup_logging()
    target = guild_id if guild_id is not None else config.discord.dev_guild

    async def _sync() -> int:
        bot = FOCBot(config, Engine(config))
        async with bot:
            await bot.login(token.reveal())  # runs setup_hook: extensions and commands load
            return await bot.sync_commands(target)

    try:
        count = asyncio.run(_sync())
    except Exception as exc:
        failure = explain(exc, token)
        err.write(failure.line + "\n")
        return failure.code
    out.write(f"synced {count} command(s) {'to guild ' + str(target) if target else 'globally'}\n")
    return EXIT_OK
