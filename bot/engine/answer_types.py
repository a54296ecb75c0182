"""What kind of answer a question asks for, and whether a text can give it.

A question that asks "when" needs a time in its answer; "on what date" needs a calendar
day; "how many" needs a number; "where" needs a place ("where in Korea" a finer one than
a country); "why" a reason or a purpose. When the best match cannot supply that (the
knowledge mentions the Founding Declaration but not when the FOC was founded; it says
Korea has joined but not on which day), the match is about the topic, not the question,
and the engine should lean towards "I don't know". Only these types are checked: they
can be recognized reliably in both the question and the answer. The module also finds
the noun a question asks for ("Which *city* ...") and whether it asks for others
("which other ...") or for particular, named things ("which specific ...").
"""

from __future__ import annotations

import re
from enum import Enum

from ..lang.text import FILLER_WORDS


class AnswerType(Enum):
    ANY = "any"
    TIME = "time"
    DATE = "date"
    COUNT = "count"
    PLACE = "place"
    VENUE = "venue"
    REASON = "reason"
    PERSON = "person"


_TIME_QUESTION = re.compile(
    r"\b(when|what year|which year|what date|which date|since when|how long ago|what time|"
    r"in what year|what month|which month)\b|언제|몇\s?년|몇\s?월|연도|년도",
    re.IGNORECASE,
)
# A calendar day, not just a year or a period: "on what date", "the exact day", "며칠".
_DATE_QUESTION = re.compile(
    r"\b(?:what|which|exact|precise|specific|actual|official|the)\s+(?:calendar\s+)?(?:date|day)\b"
    r"|\bdate\s+(?:of|when|on)\b|날짜|며칠|일자",
    re.IGNORECASE,
)
# (Korean "어디에" is as often "in what" as "where", so it is left out.)
_PLACE_QUESTION = re.compile(r"^\W*(?:where|from where|in what place)\b", re.IGNORECASE)
# "Where in Korea ...": a place within a place, finer than a country.
_VENUE_QUESTION = re.compile(r"^\W*where\s+(?:exactly\s+)?in\b(?!\s+the\s+world)", re.IGNORECASE)
_REASON_QUESTION = re.compile(
    r"^\W*(?:why|how come|for what reason|what(?:'s| is| was) the reason)\b|\bwhy\b[^?]*\?\W*$|왜",
    re.IGNORECASE,
)
# "number of members" is a count; "the number of the resolution" is its name.
# "How much money" is a count; "how much influence" asks for a degree, in words.
_COUNT_QUESTION = re.compile(
    r"\b(how many|how much(?=\s+(?:\w+\s+){0,2}?(?:money|cost|costs|budget|funding|funds|spend|spent|"
    r"dollars|won|pay|paid|time|people|staff)\b|\W*$|\s+(?:is|was|does|did|will)\b)|"
    r"number of(?!\s+(?:the|this|that|its|their)\b)|headcount|count of)\b"
    r"|몇\s?(?:명|개|개국|곳|나라)|얼마나\s?많",
    re.IGNORECASE,
)
# "What position did Korea take *when* it joined?": a "when" clause inside a question
# that already asks "what", "which", "who" or "how" is a conjunction, not the question.
# So is one in a yes/no question ("Is X one of the texts Korea upheld *when* it came
# in?") and one that opens a clause before the real question ("When Korea joined, which
# documents did it pledge to support?"), but not "Do you know when ...".
_WHEN_CONJUNCTION = re.compile(
    r"^\W*(?:what|which|who|whom|whose|how|where|why)\b[^?]*?\bwhen\b"
    r"|^\W*(?:is|are|was|were|does|do|did|has|have|can|could|will|would|should)\b"
    r"(?![^?]*\b(?:know|tell|say|remember|find out|ask)\w*\s+(?:me\s+|us\s+)?when\b)[^?]*?\bwhen\b"
    r"|\bwhen\b[^?,]*,\s*(?:what|which|who|whom|how|where|why)\b",
    re.IGNORECASE,
)

