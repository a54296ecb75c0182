"""Grouping the questions the bot missed, so moderators see each gap once.

People ask the same thing in slightly different words ("when did korea join", "When
did Korea join??"); near-duplicates are grouped (rapidfuzz ``token_set_ratio`` of at
least 85 on the normalized text) and a group counts all its askings (an asking that was
abstained on and also voted down counts once). Questions that
are already a phrasing of the knowledge (a moderator attached them meanwhile) are left
out: that gap is closed.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from typing import Protocol

from rapidfuzz import fuzz, process

from ..lang.text import normalize

SIMILAR = 85.0


class Missed(Protocol):
    """One question text with how often it was abstained on or voted down."""

    @property
    def text(self) -> str: ...
    @property
    def abstained(self) -> int: ...
    @property
    def down(self) -> int: ...
    @property
    def last(self) -> float: ...
    @property
    def asked(self) -> int: ...
    @property
    def reasons(self) -> tuple[str, ...]: ...


@dataclass(frozen=True, slots=True)
class QuestionGroup:
    """Near-duplicate questions: the most frequent wording, the others, the totals."""

    question: str
    abstained: int
    down: int
    last: float
    variants: tuple[str, ...] = ()
    asked: int = 0
    reasons: tuple[str, ...] = ()  # what 👎 voters said was wrong

    @property
    def count(self) -> int:
        return self.asked


@dataclass
class _Building:
    norm: str
    texts: dict[str, int]  # wording -> askings, in first-seen order
    abstained: int
    down: int
    last: float
    asked: int
    reasons: list[str]

    def absorb(self, other: _Building) -> None:
        for text, count in other.texts.items():
            self.texts[text] = self.texts.get(text, 0) + count
        self.abstained += other.abstained
        self.down += other.down
        self.asked += other.asked
        self.reasons += other.reasons
        self.last = max(self.last, other.last)

    def finish(self) -> QuestionGroup:
        # Named by the wording used most often (the first seen among equals).
        wordings = sorted(self.texts, key=lambda t: -self.texts[t])
        return QuestionGroup(
            wordings[0],
            self.abstained,
            self.down,
            self.last,
            tuple(wordings[1:]),
            self.asked,
            tuple(dict.fromkeys(self.reasons)),
        )


def group_questions(
    missed: Iterable[Missed], *, known: Collection[str] = (), similar: float = SIMILAR
) -> list[QuestionGroup]:
    """Groups of near-duplicate questions, most frequent (then most recent) first.

    ``known`` holds normalized phrasings of the knowledge; questions among them are
    dropped.
    """
    # Same normalized text first: one row per wording people actually used.
    exact: dict[str, _Building] = {}
    for item in missed:
        norm = normalize(item.text)
        if not norm or norm in known:
            continue
        row = _Building(
            norm,
            {item.text: item.asked},
            item.abstained,
            item.down,
            item.last,
            item.asked,
            list(item.reasons),
        )
        if norm in exact:
            exact[norm].absorb(row)
        else:
            exact[norm] = row
    # Most frequent first, so a group's representative text is its most common one.
    ordered = sorted(exact.values(), key=lambda b: (-b.asked, -b.last, b.norm))
    groups: list[_Building] = []
    for candidate in ordered:
        match = process.extractOne(
            candidate.norm,
            [g.norm for g in groups],
            scorer=fuzz.token_set_ratio,
            processor=None,
            score_cutoff=similar,
        )
        if match is None:
            groups.append(candidate)
        else:
            groups[match[2]].absorb(candidate)
    result = [g.finish() for g in groups]
    return sorted(result, key=lambda g: (-g.count, -g.last, g.question))
