"""The fake REST API: a tiny router plus the default Discord routes.

Handlers are ``async (fake, request) -> web.Response`` where ``request`` is the
already-recorded ``RecordedRequest`` (body parsed, path params in
``request.params``). Tests can override or add routes with
``FakeDiscord.add_route``, which shadows the defaults.

Responses mirror Discord: snowflakes as strings, ``204`` for empty bodies and
Discord-style JSON errors (``{"message", "code"}``) via ``RestError``.
"""

from __future__ import annotations

import re
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import unquote

from aiohttp import web

from . import payloads as p
from .models import JSON, FakeChannel
from .recording import InteractionRecord, RecordedRequest
from .responses import (
    INTERACTION_ALREADY_ACKNOWLEDGED,
    UNKNOWN_CHANNEL,
    UNKNOWN_GUILD,
    UNKNOWN_INTERACTION,
    UNKNOWN_MEMBER,
    UNKNOWN_MESSAGE,
    UNKNOWN_USER,
    UNKNOWN_WEBHOOK,
    RestError,
    json_response,
    no_content,
)

if TYPE_CHECKING:
    from .server import FakeDiscord

Handler = Callable[["FakeDiscord", RecordedRequest], Awaitable[web.StreamResponse]]


@dataclass
class Route:
    method: str
    pattern: str
    handler: Handler
    # Whether the route needs the bot token (interaction webhooks do not).
    auth: bool
    regex: re.Pattern[str]


def _compile(pattern: str) -> re.Pattern[str]:
    """``/channels/{channel_id}`` -> regex with a named group per ``{param}``."""
    parts = re.split(r"\{(\w+)\}", pattern)
    regex = "".join(re.escape(part) if i % 2 == 0 else f"(?P<{part}>[^/]+)" for i, part in enumerate(parts))
    return re.compile(f"^{regex}$")


class Router:
    def __init__(self) -> None:
        self._routes: list[Route] = []

    def add(
        self, method: str, pattern: str, handler: Handler, *, auth: bool = True, override: bool = False
    ) -> None:
        """Register a route; the first matching route wins.

        ``override=True`` puts the route in front, shadowing existing ones
        (how tests replace a default handler).
        """
        route = Route(method.upper(), pattern, handler, auth, _compile(pattern))
        if override:
            self._routes.insert(0, route)
        else:
            self._routes.append(route)

    def resolve(self, method: str, raw_path: str) -> tuple[Route, dict[str, str]]:
        path_matched = False
        for route in self._routes:
            match = route.regex.match(raw_path)
            if match is None:
                continue
            path_matched = True
            if route.method == method:
                return route, {k: unquote(v) for k, v in match.groupdict().items()}
        if path_matched:
            raise RestError(405, 0, "405: Method Not Allowed")
        raise RestError(404, 0, "404: Not Found")


def _snowflake(value: str, code: int, what: str) -> int:
    try:
        return int(value)
    except ValueError:
        raise RestError(404, code, f"Unknown {what}") from None


def _channel(fake: FakeDiscord, req: RecordedRequest) -> FakeChannel:
    channel = fake.channels.get(_snowflake(req.params["channel_id"], UNKNOWN_CHANNEL, "Channel"))
    if channel is None:
        raise RestError(404, UNKNOWN_CHANNEL, "Unknown Channel")
    return channel


def _channel_message(fake: FakeDiscord, req: RecordedRequest) -> JSON:
    channel = _channel(fake, req)
    message = fake.messages.get(_snowflake(req.params["message_id"], UNKNOWN_MESSAGE, "Message"))
    if message is None or message["channel_id"] != str(channel.id):
        raise RestError(404, UNKNOWN_MESSAGE, "Unknown Message")
    return message


# -- users, gateway, application ------------------------------------------------


async def get_current_user(fake: FakeDiscord, req: RecordedRequest) -> web.Response:
    return json_response(fake.bot_user.to_private_payload())


async def get_user(fake: FakeDiscord, req: RecordedRequest) -> web.Response:
    user = fake.users.get(_snowflake(req.params["user_id"], UNKNOWN_USER, "User"))
    if user is None:
        raise RestError(404, UNKNOWN_USER, "Unknown User")
    return json_response(user.to_payload())


async def get_gateway(fake: FakeDiscord, req: RecordedRequest) -> web.Response:
    return json_response({"url": fake.gateway_url})


