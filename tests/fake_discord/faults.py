"""REST fault injection: rate limits, server errors and slow responses.

Faults match on HTTP method (``None`` = any) and a path prefix relative to the
API root (``/channels/123/messages``). One-shot faults are consumed in the
order they were registered.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

from aiohttp import web

from .payloads import error_body
from .responses import json_response


@dataclass
class Fault:
    kind: str  # "rate_limit" | "fail" | "delay"
    method: str | None
    path_prefix: str
    # How many more requests this fault applies to; None means forever.
    remaining: int | None = 1
    retry_after: float = 0.0
    is_global: bool = False
    status: int = 500
    seconds: float = 0.0

    def matches(self, method: str, path: str) -> bool:
        if self.remaining is not None and self.remaining <= 0:
            return False
        if self.method is not None and self.method.upper() != method.upper():
            return False
        return path.startswith(self.path_prefix)

    def consume(self) -> None:
        if self.remaining is not None:
            self.remaining -= 1


class FaultInjector:
    def __init__(self) -> None:
        self.faults: list[Fault] = []

    def add(self, fault: Fault) -> Fault:
        self.faults.append(fault)
        return fault

    def clear(self) -> None:
        self.faults.clear()

    def take_delay(self, method: str, path: str) -> float:
        """Total delay to apply to this request (all matching delays add up)."""
        total = 0.0
        for fault in self.faults:
            if fault.kind == "delay" and fault.matches(method, path):
                fault.consume()
                total += fault.seconds
        return total

    def take_error(self, method: str, path: str) -> Fault | None:
        """The first pending rate-limit/failure fault matching this request, consumed."""
        for fault in self.faults:
            if fault.kind in ("rate_limit", "fail") and fault.matches(method, path):
                fault.consume()
                return fault
        return None


def rate_limited_response(fault: Fault) -> web.Response:
    """A 429 discord.py accepts as a *real* Discord rate limit.

    discord.py 2.7.1 treats a 429 without a ``Via`` header (or with a non-JSON
    body) as a Cloudflare ban and raises instead of retrying, so both matter.
    """
    reset_after = fault.retry_after
    headers = {
        "Via": "1.1 google",
        "Retry-After": str(max(1, math.ceil(reset_after))),
        "X-RateLimit-Limit": "5",
        "X-RateLimit-Remaining": "0",
        "X-RateLimit-Reset": f"{time.time() + reset_after:.3f}",
        "X-RateLimit-Reset-After": f"{reset_after:.3f}",
        "X-RateLimit-Bucket": "fake-bucket-" + fault.path_prefix.strip("/").replace("/", "-"),
        "X-RateLimit-Scope": "global" if fault.is_global else "user",
    }
    if fault.is_global:
        headers["X-RateLimit-Global"] = "true"
    body = {"message": "You are being rate limited.", "retry_after": reset_after, "global": fault.is_global}
    return json_response(body, status=429, headers=headers)


def failure_response(fault: Fault) -> web.Response:
    return json_response(error_body(0, f"{fault.status}: injected failure"), status=fault.status)
