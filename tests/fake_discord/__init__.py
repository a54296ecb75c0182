"""A fake Discord (REST + gateway) for end-to-end tests of real discord.py clients.

Typical use (see ``tests/e2e/test_fake_discord_smoke.py``)::

    async with fake_discord_server() as fake:
        async with running_client(discord.Client(intents=..., guild_ready_timeout=0.1), fake) as client:
            await fake.dispatch("MESSAGE_CREATE", fake.message_create(fake.channel, fake.user, "hi"))
            request = await fake.wait_for_request("POST", f"/channels/{fake.channel.id}/messages")

Modules: ``server`` (FakeDiscord, patch_discord), ``gateway``, ``rest``,
``payloads`` (pure JSON builders), ``models`` (world dataclasses),
``ratelimits`` (Discord's REST rate limits, enforced by default: headers on every
answer, 429 when exceeded), ``faults``, ``recording`` and ``fixtures`` (test helpers).
"""

from .fixtures import (
    DiscordErrorLog,
    capture_discord_errors,
    fake_discord_server,
    fast_http_retries,
    running_client,
)
from .gateway import GatewaySession
from .models import FakeChannel, FakeGuild, FakeMember, FakeRole, FakeUser
from .ratelimits import Limit, RateLimits
from .recording import InteractionRecord, RecordedRequest, UploadedFile
from .responses import RestError, discord_error, json_response, no_content
from .server import DiscordPatch, FakeDiscord, patch_discord

__all__ = [
    "DiscordErrorLog",
    "DiscordPatch",
    "FakeChannel",
    "FakeDiscord",
    "FakeGuild",
    "FakeMember",
    "FakeRole",
    "FakeUser",
    "GatewaySession",
    "InteractionRecord",
    "Limit",
    "RateLimits",
    "RecordedRequest",
    "RestError",
    "UploadedFile",
    "capture_discord_errors",
    "discord_error",
    "fake_discord_server",
    "fast_http_retries",
    "json_response",
    "no_content",
    "patch_discord",
    "running_client",
]
