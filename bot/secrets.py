"""The Discord token: from the environment or a git-ignored ``.env``, never from config.yaml.

The token is never logged or echoed: :class:`Token` hides it from ``repr`` and ``str``.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

TOKEN_ENV = "DISCORD_TOKEN"


class MissingToken(Exception):
    """No token was configured."""


class Token(str):
    """A str that does not reveal itself when printed or logged."""

    def __repr__(self) -> str:
        return "Token('***')"

    def __str__(self) -> str:
        return "***"

    def reveal(self) -> str:
        return str.__str__(self)


def read_dotenv(path: Path) -> dict[str, str]:
    """KEY=VALUE lines of a .env file (comments and blank lines skipped, quotes stripped)."""
    values: dict[str, str] = {}
    try:
        text = path.read_text(encoding="utf-8")
    except (FileNotFoundError, UnicodeDecodeError):
        return values
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, _, value = line.removeprefix("export ").partition("=")
        values[key.strip()] = value.strip().strip("'\"")
    return values


def load_token(environ: Mapping[str, str] | None = None, dotenv: Path | None = None) -> Token:
    """The token from ``$DISCORD_TOKEN``, else from ``.env``; MissingToken when neither has one."""
    environ = os.environ if environ is None else environ
    value = environ.get(TOKEN_ENV, "").strip()
    if not value and dotenv is not None:
        value = read_dotenv(dotenv).get(TOKEN_ENV, "").strip()
    if not value:
        raise MissingToken(
            f"no Discord token: set {TOKEN_ENV} in the environment or in a .env file "
            "beside config.yaml (see README, 'Run it on Discord')"
        )
    return Token(value)
