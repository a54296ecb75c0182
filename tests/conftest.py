"""Settings for the whole test session.

Tests never write the project's own files: the bot's database (``storage.path`` in
config.yaml, ``data/foc-bot.sqlite3``) is redirected to a temporary file through
``$FOC_BOT_DB`` for bots started with the project's config (tests/e2e). Tests that need
their own database open a :class:`bot.storage.Store` in ``tmp_path`` and pass it in.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest

from bot.storage import DB_ENV

# The knowledge-base fixtures (documents, matcher, kb ...) for every test package.
pytest_plugins = ["tests.knowledge_base"]

_session_dir: Path | None = None


def pytest_configure(config: pytest.Config) -> None:
    global _session_dir
    _session_dir = Path(tempfile.mkdtemp(prefix="foc-bot-tests-"))
    os.environ[DB_ENV] = str(_session_dir / "foc-bot.sqlite3")


def pytest_unconfigure(config: pytest.Config) -> None:
    os.environ.pop(DB_ENV, None)
    if _session_dir is not None:
        shutil.rmtree(_session_dir, ignore_errors=True)
