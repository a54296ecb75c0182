"""Discord's REST rate limits, as the fake enforces them.

Every answered request carries the headers Discord sends (``X-RateLimit-Limit``,
``-Remaining``, ``-Reset``, ``-Reset-After``, ``-Bucket``), and a request over a limit is
answered ``429`` with ``retry_after`` in the JSON body and the ``Retry-After`` header, the
``X-RateLimit-Scope`` (``user`` for a route's bucket, ``global`` for the global limit) and,
for the global limit, ``X-RateLimit-Global``. discord.py reads these headers and waits
before it would go over, so a well-behaved bot collects (almost) no 429s.

The limits (``RateLimits``) follow Discord's documented and observed figures:

* creating messages: 5 per 5 s per channel;
* adding or removing the bot's own reaction: 1 per 0.25 s per channel;
* any other route: 50 per second per route and major parameter;
* all routes together: 50 requests per second per bot (the global limit), except the
  interaction endpoints (callbacks and interaction webhooks), which Discord exempts.

Windows are fixed: a bucket's window opens with its first request and closes ``per``
seconds later, as Discord's ``Reset-After`` describes.
"""

from __future__ import annotations

import math
import re
import time
from dataclasses import dataclass, field

from aiohttp import web

from .responses import json_response

# Routes whose limit is not the default, by (method, route pattern).
_MESSAGE_ROUTE = "/channels/{channel_id}/messages"
_REACTION_ROUTE = "/channels/{channel_id}/messages/{message_id}/reactions/{emoji}/@me"
# Major parameters: Discord keys a route's bucket by these (and only these) parameters.
_MAJOR = ("channel_id", "guild_id", "webhook_id", "token")


@dataclass(frozen=True)
class Limit:
    """At most ``limit`` requests per ``per`` seconds."""

    limit: int
    per: float


_UNLIMITED = Limit(1_000_000, 1.0)


@dataclass
class RateLimits:
    """The limits the fake enforces.

    ``enabled=False``: no limit is enforced, and the headers announce a limit too high to
    reach (otherwise discord.py would still wait for the windows the headers describe).
    """

    messages: Limit = Limit(5, 5.0)
    reactions: Limit = Limit(1, 0.25)
    default: Limit = Limit(50, 1.0)
    global_: Limit = Limit(50, 1.0)
    enabled: bool = True

    def for_route(self, method: str, route: str) -> Limit:
        if not self.enabled:
            return _UNLIMITED
        if method == "POST" and route == _MESSAGE_ROUTE:
            return self.messages
        if method in ("PUT", "DELETE") and route == _REACTION_ROUTE:
            return self.reactions
        return self.default


@dataclass
class _Window:
    limit: int
    per: float
    opened: float
    used: int = 0

    def reset_after(self, now: float) -> float:
        return max(0.0, self.opened + self.per - now)


@dataclass
class Limiter:
    """Counts requests per bucket and decides: pass (with headers) or 429."""

    limits: RateLimits = field(default_factory=RateLimits)
    _buckets: dict[tuple[str, ...], _Window] = field(default_factory=dict)
    _global: _Window | None = None
    # Every 429 the limiter answered (not injected faults), as (method, path, scope).
    rejected: list[tuple[str, str, str]] = field(default_factory=list)
    # How many times a request used up its route bucket's window (Remaining 0), by bucket.
    exhausted: dict[tuple[str, ...], int] = field(default_factory=dict)

    def check(
        self, method: str, route: str, params: dict[str, str], path: str, *, exempt_global: bool
    ) -> tuple[dict[str, str], web.Response | None]:
        """The rate-limit headers for this request, and a 429 response if it is over."""
        now = time.monotonic()
        limit = self.limits.for_route(method, route)
        major = tuple(f"{k}={params[k]}" for k in _MAJOR if k in params)
        bucket_hash = _bucket_hash(method, route)
        key = (bucket_hash, *major)
        window = self._buckets.get(key)
        if window is None or window.reset_after(now) <= 0:
            window = self._buckets[key] = _Window(limit.limit, limit.per, now)
        if not exempt_global:
            g = self._global
            if g is None or g.reset_after(now) <= 0:
                g = self._global = _Window(self.limits.global_.limit, self.limits.global_.per, now)
            if self.limits.enabled and g.used >= g.limit:
                return {}, self._reject(method, path, "global", g.reset_after(now), bucket_hash, window, now)
        if window.used >= window.limit:
            return {}, self._reject(method, path, "user", window.reset_after(now), bucket_hash, window, now)
        window.used += 1
        if window.used == window.limit:
            self.exhausted[key] = self.exhausted.get(key, 0) + 1
        if not exempt_global and self._global is not None:
            self._global.used += 1
        return _headers(bucket_hash, window, now), None

    def _reject(
        self, method: str, path: str, scope: str, retry_after: float, bucket: str, window: _Window, now: float
    ) -> web.Response:
        self.rejected.append((method, path, scope))
        retry_after = round(max(retry_after, 0.001), 3)
        headers = {
            # discord.py treats a 429 without "Via" as a Cloudflare ban, not a rate limit.
            "Via": "1.1 google",
            "Retry-After": str(max(1, math.ceil(retry_after))),
            "X-RateLimit-Scope": scope,
        }
        if scope == "global":
            headers["X-RateLimit-Global"] = "true"
        else:
            headers.update(_headers(bucket, window, now))
            headers["X-RateLimit-Remaining"] = "0"
        body = {
            "message": "You are being rate limited.",
            "retry_after": retry_after,
            "global": scope == "global",
        }
        return json_response(body, status=429, headers=headers)


def _bucket_hash(method: str, route: str) -> str:
    # Discord's bucket ids are opaque; a readable stand-in, stable per route.
    return "fake-" + re.sub(r"[^a-z0-9]+", "-", f"{method} {route}".lower()).strip("-")


def _headers(bucket: str, window: _Window, now: float) -> dict[str, str]:
    reset_after = window.reset_after(now)
    return {
        "X-RateLimit-Limit": str(window.limit),
        "X-RateLimit-Remaining": str(max(0, window.limit - window.used)),
        "X-RateLimit-Reset": f"{time.time() + reset_after:.3f}",
        "X-RateLimit-Reset-After": f"{reset_after:.3f}",
        "X-RateLimit-Bucket": bucket,
    }
