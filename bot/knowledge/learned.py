"""Alternates learned from moderators: ``knowledge/learned.yaml``.

When a moderator attaches a question the bot could not answer to an existing entry
(``/kb unanswered`` in Discord), the bot writes it here rather than into ``qa.yaml``, so
it never rewrites a file people edit. The format is one mapping::

    alternates:
      entry-id:
        - a question people asked

The loader merges these alternates into their entries after validating them like any
other phrasing: the entry must exist, the text must be a question of reasonable length,
and it must not be a phrasing of another entry (the matcher could not tell them apart).
Every problem names this file, the line and the entry.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import yaml

from ..lang.korean import language
from ..lang.text import normalize
from .model import Entry
from .problems import KnowledgeError, Problem
from .qa import MAX_PHRASING_CHARS
from .yamlio import LineDict, parse_yaml

HEADER = """\
# knowledge/learned.yaml -- alternates moderators attached in Discord (/kb unanswered).
# WRITTEN BY THE BOT: it adds to this file and never touches qa.yaml. You may delete
# lines (or the whole file) to forget what it learned; `python -m bot check` validates it.
# Format: alternates: {entry_id: [question, ...]}; each question becomes an extra
# alternate of that entry of qa.yaml, and must not be a phrasing of another entry.
"""


@dataclass(frozen=True, slots=True)
class LearnedAlternate:
    """One learned question and the entry it belongs to."""

    entry_id: str
    text: str
    line: int | None = None


def _item_lines(text: str) -> dict[tuple[str, int], int]:
    """(entry id, index) -> line of each list item; the text already parsed safely."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return {}
    lines: dict[tuple[str, int], int] = {}
    if not isinstance(root, yaml.MappingNode):
        return lines
    for key, value in root.value:
        if key.value != "alternates" or not isinstance(value, yaml.MappingNode):
            continue
        for entry_key, items in value.value:
            if isinstance(items, yaml.SequenceNode):
                for index, item in enumerate(items.value):
                    lines[(str(entry_key.value), index)] = item.start_mark.line + 1
    return lines


def parse_learned(data: bytes | str, file: str) -> tuple[LearnedAlternate, ...]:
    """Validate the file's shape; raise KnowledgeError with every problem found."""
    raw = parse_yaml(data, file)
    if raw is None:
        return ()
    if not isinstance(raw, dict):
        raise KnowledgeError([Problem(file, "the file must be a mapping with 'alternates:'", 1)])
    problems: list[Problem] = []
    for key in raw:
        if key != "alternates":
            line = raw.line_of(str(key)) if isinstance(raw, LineDict) else None
            problems.append(Problem(file, f"unknown top-level field {key!r} (allowed: alternates)", line))
    alternates = raw.get("alternates")
    if alternates is None:
        alternates = {}
    if not isinstance(alternates, dict):
        line = raw.line_of("alternates") if isinstance(raw, LineDict) else None
        problems.append(Problem(file, "'alternates' must be a mapping: entry id -> [questions]", line))
        alternates = {}
    text = data.decode("utf-8", errors="replace") if isinstance(data, bytes) else data
    item_lines = _item_lines(text.removeprefix("\ufeff"))
    out: list[LearnedAlternate] = []
    for entry_id, questions in alternates.items():
        key_line = alternates.line_of(str(entry_id)) if isinstance(alternates, LineDict) else None
        if not isinstance(entry_id, str):
            problems.append(Problem(file, f"entry id {entry_id!r} must be text", key_line))
            continue
        if not isinstance(questions, list):
            problems.append(Problem(file, "must be a list of questions", key_line, entry_id))
            continue
        for index, question in enumerate(questions):
            line = item_lines.get((entry_id, index), key_line)
            if not isinstance(question, str) or not normalize(question):
                problems.append(
                    Problem(file, f"question {question!r} must be non-empty text", line, entry_id)
                )
            elif len(question) > MAX_PHRASING_CHARS:
                problems.append(
                    Problem(file, f"question is longer than {MAX_PHRASING_CHARS} characters", line, entry_id)
                )
            else:
                out.append(LearnedAlternate(entry_id, question.strip(), line))
    if problems:
        raise KnowledgeError(problems)
    return tuple(out)


