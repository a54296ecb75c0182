"""``FakeDiscord``: an in-process Discord (REST + gateway) for end-to-end tests.

One aiohttp app on ``127.0.0.1:<random port>`` serves both halves:

* REST under ``/api/v10`` (``base_url``), see ``rest.py``;
* the gateway websocket at ``/`` (``gateway_url``) and ``/resume``
  (``resume_gateway_url``, sent in READY so reconnects are distinguishable).

The real discord.py client is pointed at it with ``patch_discord(fake)``,
which swaps the two module-level endpoints discord.py 2.7.1 reads at call
time: ``discord.http.Route.BASE`` and
``discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY`` (2.7.1 connects straight
to ``DEFAULT_GATEWAY``; only ``AutoShardedClient`` asks ``GET /gateway/bot``).

The fake owns a small world (users, guilds, channels, messages, commands)
that REST handlers mutate and builders read, records everything the client
does (``requests``, ``gateway_received``) and offers ``wait_for_*`` helpers
plus fault injection (429s, 5xxs, delays, gateway drops).
"""

from __future__ import annotations

import asyncio
import logging
import re
import secrets
import socket
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from types import TracebackType
from typing import Any
from urllib.parse import unquote

from aiohttp import web

from . import payloads as p
from .faults import Fault, FaultInjector, failure_response, rate_limited_response
from .gateway import (
    OP_IDENTIFY,
    OP_INVALID_SESSION,
    OP_RECONNECT,
    OP_RESUME,
    PRIVILEGED_INTENTS,
    Gateway,
    GatewaySession,
)
from .models import (
    ADMINISTRATOR,
    DEFAULT_EVERYONE_PERMISSIONS,
    DM,
    GUILD_TEXT,
    JSON,
    FakeChannel,
    FakeGuild,
    FakeMember,
    FakeRole,
    FakeUser,
    SnowflakeGenerator,
    iso_now,
)
from .ratelimits import Limiter, RateLimits
from .recording import InteractionRecord, Notifier, RecordedRequest, UploadedFile
from .responses import (
    CANNOT_SEND_EMPTY_MESSAGE,
    INVALID_FORM_BODY,
    UNKNOWN_CHANNEL,
    RestError,
    discord_error,
)
from .rest import Handler, Router, register_default_routes

__all__ = ["DiscordPatch", "FakeDiscord", "patch_discord"]

_log = logging.getLogger("fake_discord")

_API_PREFIX = re.compile(r"^/api/v\d+(?=/)")
_FILE_FIELD = re.compile(r"^files\[(\d+)\]$")
# Message flags a client may set on a message it sends.
_SETTABLE_FLAGS = p.FLAG_EPHEMERAL | (1 << 2) | (1 << 12) | (1 << 15)


