"""The answer engine: match a question to the best curated entry or fact card.

How a question is scored, and why:

1. It is normalized (:func:`bot.lang.text.normalize`). Words the knowledge does not use
   are looked at once more: two known words run together are split ("subgroups"), a
   short typo of a function word becomes it ("teh"), and a non-word is corrected to the
   closest word the knowledge uses (rapidfuzz; never a real English word, an acronym or
   a word with digits, so "prime" stays "prime" and "39th" is not "fixed" into "38th").
   A real word is corrected only one letter away and next to a word the knowledge
   writes beside the correction ("park jinn" is Park Jin, "the minster" the minister).
   Synonyms are applied (South Korea -> korea), stopwords dropped, the rest stemmed;
   Korean loses its particles and verb endings and is split into syllable pairs.
2. Each remaining token weighs its inverse document frequency over the knowledge: rare,
   informative words (ICCPR, Helsinki, 41/11) count more than common ones (korea). A
   word the knowledge never uses weighs a lot: it is usually what makes a question
   different from what the knowledge covers ("prime minister", "Japan", "39th"); names
   and numbers weigh the most, filler verbs ("came", "commented") little.
3. Each entry (question, alternates, answer, in both languages, and its quote) and each
   fact card is scored by how much of the question's weight it covers, as a whole and
   in its best phrasing, refined by how much of that phrasing the question covers.
   Fact cards are discounted so a curated answer wins over the sentence it was written
   from, and phrasings in the other language than the question's count less.
4. The question's shape is checked against the match (see :meth:`Matcher._penalty`):
   "when" needs a time in the answer, "on what date" a calendar day, "how many" a
   number, "where" a place, "why" a reason; "which other", "which countries" and "which specific" need
   an answer that names something the question does not; a number or a name of the
   documents that the question names must be in the match. An asked-for noun or a name
   the knowledge never uses ("Which city ...", "according to Japan"), a word the
   documents use only inside a name used outside it ("Who *founded* the FOC?" against
   the *Founding* Declaration, see :mod:`bot.engine.names`), an answer that only repeats
   the question, or too little evidence lower the score.
5. Below the configured threshold the engine abstains and offers suggestions.

Scoring is exact but lazy: entries are ranked by an upper bound of their score, and
phrasings are scored only while an entry can still reach the top.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import pairwise

from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA

from ..knowledge.model import Entry, FactCard, Knowledge
from ..lang.korean import STOPWORDS_KO, bigrams, has_hangul, is_hangul_word, language, strip_particle
from ..lang.text import FILLER_WORDS, STOPWORDS, english_words, has_digit, normalize, stem
from .answer import Answer, Suggestion
from .answer_types import (
    AnswerType,
    asks_about_publication,
    asks_for_others,
    asks_for_specifics,
    can_answer,
    focus_words,
    names_others,
    question_type,
    without_publication_dates,
)
from .chat import question_focus, strip_chat
from .names import name_bound_words, name_tokens, names_in

# How a match is scored (see Matcher.rank): coverage of the question's weight by the
# best phrasing and by the whole entry, blended; then refined by how much of the best
# phrasing the question covers.
_UNIT_SHARE = 0.3
_PHRASING_FLOOR = 0.8
# The entry's answer text is a weaker phrasing than a question people ask.
_ANSWER_WEIGHT = 0.9
# Unknown words: a name or number the knowledge never uses ("Japan", "39th") weighs
# more than its rarest word; any other unknown word weighs like a fairly rare one.
_UNKNOWN_NAME_BOOST = 1.15
_UNKNOWN_WORD_QUANTILE = 0.75
# Spelling correction: minimum similarity (0-100) and shortest word corrected.
_CORRECTION_CUTOFF = 80.0
_CORRECTION_MIN_LEN = 3
# A match that cannot give the kind of answer asked for ("when" without a time).
_WRONG_TYPE_FACTOR = 0.5
# Below this much matched weight (sum of IDF) a match is too vague to be sure of.
_MIN_EVIDENCE = 2.0
_WEAK_EVIDENCE_FACTOR = 0.6
# An answer whose words are all in the question.
_NOTHING_NEW_FACTOR = 0.5
# Words that move a question to another time or person than the text's.
_SHIFT_TOKENS = frozenset(
    stem(w)
    for w in """before previous previously former formerly prior predecessor successor next
    later earlier future upcoming""".split()
)
_SHIFT_FACTOR = 0.7
# A question whose asked-for noun the knowledge never uses ("Which city ...").
_UNKNOWN_FOCUS_FACTOR = 0.7
# A match that names nobody else when the question asks "which other ...".
_NO_OTHERS_FACTOR = 0.6
# A match whose words the question shares sit by another number than the question's.
_OTHER_NUMBER_FACTOR = 0.7
_NUMBER_NEIGHBOURHOOD = 2  # tokens
# A match that mentions none of the names of the documents the question asks about; only
# names rarer than this IDF count (every item mentions Korea).
_MISSING_NAME_FACTOR = 0.7
_NAME_MIN_IDF = 2.0
# Asked-for nouns that want a country (or countries) as the answer.
_COUNTRY_FOCUS = frozenset("country countries nation nations state states".split())
# A question that names something the knowledge never mentions.
_UNKNOWN_NAME_FACTOR = 0.75
# A match that does not mention a number the question names.
_WRONG_NUMBER_FACTOR = 0.6
# A phrasing in the other language than the question's counts this much.
_OTHER_LANGUAGE_FACTOR = 0.85
# Unknown Hangul syllable pairs weigh this fraction of an unknown English word.
_HANGUL_UNKNOWN_FACTOR = 0.5
# An unknown filler word ("came", "lol") weighs this fraction of an unknown word.
_FILLER_FACTOR = 0.35
# Question words kept as light tokens: they tell "Why did Korea join?" from "Did Korea
# join?" without outweighing any content word.
_QUESTION_WORDS = {
    "why": "?why",
    "who": "?who",
    "whom": "?who",
    "when": "?when",
    "where": "?where",
    # What someone said, against who they are: "What did the minister say?"
    "say": "?say",
    "says": "?say",
    "said": "?say",
}
_QUESTION_WORD_WEIGHT = 0.5
_SHORT_STOPWORDS = tuple(sorted(w for w in STOPWORDS if 2 <= len(w) <= 5))
_CAPITALIZED = re.compile(r"(?<![.!?]\s)(?<!^)\b[A-Z][a-z]+\b")
_LOWER_LATIN = re.compile(r"[a-z]")
_UPPER_LATIN = re.compile(r"[A-Z]")
# Two or more words in capitals side by side are shouted, not acronyms ("SUMMIT FOR
# DEMOCRACY"): _unshout lowers them before acronyms are looked for.
_SHOUTED = re.compile(r"\b[A-Z]{2,}(?:\s+[A-Z]{2,})+\b")
# How sure a correction made from a neighbouring word is.
_CONTEXT_CORRECTION_SURE = 0.9
_ACRONYM = re.compile(r"\b[A-Z]{2,6}\b")
_NAME_PHRASE = re.compile(r"(?<![.!?]\s)(?<!^)\b[A-Z][a-z]+(?:\s+[A-Z][a-z]+)+\b")


@dataclass(frozen=True, slots=True)
class Candidate:
    """A scored match: an entry or fact card and the phrasing that matched best."""

    item: Entry | FactCard
    score: float
    phrasing: str

    @property
    def kind(self) -> str:
        return "qa" if isinstance(self.item, Entry) else "fact"


@dataclass(frozen=True, slots=True)
class _Slot:
    """One meaningful token of a question, its weight, and how sure its spelling is."""

    token: str
    weight: float
    sure: float = 1.0
    unknown_name: bool = False  # a name the knowledge never mentions ("Japan")
    filler: bool = False  # chat filler, weighed down: no evidence of what is asked


@dataclass(frozen=True, slots=True)
class _Shape:
    """What a question asks for, beyond its words (see Matcher._penalty)."""

    wanted: AnswerType
    about_publication: bool  # the document's own date counts as an answer
    numbers: tuple[str, ...]
    shifts: tuple[str, ...]
    asked: frozenset[str]
    unknown_focus: bool
    unknown_name: bool
    others: bool
    specific: bool
    countries: frozenset[frozenset[str]]  # the countries the question names
    wants_country: bool  # "which countries ...": the answer must name another
    names: tuple[str, ...]  # tokens of the documents' names the question uses


@dataclass(frozen=True, slots=True)
class _Profile:
    """What one item's answer (with its quote) can give, for the shape checks."""

    types: frozenset[AnswerType]  # the kinds of answer it holds (a time, a count ...)
    event_types: frozenset[AnswerType]  # the same, not counting the document's own date
    answer_tokens: frozenset[str]  # the answer's tokens
    said_tokens: frozenset[str]  # the answer's and the quote's tokens
    said_sequence: tuple[str, ...] | None  # in order, where two numbers of a kind appear
    names_others: bool  # it speaks of others ("other members")
    names: frozenset[str]  # tokens of the names it holds
    countries: frozenset[frozenset[str]]  # the known countries it names


