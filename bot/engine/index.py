"""The index of one knowledge: every item, its texts as tokens, and what each can answer.

An *item* is a curated entry or a fact card. Each has *units*, the texts a question is
compared with, in two fields:

* ``ask``: the ways people ask for it (an entry's question and alternates, in English
  and Korean; a fact card's keys, such as "ICCPR" for its acronym card);
* ``say``: what it says (an entry's answer in both languages and its quote; a card's
  text and quote).

The ``say`` field makes every item findable from its content alone, so a fact card of a
document nobody wrote questions for is found as readily as a curated entry. Token
weights are inverse document frequencies over items. The index also holds BM25F
statistics of both fields (:meth:`Index.bm25f`, Robertson's defaults k1 = 1.2, b = 0.75)
and a :class:`Profile` per item: what kinds of answer its text can give (a time, a
count, a place ...), its names, numbers and countries, for the shape features, and the
sentence vector of every unit (:mod:`bot.engine.dense`) for :meth:`Index.similarities`.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from ..knowledge.model import Entry, FactCard, Knowledge
from ..lang.korean import language
from ..lang.text import has_digit, normalize
from .answer_types import AnswerType, can_answer, names_others, without_publication_dates
from .dense import PASSAGE, QUERY, embedder
from .names import name_bound_words, name_tokens, names_in
from .vocabulary import Vocabulary

ASK, SAY = "ask", "say"
# What the decision weighs an item as (see Index.kinds).
KINDS = ("qa", "fact", "doc")
_K1 = 1.2
_B = 0.75


class Unit(NamedTuple):
    """One text of an item as tokens. A named tuple: the index cache holds thousands,
    and tuples load from it several times faster than frozen dataclasses."""

    owner: int  # index into Index.items
    text: str
    field: str  # ASK or SAY
    tokens: frozenset[str]
    total: float  # sum of the unit's token weights
    lang: str  # "ko" for a Korean text, else "en"
    words: tuple[str, ...]  # every word, synonyms applied: to tell the question itself


@dataclass(frozen=True, slots=True)
class Profile:
    """What one item's answer (with its quote) can give, for the shape features."""

    types: frozenset[AnswerType]  # the kinds of answer it holds (a time, a count ...)
    event_types: frozenset[AnswerType]  # the same, not counting the document's own date
    answer_tokens: frozenset[str]  # the answer's tokens
    said_tokens: frozenset[str]  # the answer's and the quote's tokens
    said_sequence: tuple[str, ...] | None  # in order, where two numbers of a kind appear
    names_others: bool  # it speaks of others ("other members")
    names: frozenset[str]  # tokens of the names it holds
    countries: frozenset[frozenset[str]]  # the known countries it names


def number_kind(token: str) -> str:
    """What kind of number a token is: a year, an ordinal, another number, or a name."""
    if token.isdigit():
        return "year" if len(token) == 4 and token[:2] in ("19", "20") else "number"
    if token[:-2].isdigit() and token[-2:] in ("st", "nd", "rd", "th"):
        return "ordinal"
    return token  # "41/11": a name, never confused with another


# A sentence that opens with a pronoun ("It is chaired by ...") is about what the
# sentence before it names: that sentence is searchable with it.
_PRONOUN_OPENING = re.compile(r"^(?:It|Its|They|Their|Them|This|These|That|Those|He|His|She|Her)\b")


def _antecedent(knowledge: Knowledge, card: FactCard) -> str | None:
    """The sentence before ``card``'s, when the card's sentence opens with a pronoun."""
    if card.type != "sentence" or not _PRONOUN_OPENING.match(card.text):
        return None
    document = knowledge.documents.get(card.source.document)
    if document is None:
        return None
    try:
        sentences = document.sentences(card.source.paragraph)
    except IndexError:
        return None
    for position, sentence in enumerate(sentences):
        if sentence == card.text:
            return sentences[position - 1] if position else None
    return None


def answer_text(item: Entry | FactCard, lang: str = "en") -> str:
    return item.answer_in(lang) if isinstance(item, Entry) else item.text


# Cosines are taken between vectors rounded to whole multiples of 1/_GRID. Scaled by _GRID
# their components are integers of at most 2**11 (int16 holds them: 0.75 KiB a text), so
# every product and every partial sum of a dot product of two unit vectors is an integer
# that int32 holds exactly: the cosine is the same to the bit in whatever order the
# machine sums, and a refit on any machine gives the committed model. The rounding moves
# a cosine by about 2e-4.
_GRID = 2.0**11


def exact_grid(vectors: np.ndarray) -> np.ndarray:
    """Unit ``vectors`` (one or a matrix of rows) scaled by ``_GRID`` and rounded, as int16."""
    scaled = np.rint(np.asarray(vectors, dtype=np.float32) * np.float32(_GRID))
    return np.clip(scaled, -_GRID, _GRID).astype(np.int16)


