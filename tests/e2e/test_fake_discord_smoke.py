"""Smoke tests: the real discord.py client, end to end, against ``tests.fake_discord``.

They prove the fake is faithful enough for discord.py 2.7.1 to log in, fill
its caches, receive dispatches, answer over REST and interactions, survive a
gateway drop (RESUME) and handle rate limits and server errors, while any
exception discord.py swallows (it only logs them) fails the test.

Run from the repository root: ``python -m pytest tests/e2e/test_fake_discord_smoke.py``.
"""

from __future__ import annotations

import asyncio

import discord
import pytest
from discord import app_commands
from discord.ext import commands

from tests.fake_discord import (
    DiscordErrorLog,
    FakeDiscord,
    fast_http_retries,
    running_client,
)

pytestmark = pytest.mark.asyncio

# Generous per-step timeout; every step normally takes milliseconds.
STEP = 2.0


# The ``fake`` fixture and the autouse ``discord_errors`` check (a test fails when
# discord.py or the fake logged an error) come from tests/e2e/conftest.py.


class ReplyClient(discord.Client):
    """Answers mentions in guilds (a reply that pings nobody) and every DM."""

    def __init__(self) -> None:
        # guild_ready_timeout: on_ready fires this long after the last GUILD_CREATE.
        super().__init__(intents=discord.Intents.default(), guild_ready_timeout=0.1)
        self.received: asyncio.Queue[discord.Message] = asyncio.Queue()

    async def on_message(self, message: discord.Message) -> None:
        if message.author == self.user:
            return  # Discord echoes the bot's own messages back; so does the fake.
        await self.received.put(message)
        if message.guild is None:
            await message.author.send(f"got your DM: {message.content}")
        elif self.user in message.mentions:
            await message.channel.send(
                "pong", allowed_mentions=discord.AllowedMentions.none(), reference=message
            )


class ConfirmView(discord.ui.View):
    def __init__(self) -> None:
        super().__init__(timeout=30)
        self.clicked_by: asyncio.Future[int] = asyncio.get_running_loop().create_future()

    @discord.ui.button(label="OK", custom_id="smoke:ok", style=discord.ButtonStyle.primary)
    async def ok(self, interaction: discord.Interaction, button: discord.ui.Button[ConfirmView]) -> None:
        await interaction.response.edit_message(content="clicked", view=None)
        self.clicked_by.set_result(interaction.user.id)