_MONTHS = "january|february|march|april|may|june|july|august|september|october|november|december"
_TIME_ANSWER = re.compile(
    rf"\b(1[89]\d\d|20\d\d|\d+(st|nd|rd|th)|{_MONTHS}|recent(ly)?|upcoming|today|yesterday|"
    r"initially|now|currently|after|before|since)\b",
    re.IGNORECASE,
)
_DATE_ANSWER = re.compile(
    rf"\b\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?(?:{_MONTHS})\b|\b(?:{_MONTHS})\s+\d{{1,2}}(?:st|nd|rd|th)?\b"
    r"|\b\d{4}-\d\d-\d\d\b|\d{1,2}월\s*\d{1,2}일",
    re.IGNORECASE,
)
# Where something is or happens, in the words of an answer: a place noun, or "in", "at"
# or "from" before a capitalized name that does not start the sentence. A country's name
# alone is not enough: the subject of a document is rarely a place.
_PLACE_ANSWER = re.compile(
    r"\b(?:abroad|at home|overseas|worldwide|globally|country|countries|city|cities|capital|region|"
    r"venue|headquarter(?:s|ed)?|based in|held in|located|took place)\b|\b(?:in|at|from)\s+(?:the\s+)?[A-Z][a-z]+",
)
# A reason or a purpose, in the words of an answer ("because of", "to champion", "aims").
_REASON_ANSWER = re.compile(
    r"\b(?:because|since|due to|thanks to|as a result|so that|in order to|aims?|aimed|goal|"
    r"purpose|reason|so as to|to [a-z]+)\b",
    re.IGNORECASE,
)
_PLACE_NOUNS = re.compile(r"\b(?:abroad|overseas|worldwide|globally)\b", re.IGNORECASE)
_VENUE_ANSWER = re.compile(
    r"\b(?:city|cities|capital|venue|region|province|district|town|headquarter(?:s|ed)?|located)\b",
    re.IGNORECASE,
)
_NUMBER_WORDS = (
    "one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|dozen|dozens|hundred|"
    "hundreds|thousand|thousands|several|thirty|forty"
)
# A cardinal number: digits not glued to "/" (41/11 is a name) nor an ordinal suffix.
_COUNT_ANSWER = re.compile(rf"(?<![/\d])\b\d+\b(?![/\d]|st|nd|rd|th)|\b({_NUMBER_WORDS})\b", re.IGNORECASE)


# "Who ..." asks for a person or a body; "whose" and "who is X" too. Not "who else".
_PERSON_QUESTION = re.compile(r"^\W*(?:who|whom|whose)\b(?!\s+else)|누구|누가", re.IGNORECASE)
# A person or a body, in the words of an answer: a title before a name, or two or more
# capitalized words together that do not open the sentence.
_PERSON_ANSWER = re.compile(
    r"\b(?:Mr|Ms|Mrs|Dr|Prof)\.?\s+[A-Z]|(?<=[a-z,;:] )(?:[A-Z][a-z]+)(?:\s+(?:of\s+|for\s+|the\s+)?[A-Z][a-z]+)+"
    r"|\b(?:minister|president|director|chair|chairs|chaired|secretary|spokesperson|head|ministry|office|"
    r"government|governments|committee|council|panel|board|agency|led by|signed by)\b",
)


def question_type(question: str) -> AnswerType:
    """The type of answer ``question`` asks for (ANY when it cannot tell)."""
    if _COUNT_QUESTION.search(question):
        return AnswerType.COUNT
    if _DATE_QUESTION.search(question):
        return AnswerType.DATE
    time = _TIME_QUESTION.search(question)
    if time and not (time.group().lower() == "when" and _WHEN_CONJUNCTION.search(question)):
        return AnswerType.TIME
    if _VENUE_QUESTION.search(question):
        return AnswerType.VENUE
    if _PLACE_QUESTION.search(question):
        return AnswerType.PLACE
    if _REASON_QUESTION.search(question):
        return AnswerType.REASON
    if _PERSON_QUESTION.search(question):
        return AnswerType.PERSON
    return AnswerType.ANY


def can_answer(kind: AnswerType, text: str) -> bool:
    """Whether ``text`` holds an answer of ``kind``."""
    if kind is AnswerType.TIME:
        return _TIME_ANSWER.search(text) is not None
    if kind is AnswerType.DATE:
        return _DATE_ANSWER.search(text) is not None
    if kind is AnswerType.PLACE:
        return _PLACE_ANSWER.search(text) is not None or _PLACE_NOUNS.search(text) is not None
    if kind is AnswerType.VENUE:
        return _VENUE_ANSWER.search(text) is not None
    if kind is AnswerType.REASON:
        return _REASON_ANSWER.search(text) is not None
    if kind is AnswerType.PERSON:
        return _PERSON_ANSWER.search(text) is not None
    if kind is AnswerType.COUNT:
        return any(not _is_year(m.group()) for m in _COUNT_ANSWER.finditer(text))
    return True


def _is_year(token: str) -> bool:
    return token.isdigit() and len(token) == 4 and token[:2] in ("19", "20")


