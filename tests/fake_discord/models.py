"""The fake Discord "world": users, guilds, roles, channels and members.

These are plain dataclasses holding Python values (ids are ``int``); each has a
``to_payload()`` that renders the Discord JSON shape. Discord serialises every
snowflake as a *string* on the wire (REST and gateway alike), so payloads do too.

Entities compare by identity (``eq=False``): the fake keeps exactly one
object per id, which also keeps them hashable.

Only the fields discord.py 2.7.1 actually reads (plus the few Discord always
sends) are modelled; extend them here when a test needs more.
"""

from __future__ import annotations

import itertools
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

DISCORD_EPOCH_MS = 1420070400000

# Channel types (https://discord.com/developers/docs/resources/channel#channel-object-channel-types)
GUILD_TEXT = 0
DM = 1
GUILD_VOICE = 2
GUILD_CATEGORY = 4

# Permission bits used by the default world.
ADMINISTRATOR = 1 << 3
# What Discord grants @everyone in a freshly created guild.
DEFAULT_EVERYONE_PERMISSIONS = 1071698660929

JSON = dict[str, Any]


def iso_now() -> str:
    """Current time in the ISO-8601 form Discord uses for timestamps."""
    return datetime.now(UTC).isoformat()


class SnowflakeGenerator:
    """Produces unique, strictly increasing, time-based snowflakes.

    Real-looking snowflakes matter because discord.py derives ``created_at``
    from them and sorts some caches by id.
    """

    def __init__(self) -> None:
        self._last = 0
        self._increment = itertools.count()

    def __call__(self) -> int:
        ms = int(time.time() * 1000) - DISCORD_EPOCH_MS
        candidate = (ms << 22) | (1 << 17) | (next(self._increment) & 0xFFF)
        self._last = max(candidate, self._last + 1)
        return self._last


@dataclass(eq=False)
class FakeUser:
    id: int
    username: str
    bot: bool = False
    global_name: str | None = None
    discriminator: str = "0"
    avatar: str | None = None

    @property
    def mention(self) -> str:
        return f"<@{self.id}>"

    def to_payload(self) -> JSON:
        payload: JSON = {
            "id": str(self.id),
            "username": self.username,
            "discriminator": self.discriminator,
            "global_name": self.global_name,
            "avatar": self.avatar,
            "public_flags": 0,
        }
        if self.bot:
            payload["bot"] = True
        return payload

    def to_private_payload(self) -> JSON:
        """The ``/users/@me`` / READY flavour, which carries account fields."""
        return {
            **self.to_payload(),
            "verified": True,
            "mfa_enabled": False,
            "flags": 0,
            "email": None,
            "locale": "en-US",
            "banner": None,
            "accent_color": None,
        }


@dataclass(eq=False)
class FakeRole:
    id: int
    name: str
    permissions: int = 0
    position: int = 0
    managed: bool = False
    mentionable: bool = False
    hoist: bool = False
    color: int = 0
    # The bot a managed role belongs to (Discord's ``tags.bot_id``).
    bot_id: int | None = None

    @property
    def mention(self) -> str:
        return f"<@&{self.id}>"

    def to_payload(self) -> JSON:
        return {
            "id": str(self.id),
            "name": self.name,
            "color": self.color,
            "colors": {"primary_color": self.color, "secondary_color": None, "tertiary_color": None},
            "hoist": self.hoist,
            "icon": None,
            "unicode_emoji": None,
            "position": self.position,
            "permissions": str(self.permissions),
            "managed": self.managed,
            "mentionable": self.mentionable,
            "flags": 0,
            **({"tags": {"bot_id": str(self.bot_id)}} if self.bot_id is not None else {}),
        }


@dataclass(eq=False)
class FakeMember:
    user: FakeUser
    roles: list[int] = field(default_factory=list)
    nick: str | None = None
    joined_at: str = field(default_factory=iso_now)

    def to_payload(self, *, with_user: bool = True) -> JSON:
        """Guild member object; message payloads embed it *without* ``user``."""
        payload: JSON = {
            "roles": [str(r) for r in self.roles],
            "nick": self.nick,
            "avatar": None,
            "banner": None,
            "joined_at": self.joined_at,
            "premium_since": None,
            "deaf": False,
            "mute": False,
            "flags": 0,
            "pending": False,
            "communication_disabled_until": None,
        }
        if with_user:
            payload["user"] = self.user.to_payload()
        return payload