class FakeDiscord:
    """A fake Discord API + gateway, started with ``await fake.start()``.

    The default world, ready to use without any setup:

    * ``bot_user`` (also the application, ``application_id == bot_user.id``);
    * ``user``: a human ("alice") who owns ``guild``;
    * ``guild``: "Fake Guild" with @everyone, a managed admin role for the
      bot, members ``user`` and ``bot_user``, and the text channel ``channel``.
    """

    def __init__(
        self,
        *,
        token: str | None = None,
        bot_username: str = "fake-bot",
        heartbeat_interval_ms: int = 41250,
        allowed_privileged_intents: int = PRIVILEGED_INTENTS,
        application_flags: int = 0,
        rate_limits: RateLimits | None = None,
    ) -> None:
        """Build the default world; nothing listens until ``start()``.

        Args:
            token: if set, REST calls and IDENTIFY must use it (else 401 /
                close 4004); by default any token is accepted.
            bot_username: the bot user's (and application's) name.
            heartbeat_interval_ms: sent in HELLO; the client's heartbeat period.
            allowed_privileged_intents: privileged intents "enabled in the
                developer portal"; identifying with others closes with 4014.
            application_flags: ``flags`` of the application (READY and
                ``/applications/@me``).
            rate_limits: the REST rate limits to enforce (``ratelimits.RateLimits``;
                Discord's by default). Headers are always sent.
        """
        self.new_id: Callable[[], int] = SnowflakeGenerator()
        self.token = token
        self.heartbeat_interval_ms = heartbeat_interval_ms
        self.allowed_privileged_intents = allowed_privileged_intents
        self.application_flags = application_flags
        # Set to False to simulate a zombied connection (no HEARTBEAT_ACK).
        self.ack_heartbeats = True
        # Like Discord, echo messages the bot creates/edits/deletes over REST
        # back as MESSAGE_CREATE/UPDATE/DELETE (so on_message sees its own messages).
        self.echo_bot_messages = True
        # Seconds a client has to respond to an interaction (Discord: 3);
        # later callbacks get 404 Unknown interaction. None disables the check.
        self.interaction_response_deadline: float | None = 3.0

        # World state.
        self.users: dict[int, FakeUser] = {}
        self.guilds: dict[int, FakeGuild] = {}
        self.channels: dict[int, FakeChannel] = {}
        self.messages: dict[int, JSON] = {}
        # Application commands by guild id (None = global), as Discord stored them.
        self.commands: dict[int | None, list[JSON]] = {}
        # Interactions created by the builders, by token.
        self.interactions: dict[str, InteractionRecord] = {}

        # What the client did.
        self.requests: list[RecordedRequest] = []
        # Exceptions raised inside the fake itself (answered with HTTP 501).
        self.internal_errors: list[BaseException] = []

        self.router = Router()
        register_default_routes(self.router)
        self.faults = FaultInjector()
        self.limiter = Limiter(rate_limits or RateLimits())
        self.gateway = Gateway(self)
        self._notifier = Notifier()
        self._runner: web.AppRunner | None = None
        self._port: int | None = None

        self.bot_user = self.create_user(bot_username, bot=True)
        self.application_id = self.bot_user.id
        self.user = self.create_user("alice", global_name="Alice")
        self.owner = self.user
        self.guild = self.create_guild("Fake Guild", owner=self.user)
        self.channel = self.guild.channels[0]

    # -- lifecycle -------------------------------------------------------------------

    async def start(self) -> None:
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_get("/", self.gateway.handle)
        app.router.add_get("/resume", self.gateway.handle)
        app.router.add_route("*", "/{tail:.*}", self._handle_http)
        # A short shutdown timeout: nothing should be in flight when a test ends.
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        # Binding the socket ourselves gives a free port without a race.
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.bind(("127.0.0.1", 0))
        self._port = sock.getsockname()[1]
        await web.SockSite(self._runner, sock).start()

    async def stop(self) -> None:
        if self._runner is None:
            return
        await self.gateway.close_all()
        await self._runner.cleanup()
        self._runner = None

    async def __aenter__(self) -> FakeDiscord:
        await self.start()
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.stop()

    @property
    def port(self) -> int:
        if self._port is None:
            raise RuntimeError("FakeDiscord is not started: await fake.start() first")
        return self._port

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def base_url(self) -> str:
        """What ``discord.http.Route.BASE`` must be set to."""
        return f"{self.origin}/api/v10"

    @property
    def gateway_url(self) -> str:
        """What ``DiscordWebSocket.DEFAULT_GATEWAY`` must be set to."""
        return f"ws://127.0.0.1:{self.port}/"

    @property
    def resume_gateway_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/resume"

    def token_is_valid(self, token: str | None) -> bool:
        return self.token is None or token == self.token

    # -- world building -------------------------------------------------------------------

    def create_user(self, username: str, *, bot: bool = False, global_name: str | None = None) -> FakeUser:
        user = FakeUser(id=self.new_id(), username=username, bot=bot, global_name=global_name)
        self.users[user.id] = user
        return user

    def create_guild(
        self,
        name: str,
        *,
        owner: FakeUser | None = None,
        members: Iterable[FakeUser] = (),
        channel_names: Sequence[str] = ("general",),
    ) -> FakeGuild:
        """Create a guild the bot is in (sent as GUILD_CREATE on IDENTIFY).

        Guilds created after the client connected must be announced by the
        test: ``await fake.dispatch("GUILD_CREATE", guild.to_payload())``.
        """
        owner = owner or self.user
        guild_id = self.new_id()
        everyone = FakeRole(id=guild_id, name="@everyone", permissions=DEFAULT_EVERYONE_PERMISSIONS)
        # The role Discord creates for a bot when it joins ("managed", tagged with the bot's id).
        bot_role = FakeRole(
            id=self.new_id(),
            name=self.bot_user.username,
            permissions=ADMINISTRATOR,
            position=1,
            managed=True,
            bot_id=self.bot_user.id,
        )
        guild = FakeGuild(id=guild_id, name=name, owner_id=owner.id, roles=[everyone, bot_role])
        self.guilds[guild.id] = guild
        guild.members.append(FakeMember(self.bot_user, roles=[bot_role.id]))
        for user in dict.fromkeys([owner, *members]):
            self.add_member(guild, user)
        for channel_name in channel_names:
            self.create_text_channel(guild, channel_name)
        return guild

    def add_member(self, guild: FakeGuild, user: FakeUser, *, roles: Iterable[int] = ()) -> FakeMember:
        member = guild.get_member(user.id)
        if member is None:
            member = FakeMember(user, roles=list(roles))
            guild.members.append(member)
        return member

    def create_role(
        self, guild: FakeGuild, name: str, *, permissions: int = 0, mentionable: bool = True
    ) -> FakeRole:
        role = FakeRole(
            id=self.new_id(),
            name=name,
            permissions=permissions,
            position=len(guild.roles),
            mentionable=mentionable,
        )
        guild.roles.append(role)
        return role

    def create_text_channel(self, guild: FakeGuild, name: str) -> FakeChannel:
        channel = FakeChannel(
            id=self.new_id(), type=GUILD_TEXT, name=name, guild_id=guild.id, position=len(guild.channels)
        )
        guild.channels.append(channel)
        self.channels[channel.id] = channel
        return channel

    def create_dm_channel(self, user: FakeUser) -> FakeChannel:
        """The (unique) DM channel between the bot and ``user``."""
        for channel in self.channels.values():
            if channel.type == DM and channel.recipients and channel.recipients[0].id == user.id:
                return channel
        channel = FakeChannel(id=self.new_id(), type=DM, recipients=[user])
        self.channels[channel.id] = channel
        return channel

    def _get_user(self, user: FakeUser | int) -> FakeUser:
        user_id = user.id if isinstance(user, FakeUser) else int(user)
        try:
            return self.users[user_id]
        except KeyError:
            raise ValueError(f"unknown user {user_id}: create it with fake.create_user()") from None

    def _get_channel(self, channel: FakeChannel | int) -> FakeChannel:
        channel_id = channel.id if isinstance(channel, FakeChannel) else int(channel)
        try:
            return self.channels[channel_id]
        except KeyError:
            raise ValueError(
                f"unknown channel {channel_id}: create it with create_text_channel()/create_dm_channel()"
            ) from None

    # -- payload builders (dispatch them with ``await fake.dispatch(...)``) --------------------

    def message_create(
        self,
        channel_id: FakeChannel | int,
        author: FakeUser | int,
        content: str = "",
        *,
        guild_id: int | None = None,
        mentions: Sequence[FakeUser | int] | None = None,
        mention_roles: Sequence[int] | None = None,
        mention_everyone: bool | None = None,
        embeds: Sequence[JSON] = (),
        attachments: Sequence[JSON] = (),
        components: Sequence[JSON] = (),
        reply_to: int | None = None,
    ) -> JSON:
        """A MESSAGE_CREATE payload from ``author`` (a user, not the bot).

        ``guild_id`` defaults to the channel's guild (None for DM channels).
        Mentions default to those written in ``content`` (``<@id>``, ``<@&id>``,
        ``@everyone``); pass ``mentions=[...]`` to override.
        """
        channel = self._get_channel(channel_id)
        author_user = self._get_user(author)
        guild_id = guild_id if guild_id is not None else channel.guild_id
        guild = self.guilds.get(guild_id) if guild_id is not None else None
        if mentions is None:
            mentioned = [self.users[u] for u in dict.fromkeys(p.user_mention_ids(content)) if u in self.users]
        else:
            mentioned = [self._get_user(u) for u in mentions]
        if mention_roles is None:
            mention_roles = [r for r in p.role_mention_ids(content) if guild and guild.get_role(r)]
        if mention_everyone is None:
            mention_everyone = "@everyone" in content or "@here" in content
        reference = referenced = None
        if reply_to is not None:
            referenced = _without_nested_reference(self.messages[reply_to])
            reference = p.message_reference(reply_to, channel.id, guild.id if guild else None)
        return p.message(
            message_id=self.new_id(),
            channel_id=channel.id,
            author=author_user,
            content=content,
            guild=guild,
            mentions=mentioned,
            mention_roles=mention_roles,
            mention_everyone=mention_everyone,
            embeds=embeds,
            attachments=attachments,
            components=components,
            message_reference=reference,
            referenced_message=referenced,
        )

    def interaction_create(
        self,
        interaction_type: int,
        data: JSON | None = None,
        *,
        user: FakeUser | int | None = None,
        channel_id: FakeChannel | int | None = None,
        message: JSON | None = None,
        locale: str = "en-US",
    ) -> JSON:
        """A raw INTERACTION_CREATE payload; the fake will accept callbacks for it.

        Guild channels produce a ``member``-flavoured payload, DM channels a
        ``user``-flavoured one (as Discord does).
        """
        user_obj = self._get_user(user if user is not None else self.user)
        channel = self._get_channel(channel_id if channel_id is not None else self.channel)
        guild = self.guilds.get(channel.guild_id) if channel.guild_id else None
        app_permissions = guild.permissions_for(self.bot_user.id) if guild else DEFAULT_EVERYONE_PERMISSIONS
        payload = p.interaction(
            interaction_id=self.new_id(),
            interaction_type=interaction_type,
            application_id=self.application_id,
            token="fake-interaction-" + secrets.token_urlsafe(24),
            user=user_obj,
            channel=channel.to_payload(),
            data=data,
            guild=guild,
            app_permissions=app_permissions,
            message=message,
            locale=locale,
        )
        self.interactions[payload["token"]] = InteractionRecord(payload)
        return payload

    def command_interaction(
        self,
        name: str,
        options: Mapping[str, Any] | Sequence[JSON] | None = None,
        *,
        user: FakeUser | int | None = None,
        channel_id: FakeChannel | int | None = None,
        focused: str | None = None,
    ) -> JSON:
        """A slash command invocation (type 2), or autocomplete (type 4) if ``focused`` is set.

        ``options`` is ``{name: value}`` (types inferred) or raw option dicts.
        If the command was synced (PUT .../commands), its id and guild scope
        are taken from there, so guild commands resolve in the CommandTree.
        """
        channel = self._get_channel(channel_id if channel_id is not None else self.channel)
        command = self.find_command(name, guild_id=channel.guild_id)
        data: JSON = {
            "id": command["id"] if command else str(self.new_id()),
            "name": name,
            "type": 1,
            "options": p.command_options(options, focused=focused),
        }
        if command and "guild_id" in command:
            data["guild_id"] = command["guild_id"]
        interaction_type = p.INTERACTION_AUTOCOMPLETE if focused else p.INTERACTION_APPLICATION_COMMAND
        return self.interaction_create(interaction_type, data, user=user, channel_id=channel)

    def autocomplete_interaction(
        self,
        name: str,
        options: Mapping[str, Any] | Sequence[JSON],
        focused: str,
        *,
        user: FakeUser | int | None = None,
        channel_id: FakeChannel | int | None = None,
    ) -> JSON:
        """An autocomplete request (type 4) while the user types option ``focused``."""
        return self.command_interaction(name, options, user=user, channel_id=channel_id, focused=focused)

    def component_interaction(
        self,
        message: JSON | int,
        custom_id: str,
        *,
        component_type: int = 2,
        values: Sequence[str] | None = None,
        user: FakeUser | int | None = None,
    ) -> JSON:
        """A click on a component (type 3) of ``message`` (a payload or a stored message id).

        ``component_type`` 2 is a button; use 3 (string select) with ``values``.
        """
        message_payload = message if isinstance(message, dict) else self.messages[int(message)]
        data: JSON = {"custom_id": custom_id, "component_type": component_type}
        if values is not None:
            data["values"] = list(values)
        return self.interaction_create(
            p.INTERACTION_MESSAGE_COMPONENT,
            data,
            user=user,
            channel_id=int(message_payload["channel_id"]),
            message=message_payload,
        )

    def message_command_interaction(
        self, name: str, message: JSON | int, *, user: FakeUser | int | None = None, locale: str = "en-US"
    ) -> JSON:
        """A message context menu command (type 2, command type 3) on ``message``.

        Like Discord, ``data.target_id`` names the message and ``data.resolved.messages``
        carries it whole (content included: no intent is needed for it).
        """
        message_payload = message if isinstance(message, dict) else self.messages[int(message)]
        channel = self._get_channel(int(message_payload["channel_id"]))
        command = self.find_command(name, guild_id=channel.guild_id)
        resolved = {k: v for k, v in message_payload.items() if k not in ("guild_id", "member")}
        data: JSON = {
            "id": command["id"] if command else str(self.new_id()),
            "name": name,
            "type": 3,
            "target_id": message_payload["id"],
            "resolved": {"messages": {message_payload["id"]: resolved}},
        }
        if command and "guild_id" in command:
            data["guild_id"] = command["guild_id"]
        return self.interaction_create(
            p.INTERACTION_APPLICATION_COMMAND, data, user=user, channel_id=channel, locale=locale
        )

    def modal_submit_interaction(
        self,
        custom_id: str,
        values: Mapping[str, str],
        *,
        user: FakeUser | int | None = None,
        channel_id: FakeChannel | int | None = None,
        message: JSON | None = None,
        locale: str = "en-US",
    ) -> JSON:
        """A modal submission (type 5): ``values`` maps each text input's custom id to its text.

        ``custom_id`` is the modal's (from the bot's type 9 callback). Each input comes in its
        own action row (type 1), as Discord sends back modals built with action rows.
        """
        data: JSON = {
            "custom_id": custom_id,
            "components": [
                {"type": 1, "components": [{"type": 4, "custom_id": k, "value": v}]}
                for k, v in values.items()
            ],
        }
        return self.interaction_create(
            p.INTERACTION_MODAL_SUBMIT, data, user=user, channel_id=channel_id, message=message, locale=locale
        )

    def unanswered_interactions(self) -> list[InteractionRecord]:
        """Interactions dispatched to the client that it never responded to (a user would
        see "This interaction failed"), in the order they were dispatched."""
        waiting = [
            r for r in self.interactions.values() if r.dispatched_at is not None and not r.acknowledged
        ]
        return sorted(waiting, key=lambda r: r.dispatched_at or 0.0)

    def find_command(self, name: str, *, guild_id: int | None = None) -> JSON | None:
        """A synced command by name: the guild's commands first, then global ones."""
        scopes = ([guild_id] if guild_id is not None else []) + [None]
        for scope in scopes:
            for command in self.commands.get(scope, []):
                if command["name"] == name:
                    return command
        return None

    # -- gateway --------------------------------------------------------------------------------

    async def dispatch(self, event: str, data: JSON) -> JSON | None:
        """Send a DISPATCH (op 0) to the client, e.g. ``dispatch("MESSAGE_CREATE", payload)``.

        Returns the frame (with its sequence number ``s``), or None when the
        client's intents mean Discord would not deliver it. While the client is
        disconnected the event is buffered and replayed when it RESUMEs.
        """
        if event == "MESSAGE_CREATE":
            self._store_message(data)
        elif event == "INTERACTION_CREATE" and data.get("token") in self.interactions:
            self.interactions[data["token"]].dispatched_at = time.monotonic()
        return await self.gateway.dispatch(event, data)

    async def drop_gateway(self, code: int = 4000, *, resumable: bool = True) -> None:
        """Close the client's websocket with ``code``; it reconnects and RESUMEs.

        With ``resumable=False`` the RESUME gets INVALID_SESSION and the client
        IDENTIFYs again. Codes discord.py will not reconnect after (4004,
        4010-4014) make ``client.connect()`` raise instead.
        """
        await self.gateway.drop(code, resumable=resumable)

    async def request_reconnect(self) -> None:
        """Send op 7 RECONNECT; the client closes the socket and RESUMEs."""
        await self.gateway.send_op(OP_RECONNECT, None)

    async def invalidate_session(self, *, resumable: bool = False) -> None:
        """Send op 9 INVALID_SESSION (``d=resumable``)."""
        await self.gateway.send_op(OP_INVALID_SESSION, resumable)

    @property
    def gateway_received(self) -> list[JSON]:
        """Every frame the client sent (heartbeats included), in order."""
        return self.gateway.received

    @property
    def gateway_sent(self) -> list[JSON]:
        return self.gateway.sent

    @property
    def session(self) -> GatewaySession | None:
        """The current gateway session (the last IDENTIFY)."""
        return self.gateway.session

    @property
    def identify_payloads(self) -> list[JSON]:
        return [f["d"] for f in self.gateway.received if f.get("op") == OP_IDENTIFY]

    def _ready_payload(self, session: GatewaySession) -> JSON:
        ready: JSON = {
            "v": 10,
            "user": self.bot_user.to_private_payload(),
            "user_settings": {},
            "guilds": [{"id": str(g.id), "unavailable": True} for g in self.guilds.values()],
            "session_id": session.session_id,
            "session_type": "normal",
            "resume_gateway_url": self.resume_gateway_url,
            "application": {"id": str(self.application_id), "flags": self.application_flags},
            "private_channels": [],
            "relationships": [],
            "presences": [],
            "guild_join_requests": [],
            "geo_ordered_rtc_regions": ["fake"],
            "auth": {},
            "_trace": ["fake-discord"],
        }
        if "shard" in session.identify:
            ready["shard"] = session.identify["shard"]
        return ready

    # -- waiting ------------------------------------------------------------------------------------

    def _notify(self) -> None:
        self._notifier.notify()

    async def wait_for_request(
        self,
        method: str | None = None,
        path: str | Callable[[str], bool] | None = None,
        *,
        where: Callable[[RecordedRequest], bool] | None = None,
        after: int = 0,
        timeout: float = 5.0,
    ) -> RecordedRequest:
        """The first *answered* request at index >= ``after`` in ``requests`` that matches.

        ``path`` is a prefix of the API-relative path (``/channels/1/messages``)
        or a predicate on it; ``where`` filters on the whole record (e.g. body).
        Pass ``after=len(fake.requests)`` to only consider future requests.
        """

        def matches(r: RecordedRequest) -> bool:
            if r.status is None or (method is not None and r.method != method.upper()):
                return False
            if isinstance(path, str) and not r.path.startswith(path):
                return False
            if callable(path) and not path(r.path):
                return False
            return where is None or where(r)

        def check() -> RecordedRequest | None:
            return next((r for r in self.requests[after:] if matches(r)), None)

        def describe() -> str:
            seen = ", ".join(str(r) for r in self.requests[after:][-10:]) or "none"
            return f"request {method or '*'} {path or ''} (seen: {seen})"

        return await self._notifier.wait_until(check, timeout=timeout, describe=describe)

    async def wait_for_gateway_op(self, op: int, *, after: int = 0, timeout: float = 5.0) -> JSON:
        """The first frame with opcode ``op`` the client sent, at index >= ``after`` in ``gateway_received``."""

        def check() -> JSON | None:
            return next((f for f in self.gateway.received[after:] if f.get("op") == op), None)

        ops = lambda: [f.get("op") for f in self.gateway.received[after:]]  # noqa: E731
        return await self._notifier.wait_until(
            check, timeout=timeout, describe=lambda: f"gateway op {op} (seen ops: {ops()})"
        )

    async def wait_for_identify(self, *, after: int = 0, timeout: float = 5.0) -> JSON:
        """The IDENTIFY payload (``d``: token, intents, properties...)."""
        return (await self.wait_for_gateway_op(OP_IDENTIFY, after=after, timeout=timeout))["d"]

    async def wait_for_resume(self, *, after: int = 0, timeout: float = 5.0) -> JSON:
        """The RESUME payload (``d``: token, session_id, seq)."""
        return (await self.wait_for_gateway_op(OP_RESUME, after=after, timeout=timeout))["d"]

    async def wait_for_ready(self, *, timeout: float = 5.0) -> GatewaySession:
        """Wait until READY and the initial GUILD_CREATEs were sent to a client."""

        def check() -> GatewaySession | None:
            session = self.gateway.session
            return session if session is not None and session.ready else None

        return await self._notifier.wait_until(check, timeout=timeout, describe="READY to be sent")

    async def wait_for_interaction_response(self, interaction: JSON, *, timeout: float = 5.0) -> JSON:
        """The client's callback body (``{"type": ..., "data": ...}``) for an interaction payload."""
        record = self.interactions[interaction["token"]]
        return await self._notifier.wait_until(
            lambda: record.responses[0] if record.responses else None,
            timeout=timeout,
            describe=f"a response to interaction {record.id}",
        )

    # -- fault injection ----------------------------------------------------------------------------

    def rate_limit_next(
        self,
        method: str | None,
        path_prefix: str,
        retry_after: float = 0.05,
        *,
        times: int = 1,
        is_global: bool = False,
    ) -> Fault:
        """Answer the next ``times`` matching requests with a (retryable) 429."""
        return self.faults.add(
            Fault(
                "rate_limit",
                method,
                path_prefix,
                remaining=times,
                retry_after=retry_after,
                is_global=is_global,
            )
        )

    def fail_next(self, method: str | None, path_prefix: str, status: int = 500, *, times: int = 1) -> Fault:
        """Answer the next ``times`` matching requests with ``status``.

        discord.py retries 500/502/504/524 (up to 5 attempts, sleeping
        1, 3, 5, 7 s) and raises other 5xx at once; see
        ``fixtures.fast_http_retries`` to keep retry tests fast.
        """
        return self.faults.add(Fault("fail", method, path_prefix, remaining=times, status=status))

    def delay(
        self, path_prefix: str, seconds: float, *, method: str | None = None, times: int | None = None
    ) -> Fault:
        """Delay matching requests by ``seconds`` (forever unless ``times`` is given)."""
        return self.faults.add(Fault("delay", method, path_prefix, remaining=times, seconds=seconds))

    def clear_faults(self) -> None:
        self.faults.clear()

    # -- REST ---------------------------------------------------------------------------------------

    def add_route(self, method: str, pattern: str, handler: Handler, *, auth: bool = True) -> None:
        """Add or override a REST route, e.g. ``add_route("GET", "/guilds/{guild_id}", handler)``.

        ``handler(fake, request)`` gets the ``RecordedRequest`` (``.json``,
        ``.params``...) and returns a response (see ``responses.json_response``).
        """
        self.router.add(method, pattern, handler, auth=auth, override=True)

    @property
    def unknown_requests(self) -> list[RecordedRequest]:
        """Requests that matched no route (answered 404/405)."""
        return [r for r in self.requests if r.status is not None and r.route is None and r.fault is None]

    async def _handle_http(self, request: web.Request) -> web.StreamResponse:
        raw_path = request.rel_url.raw_path
        prefix = _API_PREFIX.match(raw_path)
        api_path = raw_path[prefix.end() :] if prefix else raw_path
        record = await RecordedRequest.from_request(request, unquote(api_path))
        self.requests.append(record)
        try:
            if prefix is None:
                raise RestError(404, 0, "404: Not Found")
            response = await self._respond(request, record, api_path)
        except RestError as exc:
            response = exc.to_response()
        except Exception as exc:
            # A bug in the fake: make it loud (logged at ERROR, which the
            # error-log guard turns into a test failure) and answer with a 5xx
            # discord.py does not retry.
            _log.exception("fake_discord failed handling %s %s", record.method, record.path)
            self.internal_errors.append(exc)
            response = discord_error(501, 0, f"fake_discord internal error: {exc!r}")
        if record.route is None and record.fault is None and response.status in (404, 405):
            _log.warning("fake_discord: no route for %s %s", record.method, record.path)
        record.status = response.status
        record.response_body = response.body if isinstance(response.body, bytes) else None
        self._notify()
        return response

    async def _respond(
        self, request: web.Request, record: RecordedRequest, api_path: str
    ) -> web.StreamResponse:
        seconds = self.faults.take_delay(record.method, record.path)
        if seconds:
            await asyncio.sleep(seconds)
        fault = self.faults.take_error(record.method, record.path)
        if fault is not None:
            record.fault = fault.kind
            return rate_limited_response(fault) if fault.kind == "rate_limit" else failure_response(fault)
        route, params = self.router.resolve(record.method, api_path)
        record.route, record.params = route.pattern, params
        if route.auth:
            authorization = request.headers.get("Authorization", "")
            token = authorization.removeprefix("Bot ") if authorization.startswith("Bot ") else None
            if token is None or not self.token_is_valid(token):
                raise RestError(401, 0, "401: Unauthorized")
        # Interaction callbacks and webhooks are exempt from the global limit, as on Discord.
        headers, limited = self.limiter.check(
            record.method, route.pattern, params, record.path, exempt_global=not route.auth
        )
        if limited is not None:
            return limited
        response = await route.handler(self, record)
        response.headers.update(headers)
        return response

    @property
    def rate_limited(self) -> list[RecordedRequest]:
        """Requests the fake's rate limits answered with 429 (injected faults excluded)."""
        return [r for r in self.requests if r.status == 429 and r.fault is None]

    # -- message bookkeeping used by the REST handlers -------------------------------------------

    def _store_message(self, message: JSON) -> None:
        message_id = int(message["id"])
        self.messages[message_id] = message
        channel = self.channels.get(int(message["channel_id"]))
        if channel is not None:
            channel.last_message_id = message_id

    async def _announce(self, event: str, message: JSON) -> None:
        """Dispatch the gateway event Discord emits for a message changed over REST."""
        if not self.echo_bot_messages or self.gateway.session is None or message["flags"] & p.FLAG_EPHEMERAL:
            return
        channel = self.channels.get(int(message["channel_id"]))
        guild = self.guilds.get(channel.guild_id) if channel and channel.guild_id else None
        if event == "MESSAGE_DELETE":
            data: JSON = {"id": message["id"], "channel_id": message["channel_id"]}
        else:
            data = dict(message)
            member = guild.get_member(int(message["author"]["id"])) if guild else None
            if member is not None and "webhook_id" not in message:
                data["member"] = member.to_payload(with_user=False)
        if guild is not None:
            data["guild_id"] = str(guild.id)
        await self.gateway.dispatch(event, data)

    def _resolve_mentions(
        self,
        content: str,
        guild: FakeGuild | None,
        allowed_mentions: JSON | None,
        replied_author: FakeUser | None,
    ) -> tuple[list[FakeUser], list[int], bool]:
        """Who a bot message pings, applying ``allowed_mentions`` like Discord.

        Without ``allowed_mentions`` everything in the content pings (and the
        replied-to author); with it, only what ``parse``/``users``/``roles``
        allow, and the replied-to author only if ``replied_user`` is true.
        """
        parse = None if allowed_mentions is None else set(allowed_mentions.get("parse", []))
        allowed_users = {int(u) for u in (allowed_mentions or {}).get("users", [])}
        allowed_roles = {int(r) for r in (allowed_mentions or {}).get("roles", [])}
        users = [
            self.users[uid]
            for uid in dict.fromkeys(p.user_mention_ids(content))
            if uid in self.users and (parse is None or "users" in parse or uid in allowed_users)
        ]
        roles = [
            rid
            for rid in dict.fromkeys(p.role_mention_ids(content))
            if guild is not None
            and guild.get_role(rid)
            and (parse is None or "roles" in parse or rid in allowed_roles)
        ]
        everyone = ("@everyone" in content or "@here" in content) and (parse is None or "everyone" in parse)
        ping_replied = allowed_mentions is None or bool(allowed_mentions.get("replied_user"))
        if replied_author is not None and ping_replied and replied_author not in users:
            users.append(replied_author)
        return users, roles, everyone

    def _attachments(
        self, body: JSON, files: Sequence[UploadedFile], existing: Sequence[JSON] = ()
    ) -> list[JSON]:
        """Attachments for a create/edit: kept existing ones plus uploaded ``files[n]``."""
        declared = {str(a.get("id")): a for a in body.get("attachments") or []}
        kept = [a for a in existing if a["id"] in declared]
        for upload in files:
            match = _FILE_FIELD.match(upload.field_name)
            info = declared.get(match[1] if match else "", {})
            kept.append(
                p.attachment(
                    self.new_id(),
                    info.get("filename") or upload.filename,
                    len(upload.data),
                    self.origin,
                    info.get("description"),
                )
            )
        return kept

    def _create_message(
        self,
        channel: FakeChannel,
        body: JSON,
        files: Sequence[UploadedFile],
        *,
        author: FakeUser,
        webhook_id: int | None = None,
        message_type: int | None = None,
        interaction_metadata: JSON | None = None,
        allow_empty: bool = False,
    ) -> JSON:
        """Create and store a message the way Discord does for ``POST .../messages``."""
        guild = self.guilds.get(channel.guild_id) if channel.guild_id else None
        content = body.get("content") or ""
        embeds = body.get("embeds") or []
        components = body.get("components") or []
        attachments = self._attachments(body, files)
        if not (
            allow_empty
            or content
            or embeds
            or components
            or attachments
            or body.get("sticker_ids")
            or body.get("poll")
        ):
            raise RestError(400, CANNOT_SEND_EMPTY_MESSAGE, "Cannot send an empty message")

        reference = referenced = replied_author = None
        reference_body = body.get("message_reference")
        if reference_body:
            referenced_id = int(reference_body["message_id"])
            found = self.messages.get(referenced_id)
            if found is None and reference_body.get("fail_if_not_exists", True):
                raise RestError(
                    400, INVALID_FORM_BODY, "Invalid Form Body (message_reference: Unknown message)"
                )
            if found is not None:
                referenced = _without_nested_reference(found)
                replied_author = self.users.get(int(found["author"]["id"]))
            reference = p.message_reference(
                referenced_id,
                int(reference_body.get("channel_id") or channel.id),
                guild.id if guild else None,
            )

        mentions, mention_roles, mention_everyone = self._resolve_mentions(
            content, guild, body.get("allowed_mentions"), replied_author
        )
        message = p.message(
            message_id=self.new_id(),
            channel_id=channel.id,
            author=author,
            content=content,
            guild=guild,
            mentions=mentions,
            mention_roles=mention_roles,
            mention_everyone=mention_everyone,
            embeds=embeds,
            attachments=attachments,
            components=components,
            flags=(body.get("flags") or 0) & (_SETTABLE_FLAGS | p.FLAG_LOADING),
            tts=bool(body.get("tts")),
            message_type=message_type,
            message_reference=reference,
            referenced_message=referenced,
            nonce=body.get("nonce"),
            webhook_id=webhook_id,
            application_id=self.application_id if webhook_id is not None else None,
            interaction_metadata=interaction_metadata,
            # REST message objects carry neither guild_id nor member.
            include_member=False,
        )
        self._store_message(message)
        return message

    def _edit_message(self, message: JSON, body: JSON, files: Sequence[UploadedFile]) -> JSON:
        """Apply a PATCH body to a stored message, in place."""
        if "content" in body:
            message["content"] = body["content"] or ""
            guild_id = message.get("guild_id") or _channel_guild_id(
                self.channels.get(int(message["channel_id"]))
            )
            guild = self.guilds.get(int(guild_id)) if guild_id else None
            users, roles, everyone = self._resolve_mentions(
                message["content"], guild, body.get("allowed_mentions"), None
            )
            message["mentions"] = [p.mention_payload(u, guild) for u in users]
            message["mention_roles"] = [str(r) for r in roles]
            message["mention_everyone"] = everyone
        for key in ("embeds", "components"):
            if key in body:
                message[key] = body[key] or []
        if "attachments" in body or files:
            message["attachments"] = self._attachments(body, files, existing=message["attachments"])
        if body.get("flags") is not None:
            message["flags"] = body["flags"] & _SETTABLE_FLAGS
        # Any edit resolves a deferred "thinking..." placeholder.
        message["flags"] &= ~p.FLAG_LOADING
        message["edited_timestamp"] = iso_now()
        self._notify()
        return message

    def _create_interaction_message(
        self, record: InteractionRecord, body: JSON, files: Sequence[UploadedFile], *, followup: bool = False
    ) -> JSON:
        """A message posted through an interaction (response or follow-up)."""
        channel = self.channels.get(int(record.payload["channel_id"]))
        if channel is None:
            raise RestError(404, UNKNOWN_CHANNEL, "Unknown Channel")
        is_command = record.payload["type"] in (p.INTERACTION_APPLICATION_COMMAND, p.INTERACTION_AUTOCOMPLETE)
        message = self._create_message(
            channel,
            body,
            files,
            author=self.bot_user,
            webhook_id=self.application_id,
            message_type=p.MESSAGE_CHAT_INPUT_COMMAND if is_command and not followup else p.MESSAGE_DEFAULT,
            interaction_metadata=p.interaction_metadata(record.payload),
            allow_empty=bool(body.get("flags", 0) & p.FLAG_LOADING),
        )
        if not followup:
            record.original_message_id = int(message["id"])
        return message