class Index:
    """Everything about a knowledge that does not depend on the question."""

    def __init__(self, knowledge: Knowledge) -> None:
        self.knowledge = knowledge
        self.items: list[Entry | FactCard] = [*knowledge.entries, *knowledge.facts]
        # What the decision weighs each item as: a curated entry ("qa"), a fact card of a
        # document that curated entries also answer from ("fact"), or a card of a document
        # only its cards answer for ("doc": one a moderator just added). A card competes
        # with curated answers in the one case and alone in the other, and its features
        # mean different things there: each has its own fitted model.
        curated = {e.source.document for e in knowledge.entries}
        self.kinds: tuple[str, ...] = tuple(
            "qa" if isinstance(item, Entry) else "fact" if item.source.document in curated else "doc"
            for item in self.items
        )
        texts: list[tuple[int, str, str]] = []  # (owner, text, field)
        for owner, item in enumerate(self.items):
            if isinstance(item, Entry):
                texts.extend((owner, p, ASK) for p in item.phrasings)
                texts.append((owner, item.answer, SAY))
                if item.answer_ko:
                    texts.append((owner, item.answer_ko, SAY))
            else:
                texts.append((owner, item.text, SAY))
                texts.extend((owner, key, ASK) for key in item.keys)
                before = _antecedent(knowledge, item)
                if before:
                    texts.append((owner, before, SAY))
            if normalize(item.source.quote) != normalize(answer_text(item)):
                texts.append((owner, item.source.quote, SAY))
        self.vocabulary = vocab = Vocabulary((t for _, t, _ in texts), knowledge.synonyms)

        unit_words = [tuple(vocab.words(text)) for _, text, _ in texts]
        unit_tokens = [vocab.tokens(list(words)) for words in unit_words]
        # Document frequency counts items (an entry with all its phrasings is one).
        item_tokens: list[set[str]] = [set() for _ in self.items]
        for (owner, _, _), tokens in zip(texts, unit_tokens, strict=True):
            item_tokens[owner].update(tokens)
        df: dict[str, int] = defaultdict(int)
        for tokens in item_tokens:
            for token in tokens:
                df[token] += 1
        n = max(len(self.items), 1)
        self.idf = {t: math.log(1 + (n - d + 0.5) / (d + 0.5)) for t, d in df.items()}
        ranked = sorted(self.idf.values()) or [1.0]
        self.max_idf = ranked[-1]
        self.idf_q75 = ranked[int(0.75 * (len(ranked) - 1))]
        self.item_tokens = [frozenset(tokens) for tokens in item_tokens]
        holders: dict[str, list[int]] = defaultdict(list)
        for owner, tokens in enumerate(self.item_tokens):
            for token in tokens:
                holders[token].append(owner)
        self.postings: dict[str, tuple[int, ...]] = {t: tuple(o) for t, o in holders.items()}

        self.units: list[Unit] = []
        self.item_units: list[list[int]] = [[] for _ in self.items]
        # BM25F: per item and field, term frequencies and length.
        tf: list[dict[str, dict[str, int]]] = [
            {ASK: defaultdict(int), SAY: defaultdict(int)} for _ in self.items
        ]
        length: list[dict[str, int]] = [{ASK: 0, SAY: 0} for _ in self.items]
        for (owner, text, field), words, tokens in zip(texts, unit_words, unit_tokens, strict=True):
            for token in tokens:
                tf[owner][field][token] += 1
            length[owner][field] += len(tokens)
            if not tokens:
                continue
            token_set = frozenset(tokens)
            total = math.fsum(self.idf[t] for t in token_set)  # exact in any set order
            self.item_units[owner].append(len(self.units))
            self.units.append(Unit(owner, text, field, token_set, total, language(text), words))
        # Sentence vectors of the units (see dense.py): asking texts as queries, saying
        # texts as passages. Units come grouped by item, so an item's best similarity is
        # a maximum over one run of rows. Kept on the exact grid (scaled by _GRID).
        self.grid_vectors = exact_grid(
            embedder().texts([(QUERY if u.field == ASK else PASSAGE, u.text) for u in self.units])
        )
        self.dense_items = np.array([o for o, units in enumerate(self.item_units) if units], dtype=np.int64)
        self.dense_starts = np.array([units[0] for units in self.item_units if units], dtype=np.int64)
        self._tf = [{f: dict(c) for f, c in fields.items()} for fields in tf]
        self._length = length
        self._avg = {
            f: max(sum(lengths[f] for lengths in length) / max(sum(1 for x in length if x[f]), 1), 1.0)
            for f in (ASK, SAY)
        }
        self.item_unit_asks = [tuple(self.units[u].field == ASK for u in units) for units in self.item_units]
        self.item_unit_totals = [tuple(self.units[u].total for u in units) for units in self.item_units]
        # Per item, the weight of all its tokens: among items covering a question alike, the
        # one with less else in it is the closer (as BM25 normalizes by length).
        self.item_weight = [math.fsum(self.idf[t] for t in tokens) or 1.0 for tokens in self.item_tokens]
        # Which items have a text that is this word sequence exactly.
        by_words: dict[tuple[str, ...], list[int]] = defaultdict(list)
        for unit in self.units:
            if unit.owner not in by_words[unit.words]:
                by_words[unit.words].append(unit.owner)
        self.by_words = {w: tuple(o) for w, o in by_words.items()}
        # Per item, the word sequences of its texts: is one of them the question itself?
        self.item_words = [frozenset(self.units[u].words for u in units) for units in self.item_units]
        # Per item, which of its units hold each token (positions in item_units[owner]).
        self.item_token_units: list[dict[str, tuple[int, ...]]] = []
        for units in self.item_units:
            positions: dict[str, list[int]] = defaultdict(list)
            for position, uid in enumerate(units):
                for token in self.units[uid].tokens:
                    positions[token].append(position)
            self.item_token_units.append({t: tuple(p) for t, p in positions.items()})

        sentences = [s for doc in knowledge.documents.values() for s in doc.all_sentences()]
        # Words the documents use only inside names ("Founding" Declaration): see names.py.
        self.name_bound = name_bound_words(sentences, vocab.tokens_of)
        # The tokens of names the documents use ("mfc", "iccpr", "helsink").
        self.name_tokens = name_tokens(sentences, vocab.tokens_of) | self.name_bound.keys()
        # Country names the knowledge knows (the member records), each as its tokens.
        self.countries: tuple[frozenset[str], ...] = tuple(
            sorted(
                {
                    frozenset(tokens)
                    for member in (knowledge.members.members if knowledge.members else ())
                    for name in (member.country, *member.aliases)
                    if (tokens := vocab.text_tokens(name))
                },
                key=sorted,
            )
        )
        self.profiles = [self._profile(item) for item in self.items]

    def similarities(self, vector: np.ndarray) -> np.ndarray:
        """Per item, the best cosine of one of its texts with ``vector`` (-1 for none)."""
        out = np.full(len(self.items), -1.0, dtype=np.float32)
        if len(self.dense_items):
            # einsum, not a BLAS product: numpy's BLAS keeps its threads spinning after
            # a product, and on a small machine they took the cores from the embedding
            # model's threads (a question took 64 ms instead of 23). Summed in int32.
            dots = np.einsum("ij,j->i", self.grid_vectors, exact_grid(vector).astype(np.int32))
            out[self.dense_items] = np.maximum.reduceat(dots, self.dense_starts) / _GRID**2
        return out

    def phrased_entry(self, words: tuple[str, ...]) -> int | None:
        """The curated entry one of whose phrasings (asking texts) is ``words``, if any."""
        for owner in self.by_words.get(words, ()):
            if isinstance(self.items[owner], Entry) and any(
                self.units[u].field == ASK and self.units[u].words == words for u in self.item_units[owner]
            ):
                return owner
        return None

    def countries_in(self, tokens: set[str] | frozenset[str]) -> frozenset[frozenset[str]]:
        """The known country names all of whose tokens are among ``tokens``."""
        return frozenset(name for name in self.countries if name <= tokens)

    def _profile(self, item: Entry | FactCard) -> Profile:
        vocab = self.vocabulary
        answer = answer_text(item)
        text = f"{answer} {item.source.quote}"
        said = vocab.text_tokens(text)
        said_set = frozenset(said)
        # The order of the words is kept only where two numbers of a kind could be told
        # apart by the words around them (the 2023 and the 2024 summits).
        kinds = [number_kind(t) for t in said_set if has_digit(t)]
        undated = without_publication_dates(text)
        return Profile(
            types=frozenset(t for t in AnswerType if can_answer(t, text)),
            event_types=frozenset(t for t in AnswerType if can_answer(t, undated)),
            answer_tokens=frozenset(vocab.text_tokens(answer)),
            said_tokens=said_set,
            said_sequence=tuple(said) if len(kinds) != len(set(kinds)) else None,
            names_others=names_others(text),
            names=names_in(text, vocab.tokens_of),
            countries=self.countries_in(said_set),
        )

    def bm25f(self, owner: int, tokens: list[tuple[str, float]]) -> float:
        """BM25F of the item for weighted query tokens, as a share of the most the same
        tokens could score (1.0 when every token is saturated in some field)."""
        score = 0.0
        best = 0.0
        tf, length = self._tf[owner], self._length[owner]
        for token, weight in tokens:
            best += weight
            pseudo = 0.0
            for field in (ASK, SAY):
                count = tf[field].get(token)
                if count:
                    norm = 1 - _B + _B * length[field] / self._avg[field]
                    pseudo += count / norm
            if pseudo:
                score += weight * pseudo * (_K1 + 1) / (_K1 + pseudo) / (_K1 + 1)
        return score / best if best else 0.0