@dataclass(frozen=True, slots=True)
class _Query:
    """A question prepared for scoring: its slots, and every item's bound, best first."""

    slots: list[_Slot]
    lang: str
    total: float
    covered: dict[int, float]
    bounds: list[tuple[float, int, float, bool]]  # (-bound, owner, penalty factor, weak)
    words: tuple[str, ...]  # every word of the question, synonyms applied (see _Unit)
    # Items already scored (owner -> best phrasing), when suggestions need a longer list.
    scored: dict[int, tuple[float, str, bool] | None] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class _Unit:
    owner: int  # index into Matcher._items
    text: str
    weight: float  # multiplier for this unit's score (answer text, fact card)
    tokens: frozenset[str]
    total: float  # sum of the unit's token weights
    lang: str  # "ko" for a Korean phrasing, else "en"
    words: tuple[str, ...]  # every word, synonyms applied: to tell the question itself


class Matcher:
    """Answers questions from one loaded :class:`Knowledge`; immutable once built."""

    def __init__(
        self,
        knowledge: Knowledge,
        *,
        threshold: float = 58.0,
        suggestions: int = 3,
        suggestion_floor: float = 30.0,
        fact_weight: float = 0.92,
        max_question_chars: int = 500,
    ) -> None:
        self.knowledge = knowledge
        self.threshold = threshold
        self.max_suggestions = suggestions
        self.suggestion_floor = suggestion_floor
        self.max_question_chars = max_question_chars
        self._items: list[Entry | FactCard] = [*knowledge.entries, *knowledge.facts]
        self._synonyms = _build_synonyms(knowledge.synonyms)
        self._synonym_span = max((len(k) for k in self._synonyms), default=1)
        self._synonym_starts = frozenset(k[0] for k in self._synonyms)

        texts: list[tuple[int, str, float]] = []
        for owner, item in enumerate(self._items):
            if isinstance(item, Entry):
                texts.extend((owner, p, 1.0) for p in item.phrasings)
                texts.append((owner, item.answer, _ANSWER_WEIGHT))
                if item.answer_ko:
                    texts.append((owner, item.answer_ko, _ANSWER_WEIGHT))
            else:
                texts.append((owner, item.text, fact_weight))
                texts.extend((owner, key, fact_weight) for key in item.keys)

        vocabulary: set[str] = set(STOPWORDS)
        for variants in knowledge.synonyms.values():
            for variant in variants:
                vocabulary.update(variant.split())
        vocabulary.update(knowledge.synonyms)
        token_sets: list[frozenset[str]] = []
        phrasing_words: list[tuple[str, ...]] = []  # synonyms applied: see _Unit.words
        # Adjacent word pairs the knowledge uses, to tell its names ("Media Freedom",
        # "Park Jin") from names it never mentions ("United States").
        self._pairs: set[tuple[str, str]] = set()
        for _, text, _ in texts:
            words = normalize(text).split()
            vocabulary.update(words)
            self._pairs.update(pairwise(words))
            canonical = self._canonical(words)
            phrasing_words.append(tuple(canonical))
            token_sets.append(frozenset(self._canonical_tokens(canonical)))
        for item in self._items:
            words = normalize(item.source.quote).split()
            self._pairs.update(pairwise(words))
        # The synonyms write names too ("South Korean" is Korea).
        for canonical, variants in knowledge.synonyms.items():
            for variant in (canonical, *variants):
                self._pairs.update(pairwise(normalize(variant).split()))
        # Words the documents use only inside names ("Founding" Declaration): see names.py.
        sentences = [s for doc in knowledge.documents.values() for s in doc.all_sentences()]
        self._name_bound = name_bound_words(sentences, self._tokens)
        # The tokens of names the documents use ("mfc", "iccpr", "helsink").
        self._name_tokens = name_tokens(sentences, self._tokens) | self._name_bound.keys()
        self._by_initial: dict[str, list[str]] = defaultdict(list)
        for word in sorted(w for w in vocabulary if not has_digit(w)):
            self._by_initial[word[0]].append(word)
        self._known = frozenset(vocabulary)

        # Document frequency counts items (an entry with all its phrasings is one).
        item_tokens: dict[int, set[str]] = defaultdict(set)
        for (owner, _, _), tokens in zip(texts, token_sets, strict=True):
            item_tokens[owner].update(tokens)
        for owner, item in enumerate(self._items):
            item_tokens[owner].update(self._tokens(normalize(item.source.quote).split()))
        df: dict[str, int] = defaultdict(int)
        for tokens in item_tokens.values():
            for token in tokens:
                df[token] += 1
        n = max(len(self._items), 1)
        self._idf = {t: math.log(1 + (n - d + 0.5) / (d + 0.5)) for t, d in df.items()}
        ranked_idf = sorted(self._idf.values()) or [1.0]
        self._unknown_name_weight = ranked_idf[-1] * _UNKNOWN_NAME_BOOST
        self._unknown_word_weight = ranked_idf[int(_UNKNOWN_WORD_QUANTILE * (len(ranked_idf) - 1))]
        # Which items hold each token anywhere (any phrasing, answer or quote).
        self._item_postings: dict[str, list[int]] = defaultdict(list)
        for owner, tokens in sorted(item_tokens.items()):
            for token in tokens:
                self._item_postings[token].append(owner)
        self._item_tokens = [frozenset(item_tokens[owner]) for owner in range(len(self._items))]

        self._units: list[_Unit] = []
        self._item_units: list[list[int]] = [[] for _ in self._items]
        for (owner, text, weight), tokens, words in zip(texts, token_sets, phrasing_words, strict=True):
            if not tokens:
                continue
            uid = len(self._units)
            total = math.fsum(self._idf[t] for t in tokens)  # exact: the same in any set order
            self._units.append(_Unit(owner, text, weight, tokens, total, language(text), words))
            self._item_units[owner].append(uid)
        # Per item, which of its units hold each token (positions in _item_units[owner]):
        # a question's few tokens then touch only the units that hold them.
        self._item_token_units: list[dict[str, tuple[int, ...]]] = []
        for units in self._item_units:
            holders: dict[str, list[int]] = defaultdict(list)
            for position, uid in enumerate(units):
                for token in self._units[uid].tokens:
                    holders[token].append(position)
            self._item_token_units.append({t: tuple(p) for t, p in holders.items()})
        self._item_weight = [
            max((self._units[u].weight for u in units), default=0.0) for units in self._item_units
        ]
        self._correct = lru_cache(maxsize=8192)(self._correct_uncached)
        # Country names the knowledge knows (the member records), each as its tokens.
        self._countries: tuple[frozenset[str], ...] = tuple(
            {
                frozenset(tokens)
                for member in (knowledge.members.members if knowledge.members else ())
                for name in (member.country, *member.aliases)
                if (tokens := self._tokens(normalize(name).split()))
            }
        )
        # What each item's answer (with its quote) can give: see _Profile.
        self._profiles = [self._profile(item) for item in self._items]

    def _profile(self, item: Entry | FactCard) -> _Profile:
        answer = item.answer if isinstance(item, Entry) else item.text
        text = f"{answer} {item.source.quote}"
        said = self._tokens(normalize(text).split())
        said_set = frozenset(said)
        # The order of the words is kept only where two numbers of a kind could be told
        # apart by the words around them (the 2023 and the 2024 summits).
        kinds = [_number_kind(t) for t in said_set if has_digit(t)]
        undated = without_publication_dates(text)
        return _Profile(
            types=frozenset(t for t in AnswerType if can_answer(t, text)),
            event_types=frozenset(t for t in AnswerType if can_answer(t, undated)),
            answer_tokens=frozenset(self._tokens(normalize(answer).split())),
            said_tokens=said_set,
            said_sequence=tuple(said) if len(kinds) != len(set(kinds)) else None,
            names_others=names_others(text),
            names=names_in(text, self._tokens),
            countries=self._countries_in(said_set),
        )

    def _countries_in(self, tokens: set[str] | frozenset[str]) -> frozenset[frozenset[str]]:
        """The known country names all of whose tokens are among ``tokens``."""
        return frozenset(name for name in self._countries if name <= tokens)

    # -- text to tokens ---------------------------------------------------------------

    def _apply_synonyms(self, words: list[str]) -> list[str]:
        out: list[str] = []
        starts = self._synonym_starts
        i = 0
        while i < len(words):
            if words[i] not in starts:
                out.append(words[i])
                i += 1
                continue
            for span in range(min(self._synonym_span, len(words) - i), 0, -1):
                canonical = self._synonyms.get(tuple(words[i : i + span]))
                if canonical is not None:
                    out.extend(canonical)
                    i += span
                    break
            else:
                out.append(words[i])
                i += 1
        return out

    def _canonical(self, words: list[str]) -> list[str]:
        """The words with Korean particles stripped and the synonyms applied."""
        return self._apply_synonyms([strip_particle(w) for w in words])

    def _tokens(self, words: list[str]) -> list[str]:
        return self._canonical_tokens(self._canonical(words))

    def _canonical_tokens(self, canonical: list[str]) -> list[str]:
        """The tokens of words already made canonical (see _canonical)."""
        out: list[str] = []
        for word in canonical:
            if word in _QUESTION_WORDS:
                out.append(_QUESTION_WORDS[word])
            elif len(word) == 1 and word.isascii() and word.isalpha():
                continue  # single letters are never a topic (see _slots)
            elif word not in STOPWORDS and word not in STOPWORDS_KO:
                out.extend(_word_tokens(word))
        return out

    def _correct_uncached(self, word: str) -> tuple[str, float]:
        """The known word closest to ``word`` and how sure the correction is (0-1)."""
        if word in self._known or has_digit(word) or len(word) < _CORRECTION_MIN_LEN:
            return word, 1.0
        if word.isascii() and word.isalpha():
            compound = self._split_compound(word)
            if compound is not None:
                return compound, 1.0
        if not word.isascii() or not word.isalpha() or word in english_words():
            # A real word the knowledge does not use is not a typo: leave it unknown.
            return word, 1.0
        if len(word) <= 4:
            # Short typos are mostly of function words ("teh", "bout", "hav"): one edit,
            # counting a swap of neighbours as one, to a stopword wins.
            for stopword in _SHORT_STOPWORDS:
                if OSA.distance(word, stopword, score_cutoff=1) <= 1:
                    return stopword, 1.0
        # Typos rarely change the first letter; requiring it avoids "fixing" real words
        # the knowledge does not use ("commented" is not "cemented").
        same_start = self._by_initial.get(word[0], ())
        best = process.extractOne(word, same_start, scorer=fuzz.ratio, score_cutoff=_CORRECTION_CUTOFF)
        if best is None:
            return word, 1.0
        return best[0], best[1] / 100.0

    def _correct_in_context(self, word: str, before: str | None, after: str | None) -> tuple[str, float]:
        """``word``, or the one known word a letter longer or shorter that the knowledge
        writes beside one of its (corrected) neighbours, and is not a stopword."""
        if len(word) < _CORRECTION_MIN_LEN or not word.isascii() or not word.isalpha():
            return word, 1.0
        # One letter more or less only: a real word with one letter changed is as often
        # another word the asker meant ("wait" is not "want").
        found = {
            candidate
            for candidate in self._by_initial.get(word[0], ())
            if abs(len(candidate) - len(word)) == 1
            and candidate not in STOPWORDS
            and candidate not in FILLER_WORDS
            and ((before, candidate) in self._pairs or (candidate, after) in self._pairs)
            and OSA.distance(word, candidate, score_cutoff=1) <= 1
        }
        if len(found) != 1:
            return word, 1.0
        return found.pop(), _CONTEXT_CORRECTION_SURE

    def _split_compound(self, word: str) -> str | None:
        """Two words the knowledge uses, written as one ("subgroups", "pressfreedom")."""
        known = self._known
        for cut in range(3, len(word) - 2):
            head, tail = word[:cut], word[cut:]
            if head in known and tail in known and head not in STOPWORDS and tail not in STOPWORDS:
                return f"{head} {tail}"
        return None

    def _slots(self, question: str) -> tuple[list[_Slot], tuple[str, ...]]:
        """The question as weighted slots, each satisfied by one of a few tokens, and its
        words as _Unit.words has a phrasing's (to tell a phrasing that is the question)."""
        question = question[: self.max_question_chars]
        # The chat around the question goes first (see bot.engine.chat).
        words = [strip_particle(w) for w in strip_chat(normalize(question).split())]
        plain = tuple(self._apply_synonyms(words))
        # Capitalized words inside a mixed-case sentence are names; a question typed in
        # all capitals or all lower case tells nothing either way.
        has_lower = _LOWER_LATIN.search(question) is not None
        latin = has_lower or _UPPER_LATIN.search(question) is not None
        mixed_case = has_lower and _UPPER_LATIN.search(question) is not None
        names = {normalize(w) for w in _CAPITALIZED.findall(question)} if mixed_case else set()
        # An acronym in a mixed-case question, or among Korean words ("BTS", "UN"), is a
        # name, never a typo.
        acronyms = (
            {normalize(w) for w in _ACRONYM.findall(_SHOUTED.sub(_unshout, question))}
            if mixed_case or (latin and has_hangul(question))
            else set()
        )
        names |= acronyms
        if mixed_case:
            # A name of several capitalized words that the knowledge never writes together
            # ("United States", "New Zealand") is one unknown name, whatever its words
            # mean apart ("united" ~ "unite").
            for phrase in _NAME_PHRASE.findall(question):
                parts = normalize(phrase).split()
                if len(parts) > 1 and any(pair not in self._pairs for pair in pairwise(parts)):
                    merged = "".join(parts)
                    words = _replace_run(words, parts, merged)
                    names.add(merged)
                    acronyms.add(merged)  # never "corrected" either
        corrected: list[str] = []
        confidence: dict[str, float] = {}
        for index, word in enumerate(words):
            fixed, sure = (word, 1.0) if word in acronyms else self._correct(word)
            if fixed == word and word not in self._known and word not in acronyms:
                # A real word that is one letter off a word of the knowledge, next to a
                # word it goes with there: "park jinn" is Park Jin.
                before = corrected[-1] if corrected else None
                after = self._correct(words[index + 1])[0] if index + 1 < len(words) else None
                fixed, sure = self._correct_in_context(word, before, after)
            corrected.extend(fixed.split())
            if sure < 1.0:
                confidence[fixed] = min(sure, confidence.get(fixed, 1.0))
        slots: dict[str, _Slot] = {}
        canonical = self._apply_synonyms(corrected)
        asked = frozenset(t for w in canonical for t in _word_tokens(w))
        for word in canonical:
            if word in _QUESTION_WORDS and word not in acronyms:
                # A light preference for phrasings asking the same way ("why" vs "does").
                token = _QUESTION_WORDS[word]
                if token not in slots and token in self._idf:
                    slots[token] = _Slot(token, _QUESTION_WORD_WEIGHT)
                continue
            if (word in STOPWORDS or word in STOPWORDS_KO) and word not in acronyms:
                # ("US" is a country, "us" a pronoun.)
                continue
            hangul = is_hangul_word(word)
            if len(word) == 1 and not hangul and not has_digit(word):
                continue  # "n", "u", "y": chat shorthand, never a topic
            # Unknown one- and two-letter scraps ("fr", "u") carry no meaning.
            if (
                not hangul
                and len(word) <= 2
                and word not in self._known
                and word not in names
                and not has_digit(word)
            ):
                continue
            sure = confidence.get(word, 1.0)
            for token in _word_tokens(word):
                if token in slots:
                    continue
                known = self._idf.get(token)
                bound = self._name_bound.get(token)
                if bound is not None and word not in names and not bound.fits(word, asked):
                    # "founded" is not the "Founding" of "Founding Declaration": the
                    # word is as unknown as any other the knowledge does not use.
                    token, known = f"{word}\u00a7", None
                    if token in slots:
                        continue
                if known is not None:
                    if word in FILLER_WORDS:
                        # Chat filler ("lol", "gonna") weighs little even where some
                        # phrasing of the knowledge happens to use it.
                        known = min(known, self._unknown_word_weight) * _FILLER_FACTOR
                        slots[token] = _Slot(token, known, sure, filler=True)
                        continue
                    slots[token] = _Slot(token, known, sure)
                    continue
                if hangul and len(word) > 2:
                    # Syllable pairs of verb endings and particles the strip missed are
                    # weak evidence either way.
                    weight = self._unknown_word_weight * _HANGUL_UNKNOWN_FACTOR
                elif hangul:
                    # A two-syllable word the knowledge never uses is most often a noun,
                    # often a name (일본, 중국): as telling as an unknown English word.
                    weight = self._unknown_word_weight
                elif word in FILLER_WORDS:
                    weight = self._unknown_word_weight * _FILLER_FACTOR
                elif word in names or has_digit(word):
                    weight = self._unknown_name_weight
                else:
                    weight = self._unknown_word_weight
                slots[token] = _Slot(token, weight, sure, word in names and not has_digit(word))
        return list(slots.values()), plain

    # -- scoring ----------------------------------------------------------------------

    def rank(self, question: str, limit: int = 5) -> list[Candidate]:
        """The best distinct entries and cards for ``question``, best first."""
        query = self._query(question)
        return self._top(query, limit) if query is not None else []

    def _query(self, question: str) -> _Query | None:
        """Everything the scoring needs from the question, worked out once.

        Items are scored as a whole first (every token they hold anywhere, discounted for
        not fitting the question's shape), which bounds the score of each of their
        phrasings from above; see :meth:`_top`.
        """
        # The question inside the message, without the chat around it.
        question = question_focus(question[: self.max_question_chars])
        slots, words = self._slots(question)
        if not slots:
            return None
        total = sum(slot.weight for slot in slots)
        covered: dict[int, float] = defaultdict(float)
        evidence: dict[int, float] = defaultdict(float)  # the same, without chat filler
        for slot in slots:
            owners = self._item_postings.get(slot.token)
            if owners:
                gain = slot.weight * slot.sure
                for owner in owners:
                    covered[owner] += gain
                    if not slot.filler:
                        evidence[owner] += gain
        # "Which city ...", "What is the budget of ...": when the thing asked for is a
        # word the knowledge never uses, no entry can give it.
        focus_phrase = focus_words(question)
        focus = [tokens for tokens in (self._tokens([w]) for w in focus_phrase) if tokens]
        countries = self._countries_in(frozenset(slot.token for slot in slots))
        shape = _Shape(
            wanted=question_type(question),
            about_publication=asks_about_publication(question),
            numbers=tuple(slot.token for slot in slots if has_digit(slot.token)),
            shifts=tuple(slot.token for slot in slots if slot.token in _SHIFT_TOKENS),
            asked=frozenset(slot.token for slot in slots),
            unknown_focus=any(all(t not in self._idf for t in tokens) for tokens in focus),
            unknown_name=any(slot.unknown_name for slot in slots),
            others=asks_for_others(question),
            specific=asks_for_specifics(question),
            # "Which countries were in the Core Group with Korea?" asks for a country
            # besides the ones it names.
            countries=countries,
            # Names of the documents the question asks about, rare enough to tell items
            # apart ("Media Freedom Coalition", not "Korea", which nearly all mention).
            names=tuple(
                slot.token
                for slot in slots
                if slot.token in self._name_tokens and self._idf.get(slot.token, 0.0) >= _NAME_MIN_IDF
            ),
            wants_country=any(w in _COUNTRY_FOCUS for w in focus_phrase),
        )
        bounds = []
        for owner, weight in covered.items():
            factor = self._penalty(owner, shape)
            # A question of one or two common words ("digital", "rights") matches many
            # entries equally well: too little evidence to pick one with confidence,
            # unless a phrasing is the question itself (see _top).
            weak = evidence[owner] < _MIN_EVIDENCE
            bounds.append((-100.0 * self._item_weight[owner] * weight / total * factor, owner, factor, weak))
        bounds.sort()
        return _Query(slots, language(question), total, covered, bounds, words)

    def _top(self, query: _Query, limit: int) -> list[Candidate]:
        """The ``limit`` best items: phrasings are scored item by item in order of the
        items' bounds, stopping as soon as no remaining item can enter the top. Exact,
        and most items are never looked at."""
        if limit <= 0:
            return []
        top: list[tuple[float, int, str]] = []  # (-score, owner, phrasing), best first
        for negative_bound, owner, factor, weak in query.bounds:
            if len(top) >= limit and -negative_bound < -top[-1][0]:
                break
            q_item = query.covered[owner] / query.total
            if owner in query.scored:
                scored = query.scored[owner]
            else:
                scored = self._best_phrasing(owner, query, q_item)
                query.scored[owner] = scored
            if scored is None:
                continue
            score, text, exact = scored
            if weak and not exact:
                factor *= _WEAK_EVIDENCE_FACTOR
            top.append((-score * factor, owner, text))
            top.sort()
            del top[limit:]
        return [Candidate(self._items[owner], -negative, text) for negative, owner, text in top]

    def _best_phrasing(self, owner: int, query: _Query, q_item: float) -> tuple[float, str, bool] | None:
        """The score of the item's best phrasing (before penalties), that phrasing, and
        whether one of its phrasings is the question itself, word for word (synonyms
        aside)."""
        slots, query_total, lang = query.slots, query.total, query.lang
        uids = self._item_units[owner]
        holders = self._item_token_units[owner]
        covered = [0.0] * len(uids)
        shared = [0.0] * len(uids)
        for slot in slots:
            positions = holders.get(slot.token)
            if positions:
                gain = slot.weight * slot.sure
                idf = self._idf[slot.token]
                for position in positions:
                    covered[position] += gain
                    shared[position] += idf
        best: tuple[float, str, bool] | None = None
        exact = False
        best_score = -1.0
        item_part = (1 - _UNIT_SHARE) * q_item
        for position, cover in enumerate(covered):
            if not cover:
                continue
            unit = self._units[uids[position]]
            score = (
                100.0
                * unit.weight
                * (_UNIT_SHARE * cover / query_total + item_part)
                * (_PHRASING_FLOOR + (1 - _PHRASING_FLOOR) * shared[position] / unit.total)
            )
            if unit.lang != lang:
                # A phrasing in the other language matches through shared names only.
                score *= _OTHER_LANGUAGE_FACTOR
            if score > best_score:
                best_score = score
                best = (score, unit.text, False)
            exact = exact or unit.words == query.words
        return (best[0], best[1], exact) if best is not None else None

    def _penalty(self, owner: int, shape: _Shape) -> float:
        """How much a match is discounted for not fitting the question's shape."""
        profile = self._profiles[owner]
        factor = 1.0
        types = profile.types if shape.about_publication else profile.event_types
        if shape.wanted is not AnswerType.ANY and shape.wanted not in types:
            factor *= _WRONG_TYPE_FACTOR
        tokens = self._item_tokens[owner]
        # A number the question names but the match never mentions ("39th member",
        # "2025 summit") means the match is about something else.
        if shape.numbers and not tokens.issuperset(shape.numbers):
            factor *= _WRONG_NUMBER_FACTOR
        # "the minister *before* Park Jin", "the *next* member": the question is about
        # another time than what the match says (in its answer or quote: a phrasing
        # that mentions "next year" does not make the answer about the next one).
        if shape.shifts and not profile.said_tokens.issuperset(shape.shifts):
            factor *= _SHIFT_FACTOR
        # "Who hosted the 2023 summit?" against "participation in the 2023 summit and
        # hosting the 2024 summit": the question's words sit by the other number.
        sequence = profile.said_sequence
        if shape.numbers and sequence is not None and _nearer_another_number(sequence, shape):
            factor *= _OTHER_NUMBER_FACTOR
        # "How many countries belong to the Media Freedom Coalition?" is not answered by
        # an entry that never mentions the Media Freedom Coalition.
        if shape.names and tokens.isdisjoint(shape.names):
            factor *= _MISSING_NAME_FACTOR
        # An answer that only repeats the question ("Mr. Park Jin" to "Who is Mr. Park
        # Jin?") tells the asker nothing.
        if profile.answer_tokens <= shape.asked:
            factor *= _NOTHING_NEW_FACTOR
        if shape.unknown_focus:
            factor *= _UNKNOWN_FOCUS_FACTOR
        # "... according to *Japan*?": no match can be about a name the knowledge never
        # mentions, however many of the other words it shares.
        if shape.unknown_name:
            factor *= _UNKNOWN_NAME_FACTOR
        # "Which other countries were in the Core Group?": an answer that names no
        # others than the question's own is about the topic, not the question.
        if shape.others and not profile.names_others:
            factor *= _NO_OTHERS_FACTOR
        # "Which specific sub-groups will Korea join?": an answer that names none (only
        # the question's own names) says there are some, not which.
        if shape.specific and profile.names <= shape.asked:
            factor *= _NO_OTHERS_FACTOR
        if shape.wants_country:
            # "Which countries ..." needs a country the question does not name; "which
            # *other* countries ..." more than the one the answer is about.
            new_countries = len(profile.countries - shape.countries)
            if new_countries < (2 if shape.others else 1):
                factor *= _NO_OTHERS_FACTOR
        return factor

    def ask(self, question: str) -> Answer:
        """Answer ``question`` in its language (English or Korean), or abstain with suggestions."""
        lang = language(question[: self.max_question_chars])
        query = self._query(question)
        # The best match alone decides; the longer list is only needed for suggestions.
        ranked = self._top(query, 1) if query is not None else []
        top = ranked[0] if ranked else None
        if query is not None and top is not None and top.score < self.threshold:
            ranked = self._top(query, self.max_suggestions + 3)
        if top is not None and top.score >= self.threshold:
            item = top.item
            return Answer(
                question=question,
                answered=True,
                text=item.answer_in(lang) if isinstance(item, Entry) else item.text,
                source=item.source,
                score=min(top.score, 100.0),
                entry_id=item.id,
                kind=top.kind,
                lang=lang,
            )
        return Answer(
            question=question,
            answered=False,
            text=None,
            source=None,
            score=min(top.score, 100.0) if top else 0.0,
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
            text=item.answer_in(lang) if is_entry else item.text,
            source=item.source,
            score=100.0,
            entry_id=item.id,
            kind="qa" if is_entry else "fact",
        )

    def facts_about(self, topic: str, limit: int = 5) -> list[FactCard]:
        """Fact cards about ``topic``, best first, at least as relevant as a suggestion."""
        ranked = self.rank(topic, limit=len(self._items))
        return [c.item for c in ranked if isinstance(c.item, FactCard) and c.score >= self.suggestion_floor][
            :limit
        ]

    def _suggestions(self, ranked: Iterable[Candidate], lang: str = "en") -> tuple[Suggestion, ...]:
        out: list[Suggestion] = []
        for candidate in ranked:
            if len(out) >= self.max_suggestions or candidate.score < self.suggestion_floor:
                break
            if isinstance(candidate.item, Entry):
                out.append(Suggestion(candidate.item.question_in(lang), candidate.item.id, candidate.score))
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