async def get_gateway_bot(fake: FakeDiscord, req: RecordedRequest) -> web.Response:
    return json_response(
        {
            "url": fake.gateway_url,
            "shards": 1,
            "session_start_limit": {
                "total": 1000,
                "remaining": 999,
                "reset_after": 14400000,
                "max_concurrency": 1,
            },
        }
    )


async def get_application(fake: FakeDiscord, req: RecordedRequest) -> web.Response:
    return json_response(
        p.application_info(
            application_id=fake.application_id,
            name=fake.bot_user.username,
            owner=fake.owner,
            bot=fake.bot_user,
            flags=fake.application_flags,
        )
    )


# -- channels and messages ---------------------------------------------------------


async def get_channel(fake: FakeDiscord, req: RecordedRequest) -> web.Response:
    return json_response(_channel(fake, req).to_payload())


async def create_dm(fake: FakeDiscord, req: RecordedRequest) -> web.Response:
    recipient_id = (req.json or {}).get("recipient_id")
    user = fake.users.get(_snowflake(str(recipient_id), UNKNOWN_USER, "User"))
    if user is None:
        raise RestError(404, UNKNOWN_USER, "Unknown User")
    return json_response(fake.create_dm_channel(user).to_payload())


async def get_messages(fake: FakeDiscord, req: RecordedRequest) -> web.Response:
    channel = _channel(fake, req)
    limit = int(req.query.get("limit", 50))
    before = int(req.query["before"]) if "before" in req.query else None
    after = int(req.query["after"]) if "after" in req.query else None
    history = [
        m
        for mid, m in sorted(fake.messages.items(), reverse=True)  # newest first, like Discord
        if m["channel_id"] == str(channel.id)
        and (before is None or mid < before)
        and (after is None or mid > after)
    ]
    return json_response(history[:limit])


async def get_message(fake: FakeDiscord, req: RecordedRequest) -> web.Response:
    return json_response(_channel_message(fake, req))


async def create_message(fake: FakeDiscord, req: RecordedRequest) -> web.Response:
    channel = _channel(fake, req)
    message = fake._create_message(channel, req.json or {}, req.files, author=fake.bot_user)
    await fake._announce("MESSAGE_CREATE", message)
    return json_response(message)


async def edit_message(fake: FakeDiscord, req: RecordedRequest) -> web.Response:
    message = fake._edit_message(_channel_message(fake, req), req.json or {}, req.files)
    await fake._announce("MESSAGE_UPDATE", message)
    return json_response(message)


async def delete_message(fake: FakeDiscord, req: RecordedRequest) -> web.Response:
    message = _channel_message(fake, req)
    del fake.messages[int(message["id"])]
    await fake._announce("MESSAGE_DELETE", message)
    return no_content()


async def trigger_typing(fake: FakeDiscord, req: RecordedRequest) -> web.Response:
    _channel(fake, req)
    return no_content()


async def reaction_no_content(fake: FakeDiscord, req: RecordedRequest) -> web.Response:
    _channel_message(fake, req)
    return no_content()


# -- guilds ------------------------------------------------------------------------


async def get_member(fake: FakeDiscord, req: RecordedRequest) -> web.Response:
    guild = fake.guilds.get(_snowflake(req.params["guild_id"], UNKNOWN_GUILD, "Guild"))
    if guild is None:
        raise RestError(404, UNKNOWN_GUILD, "Unknown Guild")
    member = guild.get_member(_snowflake(req.params["user_id"], UNKNOWN_MEMBER, "Member"))
    if member is None:
        raise RestError(404, UNKNOWN_MEMBER, "Unknown Member")
    return json_response(member.to_payload())


# -- interactions ----------------------------------------------------------------


def _interaction_for_callback(fake: FakeDiscord, req: RecordedRequest) -> InteractionRecord:
    record = fake.interactions.get(req.params["token"])
    if record is None or str(record.id) != req.params["interaction_id"]:
        raise RestError(404, UNKNOWN_INTERACTION, "Unknown interaction")
    return record


def _interaction_for_webhook(fake: FakeDiscord, req: RecordedRequest) -> InteractionRecord:
    record = fake.interactions.get(req.params["token"])
    if record is None or req.params["application_id"] != str(fake.application_id):
        raise RestError(404, UNKNOWN_WEBHOOK, "Unknown Webhook")
    return record


