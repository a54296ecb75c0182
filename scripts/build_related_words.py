"""Build bot/core/data/related-words.txt.gz from WordNet 3.0 (Debian's wordnet-base).

Each line is ``word related related ...``: single-word lemmas that share one of the
word's most frequent senses (synonyms) or are derivationally related to it
("govern" ~ "governance"). The matcher uses the table to understand a question that
uses a word the knowledge does not ("headcount" for "membership", "abuses" for
"violations"). Only the first senses of each word are used, to keep precision.

    apt-get install wordnet-base && python scripts/build_related_words.py
"""

from __future__ import annotations

import gzip
import re
from collections import defaultdict
from pathlib import Path

WORDNET = Path("/usr/share/wordnet")
OUT = Path(__file__).resolve().parent.parent / "bot" / "core" / "data" / "related-words.txt.gz"
SENSES = 3  # most frequent senses per lemma
POS = {"noun": "n", "verb": "v", "adj": "a", "adv": "r"}
_WORD = re.compile(r"^[a-z]+$")


def read_synsets(pos: str) -> dict[int, tuple[list[str], list[tuple[int, str]]]]:
    """offset -> (lemmas, derivational pointers (offset, pos))."""
    synsets = {}
    for line in (WORDNET / f"data.{pos}").read_text(encoding="latin-1").splitlines():
        if line.startswith("  "):
            continue
        fields = line.split(" | ")[0].split()
        offset, count = int(fields[0]), int(fields[3], 16)
        lemmas = [fields[4 + 2 * i].lower() for i in range(count)]
        lemmas = [re.sub(r"\(.*\)$", "", w) for w in lemmas]
        rest = fields[4 + 2 * count :]
        pointers = []
        for i in range(int(rest[0])):
            symbol, target, target_pos = rest[1 + 4 * i : 4 + 4 * i]
            if symbol in ("+", "&", "\\"):  # derivation, similar-to, pertainym
                pointers.append((int(target), target_pos.replace("s", "a")))
        synsets[offset] = (lemmas, pointers)
    return synsets


def main() -> None:
    data = {POS[name]: read_synsets(name) for name in POS}
    related: dict[str, set[str]] = defaultdict(set)
    for name, pos in POS.items():
        for line in (WORDNET / f"index.{name}").read_text(encoding="latin-1").splitlines():
            if line.startswith("  "):
                continue
            fields = line.split()
            lemma = fields[0]
            if not _WORD.match(lemma):
                continue
            synset_count, pointer_count = int(fields[2]), int(fields[3])
            offsets = [int(o) for o in fields[6 + pointer_count :]][:synset_count][:SENSES]
            for offset in offsets:
                lemmas, pointers = data[pos][offset]
                related[lemma].update(w for w in lemmas if _WORD.match(w))
                for target, target_pos in pointers:
                    target_lemmas = data.get(target_pos, {}).get(target, ([], []))[0]
                    related[lemma].update(w for w in target_lemmas if _WORD.match(w))
    lines = []
    for lemma in sorted(related):
        others = sorted(related[lemma] - {lemma})
        if others:
            lines.append(" ".join([lemma, *others]))
    payload = "\n".join(lines).encode("ascii")
    with gzip.GzipFile(OUT, "wb", mtime=0) as handle:
        handle.write(payload)
    print(f"wrote {OUT} ({len(lines)} words, {OUT.stat().st_size} bytes)")


if __name__ == "__main__":
    main()
