"""The answer model every front end renders: CLI text, CLI JSON, Discord embeds."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..knowledge.model import SourceRef


@dataclass(frozen=True, slots=True)
class Suggestion:
    """A "did you mean" question, with the entry it leads to.

    ``kind`` is "qa" for a curated entry's question, "fact" for the sentence of a fact
    card (of a document no curated entry answers from): clicking either shows its answer
    with its source.
    """

    question: str
    entry_id: str
    score: float
    kind: str = "qa"

    @property
    def is_sentence(self) -> bool:
        """Whether this offers a document's sentence (an answer to read) rather than a
        curated question (one to ask)."""
        return self.kind == "fact"


@dataclass(frozen=True, slots=True)
class Answer:
    """What the engine says to one question.

    ``answered`` is False when the engine is not sure enough; then ``text``, ``source``
    and ``entry_id`` are None and ``suggestions`` may offer related questions.
    """

    question: str
    answered: bool
    text: str | None
    source: SourceRef | None
    score: float
    entry_id: str | None
    kind: str
    suggestions: tuple[Suggestion, ...] = ()
    lang: str = "en"  # the language of the question, and of the answer when available

    @property
    def suggests_sentences(self) -> bool:
        """Whether any suggestion is a document's sentence rather than a curated question."""
        return any(s.is_sentence for s in self.suggestions)

    def to_json(self) -> dict[str, Any]:
        """The CLI's JSON contract (``ask --json``); keep the keys and types stable."""
        return {
            "question": self.question,
            "answered": self.answered,
            "answer": self.text,
            "source": None
            if self.source is None
            else {
                "document": self.source.document,
                "paragraph": self.source.paragraph,
                "quote": self.source.quote,
            },
            "score": round(float(self.score), 2),
            "entry_id": self.entry_id,
            "kind": self.kind,
            "suggestions": [s.question for s in self.suggestions],
            "lang": self.lang,
        }