async def interaction_callback(fake: FakeDiscord, req: RecordedRequest) -> web.Response:
    record = _interaction_for_callback(fake, req)
    if record.acknowledged:
        raise RestError(400, INTERACTION_ALREADY_ACKNOWLEDGED, "Interaction has already been acknowledged.")
    deadline = fake.interaction_response_deadline
    if (
        deadline is not None
        and record.dispatched_at is not None
        and time.monotonic() - record.dispatched_at > deadline
    ):
        # Discord invalidates the token if the first response takes over 3 s.
        raise RestError(404, UNKNOWN_INTERACTION, "Unknown interaction")
    body = req.json or {}
    callback_type = body.get("type")
    data = body.get("data") or {}

    resource_message: JSON | None = None
    flags = data.get("flags", 0)
    if callback_type == p.CALLBACK_CHANNEL_MESSAGE:
        resource_message = fake._create_interaction_message(record, data, req.files)
    elif callback_type == p.CALLBACK_DEFERRED_CHANNEL_MESSAGE:
        # A "Bot is thinking..." placeholder that the first edit/followup replaces.
        loading = {"content": "", "flags": (flags & p.FLAG_EPHEMERAL) | p.FLAG_LOADING}
        resource_message = fake._create_interaction_message(record, loading, [])
    elif callback_type in (p.CALLBACK_UPDATE_MESSAGE, p.CALLBACK_DEFERRED_UPDATE_MESSAGE):
        source = record.payload.get("message")
        if source is not None:
            stored = fake.messages.get(int(source["id"]))
            if stored is not None:
                record.original_message_id = int(stored["id"])
                if callback_type == p.CALLBACK_UPDATE_MESSAGE:
                    resource_message = fake._edit_message(stored, data, req.files)
                    await fake._announce("MESSAGE_UPDATE", resource_message)
    if (
        callback_type in (p.CALLBACK_CHANNEL_MESSAGE, p.CALLBACK_DEFERRED_CHANNEL_MESSAGE)
        and resource_message
    ):
        await fake._announce("MESSAGE_CREATE", resource_message)
    # Recorded only once accepted, like Discord's acknowledgement.
    record.responses.append(body)
    fake._notify()

    if not _truthy(req.query.get("with_response")):
        return no_content()
    # discord.py 2.7.1 always sends ``with_response=1`` and parses this
    # InteractionCallbackResponse (``interaction`` is required).
    response: JSON = {
        "interaction": {
            "id": str(record.id),
            "type": record.payload["type"],
            "response_message_loading": callback_type == p.CALLBACK_DEFERRED_CHANNEL_MESSAGE,
            "response_message_ephemeral": bool(flags & p.FLAG_EPHEMERAL),
        }
    }
    if record.original_message_id is not None:
        response["interaction"]["response_message_id"] = str(record.original_message_id)
    if resource_message is not None:
        response["resource"] = {"type": callback_type, "message": resource_message}
    elif callback_type not in (
        p.CALLBACK_PONG,
        p.CALLBACK_AUTOCOMPLETE_RESULT,
        p.CALLBACK_DEFERRED_UPDATE_MESSAGE,
    ):
        response["resource"] = {"type": callback_type}
    return json_response(response)


def _webhook_message(fake: FakeDiscord, record: InteractionRecord, message_id: str) -> JSON:
    if message_id == "@original":
        mid = record.original_message_id
    else:
        mid = _snowflake(message_id, UNKNOWN_MESSAGE, "Message")
        if mid != record.original_message_id and all(f["id"] != str(mid) for f in record.followups):
            mid = None
    message = fake.messages.get(mid) if mid is not None else None
    if message is None:
        raise RestError(404, UNKNOWN_MESSAGE, "Unknown Message")
    return message


async def get_webhook_message(fake: FakeDiscord, req: RecordedRequest) -> web.Response:
    record = _interaction_for_webhook(fake, req)
    return json_response(_webhook_message(fake, record, req.params["message_id"]))


async def edit_webhook_message(fake: FakeDiscord, req: RecordedRequest) -> web.Response:
    record = _interaction_for_webhook(fake, req)
    message = _webhook_message(fake, record, req.params["message_id"])
    message = fake._edit_message(message, req.json or {}, req.files)
    await fake._announce("MESSAGE_UPDATE", message)
    return json_response(message)


async def delete_webhook_message(fake: FakeDiscord, req: RecordedRequest) -> web.Response:
    record = _interaction_for_webhook(fake, req)
    message = _webhook_message(fake, record, req.params["message_id"])
    del fake.messages[int(message["id"])]
    await fake._announce("MESSAGE_DELETE", message)
    return no_content()


