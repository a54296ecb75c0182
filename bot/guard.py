"""Anti-spam rules, free of Discord: cooldowns and repeated-question detection.

Both keep a bounded amount of state and take the current time as an argument, so the
Discord layer and the tests drive them the same way.
"""

from __future__ import annotations

from collections import OrderedDict, deque
from dataclasses import dataclass

from .lang.text import normalize

_MAX_KEYS = 10_000


class Cooldown:
    """At most ``rate`` events per ``per`` seconds for each key (a sliding window)."""

    def __init__(self, rate: int, per: float) -> None:
        self.rate = rate
        self.per = per
        self._events: OrderedDict[object, deque[float]] = OrderedDict()

    def retry_after(self, key: object, now: float) -> float:
        """0 if an event for ``key`` may happen now (and record it); else seconds to wait."""
        events = self._events.get(key)
        if events is None:
            events = deque()
            self._events[key] = events
            if len(self._events) > _MAX_KEYS:
                self._events.popitem(last=False)
        self._events.move_to_end(key)
        while events and now - events[0] >= self.per:
            events.popleft()
        if len(events) >= self.rate:
            return self.per - (now - events[0])
        events.append(now)
        return 0.0


@dataclass(frozen=True, slots=True)
class Earlier:
    """Where an earlier answer to the same question is."""

    link: str
    at: float


class RepeatTracker:
    """Remembers recent answers per channel, keyed by the normalized question."""

    def __init__(self, window: float) -> None:
        self.window = window
        self._seen: OrderedDict[tuple[object, str], Earlier] = OrderedDict()

    def earlier(self, channel: object, question: str, now: float) -> Earlier | None:
        """The earlier answer to this question in this channel within the window."""
        key = (channel, normalize(question))
        found = self._seen.get(key)
        if found is None or now - found.at > self.window:
            return None
        return found

    def remember(self, channel: object, question: str, link: str, now: float) -> None:
        key = (channel, normalize(question))
        self._seen[key] = Earlier(link, now)
        self._seen.move_to_end(key)
        while len(self._seen) > _MAX_KEYS:
            self._seen.popitem(last=False)
