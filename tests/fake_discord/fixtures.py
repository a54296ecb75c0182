"""pytest(-asyncio) helpers for running a real discord.py client against ``FakeDiscord``.

These are async context managers rather than fixtures so any test module (or
a future ``conftest.py``) can wrap them in fixtures of whatever scope it needs::

    @pytest_asyncio.fixture
    async def fake() -> AsyncIterator[FakeDiscord]:
        async with fake_discord_server() as server:
            yield server

    @pytest.fixture(autouse=True)
    def discord_errors() -> Iterator[DiscordErrorLog]:
        with capture_discord_errors() as errors:
            yield errors
"""

from __future__ import annotations

import asyncio
import logging
import re
import types
from collections.abc import AsyncIterator, Iterator, Sequence
from contextlib import asynccontextmanager, contextmanager
from typing import Any, TypeVar

import discord

from .server import FakeDiscord, patch_discord

ClientT = TypeVar("ClientT", bound=discord.Client)

# Loggers whose ERROR records mean "something failed and was swallowed":
# discord.py logs handler/view/command exceptions ("Ignoring exception in ...")
# instead of raising, asyncio logs unretrieved task exceptions, and the fake
# logs its own bugs.
DEFAULT_ERROR_LOGGERS: tuple[str, ...] = ("discord", "asyncio", "fake_discord")


@asynccontextmanager
async def fake_discord_server(**kwargs: Any) -> AsyncIterator[FakeDiscord]:
    """A started ``FakeDiscord(**kwargs)``, stopped on exit."""
    fake = FakeDiscord(**kwargs)
    await fake.start()
    try:
        yield fake
    finally:
        await fake.stop()


@asynccontextmanager
async def running_client(
    client: ClientT,
    fake: FakeDiscord,
    token: str = "fake-token",
    *,
    ready_timeout: float = 5.0,
) -> AsyncIterator[ClientT]:
    """Connect ``client`` to ``fake`` and yield it once ``on_ready`` has fired.

    Equivalent to ``client.start(token)`` (login, then the gateway loop as a
    background task). On exit the client is closed, its gateway task awaited
    (re-raising anything it died of) and discord.py's endpoints restored.
    Pass ``guild_ready_timeout=<small>`` to the client: discord.py waits that
    long after the last GUILD_CREATE before firing ``on_ready`` (default 2 s).
    """
    undo = patch_discord(fake)
    connect_task: asyncio.Task[None] | None = None
    body_failed = False
    try:
        # login() before creating the task so login errors (e.g. 401) raise here.
        await client.login(token)
        connect_task = asyncio.create_task(client.connect(), name="fake-discord-client-connect")
        await _wait_until_ready(client, connect_task, ready_timeout)
        yield client
    except BaseException:
        body_failed = True
        raise
    finally:
        try:
            await _shutdown(client, connect_task, raise_errors=not body_failed)
        finally:
            undo()


async def _wait_until_ready(client: discord.Client, connect_task: asyncio.Task[None], timeout: float) -> None:
    ready = asyncio.ensure_future(client.wait_until_ready())
    done, _ = await asyncio.wait({ready, connect_task}, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
    if ready in done:
        return
    ready.cancel()
    if connect_task in done:
        connect_task.result()  # re-raises why the gateway loop died
        raise RuntimeError("client.connect() returned before the client became ready")
    raise TimeoutError(f"discord client not ready after {timeout}s")


async def _shutdown(
    client: discord.Client, connect_task: asyncio.Task[None] | None, *, raise_errors: bool
) -> None:
    await client.close()
    if connect_task is None:
        return
    try:
        # connect() notices the close and returns promptly.
        await asyncio.wait_for(connect_task, timeout=5.0)
    except Exception:
        if raise_errors:
            raise


class DiscordErrorLog(logging.Handler):
    """Collects ERROR (and worse) log records so a test can fail on them.

    discord.py swallows exceptions from event handlers, views, app commands
    and its own tasks, only logging them; without this a broken handler just
    looks like "nothing happened".
    """

    def __init__(self, level: int = logging.ERROR) -> None:
        super().__init__(level)
        self.records: list[logging.LogRecord] = []
        self._allowed: list[re.Pattern[str]] = []
        self.setFormatter(logging.Formatter("%(name)s: %(message)s"))

    def allow(self, pattern: str) -> None:
        """Tolerate errors whose message matches ``pattern`` (for tests expecting them)."""
        self._allowed.append(re.compile(pattern))

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        if not any(p.search(message) for p in self._allowed):
            self.records.append(record)

    def clear(self) -> None:
        self.records.clear()

    def format_errors(self) -> str:
        return "\n\n".join(self.format(r) for r in self.records)

    def assert_clean(self) -> None:
        if self.records:
            raise AssertionError(
                f"{len(self.records)} error(s) were logged (and swallowed):\n{self.format_errors()}"
            )


@contextmanager
def capture_discord_errors(
    loggers: Sequence[str] = DEFAULT_ERROR_LOGGERS,
    *,
    check: bool = True,
) -> Iterator[DiscordErrorLog]:
    """Attach a ``DiscordErrorLog`` to ``loggers``; on exit, fail if it caught anything.

    ``check=False`` only collects (inspect ``.records`` yourself). The check is
    skipped when the block itself raised, so the original failure is reported.
    """
    handler = DiscordErrorLog()
    targets = [logging.getLogger(name) for name in loggers]
    for logger in targets:
        logger.addHandler(handler)
    try:
        yield handler
    finally:
        for logger in targets:
            logger.removeHandler(handler)
    if check:
        handler.assert_clean()


class _ScaledSleepAsyncio(types.ModuleType):
    """Stand-in for the ``asyncio`` module inside discord.py's HTTP modules.

    Everything is forwarded to the real ``asyncio`` except ``sleep``, which is
    scaled. discord.py looks ``asyncio.sleep`` up on its module global at call
    time, so swapping that global shortens its retry back-off without
    touching anyone else's sleeps.
    """

    def __init__(self, factor: float) -> None:
        super().__init__("asyncio")
        self._factor = factor

    def __getattr__(self, name: str) -> Any:
        return getattr(asyncio, name)

    async def sleep(self, delay: float, result: Any = None) -> Any:
        return await asyncio.sleep(delay * self._factor, result)


@contextmanager
def fast_http_retries(factor: float = 0.001) -> Iterator[None]:
    """Scale discord.py's REST retry sleeps by ``factor``.

    discord.py 2.7.1 retries 500/502/504/524 five times sleeping
    ``1 + 2 * attempt`` seconds (25 s in total before raising), and sleeps
    ``retry_after`` on 429s. Use this to test those paths quickly.
    """
    import discord.http
    import discord.webhook.async_

    modules = (discord.http, discord.webhook.async_)
    originals = [module.asyncio for module in modules]
    proxy = _ScaledSleepAsyncio(factor)
    for module in modules:
        module.asyncio = proxy  # type: ignore[attr-defined]
    try:
        yield
    finally:
        for module, original in zip(modules, originals, strict=True):
            module.asyncio = original  # type: ignore[attr-defined]
