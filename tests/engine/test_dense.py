"""bot.engine.dense: the sentence-embedding model, its vector store, and the index's
per-item similarities. The model is the real one (it ships inside its package)."""

from __future__ import annotations

import sqlite3

import numpy as np
import pytest

from bot.engine import dense
from bot.engine.dense import DIMENSIONS, PASSAGE, QUERY, Embedder, VectorStore
from bot.engine.index import ASK, Index, exact_grid


@pytest.fixture(scope="module")
def model() -> Embedder:
    return Embedder(store=None)


def cosine(a: np.ndarray, b: np.ndarray) -> float:
    return float(a @ b)


def test_vectors_are_unit_length(model: Embedder) -> None:
    vectors = model.texts([(QUERY, "Who is the minister?"), (PASSAGE, "Park Jin is the minister.")])
    assert vectors.shape == (2, DIMENSIONS)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-3)
    assert np.allclose(model.query("Who is the minister?"), vectors[0], atol=1e-6)


@pytest.mark.parametrize(
    ("question", "other"),
    [
        # Other words, same topic: the paraphrase is nearer than a sentence sharing words.
        (
            "What number member did Denmark become in the coalition?",
            "The coalition meets every year to discuss internet freedom.",
        ),
        # A Korean question meets the English sentence that answers it.
        ("덴마크는 몇 번째 회원국이 되었나요?", "The weather in the capital was sunny all week."),
    ],
)
def test_the_answering_sentence_is_nearest(model: Embedder, question: str, other: str) -> None:
    right, wrong = model.texts(
        [(PASSAGE, "The FOC is pleased to announce Denmark as its 32nd Member."), (PASSAGE, other)]
    )
    vector = model.query(question)
    assert cosine(vector, right) > cosine(vector, wrong)


def test_the_store_returns_what_was_put(tmp_path) -> None:
    store = VectorStore(tmp_path / "v.sqlite")
    rows = {b"a": np.arange(DIMENSIONS, dtype=np.float32), b"b": np.ones(DIMENSIONS, dtype=np.float32)}
    store.put(rows)
    got = VectorStore(tmp_path / "v.sqlite").get([b"a", b"b", b"missing"])
    assert set(got) == {b"a", b"b"}
    assert all(np.array_equal(got[k], rows[k]) for k in rows)


def test_stored_texts_are_not_embedded_again(tmp_path, monkeypatch) -> None:
    store = VectorStore(tmp_path / "v.sqlite")
    texts = [(QUERY, "Who is the minister?"), (PASSAGE, "Park Jin is the minister.")]
    first = Embedder(store).texts(texts)
    later = Embedder(store)
    monkeypatch.setattr(later, "_loaded", lambda: pytest.fail("the model was used"))
    assert np.array_equal(later.texts(texts), first)
    # The role is part of the key: the same text as the other role is not the stored one.
    with pytest.raises(pytest.fail.Exception):
        later.texts([(PASSAGE, "Who is the minister?")])


def test_a_vector_of_the_wrong_size_is_not_read(tmp_path) -> None:
    path = tmp_path / "v.sqlite"
    VectorStore(path).put({b"k": np.ones(DIMENSIONS, dtype=np.float32)})
    with sqlite3.connect(path) as connection:
        connection.execute("UPDATE vectors SET vector = ?", (b"\0" * 10,))
    assert VectorStore(path).get([b"k"]) == {}


@pytest.mark.parametrize("damage", ["garbage", "directory"])
def test_a_damaged_or_unusable_store_only_costs_time(tmp_path, damage: str, model: Embedder) -> None:
    path = tmp_path / "v.sqlite"
    if damage == "garbage":
        path.write_bytes(b"this is not a database" * 100)
    else:
        path.mkdir()
    store = VectorStore(path)
    assert store.get([b"k"]) == {}
    store.put({b"k": np.ones(DIMENSIONS, dtype=np.float32)})  # logged, not raised
    texts = [(PASSAGE, "Park Jin is the minister.")]
    assert np.allclose(Embedder(store).texts(texts), model.texts(texts), atol=1e-6)


