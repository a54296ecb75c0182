"""The knowledge model: curated entries, fact cards, synonyms, and the loaded whole.

Plain frozen dataclasses, built only by the loaders after validation, so the matcher and
the front ends can trust every field (a quote is verbatim in its paragraph, an answer is
non-empty and short, ids are unique).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TYPE_CHECKING, Literal

from .sources import Document

if TYPE_CHECKING:
    from .members import Members

MAX_ANSWER_CHARS = 600


@dataclass(frozen=True, slots=True)
class SourceRef:
    """Where an answer comes from: a verbatim quote of one paragraph of one document."""

    document: str
    paragraph: int
    quote: str


@dataclass(frozen=True, slots=True)
class Entry:
    """A curated question and answer from qa.yaml (or learned.yaml)."""

    id: str
    question: str
    alternates: tuple[str, ...]
    answer: str
    source: SourceRef
    tags: tuple[str, ...] = ()
    file: str = ""
    line: int = 0
    # Korean: the question, other phrasings and a faithful translation of the answer.
    question_ko: str | None = None
    alternates_ko: tuple[str, ...] = ()
    answer_ko: str | None = None

    @property
    def phrasings(self) -> tuple[str, ...]:
        """The question and every alternate, in every language."""
        korean = (self.question_ko,) if self.question_ko else ()
        return (self.question, *self.alternates, *korean, *self.alternates_ko)

    def answer_in(self, lang: str) -> str:
        """The answer in ``lang`` when the entry has it, else in English."""
        return self.answer_ko if lang == "ko" and self.answer_ko else self.answer

    def question_in(self, lang: str) -> str:
        return self.question_ko if lang == "ko" and self.question_ko else self.question


FactType = Literal["sentence", "acronym", "quotation", "document"]


@dataclass(frozen=True, slots=True)
class FactCard:
    """A fact generated from a source document (see facts.py); never edited by hand."""

    id: str
    type: FactType
    text: str
    source: SourceRef
    # Short phrasings the card answers besides its text, e.g. "ICCPR" for an acronym.
    keys: tuple[str, ...] = ()


@dataclass(frozen=True)
class Knowledge:
    """Everything the engine answers from, loaded and validated together."""

    documents: MappingProxyType[str, Document]
    entries: tuple[Entry, ...]
    facts: tuple[FactCard, ...]
    synonyms: MappingProxyType[str, tuple[str, ...]]
    files: tuple[str, ...] = field(default=())
    members: Members | None = None
    # The names /faq shows for the entries' tags: tag -> {"en": name, "ko": name}.
    topics: MappingProxyType[str, MappingProxyType[str, str]] = field(
        default_factory=lambda: MappingProxyType({})
    )

    def topic_name(self, tag: str, lang: str) -> str:
        """The name of a tag in ``lang`` (English when there is none), else the tag as written."""
        names = self.topics.get(tag)
        if names is None:
            return tag.replace("-", " ").capitalize()
        return names.get(lang, names["en"])

    def entry(self, entry_id: str) -> Entry | FactCard | None:
        """The entry or fact card with this id, or None."""
        for item in self.entries:
            if item.id == entry_id:
                return item
        for card in self.facts:
            if card.id == entry_id:
                return card
        return None
