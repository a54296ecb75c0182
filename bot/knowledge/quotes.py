"""Finding a quote verbatim in a paragraph.

"Verbatim" means the same characters in the same order. Two differences are forgiven
because a moderator cannot see them: the style of quotes and apostrophes (’ vs ') and
runs of whitespace (a line break vs a space). The span returned is always the
document's own text, so what the bot shows is exactly what the source says.
"""

from __future__ import annotations

import re

_FOLD = str.maketrans({"‘": "'", "’": "'", "“": '"', "”": '"', "\u00a0": " "})
_SPACE = re.compile(r"\s+")


def _fold_with_map(text: str) -> tuple[str, list[int]]:
    """Fold quotes and collapse whitespace; also return each folded char's source index."""
    out: list[str] = []
    index: list[int] = []
    previous_space = False
    for i, ch in enumerate(text.translate(_FOLD)):
        if ch.isspace():
            if previous_space:
                continue
            previous_space = True
            ch = " "
        else:
            previous_space = False
        out.append(ch)
        index.append(i)
    return "".join(out), index


def find_verbatim(quote: str, paragraph: str) -> str | None:
    """The paragraph's own text for ``quote`` if it is verbatim there, else None."""
    needle = _SPACE.sub(" ", quote.translate(_FOLD)).strip()
    if not needle:
        return None
    folded, index = _fold_with_map(paragraph)
    at = folded.find(needle)
    if at < 0:
        return None
    return paragraph[index[at] : index[at + len(needle) - 1] + 1]
