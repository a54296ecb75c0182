"""The engine's settings (the ``engine:`` section of config.yaml). Scores are 0-100."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class EngineConfig:
    """Engine settings. Confidences are 0-100."""

    # Below this confidence the engine says it does not know; null: the threshold fitted
    # with the model (bot/engine/model.json, `python -m bot train`).
    threshold: float | None = None
    # How many "did you mean" suggestions an abstention offers.
    suggestions: int = 3
    # Suggestions must score at least this much to be offered at all.
    suggestion_floor: float = 5.0
    # Longest question the engine reads; the rest is ignored.
    max_question_chars: int = 500
