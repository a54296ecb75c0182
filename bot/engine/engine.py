"""The engine as the front ends use it: knowledge plus matcher, reloadable safely.

:class:`Engine` is the one door the CLI and the Discord layer use: asking, ranking,
completing, the answer of a known entry, fact cards on a topic, and the knowledge being
served. :meth:`Engine.reload` validates the files first and swaps the new matcher in
with a single assignment, so a question is always answered by one complete knowledge
base, and a broken edit leaves the last good one serving.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from ..knowledge.model import FactCard, Knowledge
from ..knowledge.paths import KnowledgePaths
from ..knowledge.problems import KnowledgeError, Problem
from .answer import Answer
from .cache import cached
from .matcher import Candidate, Matcher
from .settings import EngineConfig


class EngineSource(Protocol):
    """What the engine needs of a configuration: where the knowledge is, and its settings."""

    engine: EngineConfig

    def knowledge_paths(self) -> KnowledgePaths: ...


def matcher_for(knowledge: Knowledge, settings: EngineConfig | None = None) -> Matcher:
    """Index ``knowledge`` with the engine settings (the defaults of config.yaml if None)."""
    settings = settings or EngineConfig()
    return Matcher(
        knowledge,
        threshold=settings.threshold,
        suggestions=settings.suggestions,
        suggestion_floor=settings.suggestion_floor,
        max_question_chars=settings.max_question_chars,
    )


def build_matcher(config: EngineSource, *, use_cache: bool = True) -> Matcher:
    """Load and validate the knowledge named by ``config`` and index it (or take the
    index from the cache, when it was built from exactly these files: see cache.py)."""
    paths = config.knowledge_paths()

    def build() -> Matcher:
        # Only a cache miss loads the files (and the YAML machinery): not at start-up.
        from ..knowledge.loader import load_knowledge

        return matcher_for(load_knowledge(paths), config.engine)

    if not use_cache:
        return build()
    return cached(paths, config.engine, build)  # type: ignore[return-value]


@dataclass(frozen=True, slots=True)
class ReloadResult:
    """What a reload did: ``ok`` with the new sizes, or the problems that kept the old."""

    ok: bool
    problems: tuple[Problem, ...] = ()
    entries: int = 0
    facts: int = 0


class Engine:
    """The current matcher and how to replace it safely."""

    def __init__(self, config: EngineSource, matcher: Matcher | None = None) -> None:
        self.config = config
        self._matcher = matcher if matcher is not None else build_matcher(config)
        self.loaded_at = time.time()

    @property
    def knowledge(self) -> Knowledge:
        """The knowledge being served."""
        return self._matcher.knowledge

    def ask(self, question: str) -> Answer:
        """The answer to ``question``, or an abstention with suggestions."""
        return self._matcher.ask(question)

    def ask_many(self, questions: Sequence[str]) -> list[Answer]:
        """The answers to ``questions``, in order, embedded in one batch (quicker)."""
        return self._matcher.ask_many(questions)

    def rank(self, question: str, limit: int = 5) -> list[Candidate]:
        """The best matches of ``question``, best first, whatever their confidence."""
        return self._matcher.rank(question, limit=limit)

    def answer_for(self, entry_id: str, question: str | None = None, lang: str = "en") -> Answer | None:
        """The answer of a known entry or fact card (a suggestion clicked), or None."""
        return self._matcher.answer_for(entry_id, question, lang=lang)

    def facts_about(self, topic: str, limit: int = 5) -> list[FactCard]:
        """The fact cards that best match ``topic``."""
        return self._matcher.facts_about(topic, limit=limit)

    def complete(self, prefix: str, limit: int = 25) -> list[str]:
        """Known questions that complete ``prefix`` (slash-command autocomplete)."""
        return self._matcher.complete(prefix, limit=limit)

    def reload(self) -> ReloadResult:
        """Validate and swap in the knowledge on disk; on any problem keep the current one."""
        try:
            matcher = build_matcher(self.config)
        except KnowledgeError as exc:
            return ReloadResult(ok=False, problems=tuple(exc.problems))
        self._matcher = matcher  # one assignment: readers see the old or the new, never half
        self.loaded_at = time.time()
        return ReloadResult(
            ok=True, entries=len(matcher.knowledge.entries), facts=len(matcher.knowledge.facts)
        )