def _without_nested_reference(message: JSON) -> JSON:
    # Discord resolves ``referenced_message`` one level deep only.
    return {k: v for k, v in message.items() if k != "referenced_message"}


def _channel_guild_id(channel: FakeChannel | None) -> int | None:
    return channel.guild_id if channel is not None else None


class DiscordPatch:
    """Undo handle from ``patch_discord``: call it, or use it as a context manager."""

    def __init__(self, restore: Callable[[], None]) -> None:
        self._restore: Callable[[], None] | None = restore

    def __call__(self) -> None:
        if self._restore is not None:
            restore, self._restore = self._restore, None
            restore()

    def __enter__(self) -> DiscordPatch:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self()


def patch_discord(fake: FakeDiscord, monkeypatch: Any = None) -> DiscordPatch:
    """Point discord.py's REST base URL and default gateway at ``fake``.

    Returns an undo handle (``undo()`` or ``with patch_discord(fake): ...``).
    With a pytest ``monkeypatch``, the attributes are set through it and are
    restored at test teardown (the handle is then a no-op).

    Both attributes are process-global, so only one fake can be targeted at a time.
    """
    import yarl
    from discord.gateway import DiscordWebSocket
    from discord.http import Route

    base_url, gateway = fake.base_url, yarl.URL(fake.gateway_url)
    if monkeypatch is not None:
        monkeypatch.setattr(Route, "BASE", base_url)
        monkeypatch.setattr(DiscordWebSocket, "DEFAULT_GATEWAY", gateway)
        return DiscordPatch(lambda: None)

    old_base, old_gateway = Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY
    Route.BASE = base_url
    DiscordWebSocket.DEFAULT_GATEWAY = gateway

    def restore() -> None:
        Route.BASE = old_base
        DiscordWebSocket.DEFAULT_GATEWAY = old_gateway

    return DiscordPatch(restore)
