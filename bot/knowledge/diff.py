"""What would change between two versions of the curated entries: added, changed, removed.

Pure functions over :class:`~bot.knowledge.model.Entry` tuples, used to show a moderator what
an import or a rollback does before it is confirmed. Entries are matched by id; where
an entry sits in its file (``file``, ``line``) is not a change.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields

from .model import Entry

# Every field of an entry's content (not its id or where it sits), in declaration order.
_FIELDS = tuple(f.name for f in fields(Entry) if f.name not in ("id", "file", "line"))


@dataclass(frozen=True, slots=True)
class EntryChange:
    """One entry present in both versions whose content differs."""

    id: str
    fields: tuple[str, ...]
    alternates_added: tuple[str, ...] = ()
    alternates_removed: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class KnowledgeDiff:
    """Entry ids added and removed, entries changed, and whether synonyms changed."""

    added: tuple[str, ...] = ()
    changed: tuple[EntryChange, ...] = ()
    removed: tuple[str, ...] = ()
    synonyms_changed: bool = False

    @property
    def empty(self) -> bool:
        return not (self.added or self.changed or self.removed or self.synonyms_changed)


def _change(old: Entry, new: Entry) -> EntryChange | None:
    changed = tuple(name for name in _FIELDS if getattr(old, name) != getattr(new, name))
    if not changed:
        return None
    # Alternates in every language.
    old_alts, new_alts = (*old.alternates, *old.alternates_ko), (*new.alternates, *new.alternates_ko)
    before, after = set(old_alts), set(new_alts)
    return EntryChange(
        id=new.id,
        fields=changed,
        alternates_added=tuple(a for a in new_alts if a not in before),
        alternates_removed=tuple(a for a in old_alts if a not in after),
    )


def diff_entries(
    old: Sequence[Entry],
    new: Sequence[Entry],
    old_synonyms: Mapping[str, Sequence[str]] | None = None,
    new_synonyms: Mapping[str, Sequence[str]] | None = None,
) -> KnowledgeDiff:
    """The difference from ``old`` to ``new``; ids keep the order of their version."""
    old_by_id = {entry.id: entry for entry in old}
    new_by_id = {entry.id: entry for entry in new}
    changes = []
    for entry in new:
        before = old_by_id.get(entry.id)
        if before is not None:
            change = _change(before, entry)
            if change is not None:
                changes.append(change)
    synonyms_changed = (
        old_synonyms is not None
        and new_synonyms is not None
        and {k: tuple(v) for k, v in old_synonyms.items()} != {k: tuple(v) for k, v in new_synonyms.items()}
    )
    return KnowledgeDiff(
        added=tuple(entry.id for entry in new if entry.id not in old_by_id),
        changed=tuple(changes),
        removed=tuple(entry.id for entry in old if entry.id not in new_by_id),
        synonyms_changed=synonyms_changed,
    )


def summary(diff: KnowledgeDiff) -> str:
    """One line: '2 added, 1 changed, 0 removed' (and synonyms when they changed)."""
    if diff.empty:
        return "no change"
    text = f"{len(diff.added)} added, {len(diff.changed)} changed, {len(diff.removed)} removed"
    return text + (", synonyms changed" if diff.synonyms_changed else "")


def describe(diff: KnowledgeDiff, limit: int = 20) -> list[str]:
    """Readable lines, at most ``limit`` per kind of change (then '... and N more')."""
    lines: list[str] = []

    def section(title: str, items: Sequence[str]) -> None:
        if not items:
            return
        lines.append(f"{title} ({len(items)}):")
        lines.extend(f"  {item}" for item in items[:limit])
        if len(items) > limit:
            lines.append(f"  ... and {len(items) - limit} more")

    section("added", diff.added)
    section("changed", [_describe_change(c) for c in diff.changed])
    section("removed", diff.removed)
    if diff.synonyms_changed:
        lines.append("synonyms changed")
    return lines or ["no change"]


def _describe_change(change: EntryChange) -> str:
    parts = [f"{change.id}: {', '.join(change.fields)}"]
    if change.alternates_added:
        parts.append(f"+{len(change.alternates_added)} alternate(s)")
    if change.alternates_removed:
        parts.append(f"-{len(change.alternates_removed)} alternate(s)")
    return " ".join(parts)
