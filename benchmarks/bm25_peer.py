"""A BM25 baseline with the same stdin -> JSON-lines contract as ``python -m bot ask --json -``.

It indexes the sentences of the announcement (paragraphs split on blank lines, then
sentences split with a simple regex) with `bm25s <https://github.com/xhluca/bm25s>`_ and
answers every input line with the best-scoring sentence, or abstains when that score is
below ``--threshold``. It is the peer the speed benchmark compares the engine with: a
plain lexical retriever with no spelling correction, synonyms or curated answers.

Usage::

    python benchmarks/bm25_peer.py [--threshold 1.5] < questions.txt > answers.jsonl
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO, TextIO

import bm25s

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SOURCE = ROOT / "knowledge" / "sources" / "announcement.txt"
DEFAULT_THRESHOLD = 1.5

_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n+")
# End punctuation (optionally closing a quote) before a space, but not after "Mr." and
# the like; or a line break.
_SENTENCE_BREAK = re.compile(
    r"(?<!\bMr\.)(?<!\bMs\.)(?<!\bDr\.)(?<!\bMrs\.)"
    r"(?:(?<=[.!?][\"'\u201d)])|(?<=[.!?])(?=\s+[\"'\u201c(A-Z0-9]))\s+|\n"
)


@dataclass(frozen=True, slots=True)
class Sentence:
    """One indexed sentence and where it comes from (paragraphs are 1-based)."""

    text: str
    paragraph: int


def split_sentences(text: str) -> list[Sentence]:
    """Paragraphs on blank lines, then sentences on end punctuation or line breaks."""
    text = text.replace("\r\n", "\n")
    paragraphs = [p.strip() for p in _PARAGRAPH_BREAK.split(text) if p.strip()]
    return [
        Sentence(piece.strip(), number)
        for number, paragraph in enumerate(paragraphs, start=1)
        for piece in _SENTENCE_BREAK.split(paragraph)
        if piece.strip()
    ]


class BM25Peer:
    """Top-1 BM25 sentence retrieval over one document."""

    def __init__(self, source: Path = DEFAULT_SOURCE, threshold: float = DEFAULT_THRESHOLD) -> None:
        self.document = source.stem
        self.threshold = threshold
        self.sentences = split_sentences(source.read_text(encoding="utf-8"))
        corpus = [s.text for s in self.sentences]
        self.retriever = bm25s.BM25()
        self.retriever.index(bm25s.tokenize(corpus, show_progress=False), show_progress=False)

    def best(self, question: str) -> tuple[Sentence | None, float]:
        """The best sentence for ``question`` and its BM25 score (None, 0 when nothing matches)."""
        tokens = bm25s.tokenize(question, return_ids=False, show_progress=False)[0]
        if not tokens:
            return None, 0.0
        scores = self.retriever.get_scores(tokens)
        index = int(scores.argmax())
        score = float(scores[index])
        return (self.sentences[index], score) if score > 0 else (None, 0.0)

    def ask(self, question: str) -> dict[str, Any]:
        """One answer in the engine's ``ask --json`` shape."""
        sentence, score = self.best(question)
        answered = sentence is not None and score >= self.threshold
        return {
            "question": question,
            "answered": answered,
            "answer": sentence.text if answered and sentence else None,
            "source": {"document": self.document, "paragraph": sentence.paragraph, "quote": sentence.text}
            if answered and sentence
            else None,
            "score": round(score, 2),
            "entry_id": None,
            "kind": "bm25" if answered else "none",
            "suggestions": [],
        }


def _lines(stream: TextIO) -> Iterator[str]:
    """Input lines without their line ending, decoding bytes tolerantly like the engine's CLI."""
    buffer: BinaryIO | None = getattr(stream, "buffer", None)
    raw: Iterable[str] = (
        (line.decode("utf-8", errors="replace") for line in buffer) if buffer is not None else stream
    )
    for line in raw:
        yield line.rstrip("\r\n")


def serve(peer: BM25Peer, stream: TextIO, out: TextIO) -> None:
    """One JSON line per input line, in order, flushed per line (as the engine's CLI does)."""
    for line in _lines(stream):
        out.write(json.dumps(peer.ask(line), ensure_ascii=False) + "\n")
        out.flush()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--source", type=Path, default=DEFAULT_SOURCE, help="the document to index")
    parser.add_argument(
        "--threshold",
        type=float,
        default=DEFAULT_THRESHOLD,
        help=f"answer only when the top BM25 score is at least this (default {DEFAULT_THRESHOLD})",
    )
    args = parser.parse_args(argv)
    try:
        serve(BM25Peer(args.source, args.threshold), sys.stdin, sys.stdout)
    except BrokenPipeError:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
