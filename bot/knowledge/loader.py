"""Loading the whole knowledge base: sources, curated Q&A, learned alternates, fact cards.

:func:`load_knowledge` validates everything and either returns a complete
:class:`~bot.knowledge.model.Knowledge` or raises :class:`KnowledgeError` with every problem;
it never returns a half-loaded knowledge base. It can also validate new content for
``qa.yaml`` or ``learned.yaml`` against everything else before that content is written
(an import, a learned alternate), so nothing invalid ever reaches the disk.
"""

from __future__ import annotations

from pathlib import Path
from types import MappingProxyType

from . import facts as facts_file
from .learned import load_learned, merge_learned, parse_learned
from .members import load_members
from .model import Knowledge
from .paths import KnowledgePaths
from .problems import KnowledgeError, Problem
from .qa import parse_qa
from .sources import load_documents
from .yamlio import os_problem, read_file


def load_knowledge(
    paths: KnowledgePaths,
    *,
    qa_data: bytes | None = None,
    qa_display: str | None = None,
    learned_data: bytes | None = None,
) -> Knowledge:
    """Load and validate; raise KnowledgeError listing every problem in every file.

    ``qa_data`` / ``learned_data`` replace what is on disk for those files (named
    ``qa_display`` / the learned path in problems): how new content is checked before
    it is written. A file that cannot be read (missing, a directory, no permission, a
    disk error), wherever it is met, is a problem like any other, never an OSError.
    """
    try:
        return _load(paths, qa_data, qa_display, learned_data)
    except OSError as exc:
        where = paths.show(Path(exc.filename)) if exc.filename else paths.show(paths.root)
        raise KnowledgeError([os_problem(exc, where)]) from None


def _load(
    paths: KnowledgePaths, qa_data: bytes | None, qa_display: str | None, learned_data: bytes | None
) -> Knowledge:
    documents = load_documents(paths.sources, paths.root)
    problems: list[Problem] = []
    entries, synonyms, topics, cards = (), {}, {}, ()
    qa_ok = False
    try:
        if qa_data is not None:
            qa = parse_qa(qa_data, qa_display or paths.show(paths.qa), documents)
        else:
            display = paths.show(paths.qa)
            qa = parse_qa(read_file(paths.qa, display), display, documents)
        entries, synonyms, topics = qa.entries, qa.synonyms, qa.topics
        qa_ok = True
    except KnowledgeError as exc:
        problems.extend(exc.problems)
    if paths.learned is not None:
        display = paths.show(paths.learned)
        try:
            if learned_data is not None:
                learned = parse_learned(learned_data, display)
            else:
                learned = load_learned(paths.learned, display)
            if qa_ok:  # entry ids can only be checked against a valid qa.yaml
                entries, learned_problems = merge_learned(entries, learned, display)
                problems.extend(learned_problems)
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
        files=tuple(paths.show(p) for p in _files_read(paths)),
        members=members,
        topics=MappingProxyType({tag: MappingProxyType(names) for tag, names in topics.items()}),
    )


def _files_read(paths: KnowledgePaths) -> list[Path]:
    files = [paths.qa, paths.facts]
    if paths.members is not None:
        files.append(paths.members)
    if paths.learned is not None and paths.learned.exists():
        files.append(paths.learned)
    return files
