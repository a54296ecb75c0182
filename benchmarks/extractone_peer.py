"""A naive fuzzy peer with the same stdin -> JSON-lines contract as ``python -m bot ask --json -``.

It reads every curated phrasing of ``knowledge/qa.yaml`` (questions and alternates) and
answers each input line with the entry whose phrasing ``rapidfuzz.process.extractOne``
(WRatio) finds closest, or abstains below ``--threshold``. The plain fuzzy matcher a
first version of such a bot would be: the speed benchmark's second peer.

Usage::

    python benchmarks/extractone_peer.py [--threshold 80] < questions.txt > answers.jsonl
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import yaml
from rapidfuzz import fuzz, process, utils

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_QA = ROOT / "knowledge" / "qa.yaml"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--qa", type=Path, default=DEFAULT_QA)
    parser.add_argument("--threshold", type=float, default=80.0)
    args = parser.parse_args(argv)
    entries = yaml.safe_load(args.qa.read_text(encoding="utf-8"))["entries"]
    phrasings, owners = [], []
    for entry in entries:
        for text in [entry["question"], *entry.get("alternates", ())]:
            phrasings.append(utils.default_process(text))
            owners.append(entry)
    out = sys.stdout
    for line in sys.stdin:
        question = line.rstrip("\n")
        query = utils.default_process(question)
        best = (
            process.extractOne(query, phrasings, scorer=fuzz.WRatio, score_cutoff=args.threshold)
            if query
            else None
        )
        if best is None:
            reply = {"question": question, "answered": False, "answer": None, "source": None}
        else:
            entry = owners[best[2]]
            source = entry["source"]
            reply = {
                "question": question,
                "answered": True,
                "answer": entry["answer"],
                "source": {
                    "document": source["document"],
                    "paragraph": source["paragraph"],
                    "quote": source["quote"],
                },
                "score": round(best[1], 1),
                "entry_id": entry["id"],
            }
        out.write(json.dumps(reply, ensure_ascii=False) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
