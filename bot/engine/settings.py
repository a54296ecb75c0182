"""The engine's settings (the ``engine:`` section of config.yaml). Scores are 0-100."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class EngineConfig:
    """Matcher settings. Scores are 0-100."""

    # Below this confidence the engine says it does not know.
    threshold: float = 58.0
    # How many "did you mean" suggestions an abstention offers.
    suggestions: int = 3
    # Suggestions must score at least this much to be offered at all.
    suggestion_floor: float = 30.0
    # Fact cards score this fraction of a curated entry's score for the same match,
    # so a curated answer wins over the raw sentence it was written from.
    fact_weight: float = 0.92
    # Longest question the engine reads; the rest is ignored.
    max_question_chars: int = 500
