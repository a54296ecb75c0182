"""Speed benchmarks of the answer engine (not tests: nothing here asserts a timing).

Four measurements, each printed as a table and optionally written as JSON (``--out``):

1. **Real knowledge**: index build time (without the index cache) and per-question
   ``Matcher.ask`` latency (p50/p99, ``time.perf_counter_ns``) on 6,000 distinct
   questions: every question of ``tests/data/*.yaml`` plus deterministic variants of them
   (words shuffled, words dropped, typos added), no question twice.
2. **Synthetic knowledge** of 1k, 10k and 100k entries, generated deterministically from
   a Zipf-distributed vocabulary of pseudo-words and real English words: build time, ask
   latency on perturbed entry questions and on random ones, the process RSS growth, and
   what one more index allocates by tracemalloc.
   Each size runs in a fresh process so its memory figures are its own.
3. **Throughput** of one ``python -m bot ask --json -`` process answering the question
   set from a file (wall time including start-up, index cache filled by an earlier
   run), side by side in the same run with two peers of the same contract: BM25
   (``benchmarks/bm25_peer.py``, bm25s) and a naive ``rapidfuzz.process.extractOne``
   over every curated phrasing (``benchmarks/extractone_peer.py``).
4. **Start-up**: one ``python -m bot ask --json "..."`` (median of N runs, index cache
   filled) next to ``python -c pass``; then the model's reliability table.

Run from the project root::

    python benchmarks/bench_engine.py [--quick] [--out results.json]
"""

from __future__ import annotations

import argparse
import concurrent.futures
import gc
import importlib.util
import itertools
import json
import multiprocessing
import os
import platform
import random
import resource
import statistics
import string
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from types import MappingProxyType, ModuleType
from typing import Any

import yaml

from bot.config import load_config
from bot.engine.engine import build_matcher, matcher_for
from bot.engine.matcher import Matcher
from bot.knowledge.model import Entry, Knowledge, SourceRef
from bot.knowledge.sources import Document
from bot.lang.text import STOPWORDS, english_words

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data"
PEER_SCRIPT = ROOT / "benchmarks" / "bm25_peer.py"
FUZZY_PEER_SCRIPT = ROOT / "benchmarks" / "extractone_peer.py"
MODEL = ROOT / "bot" / "engine" / "model.json"
STARTUP_QUESTION = "When did Korea join the Freedom Online Coalition?"
WARMUP_QUESTION = "warmup qzxv question"  # an unknown word: loads the English word list

Results = dict[str, Any]


@dataclass(frozen=True)
class Plan:
    """How much work each benchmark does (``--quick`` shrinks everything)."""

    questions: int
    sizes: tuple[int, ...]
    timed_per_size: dict[int, int]
    startup_runs: int
    seed: int


def make_plan(quick: bool, seed: int, sizes: Sequence[int] | None) -> Plan:
    if quick:
        chosen = tuple(sizes or (1_000, 10_000))
        return Plan(600, chosen, {n: 300 for n in chosen}, 2, seed)
    chosen = tuple(sizes or (1_000, 10_000, 100_000))
    # Latency grows with size; fewer timed questions keep the 100k run near two minutes.
    timed = {n: 3_000 if n <= 1_000 else 2_000 if n <= 10_000 else 200 for n in chosen}
    return Plan(6_000, chosen, timed, 5, seed)


# -- measuring -----------------------------------------------------------------------------


