"""Records of what the client sent, and a primitive to wait for new records.

Tests assert on *what discord.py did*: every REST request and every gateway
frame is appended to a plain list on the fake, and ``Notifier.wait_until``
lets a test block until a matching record shows up (or fail with a readable
timeout message instead of hanging).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from aiohttp import web
from multidict import CIMultiDict

T = TypeVar("T")


@dataclass
class UploadedFile:
    field_name: str
    filename: str
    content_type: str
    data: bytes


@dataclass
class RecordedRequest:
    """One REST request as the fake received it (and, once answered, its response)."""

    method: str
    # Path relative to the API root, e.g. ``/channels/1/messages`` (no ``/api/v10``).
    path: str
    query: dict[str, str]
    # Case-insensitive, like HTTP headers: ``headers["authorization"]`` works.
    headers: CIMultiDict[str]
    # Parsed JSON body; for multipart uploads, the parsed ``payload_json`` part.
    json: Any = None
    files: list[UploadedFile] = field(default_factory=list)
    # The matched route pattern (e.g. ``/channels/{channel_id}/messages``) and
    # its parameters; ``route`` stays None for unknown routes.
    route: str | None = None
    params: dict[str, str] = field(default_factory=dict)
    # Filled in when the response is sent.
    status: int | None = None
    response_body: bytes | None = None
    # Name of the fault that answered instead of the route ("rate_limit", "fail"), if any.
    fault: str | None = None

    @property
    def response_json(self) -> Any:
        if not self.response_body:
            return None
        return json.loads(self.response_body)

    def __str__(self) -> str:
        return f"{self.method} {self.path} -> {self.status}"

    @classmethod
    async def from_request(cls, request: web.Request, path: str) -> RecordedRequest:
        record = cls(
            method=request.method,
            path=path,
            query=dict(request.query),
            headers=CIMultiDict(request.headers),
        )
        if request.content_type == "multipart/form-data":
            # discord.py sends uploads as multipart: a ``payload_json`` part
            # carrying the JSON body plus ``files[n]`` parts.
            form = await request.post()
            for name, value in form.items():
                if isinstance(value, web.FileField):
                    record.files.append(
                        UploadedFile(name, value.filename, value.content_type, value.file.read())
                    )
                elif name == "payload_json":
                    record.json = json.loads(value)
        else:
            body = await request.read()
            if body:
                try:
                    record.json = json.loads(body)
                except ValueError:
                    record.json = body.decode("utf-8", "replace")
        return record


class Notifier:
    """Wakes waiters whenever recorded state changes.

    Waiters re-check a predicate on every change, so any condition over the
    fake's state can be awaited without per-condition bookkeeping.
    """

    def __init__(self) -> None:
        self._event = asyncio.Event()

    def notify(self) -> None:
        # Swap in a fresh event so waiters that wake re-arm on the next change.
        event, self._event = self._event, asyncio.Event()
        event.set()

    async def wait_until(
        self,
        check: Callable[[], T | None],
        *,
        timeout: float,
        describe: Callable[[], str] | str,
    ) -> T:
        """Return ``check()``'s first non-None result; raise TimeoutError after ``timeout``."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            result = check()
            if result is not None:
                return result
            remaining = deadline - loop.time()
            if remaining <= 0:
                what = describe() if callable(describe) else describe
                raise TimeoutError(f"fake_discord: timed out after {timeout}s waiting for {what}")
            event = self._event
            try:
                await asyncio.wait_for(event.wait(), remaining)
            except TimeoutError:
                pass


@dataclass
class InteractionRecord:
    """An interaction the fake created, and how the client answered it."""

    payload: dict[str, Any]
    # Callback bodies (``{"type": ..., "data": ...}``) in the order received.
    responses: list[dict[str, Any]] = field(default_factory=list)
    # Follow-up message payloads created through the interaction webhook.
    followups: list[dict[str, Any]] = field(default_factory=list)
    original_message_id: int | None = None
    # ``time.monotonic()`` when INTERACTION_CREATE was dispatched.
    dispatched_at: float | None = None

    @property
    def id(self) -> int:
        return int(self.payload["id"])

    @property
    def token(self) -> str:
        return self.payload["token"]

    @property
    def acknowledged(self) -> bool:
        return bool(self.responses)
