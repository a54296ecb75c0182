"""Problems found in knowledge or configuration files, reported so a moderator can act.

Every problem names the file, the line (when known), the entry id (when known) and what
is wrong. Loading collects all problems of a file before failing, so one run of
``python -m bot check`` shows everything to fix.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong in one file."""

    file: str
    message: str
    line: int | None = None
    entry: str | None = None

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        who = f" [entry {self.entry}]" if self.entry else ""
        return f"{where}{who}: {self.message}"


class KnowledgeError(Exception):
    """Raised when files do not validate; carries every problem found."""

    def __init__(self, problems: Iterable[Problem]):
        self.problems: list[Problem] = list(problems)
        super().__init__(self.render())

    def render(self) -> str:
        count = len(self.problems)
        head = f"{count} problem{'s' if count != 1 else ''} found:"
        return "\n".join([head, *(f"  {p}" for p in self.problems)])
