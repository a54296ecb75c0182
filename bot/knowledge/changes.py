"""Changing the knowledge on disk safely: import, rollback, learned alternates.

Shared by ``/kb`` in Discord and ``python -m bot kb`` on the command line. Every change
is planned first: the new content is validated together with the rest of the knowledge
(exactly as a reload would load it) and compared with the current version, so a
moderator sees what changes before confirming, and a broken file changes nothing.
Applying a plan backs up the version it replaces (:mod:`bot.knowledge.backups`) and writes
atomically; the caller then reloads the engine (the running bot's watcher also notices).

Changes are serialized, within a process and between the bot and the command line, by
a lock file in the backups directory. An import refuses to overwrite a ``qa.yaml`` that
was edited after its preview.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from .backups import Backup, Backups
from .diff import KnowledgeDiff, diff_entries
from .learned import grouped, parse_learned, render_learned, with_alternate
from .loader import load_knowledge
from .model import Knowledge
from .paths import KnowledgePaths
from .problems import KnowledgeError, Problem
from .yamlio import atomic_write

try:
    import fcntl
except ImportError:  # Windows: only the in-process lock
    fcntl = None  # type: ignore[assignment]

UPLOAD_NAME = "uploaded qa.yaml"


class _KnowledgeSection(Protocol):
    max_import_bytes: int


class Config(Protocol):
    """What a change needs of the configuration (``bot.config.Config`` has it)."""

    knowledge: _KnowledgeSection

    @property
    def qa_path(self) -> Path: ...
    @property
    def learned_path(self) -> Path: ...
    @property
    def backups_dir(self) -> Path: ...
    def knowledge_paths(self) -> KnowledgePaths: ...


_process_lock = threading.Lock()


@contextmanager
def changing(config: Config) -> Iterator[None]:
    """Hold the knowledge-change lock (this process and others) for one change."""
    with _process_lock:
        if fcntl is None:
            yield
            return
        config.backups_dir.mkdir(parents=True, exist_ok=True)
        with open(config.backups_dir / ".lock", "a+b") as handle:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def _show(config: Config, path: Path) -> str:
    return config.knowledge_paths().show(path)


def _read(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None


def _digest(data: bytes | None) -> str:
    return "absent" if data is None else hashlib.sha256(data).hexdigest()


def current_knowledge(config: Config) -> Knowledge | None:
    """The knowledge on disk, or None if it does not validate."""
    try:
        return load_knowledge(config.knowledge_paths())
    except KnowledgeError:
        return None


def _diff(old: Knowledge | None, new: Knowledge) -> KnowledgeDiff:
    if old is None:
        return diff_entries((), new.entries)
    return diff_entries(old.entries, new.entries, old.synonyms, new.synonyms)


# -- import --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ImportPlan:
    """A validated new qa.yaml and what it changes; ``base`` is the digest it replaces."""

    data: bytes
    diff: KnowledgeDiff
    base: str
    entries: int


def plan_import(
    config: Config, data: bytes, *, current: Knowledge | None = None, display: str = UPLOAD_NAME
) -> ImportPlan:
    """Validate ``data`` as the new qa.yaml; raise KnowledgeError with its problems.

    ``current`` is the knowledge to compare with (the one serving); by default the one
    on disk.
    """
    limit = config.knowledge.max_import_bytes
    if len(data) > limit:
        raise KnowledgeError([Problem(display, f"file is {len(data)} bytes; the limit is {limit}")])
    base = _digest(_read(config.qa_path))
    new = load_knowledge(config.knowledge_paths(), qa_data=data, qa_display=display)
    old = current if current is not None else current_knowledge(config)
    return ImportPlan(data, _diff(old, new), base, len(new.entries))


def apply_import(config: Config, plan: ImportPlan) -> Backup:
    """Back up qa.yaml and write the plan's content; returns the backup.

    Raises KnowledgeError, writing nothing, if qa.yaml changed since the plan was made
    or the plan no longer validates with the rest of the knowledge.
    """
    with changing(config):
        old = _read(config.qa_path)
        if _digest(old) != plan.base:
            raise KnowledgeError(
                [
                    Problem(
                        _show(config, config.qa_path),
                        "changed on disk since the preview; import again to see the changes",
                    )
                ]
            )
        load_knowledge(config.knowledge_paths(), qa_data=plan.data, qa_display=UPLOAD_NAME)
        backup = Backups(config.backups_dir).save("qa", old)
        atomic_write(config.qa_path, plan.data)
        return backup


# -- rollback ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RollbackPlan:
    """The backup a rollback restores, and what that changes."""

    backup: Backup
    diff: KnowledgeDiff


def _target(config: Config, label: str) -> Path:
    return config.qa_path if label == "qa" else config.learned_path


def _load_with(config: Config, label: str, data: bytes | None) -> Knowledge:
    paths = config.knowledge_paths()
    if label == "qa":
        if data is None:
            raise KnowledgeError([Problem(_show(config, config.qa_path), "the backup is of a missing file")])
        return load_knowledge(paths, qa_data=data, qa_display=_show(config, config.qa_path) + " (backup)")
    return load_knowledge(paths, learned_data=data or b"")


def plan_rollback(config: Config, *, current: Knowledge | None = None) -> RollbackPlan | None:
    """What restoring the newest backup would change; None when there is no backup.

    Raises KnowledgeError if the restored version would not validate with the rest of
    the knowledge as it is now.
    """
    backup = Backups(config.backups_dir).newest()
    if backup is None:
        return None
    restored = _load_with(config, backup.label, backup.read())
    old = current if current is not None else current_knowledge(config)
    return RollbackPlan(backup, _diff(old, restored))


def apply_rollback(config: Config, plan: RollbackPlan) -> Backup:
    """Restore the plan's backup atomically; returns where the undone version was saved."""
    with changing(config):
        newest = Backups(config.backups_dir).newest()
        if newest is None or newest.path != plan.backup.path:
            raise KnowledgeError(
                [
                    Problem(
                        _show(config, config.backups_dir), "the backups changed since the preview; try again"
                    )
                ]
            )
        data = plan.backup.read()
        _load_with(config, plan.backup.label, data)
        target = _target(config, plan.backup.label)
        undone = Backups(config.backups_dir).save(plan.backup.label, _read(target), undone=True)
        if data is None:
            target.unlink(missing_ok=True)
        else:
            atomic_write(target, data)
        # Restored, so it is the current version now and no longer a backup; the next
        # rollback goes one version further back.
        plan.backup.path.unlink()
        return undone


# -- learned alternates --------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LearnResult:
    """``added`` False when the question was already learned for that entry."""

    added: bool
    backup: Backup | None = None


def learn(config: Config, entry_id: str, question: str) -> LearnResult:
    """Add ``question`` as a learned alternate of ``entry_id`` in learned.yaml.

    Validates the new learned.yaml with the whole knowledge first (unknown entry, a
    phrasing of another entry, too long: KnowledgeError, nothing written), backs up the
    old version, writes atomically.
    """
    with changing(config):
        old = _read(config.learned_path)
        display = _show(config, config.learned_path)
        current = grouped(parse_learned(old, display)) if old is not None else {}
        updated = with_alternate(current, entry_id, question)
        if updated == current:
            return LearnResult(added=False)
        text = render_learned(updated).encode("utf-8")
        load_knowledge(config.knowledge_paths(), learned_data=text)
        backup = Backups(config.backups_dir).save("learned", old)
        atomic_write(config.learned_path, text)
        return LearnResult(added=True, backup=backup)
