"""End-to-end tests of the FOC bot (``bot.client.FOCBot``) against ``tests.fake_discord``.

The real discord.py client, with the project's real ``config.yaml`` and knowledge,
logs in to the fake, receives gateway events and answers over REST; the tests
assert on the REST requests (bodies) it made. Fixtures are in ``conftest.py``.

Run: ``PYTHONPATH=. python -m pytest -q tests/e2e``.
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from typing import Any

import discord
import pytest

from bot.client import FOCBot
from bot.config import Config
from bot.engine.engine import Engine
from bot.engine.matcher import Matcher
from bot.engine.train import with_documents
from tests.fake_discord import (
    DiscordErrorLog,
    FakeDiscord,
    RecordedRequest,
    fast_http_retries,
    running_client,
)

from .conftest import StartBot

pytestmark = pytest.mark.asyncio

# Generous per-step timeout; every step normally takes milliseconds.
STEP = 2.0
# How long "nothing happens" is watched for.
QUIET = 0.3

EPHEMERAL = 64
MESSAGE_WITH_SOURCE = 4
AUTOCOMPLETE_RESULT = 8


# -- helpers ------------------------------------------------------------------------------


def channel_posts(fake: FakeDiscord, channel_id: int, after: int = 0) -> list[RecordedRequest]:
    path = f"/channels/{channel_id}/messages"
    return [r for r in fake.requests[after:] if r.method == "POST" and r.path == path and r.status == 200]


async def mention(fake: FakeDiscord, text: str, *, author: Any = None, channel: Any = None) -> dict[str, Any]:
    """Dispatch '<@bot> text' in the guild channel; returns the MESSAGE_CREATE payload."""
    payload = fake.message_create(
        channel or fake.channel, author or fake.user, f"{fake.bot_user.mention} {text}"
    )
    await fake.dispatch("MESSAGE_CREATE", payload)
    return payload


async def reply_to(fake: FakeDiscord, question: dict[str, Any], after: int) -> RecordedRequest:
    """The bot's POST answering the message ``question``."""
    return await fake.wait_for_request(
        "POST",
        f"/channels/{question['channel_id']}/messages",
        where=lambda r: (
            r.status == 200
            and str((r.json or {}).get("message_reference", {}).get("message_id")) == str(question["id"])
        ),
        after=after,
        timeout=STEP,
    )


async def slash(
    fake: FakeDiscord, name: str, options: dict[str, Any] | None = None, **kw: Any
) -> dict[str, Any]:
    """Dispatch a slash command and return the bot's callback body."""
    interaction = fake.command_interaction(name, options or {}, **kw)
    await fake.dispatch("INTERACTION_CREATE", interaction)
    return await fake.wait_for_interaction_response(interaction, timeout=STEP)


def embed_text(embed: dict[str, Any]) -> str:
    parts = [embed.get("title", ""), embed.get("description", "")]
    for f in embed.get("fields", []):
        parts += [f["name"], f["value"]]
    parts.append(embed.get("footer", {}).get("text", ""))
    return "\n".join(parts)


def field(embed: dict[str, Any], name: str) -> str:
    values = [f["value"] for f in embed.get("fields", []) if f["name"] == name]
    assert values, f"no field {name!r} in {embed}"
    return values[0]


def custom_ids(components: list[dict[str, Any]]) -> list[str]:
    return [c["custom_id"] for row in components for c in row.get("components", []) if "custom_id" in c]


async def no_post(fake: FakeDiscord, after: int) -> None:
    await asyncio.sleep(QUIET)
    posts = [r for r in fake.requests[after:] if r.method == "POST"]
    assert posts == [], [str(r) for r in posts]


# -- 1. login ---------------------------------------------------------------------------------


async def test_login_identifies_with_default_intents_only(fake: FakeDiscord, bot: FOCBot) -> None:
    identify = await fake.wait_for_identify()
    assert identify["intents"] == discord.Intents.default().value
    assert not discord.Intents._from_value(identify["intents"]).message_content
    assert identify["token"] == "fake-token"
    assert bot.user is not None and bot.user.id == fake.bot_user.id
    # setup_hook loaded every extension; the guild sync registered the slash commands.
    assert {c["name"] for c in fake.commands[fake.guild.id]} >= {"ask", "help", "member", "source", "facts"}


