"""The bot's own records in SQLite: questions asked, answer feedback, knowledge audit log.

What is kept, and what is not:

* ``questions``: the text, whether it was answered, the score, entry id and kind, where
  it was asked (mention, dm, channel, slash), the id of the bot's answer message, the
  time. Never who asked.
* ``feedback``: one vote (+1 / -1) per user per answer message, with the entry id and
  the time, and for a 👎 the ``reason`` the voter gave ("what was wrong?", optional).
  The user is kept only as a salted hash (HMAC with a random salt made when
  the database is created), enough to count one vote per user and let them change it.
* ``audit``: every knowledge change made through the bot (import, rollback, an added
  or edited entry, learned), every reload failure and every change the disk refused:
  who (moderator id and name), when, what.
* ``guild_settings`` and ``dismissed`` (moderation): each server's ``/kb config``
  values, and the missed questions moderators dismissed as noise (by normalized text).

Durability: WAL journal with ``synchronous=FULL`` and one short transaction per write,
so a process killed at any moment (even SIGKILL) loses no committed row and leaves a
database that opens and passes ``integrity_check``. Writes are tiny; the Discord layer
still runs them in a worker thread (``asyncio.to_thread``) and never lets a failing
write (locked, disk full) stop an answer.

Recovery: the connection is opened when the store is made, and again after any failure
that may have broken it (the file locked by another process at start, unreadable,
read-only, removed, a disk error), with a back-off between attempts (``retry_min``
doubling up to ``retry_max`` seconds), so recording resumes by itself once the cause
is gone. While it cannot be opened, every call raises :class:`StoreUnavailable` at
once instead of waiting. A write that could not be made is counted
(:attr:`Store.unrecorded`, shown by ``/kb stats``); a row already committed is never
touched by a reconnection. The schema is created in one place, :func:`_create_schema`,
at every (re)connection.

The standard library's sqlite3 only; no Discord here, so the command line uses it too.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import os
import secrets
import sqlite3
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from .config import Config
from .lang.text import normalize

log = logging.getLogger(__name__)
# Overrides storage.path (tests, or a second bot on the same machine).
DB_ENV = "FOC_BOT_DB"
SCHEMA_VERSION = 1
# "change-failure": an import, rollback or learned alternate that the disk refused
# (the file or the backups folder could not be read or written).
AUDIT_ACTIONS = ("import", "rollback", "learned", "add", "edit", "reload-failure", "change-failure")
ORIGINS = ("mention", "dm", "channel", "slash")
# Seconds a write waits for another process's write to finish before failing.
BUSY_TIMEOUT = 2.0
# Seconds between two attempts to (re)open the database: the first wait, and the longest.
RETRY_MIN = 0.5
RETRY_MAX = 30.0

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS questions (
    id INTEGER PRIMARY KEY,
    at REAL NOT NULL,
    text TEXT NOT NULL,
    answered INTEGER NOT NULL CHECK (answered IN (0, 1)),
    score REAL NOT NULL,
    entry_id TEXT,
    kind TEXT NOT NULL,
    origin TEXT NOT NULL,
    message_id INTEGER
);
CREATE INDEX IF NOT EXISTS questions_at ON questions (at);
CREATE INDEX IF NOT EXISTS questions_message ON questions (message_id);
CREATE TABLE IF NOT EXISTS feedback (
    message_id INTEGER NOT NULL,
    voter TEXT NOT NULL,
    entry_id TEXT NOT NULL,
    vote INTEGER NOT NULL CHECK (vote IN (-1, 1)),
    at REAL NOT NULL,
    reason TEXT,
    PRIMARY KEY (message_id, voter)
);
CREATE INDEX IF NOT EXISTS feedback_at ON feedback (at);
CREATE TABLE IF NOT EXISTS audit (
    id INTEGER PRIMARY KEY,
    at REAL NOT NULL,
    action TEXT NOT NULL,
    moderator_id INTEGER,
    moderator TEXT,
    detail TEXT NOT NULL
);
"""

# Moderation's tables: the settings moderators give one server with /kb config (a JSON
# value per setting; what is not set comes from config.yaml), and the missed questions
# they dismissed as noise (by normalized text).
_MODERATION_SCHEMA = """
CREATE TABLE IF NOT EXISTS guild_settings (
    guild_id INTEGER NOT NULL,
    key TEXT NOT NULL,
    value TEXT NOT NULL,
    at REAL NOT NULL,
    moderator_id INTEGER,
    PRIMARY KEY (guild_id, key)
);
CREATE TABLE IF NOT EXISTS dismissed (
    norm TEXT PRIMARY KEY,
    text TEXT NOT NULL,
    at REAL NOT NULL,
    moderator_id INTEGER
);
"""


