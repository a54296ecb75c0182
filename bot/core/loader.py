"""Loading the whole knowledge base: sources, curated Q&A, fact cards.

:func:`load_knowledge` validates everything and either returns a complete
:class:`~bot.core.model.Knowledge` or raises :class:`KnowledgeError` with every problem;
it never returns a half-loaded knowledge base.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType

from . import facts as facts_file
from .members import load_members
from .model import Knowledge
from .problems import KnowledgeError, Problem
from .qa import load_qa
from .sources import load_documents


@dataclass(frozen=True)
class KnowledgePaths:
    """The files a knowledge base is read from; ``root`` shortens names in messages."""

    root: Path
    sources: Path
    qa: Path
    facts: Path
    members: Path | None = None

    def show(self, path: Path) -> str:
        try:
            return str(path.relative_to(self.root))
        except ValueError:
            return str(path)


def load_knowledge(paths: KnowledgePaths) -> Knowledge:
    """Load and validate; raise KnowledgeError listing every problem in every file."""
    documents = load_documents(paths.sources, paths.root)
    problems: list[Problem] = []
    entries, synonyms, cards = (), {}, ()
    try:
        qa = load_qa(paths.qa, paths.show(paths.qa), documents)
        entries, synonyms = qa.entries, qa.synonyms
    except KnowledgeError as exc:
        problems.extend(exc.problems)
    try:
        cards = facts_file.load(paths.facts, documents, paths.show(paths.facts))
    except KnowledgeError as exc:
        problems.extend(exc.problems)
    members = None
    if paths.members is not None:
        try:
            members = load_members(paths.members, paths.show(paths.members), documents)
        except KnowledgeError as exc:
            problems.extend(exc.problems)
    if problems:
        raise KnowledgeError(problems)
    return Knowledge(
        documents=MappingProxyType(dict(documents)),
        entries=entries,
        facts=cards,
        synonyms=MappingProxyType(synonyms),
        files=tuple(paths.show(p) for p in (paths.qa, paths.facts, paths.members) if p is not None),
        members=members,
    )