# -- 2-4. messages -----------------------------------------------------------------------------


async def test_mention_is_answered_with_sourced_embed_that_pings_nobody(
    fake: FakeDiscord, bot: FOCBot
) -> None:
    before = len(fake.requests)
    question = await mention(fake, "Which country became the 38th member of the FOC?")

    reply = await reply_to(fake, question, before)
    body = reply.json
    [embed] = body["embeds"]
    assert "38" in embed["description"]
    assert "paragraph" in field(embed, "Source")
    assert int(body["message_reference"]["message_id"]) == int(question["id"])
    assert body["allowed_mentions"]["parse"] == []
    assert body["allowed_mentions"].get("replied_user") is False
    assert reply.response_json["mentions"] == []


async def test_direct_message_is_answered(fake: FakeDiscord, bot: FOCBot) -> None:
    dm = fake.create_dm_channel(fake.user)
    before = len(fake.requests)
    question = fake.message_create(dm, fake.user, "Who is Park Jin?")
    assert question.get("guild_id") is None
    await fake.dispatch("MESSAGE_CREATE", question)

    reply = await fake.wait_for_request("POST", f"/channels/{dm.id}/messages", after=before, timeout=STEP)
    [embed] = reply.json["embeds"]
    assert "Minister of Foreign Affairs" in embed["description"]
    assert reply.json["allowed_mentions"]["parse"] == []


async def test_guild_chatter_without_mention_is_ignored(fake: FakeDiscord, bot: FOCBot) -> None:
    before = len(fake.requests)
    await fake.dispatch(
        "MESSAGE_CREATE",
        fake.message_create(fake.channel, fake.user, "Which country became the 38th member?"),
    )
    await no_post(fake, before)


async def test_message_from_another_bot_is_ignored(fake: FakeDiscord, bot: FOCBot) -> None:
    other = fake.create_user("other-bot", bot=True)
    fake.add_member(fake.guild, other)
    before = len(fake.requests)
    await mention(fake, "Who is Park Jin?", author=other)
    await no_post(fake, before)


async def test_mention_question_gets_no_command_apology(
    fake: FakeDiscord, bot: FOCBot, caplog: pytest.LogCaptureFixture
) -> None:
    before = len(fake.requests)
    with caplog.at_level(logging.ERROR, logger="bot"):
        q = await mention(fake, "Which country became the 38th member of the FOC?")
        await reply_to(fake, q, before)
        await asyncio.sleep(QUIET)
    posts = [r for r in fake.requests[before:] if r.method == "POST"]
    assert [p.json.get("content") for p in posts] == [None], "expected only the answer embed"
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


# -- 5-7. /ask -----------------------------------------------------------------------------------


async def test_ask_answers_through_the_interaction_callback(fake: FakeDiscord, bot: FOCBot) -> None:
    response = await slash(fake, "ask", {"question": "Who is Park Jin?"})
    assert response["type"] == MESSAGE_WITH_SOURCE
    [embed] = response["data"]["embeds"]
    assert "Minister of Foreign Affairs" in embed["description"]
    assert "paragraph" in field(embed, "Source")
    assert not response["data"].get("flags", 0) & EPHEMERAL
    assert response["data"]["allowed_mentions"]["parse"] == []


async def test_ask_autocomplete_offers_at_most_25_choices(fake: FakeDiscord, bot: FOCBot) -> None:
    interaction = fake.autocomplete_interaction("ask", {"question": ""}, focused="question")
    await fake.dispatch("INTERACTION_CREATE", interaction)
    response = await fake.wait_for_interaction_response(interaction, timeout=STEP)
    assert response["type"] == AUTOCOMPLETE_RESULT
    choices = response["data"]["choices"]
    assert 0 < len(choices) <= 25
    assert all(len(c["name"]) <= 100 and c["name"] == c["value"] for c in choices)

    interaction = fake.autocomplete_interaction("ask", {"question": "38th"}, focused="question")
    await fake.dispatch("INTERACTION_CREATE", interaction)
    response = await fake.wait_for_interaction_response(interaction, timeout=STEP)
    assert response["type"] == AUTOCOMPLETE_RESULT
    assert len(response["data"]["choices"]) <= 25


