"""Settings per server: what a server's moderators set with ``/kb config``, over config.yaml.

A server owner expects to choose, for their server, the channels answered without a
mention, the moderator roles, the moderator channel and the cooldowns. Those values are
kept in SQLite (:mod:`bot.storage`, table ``guild_settings``); whatever a server did not
set comes from the ``discord:`` section of ``config.yaml``. The Discord layer reads them
through one function, :func:`settings_for` (guild id -> :class:`GuildSettings`), which
answers from memory: the stored values are read once at start and kept current by
``/kb config``.

No Discord here: values are parsed from the text a moderator types (``<#id>``,
``<@&id>``, bare ids, numbers, ``none``).
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal, Protocol

# The ranges config.yaml's values are checked against hold for a server's values too.
from .config import _RANGES, Config

Kind = Literal["channels", "roles", "channel", "int", "float"]


@dataclass(frozen=True, slots=True)
class Setting:
    """One setting a server may change: its kind and what it means."""

    name: str
    kind: Kind
    description: str


SETTINGS: dict[str, Setting] = {
    s.name: s
    for s in (
        Setting("answer_channels", "channels", "channels answered without a mention"),
        Setting("moderator_roles", "roles", "roles that may use /kb (besides Manage Server)"),
        Setting("mod_channel", "channel", "channel told about knowledge changes and 👎 reasons"),
        Setting("user_rate", "int", "questions per user..."),
        Setting("user_per", "float", "...every this many seconds"),
        Setting("channel_rate", "int", "answers per channel..."),
        Setting("channel_per", "float", "...every this many seconds"),
    )
}
_MAX_IDS = 25  # more channels or roles than this is a mistake, not a configuration


@dataclass(frozen=True, slots=True)
class GuildSettings:
    """One server's effective settings; ``overridden`` names those set for the server."""

    answer_channels: tuple[int, ...]
    moderator_roles: tuple[int, ...]
    mod_channel: int | None
    user_rate: int
    user_per: float
    channel_rate: int
    channel_per: float
    overridden: frozenset[str] = frozenset()


def defaults(config: Config) -> GuildSettings:
    """The settings of a server that set nothing: config.yaml's ``discord:`` section."""
    d = config.discord
    return GuildSettings(
        answer_channels=tuple(d.answer_channels),
        moderator_roles=tuple(d.moderator_roles),
        mod_channel=d.mod_channel,
        user_rate=d.user_rate,
        user_per=d.user_per,
        channel_rate=d.channel_rate,
        channel_per=d.channel_per,
    )


def effective(config: Config, overrides: Mapping[str, Any]) -> GuildSettings:
    """config.yaml's values with a server's ``overrides`` on top (unknown names ignored)."""
    known = {name: _stored(name, value) for name, value in overrides.items() if name in SETTINGS}
    return dataclasses.replace(defaults(config), **known, overridden=frozenset(known))


def _stored(name: str, value: Any) -> Any:
    kind = SETTINGS[name].kind
    if kind in ("channels", "roles"):
        return tuple(int(v) for v in value)
    if kind == "channel":
        return None if value is None else int(value)
    return int(value) if kind == "int" else float(value)


_ID = re.compile(r"^(?:<#(\d{15,21})>|<@&(\d{15,21})>|(\d{15,21}))$")


def parse_value(name: str, text: str) -> Any:
    """The value a moderator typed for setting ``name``; ValueError says what is wrong.

    Channels and roles: mentions or ids, separated by spaces or commas (``none`` for
    none); the moderator channel: one channel or ``none``; numbers within the ranges
    config.yaml allows.
    """
    setting = SETTINGS.get(name)
    if setting is None:
        raise ValueError(f"unknown setting {name!r} (known: {', '.join(SETTINGS)})")
    text = text.strip()
    if setting.kind in ("channels", "roles", "channel"):
        if text.lower() in ("none", "-", ""):
            return None if setting.kind == "channel" else []
        ids: list[int] = []
        for part in re.split(r"[\s,]+", text):
            match = _ID.match(part)
            if match is None:
                what = (
                    "a role (@role or its id)"
                    if setting.kind == "roles"
                    else "a channel (#channel or its id)"
                )
                raise ValueError(f"{part!r} is not {what}")
            found = int(next(g for g in match.groups() if g))
            if found not in ids:
                ids.append(found)
        if setting.kind == "channel":
            if len(ids) != 1:
                raise ValueError("give one channel, or none")
            return ids[0]
        if len(ids) > _MAX_IDS:
            raise ValueError(f"at most {_MAX_IDS} at once")
        return ids
    try:
        number: float = int(text) if setting.kind == "int" else float(text)
    except ValueError:
        raise ValueError(
            f"{text!r} is not {'a whole number' if setting.kind == 'int' else 'a number'}"
        ) from None
    low, high = _RANGES[name]
    if not low <= number <= high:
        raise ValueError(f"must be between {low:g} and {high:g}")
    return number


def show_value(name: str, value: Any) -> str:
    """A value as Discord shows it: channel and role mentions, numbers, 'none'."""
    kind = SETTINGS[name].kind
    if kind == "channels":
        return " ".join(f"<#{v}>" for v in value) or "none"
    if kind == "roles":
        return " ".join(f"<@&{v}>" for v in value) or "none"
    if kind == "channel":
        return "none" if value is None else f"<#{value}>"
    return f"{value:g}" if isinstance(value, float) else str(value)


class GuildSettingsCache:
    """Every server's overrides, in memory; kept in step with the database by the caller."""

    def __init__(self, config: Config) -> None:
        self.config = config
        self._overrides: dict[int, dict[str, Any]] = {}
        self._effective: dict[int | None, GuildSettings] = {}

    def load(self, stored: Mapping[int, Mapping[str, Any]]) -> None:
        """Replace what is known with the database's content (at start)."""
        self._overrides = {guild: dict(values) for guild, values in stored.items()}
        self._effective.clear()

    def get(self, guild_id: int | None) -> GuildSettings:
        found = self._effective.get(guild_id)
        if found is None:
            overrides = self._overrides.get(guild_id, {}) if guild_id is not None else {}
            found = self._effective[guild_id] = effective(self.config, overrides)
        return found

    def set(self, guild_id: int, name: str, value: Any) -> None:
        self._overrides.setdefault(guild_id, {})[name] = value
        self._effective.pop(guild_id, None)

    def reset(self, guild_id: int, name: str | None = None) -> None:
        if name is None:
            self._overrides.pop(guild_id, None)
        else:
            self._overrides.get(guild_id, {}).pop(name, None)
        self._effective.pop(guild_id, None)


class _HasSettings(Protocol):
    guild_settings: GuildSettingsCache


def settings_for(bot: _HasSettings, guild_id: int | None) -> GuildSettings:
    """One server's effective settings (``None``, a DM: config.yaml's). From memory."""
    return bot.guild_settings.get(guild_id)
