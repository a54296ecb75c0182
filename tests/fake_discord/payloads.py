"""Pure builders for Discord JSON payloads (messages, interactions, commands...).

Nothing here touches server state: callers pass in everything needed. The
shapes follow what discord.py 2.7.1 parses; keys it reads with ``data[...]``
(rather than ``data.get``) are the ones that must never be missing, e.g.
``Message.mentions`` is only set when ``mentions`` is present and
``Interaction`` needs ``attachment_size_limit``, ``version`` and ``token``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from .models import JSON, FakeGuild, FakeUser, iso_now

# Message types.
MESSAGE_DEFAULT = 0
MESSAGE_REPLY = 19
MESSAGE_CHAT_INPUT_COMMAND = 20

# Interaction types.
INTERACTION_PING = 1
INTERACTION_APPLICATION_COMMAND = 2
INTERACTION_MESSAGE_COMPONENT = 3
INTERACTION_AUTOCOMPLETE = 4
INTERACTION_MODAL_SUBMIT = 5

# Interaction callback (response) types.
CALLBACK_PONG = 1
CALLBACK_CHANNEL_MESSAGE = 4
CALLBACK_DEFERRED_CHANNEL_MESSAGE = 5
CALLBACK_DEFERRED_UPDATE_MESSAGE = 6
CALLBACK_UPDATE_MESSAGE = 7
CALLBACK_AUTOCOMPLETE_RESULT = 8
CALLBACK_MODAL = 9

# Message flags.
FLAG_EPHEMERAL = 1 << 6
FLAG_LOADING = 1 << 7

# Application command option types, used to infer types from Python values.
OPTION_STRING = 3
OPTION_INTEGER = 4
OPTION_BOOLEAN = 5
OPTION_NUMBER = 10

# 10 MiB, the default attachment limit Discord reports in interactions.
DEFAULT_ATTACHMENT_SIZE_LIMIT = 10 * 1024 * 1024

_USER_MENTION = re.compile(r"<@!?(\d+)>")
_ROLE_MENTION = re.compile(r"<@&(\d+)>")


def error_body(code: int, message: str) -> JSON:
    """Discord's JSON error shape (``{"message", "code"}``)."""
    return {"message": message, "code": code}


def user_mention_ids(content: str) -> list[int]:
    return [int(m) for m in _USER_MENTION.findall(content)]


def role_mention_ids(content: str) -> list[int]:
    return [int(m) for m in _ROLE_MENTION.findall(content)]


def mention_payload(user: FakeUser, guild: FakeGuild | None) -> JSON:
    """A ``mentions`` entry: the user, plus a partial ``member`` in guilds."""
    payload = user.to_payload()
    member = guild.get_member(user.id) if guild else None
    if member is not None:
        payload["member"] = member.to_payload(with_user=False)
    return payload


def message(
    *,
    message_id: int,
    channel_id: int,
    author: FakeUser,
    content: str = "",
    guild: FakeGuild | None = None,
    mentions: Iterable[FakeUser] = (),
    mention_roles: Iterable[int] = (),
    mention_everyone: bool = False,
    embeds: Sequence[JSON] = (),
    attachments: Sequence[JSON] = (),
    components: Sequence[JSON] = (),
    flags: int = 0,
    tts: bool = False,
    message_type: int | None = None,
    message_reference: JSON | None = None,
    referenced_message: JSON | None = None,
    nonce: int | str | None = None,
    webhook_id: int | None = None,
    application_id: int | None = None,
    interaction_metadata: JSON | None = None,
    include_member: bool = True,
) -> JSON:
    """A full message object.

    ``include_member`` adds the author's partial ``member`` and ``guild_id``,
    which Discord sends on the gateway for guild messages (REST responses omit them).
    """
    if message_type is None:
        message_type = MESSAGE_REPLY if message_reference else MESSAGE_DEFAULT
    payload: JSON = {
        "id": str(message_id),
        "channel_id": str(channel_id),
        "author": author.to_payload(),
        "content": content,
        "timestamp": iso_now(),
        "edited_timestamp": None,
        "tts": tts,
        "mention_everyone": mention_everyone,
        "mentions": [mention_payload(u, guild) for u in mentions],
        "mention_roles": [str(r) for r in mention_roles],
        "attachments": list(attachments),
        "embeds": list(embeds),
        "components": list(components),
        "pinned": False,
        "type": message_type,
        "flags": flags,
    }
    if nonce is not None:
        payload["nonce"] = nonce
    if webhook_id is not None:
        payload["webhook_id"] = str(webhook_id)
    if application_id is not None:
        payload["application_id"] = str(application_id)
    if message_reference is not None:
        payload["message_reference"] = message_reference
        # Discord sends ``referenced_message: null`` when it could not resolve it.
        payload["referenced_message"] = referenced_message
    if interaction_metadata is not None:
        payload["interaction_metadata"] = interaction_metadata
    if guild is not None and include_member:
        payload["guild_id"] = str(guild.id)
        member = guild.get_member(author.id)
        if member is not None and webhook_id is None:
            payload["member"] = member.to_payload(with_user=False)
    return payload


def message_reference(message_id: int, channel_id: int, guild_id: int | None) -> JSON:
    ref: JSON = {"type": 0, "message_id": str(message_id), "channel_id": str(channel_id)}
    if guild_id is not None:
        ref["guild_id"] = str(guild_id)
    return ref


