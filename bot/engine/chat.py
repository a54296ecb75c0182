"""The chat around a question: what to set aside before matching it.

People on Discord wrap their questions: "hey all, quick question: sorry if this is dumb
but is Korea in the FOC now, or was that a rumor? lol". The matcher weighs every word it
does not know heavily (that is how it notices near-topic questions), so the wrapping
would make it abstain. :func:`question_focus` keeps the asking sentences of a longer
message; :func:`strip_chat` then drops, word by word, what is chat rather than topic:
greetings, lead-ins, chat digits, small counts, pointers to the document, the
alternative of a yes/no question. Words arrive normalized (:func:`bot.lang.text.normalize`).
"""

from __future__ import annotations

import re

from ..lang.text import FILLER_WORDS, STOPWORDS, normalize

_GREETING_TIMES = frozenset("morning afternoon evening day night".split())


def drop_greetings(words: list[str]) -> list[str]:
    """The words without greetings that only look like content ("good evening")."""
    if "good" not in words:
        return words
    out: list[str] = []
    skip = False
    for word, following in zip(words, [*words[1:], ""], strict=True):
        if skip:
            skip = False
            continue
        if word == "good" and following in _GREETING_TIMES:
            skip = True
            continue
        out.append(word)
    return out


_TEXT_SPEAK_DIGITS = {"2": "to", "4": "for"}


def text_speak_digits(words: list[str]) -> list[str]:
    """Chat digits: in "pledge 2 support", "summit 4 democracy" or "stand 4", a lone 2 or
    4 after a word (and before another, or last) is a preposition, not a number."""
    if "2" not in words and "4" not in words:
        return words
    out = list(words)
    for index in range(1, len(words)):
        following = words[index + 1] if index + 1 < len(words) else "end"
        # ... but "2 things", "4 members": a number before a plural.
        plural = following.endswith("s") and len(following) > 3
        if (
            words[index] in _TEXT_SPEAK_DIGITS
            and words[index - 1].isalpha()
            and following.isalpha()
            and not plural
        ):
            out[index] = _TEXT_SPEAK_DIGITS[words[index]]
    return out


# "in this text", "according to the quote", "per the announcement": where the asker read
# it, not what they ask about.
_META_PLACES = frozenset("text announcement article document statement post quote quotation release".split())
_META_LEADS = (("in",), ("according", "to"), ("per",), ("from",))


def drop_meta_references(words: list[str]) -> list[str]:
    """The words without a phrase that points at the document itself ("in this text",
    "according to the quote"), unless that is all there is."""
    if not _META_PLACES.intersection(words):
        return words
    out: list[str] = []
    index = 0
    while index < len(words):
        for lead in _META_LEADS:
            end = index + len(lead)
            if (
                tuple(words[index:end]) == lead
                and words[end : end + 1] in (["the"], ["this"], ["that"])
                and words[end + 1 : end + 2]
                and words[end + 1] in _META_PLACES
            ):
                index = end + 2
                break
        else:
            out.append(words[index])
            index += 1
    return out if out else words


