"""Source documents: the texts every answer must be traceable to.

A document is ``NAME.txt`` (UTF-8, paragraphs separated by blank lines, numbered from 1,
paragraph 1 being the title) with ``NAME.yaml`` beside it holding its metadata (title,
publisher, date). The document id is ``NAME``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from .problems import KnowledgeError, Problem
from .yamlio import LineDict, decode_utf8, read_yaml

_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n+")
# Abbreviations that end in a period without ending the sentence.
_ABBREVIATIONS = (
    "Mr.",
    "Mrs.",
    "Ms.",
    "Dr.",
    "St.",
    "Prof.",
    "No.",
    "U.S.",
    "U.N.",
    "e.g.",
    "i.e.",
    "etc.",
    "vs.",
)
_SENTENCE_END = re.compile(r"[.!?][\u201d\"')\]]*(?=\s+[\u201c\"'(A-Z0-9])")
_META_FIELDS = {"title", "publisher", "date", "url", "fictional"}
# A list number ("1.", "12)") opening a paragraph or a line is not a sentence of its own.
_LIST_NUMBER = re.compile(r"(?:^|\n)\s*\d{1,3}[.)]$")


@dataclass(frozen=True, slots=True)
class Document:
    """A source document split into numbered paragraphs."""

    id: str
    title: str
    publisher: str
    date: str
    paragraphs: tuple[str, ...]
    path: Path
    url: str | None = None
    _sentences: dict[int, tuple[str, ...]] = field(default_factory=dict, compare=False, repr=False)

    def paragraph(self, number: int) -> str:
        """Paragraph ``number`` (1-based); raises IndexError when it does not exist."""
        if not 1 <= number <= len(self.paragraphs):
            raise IndexError(number)
        return self.paragraphs[number - 1]

    def all_sentences(self) -> Iterator[str]:
        """Every sentence of the document, in order."""
        for number in range(1, len(self.paragraphs) + 1):
            yield from self.sentences(number)

    def sentences(self, number: int) -> tuple[str, ...]:
        """The sentences of paragraph ``number``, verbatim."""
        cached = self._sentences.get(number)
        if cached is None:
            cached = tuple(split_sentences(self.paragraph(number)))
            self._sentences[number] = cached
        return cached


def split_paragraphs(text: str) -> list[str]:
    """Split on blank lines; paragraphs keep their inner line breaks, trimmed."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return [p.strip() for p in _PARAGRAPH_BREAK.split(text) if p.strip()]


def split_sentences(paragraph: str) -> list[str]:
    """Split a paragraph into sentences, verbatim (each is a substring of the paragraph).

    A line break without a full stop before it does not end a sentence (paragraph 2 of
    the announcement, a name and a title on two lines, is one statement). Periods of
    common abbreviations ("Mr.") do not end one either.
    """
    sentences: list[str] = []
    start = 0
    for match in _SENTENCE_END.finditer(paragraph):
        end = match.end()
        if paragraph[:end].endswith(_ABBREVIATIONS) or _LIST_NUMBER.search(paragraph[start:end]):
            continue
        piece = paragraph[start:end].strip()
        if piece:
            sentences.append(piece)
        start = end
    rest = paragraph[start:].strip()
    if rest:
        sentences.append(rest)
    return sentences


def _check_meta(meta: object, display: str) -> tuple[dict[str, str], list[Problem]]:
    problems: list[Problem] = []
    if not isinstance(meta, dict):
        return {}, [Problem(display, "metadata must be a mapping with title, publisher, date")]
    line_of = meta.line_of if isinstance(meta, LineDict) else (lambda _k: None)
    for key in meta:
        if key not in _META_FIELDS:
            problems.append(
                Problem(
                    display,
                    f"unknown field {key!r} (allowed: {', '.join(sorted(_META_FIELDS))})",
                    line_of(str(key)),
                )
            )
    out: dict[str, str] = {}
    for key in ("title", "publisher", "date"):
        value = meta.get(key)
        if value is None:
            problems.append(Problem(display, f"missing field {key!r}", getattr(meta, "line", None)))
        elif not isinstance(value, str) or not value.strip():
            problems.append(Problem(display, f"{key!r} must be non-empty text", line_of(key)))
        else:
            out[key] = value.strip()
    fictional = meta.get("fictional")
    if fictional is not None and not isinstance(fictional, bool):
        problems.append(Problem(display, "'fictional' must be true or false", line_of("fictional")))
    url = meta.get("url")
    if url is not None:
        if isinstance(url, str):
            out["url"] = url
        else:
            problems.append(Problem(display, "'url' must be text", line_of("url")))
    return out, problems


def load_document(text_path: Path, display_root: Path | None = None) -> Document:
    """Load one document and its metadata; raise KnowledgeError listing every problem."""
    shown = _display(text_path, display_root)
    meta_path = text_path.with_suffix(".yaml")
    meta_shown = _display(meta_path, display_root)
    problems: list[Problem] = []
    try:
        text = decode_utf8(text_path.read_bytes(), shown)
    except KnowledgeError as exc:
        problems.extend(exc.problems)
        text = ""
    except OSError as exc:
        problems.append(Problem(shown, f"cannot read: {exc.strerror}"))
        text = ""
    paragraphs = split_paragraphs(text)
    if not paragraphs and not problems:
        problems.append(Problem(shown, "document has no text"))
    meta: dict[str, str] = {}
    if not meta_path.exists():
        problems.append(
            Problem(meta_shown, f"missing metadata file for {text_path.name} (title, publisher, date)")
        )
    else:
        try:
            raw = read_yaml(meta_path, meta_shown)
        except KnowledgeError as exc:
            problems.extend(exc.problems)
        else:
            meta, meta_problems = _check_meta(raw, meta_shown)
            problems.extend(meta_problems)
    if problems:
        raise KnowledgeError(problems)
    return Document(
        id=text_path.stem,
        title=meta["title"],
        publisher=meta["publisher"],
        date=meta["date"],
        paragraphs=tuple(paragraphs),
        path=text_path,
        url=meta.get("url"),
    )


def load_documents(directory: Path, display_root: Path | None = None) -> dict[str, Document]:
    """Load every ``*.txt`` document of ``directory``, keyed by id, in name order."""
    problems: list[Problem] = []
    documents: dict[str, Document] = {}
    if not directory.is_dir():
        raise KnowledgeError([Problem(_display(directory, display_root), "sources directory not found")])
    for path in sorted(directory.glob("*.txt")):
        try:
            documents[path.stem] = load_document(path, display_root)
        except KnowledgeError as exc:
            problems.extend(exc.problems)
    if problems:
        raise KnowledgeError(problems)
    if not documents:
        raise KnowledgeError([Problem(_display(directory, display_root), "no source documents (*.txt)")])
    return documents


def _display(path: Path, root: Path | None) -> str:
    if root is not None:
        try:
            return str(path.relative_to(root))
        except ValueError:
            pass
    return str(path)