async def execute_webhook(fake: FakeDiscord, req: RecordedRequest) -> web.Response:
    record = _interaction_for_webhook(fake, req)
    if not record.acknowledged:
        # Discord rejects follow-ups before the interaction was responded to.
        raise RestError(404, UNKNOWN_WEBHOOK, "Unknown Webhook")
    body = req.json or {}
    original = fake.messages.get(record.original_message_id) if record.original_message_id else None
    if original is not None and original["flags"] & p.FLAG_LOADING:
        # The first follow-up after a deferred response replaces the
        # "thinking" placeholder instead of creating a new message.
        message = fake._edit_message(original, body, req.files)
        await fake._announce("MESSAGE_UPDATE", message)
    else:
        message = fake._create_interaction_message(record, body, req.files, followup=True)
        record.followups.append(message)
        await fake._announce("MESSAGE_CREATE", message)
    fake._notify()
    if not _truthy(req.query.get("wait")):
        return no_content()
    return json_response(message)


# -- application commands --------------------------------------------------------------


def _check_application(fake: FakeDiscord, req: RecordedRequest) -> None:
    if req.params["application_id"] != str(fake.application_id):
        raise RestError(403, 50001, "Missing Access")


def _command_guild_id(fake: FakeDiscord, req: RecordedRequest) -> int | None:
    if "guild_id" not in req.params:
        return None
    guild_id = _snowflake(req.params["guild_id"], UNKNOWN_GUILD, "Guild")
    if guild_id not in fake.guilds:
        raise RestError(403, 50001, "Missing Access")
    return guild_id


async def get_commands(fake: FakeDiscord, req: RecordedRequest) -> web.Response:
    _check_application(fake, req)
    return json_response(fake.commands.get(_command_guild_id(fake, req), []))


async def bulk_overwrite_commands(fake: FakeDiscord, req: RecordedRequest) -> web.Response:
    _check_application(fake, req)
    guild_id = _command_guild_id(fake, req)
    previous = {(c["name"], c["type"]): c for c in fake.commands.get(guild_id, [])}
    stored = []
    for body in req.json or []:
        # Like Discord, keep the id of a command that already exists (same name and type).
        existing = previous.get((body["name"], body.get("type", 1)))
        command_id = int(existing["id"]) if existing else fake.new_id()
        stored.append(
            p.application_command(
                body,
                command_id=command_id,
                application_id=fake.application_id,
                version=fake.new_id(),
                guild_id=guild_id,
            )
        )
    fake.commands[guild_id] = stored
    return json_response(stored)


def _truthy(value: str | None) -> bool:
    return value is not None and value.lower() in ("1", "true")


def register_default_routes(router: Router) -> None:
    add = router.add
    add("GET", "/users/@me", get_current_user)
    add("GET", "/users/{user_id}", get_user)
    add("POST", "/users/@me/channels", create_dm)
    add("GET", "/gateway", get_gateway, auth=False)
    add("GET", "/gateway/bot", get_gateway_bot)
    add("GET", "/applications/@me", get_application)
    add("GET", "/oauth2/applications/@me", get_application)

    add("GET", "/channels/{channel_id}", get_channel)
    add("POST", "/channels/{channel_id}/typing", trigger_typing)
    add("GET", "/channels/{channel_id}/messages", get_messages)
    add("POST", "/channels/{channel_id}/messages", create_message)
    add("GET", "/channels/{channel_id}/messages/{message_id}", get_message)
    add("PATCH", "/channels/{channel_id}/messages/{message_id}", edit_message)
    add("DELETE", "/channels/{channel_id}/messages/{message_id}", delete_message)
    add("PUT", "/channels/{channel_id}/messages/{message_id}/reactions/{emoji}/@me", reaction_no_content)
    add("DELETE", "/channels/{channel_id}/messages/{message_id}/reactions/{emoji}/@me", reaction_no_content)

    add("GET", "/guilds/{guild_id}/members/{user_id}", get_member)

    add("POST", "/interactions/{interaction_id}/{token}/callback", interaction_callback, auth=False)
    add("POST", "/webhooks/{application_id}/{token}", execute_webhook, auth=False)
    add("GET", "/webhooks/{application_id}/{token}/messages/{message_id}", get_webhook_message, auth=False)
    add("PATCH", "/webhooks/{application_id}/{token}/messages/{message_id}", edit_webhook_message, auth=False)
    add(
        "DELETE",
        "/webhooks/{application_id}/{token}/messages/{message_id}",
        delete_webhook_message,
        auth=False,
    )

    for prefix in ("/applications/{application_id}", "/applications/{application_id}/guilds/{guild_id}"):
        add("GET", prefix + "/commands", get_commands)
        add("PUT", prefix + "/commands", bulk_overwrite_commands)