def attachment(
    attachment_id: int, filename: str, size: int, base_url: str, description: str | None = None
) -> JSON:
    url = f"{base_url}/attachments/{attachment_id}/{filename}"
    payload: JSON = {
        "id": str(attachment_id),
        "filename": filename,
        "size": size,
        "url": url,
        "proxy_url": url,
        "content_type": "application/octet-stream",
        "flags": 0,
    }
    if description is not None:
        payload["description"] = description
    return payload


def command_options(
    options: Mapping[str, Any] | Sequence[JSON] | None, focused: str | None = None
) -> list[JSON]:
    """Normalise interaction options.

    Accepts raw option dicts (passed through) or a ``{name: value}`` mapping
    whose option types are inferred from the Python values. ``focused`` marks
    the option being typed in an autocomplete interaction.
    """
    if options is None:
        return []
    if isinstance(options, Mapping):
        result = [
            {"name": name, "type": _option_type(value), "value": value} for name, value in options.items()
        ]
    else:
        result = [dict(o) for o in options]
    if focused is not None:
        for option in result:
            if option["name"] == focused:
                option["focused"] = True
                break
        else:
            raise ValueError(f"focused option {focused!r} is not among the options")
    return result


def _option_type(value: Any) -> int:
    # bool first: it is a subclass of int.
    if isinstance(value, bool):
        return OPTION_BOOLEAN
    if isinstance(value, int):
        return OPTION_INTEGER
    if isinstance(value, float):
        return OPTION_NUMBER
    return OPTION_STRING


def interaction(
    *,
    interaction_id: int,
    interaction_type: int,
    application_id: int,
    token: str,
    user: FakeUser,
    channel: JSON,
    data: JSON | None,
    guild: FakeGuild | None,
    app_permissions: int,
    message: JSON | None = None,
    locale: str = "en-US",
) -> JSON:
    """An INTERACTION_CREATE payload, guild (``member``) or DM (``user``) flavour."""
    payload: JSON = {
        "id": str(interaction_id),
        "application_id": str(application_id),
        "type": interaction_type,
        "token": token,
        "version": 1,
        "channel_id": channel["id"],
        "channel": channel,
        "locale": locale,
        "app_permissions": str(app_permissions),
        "entitlements": [],
        "entitlement_sku_ids": [],
        "attachment_size_limit": DEFAULT_ATTACHMENT_SIZE_LIMIT,
    }
    if data is not None:
        payload["data"] = data
    if message is not None:
        payload["message"] = message
    if guild is not None:
        member = guild.get_member(user.id)
        if member is None:
            raise ValueError(f"user {user.id} is not a member of guild {guild.id}")
        payload.update(
            {
                "guild_id": str(guild.id),
                "guild": {"id": str(guild.id), "locale": "en-US", "features": []},
                "guild_locale": "en-US",
                "member": {**member.to_payload(), "permissions": str(guild.permissions_for(user.id))},
                # Key "0" = guild install, valued with the guild id.
                "authorizing_integration_owners": {"0": str(guild.id)},
                "context": 0,
            }
        )
    else:
        payload.update(
            {
                "user": user.to_payload(),
                # Key "0" = guild install; "0" as the value means "used in the bot's DM".
                "authorizing_integration_owners": {"0": "0"},
                "context": 1,
            }
        )
    return payload


def interaction_metadata(interaction_payload: JSON) -> JSON:
    """``interaction_metadata`` attached to messages created by an interaction response."""
    user = interaction_payload.get("member", {}).get("user") or interaction_payload["user"]
    metadata: JSON = {
        "id": interaction_payload["id"],
        "type": interaction_payload["type"],
        "user": user,
        "authorizing_integration_owners": interaction_payload["authorizing_integration_owners"],
    }
    if interaction_payload.get("message") is not None:
        metadata["interacted_message_id"] = interaction_payload["message"]["id"]
    return metadata


def application_command(
    body: JSON, *, command_id: int, application_id: int, version: int, guild_id: int | None
) -> JSON:
    """Echo a command from a bulk-overwrite body the way Discord stores it."""
    command_type = body.get("type", 1)
    payload: JSON = {
        "id": str(command_id),
        "application_id": str(application_id),
        "version": str(version),
        "type": command_type,
        "name": body["name"],
        "name_localizations": body.get("name_localizations"),
        "description": body.get("description", ""),
        "description_localizations": body.get("description_localizations"),
        "default_member_permissions": body.get("default_member_permissions"),
        "nsfw": body.get("nsfw", False),
        "contexts": body.get("contexts"),
        "integration_types": body.get("integration_types", [0]),
    }
    if command_type == 1:
        payload["options"] = body.get("options", [])
    if guild_id is not None:
        payload["guild_id"] = str(guild_id)
    else:
        payload["dm_permission"] = body.get("dm_permission", True)
    return payload


def application_info(*, application_id: int, name: str, owner: FakeUser, bot: FakeUser, flags: int) -> JSON:
    """``GET /applications/@me``; discord.py's AppInfo indexes every key used here."""
    return {
        "id": str(application_id),
        "name": name,
        "icon": None,
        "description": "A fake application for end-to-end tests.",
        "summary": "",
        "type": None,
        "hook": True,
        "bot_public": True,
        "bot_require_code_grant": False,
        "verify_key": "0" * 64,
        "owner": owner.to_payload(),
        "team": None,
        "flags": flags,
        "bot": bot.to_payload(),
        "rpc_origins": [],
        "tags": [],
        "redirect_uris": [],
        "interactions_endpoint_url": None,
        "approximate_guild_count": 1,
        "integration_types_config": {"0": {}},
    }
