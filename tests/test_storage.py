"""bot.storage: questions, feedback and audit in SQLite, durable across a SIGKILL."""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.config import load_config
from bot.storage import DB_ENV, Store, open_store, settled_phrasings, store_path

PROJECT = Path(__file__).resolve().parents[1]
DAY = 86_400.0
NOW = 1_700_000_000.0


@pytest.fixture
def store(tmp_path):
    with Store(tmp_path / "data" / "bot.sqlite3") as opened:
        yield opened


def ask(store: Store, text: str, answered: bool, at: float = NOW, message_id: int | None = None) -> int:
    return store.record_question(
        text,
        answered=answered,
        score=80.0 if answered else 20.0,
        entry_id="e" if answered else None,
        kind="qa" if answered else "none",
        origin="mention",
        message_id=message_id,
        at=at,
    )


def test_the_database_uses_wal_and_full_sync_and_creates_its_folder(tmp_path):
    path = tmp_path / "new" / "dir" / "db.sqlite3"
    with Store(path) as store:
        assert path.exists()
        assert store._read("PRAGMA journal_mode") == [("wal",)]
        assert store._read("PRAGMA synchronous") == [(2,)]  # FULL
        assert store._read("PRAGMA user_version") == [(1,)]


def test_questions_are_counted_by_period(store):
    ask(store, "a", True, at=NOW - 8 * DAY)
    ask(store, "b", True, at=NOW - DAY)
    ask(store, "c", False, at=NOW - DAY)
    ask(store, "d", False, at=NOW)
    usage = store.usage(NOW - 7 * DAY)
    assert (usage.answered, usage.abstained) == (1, 2)
    assert store.usage(NOW + 1) == type(usage)(0, 0, 0, 0)


def test_no_user_id_is_stored_anywhere(store):
    user_id = 123456789012345678
    message_id = 999
    ask(store, "q", True, message_id=message_id)
    store.record_feedback(message_id, "e", -1, user_id, at=NOW)
    store.record_audit("import", "qa.yaml", moderator_id=42, moderator="mod", at=NOW)
    dump = "\n".join(store._conn.iterdump())
    assert str(user_id) not in dump
    assert store.voter(user_id) in dump and store.voter(user_id) != store.voter(user_id + 1)


def test_a_vote_counts_once_per_user_and_can_change(store):
    assert store.record_feedback(1, "e", 1, user_id=7, at=NOW) == "new"
    assert store.record_feedback(1, "e", 1, user_id=7, at=NOW) == "same"
    assert store.usage(NOW - DAY) == type(store.usage(0))(0, 0, 1, 0)
    assert store.record_feedback(1, "e", -1, user_id=7, at=NOW) == "changed"
    assert store.record_feedback(1, "e", 1, user_id=8, at=NOW) == "new"
    assert store.record_feedback(2, "e", 1, user_id=7, at=NOW) == "new"
    usage = store.usage(NOW - DAY)
    assert (usage.up, usage.down) == (2, 1)
    with pytest.raises(ValueError):
        store.record_feedback(1, "e", 0, user_id=7)


def test_the_salt_survives_reopening(tmp_path):
    path = tmp_path / "db.sqlite3"
    with Store(path) as first:
        voter = first.voter(7)
        first.record_feedback(1, "e", 1, user_id=7)
    with Store(path) as second:
        assert second.voter(7) == voter
        assert second.record_feedback(1, "e", 1, user_id=7) == "same"
    with Store(tmp_path / "other.sqlite3") as other:
        assert other.voter(7) != voter


def test_missed_questions_are_abstentions_and_thumbs_down(store):
    ask(store, "when was the summit", False, at=NOW - 2)
    ask(store, "when was the summit", False, at=NOW - 1)
    ask(store, "old miss", False, at=NOW - 40 * DAY)
    ask(store, "answered but wrong", True, message_id=10, at=NOW - 5)
    ask(store, "answered and fine", True, message_id=11, at=NOW - 5)
    store.record_feedback(10, "e", -1, user_id=1, at=NOW)
    store.record_feedback(10, "e", -1, user_id=2, at=NOW)
    store.record_feedback(10, "e", -1, user_id=3, at=NOW)
    store.record_feedback(11, "e", 1, user_id=1, at=NOW)
    missed = store.missed_questions(NOW - 30 * DAY)
    assert [(m.text, m.abstained, m.down, m.count) for m in missed] == [
        ("when was the summit", 2, 0, 2),
        ("answered but wrong", 0, 3, 1),  # asked once, however many voted it down
    ]
    assert missed[0].last == NOW - 1
    assert (missed[0].voted, missed[1].voted) == ((), ("e",))


@dataclass
class _Entry:
    id: str
    phrasings: tuple[str, ...]


def test_a_phrasing_settles_a_miss_unless_its_own_entry_was_voted_down(store):
    entries = [_Entry("park", ("Who is Park Jin?",)), _Entry("summit", ("When was the summit?",))]
    ask(store, "When was the summit", False, at=NOW - 3)  # missed, then attached: settled
    ask(store, "who is park jin", True, message_id=10, at=NOW - 2)  # answered by its own wording...
    store.record_feedback(10, "park", -1, user_id=1, at=NOW, reason="wrong person")  # ...and wrong
    missed = store.missed_questions(NOW - DAY)
    assert settled_phrasings(entries, missed) == {"when was the summit"}