async def test_ask_out_of_scope_says_i_dont_know(fake: FakeDiscord, bot: FOCBot) -> None:
    response = await slash(fake, "ask", {"question": "What's the best pizza topping?"})
    assert response["type"] == MESSAGE_WITH_SOURCE
    [embed] = response["data"]["embeds"]
    assert "I don't know" in embed["description"]
    assert custom_ids(response["data"].get("components", [])) == []


SUGGESTION_CANDIDATES = (
    "Tell me about Korea's digital plans budget",
    "What is the budget of Korea's digital plans?",
    "Korea digital plans funding",
    "digital strategy budget",
    "Park Jin birthday",
)


async def test_ask_abstention_offers_suggestion_buttons_that_answer_when_clicked(
    fake: FakeDiscord, bot: FOCBot
) -> None:
    question = next(
        (q for q in SUGGESTION_CANDIDATES if (a := bot.engine.ask(q)) and not a.answered and a.suggestions),
        None,
    )
    assert question is not None, "no candidate question abstains with suggestions any more"

    interaction = fake.command_interaction("ask", {"question": question})
    await fake.dispatch("INTERACTION_CREATE", interaction)
    response = await fake.wait_for_interaction_response(interaction, timeout=STEP)
    assert response["type"] == MESSAGE_WITH_SOURCE
    [embed] = response["data"]["embeds"]
    assert "I don't know" in embed["description"]
    ids = custom_ids(response["data"]["components"])
    assert ids and all(i.startswith("foc:ask:") for i in ids)

    # The bot fetched its original response (to remember it for repeats), so it is stored.
    await fake.wait_for_request(
        "GET", f"/webhooks/{fake.application_id}/{interaction['token']}", timeout=STEP
    )
    message_id = fake.interactions[interaction["token"]].original_message_id
    assert message_id is not None

    click = fake.component_interaction(message_id, ids[0])
    await fake.dispatch("INTERACTION_CREATE", click)
    answer = await fake.wait_for_interaction_response(click, timeout=STEP)
    assert answer["type"] == MESSAGE_WITH_SOURCE
    assert answer["data"]["flags"] & EPHEMERAL
    [embed] = answer["data"]["embeds"]
    assert embed["description"]
    assert "paragraph" in field(embed, "Source")
    entry = next(e for e in bot.engine.knowledge.entries if e.id == ids[0].removeprefix("foc:ask:"))
    assert embed["title"] == entry.question
    # Members see the confidence, never the entry id.
    assert entry.id not in embed["footer"]["text"]


async def test_an_abstention_about_an_added_document_offers_its_sentences(
    fake: FakeDiscord, base_config: Config, tmp_path: Path
) -> None:
    """With a document no curated entry answers from, "I don't know" offers the
    document's own sentences as buttons; a click shows the sentence with its source."""
    root = Path(__file__).resolve().parents[2]
    doc = root / "tests" / "data" / "documents" / "lumen-programme.txt"
    # A threshold above 100 makes every question an abstention.
    matcher = Matcher(with_documents(root, [doc], tmp_path), threshold=100.5)
    client = FOCBot(base_config, Engine(base_config, matcher), guild_ready_timeout=0.1)
    async with running_client(client, fake) as bot:
        await bot.sync_commands(fake.guild.id)
        question = "What is the total budget of this round of the Lumen Programme?"
        interaction = fake.command_interaction("ask", {"question": question})
        await fake.dispatch("INTERACTION_CREATE", interaction)
        response = await fake.wait_for_interaction_response(interaction, timeout=STEP)
        [embed] = response["data"]["embeds"]
        assert "I don't know" in embed["description"] and "These may answer it" in embed["description"]
        ids = custom_ids(response["data"]["components"])
        cards = {card.id: card for card in matcher.knowledge.facts}
        suggested = [cards[i.removeprefix("foc:ask:")] for i in ids]
        assert suggested and all(card.source.document == doc.stem for card in suggested)
        await fake.wait_for_request(
            "GET", f"/webhooks/{fake.application_id}/{interaction['token']}", timeout=STEP
        )
        message_id = fake.interactions[interaction["token"]].original_message_id
        click = fake.component_interaction(message_id, ids[0])
        await fake.dispatch("INTERACTION_CREATE", click)
        answer = await fake.wait_for_interaction_response(click, timeout=STEP)
        assert answer["data"]["flags"] & EPHEMERAL
        [embed] = answer["data"]["embeds"]
        assert suggested[0].text in embed_text(embed)
        assert f"paragraph {suggested[0].source.paragraph}" in field(embed, "Source").casefold()


