"""Changing the knowledge on disk safely: import, rollback, learned alternates, one entry.

Shared by ``/kb`` in Discord and ``python -m bot kb`` on the command line. Every change
is planned first: the new content is validated together with the rest of the knowledge
(exactly as a reload would load it) and compared with the current version, so a
moderator sees what changes before confirming, and a broken file changes nothing.
Applying a plan backs up the version it replaces (:mod:`bot.knowledge.backups`) and writes
atomically; the caller then reloads the engine (the running bot's watcher also notices).

Changes are serialized, within a process and between the bot and the command line, by
a lock file in the backups directory. An import refuses to overwrite a ``qa.yaml`` that
was edited after its preview. An import is compared with the file on disk, not with the
knowledge being served: after a broken edit on disk, importing the good version repairs
the file rather than finding "nothing to do".

Whatever goes wrong on disk (a directory in place of a file, no permission, a full
disk) is a :class:`DiskError` (a :class:`KnowledgeError`) naming the file and what to
do, never an OSError; the front ends report those to the moderators and the audit log.
After each backup, old backups are pruned (``knowledge.backups_keep`` and
``knowledge.backups_days``).
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from . import editing
from .backups import Backup, Backups
from .diff import KnowledgeDiff, diff_entries
from .editing import EntryForm
from .learned import grouped, parse_learned, render_learned, with_alternate
from .loader import load_knowledge
from .model import Knowledge
from .paths import KnowledgePaths
from .problems import KnowledgeError, Problem
from .yamlio import atomic_write, os_problem

try:
    import fcntl
except ImportError:  # Windows: only the in-process lock
    fcntl = None  # type: ignore[assignment]

UPLOAD_NAME = "uploaded qa.yaml"


class _KnowledgeSection(Protocol):
    max_import_bytes: int
    backups_keep: int
    backups_days: float


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


class DiskError(KnowledgeError):
    """The files could not be read or written (permissions, a directory in place of a
    file, a full disk): a fault of the machine, not of the content, for whoever runs it."""


def _disk_error(exc: OSError, file: str, doing: str = "read") -> DiskError:
    return DiskError([os_problem(exc, file, doing)])


@contextmanager
def changing(config: Config) -> Iterator[None]:
    """Hold the knowledge-change lock (this process and others) for one change."""
    with _process_lock:
        if fcntl is None:
            yield
            return
        try:
            config.backups_dir.mkdir(parents=True, exist_ok=True)
            handle = open(config.backups_dir / ".lock", "a+b")  # noqa: SIM115 (closed below)
        except OSError as exc:
            raise _disk_error(exc, _show(config, config.backups_dir), "write") from None
        with handle:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def _show(config: Config, path: Path) -> str:
    return config.knowledge_paths().show(path)


def _read(path: Path, display: str | None = None) -> bytes | None:
    """The file's bytes, None if it does not exist; a KnowledgeError if it cannot be read."""
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise _disk_error(exc, display or str(path)) from None


def _backup(config: Config, label: str, data: bytes | None, *, undone: bool = False) -> Backup:
    """Save the version being replaced, then prune old backups."""
    backups = Backups(config.backups_dir)
    try:
        backup = backups.save(label, data, undone=undone)
    except OSError as exc:
        raise _disk_error(exc, _show(config, config.backups_dir), "back up into") from None
    backups.prune(config.knowledge.backups_keep, config.knowledge.backups_days)
    return backup


def _write(config: Config, path: Path, data: bytes) -> None:
    try:
        atomic_write(path, data)
    except OSError as exc:
        raise _disk_error(exc, _show(config, path), "write") from None


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
    """A validated new qa.yaml and what it changes; ``base`` is the digest it replaces.

    ``repairs`` is True when the knowledge on disk does not validate now (a broken
    edit): the import then fixes the disk even if it serves what is served already.
    """

    data: bytes
    diff: KnowledgeDiff
    base: str
    entries: int
    repairs: bool = False
    same_bytes: bool = False

    @property
    def unchanged(self) -> bool:
        """Nothing to do: the file on disk already is this content (or means the same)."""
        return self.same_bytes or (self.diff.empty and not self.repairs)


