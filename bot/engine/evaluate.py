"""Scoring the engine on a question file (the format of ``eval/dev.yaml``).

Each row: ``q`` (the question), ``cat`` (category) and ``expect``: null when the engine
must abstain, else a list of items that must each appear, case-insensitively, in the
answer text or its source quote (``"a|b"`` means either). A question is in scope when
it has ``expect`` items and must be abstained on when ``expect`` is null, whatever its
category (para, noisy, kw, chat, ko; oos, near, false ...). A *wrong* answer is one given
where the question needed another answer or none: worse than an abstention.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from ..knowledge.problems import KnowledgeError, Problem
from ..knowledge.yamlio import LineDict, read_yaml
from .answer import Answer


@dataclass(frozen=True, slots=True)
class Case:
    question: str
    category: str
    expect: tuple[str, ...] | None
    line: int | None = None


@dataclass(frozen=True, slots=True)
class Outcome:
    case: Case
    answer: Answer
    correct: bool


@dataclass
class Report:
    outcomes: list[Outcome] = field(default_factory=list)

    def by_category(self) -> dict[str, tuple[int, int]]:
        """category -> (correct, total), in first-seen order."""
        out: dict[str, tuple[int, int]] = {}
        for o in self.outcomes:
            right, total = out.get(o.case.category, (0, 0))
            out[o.case.category] = (right + o.correct, total + 1)
        return out

    def rate(self, categories: Iterable[str]) -> tuple[int, int]:
        wanted = set(categories)
        picked = [o for o in self.outcomes if o.case.category in wanted]
        return sum(o.correct for o in picked), len(picked)

    def in_scope(self) -> tuple[int, int]:
        """(answered right, questions with an answer)."""
        picked = [o for o in self.outcomes if o.case.expect is not None]
        return sum(o.correct for o in picked), len(picked)

    def abstained(self) -> tuple[int, int]:
        """(abstained, questions that must be abstained on)."""
        picked = [o for o in self.outcomes if o.case.expect is None]
        return sum(o.correct for o in picked), len(picked)

    def wrong(self) -> tuple[int, int]:
        """(answered but wrong, all questions)."""
        return sum(o.answer.answered and not o.correct for o in self.outcomes), len(self.outcomes)

    def suggested(self) -> tuple[int, int]:
        """(abstained on, with a suggested sentence that holds the answer; abstained on,
        among the questions with an answer). Only a document's sentences are judged:
        a curated question suggested is a question, not an answer."""
        picked = [o for o in self.outcomes if o.case.expect is not None and not o.answer.answered]
        held = sum(
            any(s.is_sentence and holds(o.case.expect, s.question) for s in o.answer.suggestions)
            for o in picked
        )
        return held, len(picked)

    def suggests_sentences(self) -> bool:
        """Whether any abstention offered a document's sentences."""
        return any(o.answer.suggests_sentences for o in self.outcomes)

    @property
    def failures(self) -> list[Outcome]:
        return [o for o in self.outcomes if not o.correct]


def load_cases(path: Path) -> list[Case]:
    """Read a question file; raise KnowledgeError naming bad rows."""
    raw = read_yaml(path)
    if not isinstance(raw, list):
        raise KnowledgeError([Problem(str(path), "expected a list of {cat, q, expect} rows", 1)])
    cases, problems = [], []
    for row in raw:
        line = row.line if isinstance(row, LineDict) else None
        if (
            not isinstance(row, dict)
            or not isinstance(row.get("q"), str)
            or not isinstance(row.get("cat"), str)
        ):
            problems.append(Problem(str(path), "each row needs text 'q' and 'cat'", line))
            continue
        expect = row.get("expect")
        if expect is not None and not (isinstance(expect, list) and all(isinstance(e, str) for e in expect)):
            problems.append(Problem(str(path), "'expect' must be null or a list of text", line))
            continue
        cases.append(Case(row["q"], row["cat"], None if expect is None else tuple(expect), line))
    if problems:
        raise KnowledgeError(problems)
    return cases


def judge(case: Case, answer: Answer) -> bool:
    """Apply the judging rule to one answer."""
    if case.expect is None:
        return not answer.answered
    if not answer.answered:
        return False
    return holds(
        case.expect, " ".join(filter(None, [answer.text, answer.source.quote if answer.source else None]))
    )


def holds(expect: tuple[str, ...], text: str) -> bool:
    """Whether ``text`` holds every expected item (``"a|b"``: either), case-insensitively:
    the judging rule, for answers, suggested sentences and training labels alike."""
    haystack = text.casefold()
    return all(any(alt.casefold() in haystack for alt in item.split("|")) for item in expect)


def evaluate(cases: Iterable[Case], ask_many: Callable[[list[str]], list[Answer]]) -> Report:
    """Ask every case (all at once: Matcher.ask_many embeds them in one batch) and judge it."""
    cases = list(cases)
    answers = ask_many([case.question for case in cases])
    return Report(
        [Outcome(case, answer, judge(case, answer)) for case, answer in zip(cases, answers, strict=True)]
    )