@dataclass(eq=False)
class FakeChannel:
    id: int
    type: int = GUILD_TEXT
    name: str | None = None
    guild_id: int | None = None
    position: int = 0
    topic: str | None = None
    parent_id: int | None = None
    nsfw: bool = False
    # DM channels only.
    recipients: list[FakeUser] = field(default_factory=list)
    last_message_id: int | None = None

    @property
    def mention(self) -> str:
        return f"<#{self.id}>"

    def to_payload(self) -> JSON:
        payload: JSON = {
            "id": str(self.id),
            "type": self.type,
            "last_message_id": str(self.last_message_id) if self.last_message_id else None,
            "flags": 0,
        }
        if self.type == DM:
            payload["recipients"] = [u.to_payload() for u in self.recipients]
            return payload
        payload.update(
            {
                "guild_id": str(self.guild_id) if self.guild_id else None,
                "name": self.name,
                "position": self.position,
                "permission_overwrites": [],
                "parent_id": str(self.parent_id) if self.parent_id else None,
                "nsfw": self.nsfw,
            }
        )
        if self.type == GUILD_TEXT:
            payload.update({"topic": self.topic, "rate_limit_per_user": 0})
        elif self.type == GUILD_VOICE:
            payload.update({"bitrate": 64000, "user_limit": 0, "rtc_region": None})
        return payload


@dataclass(eq=False)
class FakeGuild:
    id: int
    name: str
    owner_id: int
    roles: list[FakeRole] = field(default_factory=list)
    channels: list[FakeChannel] = field(default_factory=list)
    members: list[FakeMember] = field(default_factory=list)

    @property
    def everyone_role(self) -> FakeRole:
        # Discord's @everyone role shares the guild's id.
        return next(r for r in self.roles if r.id == self.id)

    def get_member(self, user_id: int) -> FakeMember | None:
        return next((m for m in self.members if m.user.id == user_id), None)

    def get_role(self, role_id: int) -> FakeRole | None:
        return next((r for r in self.roles if r.id == role_id), None)

    def permissions_for(self, user_id: int) -> int:
        """Guild-level permissions (no channel overwrites), as sent in interactions."""
        member = self.get_member(user_id)
        perms = self.everyone_role.permissions
        if member is not None:
            for role_id in member.roles:
                role = self.get_role(role_id)
                if role is not None:
                    perms |= role.permissions
        if user_id == self.owner_id or perms & ADMINISTRATOR:
            # Discord reports every permission for owners and administrators.
            perms = (1 << 53) - 1
        return perms

    def to_payload(self) -> JSON:
        """The full GUILD_CREATE payload that fills discord.py's guild cache."""
        return {
            "id": str(self.id),
            "name": self.name,
            "icon": None,
            "splash": None,
            "discovery_splash": None,
            "banner": None,
            "description": None,
            "owner_id": str(self.owner_id),
            "region": None,
            "afk_channel_id": None,
            "afk_timeout": 300,
            "verification_level": 0,
            "default_message_notifications": 0,
            "explicit_content_filter": 0,
            "mfa_level": 0,
            "nsfw_level": 0,
            "premium_tier": 0,
            "premium_subscription_count": 0,
            "premium_progress_bar_enabled": False,
            "preferred_locale": "en-US",
            "features": [],
            "system_channel_id": None,
            "system_channel_flags": 0,
            "rules_channel_id": None,
            "public_updates_channel_id": None,
            "safety_alerts_channel_id": None,
            "vanity_url_code": None,
            "max_members": 500000,
            "max_video_channel_users": 25,
            "application_id": None,
            "joined_at": iso_now(),
            "large": False,
            "unavailable": False,
            "member_count": len(self.members),
            "roles": [r.to_payload() for r in self.roles],
            "emojis": [],
            "stickers": [],
            "channels": [c.to_payload() for c in self.channels],
            "threads": [],
            "members": [m.to_payload() for m in self.members],
            "presences": [],
            "voice_states": [],
            "stage_instances": [],
            "guild_scheduled_events": [],
            "soundboard_sounds": [],
            "incidents_data": None,
        }
