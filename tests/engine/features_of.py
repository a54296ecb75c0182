"""Helpers of the engine tests: one candidate's feature or confidence for a question."""

from __future__ import annotations

from bot.engine.analysis import analyse
from bot.engine.features import FEATURES, candidates
from bot.engine.matcher import Matcher


def feature_of(matcher: Matcher, question: str, item_id: str, name: str) -> float:
    """Feature ``name`` of the candidate ``item_id`` for ``question``."""
    query = analyse(matcher.index, question, matcher.max_question_chars)
    assert query is not None
    for candidate in candidates(matcher.index, query):
        if matcher.index.items[candidate.owner].id == item_id:
            return candidate.features[FEATURES.index(name)]
    raise AssertionError(f"{item_id} is not a candidate for {question!r}")


def score_of(matcher: Matcher, question: str, item_id: str) -> float:
    """The confidence (0-100) of the candidate ``item_id`` for ``question``."""
    for candidate in matcher.rank(question, limit=50):
        if candidate.item.id == item_id:
            return candidate.score
    raise AssertionError(f"{item_id} is not a candidate for {question!r}")