# -- 8. /member -----------------------------------------------------------------------------------


async def test_member_without_country_shows_the_news(fake: FakeDiscord, bot: FOCBot) -> None:
    response = await slash(fake, "member")
    assert response["type"] == MESSAGE_WITH_SOURCE
    [embed] = response["data"]["embeds"]
    assert "38" in embed_text(embed)
    assert "paragraph" in field(embed, "Source")


async def test_member_south_korea_is_the_republic_of_korea_with_source(
    fake: FakeDiscord, bot: FOCBot
) -> None:
    response = await slash(fake, "member", {"country": "South Korea"})
    [embed] = response["data"]["embeds"]
    assert embed["title"] == "Republic of Korea"
    assert "paragraph" in field(embed, "Source")


async def test_member_cape_verde_is_cabo_verde(fake: FakeDiscord, bot: FOCBot) -> None:
    response = await slash(fake, "member", {"country": "Cape Verde"})
    [embed] = response["data"]["embeds"]
    assert embed["title"] == "Cabo Verde"
    assert field(embed, "Source")


async def test_member_unknown_country_has_no_record_but_is_not_called_a_non_member(
    fake: FakeDiscord, bot: FOCBot
) -> None:
    response = await slash(fake, "member", {"country": "Atlantis"})
    content = response["data"]["content"]
    assert "no record" in content and "Atlantis" in content
    # "not a member" only appears negated ("does not mean it is not a member").
    assert "does not mean it is not a member" in content
    assert content.count("not a member") == 1
    assert not response["data"].get("embeds")


# -- 9. /source and /facts ---------------------------------------------------------------------


async def test_source_without_paragraph_shows_title_publisher_and_date(
    fake: FakeDiscord, bot: FOCBot
) -> None:
    doc = next(iter(bot.engine.knowledge.documents.values()))
    response = await slash(fake, "source")
    [embed] = response["data"]["embeds"]
    assert "38th Member" in embed["title"]
    assert field(embed, "Publisher") == "Freedom Online Coalition"
    assert field(embed, "Date") == doc.date


async def test_source_paragraph_shows_it_verbatim(fake: FakeDiscord, bot: FOCBot) -> None:
    response = await slash(fake, "source", {"paragraph": 8})
    [embed] = response["data"]["embeds"]
    assert embed["title"] == "Paragraph 8"
    assert "increasing the membership to 38" in embed["description"]


async def test_facts_on_a_topic(fake: FakeDiscord, bot: FOCBot) -> None:
    response = await slash(fake, "facts", {"topic": "ICCPR"})
    [embed] = response["data"]["embeds"]
    assert "ICCPR" in embed["title"]
    assert any("International Covenant on Civil and Political Rights" in f["value"] for f in embed["fields"])
    assert all(f["name"].startswith("Paragraph ") for f in embed["fields"])


# -- 10-12. anti-spam and mentions ----------------------------------------------------------------