def test_the_default_store_follows_the_environment(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("FOC_BOT_VECTORS", str(tmp_path / "x.sqlite"))
    assert dense.default_store_path() == tmp_path / "x.sqlite"
    monkeypatch.delenv("FOC_BOT_VECTORS")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert dense.default_store_path() == tmp_path / "foc-bot" / "vectors.sqlite"


def test_an_items_similarity_is_its_best_text(matcher) -> None:
    index: Index = matcher.index
    question = dense.embedder().query("Who is Park Jin?")
    similarity = index.similarities(question)
    assert similarity.shape == (len(index.items),)
    # The cosines of the vectors as embedded: the grid the index computes on moves them
    # by about 2e-4.
    vectors = dense.embedder().texts([(QUERY if u.field == ASK else PASSAGE, u.text) for u in index.units])
    per_unit = vectors @ question
    for owner in (0, len(index.items) // 2, len(index.items) - 1):
        units = index.item_units[owner]
        expected = max(per_unit[u] for u in units) if units else -1.0
        assert similarity[owner] == pytest.approx(expected, abs=2e-3)


def test_similarities_are_exact_integer_arithmetic(matcher) -> None:
    """The cosines are sums of products of integers, summed in int32 without overflow:
    the same to the bit as exact arithmetic, whatever the order of summing, so a refit
    gives the committed model on any machine."""
    index: Index = matcher.index
    question = dense.embedder().query("Which coalition did Korea join, and when?")
    similarity = index.similarities(question)
    grid = exact_grid(question)
    assert index.grid_vectors.dtype == grid.dtype == np.int16
    assert np.abs(index.grid_vectors).max() <= 2**11
    exact = index.grid_vectors.astype(np.int64) @ grid.astype(np.int64)
    assert np.abs(exact).max() < 2**31
    for owner, units in enumerate(index.item_units):
        if units:
            assert similarity[owner] == np.float32(max(exact[u] for u in units) / 2.0**22)


@pytest.mark.parametrize("text", ["Z̷̵a̷l̸g̷o " * 80, "🙂" * 500, "word " * 400])
def test_a_long_question_is_read_from_its_first_tokens(model: Embedder, text: str) -> None:
    engine = model._loaded()
    start = dense._first_tokens(engine, text, dense.QUESTION_TOKENS)
    assert text.startswith(start) and start
    assert engine.token_count(start, True) <= dense.QUESTION_TOKENS < engine.token_count(text, True)
    assert np.allclose(model.query(text), model.query(start), atol=1e-6)


def test_a_short_question_is_read_whole(model: Embedder) -> None:
    text = "How many members does the coalition have now?"
    assert dense._first_tokens(model._loaded(), text, dense.QUESTION_TOKENS) == text


def test_a_batch_gives_each_text_the_vector_it_gets_alone(model: Embedder) -> None:
    # Batching is only a speed-up if it changes nothing: the answers of `ask --json -`
    # must be those of `ask`, to the bit.
    questions = ["Who is the minister?", "한국은 언제 가입했나요?", "word " * 400, "FOC"]
    alone = np.stack([model.query(q) for q in questions])
    assert np.array_equal(model.queries(questions), alone)
    assert model.queries([]).shape == (0, DIMENSIONS)


def test_texts_are_embedded_in_batches_of_each_role(tmp_path, monkeypatch) -> None:
    embedder = Embedder(VectorStore(tmp_path / "v.sqlite"))
    engine = embedder._loaded()
    calls: list[tuple[str, int]] = []
    for role in (QUERY, PASSAGE):
        real = getattr(engine, role)

        def counted(texts, real=real, role=role):
            calls.append((role, len(texts)))
            return real(texts)

        monkeypatch.setattr(engine, role, counted)
    monkeypatch.setattr(dense, "_BATCH", 3)
    texts = [(QUERY, f"question {i}?") for i in range(4)] + [(PASSAGE, f"Sentence {i}.") for i in range(2)]
    vectors = embedder.texts(texts)
    assert calls == [(QUERY, 3), (QUERY, 1), (PASSAGE, 2)]
    monkeypatch.undo()
    alone = Embedder(store=None)
    assert np.array_equal(vectors, np.stack([alone.texts([t])[0] for t in texts]))