# "Which city ...", "What budget ...", "What is the name of ...", "How many people ...":
# the phrase that names what is asked for; its last word is the noun ("Which Korean
# city will ..." asks for a city).
_FOCUS = re.compile(
    r"^\W*(?:(?:in|at|on|for|from|of|to|by|with|under)\s+)?(?:(?:which|what)\s+(?:kind\s+of\s+|type\s+of\s+|sort\s+of\s+)?(?!is\b|are\b|was\b|were\b|does\b|do\b|did\b"
    r"|will\b|would\b|can\b|could\b|should\b|has\b|have\b|had\b|about\b|if\b|else\b)(?P<a>[a-z]+(?:\s+[a-z]+){0,3})"
    r"|(?:what|which)\s+(?:is|was|are|were)\s+(?:the|its|their|his|her)\s+(?P<b>[a-z]+)\s+of\b"
    r"|how\s+(?:many|much)\s+(?P<c>[a-z]+))",
    re.IGNORECASE,
)
# Words that end the noun phrase after "which": verbs, auxiliaries, prepositions.
_PHRASE_END = frozenset(
    """is are was were be been does do did will would can could should shall may might must
    has have had of in on at for to from by with about as that than who which when where
    the a an its their his her this these those""".split()
)
# Nouns that only pick among things the text names ("which edition of the summit"):
# no kind of answer is asked for, so they are never an unknown focus.
_GENERIC_FOCUS = frozenset(
    """one ones edition editions version versions iteration round instance kind kinds type
    types sort sorts part parts aspect aspects thing things way ways item items specific
    particular exact individual precise certain""".split()
)


def focus_words(question: str) -> list[str]:
    """The words of the phrase a wh-question asks for, lowercased: ["korean", "city"] in
    "Which Korean city hosts ...". Without a tagger the noun cannot be told from its
    adjectives (or, in "which city hosts", from a verb), so the caller weighs them all."""
    match = _FOCUS.search(question.strip())
    if match is None:
        return []
    if match.group("a"):
        words: list[str] = []
        for word in match.group("a").lower().split():
            # A verb ends the phrase: an auxiliary, a past form, or a speech verb.
            if word in _PHRASE_END or word in FILLER_WORDS or (word.endswith("ed") and len(word) > 4):
                break
            words.append(word)
    else:
        words = [(match.group("b") or match.group("c") or "").lower()]
    return [w for w in words if w and w not in _GENERIC_FOCUS]


# "Which other countries ...", "Who else ...": the question asks beyond what it names.
_OTHERS_QUESTION = re.compile(
    r"\b(?:which|what|who|any|name)\s+(?:other|else)\b|\bother than\b", re.IGNORECASE
)
_OTHERS_ANSWER = re.compile(r"\b(?:other|others)\b", re.IGNORECASE)


# "Which specific sub-groups ...": particular, named things are asked for.
_SPECIFIC_QUESTION = re.compile(
    r"\b(?:which|what|name)\s+(?:the\s+)?(?:specific|particular|individual)\b", re.IGNORECASE
)


def asks_for_specifics(question: str) -> bool:
    """Whether ``question`` asks for particular, named things ("which specific ...")."""
    return _SPECIFIC_QUESTION.search(question) is not None


def asks_for_others(question: str) -> bool:
    """Whether ``question`` asks for things besides those it names ("which other ...")."""
    return _OTHERS_QUESTION.search(question) is not None


def names_others(text: str) -> bool:
    """Whether ``text`` speaks of others at all (an answer to "which other ..." must)."""
    return _OTHERS_ANSWER.search(text) is not None


# "published by the FOC on 29 August 2023": the date of the document, not of what it
# reports. Such a date answers "when was it published", not "when did Korea join".
_PUBLICATION_DATE = re.compile(
    rf"\b(?:published|publication|dated|released|posted|issued)\b[^.]{{0,80}}?\b(?:on|in)\s+"
    rf"(?:\d{{1,2}}\s+(?:{_MONTHS})\s+\d{{4}}|\d{{4}}-\d\d-\d\d|(?:{_MONTHS})\s+\d{{1,2}},?\s+\d{{4}}|"
    rf"(?:{_MONTHS})\s+\d{{4}}|\d{{4}})",
    re.IGNORECASE,
)
_PUBLICATION_QUESTION = re.compile(
    r"\b(?:publish\w*|publication|release[ds]?|post(?:ed)?|issued?|dated|press|announce\w*|"
    r"announcement|statement|news|article|document)\b|발표|게시|공개|보도",
    re.IGNORECASE,
)


def without_publication_dates(text: str) -> str:
    """``text`` without the phrases that date the document itself."""
    return _PUBLICATION_DATE.sub(" ", text)


def asks_about_publication(question: str) -> bool:
    """Whether ``question`` is about the document itself (its publication, its date)."""
    return _PUBLICATION_QUESTION.search(question) is not None