async def test_cooldown_reacts_to_every_held_back_mention_and_replies_to_none(
    fake: FakeDiscord, start_bot: StartBot
) -> None:
    await start_bot(user_rate=2, sync=False)
    questions = ["Who is Park Jin?", "Which country became the 38th member of the FOC?"]
    for text in questions:
        before = len(fake.requests)
        q = await mention(fake, text)
        reply = await reply_to(fake, q, before)
        assert reply.json["embeds"]

    # Every later question is seen: a ⏳ on it, and no public notice.
    for text in ("When did Korea join the FOC?", "What is the National Digital Strategy?"):
        before = len(fake.requests)
        held = await mention(fake, text)
        reaction = await fake.wait_for_request(
            "PUT", f"/channels/{fake.channel.id}/messages/{held['id']}/reactions/", after=before, timeout=STEP
        )
        assert reaction.status == 204 and "⏳" in reaction.path
        await no_post(fake, before)


async def test_repeated_question_links_the_earlier_answer(fake: FakeDiscord, bot: FOCBot) -> None:
    text = "Who is Park Jin?"
    before = len(fake.requests)
    first = await mention(fake, text)
    first_reply = await reply_to(fake, first, before)
    first_id = first_reply.response_json["id"]

    before = len(fake.requests)
    second = await mention(fake, text)
    second_reply = await reply_to(fake, second, before)
    content = second_reply.json["content"]
    assert f"https://discord.com/channels/{fake.guild.id}/{fake.channel.id}/{first_id}" in content
    assert not second_reply.json.get("embeds")


async def test_mentions_in_the_question_never_ping(fake: FakeDiscord, bot: FOCBot) -> None:
    role = fake.create_role(fake.guild, "members")
    other = fake.create_user("bob")
    fake.add_member(fake.guild, other)
    before = len(fake.requests)
    q = await mention(fake, f"@everyone <@&{role.id}> <@{other.id}> Who is Park Jin?")
    await reply_to(fake, q, before)
    # An "I don't know" about the mentions themselves too:
    before2 = len(fake.requests)
    q2 = await mention(fake, f"@everyone <@&{role.id}> <@{other.id}> @here")
    await reply_to(fake, q2, before2)

    posts = [r for r in fake.requests if r.method == "POST" and r.path.startswith("/channels/")]
    assert len(posts) >= 2
    for post in posts:
        assert post.json["allowed_mentions"]["parse"] == [], post.json
        assert post.json["allowed_mentions"].get("replied_user") is False
        assert not post.json["allowed_mentions"].get("roles")
        assert not post.json["allowed_mentions"].get("users")
        assert post.response_json["mentions"] == []
        assert post.response_json["mention_roles"] == []
        assert post.response_json["mention_everyone"] is False


# -- 13-14. transport faults -------------------------------------------------------------------


async def test_gateway_drop_resumes_and_answers_once(fake: FakeDiscord, bot: FOCBot) -> None:
    session = await fake.wait_for_ready()
    frames_before = len(fake.gateway_received)
    await fake.drop_gateway(code=4000)
    resume = await fake.wait_for_resume(after=frames_before, timeout=STEP)
    assert resume["session_id"] == session.session_id
    assert len(fake.identify_payloads) == 1

    before = len(fake.requests)
    q = await mention(fake, "Who is Park Jin?")
    await reply_to(fake, q, before)
    await asyncio.sleep(QUIET)  # room for a duplicate to show up
    assert len(channel_posts(fake, fake.channel.id, before)) == 1


async def test_rate_limited_reply_is_retried(fake: FakeDiscord, bot: FOCBot) -> None:
    fake.rate_limit_next("POST", "/channels/", retry_after=0.05)
    before = len(fake.requests)
    q = await mention(fake, "Which country became the 38th member of the FOC?")
    reply = await reply_to(fake, q, before)
    assert "38" in reply.json["embeds"][0]["description"]
    path = f"/channels/{fake.channel.id}/messages"
    assert [r.status for r in fake.requests[before:] if r.method == "POST" and r.path == path] == [429, 200]


