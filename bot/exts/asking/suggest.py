"""Autocomplete of ``/ask``: the questions the knowledge answers, in the typist's language.

English prefixes go to the engine's completion. Korean input (or an empty field in a
Korean client) is completed from the entries' Korean questions: those that contain
what was typed (spaces ignored) first, then the Korean questions of the entries the
engine ranks best for it.
"""

from __future__ import annotations

from ...engine.engine import Engine
from ...lang.korean import language

LIMIT = 25


def _compact(text: str) -> str:
    return "".join(text.split()).casefold()


def complete_questions(engine: Engine, current: str, locale_lang: str = "en") -> list[str]:
    """Up to 25 questions for what has been typed so far."""
    current = current.strip()
    korean = language(current) == "ko" if current else locale_lang == "ko"
    if not korean:
        return engine.complete(current, limit=LIMIT)
    entries = [e for e in engine.knowledge.entries if e.question_ko]
    typed = _compact(current)
    found = [e.question_ko for e in entries if typed in _compact(e.question_ko or "")]
    if len(found) < LIMIT and current:
        by_id = {e.id: e for e in entries}
        for candidate in engine.rank(current, limit=LIMIT):
            entry = by_id.get(getattr(candidate.item, "id", ""))
            if entry is not None and entry.question_ko not in found:
                found.append(entry.question_ko)
    return [q for q in found if q][:LIMIT]
