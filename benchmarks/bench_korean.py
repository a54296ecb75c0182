"""Korean analysis, two ways side by side: syllable bigrams (what the engine uses) against
kiwipiepy's morphemes (not a dependency of the engine; install ``kiwipiepy`` to run it).

For each analyzer, the decision model is refitted on the training sets with that
analyzer (as ``python -m bot train`` would, needs scikit-learn), then scored on the Korean
questions of the held-out sets of every round (``tests/data/heldout*/announce_*.yaml``, rows in Hangul),
which no fit reads. Beside the accuracy: what the analyzer costs to load (seconds and
resident memory, in a fresh process) and per Korean question afterwards.

Run from the project root::

    python benchmarks/bench_korean.py [--analyzers bigrams kiwi]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.engine import analysis, train, vocabulary  # noqa: E402
from bot.engine.decision import Decision  # noqa: E402
from bot.engine.evaluate import Case, evaluate, load_cases  # noqa: E402
from bot.engine.matcher import Matcher  # noqa: E402
from bot.knowledge.loader import load_knowledge  # noqa: E402
from bot.lang.korean import STOPWORDS_KO, has_hangul, is_hangul_word  # noqa: E402

# The engine's own analysis of a word (syllable bigrams for Korean), kept before any run
# replaces it.
BIGRAM_TOKENS = vocabulary.word_tokens
# Content morphemes: nouns, numerals, foreign words and numbers, roots, verb and adjective stems.
_CONTENT = frozenset({"NNG", "NNP", "NR", "SL", "SN", "SH", "XR", "VV", "VA"})

_LOAD = """
import time

def rss():
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmRSS:"))

before = rss()
start = time.perf_counter()
from kiwipiepy import Kiwi
kiwi = Kiwi()
loaded = time.perf_counter()
kiwi.tokenize("한국은 언제 가입했나요?")
first = time.perf_counter()
after = rss()
print(loaded - start, first - loaded, (after - before) / 1024)
"""


def kiwi_tokens() -> Callable[[str], list[str]]:
    from kiwipiepy import Kiwi

    kiwi = Kiwi()
    cache: dict[str, list[str]] = {}

    def tokens(word: str) -> list[str]:
        if not is_hangul_word(word):
            return BIGRAM_TOKENS(word)  # English: the engine's stems
        if word not in cache:
            forms = [t.form for t in kiwi.tokenize(word) if t.tag in _CONTENT and t.form not in STOPWORDS_KO]
            cache[word] = forms or [word]
        return cache[word]

    return tokens


def korean_heldout() -> list[Case]:
    cases = []
    for path in sorted((ROOT / "tests" / "data").glob("heldout*/announce_*.yaml")):
        cases.extend(c for c in load_cases(path) if has_hangul(c.question))
    return cases


def run(name: str, tokens: Callable[[str], list[str]], cases: list[Case]) -> dict[str, object]:
    # Every caller of the analysis: the index and the question alike.
    vocabulary.word_tokens = analysis.word_tokens = tokens
    params = train.fit(train.training_questions(ROOT))
    matcher = Matcher(load_knowledge(train._paths(ROOT)), decision=Decision.from_dict(params))
    timings = []

    def ask(question: str):
        start = time.perf_counter()
        answer = matcher.ask(question)
        timings.append(time.perf_counter() - start)
        return answer

    report = evaluate(cases, lambda questions: [ask(q) for q in questions])  # each one timed
    cv = params["cross_validated"].get("heldout_korean", [0, 0, 0, 0, 0])
    return {
        "analyzer": name,
        "right": report.in_scope(),
        "abstained": report.abstained(),
        "wrong": report.wrong(),
        "cv_korean_set": cv,
        "ms_per_question": 1000 * statistics.median(timings),
    }


def pct(pair: tuple[int, int]) -> str:
    x, y = pair
    return f"{x}/{y} = {100 * x / y:.1f}%" if y else "-"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--analyzers", nargs="+", default=["bigrams", "kiwi"], choices=["bigrams", "kiwi"])
    args = parser.parse_args(argv)
    cases = korean_heldout()
    print(f"held-out Korean questions: {len(cases)} ({sum(c.expect is None for c in cases)} to abstain on)")
    print(
        f"{'analyzer':9s} {'right':>16s} {'abstained':>16s} {'wrong':>14s}  {'CV heldout_korean (right; abstained; wrong)':44s} ask p50"
    )
    for name in args.analyzers:
        tokens = BIGRAM_TOKENS if name == "bigrams" else kiwi_tokens()
        row = run(name, tokens, cases)
        n, right, a, abstained, wrong = row["cv_korean_set"]
        cv = f"{right}/{n}; {abstained}/{a}; {wrong}/{n + a}"
        print(
            f"{name:9s} {pct(row['right']):>16s} {pct(row['abstained']):>16s} {pct(row['wrong']):>14s}  "
            f"{cv:44s} {row['ms_per_question']:.2f} ms"
        )
    if "kiwi" in args.analyzers:
        out = subprocess.run([sys.executable, "-c", _LOAD], capture_output=True, text=True, check=True)
        load, first, rss = (float(x) for x in out.stdout.split())
        print(
            f"kiwipiepy: {load:.2f} s to load, {first:.2f} s for its first sentence, {rss:.0f} MiB resident more"
        )
    print("bigrams: nothing to load (a few lines of Python in bot/lang/korean.py)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
