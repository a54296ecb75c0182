"""The words of the knowledge, and how any text becomes the tokens the index holds.

One :class:`Vocabulary` per loaded knowledge. It knows every word the knowledge writes,
which words it writes side by side (to tell its names, "Park Jin", from names it never
mentions, "United States"), and its synonyms (qa.yaml). :meth:`Vocabulary.tokens` turns
normalized words into tokens: synonyms applied (longest phrase first; a Korean word
whose stem is a synonym, 합류했나요, takes the canonical stem, 가입했나요), stopwords
dropped, English stemmed, Korean split into syllable bigrams. Questions and knowledge go
through the same function, so they meet on the same tokens.

Spelling: :meth:`Vocabulary.correct` fixes a non-word to the closest word the knowledge
uses (rapidfuzz, same first letter; never a real English word, an acronym or a word with
digits), splits two known words run together ("subgroups"), and fixes a short typo of a
function word ("teh"). :meth:`Vocabulary.correct_in_context` fixes a real word only one
letter off a knowledge word that the knowledge writes beside its neighbour ("park jinn").
"""

from __future__ import annotations

import sys
from collections import defaultdict
from collections.abc import Iterable, Mapping
from functools import lru_cache
from itertools import pairwise

from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA

from ..lang.korean import STOPWORDS_KO, bigrams, is_hangul_word, is_particle, split_scripts, strip_particle
from ..lang.text import FILLER_WORDS, STOPWORDS, english_words, has_digit, normalize, stem