def test_audit_log_newest_first_and_actions_are_checked(store):
    store.record_audit("import", "2 added", moderator_id=1, moderator="ann", at=NOW)
    store.record_audit("reload-failure", "qa.yaml:3: bad", at=NOW + 1)
    log = store.audit_log()
    assert [(e.action, e.moderator_id, e.moderator, e.detail) for e in log] == [
        ("reload-failure", None, None, "qa.yaml:3: bad"),
        ("import", 1, "ann", "2 added"),
    ]
    with pytest.raises(ValueError):
        store.record_audit("delete-everything", "x")
    with pytest.raises(ValueError):
        store.record_question("q", answered=True, score=1, entry_id=None, kind="qa", origin="pigeon")


def test_a_failed_write_rolls_back_and_the_store_keeps_working(store, monkeypatch):
    ask(store, "kept", True)
    with pytest.raises(sqlite3.IntegrityError):
        store.record_question("bad", answered=2, score=1, entry_id=None, kind="qa", origin="dm")  # type: ignore[arg-type]
    assert not store._conn.in_transaction
    ask(store, "after", False)
    assert [r[0] for r in store._read("SELECT text FROM questions ORDER BY id")] == ["kept", "after"]


def test_a_locked_database_raises_instead_of_hanging(tmp_path):
    path = tmp_path / "db.sqlite3"
    with Store(path, busy_timeout=0.05) as store:
        blocker = sqlite3.connect(path, isolation_level=None)
        blocker.execute("BEGIN IMMEDIATE")
        try:
            started = time.monotonic()
            with pytest.raises(sqlite3.OperationalError, match="locked"):
                ask(store, "q", True)
            assert time.monotonic() - started < 2
        finally:
            blocker.execute("ROLLBACK")
            blocker.close()
        ask(store, "q", True)


def test_writes_from_many_threads_all_land(store):
    def writer(n: int) -> None:
        for i in range(25):
            ask(store, f"t{n}-{i}", i % 2 == 0)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert store._read("SELECT COUNT(*) FROM questions") == [(200,)]


def test_store_path_comes_from_the_config_or_the_environment(tmp_path, monkeypatch):
    config_path = tmp_path / "config.yaml"
    config_path.write_text("storage:\n  path: db/x.sqlite3\n", encoding="utf-8")
    config = load_config(config_path)
    monkeypatch.delenv(DB_ENV, raising=False)
    assert store_path(config) == tmp_path / "db" / "x.sqlite3"
    monkeypatch.setenv(DB_ENV, str(tmp_path / "elsewhere.sqlite3"))
    assert store_path(config) == tmp_path / "elsewhere.sqlite3"
    with open_store(config) as store:
        assert store.path == tmp_path / "elsewhere.sqlite3"


# A writer that commits rows in a loop and reports each committed id on stdout.
_WRITER = """
import sys
from pathlib import Path
from bot.storage import Store

store = Store(Path(sys.argv[1]))
i = 0
while True:
    row = store.record_question(f"question {i}", answered=i % 2 == 0, score=50.0, entry_id=None,
                                kind="none", origin="dm", message_id=i)
    store.record_feedback(i, "e", 1 if i % 3 else -1, user_id=i % 5)
    print(row, flush=True)
    i += 1
"""


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="POSIX signals")
@pytest.mark.parametrize("kill_after", [1, 40, 150])
def test_a_writer_killed_with_sigkill_loses_no_committed_row(tmp_path, kill_after):
    path = tmp_path / "db.sqlite3"
    proc = subprocess.Popen(
        [sys.executable, "-c", _WRITER, str(path)], cwd=PROJECT, stdout=subprocess.PIPE, text=True
    )
    reported: list[int] = []
    try:
        for line in proc.stdout:
            reported.append(int(line))
            if len(reported) >= kill_after:
                proc.send_signal(signal.SIGKILL)
                break
        # Rows it committed (and printed) after the one that made us kill it.
        reported.extend(int(word) for word in proc.stdout.read().split())
    finally:
        proc.kill()
        proc.wait()
        proc.stdout.close()
    assert proc.returncode == -signal.SIGKILL

    check = sqlite3.connect(path)
    try:
        assert check.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        ids = {row[0] for row in check.execute("SELECT id FROM questions")}
    finally:
        check.close()
    assert set(reported) <= ids
    # ...and the store opens and writes again.
    with Store(path) as store:
        ask(store, "after the crash", True)


def test_prune_deletes_old_questions_and_votes_but_keeps_the_audit_log(tmp_path):
    from bot.storage import Store

    with Store(tmp_path / "db.sqlite3") as store:
        store.record_question(
            "old", answered=True, score=90.0, entry_id="a", kind="qa", origin="mention", at=100.0
        )
        store.record_question(
            "new", answered=False, score=10.0, entry_id=None, kind="none", origin="mention", at=300.0
        )
        store.record_feedback(1, "a", 1, 42, at=100.0)
        store.record_feedback(2, "a", -1, 42, at=300.0)
        store.record_audit("import", "detail", moderator_id=7, moderator="mod")
        assert store.prune(before=200.0) == 2
        assert [row[0] for row in store._read("SELECT text FROM questions")] == ["new"]
        assert [row[0] for row in store._read("SELECT message_id FROM feedback")] == [2]
        assert len(store.audit_log()) == 1
