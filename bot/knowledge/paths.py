"""Where a knowledge base is read from (a light module: the configuration imports it)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class KnowledgePaths:
    """The files a knowledge base is read from; ``root`` shortens names in messages."""

    root: Path
    sources: Path
    qa: Path
    facts: Path
    members: Path | None = None
    # Optional: a missing file means no learned alternates.
    learned: Path | None = None

    def show(self, path: Path) -> str:
        try:
            return str(path.relative_to(self.root))
        except ValueError:
            return str(path)
