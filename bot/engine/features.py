"""Candidates for a question, and the features the decision model weighs for each.

:func:`candidates` finds every item that shares a token with the question (in any field:
a fact card is as findable as a curated entry), keeps the best by how much of the
question's weight they cover and by BM25F, adds the items nearest the question in
meaning (:mod:`bot.engine.dense`: shared words or not), and describes each with the same
generic features, whatever the document:

* coverage: how much of the question's weight the item covers (anywhere, in its best
  asking phrasing, in what it says), how much of that phrasing the question covers,
  BM25F, the evidence (matched weight without filler), character-level similarity;
* what the question holds that the knowledge does not: words the index never saw,
  names among them, Korean syllable pairs;
* agreement of the question's shape with what the item can give (see
  :mod:`bot.engine.answer_types`): the kind of answer (time, date, count, place, reason),
  the numbers and names it names, "which other", "which specific", "which countries";
* where the match is: a fact card or a curated entry, the question's language or not,
  a phrasing that is the question word for word, the margin over the next candidate;
* meaning: the cosine of the question's sentence vector with the item's nearest text,
  how far it is from the nearest item's, its margin over the next, its rank.

The features are plain floats in :data:`FEATURES` order; :mod:`bot.engine.decision`
turns them into a calibrated confidence.
"""

from __future__ import annotations

import math
import threading
from collections import OrderedDict, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
from rapidfuzz import fuzz

from ..knowledge.model import FactCard
from ..lang.text import has_digit, normalize
from .analysis import Query
from .answer_types import AnswerType
from .dense import embedder
from .index import Index, number_kind

FEATURES: tuple[str, ...] = (
    "cover_item",
    "cover_known",
    "log_cover_item",
    "slots",
    "slot_share",
    "heaviest_missing",
    "rank",
    "korean",
    "cover_ask",
    "cover_say",
    "unit_share",
    "bm25f",
    "evidence",
    "fuzzy",
    "margin",
    "unknown",
    "unknown_name",
    "unknown_name_share",
    "hangul_unknown",
    "exact",
    "fact",
    "lang_other",
    "chat",
    "yes_no",
    "typed",
    "type_match",
    "focus_match",
    "wrong_type",
    "wrong_number",
    "shift_missing",
    "other_number",
    "missing_name",
    "nothing_new",
    "unknown_focus",
    "no_others",
    "no_specifics",
    "no_country",
    "dense",
    "dense_gap",
    "dense_margin",
    "dense_rank",
)
# Prior knowledge the fit must respect: more coverage never makes a candidate less
# likely right (+1), and a question's unknown words or a shape the candidate cannot
# give never make it more likely right (-1); 0: either way.
MONOTONIC: dict[str, int] = {
    "cover_item": 1,
    "cover_known": 1,
    "log_cover_item": 1,
    "cover_ask": 1,
    "cover_say": 1,
    "bm25f": 1,
    "evidence": 1,
    "unknown": -1,
    "unknown_name": -1,
    "unknown_name_share": -1,
    "wrong_type": -1,
    "wrong_number": -1,
    "shift_missing": -1,
    "other_number": -1,
    "missing_name": -1,
    "exact": 1,
    "unknown_focus": -1,
    "no_others": -1,
    "no_specifics": -1,
    "no_country": -1,
    "dense": 1,
    "dense_gap": -1,
    "dense_margin": 1,
}
# How many items are described: the best by coverage, then the best of those by BM25F.
_POOL = 16
_KEEP = 8
_NUMBER_NEIGHBOURHOOD = 2  # tokens: "hosting the 2024 summit"
# The items nearest the question in meaning are described too, shared words or not.
_DENSE_KEEP = 4
_DENSE_RANKS = 20


@dataclass(frozen=True, slots=True)
class Candidate:
    """An item described for the decision: its features and its best-matching text."""

    owner: int
    phrasing: str
    features: tuple[float, ...]


