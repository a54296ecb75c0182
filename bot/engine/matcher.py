"""The answer engine's pipeline, from a question to an answer or an abstention.

``question -> analysis -> candidates with features -> learned decision -> Answer``:

1. :func:`bot.engine.analysis.analyse` finds the asking part of the message and weighs
   its words against the :class:`bot.engine.index.Index` of the knowledge.
2. :func:`bot.engine.features.candidates` finds the items (curated entries and fact
   cards alike) that share its tokens and describes each with generic features.
3. :class:`bot.engine.decision.Decision` (fitted by ``python -m bot train``) scores
   them; the best one answers when its calibrated confidence reaches the threshold.
   Otherwise the engine says it does not know and suggests the best curated questions.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from ..knowledge.model import Entry, FactCard, Knowledge
from ..lang.korean import language
from ..lang.text import normalize
from .analysis import Query, analyse
from .answer import Answer, Suggestion
from .decision import Decision, load_decision
from .features import candidates, embed_questions
from .index import KINDS, Index, answer_text


@dataclass(frozen=True, slots=True)
class Candidate:
    """A scored match: an entry or fact card, its confidence (0-100) and best text."""

    item: Entry | FactCard
    score: float
    phrasing: str
    # How the decision weighed it: "qa", "fact" or "doc" (see Index.kinds).
    weighed_as: str = "qa"

    @property
    def kind(self) -> str:
        """What the answer says it is: a curated entry ("qa") or a fact card ("fact")."""
        return "qa" if isinstance(self.item, Entry) else "fact"


class Matcher:
    """Answers questions from one loaded :class:`Knowledge`; immutable once built."""

    def __init__(
        self,
        knowledge: Knowledge,
        *,
        threshold: float | None = None,
        suggestions: int = 3,
        suggestion_floor: float = 5.0,
        max_question_chars: int = 500,
        decision: Decision | None = None,
    ) -> None:
        self.knowledge = knowledge
        self.index = Index(knowledge)
        self.decision = decision if decision is not None else load_decision()
        # Confidence 0-100 at or above which the engine answers, per kind of item: the
        # fitted ones unless the configuration sets one for both.
        self.thresholds = {
            kind: 100.0 * self.decision.threshold[kind] if threshold is None else threshold for kind in KINDS
        }
        self.max_suggestions = suggestions
        self.suggestion_floor = suggestion_floor
        self.max_question_chars = max_question_chars

    def rank(self, question: str, limit: int = 5) -> list[Candidate]:
        """The best distinct entries and cards for ``question``, best first."""
        return self._ranked(self._analysed(question), limit)

    def _analysed(self, question: str) -> Query | None:
        return analyse(self.index, question, self.max_question_chars)

    def _ranked(self, query: Query | None, limit: int) -> list[Candidate]:
        if query is None:
            return []
        decision = self.decision
        items = self.index.items
        # Phrasings are unique across entries (validation refuses a collision), so a
        # question that is one word for word names its entry, as surely as a clicked
        # suggestion does: what a moderator promised by writing it (or by attaching it
        # from the unanswered questions). Only a configured threshold above 100 holds it.
        phrased = self.index.phrased_entry(query.words)
        scored = []
        kinds = self.index.kinds
        for candidate in candidates(self.index, query):
            kind = kinds[candidate.owner]
            if candidate.owner == phrased:
                confidence = 100.0
            else:
                confidence = 100.0 * decision.confidence(decision.logit(candidate.features, kind), kind)
            scored.append((-confidence, candidate.owner, candidate.phrasing))
        # Moderators write curated entries to answer better than the raw sentence (in
        # both languages): one confident enough to answer goes before any fact card.
        qa = self.thresholds["qa"]
        scored.sort(key=lambda s: (not (-s[0] >= qa and isinstance(items[s[1]], Entry)), s))
        return [
            Candidate(items[owner], -negative, text, kinds[owner]) for negative, owner, text in scored[:limit]
        ]

    def ask(self, question: str) -> Answer:
        """Answer ``question`` in its language (English or Korean), or abstain with suggestions."""
        return self._answer(question, self._analysed(question))

    def ask_many(self, questions: Sequence[str]) -> list[Answer]:
        """The answers of :meth:`ask`, in order, with the questions embedded in one batch
        (quicker than one at a time; the answers are the same)."""
        queries = [self._analysed(question) for question in questions]
        embed_questions(query.text for query in queries if query is not None)
        return [self._answer(q, query) for q, query in zip(questions, queries, strict=True)]

    def _answer(self, question: str, query: Query | None) -> Answer:
        lang = language(question[: self.max_question_chars])
        ranked = self._ranked(query, limit=self.max_suggestions + 3)
        top = ranked[0] if ranked else None
        if top is not None and top.score >= self.thresholds[top.weighed_as]:
            item = top.item
            return Answer(
                question=question,
                answered=True,
                text=answer_text(item, lang),
                source=item.source,
                score=round(top.score, 1),
                entry_id=item.id,
                kind=top.kind,
                lang=lang,
            )
        return Answer(
            question=question,
            answered=False,
            text=None,
            source=None,
            score=round(top.score, 1) if top else 0.0,
            entry_id=None,
            kind="none",
            suggestions=self._suggestions(ranked, lang),
            lang=lang,
        )

    def answer_for(self, entry_id: str, question: str | None = None, lang: str = "en") -> Answer | None:
        """The answer of one entry or fact card (a clicked suggestion), or None if gone."""
        item = self.knowledge.entry(entry_id)
        if item is None:
            return None
        is_entry = isinstance(item, Entry)
        return Answer(
            question=question
            if question is not None
            else (item.question_in(lang) if is_entry else item.text),
            answered=True,
            lang=lang,
            text=answer_text(item, lang),
            source=item.source,
            score=100.0,
            entry_id=item.id,
            kind="qa" if is_entry else "fact",
        )

    def facts_about(self, topic: str, limit: int = 5) -> list[FactCard]:
        """Fact cards about ``topic``, best first, at least as relevant as a suggestion."""
        ranked = self.rank(topic, limit=len(self.index.items))
        return [c.item for c in ranked if isinstance(c.item, FactCard) and c.score >= self.suggestion_floor][
            :limit
        ]

    def _suggestions(self, ranked: list[Candidate], lang: str = "en") -> tuple[Suggestion, ...]:
        out: list[Suggestion] = []
        for candidate in ranked:
            if len(out) >= self.max_suggestions or candidate.score < self.suggestion_floor:
                break
            item = candidate.item
            if isinstance(item, Entry):
                out.append(Suggestion(item.question_in(lang), item.id, candidate.score))
            elif candidate.weighed_as == "doc":
                # A document no curated entry answers from has nothing to suggest but its
                # own sentences; the announcement's cards are behind its curated entries.
                out.append(Suggestion(item.text, item.id, candidate.score, kind="fact"))
        return tuple(out)

    def complete(self, prefix: str, limit: int = 25) -> list[str]:
        """Knowledge questions for autocomplete: fuzzy on the typed text, at most ``limit``."""
        questions = [e.question for e in self.knowledge.entries]
        typed = normalize(prefix[: self.max_question_chars])
        if not typed:
            return questions[:limit]
        # partial_ratio: what is typed is usually the start of a word or phrase of the
        # question; WRatio would favour short questions over the ones containing it.
        hits = process.extract(
            typed, questions, scorer=fuzz.partial_ratio, processor=normalize, limit=limit, score_cutoff=60
        )
        return [text for text, _, _ in hits]
