"""Reading and validating the curated Q&A file (``knowledge/qa.yaml``).

The file is a mapping with ``entries:`` (and optionally ``synonyms:``). Validation
collects every problem with its line and entry id: unknown or missing fields, wrong
types, bad or duplicate ids, empty or over-long answers, a quote that is not verbatim in
its paragraph, and phrasings that collide between entries (the matcher could not tell
those entries apart).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from ..lang.text import normalize
from .facts import check_quote
from .model import MAX_ANSWER_CHARS, Entry
from .problems import KnowledgeError, Problem
from .sources import Document
from .yamlio import LineDict, parse_yaml

ID_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
MAX_PHRASING_CHARS = 300
_TOP_FIELDS = {"entries", "synonyms", "topics"}
_ENTRY_FIELDS = {
    "id",
    "question",
    "alternates",
    "answer",
    "source",
    "tags",
    "question_ko",
    "alternates_ko",
    "answer_ko",
}
_REQUIRED = ("id", "question", "answer", "source")
_SOURCE_FIELDS = {"document", "paragraph", "quote"}


@dataclass(frozen=True, slots=True)
class QAFile:
    """The validated content of one Q&A file."""

    entries: tuple[Entry, ...]
    synonyms: dict[str, tuple[str, ...]]
    topics: dict[str, dict[str, str]]


def _line(node: object, key: str | None = None) -> int | None:
    if isinstance(node, LineDict):
        return node.line_of(key) if key else node.line
    return None


def _text_list(value: object) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) for v in value)


def _check_topics(raw: object, file: str, problems: list[Problem]) -> dict[str, dict[str, str]]:
    """tag -> {"en": name, "ko": name}: the names /faq shows for the tags."""
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        problems.append(Problem(file, "'topics' must be a mapping: tag -> {en: name, ko: name}", _line(raw)))
        return {}
    out: dict[str, dict[str, str]] = {}
    for tag, names in raw.items():
        line = _line(raw, str(tag))
        if (
            not isinstance(tag, str)
            or not isinstance(names, dict)
            or not isinstance(names.get("en"), str)
            or not names["en"].strip()
            or not set(names) <= {"en", "ko"}
            or not all(isinstance(v, str) and v.strip() for v in names.values())
        ):
            problems.append(
                Problem(file, f"topic {tag!r} must be {{en: name}} or {{en: name, ko: name}}", line, str(tag))
            )
            continue
        out[tag] = {lang: name.strip() for lang, name in names.items()}
    return out


def _check_synonyms(raw: object, file: str, problems: list[Problem]) -> dict[str, tuple[str, ...]]:
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        problems.append(
            Problem(file, "'synonyms' must be a mapping: canonical term -> [variants]", _line(raw))
        )
        return {}
    out: dict[str, tuple[str, ...]] = {}
    owner: dict[str, str] = {}
    for key, variants in raw.items():
        line = _line(raw, str(key))
        if not isinstance(key, str) or not normalize(key):
            problems.append(Problem(file, f"synonym term {key!r} must be text", line))
            continue
        if not _text_list(variants) or not variants:
            problems.append(Problem(file, f"synonyms of {key!r} must be a non-empty list of text", line))
            continue
        canonical = normalize(key)
        if canonical in out:
            problems.append(Problem(file, f"synonym term {key!r} is listed twice (as {canonical!r})", line))
            continue
        cleaned = []
        for variant in [key, *variants]:
            norm = normalize(variant)
            if not norm:
                problems.append(Problem(file, f"empty synonym under {key!r}", line))
                continue
            if norm in owner and owner[norm] != canonical:
                problems.append(
                    Problem(
                        file,
                        f"synonym {variant!r} is listed under both {owner[norm]!r} and {key!r}",
                        line,
                    )
                )
                continue
            owner[norm] = canonical
            if norm != canonical:
                cleaned.append(norm)
        out[canonical] = tuple(dict.fromkeys(cleaned))
    return out


def _phrasing_list(raw: dict, key: str, bad) -> list[str]:
    """A list of phrasings (alternates), each non-empty and not too long."""
    value = raw.get(key, [])
    if value is None or not _text_list(value):
        bad(f"{key!r} must be a list of text", key)
        return []
    for phrasing in value:
        if not normalize(phrasing):
            bad(f"an item of {key!r} is empty", key)
        elif len(phrasing) > MAX_PHRASING_CHARS:
            bad(f"{key} item {phrasing[:40]!r}... is longer than {MAX_PHRASING_CHARS} characters", key)
    return value


def _check_entry(
    raw: object, file: str, documents: Mapping[str, Document], problems: list[Problem]
) -> Entry | None:
    line = _line(raw)
    if not isinstance(raw, dict):
        problems.append(
            Problem(file, "each entry must be a mapping (id, question, answer, source, ...)", line)
        )
        return None
    entry_id = raw.get("id") if isinstance(raw.get("id"), str) else None
    before = len(problems)

    def bad(message: str, key: str | None = None) -> None:
        problems.append(Problem(file, message, _line(raw, key), entry_id))

    for key in raw:
        if key not in _ENTRY_FIELDS:
            bad(f"unknown field {key!r} (allowed: {', '.join(sorted(_ENTRY_FIELDS))})", str(key))
    for key in _REQUIRED:
        if key not in raw or raw[key] is None:
            bad(f"missing field {key!r}")
    raw_id = raw.get("id")
    if raw_id is not None and (not isinstance(raw_id, str) or not ID_PATTERN.fullmatch(raw_id)):
        bad(f"id {raw['id']!r} must be a slug of lowercase letters, digits and hyphens", "id")
    question = raw.get("question")
    if question is not None and (not isinstance(question, str) or not normalize(question)):
        bad("'question' must be non-empty text", "question")
    elif isinstance(question, str) and len(question) > MAX_PHRASING_CHARS:
        bad(f"'question' is longer than {MAX_PHRASING_CHARS} characters", "question")
    alternates = _phrasing_list(raw, "alternates", bad)
    alternates_ko = _phrasing_list(raw, "alternates_ko", bad)
    question_ko = raw.get("question_ko")
    if question_ko is not None and (not isinstance(question_ko, str) or not normalize(question_ko)):
        bad("'question_ko' must be non-empty text", "question_ko")
        question_ko = None
    answer_ko = raw.get("answer_ko")
    if answer_ko is not None:
        if not isinstance(answer_ko, str) or not answer_ko.strip():
            bad("'answer_ko' must be non-empty text", "answer_ko")
        elif len(answer_ko.strip()) > MAX_ANSWER_CHARS:
            bad(
                f"'answer_ko' is {len(answer_ko.strip())} characters; the limit is {MAX_ANSWER_CHARS}",
                "answer_ko",
            )
    answer = raw.get("answer")
    if answer is not None:
        if not isinstance(answer, str) or not answer.strip():
            bad("'answer' must be non-empty text", "answer")
        elif len(answer.strip()) > MAX_ANSWER_CHARS:
            bad(
                f"'answer' is {len(answer.strip())} characters; the limit is {MAX_ANSWER_CHARS}",
                "answer",
            )
    tags = raw.get("tags", [])
    if tags is None or not _text_list(tags):
        bad("'tags' must be a list of text", "tags")
        tags = []
    source = raw.get("source")
    ref = None
    if source is not None:
        if not isinstance(source, dict):
            bad("'source' must be a mapping with document, paragraph, quote", "source")
        else:
            unknown = set(map(str, source)) - _SOURCE_FIELDS
            missing = _SOURCE_FIELDS - set(map(str, source))
            for key in sorted(unknown):
                problems.append(Problem(file, f"unknown field 'source.{key}'", _line(source, key), entry_id))
            for key in sorted(missing):
                problems.append(Problem(file, f"missing field 'source.{key}'", _line(source), entry_id))
            if not missing:
                if not isinstance(source["document"], str) or not isinstance(source["quote"], str):
                    problems.append(
                        Problem(file, "source document and quote must be text", _line(source), entry_id)
                    )
                else:
                    ref, why = check_quote(
                        source["document"], source["paragraph"], source["quote"], documents
                    )
                    if why:
                        problems.append(Problem(file, why, _line(source, "quote"), entry_id))
    if len(problems) > before or ref is None:
        return None
    return Entry(
        id=raw["id"],
        question=question.strip(),
        alternates=tuple(a.strip() for a in alternates),
        answer=answer.strip(),
        source=ref,
        tags=tuple(tags),
        file=file,
        line=line or 0,
        question_ko=question_ko.strip() if isinstance(question_ko, str) else None,
        alternates_ko=tuple(a.strip() for a in alternates_ko),
        answer_ko=answer_ko.strip() if isinstance(answer_ko, str) else None,
    )


def parse_qa(data: bytes | str, file: str, documents: Mapping[str, Document]) -> QAFile:
    """Validate Q&A file content; raise KnowledgeError with every problem found."""
    raw = parse_yaml(data, file)
    problems: list[Problem] = []
    if raw is None:
        raw = LineDict()
        raw.line, raw.key_lines = 1, {}
    if not isinstance(raw, dict):
        raise KnowledgeError([Problem(file, "the file must be a mapping with 'entries:'", 1)])
    for key in raw:
        if key not in _TOP_FIELDS:
            problems.append(
                Problem(
                    file,
                    f"unknown top-level field {key!r} (allowed: entries, synonyms, topics)",
                    _line(raw, str(key)),
                )
            )
    synonyms = _check_synonyms(raw.get("synonyms"), file, problems)
    topics = _check_topics(raw.get("topics"), file, problems)
    raw_entries = raw.get("entries")
    if not isinstance(raw_entries, list):
        problems.append(Problem(file, "'entries' must be a list of entries", _line(raw, "entries")))
        raw_entries = []
    entries: list[Entry] = []
    ids: dict[str, int | None] = {}
    for item in raw_entries:
        entry = _check_entry(item, file, documents, problems)
        item_id = item.get("id") if isinstance(item, dict) else None
        if isinstance(item_id, str):
            if item_id in ids:
                problems.append(
                    Problem(
                        file,
                        f"duplicate id {item_id!r} (first at line {ids[item_id]})",
                        _line(item, "id"),
                        item_id,
                    )
                )
                continue
            ids[item_id] = _line(item, "id")
        if entry is not None:
            entries.append(entry)
    problems.extend(phrasing_collisions(entries))
    if problems:
        raise KnowledgeError(problems)
    return QAFile(tuple(entries), synonyms, topics)


def phrasing_collisions(entries: list[Entry] | tuple[Entry, ...]) -> list[Problem]:
    """Phrasings (question or alternate) that two entries share, after normalization."""
    problems = []
    owner: dict[str, Entry] = {}
    for entry in entries:
        for phrasing in dict.fromkeys(normalize(p) for p in entry.phrasings):
            other = owner.get(phrasing)
            if other is not None and other.id != entry.id:
                problems.append(
                    Problem(
                        entry.file,
                        f"phrasing {phrasing!r} is also used by entry {other.id!r} ({other.file}:{other.line})",
                        entry.line,
                        entry.id,
                    )
                )
            else:
                owner[phrasing] = entry
    return problems


def load_qa(path: Path, display: str, documents: Mapping[str, Document]) -> QAFile:
    """Read and validate a Q&A file from disk."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise KnowledgeError([Problem(display, "file not found")]) from None
    return parse_qa(data, display, documents)
