"""A question, analysed: its weighted words and its shape, worked out once per ask.

1. The question inside the message is kept (:func:`bot.engine.chat.question_focus`)
   and the chat around it set aside (:func:`bot.engine.chat.strip_chat`).
2. Words are normalized, misspellings of knowledge words corrected
   (:class:`bot.engine.vocabulary.Vocabulary`), synonyms applied, stopwords dropped.
3. Each remaining token becomes a :class:`Slot` weighing its inverse document frequency
   in the index. A word the knowledge never uses weighs like a rare one; a name or a
   number it never uses like its rarest: such words are what make a question differ
   from what the knowledge covers ("prime minister", "Japan", "39th"). Chat filler
   weighs little.
4. The :class:`Shape` records what the question asks for beyond its words (a time, a
   count, a place, others than it names, the document's names ...), for the features.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import pairwise

from ..lang.korean import STOPWORDS_KO, has_hangul, is_hangul_word, language
from ..lang.text import FILLER_WORDS, STOPWORDS, has_digit, normalize, stem
from .answer_types import (
    AnswerType,
    asks_about_publication,
    asks_for_others,
    asks_for_specifics,
    focus_words,
    question_type,
)
from .chat import drop_chat_leads, drop_greetings, question_focus, strip_chat
from .index import Index
from .vocabulary import QUESTION_WORDS, split_words, word_tokens

# Term weights of words the index does not hold: a name or number weighs a little more
# than the rarest known word, any other word like a fairly rare one (the 75th
# percentile); Korean syllable pairs the index lacks are often verb endings and weigh
# half that; filler a third.
_UNKNOWN_NAME_BOOST = 1.15
_HANGUL_UNKNOWN_SHARE = 0.5
_FILLER_SHARE = 0.35
_QUESTION_WORD_WEIGHT = 0.5
# Words that move a question to another time or person than the text's.
SHIFT_TOKENS = frozenset(
    stem(w)
    for w in """before previous previously former formerly prior predecessor successor next
    later earlier future upcoming""".split()
)
# Asked-for nouns that want a country (or countries) as the answer.
_COUNTRY_FOCUS = frozenset("country countries nation nations state states".split())
# Only names rarer than this IDF count as the documents' names a question asks about.
_NAME_MIN_IDF = 2.0
_CAPITALIZED = re.compile(r"(?<![.!?]\s)(?<!^)\b[A-Z][a-z]+\b")
_LOWER_LATIN = re.compile(r"[a-z]")
_UPPER_LATIN = re.compile(r"[A-Z]")
# Two or more words in capitals side by side are shouted, not acronyms.
_SHOUTED = re.compile(r"\b[A-Z]{2,}(?:\s+[A-Z]{2,})+\b")
_ACRONYM = re.compile(r"\b[A-Z]{2,6}\b")
_NAME_PHRASE = re.compile(r"(?<![.!?]\s)(?<!^)\b[A-Z][a-z]+(?:\s+[A-Z][a-z]+)+\b")


@dataclass(frozen=True, slots=True)
class Slot:
    """One meaningful token of a question, its weight, and how sure its spelling is."""

    token: str
    weight: float
    sure: float = 1.0
    known: bool = True
    name: bool = False  # written as a name (capitalized, an acronym) or a number
    filler: bool = False  # chat filler: no evidence of what is asked
    hangul: bool = False


@dataclass(frozen=True, slots=True)
class Shape:
    """What a question asks for, beyond its words."""

    wanted: AnswerType
    about_publication: bool  # the document's own date counts as an answer
    numbers: tuple[str, ...]
    shifts: tuple[str, ...]
    asked: frozenset[str]
    unknown_focus: bool
    focus: tuple[frozenset[str], ...]  # the tokens of each word of the asked-for phrase
    unknown_name: bool
    others: bool
    specific: bool
    countries: frozenset[frozenset[str]]  # the countries the question names
    wants_country: bool  # "which countries ...": the answer must name another
    names: tuple[str, ...]  # tokens of the documents' names the question uses
    yes_no: bool


@dataclass(frozen=True, slots=True)
class Query:
    """A question prepared for scoring."""

    text: str  # the asking part of the message
    slots: tuple[Slot, ...]
    lang: str
    total: float
    words: tuple[str, ...]  # every word, synonyms applied (see Unit.words)
    shape: Shape
    chat: bool  # the message held more than its asking part


_YES_NO = re.compile(
    r"^\W*(?:is|are|was|were|does|do|did|has|have|had|can|could|will|would|should)\b", re.IGNORECASE
)


def analyse(index: Index, message: str, max_chars: int) -> Query | None:
    """The question in ``message`` as a :class:`Query`, or None when nothing is left."""
    message = message[:max_chars]
    question = question_focus(message)
    slots, words = _slots(index, question)
    if not slots:
        return None
    vocab = index.vocabulary
    # The shape is read without the chat a question opens with ("hey bot, which ...").
    unwrapped = " ".join(drop_chat_leads(drop_greetings(normalize(question).split())))
    focus_phrase = focus_words(unwrapped)
    focus = [tokens for tokens in (vocab.tokens_of([w]) for w in focus_phrase) if tokens]
    tokens = frozenset(slot.token for slot in slots)
    asked = unwrapped + ("?" if question.rstrip().endswith("?") else "")
    shape = Shape(
        wanted=question_type(asked),
        about_publication=asks_about_publication(question),
        numbers=tuple(slot.token for slot in slots if has_digit(slot.token)),
        shifts=tuple(slot.token for slot in slots if slot.token in SHIFT_TOKENS),
        asked=tokens,
        unknown_focus=any(all(t not in index.idf for t in group) for group in focus),
        focus=tuple(frozenset(group) for group in focus),
        unknown_name=any(slot.name and not slot.known and not has_digit(slot.token) for slot in slots),
        others=asks_for_others(asked),
        specific=asks_for_specifics(asked),
        countries=index.countries_in(tokens),
        wants_country=any(w in _COUNTRY_FOCUS for w in focus_phrase),
        names=tuple(
            slot.token
            for slot in slots
            if slot.token in index.name_tokens and index.idf.get(slot.token, 0.0) >= _NAME_MIN_IDF
        ),
        yes_no=_YES_NO.search(asked) is not None,
    )
    total = sum(slot.weight for slot in slots)
    return Query(
        text=question,
        slots=tuple(slots),
        lang=language(message),
        total=total,
        words=words,
        shape=shape,
        chat=normalize(question) != normalize(message),
    )


def _slots(index: Index, question: str) -> tuple[list[Slot], tuple[str, ...]]:
    """The question as weighted slots, and its words as Unit.words has a phrasing's."""
    vocab = index.vocabulary
    words = strip_chat(split_words(normalize(question)))
    plain = tuple(vocab.canonical(words))
    # Capitalized words inside a mixed-case sentence are names; a question typed in all
    # capitals or all lower case tells nothing either way.
    has_lower = _LOWER_LATIN.search(question) is not None
    latin = has_lower or _UPPER_LATIN.search(question) is not None
    mixed_case = has_lower and _UPPER_LATIN.search(question) is not None
    names = {normalize(w) for w in _CAPITALIZED.findall(question)} if mixed_case else set()
    # An acronym in a mixed-case question, or among Korean words, is a name, never a typo.
    acronyms = (
        {normalize(w) for w in _ACRONYM.findall(_SHOUTED.sub(lambda m: m.group().lower(), question))}
        if mixed_case or (latin and has_hangul(question))
        else set()
    )
    names |= acronyms
    if mixed_case:
        # A name of several capitalized words that the knowledge never writes together
        # ("United States") is one unknown name, whatever its words mean apart.
        for phrase in _NAME_PHRASE.findall(question):
            parts = normalize(phrase).split()
            if len(parts) > 1 and any(not vocab.together(a, b) for a, b in pairwise(parts)):
                merged = "".join(parts)
                words = _replace_run(words, parts, merged)
                names.add(merged)
                acronyms.add(merged)  # never "corrected" either
    corrected: list[str] = []
    confidence: dict[str, float] = {}
    for position, word in enumerate(words):
        fixed, sure = (word, 1.0) if word in acronyms else vocab.correct(word)
        if fixed == word and word not in vocab.known and word not in acronyms:
            before = corrected[-1] if corrected else None
            after = vocab.correct(words[position + 1])[0] if position + 1 < len(words) else None
            fixed, sure = vocab.correct_in_context(word, before, after)
        corrected.extend(fixed.split())
        if sure < 1.0:
            confidence[fixed] = min(sure, confidence.get(fixed, 1.0))
    canonical = vocab.canonical(corrected)
    asked = frozenset(t for w in canonical for t in word_tokens(w))
    unknown_word = index.idf_q75
    unknown_name = index.max_idf * _UNKNOWN_NAME_BOOST
    # Korean puts the predicate last: an unknown last word is mostly a verb or copula
    # ending the bigrams cannot strip (회원국이야, 머야), weak evidence either way.
    last_hangul = next((w for w in reversed(canonical) if is_hangul_word(w)), None)
    slots: dict[str, Slot] = {}
    for word in canonical:
        if word in QUESTION_WORDS and word not in acronyms:
            # A light preference for phrasings asking the same way ("why" vs "does").
            token = QUESTION_WORDS[word]
            if token not in slots and token in index.idf:
                slots[token] = Slot(token, _QUESTION_WORD_WEIGHT, filler=True)
            continue
        if (word in STOPWORDS or word in STOPWORDS_KO) and word not in acronyms:
            continue  # ("US" is a country, "us" a pronoun.)
        hangul = is_hangul_word(word)
        if len(word) == 1 and not hangul and not has_digit(word):
            continue  # "n", "u", "y": chat shorthand, never a topic
        if (
            not hangul
            and len(word) <= 2
            and word not in vocab.known
            and word not in names
            and not has_digit(word)
        ):
            continue  # unknown one- and two-letter scraps ("fr", "u") carry no meaning
        sure = confidence.get(word, 1.0)
        is_name = word in names or has_digit(word)
        for token in word_tokens(word):
            if token in slots:
                continue
            known = index.idf.get(token)
            bound = index.name_bound.get(token)
            if bound is not None and word not in names and not bound.fits(word, asked):
                # "founded" is not the "Founding" of "Founding Declaration": the word is
                # as unknown as any other the knowledge does not use.
                token, known = f"{word}\u00a7", None
                if token in slots:
                    continue
            filler = word in FILLER_WORDS
            if known is not None:
                weight = min(known, unknown_word) * _FILLER_SHARE if filler else known
                slots[token] = Slot(token, weight, sure, True, is_name, filler, hangul)
                continue
            if hangul:
                # A two-syllable word the knowledge never uses is most often a noun, often
                # a name (일본); longer words' pairs are often endings.
                weight = unknown_word * (
                    _HANGUL_UNKNOWN_SHARE if len(word) > 2 or word == last_hangul else 1.0
                )
            elif filler:
                weight = unknown_word * _FILLER_SHARE
            elif is_name:
                weight = unknown_name
            else:
                weight = unknown_word
            slots[token] = Slot(token, weight, sure, False, is_name, filler, hangul)
    return list(slots.values()), plain


def _replace_run(words: list[str], run: list[str], merged: str) -> list[str]:
    """``words`` with each occurrence of the consecutive ``run`` replaced by ``merged``."""
    out: list[str] = []
    i = 0
    while i < len(words):
        if words[i : i + len(run)] == run:
            out.append(merged)
            i += len(run)
        else:
            out.append(words[i])
            i += 1
    return out
