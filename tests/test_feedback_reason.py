"""The ``reason`` of a 👎 in ``feedback``: kept with the vote, added to older databases."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from bot.storage import Store


def reasons(store: Store) -> list[tuple[int, str | None]]:
    return store._read("SELECT vote, reason FROM feedback ORDER BY message_id")


def test_a_reason_is_kept_with_the_vote_and_dropped_when_the_vote_changes(tmp_path: Path) -> None:
    with Store(tmp_path / "db.sqlite3") as store:
        assert store.record_feedback(1, "entry", -1, 42) == "new"
        assert store.record_feedback(1, "entry", -1, 42, reason="wrong date") == "same"
        assert reasons(store) == [(-1, "wrong date")]
        store.record_feedback(1, "entry", -1, 42)  # the same vote again keeps the reason
        assert reasons(store) == [(-1, "wrong date")]
        assert store.record_feedback(1, "entry", 1, 42) == "changed"
        assert reasons(store) == [(1, None)]


def test_an_older_database_gets_the_reason_column(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    conn = sqlite3.connect(path)
    conn.execute(
        "CREATE TABLE feedback (message_id INTEGER NOT NULL, voter TEXT NOT NULL, entry_id TEXT NOT NULL,"
        " vote INTEGER NOT NULL, at REAL NOT NULL, PRIMARY KEY (message_id, voter))"
    )
    conn.execute("INSERT INTO feedback VALUES (7, 'someone', 'entry', -1, 1.0)")
    conn.commit()
    conn.close()
    with Store(path) as store:
        assert reasons(store) == [(-1, None)]
        store.record_feedback(8, "entry", -1, 42, reason="off topic")
        assert reasons(store) == [(-1, None), (-1, "off topic")]
