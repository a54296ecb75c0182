"""Timestamped backups of the knowledge files the bot replaces (``knowledge/backups/``).

Before an import or a learned addition replaces ``qa.yaml`` or ``learned.yaml``, the
version it replaces is saved here as ``<UTC time>-<file>.yaml``; the names sort in time
order, so the newest backup is the previous version of the knowledge. A rollback
restores that one and saves the version it undoes as ``<UTC time>-<file>.undone.yaml``,
which a later rollback never restores but a person can: nothing is ever lost.

A file that did not exist yet is backed up as an empty file, and restoring that removes
the file again.

The folder is kept bounded by :meth:`Backups.prune` (after every save): the newest
``keep`` backups stay, and so does every backup younger than ``days`` days; older ones
go. A rollback can therefore go back at most that far.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from .yamlio import atomic_write

# Which knowledge files are backed up, by label.
LABELS = ("qa", "learned")
_STAMP = "%Y%m%dT%H%M%S%fZ"
_NAME = re.compile(r"^(?P<stamp>\d{8}T\d{12}Z)-(?P<label>[a-z]+)(?P<undone>\.undone)?\.yaml$")


@dataclass(frozen=True, slots=True)
class Backup:
    """One saved version: which file it is a version of, and when it was replaced."""

    path: Path
    label: str
    at: datetime
    undone: bool = False

    @property
    def absent(self) -> bool:
        """True when the file did not exist in this version."""
        return self.path.stat().st_size == 0

    def read(self) -> bytes | None:
        """The version's content; None when the file did not exist."""
        data = self.path.read_bytes()
        return data or None


class Backups:
    """The backups directory."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def save(self, label: str, data: bytes | None, *, undone: bool = False) -> Backup:
        """Save a replaced version (``None``: the file did not exist); returns the backup."""
        if label not in LABELS:
            raise ValueError(f"unknown knowledge file label {label!r}")
        now = datetime.now(UTC)
        suffix = ".undone.yaml" if undone else ".yaml"
        path = self.directory / f"{now.strftime(_STAMP)}-{label}{suffix}"
        while path.exists():  # two saves in the same microsecond: keep both
            now = now.replace(microsecond=(now.microsecond + 1) % 1_000_000)
            path = self.directory / f"{now.strftime(_STAMP)}-{label}{suffix}"
        atomic_write(path, data or b"")
        return Backup(path, label, now, undone)

    def all(self) -> list[Backup]:
        """Every backup, oldest first."""
        if not self.directory.is_dir():
            return []
        found = []
        for path in self.directory.iterdir():
            match = _NAME.match(path.name)
            if match is None or match["label"] not in LABELS or not path.is_file():
                continue
            at = datetime.strptime(match["stamp"], _STAMP).replace(tzinfo=UTC)
            found.append(Backup(path, match["label"], at, bool(match["undone"])))
        return sorted(found, key=lambda b: (b.at, b.path.name))

    def newest(self) -> Backup | None:
        """The newest restorable backup (not one saved by a rollback), or None."""
        restorable = [b for b in self.all() if not b.undone]
        return restorable[-1] if restorable else None

    def prune(self, keep: int, days: float, *, now: datetime | None = None) -> list[Path]:
        """Delete the backups beyond the newest ``keep`` that are older than ``days``;
        returns the deleted paths. A backup that cannot be deleted is left."""
        now = now or datetime.now(UTC)
        cutoff = now - timedelta(days=days)
        backups = self.all()
        old = backups[: max(len(backups) - keep, 0)]
        removed = []
        for backup in old:
            if backup.at >= cutoff:
                continue
            try:
                backup.path.unlink()
            except OSError:
                continue
            removed.append(backup.path)
        return removed
