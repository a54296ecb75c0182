"""The database failing, for real: locked by another process at start and while serving,
a directory where the file should be.

The bot answers throughout; recording resumes by itself once the cause is gone (the
store reopens the database with back-off); what could not be recorded is counted and
shown in ``/kb stats``; nothing already committed is lost. The lock is held by another
process (``BEGIN EXCLUSIVE``), as in the field.
"""

from __future__ import annotations

import asyncio
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from bot.storage import Store, StoreUnavailable
from tests.e2e.test_moderation_e2e import kb, text_of
from tests.fake_discord import FakeDiscord

from .helpers import ask_by_mention, cli, eventually, mod_world, project_copy

HOLD_LOCK = """
import sqlite3, sys
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
conn.execute("BEGIN EXCLUSIVE")
print("locked", flush=True)
sys.stdin.readline()
conn.execute("ROLLBACK")
"""


@contextmanager
def locked_by_another_process(path: Path) -> Iterator[None]:
    """Another process holds ``BEGIN EXCLUSIVE`` on the database until the block ends."""
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_LOCK, str(path)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        yield
    finally:
        if holder.stdin is not None:
            holder.stdin.write("\n")
            holder.stdin.close()
        holder.wait(timeout=10)


def quick_store(path: Path) -> Store:
    """A store that gives up on a lock and retries sooner than the defaults, for tests."""
    return Store(path, busy_timeout=0.2, retry_min=0.1, retry_max=0.4)


def questions_in(path: Path) -> list[str]:
    with sqlite3.connect(path) as db:
        return [text for (text,) in db.execute("SELECT text FROM questions ORDER BY id")]


def record(store: Store, text: str) -> int:
    return store.record_question(text, answered=True, score=90, entry_id="e", kind="qa", origin="dm")


# -- the store on its own ------------------------------------------------------------------------


def test_a_database_locked_at_start_is_opened_once_the_lock_is_gone(tmp_path: Path) -> None:
    path = tmp_path / "bot.sqlite3"
    with Store(path) as first:
        record(first, "committed before")
    with locked_by_another_process(path):
        store = quick_store(path)
        assert not store.available
        with pytest.raises(sqlite3.OperationalError):  # locked: counted
            record(store, "lost while locked")
        started = time.monotonic()
        with pytest.raises(StoreUnavailable):  # within the back-off: at once, no waiting
            record(store, "lost too")
        assert time.monotonic() - started < 0.1
    deadline = time.monotonic() + 5
    while True:  # the next attempt after the back-off opens it
        try:
            record(store, "recorded after")
            break
        except sqlite3.OperationalError:
            assert time.monotonic() < deadline, "the database was never reopened"
            time.sleep(0.05)
    assert store.available
    assert store.unrecorded >= 2
    store.close()
    assert questions_in(path) == ["committed before", "recorded after"]
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)


def test_a_directory_in_place_of_the_database_is_retried_until_it_is_a_file_again(tmp_path: Path) -> None:
    path = tmp_path / "bot.sqlite3"
    path.mkdir()
    store = quick_store(path)
    assert not store.available
    assert "cannot open" in store.health() or "unavailable" in store.health()
    with pytest.raises(sqlite3.OperationalError):
        record(store, "lost")
    path.rmdir()
    time.sleep(0.5)
    record(store, "kept")
    store.close()
    assert questions_in(path) == ["kept"]


def test_kb_stats_with_a_directory_in_place_of_the_database_is_one_line(tmp_path: Path) -> None:
    config = project_copy(tmp_path)
    (tmp_path / "data" / "bot.sqlite3").mkdir(parents=True)
    done = cli(["--config", str(config), "kb", "stats"])
    errors = done.stderr.decode()
    assert done.returncode == 1, errors
    assert "Traceback" not in errors
    [line] = errors.splitlines()
    assert line.startswith("error: the database cannot be used") and "bot.sqlite3" in line


# -- through the fake Discord ---------------------------------------------------------------------


@pytest.mark.asyncio
async def test_recording_resumes_after_a_lock_at_start_and_one_while_serving(
    fake: FakeDiscord, tmp_path: Path
) -> None:

    db = tmp_path / "data" / "bot.sqlite3"
    db.parent.mkdir(parents=True)
    with Store(db) as before:
        record(before, "committed before the bot started")
    holder = locked_by_another_process(db)
    holder.__enter__()
    released = False
    try:
        store = quick_store(db)
        assert not store.available
        async with mod_world(fake, tmp_path, store=store):
            reply = await ask_by_mention(fake, "Who is Park Jin?")
            assert "Park Jin" in reply["embeds"][0]["description"]
            # (the question, and the daily clean-up queued at start)
            await eventually(lambda: store.unrecorded >= 1, "the lost record to be counted")
            _, stats = await kb(fake, "stats")
            assert "unavailable" in text_of(stats["data"]), text_of(stats["data"])

            holder.__exit__(None, None, None)
            released = True
            await asyncio.sleep(0.5)  # longer than the back-off (retry_max 0.4 s)
            # After the back-off the database opens again: the next question is recorded.
            reply = await ask_by_mention(fake, "What does ICCPR stand for?")
            assert reply["embeds"][0]["description"]
            await eventually(lambda: "What does ICCPR stand for?" in questions_in(db), "the record", 10)

            # Locked again while serving (writes time out): answered, counted, then recorded again.
            lost = store.unrecorded
            with locked_by_another_process(db):
                reply = await ask_by_mention(fake, "When did Korea join the FOC?")
                assert reply["embeds"][0]["description"]
                await eventually(lambda: store.unrecorded == lost + 1, "the second lost record to be counted")
            reply = await ask_by_mention(fake, "Which country became the 38th member of the FOC?")
            assert reply["embeds"][0]["description"]
            await eventually(
                lambda: "Which country became the 38th member of the FOC?" in questions_in(db),
                "the record",
                10,
            )
            _, stats = await kb(fake, "stats")
            shown = text_of(stats["data"])
            assert f"recording; {lost + 1} record(s) could not be written" in shown, shown
    finally:
        if not released:
            holder.__exit__(None, None, None)
    assert questions_in(db) == [
        "committed before the bot started",
        "What does ICCPR stand for?",
        "Which country became the 38th member of the FOC?",
    ]
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)


class _FailingConnection:
    """Stands in for a connection whose disk failed (the one fault here not made for
    real: SQLite gives no way to provoke a disk I/O error on demand)."""

    def __init__(self, real: sqlite3.Connection) -> None:
        self.real = real
        self.in_transaction = False

    def execute(self, *args: object) -> None:
        raise sqlite3.OperationalError("disk I/O error")

    def close(self) -> None:
        self.real.close()


def test_a_connection_that_fails_is_replaced_after_the_back_off(tmp_path: Path) -> None:
    path = tmp_path / "bot.sqlite3"
    store = quick_store(path)
    record(store, "before")
    broken = _FailingConnection(store._conn)  # type: ignore[arg-type]
    store._conn = broken  # type: ignore[assignment]
    with pytest.raises(sqlite3.OperationalError, match="disk I/O"):
        record(store, "lost")
    assert not store.available and "disk I/O error" in store.health()
    with pytest.raises(StoreUnavailable):
        record(store, "lost within the back-off")
    time.sleep(0.15)
    record(store, "after")
    assert store.available and store._conn is not broken
    assert store.unrecorded == 2
    store.close()
    assert questions_in(path) == ["before", "after"]
