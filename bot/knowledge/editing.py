"""One entry of qa.yaml added or rewritten in place, for ``/kb add`` and ``/kb edit``.

The file is edited as text, not re-dumped: the comments and layout people wrote stay
as they are, and only the edited entry's lines change (an added entry goes after the
last one). The new text is then planned like any import
(:func:`bot.knowledge.changes.plan_add`, :func:`~bot.knowledge.changes.plan_edit`):
validated with the whole knowledge exactly as the file would be loaded, and diffed.

An entry's fields that the form does not show (tags, the Korean texts, the source
document) are kept as they are.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import yaml

from .problems import KnowledgeError, Problem
from .yamlio import parse_yaml

# Field order of a written entry (others, unknown to the form, follow as they were).
_ORDER = (
    "id",
    "question",
    "alternates",
    "answer",
    "question_ko",
    "alternates_ko",
    "answer_ko",
    "source",
    "tags",
)
_MAX_ID = 60


@dataclass(frozen=True, slots=True)
class EntryForm:
    """What a moderator typed: the question, alternates (one per line), answer and source."""

    question: str
    alternates: tuple[str, ...]
    answer: str
    paragraph: str
    quote: str


def split_alternates(text: str) -> tuple[str, ...]:
    """Alternates typed one per line (blank lines and repeats dropped)."""
    seen: dict[str, None] = {}
    for line in text.splitlines():
        line = line.strip().lstrip("-•").strip()
        if line:
            seen.setdefault(line, None)
    return tuple(seen)


def parse_paragraph(text: str, default_document: str) -> tuple[str, int | str]:
    """'8', 'announcement 8' or 'announcement:8' -> (document, paragraph).

    Anything else is passed on as typed, so the file's own validation names it.
    """
    match = re.fullmatch(r"\s*(?:([A-Za-z0-9_.-]+)\s*[: ]\s*)?(\d{1,4})\s*", text)
    if match is None:
        return default_document, text.strip()
    return match[1] or default_document, int(match[2])


def slug(question: str, taken: Iterable[str]) -> str:
    """A new entry id from the question's words, unique among ``taken``."""
    words = re.findall(r"[a-z0-9]+", question.lower())
    base = "-".join(words)[:_MAX_ID].strip("-") or "entry"
    taken = set(taken)
    candidate, number = base, 2
    while candidate in taken:
        candidate, number = f"{base}-{number}", number + 1
    return candidate


def _plain(value: Any) -> Any:
    # LineDict and friends to plain types, for yaml.safe_dump.
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def render_entry(fields: dict[str, Any], indent: str = "  ") -> str:
    """One entry as a block-style YAML list item, indented for ``entries:``."""
    ordered = {k: fields[k] for k in _ORDER if k in fields}
    ordered.update({k: v for k, v in fields.items() if k not in ordered})
    text = yaml.safe_dump(
        [_plain(ordered)], allow_unicode=True, sort_keys=False, default_flow_style=False, width=10_000
    )
    return "".join(indent + line if line.strip() else line for line in text.splitlines(keepends=True))


def entry_fields(form: EntryForm, entry_id: str, base: dict[str, Any] | None = None) -> dict[str, Any]:
    """The entry's fields: ``base`` (the entry as written, when editing) updated by ``form``."""
    fields = dict(_plain(base or {}))
    source = dict(fields.get("source") or {})
    document, paragraph = parse_paragraph(form.paragraph, str(source.get("document") or "announcement"))
    fields.update(
        id=entry_id,
        question=form.question.strip(),
        alternates=list(form.alternates),
        answer=form.answer.strip(),
        source={"document": document, "paragraph": paragraph, "quote": form.quote.strip()},
    )
    return fields


def _entries(text: str, display: str) -> list[Any]:
    raw = parse_yaml(text, display)
    entries = raw.get("entries") if isinstance(raw, dict) else None
    if not isinstance(entries, list):
        raise KnowledgeError([Problem(display, "'entries' must be a list of entries")])
    return entries


def _block(lines: Sequence[str], start: int) -> tuple[int, int]:
    """The 0-based [start, end) lines of the list item starting at ``start``."""
    indent = len(lines[start]) - len(lines[start].lstrip())
    end = start + 1
    while end < len(lines):
        line = lines[end]
        stripped = line.strip()
        if stripped and len(line) - len(line.lstrip()) <= indent:
            break  # the next item, a comment heading it, or the next top-level key
        end += 1
    while end > start + 1 and not lines[end - 1].strip():
        end -= 1  # blank lines belong between entries
    return start, end


def raw_entries(text: str, display: str) -> list[dict[str, Any]]:
    """The entries of the file as written (the mappings only)."""
    return [item for item in _entries(text, display) if isinstance(item, dict)]


def raw_entry(text: str, entry_id: str, display: str) -> dict[str, Any]:
    """The entry ``entry_id`` as written in the file (every field, plain types)."""
    for item in _entries(text, display):
        if isinstance(item, dict) and item.get("id") == entry_id:
            return _plain(item)
    raise KnowledgeError([Problem(display, f"no entry {entry_id!r} in the file", None, entry_id)])


def with_entry(text: str, fields: dict[str, Any], display: str, *, replace: str | None = None) -> str:
    """The file's text with ``fields`` written as entry ``replace`` (or added after the last)."""
    entries = _entries(text, display)
    lines = text.splitlines(keepends=True)
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += "\n"
    block = render_entry(fields).splitlines(keepends=True)
    if replace is not None:
        found = [e for e in entries if isinstance(e, dict) and e.get("id") == replace]
        if not found or not getattr(found[0], "line", None):
            raise KnowledgeError([Problem(display, f"no entry {replace!r} in the file", None, replace)])
        start, end = _block(lines, found[0].line - 1)
        return "".join(lines[:start] + block + lines[end:])
    items = [e for e in entries if getattr(e, "line", None)]
    if not items:
        if entries:  # "entries: []" or a flow list: cannot be spliced into
            raise KnowledgeError([Problem(display, "'entries' is not a block list; add the entry by hand")])
        head = "".join(lines).rstrip("\n")
        head = re.sub(r"(?m)^entries:\s*(\[\s*\])?\s*$", "entries:", head) if head else "entries:"
        if "entries:" not in head:
            head += "\nentries:"
        return head + "\n" + "".join(block)
    _, end = _block(lines, items[-1].line - 1)
    return "".join([*lines[:end], "\n", *block, *lines[end:]])