def load_learned(path: Path, display: str) -> tuple[LearnedAlternate, ...]:
    """Read and validate the learned file; a missing file means nothing learned."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return ()
    except OSError as exc:
        raise KnowledgeError([Problem(display, f"cannot read: {exc.strerror}")]) from None
    return parse_learned(data, display)


def merge_learned(
    entries: Sequence[Entry], learned: Iterable[LearnedAlternate], file: str
) -> tuple[tuple[Entry, ...], list[Problem]]:
    """Entries with their learned alternates added, and the problems that prevent it.

    A learned question that is already a phrasing of its own entry is skipped quietly
    (nothing to add); one that belongs to another entry, or names an unknown entry, is
    a problem.
    """
    by_id = {entry.id: entry for entry in entries}
    owner: dict[str, Entry] = {}
    for entry in entries:
        for phrasing in entry.phrasings:
            owner.setdefault(normalize(phrasing), entry)
    added: dict[str, tuple[list[str], list[str]]] = {}  # entry id -> (English, Korean)
    learned_owner: dict[str, tuple[str, int | None]] = {}
    problems: list[Problem] = []
    for item in learned:
        entry = by_id.get(item.entry_id)
        if entry is None:
            problems.append(Problem(file, f"unknown entry id {item.entry_id!r}", item.line, item.entry_id))
            continue
        norm = normalize(item.text)
        other = owner.get(norm)
        if other is not None and other.id != entry.id:
            problems.append(
                Problem(
                    file,
                    f"question {item.text!r} is also a phrasing of entry {other.id!r} ({other.file}:{other.line})",
                    item.line,
                    item.entry_id,
                )
            )
            continue
        earlier = learned_owner.get(norm)
        if earlier is not None and earlier[0] != entry.id:
            problems.append(
                Problem(
                    file,
                    f"question {item.text!r} is also learned for entry {earlier[0]!r} (line {earlier[1]})",
                    item.line,
                    item.entry_id,
                )
            )
            continue
        if other is not None or earlier is not None:
            continue  # already a phrasing of this entry
        learned_owner[norm] = (entry.id, item.line)
        english, korean = added.setdefault(entry.id, ([], []))
        (korean if language(item.text) == "ko" else english).append(item.text)
    merged = tuple(
        _with_learned(entry, *added[entry.id]) if entry.id in added else entry for entry in entries
    )
    return merged, problems


def _with_learned(entry: Entry, english: list[str], korean: list[str]) -> Entry:
    return dataclasses.replace(
        entry,
        alternates=(*entry.alternates, *english),
        alternates_ko=(*entry.alternates_ko, *korean),
    )


def grouped(learned: Iterable[LearnedAlternate]) -> dict[str, list[str]]:
    """entry id -> questions, in file order (the shape the file is written in)."""
    out: dict[str, list[str]] = {}
    for item in learned:
        out.setdefault(item.entry_id, []).append(item.text)
    return out


def with_alternate(
    current: Mapping[str, Sequence[str]], entry_id: str, question: str
) -> dict[str, list[str]]:
    """A copy of ``current`` with ``question`` added to ``entry_id`` (once)."""
    out = {key: list(values) for key, values in current.items()}
    values = out.setdefault(entry_id, [])
    text = " ".join(question.split())
    if normalize(text) not in {normalize(v) for v in values}:
        values.append(text)
    return out


def render_learned(alternates: Mapping[str, Sequence[str]]) -> str:
    """The file's text: the header, then the alternates in block style (one per line)."""
    body = yaml.safe_dump(
        {"alternates": {key: list(values) for key, values in alternates.items() if values}},
        allow_unicode=True,
        sort_keys=False,
        default_flow_style=False,
        width=10_000,
    )
    return HEADER + "\n" + body