# Question words kept as light tokens: they tell "Why did Korea join?" from "Did Korea
# join?" without outweighing any content word.
QUESTION_WORDS = {
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
# Spelling correction: minimum similarity (0-100) and shortest word corrected.
_CORRECTION_CUTOFF = 80.0
_CORRECTION_MIN_LEN = 3
# How sure a correction made from a neighbouring word is.
_CONTEXT_CORRECTION_SURE = 0.9
_SHORT_STOPWORDS = tuple(sorted(w for w in STOPWORDS if 2 <= len(w) <= 5))


def split_words(normalized: str) -> list[str]:
    """The words of normalized text, split where scripts change, particles alone dropped."""
    out: list[str] = []
    for word in normalized.split():
        if word.isascii():
            out.append(word)
            continue
        for part in split_scripts(word):
            if not is_particle(part):
                out.append(strip_particle(part))
    return out


def word_tokens(word: str) -> list[str]:
    """The tokens of one word: syllable bigrams for Korean, the stem otherwise."""
    return bigrams(word) if is_hangul_word(word) else [stem(word)]


class Vocabulary:
    """The knowledge's words, synonyms and word pairs; text to tokens; spelling."""

    def __init__(self, texts: Iterable[str], synonyms: Mapping[str, tuple[str, ...]]) -> None:
        self._synonyms: dict[tuple[str, ...], tuple[str, ...]] = {}
        # Korean synonyms also match as the stem of a longer word (합류 in 합류했나요).
        self._hangul_synonyms: list[tuple[str, str]] = []
        for canonical, variants in synonyms.items():
            target = tuple(split_words(normalize(canonical)))
            for variant in variants:
                key = tuple(split_words(normalize(variant)))
                if key and key != target:
                    self._synonyms[key] = target
                    if len(key) == 1 and len(target) == 1 and is_hangul_word(key[0]) and len(key[0]) >= 2:
                        self._hangul_synonyms.append((key[0], target[0]))
        self._hangul_synonyms.sort(key=lambda pair: -len(pair[0]))
        self._hangul_starts = frozenset(key[:2] for key, _ in self._hangul_synonyms)
        self._span = max((len(k) for k in self._synonyms), default=1)
        self._starts = frozenset(k[0] for k in self._synonyms)

        known: set[str] = set(STOPWORDS)
        pairs: set[tuple[str, str]] = set()
        for canonical, variants in synonyms.items():
            for variant in (canonical, *variants):
                words = split_words(normalize(variant))
                known.update(words)
                pairs.update(pairwise(words))
        for text in texts:
            words = split_words(normalize(text))
            known.update(words)
            pairs.update(pairwise(words))
        self.known = frozenset(known)
        # Joined by a space (no word holds one): a set of strings loads from the index
        # cache far faster than a set of pairs.
        self._pairs = frozenset(f"{a} {b}" for a, b in pairs)
        by_initial: dict[str, list[str]] = defaultdict(list)
        for word in sorted(w for w in known if not has_digit(w)):
            by_initial[word[0]].append(word)
        self._by_initial = dict(by_initial)
        self.correct = lru_cache(maxsize=8192)(self._correct)

    def __getstate__(self) -> dict[str, object]:
        state = dict(self.__dict__)
        state.pop("correct", None)  # a cache, rebuilt on load
        return state

    def __setstate__(self, state: dict[str, object]) -> None:
        self.__dict__.update(state)
        self.correct = lru_cache(maxsize=8192)(self._correct)

    def together(self, first: str, second: str) -> bool:
        """Whether the knowledge writes ``first`` right before ``second`` anywhere."""
        return f"{first} {second}" in self._pairs

    # -- words to tokens ---------------------------------------------------------------

    def words(self, text: str) -> list[str]:
        """The normalized words of ``text`` with the synonyms applied."""
        return [sys.intern(word) for word in self.canonical(split_words(normalize(text)))]

    def canonical(self, words: list[str]) -> list[str]:
        """``words`` with the synonyms applied, longest phrase first."""
        out: list[str] = []
        i = 0
        while i < len(words):
            word = words[i]
            if word in self._starts:
                for span in range(min(self._span, len(words) - i), 0, -1):
                    target = self._synonyms.get(tuple(words[i : i + span]))
                    if target is not None:
                        out.extend(target)
                        i += span
                        break
                else:
                    out.append(word)
                    i += 1
                continue
            if word[:2] in self._hangul_starts:
                word = self._hangul_stem(word)
            out.append(word)
            i += 1
        return out

    def _hangul_stem(self, word: str) -> str:
        for variant, target in self._hangul_synonyms:
            if word.startswith(variant):
                return target + word[len(variant) :]
        return word

    def tokens(self, canonical: list[str]) -> list[str]:
        """The tokens of canonical words (see :meth:`canonical`), in order."""
        out: list[str] = []
        for word in canonical:
            if word in QUESTION_WORDS:
                out.append(QUESTION_WORDS[word])
            elif len(word) == 1 and word.isascii() and word.isalpha():
                continue  # single letters are never a topic
            elif word not in STOPWORDS and word not in STOPWORDS_KO:
                out.extend(map(sys.intern, word_tokens(word)))
        return out

    def tokens_of(self, words: list[str]) -> list[str]:
        """The tokens of normalized words not yet made canonical."""
        return self.tokens(self.canonical(split_words(" ".join(words))))

    def text_tokens(self, text: str) -> list[str]:
        """The tokens of any text."""
        return self.tokens(self.words(text))

    # -- spelling ----------------------------------------------------------------------

    def _correct(self, word: str) -> tuple[str, float]:
        """The known word closest to ``word`` and how sure the correction is (0-1)."""
        if word in self.known or has_digit(word) or len(word) < _CORRECTION_MIN_LEN:
            return word, 1.0
        if word.isascii() and word.isalpha():
            compound = self._split_compound(word)
            if compound is not None:
                return compound, 1.0
        if not word.isascii() or not word.isalpha() or word in english_words():
            # A real word the knowledge does not use is not a typo: leave it unknown.
            return word, 1.0
        if len(word) <= 4:
            # Short typos are mostly of function words ("teh", "bout", "hav").
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

    def correct_in_context(self, word: str, before: str | None, after: str | None) -> tuple[str, float]:
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
            and (self.together(before, candidate) or self.together(candidate, after))
            and OSA.distance(word, candidate, score_cutoff=1) <= 1
        }
        if len(found) != 1:
            return word, 1.0
        return found.pop(), _CONTEXT_CORRECTION_SURE

    def _split_compound(self, word: str) -> str | None:
        """Two words the knowledge uses, written as one ("subgroups", "pressfreedom")."""
        known = self.known
        for cut in range(3, len(word) - 2):
            head, tail = word[:cut], word[cut:]
            if head in known and tail in known and head not in STOPWORDS and tail not in STOPWORDS:
                return f"{head} {tail}"
        return None