@dataclass(frozen=True, slots=True)
class Usage:
    """Counts over a period: questions answered and abstained, thumbs up and down."""

    answered: int
    abstained: int
    up: int
    down: int


@dataclass(frozen=True, slots=True)
class MissedQuestion:
    """A question text the bot abstained on or got a thumbs-down for, with counts."""

    text: str
    abstained: int
    down: int
    last: float
    asked: int = 1  # askings that were abstained on or voted down
    reasons: tuple[str, ...] = ()  # what the 👎 voters said was wrong
    voted: tuple[str, ...] = ()  # the entries whose answers to it were voted 👎

    @property
    def count(self) -> int:
        return self.asked


class _Phrased(Protocol):
    @property
    def id(self) -> str: ...
    @property
    def phrasings(self) -> tuple[str, ...]: ...


def settled_phrasings(entries: Iterable[_Phrased], missed: Iterable[MissedQuestion]) -> set[str]:
    """The normalized phrasings that settle a missed question (``/kb unanswered`` hides it).

    A question worded as one of an entry's phrasings is answered by that entry: once a
    moderator attached it, it is no longer missed. Unless that very entry was voted 👎
    on it: answered by its own wording and still wrong, it stays for the moderators
    (with what the voters said was wrong) until they change or dismiss it.
    """
    owners: dict[str, set[str]] = {}
    for entry in entries:
        for phrasing in entry.phrasings:
            owners.setdefault(normalize(phrasing), set()).add(entry.id)
    wrong = {text for m in missed if owners.get(text := normalize(m.text), set()) & set(m.voted)}
    return set(owners) - wrong


@dataclass(frozen=True, slots=True)
class AuditEntry:
    id: int
    at: float
    action: str
    moderator_id: int | None
    moderator: str | None
    detail: str


class StoreUnavailable(sqlite3.OperationalError):
    """The database cannot be used right now; the store retries on its own later."""


def _is_transient(exc: BaseException) -> bool:
    """A failure that leaves the connection usable: another writer held the lock, or
    the row itself was refused (a constraint)."""
    if isinstance(exc, sqlite3.IntegrityError | sqlite3.ProgrammingError | StoreUnavailable):
        return True
    text = str(exc).lower()
    return isinstance(exc, sqlite3.OperationalError) and ("locked" in text or "busy" in text)


def _create_schema(conn: sqlite3.Connection) -> str:
    """Create the tables (if missing) in one transaction; returns the salt.

    Every table of the database is created here, so a reconnection after a failure
    finds the same schema whatever state the file was left in.
    """
    conn.execute("BEGIN IMMEDIATE")
    try:
        # Statement by statement: executescript() would commit on its own.
        for statement in (_SCHEMA + _MODERATION_SCHEMA).split(";"):
            if statement.strip():
                conn.execute(statement)
        _add_missing_columns(conn)
        conn.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
        conn.execute("INSERT OR IGNORE INTO meta (key, value) VALUES ('salt', ?)", (secrets.token_hex(16),))
        (salt,) = conn.execute("SELECT value FROM meta WHERE key = 'salt'").fetchone()
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    return str(salt)


