"""Fixtures of the fault-injection tests: the fake Discord and the running bot of
``tests/e2e`` (the same fixtures, not copies)."""

from __future__ import annotations

from tests.e2e.conftest import (  # noqa: F401 (fixtures, found by name)
    StartBot,
    base_config,
    bot,
    discord_errors,
    fake,
    shared_engine,
    start_bot,
)