def _build_synonyms(synonyms: dict[str, tuple[str, ...]]) -> dict[tuple[str, ...], tuple[str, ...]]:
    """Map each variant's word tuple to its canonical term's words (Korean particles stripped)."""
    table: dict[tuple[str, ...], tuple[str, ...]] = {}
    for canonical, variants in synonyms.items():
        target = tuple(strip_particle(w) for w in canonical.split())
        for variant in variants:
            key = tuple(strip_particle(w) for w in variant.split())
            if key != target:
                table[key] = target
    return table


def _number_kind(token: str) -> str:
    """What kind of number a token is: a year, an ordinal, another number, or a name."""
    if token.isdigit():
        return "year" if len(token) == 4 and token[:2] in ("19", "20") else "number"
    if token[:-2].isdigit() and token[-2:] in ("st", "nd", "rd", "th"):
        return "ordinal"
    return token  # "41/11": a name, never confused with another


def _nearer_another_number(sequence: tuple[str, ...], shape: _Shape) -> bool:
    """Whether a word of the question stands nearer, in ``sequence``, to a number of the
    same kind the question does not name than to the number it does name."""
    positions: dict[str, list[int]] = defaultdict(list)
    for index, token in enumerate(sequence):
        positions[token].append(index)
    words = [t for t in shape.asked if t in positions and not has_digit(t)]
    for number in shape.numbers:
        if number not in positions:
            continue
        kind = _number_kind(number)
        others = [
            index
            for token, indexes in positions.items()
            if has_digit(token) and token not in shape.numbers and _number_kind(token) == kind
            for index in indexes
        ]
        if not others:
            continue
        for word in words:
            to_named = min(abs(i - j) for i in positions[word] for j in positions[number])
            to_other = min(abs(i - j) for i in positions[word] for j in others)
            # Only a word right by a number goes with it ("hosting the 2024 summit").
            if to_other < to_named and to_other <= _NUMBER_NEIGHBOURHOOD:
                return True
    return False


def _unshout(match: re.Match[str]) -> str:
    return match.group().lower()


def _word_tokens(word: str) -> list[str]:
    """The tokens of one word: syllable bigrams for Korean, the stem otherwise."""
    return bigrams(word) if is_hangul_word(word) else [stem(word)]


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