def make_bot() -> commands.Bot:
    bot = commands.Bot(command_prefix="!", intents=discord.Intents.default(), guild_ready_timeout=0.1)

    @bot.tree.command(name="echo", description="Echo text back")
    @app_commands.describe(text="What to echo")
    async def echo(interaction: discord.Interaction, text: str) -> None:
        await interaction.response.send_message(f"echo: {text}")
        await interaction.followup.send("and a follow-up", ephemeral=True)

    @echo.autocomplete("text")
    async def echo_autocomplete(
        interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        return [
            app_commands.Choice(name=word, value=word)
            for word in ("alpha", "beta", "gamma")
            if word.startswith(current)
        ]

    return bot


async def test_login_identifies_with_intents_and_fills_guild_cache(fake: FakeDiscord) -> None:
    client = discord.Client(intents=discord.Intents.default(), guild_ready_timeout=0.1)
    async with running_client(client, fake):
        identify = await fake.wait_for_identify()
        assert identify["token"] == "fake-token"
        assert identify["intents"] == discord.Intents.default().value

        login = await fake.wait_for_request("GET", "/users/@me")
        assert login.headers["Authorization"] == "Bot fake-token"
        assert client.user is not None and client.user.id == fake.bot_user.id
        assert client.application_id == fake.application_id

        guild = client.get_guild(fake.guild.id)
        assert guild is not None and guild.name == "Fake Guild"
        assert guild.owner_id == fake.user.id
        assert guild.me is not None and guild.me.bot
        assert guild.member_count == 2
        # Without the GUILD_MEMBERS intent only the bot's own member is sent/cached.
        assert guild.get_member(fake.user.id) is None
        channel = client.get_channel(fake.channel.id)
        assert isinstance(channel, discord.TextChannel) and channel.guild == guild


async def test_mention_gets_a_reply_that_pings_nobody(fake: FakeDiscord) -> None:
    client = ReplyClient()
    async with running_client(client, fake):
        sent_at = len(fake.requests)
        mention = fake.message_create(fake.channel, fake.user, f"{fake.bot_user.mention} ping")
        await fake.dispatch("MESSAGE_CREATE", mention)

        received = await asyncio.wait_for(client.received.get(), STEP)
        assert received.id == int(mention["id"])
        assert received.content.endswith("ping")
        assert isinstance(received.author, discord.Member)

        reply = await fake.wait_for_request("POST", f"/channels/{fake.channel.id}/messages", after=sent_at)
        assert reply.status == 200
        assert reply.json["content"] == "pong"
        assert reply.json["allowed_mentions"]["parse"] == []
        assert not reply.json["allowed_mentions"].get("replied_user")
        assert int(reply.json["message_reference"]["message_id"]) == received.id
        # The fake applies allowed_mentions like Discord: the reply pings nobody.
        assert reply.response_json["mentions"] == []
        assert reply.response_json["type"] == 19  # REPLY


async def test_guild_message_content_is_empty_without_message_content_intent(fake: FakeDiscord) -> None:
    # Intents.default() lacks the privileged MESSAGE_CONTENT intent; like
    # Discord, the fake only delivers content for mentions, DMs and own messages.
    client = ReplyClient()
    async with running_client(client, fake):
        await fake.dispatch("MESSAGE_CREATE", fake.message_create(fake.channel, fake.user, "no mention here"))
        received = await asyncio.wait_for(client.received.get(), STEP)
        assert received.content == ""


async def test_direct_message_is_answered(fake: FakeDiscord) -> None:
    client = ReplyClient()
    async with running_client(client, fake):
        dm = fake.create_dm_channel(fake.user)
        await fake.dispatch("MESSAGE_CREATE", fake.message_create(dm, fake.user, "hello bot"))

        received = await asyncio.wait_for(client.received.get(), STEP)
        assert received.guild is None and received.content == "hello bot"

        # author.send() opens the DM channel over REST, then posts to it.
        opened = await fake.wait_for_request("POST", "/users/@me/channels")
        assert int(opened.json["recipient_id"]) == fake.user.id
        answer = await fake.wait_for_request("POST", f"/channels/{dm.id}/messages")
        assert answer.json["content"] == "got your DM: hello bot"


async def test_slash_command_is_answered_through_the_callback(fake: FakeDiscord) -> None:
    bot = make_bot()
    async with running_client(bot, fake):
        synced = await bot.tree.sync()
        assert [c.name for c in synced] == ["echo"]
        assert fake.find_command("echo") is not None

        interaction = fake.command_interaction("echo", {"text": "hello"})
        await fake.dispatch("INTERACTION_CREATE", interaction)

        response = await fake.wait_for_interaction_response(interaction, timeout=STEP)
        assert response["type"] == 4  # CHANNEL_MESSAGE_WITH_SOURCE
        assert response["data"]["content"] == "echo: hello"

        followup = await fake.wait_for_request(
            "POST", f"/webhooks/{fake.application_id}/{interaction['token']}"
        )
        assert followup.status == 200
        assert followup.json["content"] == "and a follow-up"
        assert followup.json["flags"] & 64  # ephemeral


async def test_autocomplete_returns_choices(fake: FakeDiscord) -> None:
    bot = make_bot()
    async with running_client(bot, fake):
        interaction = fake.autocomplete_interaction("echo", {"text": "a"}, focused="text")
        await fake.dispatch("INTERACTION_CREATE", interaction)

        response = await fake.wait_for_interaction_response(interaction, timeout=STEP)
        assert response["type"] == 8  # APPLICATION_COMMAND_AUTOCOMPLETE_RESULT
        assert response["data"]["choices"] == [{"name": "alpha", "value": "alpha"}]


async def test_button_click_reaches_the_view_callback(fake: FakeDiscord) -> None:
    bot = make_bot()
    async with running_client(bot, fake):
        channel = bot.get_channel(fake.channel.id)
        assert isinstance(channel, discord.TextChannel)
        view = ConfirmView()
        sent = await channel.send("Press the button", view=view)
        assert fake.messages[sent.id]["components"][0]["components"][0]["custom_id"] == "smoke:ok"

        interaction = fake.component_interaction(sent.id, "smoke:ok")
        await fake.dispatch("INTERACTION_CREATE", interaction)

        assert await asyncio.wait_for(view.clicked_by, STEP) == fake.user.id
        response = await fake.wait_for_interaction_response(interaction, timeout=STEP)
        assert response["type"] == 7  # UPDATE_MESSAGE
        assert fake.messages[sent.id]["content"] == "clicked"
        assert fake.messages[sent.id]["components"] == []


async def test_dropped_gateway_resumes_and_delivers_each_event_once(fake: FakeDiscord) -> None:
    client = ReplyClient()
    async with running_client(client, fake):
        session = await fake.wait_for_ready()
        frames_before = len(fake.gateway_received)
        dm = fake.create_dm_channel(fake.user)

        await fake.drop_gateway(code=4000)
        # Sent while disconnected: buffered, then replayed after RESUME.
        await fake.dispatch("MESSAGE_CREATE", fake.message_create(dm, fake.user, "while down"))

        resume = await fake.wait_for_resume(after=frames_before, timeout=STEP)
        assert resume["session_id"] == session.session_id
        assert resume["token"] == "fake-token"
        # The client reconnected to READY's resume_gateway_url and did not re-IDENTIFY.
        assert fake.gateway.connections[-1].path == "/resume"
        assert len(fake.identify_payloads) == 1

        await fake.dispatch("MESSAGE_CREATE", fake.message_create(dm, fake.user, "after resume"))

        contents = [(await asyncio.wait_for(client.received.get(), STEP)).content for _ in range(2)]
        assert contents == ["while down", "after resume"]
        await asyncio.sleep(0.1)  # leave room for a duplicate to show up
        assert client.received.empty()
        assert session.resumes == 1


async def test_rate_limited_send_is_retried(fake: FakeDiscord) -> None:
    client = discord.Client(intents=discord.Intents.default(), guild_ready_timeout=0.1)
    async with running_client(client, fake):
        path = f"/channels/{fake.channel.id}/messages"
        fake.rate_limit_next("POST", path, retry_after=0.05)
        channel = client.get_channel(fake.channel.id)
        assert isinstance(channel, discord.TextChannel)

        sent = await asyncio.wait_for(channel.send("eventually"), STEP)

        attempts = [r for r in fake.requests if r.method == "POST" and r.path == path]
        assert [r.status for r in attempts] == [429, 200]
        assert attempts[0].headers.get("Authorization") == attempts[1].headers.get("Authorization")
        assert sent.id == int(attempts[1].response_json["id"])


async def test_server_error_is_retried_then_succeeds(fake: FakeDiscord) -> None:
    client = discord.Client(intents=discord.Intents.default(), guild_ready_timeout=0.1)
    async with running_client(client, fake):
        path = f"/channels/{fake.channel.id}/messages"
        fake.fail_next("POST", path, status=500)
        channel = client.get_channel(fake.channel.id)
        assert isinstance(channel, discord.TextChannel)

        with fast_http_retries():  # discord.py would sleep 1 s before retrying
            await asyncio.wait_for(channel.send("second time lucky"), STEP)

        assert [r.status for r in fake.requests if r.path == path] == [500, 200]


async def test_persistent_server_error_raises_after_five_attempts(fake: FakeDiscord) -> None:
    client = discord.Client(intents=discord.Intents.default(), guild_ready_timeout=0.1)
    async with running_client(client, fake):
        path = f"/channels/{fake.channel.id}/messages"
        fake.fail_next("POST", path, status=500, times=10)
        channel = client.get_channel(fake.channel.id)
        assert isinstance(channel, discord.TextChannel)

        # discord.py 2.7.1: 5 attempts with 1+2n s back-off, then DiscordServerError.
        with fast_http_retries(), pytest.raises(discord.DiscordServerError) as raised:
            await asyncio.wait_for(channel.send("never"), STEP)

        assert raised.value.status == 500
        assert len([r for r in fake.requests if r.path == path]) == 5


async def test_unknown_route_is_a_recorded_discord_404(fake: FakeDiscord) -> None:
    client = discord.Client(intents=discord.Intents.default(), guild_ready_timeout=0.1)
    async with running_client(client, fake):
        with pytest.raises(discord.NotFound) as raised:
            await client.http.request(discord.http.Route("GET", "/not/a/route"))

        assert raised.value.text == "404: Not Found"
        assert [str(r) for r in fake.unknown_requests] == ["GET /not/a/route -> 404"]


async def test_error_guard_catches_exceptions_discord_swallows(
    fake: FakeDiscord, discord_errors: DiscordErrorLog
) -> None:
    client = discord.Client(intents=discord.Intents.default(), guild_ready_timeout=0.1)

    @client.event
    async def on_message(message: discord.Message) -> None:
        raise RuntimeError("handler bug")

    async with running_client(client, fake):
        await fake.dispatch("MESSAGE_CREATE", fake.message_create(fake.channel, fake.user, "boom"))
        for _ in range(int(STEP / 0.01)):
            if discord_errors.records:
                break
            await asyncio.sleep(0.01)

    assert "Ignoring exception in on_message" in discord_errors.format_errors()
    assert "handler bug" in discord_errors.format_errors()
    discord_errors.clear()  # expected here; any other test would fail at teardown