class Store:
    """One SQLite database; safe to share between threads (writes are serialized).

    Never raises while being made: if the database cannot be opened now, calls raise
    :class:`StoreUnavailable` until a later attempt (after the back-off) succeeds.
    """

    def __init__(
        self,
        path: Path,
        *,
        busy_timeout: float = BUSY_TIMEOUT,
        retry_min: float = RETRY_MIN,
        retry_max: float = RETRY_MAX,
    ) -> None:
        self.path = path
        self._busy_timeout = busy_timeout
        self._retry_min = retry_min
        self._retry_max = retry_max
        self._lock = threading.Lock()
        self._conn: sqlite3.Connection | None = None
        self._salt = b""
        self._closed = False
        self._delay = retry_min
        self._next_attempt = 0.0
        #: Writes that failed (locked, unavailable, disk full ...) since the store was made.
        self.unrecorded = 0
        #: Why the database last failed, or None when it has worked since.
        self.last_error: str | None = None
        with self._lock:
            try:
                self._connect()
            except StoreUnavailable:
                pass  # logged; the next call after the back-off tries again

    @property
    def available(self) -> bool:
        """Whether the database is open now (it may still fail on the next call)."""
        return self._conn is not None

    def health(self) -> str:
        """One line for people: is recording working, and how much was lost since start."""
        lost = f"{self.unrecorded} record(s) could not be written since the start"
        if self._conn is None:
            return f"unavailable ({self.last_error}), reopening with back-off; {lost}"
        if self.last_error is not None:
            return f"open, last failure: {self.last_error}; {lost}"
        return f"recording; {lost}"

    def _connect(self) -> sqlite3.Connection:
        """The open connection, opening it if the back-off allows; the lock is held."""
        if self._closed:
            raise StoreUnavailable("the database is closed")
        if self._conn is not None:
            return self._conn
        now = time.monotonic()
        if now < self._next_attempt:
            raise StoreUnavailable(
                f"{self.path} is unavailable ({self.last_error}); retried after a back-off"
            )
        conn: sqlite3.Connection | None = None
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            # isolation_level=None: no implicit transactions; each write opens its own.
            conn = sqlite3.connect(
                self.path, timeout=self._busy_timeout, isolation_level=None, check_same_thread=False
            )
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=FULL")
            salt = _create_schema(conn)
        except (sqlite3.Error, OSError) as exc:
            if conn is not None:
                conn.close()
            # From the end of this attempt: a lock wait (busy_timeout) is not the back-off.
            self._next_attempt = time.monotonic() + self._delay
            self._delay = min(self._delay * 2, self._retry_max)
            self._failed(exc, "cannot open")
            raise StoreUnavailable(f"cannot open the database {self.path}: {exc}") from exc
        if self.last_error is not None:
            log.warning("database %s is available again", self.path)
        self._conn, self._salt = conn, bytes.fromhex(salt)
        self._delay = self._retry_min
        self.last_error = None
        return conn

    def _failed(self, exc: BaseException, doing: str) -> None:
        reason = f"{exc.__class__.__name__}: {exc}"
        if reason != self.last_error:  # one log line per distinct failure, not per call
            log.warning("database %s: %s (%s); will retry", self.path, doing, reason)
        self.last_error = reason

    def _broken(self, exc: BaseException) -> None:
        """After a failure that may have broken the connection: drop it, reopen later."""
        if _is_transient(exc) or self._conn is None:
            return
        try:
            self._conn.close()
        except sqlite3.Error:
            pass
        self._conn = None
        self._next_attempt = time.monotonic() + self._delay
        self._failed(exc, "connection lost")

    def close(self) -> None:
        with self._lock:
            self._closed = True
            if self._conn is not None:
                self._conn.close()
                self._conn = None

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        """One short write transaction, committed (durably) or rolled back.

        A failure is counted in :attr:`unrecorded` and re-raised.
        """
        with self._lock:
            try:
                conn = self._connect()
                # IMMEDIATE takes the write lock now, so the commit cannot hit a conflict.
                conn.execute("BEGIN IMMEDIATE")
                try:
                    yield conn
                    conn.execute("COMMIT")
                except BaseException:
                    if conn.in_transaction:
                        conn.execute("ROLLBACK")
                    raise
                if self.last_error is not None:
                    log.warning("database %s: writing again", self.path)
                    self.last_error = None
            except Exception as exc:
                self.unrecorded += 1
                if isinstance(exc, sqlite3.Error):
                    if _is_transient(exc) and not isinstance(exc, StoreUnavailable):
                        self._failed(exc, "a write failed")
                    self._broken(exc)
                raise

    def _read(self, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        with self._lock:
            conn = self._connect()
            try:
                return conn.execute(sql, params).fetchall()
            except sqlite3.Error as exc:
                self._broken(exc)
                raise

    def voter(self, user_id: int) -> str:
        """The salted hash that stands for a user in ``feedback``."""
        return hmac.new(self._salt, str(user_id).encode(), hashlib.sha256).hexdigest()

    # -- writes -----------------------------------------------------------------------------

    def record_question(
        self,
        text: str,
        *,
        answered: bool,
        score: float,
        entry_id: str | None,
        kind: str,
        origin: str,
        message_id: int | None = None,
        at: float | None = None,
    ) -> int:
        """Record one question the bot answered or abstained on; returns its row id."""
        if origin not in ORIGINS:
            raise ValueError(f"unknown origin {origin!r}")
        with self._transaction() as conn:
            cursor = conn.execute(
                "INSERT INTO questions (at, text, answered, score, entry_id, kind, origin, message_id)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    time.time() if at is None else at,
                    text,
                    int(answered),
                    float(score),
                    entry_id,
                    kind,
                    origin,
                    message_id,
                ),
            )
            return int(cursor.lastrowid or 0)

    def record_feedback(
        self,
        message_id: int,
        entry_id: str,
        vote: int,
        user_id: int,
        *,
        at: float | None = None,
        reason: str | None = None,
    ) -> str:
        """One user's vote on one answer message: "new", "changed" or "same".

        ``reason`` (a 👎's "what was wrong?") is kept in the ``reason`` column; a vote
        without one keeps the reason already given for the same vote, a changed vote
        drops it.
        """
        if vote not in (-1, 1):
            raise ValueError("vote must be 1 or -1")
        with self._transaction() as conn:
            voter = self.voter(user_id)  # inside: the salt is read when the database opens
            row = conn.execute(
                "SELECT vote FROM feedback WHERE message_id = ? AND voter = ?", (message_id, voter)
            ).fetchone()
            if row is not None and row[0] == vote:
                if reason is not None:
                    conn.execute(
                        "UPDATE feedback SET reason = ? WHERE message_id = ? AND voter = ?",
                        (reason, message_id, voter),
                    )
                return "same"
            conn.execute(
                "INSERT INTO feedback (message_id, voter, entry_id, vote, at, reason) VALUES (?, ?, ?, ?, ?, ?)"
                " ON CONFLICT (message_id, voter) DO UPDATE SET vote = excluded.vote, at = excluded.at,"
                " reason = excluded.reason",
                (message_id, voter, entry_id, vote, time.time() if at is None else at, reason),
            )
            return "new" if row is None else "changed"

    def record_audit(
        self,
        action: str,
        detail: str,
        *,
        moderator_id: int | None = None,
        moderator: str | None = None,
        at: float | None = None,
    ) -> int:
        """Record a knowledge change or a reload failure; returns its row id."""
        if action not in AUDIT_ACTIONS:
            raise ValueError(f"unknown audit action {action!r}")
        with self._transaction() as conn:
            cursor = conn.execute(
                "INSERT INTO audit (at, action, moderator_id, moderator, detail) VALUES (?, ?, ?, ?, ?)",
                (time.time() if at is None else at, action, moderator_id, moderator, detail),
            )
            return int(cursor.lastrowid or 0)

    # -- reads ------------------------------------------------------------------------------

    def usage(self, since: float) -> Usage:
        """Questions and votes since ``since`` (a Unix time)."""
        ((answered, abstained),) = self._read(
            "SELECT COALESCE(SUM(answered), 0), COALESCE(SUM(1 - answered), 0) FROM questions WHERE at >= ?",
            (since,),
        )
        ((up, down),) = self._read(
            "SELECT COALESCE(SUM(vote = 1), 0), COALESCE(SUM(vote = -1), 0) FROM feedback WHERE at >= ?",
            (since,),
        )
        return Usage(int(answered), int(abstained), int(up), int(down))

    def missed_questions(self, since: float) -> list[MissedQuestion]:
        """Each question text abstained on or voted down since ``since``, most asked first.

        Counted by askings: a question asked once is asked once however many 👎 it got.
        The 👎's reasons ("what was wrong?") come with it.
        """
        rows = self._read(
            "SELECT q.text, COUNT(*), SUM(q.answered = 0), SUM(COALESCE(f.downs, 0)),"
            " MAX(MAX(q.at), COALESCE(MAX(f.last), 0)), GROUP_CONCAT(f.reasons, char(31)),"
            " GROUP_CONCAT(DISTINCT f.entries)"
            " FROM questions q LEFT JOIN (SELECT message_id, COUNT(*) AS downs, MAX(at) AS last,"
            "   GROUP_CONCAT(NULLIF(TRIM(reason), ''), char(31)) AS reasons,"
            "   GROUP_CONCAT(DISTINCT entry_id) AS entries"
            "   FROM feedback WHERE vote = -1 AND at >= ? GROUP BY message_id) f"
            "   ON f.message_id = q.message_id"
            " WHERE (q.answered = 0 AND q.at >= ?) OR f.downs IS NOT NULL"
            " GROUP BY q.text",
            (since, since),
        )
        missed = [
            MissedQuestion(
                text,
                int(abstained),
                int(down),
                float(last),
                int(asked),
                tuple(reasons.split("\x1f")) if reasons else (),
                tuple(sorted(set(entries.split(",")))) if entries else (),
            )
            for text, asked, abstained, down, last, reasons, entries in rows
        ]
        return sorted(missed, key=lambda m: (-m.count, -m.last, m.text))

    def prune(self, before: float) -> int:
        """Delete questions and votes older than ``before`` (the audit log is kept);
        returns how many rows went."""
        with self._transaction() as conn:
            gone = conn.execute("DELETE FROM questions WHERE at < ?", (before,)).rowcount
            gone += conn.execute("DELETE FROM feedback WHERE at < ?", (before,)).rowcount
        return gone

    def audit_log(self, limit: int = 20) -> list[AuditEntry]:
        """The newest audit entries, newest first."""
        rows = self._read(
            "SELECT id, at, action, moderator_id, moderator, detail FROM audit ORDER BY id DESC LIMIT ?",
            (limit,),
        )
        return [AuditEntry(*row) for row in rows]

    # -- moderation: per-server settings and dismissed questions ---------------------------
    # (the tables of _MODERATION_SCHEMA; used by bot/guild_settings.py and /kb)

    def guild_settings(self) -> dict[int, dict[str, Any]]:
        """Every server's settings set with ``/kb config``: guild id -> {name: value}."""
        out: dict[int, dict[str, Any]] = {}
        for guild_id, key, value in self._read("SELECT guild_id, key, value FROM guild_settings"):
            out.setdefault(int(guild_id), {})[key] = json.loads(value)
        return out

    def set_guild_setting(
        self, guild_id: int, key: str, value: Any, *, moderator_id: int | None = None
    ) -> None:
        """Set one server's setting (a JSON value), replacing what was set before."""
        with self._transaction() as conn:
            conn.execute(
                "INSERT INTO guild_settings (guild_id, key, value, at, moderator_id) VALUES (?, ?, ?, ?, ?)"
                " ON CONFLICT (guild_id, key) DO UPDATE SET value = excluded.value, at = excluded.at,"
                " moderator_id = excluded.moderator_id",
                (guild_id, key, json.dumps(value), time.time(), moderator_id),
            )

    def reset_guild_settings(self, guild_id: int, key: str | None = None) -> int:
        """Forget one setting (``key``) or all of one server's; returns how many went."""
        with self._transaction() as conn:
            if key is None:
                return conn.execute("DELETE FROM guild_settings WHERE guild_id = ?", (guild_id,)).rowcount
            return conn.execute(
                "DELETE FROM guild_settings WHERE guild_id = ? AND key = ?", (guild_id, key)
            ).rowcount

    def dismiss_questions(self, norms: dict[str, str], *, moderator_id: int | None = None) -> None:
        """Hide questions from the missed list for good: normalized text -> wording."""
        with self._transaction() as conn:
            for norm, text in norms.items():
                conn.execute(
                    "INSERT OR IGNORE INTO dismissed (norm, text, at, moderator_id) VALUES (?, ?, ?, ?)",
                    (norm, text, time.time(), moderator_id),
                )

    def dismissed(self) -> set[str]:
        """The normalized texts of the dismissed questions."""
        return {norm for (norm,) in self._read("SELECT norm FROM dismissed")}


def _add_missing_columns(conn: sqlite3.Connection) -> None:
    """Columns added after a table was first created (``CREATE TABLE IF NOT EXISTS`` keeps
    an older table as it was): ``feedback.reason``."""
    columns = {row[1] for row in conn.execute("PRAGMA table_info(feedback)")}
    if "reason" not in columns:
        conn.execute("ALTER TABLE feedback ADD COLUMN reason TEXT")


def store_path(config: Config) -> Path:
    """Where the database is: ``$FOC_BOT_DB``, else ``storage.path`` of the config."""
    override = os.environ.get(DB_ENV)
    return Path(override).resolve() if override else config.storage_path


def open_store(config: Config) -> Store:
    """Open (creating if needed) the database of ``config``; never raises (see :class:`Store`)."""
    return Store(store_path(config))
