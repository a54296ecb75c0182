"""Fixtures shared by the engine, knowledge and language tests (loaded by tests/conftest.py).

Everything is located relative to this file, never the working directory, and only the
project's own ``knowledge/`` is read. Knowledge bases that a test changes are built in
``tmp_path`` from a copy of the project's knowledge.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.config import load_config
from bot.engine.engine import build_matcher
from bot.knowledge import facts
from bot.knowledge.sources import load_documents
from bot.knowledge.yamlio import atomic_write
from tests.samples import SMALL_QA

PROJECT = Path(__file__).resolve().parents[1]
KNOWLEDGE = PROJECT / "knowledge"
SOURCES = KNOWLEDGE / "sources"
CONFIG = PROJECT / "config.yaml"

# A small, valid Q&A file used by the knowledge bases built in tmp_path.


def make_kb(root: Path, qa_text: str = SMALL_QA, engine: str = "") -> Path:
    """Build a knowledge base under ``root`` (a copy of the project's knowledge with
    ``qa_text`` as qa.yaml and freshly generated facts); return its config path."""
    knowledge = root / "knowledge"
    shutil.copytree(KNOWLEDGE, knowledge, ignore=shutil.ignore_patterns("qa.yaml", "facts.yaml"))
    (knowledge / "qa.yaml").write_text(qa_text, encoding="utf-8")
    documents = load_documents(knowledge / "sources", root)
    atomic_write(knowledge / "facts.yaml", facts.render(facts.generate(documents)))
    config = root / "config.yaml"
    config.write_text("knowledge:\n  directory: knowledge\n" + engine, encoding="utf-8")
    return config


def line_no(text: str, needle: str, nth: int = 1) -> int:
    """1-based number of the line holding the ``nth`` occurrence of ``needle``."""
    at = -1
    for _ in range(nth):
        at = text.index(needle, at + 1)
    return text.count("\n", 0, at) + 1


@pytest.fixture(scope="session")
def documents():
    return load_documents(SOURCES, PROJECT)


@pytest.fixture(scope="session")
def announcement(documents):
    return documents["announcement"]


@pytest.fixture(scope="session")
def project_config():
    return load_config(CONFIG)


@pytest.fixture(scope="session")
def matcher(project_config):
    """The matcher of the project's real knowledge, as the bot runs it."""
    return build_matcher(project_config)


@pytest.fixture
def kb(tmp_path):
    """Config path of a small knowledge base in tmp_path."""
    return make_kb(tmp_path)