async def test_server_error_on_reply_is_retried(fake: FakeDiscord, bot: FOCBot) -> None:
    path = f"/channels/{fake.channel.id}/messages"
    fake.fail_next("POST", path, status=500)
    before = len(fake.requests)
    with fast_http_retries():
        q = await mention(fake, "Who is Park Jin?")
        await reply_to(fake, q, before)
    assert [r.status for r in fake.requests[before:] if r.method == "POST" and r.path == path] == [500, 200]


# -- 15. errors in commands ---------------------------------------------------------------------


async def test_exception_in_ask_gets_an_ephemeral_apology_and_is_logged_by_the_bot(
    fake: FakeDiscord,
    bot: FOCBot,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    discord_errors: DiscordErrorLog,
) -> None:
    def boom(question: str) -> Any:
        raise RuntimeError("engine exploded")

    monkeypatch.setattr(bot.engine, "ask", boom)
    with caplog.at_level(logging.ERROR, logger="bot"):
        response = await slash(fake, "ask", {"question": "Who is Park Jin?"})
    assert response["type"] == MESSAGE_WITH_SOURCE
    assert response["data"]["flags"] & EPHEMERAL
    assert "Sorry" in response["data"]["content"]

    logged = [r for r in caplog.records if r.name.startswith("bot") and r.levelno >= logging.ERROR]
    assert logged, "the bot did not log the error"
    assert any(
        r.exc_info and "engine exploded" in str(r.exc_info[1].__cause__ or r.exc_info[1]) for r in logged
    )
    # Not swallowed by discord.py: nothing at ERROR under "discord" (checked at teardown too).
    assert discord_errors.records == []

    help_response = await slash(fake, "help")
    assert help_response["type"] == MESSAGE_WITH_SOURCE
    assert help_response["data"]["flags"] & EPHEMERAL
    assert help_response["data"]["embeds"][0]["title"] == "FOC bot"


async def test_exception_while_answering_a_mention_apologizes(
    fake: FakeDiscord, bot: FOCBot, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def boom(question: str) -> Any:
        raise RuntimeError("engine exploded")

    monkeypatch.setattr(bot.engine, "ask", boom)
    with caplog.at_level(logging.ERROR, logger="bot"):
        before = len(fake.requests)
        q = await mention(fake, "Who is Park Jin?")
        reply = await reply_to(fake, q, before)
    assert "Sorry" in reply.json["content"]
    assert reply.json["allowed_mentions"]["parse"] == []
    assert any(r.name.startswith("bot") for r in caplog.records)


# -- 16. owner commands ------------------------------------------------------------------------


async def test_sync_by_a_non_owner_is_refused(fake: FakeDiscord, start_bot: StartBot) -> None:
    await start_bot(sync=False)
    bob = fake.create_user("bob")
    fake.add_member(fake.guild, bob)
    before = len(fake.requests)
    q = await mention(fake, "sync", author=bob)
    reply = await reply_to(fake, q, before)
    assert reply.json["content"] == "Only the bot's owner can do that."
    assert reply.json["allowed_mentions"]["parse"] == []

    # The application's owner (per /applications/@me) is alice, not bob.
    info = await fake.wait_for_request("GET", "/oauth2/applications/@me", after=before, timeout=STEP)
    assert int(info.response_json["owner"]["id"]) == fake.owner.id == fake.user.id
    await asyncio.sleep(QUIET)
    assert [r for r in fake.requests if r.method == "PUT" and "/commands" in r.path] == []


async def test_sync_by_the_application_owner_syncs(fake: FakeDiscord, start_bot: StartBot) -> None:
    # In the fake's default world alice is both the guild owner and the application owner.
    await start_bot(sync=False)
    before = len(fake.requests)
    q = await mention(fake, f"sync {fake.guild.id}")
    put = await fake.wait_for_request(
        "PUT",
        f"/applications/{fake.application_id}/guilds/{fake.guild.id}/commands",
        after=before,
        timeout=STEP,
    )
    assert put.status == 200
    reply = await reply_to(fake, q, before)
    assert reply.json["content"].startswith("Synced ")
    assert reply.json["allowed_mentions"]["parse"] == []