def plan_import(
    config: Config, data: bytes, *, current: Knowledge | None = None, display: str = UPLOAD_NAME
) -> ImportPlan:
    """Validate ``data`` as the new qa.yaml; raise KnowledgeError with its problems.

    It is compared with the knowledge on disk. Only when that does not validate is the
    diff shown against ``current`` (the knowledge serving), and the plan ``repairs``.
    """
    limit = config.knowledge.max_import_bytes
    if len(data) > limit:
        raise KnowledgeError([Problem(display, f"file is {len(data)} bytes; the limit is {limit}")])
    on_disk = _read(config.qa_path, _show(config, config.qa_path))
    new = load_knowledge(config.knowledge_paths(), qa_data=data, qa_display=display)
    disk = current_knowledge(config)
    old = disk if disk is not None else current
    return ImportPlan(
        data,
        _diff(old, new),
        _digest(on_disk),
        len(new.entries),
        repairs=disk is None,
        same_bytes=on_disk == data,
    )


def apply_import(config: Config, plan: ImportPlan) -> Backup:
    """Back up qa.yaml and write the plan's content; returns the backup.

    Raises KnowledgeError, writing nothing, if qa.yaml changed since the plan was made
    or the plan no longer validates with the rest of the knowledge.
    """
    with changing(config):
        old = _read(config.qa_path, _show(config, config.qa_path))
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
        backup = _backup(config, "qa", old)
        _write(config, config.qa_path, plan.data)
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
    try:
        data = backup.read()
    except OSError as exc:
        raise _disk_error(exc, _show(config, backup.path)) from None
    restored = _load_with(config, backup.label, data)
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
        try:
            data = plan.backup.read()
        except OSError as exc:
            raise _disk_error(exc, _show(config, plan.backup.path)) from None
        _load_with(config, plan.backup.label, data)
        target = _target(config, plan.backup.label)
        undone = _backup(config, plan.backup.label, _read(target, _show(config, target)), undone=True)
        if data is None:
            try:
                target.unlink(missing_ok=True)
            except OSError as exc:
                raise _disk_error(exc, _show(config, target), "remove") from None
        else:
            _write(config, target, data)
        # Restored, so it is the current version now and no longer a backup; the next
        # rollback goes one version further back.
        plan.backup.path.unlink(missing_ok=True)
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
        display = _show(config, config.learned_path)
        old = _read(config.learned_path, display)
        current = grouped(parse_learned(old, display)) if old is not None else {}
        updated = with_alternate(current, entry_id, question)
        if updated == current:
            return LearnResult(added=False)
        text = render_learned(updated).encode("utf-8")
        load_knowledge(config.knowledge_paths(), learned_data=text)
        backup = _backup(config, "learned", old)
        _write(config, config.learned_path, text)
        return LearnResult(added=True, backup=backup)


# -- one entry added or edited (/kb add, /kb edit) -----------------------------------------


def plan_add(config: Config, form: EntryForm, *, current: Knowledge | None = None) -> ImportPlan:
    """qa.yaml with a new entry made of ``form``, planned like an import (validated, diffed).

    The id is made from the question. Raises KnowledgeError with the problems the file
    would have.
    """
    display = _show(config, config.qa_path)
    text = (_read(config.qa_path) or b"").decode("utf-8")
    taken = {e.id for e in (current.entries if current is not None else ())}
    taken |= {str(e.get("id")) for e in editing.raw_entries(text, display)}
    fields = editing.entry_fields(form, editing.slug(form.question, taken))
    updated = editing.with_entry(text, fields, display)
    return plan_import(config, updated.encode("utf-8"), current=current, display=display)


def plan_edit(
    config: Config, entry_id: str, form: EntryForm, *, current: Knowledge | None = None
) -> ImportPlan:
    """qa.yaml with entry ``entry_id`` rewritten from ``form`` (its other fields kept)."""
    display = _show(config, config.qa_path)
    text = (_read(config.qa_path) or b"").decode("utf-8")
    base = editing.raw_entry(text, entry_id, display)
    updated = editing.with_entry(text, editing.entry_fields(form, entry_id, base), display, replace=entry_id)
    return plan_import(config, updated.encode("utf-8"), current=current, display=display)


def entry_form(config: Config, entry_id: str) -> EntryForm:
    """The form of entry ``entry_id`` as qa.yaml writes it (learned alternates not included)."""
    display = _show(config, config.qa_path)
    raw = editing.raw_entry((_read(config.qa_path) or b"").decode("utf-8"), entry_id, display)
    source = raw.get("source") or {}
    paragraph = source.get("paragraph", "")
    document = source.get("document")
    return EntryForm(
        question=str(raw.get("question") or ""),
        alternates=tuple(str(a) for a in raw.get("alternates") or ()),
        answer=str(raw.get("answer") or ""),
        paragraph=f"{document} {paragraph}" if document and document != "announcement" else str(paragraph),
        quote=str(source.get("quote") or ""),
    )
