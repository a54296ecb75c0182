"""Where and how often the bot answers: answer channels, length cap and cooldowns.

Every decision of that kind is made here, from one server's settings
(:func:`settings_for`, which takes the guild id: a server's own values, set with
``/kb config`` (:mod:`bot.guild_settings`), over the ``discord:`` section of
``config.yaml``). Nothing held back is silent: :func:`held_back` says why and for how
long, and the caller shows it (a reaction on a mention, a private notice on an
interaction).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from ... import guild_settings
from ...guard import Cooldown

if TYPE_CHECKING:
    from ...client import FOCBot


@dataclass(frozen=True, slots=True)
class AnswerSettings:
    """One server's answering rules."""

    answer_channels: frozenset[int]
    channel_threshold: float
    user_rate: int
    user_per: float
    channel_rate: int
    channel_per: float
    max_question_chars: int


@dataclass(frozen=True, slots=True)
class Hold:
    """Why a question is not answered now: too long, or a cooldown (``wait`` seconds)."""

    reason: Literal["too_long", "user", "channel"]
    wait: float = 0.0


def settings_for(bot: FOCBot, guild_id: int | None) -> AnswerSettings:
    """The answering rules of one server (``None``: a DM): its ``/kb config`` values, and
    ``config.yaml``'s for what it did not set."""
    d = bot.config.discord
    server = guild_settings.settings_for(bot, guild_id)
    return AnswerSettings(
        answer_channels=frozenset(server.answer_channels),
        channel_threshold=d.channel_threshold,
        user_rate=server.user_rate,
        user_per=server.user_per,
        channel_rate=server.channel_rate,
        channel_per=server.channel_per,
        max_question_chars=d.max_question_chars,
    )


class Cooldowns:
    """Sliding-window cooldowns, one per (rate, per) pair, so servers can differ."""

    def __init__(self) -> None:
        self._by_rule: dict[tuple[int, float], Cooldown] = {}

    def retry_after(self, rate: int, per: float, key: object, now: float) -> float:
        cooldown = self._by_rule.get((rate, per))
        if cooldown is None:
            cooldown = self._by_rule[(rate, per)] = Cooldown(rate, per)
        return cooldown.retry_after(key, now)


def held_back(
    bot: FOCBot,
    guild_id: int | None,
    user_id: int,
    channel_id: int,
    question: str,
    now: float,
    *,
    cooldowns: Cooldowns,
) -> Hold | None:
    """Why this question may not be answered now, or None (and the cooldowns count it)."""
    rules = settings_for(bot, guild_id)
    if len(question) > rules.max_question_chars:
        return Hold("too_long")
    # Users are counted per server, channels per channel.
    wait = cooldowns.retry_after(rules.user_rate, rules.user_per, ("user", guild_id, user_id), now)
    if wait > 0:
        return Hold("user", wait)
    wait = cooldowns.retry_after(rules.channel_rate, rules.channel_per, ("channel", channel_id), now)
    if wait > 0:
        return Hold("channel", wait)
    return None


def is_answer_channel(bot: FOCBot, guild_id: int | None, channel_id: int) -> bool:
    """Whether unmentioned messages in this channel are answered (confident ones only)."""
    return channel_id in settings_for(bot, guild_id).answer_channels


def channel_threshold(bot: FOCBot, guild_id: int | None) -> float:
    return settings_for(bot, guild_id).channel_threshold


def max_question_chars(bot: FOCBot, guild_id: int | None) -> int:
    return settings_for(bot, guild_id).max_question_chars


def mod_channel_for(bot: FOCBot, guild_id: int | None) -> int | None:
    """The channel told about feedback reasons for this server (``/kb config``, by default
    ``discord.mod_channel``)."""
    return guild_settings.settings_for(bot, guild_id).mod_channel