def candidates(index: Index, query: Query) -> list[Candidate]:
    """The items worth deciding between for ``query``, each with its features."""
    similarity = index.similarities(question_vector(query.text))
    nearest = np.argsort(-similarity, kind="stable")[:_DENSE_RANKS]
    nearest = [int(o) for o in nearest if similarity[o] > -1.0]
    dense_rank = {owner: rank for rank, owner in enumerate(nearest)}
    top_two = [*(float(similarity[o]) for o in nearest[:2]), -1.0, -1.0]
    covered: dict[int, float] = defaultdict(float)
    evidence: dict[int, float] = defaultdict(float)
    for slot in query.slots:
        owners = index.postings.get(slot.token)
        if owners:
            gain = slot.weight * slot.sure
            for owner in owners:
                covered[owner] += gain
                if not slot.filler:
                    evidence[owner] += gain
    for owner in nearest[:_DENSE_KEEP]:
        covered.setdefault(owner, 0.0)  # a candidate, whether or not it shares a word
    if not covered:
        return []
    total = query.total
    weights = index.item_weight
    pool = sorted(covered, key=lambda o: (-covered[o], weights[o], o))[:_POOL]
    weighted = [(s.token, s.weight * s.sure) for s in query.slots if s.token in index.idf]
    bm25 = {owner: index.bm25f(owner, weighted) for owner in pool}
    by_cover = pool[:_KEEP]
    by_bm25 = sorted(pool, key=lambda o: (-bm25[o], o))[: _KEEP // 2]
    # An item with a text that is the question itself, word for word, is always kept.
    exact = index.by_words.get(query.words, ())
    kept = list(
        dict.fromkeys([*by_cover, *by_bm25, *(o for o in exact if o in covered), *nearest[:_DENSE_KEEP]])
    )
    for owner in kept:
        if owner not in bm25:
            bm25[owner] = index.bm25f(owner, weighted)
    unknown_weight = sum(s.weight for s in query.slots if not s.known)
    unknown = unknown_weight / total
    known_total = max(total - unknown_weight, 1e-9)
    unknown_names = sum(s.weight for s in query.slots if not s.known and s.name) / total
    hangul_unknown = sum(s.weight for s in query.slots if not s.known and s.hangul) / total
    shape = query.shape
    # The margin: how much more of the question an item covers than the best other one.
    first, second = [*sorted((covered[o] for o in kept), reverse=True), 0.0][:2]
    out: list[Candidate] = []
    text_norm = normalize(query.text)
    order = {owner: rank for rank, owner in enumerate(sorted(kept, key=lambda o: (-covered[o], o)))}
    for owner in kept:
        cover_ask, cover_say, share, phrasing, lang_other, exact = _units(index, query, owner)
        profile = index.profiles[owner]
        item_tokens = index.item_tokens[owner]
        cover_item = covered[owner] / total
        types = profile.types if shape.about_publication else profile.event_types
        typed = shape.wanted is not AnswerType.ANY
        new_countries = len(profile.countries - shape.countries) if shape.wants_country else 0
        missing = [s.weight for s in query.slots if s.token not in item_tokens]
        features = (
            cover_item,
            covered[owner] / known_total,
            math.log(max(cover_item, 0.01)),
            math.log(len(query.slots)),
            1 - len(missing) / len(query.slots),
            max(missing, default=0.0) / total,
            float(order[owner]),
            float(query.lang == "ko"),
            cover_ask,
            cover_say,
            share,
            bm25[owner],
            math.log1p(evidence[owner]),
            fuzz.token_set_ratio(text_norm, normalize(phrasing)) / 100.0,
            (covered[owner] - (second if covered[owner] == first else first)) / total,
            unknown,
            float(shape.unknown_name),
            unknown_names,
            hangul_unknown,
            float(exact),
            float(isinstance(index.items[owner], FactCard)),
            float(lang_other),
            float(query.chat),
            float(shape.yes_no),
            float(typed),
            float(typed and shape.wanted in types),
            float(any(not group.isdisjoint(item_tokens) for group in shape.focus)),
            float(typed and shape.wanted not in types),
            float(bool(shape.numbers) and not item_tokens.issuperset(shape.numbers)),
            float(bool(shape.shifts) and not profile.said_tokens.issuperset(shape.shifts)),
            float(
                bool(shape.numbers)
                and profile.said_sequence is not None
                and _nearer_another_number(profile.said_sequence, shape.numbers, shape.asked)
            ),
            float(bool(shape.names) and item_tokens.isdisjoint(shape.names)),
            float(profile.answer_tokens <= shape.asked),
            float(shape.unknown_focus),
            float(shape.others and not profile.names_others),
            float(shape.specific and profile.names <= shape.asked),
            float(shape.wants_country and new_countries < (2 if shape.others else 1)),
            float(similarity[owner]),
            top_two[0] - float(similarity[owner]),
            float(similarity[owner]) - (top_two[1] if nearest and owner == nearest[0] else top_two[0]),
            float(dense_rank.get(owner, _DENSE_RANKS)),
        )
        out.append(Candidate(owner, phrasing, features))
    return out


# Embedding a question takes about 20 ms, the rest of answering it about 2 ms: the vectors
# of the last questions asked are kept (1.5 KiB each), enough for a fit's second pass over
# its questions and for a question asked again.
_KEPT_VECTORS = 4096
_vectors: OrderedDict[str, np.ndarray] = OrderedDict()
_vectors_lock = threading.Lock()


def question_vector(text: str) -> np.ndarray:
    """The sentence vector of a question's asking part."""
    with _vectors_lock:
        vector = _vectors.get(text)
        if vector is not None:
            _vectors.move_to_end(text)
            return vector
    vector = embedder().query(text)
    _keep({text: vector})
    return vector


def embed_questions(texts: Iterable[str]) -> None:
    """Embed the asking parts of several questions in one call, ahead of asking them:
    the same vectors as one at a time, in less time (see dense.Embedder.queries)."""
    with _vectors_lock:
        missing = [text for text in dict.fromkeys(texts) if text not in _vectors]
    # More than the cache keeps would push out the first ones before they are asked.
    missing = missing[:_KEPT_VECTORS]
    if missing:
        _keep(dict(zip(missing, embedder().queries(missing), strict=True)))


def _keep(vectors: dict[str, np.ndarray]) -> None:
    with _vectors_lock:
        _vectors.update(vectors)
        for text in vectors:
            _vectors.move_to_end(text)
        while len(_vectors) > _KEPT_VECTORS:
            _vectors.popitem(last=False)


def _units(index: Index, query: Query, owner: int) -> tuple[float, float, float, str, bool, bool]:
    """The best asking and saying coverage of the item's texts, how much of its best
    text the question covers, that text, whether it is in another language than the
    question, and whether a text of the item is the question word for word."""
    uids = index.item_units[owner]
    holders = index.item_token_units[owner]
    covered = [0.0] * len(uids)
    shared = [0.0] * len(uids)
    idf = index.idf
    for slot in query.slots:
        positions = holders.get(slot.token)
        if positions:
            gain = slot.weight * slot.sure
            weight = idf[slot.token]
            for position in positions:
                covered[position] += gain
                shared[position] += weight
    exact = query.words in index.item_words[owner]
    units = index.units
    best_ask = best_say = 0.0
    top_cover = top_share = -1.0
    top = 0
    asks = index.item_unit_asks[owner]
    totals = index.item_unit_totals[owner]
    for position, cover in enumerate(covered):
        if not cover:
            continue
        if asks[position]:
            if cover > best_ask:
                best_ask = cover
        elif cover > best_say:
            best_say = cover
        if cover >= top_cover:
            share = shared[position] / totals[position]
            if cover > top_cover or share > top_share:
                top_cover, top_share, top = cover, share, position
    if top_cover < 0:
        return 0.0, 0.0, 0.0, units[uids[0]].text if uids else "", False, exact
    unit = units[uids[top]]
    total = query.total
    return best_ask / total, best_say / total, top_share, unit.text, unit.lang != query.lang, exact


def _nearer_another_number(
    sequence: tuple[str, ...], numbers: tuple[str, ...], asked: frozenset[str]
) -> bool:
    """Whether a word of the question stands nearer, in ``sequence``, to a number of the
    same kind the question does not name than to the number it does name."""
    positions: dict[str, list[int]] = defaultdict(list)
    for position, token in enumerate(sequence):
        positions[token].append(position)
    words = [t for t in asked if t in positions and not has_digit(t)]
    for number in numbers:
        if number not in positions:
            continue
        kind = number_kind(number)
        others = [
            position
            for token, places in positions.items()
            if has_digit(token) and token not in numbers and number_kind(token) == kind
            for position in places
        ]
        if not others:
            continue
        for word in words:
            to_named = min(abs(i - j) for i in positions[word] for j in positions[number])
            to_other = min(abs(i - j) for i in positions[word] for j in others)
            if to_other < to_named and to_other <= _NUMBER_NEIGHBOURHOOD:
                return True
    return False