# How people lead into a question in chat ("sorry if this is dumb but", "quick question",
# "does anyone know", "I read that"): none of it is what they ask about.
_CHAT_LEADS = re.compile(
    r"\b(?:"
    r"sorry (?:if this is (?:a )?(?:dumb|stupid|silly|basic|naive|obvious) (?:question )?(?:but )?|to bother (?:you )?(?:but )?)"
    r"|(?:quick|random|dumb|stupid|silly|simple|basic) question"
    r"|(?:does|do|would|did) (?:anyone|anybody|someone|somebody|any of you|you guys|you) (?:happen to )?know"
    r"|(?:can|could|would) (?:someone|somebody|anyone|anybody|you|u) (?:please |pls |plz )?"
    r"(?:tell me|remind me|explain(?: to me)?|help me understand|clarify|confirm|check)"
    r"|i (?:read|heard|saw|noticed|remember) (?:somewhere |online |in the news )?(?:that )?"
    r"|i (?:keep seeing|have no idea|know(?: that)?|think|m not sure|am not sure|m confused|am confused|m curious|am curious"
    r"|was wondering|m wondering|am wondering|d like to know|want to know|need to know)"
    r"|just (?:curious|wondering|checking)"
    r"|(?:im|i m|i am) (?:writing|working on|doing) (?:a |an |my )?\w+ (?:and|so) (?:i )?(?:need|want)(?: to know)?"
    r"|(?:im|i m|i am) (?:interested in|curious about|asking about|looking for)"
    r"|i need (?:the|a|an) (?:name|answer|info|details|number|date)"
    r"|(?:cant|can t|cannot|couldnt) find (?:it|that|this|anything)(?: anywhere)?"
    r"|trying to (?:get (?:the |this |it )?(?:\w+ )?straight|figure out|understand)"
    r"|or nah|or not|at all|in terms of"
    r"|(?:genuine|honest|serious|real|quick) (?:question|check|q)"
    r"|(?:my|our) (?:prof|professor|teacher|boss|friend|mom|dad|colleague|classmate|notes?)s? "
    r"(?:asked|asks|wants to know|swears|says|said|say)(?: us| me| that)?"
    r"|asking for (?:a friend|my \w+)"
    r"|(?:tbh |honestly )?i (?:dont|don t|do not) (?:really )?(?:get|understand|know)"
    r"|(?:im|i m|i am) (?:a bit |kinda |so |totally |completely )?(?:lost|confused)"
    r"|my brain is fried|(?:total |complete )?(?:newbie|noob|beginner) here"
    r"|would (?:be )?(?:super |really |very |so )?(?:helpful|appreciated|great|nice)"
    r"|(?:i d|id|i would|would) (?:really )?love to know(?: if| whether)?"
    r"|i (?:wonder|was wondering)(?: if| whether)?|(?:does )?anyone know"
    r"|(?:thanks|thx|ty) in advance|if you have (?:it|them|that)|is that (?:legit|true|right|correct)"
    r")\b"
)


_INTERJECTIONS = frozenset("ok okay so and but wait hey yo lol well um uh oh hmm like hi hello bot".split())


def drop_chat_leads(words: list[str]) -> list[str]:
    """The words without the lead-ins of chat ("quick question", "does anyone know") and
    the interjections a message opens with ("wait", "ok so")."""
    text = " ".join(words)
    stripped = _CHAT_LEADS.sub(" ", text)
    out = stripped.split() if stripped != text else words
    return out[_interjections(out[:-1]) :]


def _interjections(words: list[str]) -> int:
    """How many interjections ("wait", "ok so") ``words`` opens with."""
    count = 0
    while count < len(words) and words[count] in _INTERJECTIONS:
        count += 1
    return count


def main_verb_do(words: list[str]) -> list[str]:
    """ "What will Korea *do* as a member?", "what is it *doing*": "do" as the main verb
    of a what-question about the future or the present asks for activities (not "what
    does the minister do", which asks for a role)."""
    out = list(words)
    for index in range(len(words) - 2):
        if words[index] in ("what", "wat", "wht") and words[index + 1] in ("will", "would", "is", "are"):
            for later in range(index + 3, min(index + 7, len(words))):
                if words[later] in ("do", "doing"):
                    out[later] = "activities"
    return out


_AUXILIARIES = frozenset("is are was were does do did has have can could will would should".split())


def drop_alternative(words: list[str]) -> list[str]:
    """A yes/no question without its alternative: "did Korea take part in the 2023 summit
    *or is it only involved in the upcoming one*" asks whether the first is so."""
    start = _interjections(words)
    if start >= len(words) or words[start] not in _AUXILIARIES or "or" not in words[start + 3 :]:
        return words
    return words[: words.index("or", start + 3)]


_SMALL_COUNTS = frozenset("1 2 3 4 5 6 7 8 9 10 two three four five six seven eight nine ten".split())


