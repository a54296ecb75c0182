"""Words the source documents use only inside names, such as "Founding" in "FOC Founding
Declaration".

Such a word in a question means the name only when it is spelled as in the name
("founding", "summits") or comes with another word of the name ("founded declaration").
"Who founded the FOC?" shares the stem of "Founding" but not the name: matching the
two would answer a question about the FOC's founders with the Founding Declaration.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from ..lang.text import STOPWORDS, normalize

_WORD = re.compile(r"[^\W\d_][\w'’-]*")
# Lowercase words that may sit inside a name ("Summit *for* Democracy").
_CONNECTORS = frozenset("for on of and".split())
# Punctuation ends a name: "the FOC Founding Declaration, the Helsinki Declaration" is two.
_BREAK = re.compile(r"[,;:()\[\]“”\"!?]|\.(?=\s)")


@dataclass(frozen=True, slots=True)
class BoundWord:
    """A token found only inside names: how the names spell it, and their other tokens."""

    spellings: frozenset[str]
    partners: frozenset[str]

    def fits(self, word: str, question_tokens: frozenset[str]) -> bool:
        """Whether ``word`` (normalized) in a question with these tokens means the name."""
        for spelling in self.spellings:
            # The same word, or its plural or singular ("summits", "summit").
            if (
                word == spelling
                or word in (spelling + "s", spelling + "es")
                or spelling in (word + "s", word + "es")
            ):
                return True
        return not self.partners.isdisjoint(question_tokens)


def _name_runs(words: list[str]) -> Iterable[list[int]]:
    """Runs of capitalized words (with connectors between them), as word positions."""
    run: list[int] = []
    for index, word in enumerate(words):
        connector = (
            bool(run)
            and word.lower() in _CONNECTORS
            and index + 1 < len(words)
            and words[index + 1][0].isupper()
        )
        # An acronym ("FOC Founding Declaration") names something of its own.
        acronym = len(word) > 1 and word.isupper()
        if (word[0].isupper() and not acronym) or connector:
            run.append(index)
            continue
        if run:
            yield run
        run = []
    if run:
        yield run


def _parts(texts: Iterable[str]) -> Iterator[tuple[list[str], list[str]]]:
    """Each stretch of ``texts`` between punctuation, as its words and their normalized
    forms (names never run across punctuation)."""
    for part in (part for text in texts for part in _BREAK.split(text)):
        raw = _WORD.findall(part)
        yield raw, [normalize(w) for w in raw]


def _content(words: list[str], run: list[int]) -> list[int]:
    """The positions in ``run`` of words that are not stopwords."""
    return [i for i in run if words[i] and words[i] not in STOPWORDS]


def name_bound_words(
    sentences: Iterable[str], tokens: Callable[[list[str]], list[str]]
) -> dict[str, BoundWord]:
    """The tokens that ``sentences`` use only inside names of two or more words."""
    spellings: dict[str, set[str]] = defaultdict(set)
    partners: dict[str, set[str]] = defaultdict(set)
    outside: set[str] = set()
    for raw, words in _parts(sentences):
        named: set[int] = set()
        for run in _name_runs(raw):
            content = _content(words, run)
            if len(content) < 2:
                continue
            own = {i: set(tokens([words[i]])) for i in content}
            every = set().union(*own.values())
            for i in content:
                for token in own[i]:
                    spellings[token].add(words[i])
                    partners[token].update(every - own[i])
            named.update(content)
        for index, word in enumerate(words):
            if word and index not in named:
                outside.update(tokens([word]))
    return {
        token: BoundWord(frozenset(spellings[token]), frozenset(partners[token]))
        for token in spellings
        if token not in outside
    }


def name_tokens(sentences: Iterable[str], tokens: Callable[[list[str]], list[str]]) -> frozenset[str]:
    """Tokens that stand for a whole name in ``sentences``: acronyms ("ICCPR") and what a
    run of capitalized words becomes through the synonyms ("Media Freedom Coalition" is
    "mfc"), but not the ordinary words of a title ("Becomes", "Member")."""
    found: set[str] = set()
    for raw, words in _parts(sentences):
        for run in _name_runs(raw):
            name = [words[i] for i in run]
            whole = set(tokens(" ".join(name).split()))
            found.update(whole.difference(*(tokens([w]) for w in name)))
        found.update(
            t
            for word, folded in zip(raw, words, strict=True)
            if len(word) > 1 and word.isupper()
            for t in tokens([folded])
        )
    return frozenset(found)


def names_in(text: str, tokens: Callable[[list[str]], list[str]]) -> frozenset[str]:
    """The tokens of the names of two or more capitalized words in ``text``."""
    found: set[str] = set()
    for raw, words in _parts([text]):
        for run in _name_runs(raw):
            if len(_content(words, run)) >= 2:
                found.update(tokens(" ".join(words[i] for i in run).split()))
    return frozenset(found)
