"""What kind of answer a question asks for, and whether a text can give it.

A question that asks "when" needs a time in its answer; "how many" needs a number. When
the best match cannot supply that (the knowledge mentions the Founding Declaration but
not when the FOC was founded), the match is about the topic, not the question, and the
engine should lean towards "I don't know". Only these two types are checked: they can
be recognized reliably in both the question and the answer.
"""

from __future__ import annotations

import re
from enum import Enum


class AnswerType(Enum):
    ANY = "any"
    TIME = "time"
    COUNT = "count"


_TIME_QUESTION = re.compile(
    r"\b(when|what year|which year|what date|which date|since when|how long ago|what time|"
    r"in what year|what month|which month)\b",
    re.IGNORECASE,
)
_COUNT_QUESTION = re.compile(r"\b(how many|how much|number of|headcount|count of)\b", re.IGNORECASE)

_MONTHS = "january|february|march|april|may|june|july|august|september|october|november|december"
_TIME_ANSWER = re.compile(
    rf"\b(1[89]\d\d|20\d\d|\d+(st|nd|rd|th)|{_MONTHS}|recent(ly)?|upcoming|today|yesterday|"
    r"initially|now|currently|after|before|since)\b",
    re.IGNORECASE,
)
_NUMBER_WORDS = (
    "one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|dozen|dozens|hundred|"
    "hundreds|thousand|thousands|several|thirty|forty"
)
# A cardinal number: digits not glued to "/" (41/11 is a name) nor an ordinal suffix.
_COUNT_ANSWER = re.compile(rf"(?<![/\d])\b\d+\b(?![/\d]|st|nd|rd|th)|\b({_NUMBER_WORDS})\b", re.IGNORECASE)


def question_type(question: str) -> AnswerType:
    """The type of answer ``question`` asks for (ANY when it cannot tell)."""
    if _COUNT_QUESTION.search(question):
        return AnswerType.COUNT
    if _TIME_QUESTION.search(question):
        return AnswerType.TIME
    return AnswerType.ANY


def can_answer(kind: AnswerType, text: str) -> bool:
    """Whether ``text`` holds an answer of ``kind``."""
    if kind is AnswerType.TIME:
        return _TIME_ANSWER.search(text) is not None
    if kind is AnswerType.COUNT:
        return any(not _is_year(m.group()) for m in _COUNT_ANSWER.finditer(text))
    return True


def _is_year(token: str) -> bool:
    return token.isdigit() and len(token) == 4 and token[:2] in ("19", "20")


# "Which city ...", "What budget ...", "What is the name of ...", "How many people ...":
# the noun that names what is asked for.
_FOCUS = re.compile(
    r"^\W*(?:(?:in|at|on|for|from|of|to|by|with|under)\s+)?(?:(?:which|what)\s+(?:kind\s+of\s+|type\s+of\s+|sort\s+of\s+)?(?!is\b|are\b|was\b|were\b|does\b|do\b|did\b"
    r"|will\b|would\b|can\b|could\b|should\b|has\b|have\b|had\b|about\b|if\b|else\b)(?P<a>[a-z]+)"
    r"|(?:what|which)\s+(?:is|was|are|were)\s+(?:the|its|their|his|her)\s+(?P<b>[a-z]+)\s+of\b"
    r"|how\s+(?:many|much)\s+(?P<c>[a-z]+))",
    re.IGNORECASE,
)


def focus_word(question: str) -> str | None:
    """The noun a wh-question asks for ("city" in "Which city hosts ..."), lowercased."""
    match = _FOCUS.search(question.strip())
    if match is None:
        return None
    word = match.group("a") or match.group("b") or match.group("c")
    return word.lower() if word else None