def drop_small_counts(words: list[str]) -> list[str]:
    """The words without a small count before a plural: "what 2 things", "which three
    documents" say how many things the answer lists, not which; not a number to match."""
    return [
        word
        for index, word in enumerate(words)
        if not (
            word in _SMALL_COUNTS
            and index + 1 < len(words)
            and words[index + 1].endswith("s")
            and len(words[index + 1]) > 3
        )
    ]


def strip_chat(words: list[str]) -> list[str]:
    """Every word-level pass of this module, in order."""
    words = drop_chat_leads(drop_greetings(words))
    words = drop_alternative(drop_meta_references(drop_small_counts(text_speak_digits(words))))
    return main_verb_do(words)


# -- the question inside a chat message -------------------------------------------------

_SEGMENT_BREAK = re.compile(r"(?<=[.!?])\s+|\s*[:;]\s+|\s+[-\u2013\u2014]+\s+|\s*\n+\s*|(?<=\?)(?=\S)")
# The words a question opens with.
_OPENERS = (
    "what|which|who|whom|whose|when|where|why|how|is|are|was|were|do|does|did|has|have|had|"
    "can|could|will|would|should"
)
_ASKS = re.compile(
    rf"^\W*(?:(?:ok(?:ay)?|so|and|but|also|hey|hi|lol|wait|um+|uh+|well|like)\W+)*(?:{_OPENERS}|tell|explain|name|list|give)\b"
    r"|누구|무엇|뭐|언제|어디|왜|어떻게|몇|어느|무슨",
    re.IGNORECASE,
)
_BUT_LEAD = re.compile(rf"^.*?\bbut\s+(?=(?:{_OPENERS})\b)", re.IGNORECASE)
_POINTS_BACK = re.compile(
    r"\b(?:it|its|they|them|their|theirs|that|this|these|those|he|him|his|she|her)\b", re.I
)
# Below this many words a message is kept whole: "Ottawa Agenda. Korea?" is all topic.
_CHATTY_WORDS = 8


def _content(segment: str) -> bool:
    return any(
        w not in STOPWORDS and w not in FILLER_WORDS and len(w) > 2 for w in normalize(segment).split()
    )


def _is_question(segment: str) -> bool:
    return _content(segment) and (segment.rstrip().endswith("?") or _ASKS.search(segment) is not None)


# An indirect question inside a statement: "nobody knows *how many countries are in it*",
# "I wonder *which country it was*".
_EMBEDDED = re.compile(
    r"(?<=\w)\W+(?=(?:how many|how much|how long|what|which|who|whom|when|where|why|whether)\b)", re.I
)


def _embedded_question(segment: str) -> str | None:
    match = _EMBEDDED.search(segment)
    if match is None:
        return None
    rest = segment[match.end() :]
    return rest if _content(rest) else None


# Mentions of users, roles and channels ("@FOCbot", "<@123>", "#general").
_MENTIONS = re.compile(r"<[@#][!&]?\d+>|(?<!\w)[@#][\w.-]+")


def question_focus(text: str) -> str:
    """The question inside a chat message: its asking sentences, without the chat around
    them ("hey all, I was skimming the news. *When did Korea join?* thanks in advance")
    or a lead-in before "but" ("not sure this is the right channel but *how many ...*").
    Short messages, and messages that ask nothing recognizable, are kept whole; mentions
    are dropped from all."""
    text = _MENTIONS.sub(" ", text).strip()
    if len(text.split()) < _CHATTY_WORDS:
        return text
    segments = [s for s in _SEGMENT_BREAK.split(text) if s and s.strip()]
    if not any(_is_question(s) for s in segments):
        # No sentence asks: an indirect question inside one may ("nobody knows how many").
        segments = [_embedded_question(s) or s for s in segments]
    kept: list[str] = []
    for index, segment in enumerate(segments):
        if not _is_question(segment):
            continue
        # "Helsinki and Ottawa - does Korea support *them*?": the sentence before says
        # what the question's pronoun stands for.
        if index and _POINTS_BACK.search(segment) and segments[index - 1] not in kept:
            kept.append(segments[index - 1])
        kept.append(segment)
    focus = " ".join(kept) if kept else text
    return _BUT_LEAD.sub("", focus) or focus
