"""aiohttp response helpers producing exactly what discord.py can parse.

discord.py 2.7.1 (``http.json_or_text``) only decodes a body as JSON when the
``Content-Type`` header is *exactly* ``application/json``; aiohttp's
``web.json_response`` appends ``; charset=utf-8``, which makes discord.py hand
back a ``str`` instead of a dict. Always build JSON responses with
``json_response`` below.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from aiohttp import web

from .payloads import error_body


def json_response(data: Any, *, status: int = 200, headers: Mapping[str, str] | None = None) -> web.Response:
    all_headers = {"Content-Type": "application/json", **(headers or {})}
    return web.Response(body=json.dumps(data).encode(), status=status, headers=all_headers)


def no_content() -> web.Response:
    return web.Response(status=204)


def discord_error(status: int, code: int, message: str) -> web.Response:
    """A Discord-style error, e.g. ``discord_error(404, 10003, "Unknown Channel")``."""
    return json_response(error_body(code, message), status=status)


class RestError(Exception):
    """Raised by route handlers to answer with a Discord-style error."""

    def __init__(self, status: int, code: int, message: str) -> None:
        super().__init__(f"{status} {message} (code {code})")
        self.status = status
        self.code = code
        self.message = message

    def to_response(self) -> web.Response:
        return discord_error(self.status, self.code, self.message)


# Discord JSON error codes used by the fake.
UNKNOWN_CHANNEL = 10003
UNKNOWN_GUILD = 10004
UNKNOWN_MEMBER = 10007
UNKNOWN_MESSAGE = 10008
UNKNOWN_USER = 10013
UNKNOWN_WEBHOOK = 10015
UNKNOWN_APPLICATION_COMMAND = 10063
UNKNOWN_INTERACTION = 10062
INVALID_FORM_BODY = 50035
CANNOT_SEND_EMPTY_MESSAGE = 50006
INTERACTION_ALREADY_ACKNOWLEDGED = 40060
