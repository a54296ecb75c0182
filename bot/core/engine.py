"""The engine as the front ends use it: knowledge plus matcher, reloadable safely.

:class:`Engine` owns the current matcher. :meth:`Engine.reload` validates the files
first and swaps the new matcher in with a single assignment, so a question is always
answered by one complete knowledge base, and a broken edit leaves the last good one
serving.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from ..config import Config, EngineConfig
from .answer import Answer
from .loader import KnowledgePaths, load_knowledge
from .matcher import Matcher
from .model import Knowledge
from .problems import KnowledgeError, Problem


def knowledge_paths(config: Config) -> KnowledgePaths:
    """The knowledge files named by ``config``."""
    return KnowledgePaths(
        root=config.base,
        sources=config.sources_dir,
        qa=config.qa_path,
        facts=config.facts_path,
        members=config.members_path,
        learned=config.learned_path,
    )


def matcher_for(knowledge: Knowledge, settings: EngineConfig | None = None) -> Matcher:
    """Index ``knowledge`` with the engine settings (the defaults of config.yaml if None)."""
    settings = settings or EngineConfig()
    return Matcher(
        knowledge,
        threshold=settings.threshold,
        suggestions=settings.suggestions,
        suggestion_floor=settings.suggestion_floor,
        fact_weight=settings.fact_weight,
        max_question_chars=settings.max_question_chars,
    )


def build_matcher(config: Config) -> Matcher:
    """Load and validate the knowledge named by ``config`` and index it."""
    return matcher_for(load_knowledge(knowledge_paths(config)), config.engine)


@dataclass(frozen=True, slots=True)
class ReloadResult:
    """What a reload did: ``ok`` with the new sizes, or the problems that kept the old."""

    ok: bool
    problems: tuple[Problem, ...] = ()
    entries: int = 0
    facts: int = 0


class Engine:
    """The current matcher and how to replace it safely."""

    def __init__(self, config: Config, matcher: Matcher | None = None) -> None:
        self.config = config
        self.matcher = matcher if matcher is not None else build_matcher(config)
        self.loaded_at = time.time()

    def ask(self, question: str) -> Answer:
        return self.matcher.ask(question)

    def reload(self) -> ReloadResult:
        """Validate and swap in the knowledge on disk; on any problem keep the current one."""
        try:
            matcher = build_matcher(self.config)
        except KnowledgeError as exc:
            return ReloadResult(ok=False, problems=tuple(exc.problems))
        self.matcher = matcher  # one assignment: readers see the old or the new, never half
        self.loaded_at = time.time()
        return ReloadResult(
            ok=True, entries=len(matcher.knowledge.entries), facts=len(matcher.knowledge.facts)
        )