def percentile(sorted_values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile ``q`` (0-100) of already sorted values."""
    if not sorted_values:
        return float("nan")
    rank = max(1, round(q / 100 * len(sorted_values)))
    return sorted_values[min(rank, len(sorted_values)) - 1]


def summarize_ns(samples: Sequence[int]) -> Results:
    """p50/p99/mean/max of nanosecond samples, in microseconds."""
    ordered = sorted(s / 1_000 for s in samples)
    return {
        "n": len(ordered),
        "p50_us": round(percentile(ordered, 50), 1),
        "p99_us": round(percentile(ordered, 99), 1),
        "mean_us": round(statistics.fmean(ordered), 1) if ordered else float("nan"),
        "max_us": round(ordered[-1], 1) if ordered else float("nan"),
    }


def time_each(ask: Callable[[str], Any], questions: Sequence[str]) -> tuple[list[int], list[Any]]:
    """Nanoseconds spent in ``ask`` for each question, and the answers."""
    clock = time.perf_counter_ns
    samples: list[int] = []
    answers: list[Any] = []
    for question in questions:
        start = clock()
        answer = ask(question)
        samples.append(clock() - start)
        answers.append(answer)
    return samples, answers


def rss_mib() -> float:
    """Current resident set size (VmRSS); peak RSS where /proc is unavailable."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024 if sys.platform == "darwin" else 1024)


def timed(fn: Callable[[], Any]) -> tuple[Any, float]:
    """``fn()`` and its wall time in seconds."""
    start = time.perf_counter()
    value = fn()
    return value, time.perf_counter() - start


# -- question variants ---------------------------------------------------------------------


def add_typo(word: str, rng: random.Random) -> str:
    """One keyboard slip: swap, drop, double or replace a letter."""
    if len(word) < 4 or not word.isalpha():
        return word
    i = rng.randrange(1, len(word) - 1)
    kind = rng.randrange(4)
    if kind == 0:
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    if kind == 1:
        return word[:i] + word[i + 1 :]
    if kind == 2:
        return word[:i] + word[i] + word[i:]
    return word[:i] + rng.choice(string.ascii_lowercase) + word[i + 1 :]


def shuffle_words(words: list[str], rng: random.Random) -> list[str]:
    out = list(words)
    rng.shuffle(out)
    return out


def drop_words(words: list[str], rng: random.Random) -> list[str]:
    if len(words) < 3:
        return words
    drop = set(rng.sample(range(len(words)), k=rng.randint(1, max(1, len(words) // 3))))
    return [w for i, w in enumerate(words) if i not in drop]


def typo_words(words: list[str], rng: random.Random) -> list[str]:
    out = list(words)
    for i in rng.sample(range(len(out)), k=min(len(out), rng.randint(1, 2))):
        out[i] = add_typo(out[i], rng)
    return out


_PERTURBATIONS = (shuffle_words, drop_words, typo_words)


def perturb(question: str, rng: random.Random) -> str:
    """``question`` with one to three of: words shuffled, words dropped, typos."""
    words = question.split()
    if not words:
        return question
    for change in rng.sample(_PERTURBATIONS, k=rng.randint(1, 3)):
        words = change(words, rng)
    return " ".join(words)


def question_set(base: Sequence[str], count: int, rng: random.Random) -> list[str]:
    """The base questions, then perturbed copies of random ones: ``count`` distinct ones."""
    out = list(dict.fromkeys(q.replace("\n", " ") for q in base))[:count]
    seen = set(out)
    while len(out) < count:
        question = perturb(rng.choice(base), rng).replace("\n", " ")
        if question not in seen:
            seen.add(question)
            out.append(question)
    return out


def base_questions(matcher: Matcher) -> tuple[list[str], str]:
    """Every question of the project's question sets, else the knowledge's own phrasings."""
    questions = [
        str(c["q"])
        for path in sorted(DATA.glob("*.yaml"))
        for c in yaml.safe_load(path.read_text(encoding="utf-8")) or []
        if isinstance(c, dict) and c.get("q")
    ]
    if questions:
        return questions, "tests/data/*.yaml"
    phrasings = [p for e in matcher.knowledge.entries for p in e.phrasings]
    return phrasings, "knowledge phrasings (no question sets found)"


# -- 1. real knowledge ---------------------------------------------------------------------


def bench_real(plan: Plan) -> tuple[Results, list[str]]:
    """Build and per-question latency on the real knowledge; also returns the questions."""
    matcher, build_s = timed(lambda: build_matcher(load_config(), use_cache=False))
    base, origin = base_questions(matcher)
    questions = question_set(base, plan.questions, random.Random(plan.seed))
    _, first_s = timed(lambda: matcher.ask(WARMUP_QUESTION))
    samples, answers = time_each(matcher.ask, questions)
    return {
        "entries": len(matcher.knowledge.entries),
        "facts": len(matcher.knowledge.facts),
        "question_source": origin,
        "base_questions": len(base),
        "build_s": round(build_s, 4),
        "first_ask_ms": round(first_s * 1e3, 2),
        "latency": summarize_ns(samples),
        "answered_pct": round(100 * sum(a.answered for a in answers) / len(answers), 1),
    }, questions


# -- 2. synthetic knowledge ----------------------------------------------------------------

_ONSETS = (
    "b",
    "br",
    "c",
    "d",
    "dr",
    "f",
    "g",
    "gl",
    "k",
    "l",
    "m",
    "n",
    "p",
    "pl",
    "r",
    "s",
    "st",
    "t",
    "v",
    "z",
)
_VOWELS = ("a", "e", "i", "o", "u", "ai", "ou")
_CODAS = ("", "", "n", "r", "s", "l", "x", "th")
_QUESTION_TEMPLATES = (
    "what is the {} {} of the {} {}?",
    "how does the {} {} {} {}?",
    "why is {} {} {} {}?",
    "when did the {} {} {} {}?",
    "who {} {} {} {}?",
    "where are the {} {} {} {}?",
)
_ALTERNATE_TEMPLATES = (
    "{} {} {}?",
    "what about {} {} {}",
    "can you tell me how {} {} {}",
    "is there {} {} {}?",
    "{} {}",
)


def pseudo_words(count: int, rng: random.Random, avoid: frozenset[str]) -> list[str]:
    """``count`` distinct pronounceable non-words (two or three syllables)."""
    out: dict[str, None] = {}
    while len(out) < count:
        word = "".join(
            rng.choice(_ONSETS) + rng.choice(_VOWELS) + rng.choice(_CODAS) for _ in range(rng.randint(2, 3))
        )
        if word not in avoid:
            out[word] = None
    return list(out)


class ZipfVocabulary:
    """Words drawn with probability proportional to 1 / rank ** exponent."""

    def __init__(self, words: list[str], rng: random.Random, exponent: float = 1.0) -> None:
        self.words = words
        self.rng = rng
        self.cumulative = list(itertools.accumulate(1 / (r + 1) ** exponent for r in range(len(words))))

    def draw(self, k: int) -> list[str]:
        """``k`` distinct words."""
        out: dict[str, None] = {}
        while len(out) < k:
            out.update(dict.fromkeys(self.rng.choices(self.words, cum_weights=self.cumulative, k=k)))
        return list(out)[:k]


def make_vocabulary(rng: random.Random, pseudo: int = 3_000, real: int = 3_000) -> ZipfVocabulary:
    """Pseudo-words and real English words mixed, ranked at random, Zipf-weighted."""
    english = sorted(w for w in english_words() if w.isalpha() and 4 <= len(w) <= 10 and w not in STOPWORDS)
    words = rng.sample(english, real) + pseudo_words(pseudo, rng, english_words() | STOPWORDS)
    rng.shuffle(words)
    return ZipfVocabulary(words, rng)


def make_sentence(words: list[str]) -> str:
    return words[0].capitalize() + " " + " ".join(words[1:]) + "."


def make_entry(index: int, vocab: ZipfVocabulary, document: str, paragraph: int) -> tuple[Entry, str]:
    """One synthetic entry and the paragraph its quote comes from."""
    rng = vocab.rng
    topic = vocab.draw(4)
    question = rng.choice(_QUESTION_TEMPLATES).format(*topic)
    alternates = []
    for template in _ALTERNATE_TEMPLATES:
        words = rng.sample(topic, k=template.count("{}") - 1) + vocab.draw(1)
        alternates.append(template.format(*words))
    answer = make_sentence(topic + vocab.draw(rng.randint(5, 10)))
    filler = make_sentence(vocab.draw(rng.randint(6, 12)))
    text = f"{filler} {answer}" if rng.random() < 0.5 else f"{answer} {filler}"
    entry = Entry(
        id=f"syn-{index:06d}",
        question=question,
        alternates=tuple(alternates),
        answer=answer,
        source=SourceRef(document=document, paragraph=paragraph, quote=answer),
    )
    return entry, text


def synthetic_knowledge(size: int, seed: int, per_document: int = 200) -> tuple[Knowledge, ZipfVocabulary]:
    """A valid knowledge base of ``size`` entries over synthetic documents."""
    vocab = make_vocabulary(random.Random(seed))
    entries: list[Entry] = []
    paragraphs: dict[str, list[str]] = {}
    for i in range(size):
        doc_id = f"synthetic-{i // per_document:04d}"
        page = paragraphs.setdefault(doc_id, [f"Synthetic document {i // per_document}"])
        entry, text = make_entry(i, vocab, doc_id, len(page) + 1)
        page.append(text)
        entries.append(entry)
    documents = {
        doc_id: Document(
            doc_id, f"Synthetic {doc_id}", "bench", "2024-01-01", tuple(paras), Path(f"{doc_id}.txt")
        )
        for doc_id, paras in paragraphs.items()
    }
    synonyms = {vocab.words[r]: (" ".join(vocab.draw(2)),) for r in range(100, 120)}
    knowledge = Knowledge(
        documents=MappingProxyType(documents),
        entries=tuple(entries),
        facts=(),
        synonyms=MappingProxyType(synonyms),
    )
    return knowledge, vocab


def synthetic_questions(
    knowledge: Knowledge, vocab: ZipfVocabulary, count: int
) -> tuple[list[str], list[str]]:
    """Perturbed phrasings of random entries, and random questions, ``count`` of each."""
    rng = vocab.rng
    sampled = [perturb(rng.choice(rng.choice(knowledge.entries).phrasings), rng) for _ in range(count)]
    random_ones = [rng.choice(_QUESTION_TEMPLATES).format(*vocab.draw(4)) for _ in range(count)]
    return sampled, random_ones


def bench_synthetic_size(size: int, seed: int, timed_questions: int) -> Results:
    """Everything for one knowledge size; meant to run in a fresh process."""
    rss_start = rss_mib()
    (knowledge, vocab), generate_s = timed(lambda: synthetic_knowledge(size, seed))
    rss_knowledge = rss_mib()
    matcher, build_s = timed(lambda: matcher_for(knowledge))
    rss_index = rss_mib()
    sampled, random_ones = synthetic_questions(knowledge, vocab, timed_questions // 2)
    matcher.ask(WARMUP_QUESTION)
    sampled_ns, sampled_answers = time_each(matcher.ask, sampled)
    random_ns, _ = time_each(matcher.ask, random_ones)
    rss_total = rss_mib() - rss_start
    traced = traced_index_mib(knowledge)  # after the RSS figures: it builds one more index
    return {
        "entries": size,
        "phrasings": size * 7,
        "generate_s": round(generate_s, 2),
        "build_s": round(build_s, 3),
        "sampled": summarize_ns(sampled_ns),
        "random": summarize_ns(random_ns),
        "all": summarize_ns(sampled_ns + random_ns),
        "sampled_answered_pct": round(100 * sum(a.answered for a in sampled_answers) / len(sampled), 1),
        "rss_knowledge_mib": round(rss_knowledge - rss_start, 1),
        "rss_index_mib": round(rss_index - rss_knowledge, 1),
        "rss_total_mib": round(rss_total, 1),
        "index_kib_per_phrasing": round(1024 * (rss_index - rss_knowledge) / (size * 7), 2),
        "traced_index_mib": round(traced, 1),
        "traced_kib_per_phrasing": round(1024 * traced / (size * 7), 2),
    }


def traced_index_mib(knowledge: Knowledge) -> float:
    """The memory Python allocates for one more index of ``knowledge`` (tracemalloc):
    what an index holds itself, without the once-only costs that are already loaded."""
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        matcher = matcher_for(knowledge)
        gc.collect()
        held = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    del matcher
    return held / 2**20


def bench_synthetic(plan: Plan) -> list[Results]:
    """Each size in its own fresh (spawned) process, one after the other."""
    context = multiprocessing.get_context("spawn")
    results = []
    for size in plan.sizes:
        with concurrent.futures.ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:
            results.append(
                pool.submit(bench_synthetic_size, size, plan.seed, plan.timed_per_size[size]).result()
            )
    return results


# -- 3. throughput against the BM25 peer ---------------------------------------------------


def child_env() -> dict[str, str]:
    """The environment for subprocesses: the project importable, as it is here."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH")) if p)
    return env


def run_stream(command: list[str], questions_file: Path) -> Results:
    """Run one stdin -> JSON-lines process over the file; wall time includes start-up."""
    with questions_file.open("rb") as stdin, tempfile.TemporaryFile() as stdout:
        start = time.perf_counter()
        subprocess.run(command, stdin=stdin, stdout=stdout, cwd=ROOT, env=child_env(), check=True)
        wall = time.perf_counter() - start
        stdout.seek(0)
        replies = [json.loads(line) for line in stdout]
    return {
        "wall_s": round(wall, 3),
        "replies": len(replies),
        "qps": round(len(replies) / wall, 1),
        "answered_pct": round(100 * sum(r["answered"] for r in replies) / max(len(replies), 1), 1),
    }


def load_peer() -> ModuleType:
    """The peer script as a module (it imports bm25s, so only when needed)."""
    spec = importlib.util.spec_from_file_location("bm25_peer", PEER_SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module


def bench_peer_latency(questions: Sequence[str]) -> Results:
    """The BM25 peer's in-process per-question latency on the same questions."""
    peer, build_s = timed(load_peer().BM25Peer)
    peer.ask(WARMUP_QUESTION)
    samples, answers = time_each(peer.ask, questions)
    return {
        "sentences": len(peer.sentences),
        "build_s": round(build_s, 4),
        "latency": summarize_ns(samples),
        "answered_pct": round(100 * sum(a["answered"] for a in answers) / len(answers), 1),
    }


def bench_throughput(questions: Sequence[str]) -> Results:
    """Both CLIs over the same file of questions, one line each."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "questions.txt"
        path.write_text("".join(q + "\n" for q in questions), encoding="utf-8")
        # One untimed run first, so the index cache is as a running install has it.
        run_stream([sys.executable, "-m", "bot", "ask", "--json", "-"], path)
        ours = run_stream([sys.executable, "-m", "bot", "ask", "--json", "-"], path)
        peer = run_stream([sys.executable, str(PEER_SCRIPT)], path)
        fuzzy = run_stream([sys.executable, str(FUZZY_PEER_SCRIPT)], path)
    return {
        "questions": len(questions),
        "distinct": len(set(questions)),
        "ours": ours,
        "peer": peer,
        "fuzzy_peer": fuzzy,
        "wall_ratio": round(ours["wall_s"] / peer["wall_s"], 2),
        "throughput_vs_bm25": round(peer["wall_s"] / ours["wall_s"], 2),
        "throughput_vs_extractone": round(fuzzy["wall_s"] / ours["wall_s"], 2),
    }


# -- 4. start-up ---------------------------------------------------------------------------


def median_wall(command: list[str], runs: int) -> float:
    """Median wall time of ``runs`` runs, after one untimed warm-up run."""
    subprocess.run(command, cwd=ROOT, env=child_env(), stdout=subprocess.DEVNULL, check=True)
    times = []
    for _ in range(runs):
        _, wall = timed(
            lambda: subprocess.run(command, cwd=ROOT, env=child_env(), stdout=subprocess.DEVNULL, check=True)
        )
        times.append(wall)
    return statistics.median(times)


def bench_startup(plan: Plan) -> Results:
    # The warm-up run of median_wall fills the index cache, as any earlier run would.
    ask = median_wall([sys.executable, "-m", "bot", "ask", "--json", STARTUP_QUESTION], plan.startup_runs)
    bare = median_wall([sys.executable, "-c", "pass"], plan.startup_runs)
    return {"runs": plan.startup_runs, "bot_ask_s": round(ask, 3), "python_pass_s": round(bare, 3)}


# -- reporting -----------------------------------------------------------------------------


def git_revision() -> str:
    """The checked-out commit, with "+dirty" for uncommitted changes ("unknown" without git)."""
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return head + ("+dirty" if dirty else "")


def machine() -> Results:
    cpu = platform.processor()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "date": date.today().isoformat(),
        "commit": git_revision(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpu": cpu,
        "cores": os.cpu_count(),
    }


def table(title: str, headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """A plain fixed-width table, first column left-aligned, the rest right-aligned."""
    cells = [[str(h) for h in headers], *[[str(c) for c in row] for row in rows]]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]

    def line(row: Sequence[str]) -> str:
        return "  ".join(
            c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(row, widths, strict=True))
        )

    rule = "  ".join("-" * w for w in widths)
    return "\n".join([title, line(cells[0]), rule, *(line(r) for r in cells[1:])])


def us(value: float) -> str:
    """Microseconds, or milliseconds from 10 ms up."""
    return f"{value / 1e3:.1f} ms" if value >= 10_000 else f"{value:.0f} µs"


def real_table(real: Results) -> str:
    lat = real["latency"]
    title = (
        f"Real knowledge: {real['entries']} entries + {real['facts']} fact cards; "
        f"{lat['n']:,} questions ({real['question_source']} + variants)"
    )
    row = [
        f"{real['build_s'] * 1e3:.0f} ms",
        f"{real['first_ask_ms']:.1f} ms",
        us(lat["p50_us"]),
        us(lat["p99_us"]),
        us(lat["mean_us"]),
        f"{real['answered_pct']}%",
    ]
    return table(title, ["build", "first ask", "p50", "p99", "mean", "answered"], [row])


def marginal_kib_per_phrasing(size: Results, sizes: Sequence[Results]) -> str:
    """The index memory each phrasing more costs against the next smaller size. The index
    RSS of one size includes what any index costs once (the sentence model's pages, the
    decision's trees); the difference of two sizes leaves it out."""
    smaller = [s for s in sizes if s["phrasings"] < size["phrasings"]]
    if not smaller:
        return "-"
    previous = max(smaller, key=lambda s: s["phrasings"])
    grown = size["rss_index_mib"] - previous["rss_index_mib"]
    return f"{1024 * grown / (size['phrasings'] - previous['phrasings']):.1f} KiB"


def synthetic_table(sizes: Sequence[Results]) -> str:
    headers = [
        "entries",
        "build",
        "timed",
        "entry p50",
        "entry p99",
        "random p50",
        "random p99",
        "RSS data",
        "RSS index",
        "RSS total",
        "index/phrasing",
        "marginal",
        "traced",
    ]
    rows = [
        [
            f"{s['entries']:,}",
            f"{s['build_s']:.2f} s",
            s["all"]["n"],
            us(s["sampled"]["p50_us"]),
            us(s["sampled"]["p99_us"]),
            us(s["random"]["p50_us"]),
            us(s["random"]["p99_us"]),
            f"{s['rss_knowledge_mib']:.0f} MiB",
            f"{s['rss_index_mib']:.0f} MiB",
            f"{s['rss_total_mib']:.0f} MiB",
            f"{s['index_kib_per_phrasing']:.1f} KiB",
            marginal_kib_per_phrasing(s, sizes),
            f"{s['traced_kib_per_phrasing']:.2f} KiB",
        ]
        for s in sizes
    ]
    return table(
        "Synthetic knowledge (entry = perturbed entry phrasing, random = random words)", headers, rows
    )


def throughput_table(throughput: Results, ours_latency: Results, peer_latency: Results) -> str:
    title = (
        f"Throughput: one process, {throughput['questions']:,} distinct questions on stdin, wall includes "
        f"start-up; our throughput = {throughput['throughput_vs_bm25']}x bm25s's, "
        f"{throughput['throughput_vs_extractone']}x extractOne's"
    )
    headers = ["engine", "wall", "q/s", "answered", "in-process p50", "in-process p99"]
    rows = [
        [
            name,
            f"{run['wall_s']:.2f} s",
            f"{run['qps']:,.0f}",
            f"{run['answered_pct']}%",
            us(lat["p50_us"]),
            us(lat["p99_us"]),
        ]
        for name, run, lat in (
            ("ours: python -m bot ask --json -", throughput["ours"], ours_latency),
            ("peer: benchmarks/bm25_peer.py", throughput["peer"], peer_latency),
        )
    ]
    fuzzy = throughput["fuzzy_peer"]
    rows.append(
        ["peer: benchmarks/extractone_peer.py", f"{fuzzy['wall_s']:.2f} s", f"{fuzzy['qps']:,.0f}",
         f"{fuzzy['answered_pct']}%", "-", "-"]
    )  # fmt: skip
    return table(title, headers, rows)


def reliability_table() -> str:
    """The calibration of the committed model: cross-validated (grouped by question set)
    confidence of the best candidate against how often it was right."""
    rows = [
        [f"{low}-{high}", n, f"{100 * right:.0f}%" if n else "-"]
        for low, high, n, right in json.loads(MODEL.read_text(encoding="utf-8"))["reliability"]
    ]
    return table(
        "Reliability of the confidence (bot/engine/model.json, cross-validated)",
        ["confidence", "questions", "right"],
        rows,
    )


def startup_table(startup: Results) -> str:
    rows = [
        ['python -m bot ask --json "..."', f"{startup['bot_ask_s'] * 1e3:.0f} ms"],
        ["python -c pass", f"{startup['python_pass_s'] * 1e3:.0f} ms"],
    ]
    return table(f"Start-up (median of {startup['runs']} runs)", ["command", "wall"], rows)


def report(results: Results) -> str:
    """Every table, in the order the benchmarks ran."""
    m = results["machine"]
    return "\n\n".join(
        [
            f"{m['date']}  commit {m['commit']}  Python {m['python']}  {m['cpu']} ({m['cores']} cores)",
            real_table(results["real"]),
            synthetic_table(results["synthetic"]),
            throughput_table(
                results["throughput"], results["real"]["latency"], results["peer_latency"]["latency"]
            ),
            startup_table(results["startup"]),
            reliability_table(),
        ]
    )


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Speed benchmarks of the answer engine.")
    parser.add_argument(
        "--quick", action="store_true", help="a fast smoke run: fewer questions, no 100k base"
    )
    parser.add_argument("--out", type=Path, help="also write the results as JSON to this file")
    parser.add_argument("--seed", type=int, default=1234, help="seed of every generator (default 1234)")
    parser.add_argument(
        "--sizes", type=int, nargs="+", help="synthetic knowledge sizes (default 1000 10000 100000)"
    )
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    plan = make_plan(args.quick, args.seed, args.sizes)
    results: Results = {"machine": machine(), "quick": args.quick, "seed": args.seed}
    print("real knowledge ...", file=sys.stderr, flush=True)
    results["real"], questions = bench_real(plan)
    print("synthetic knowledge ...", file=sys.stderr, flush=True)
    results["synthetic"] = bench_synthetic(plan)
    print("throughput ...", file=sys.stderr, flush=True)
    results["peer_latency"] = bench_peer_latency(questions)
    results["throughput"] = bench_throughput(questions)
    print("start-up ...", file=sys.stderr, flush=True)
    results["startup"] = bench_startup(plan)
    print(report(results))
    if args.out:
        args.out.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
