"""What members see, end to end through the fake Discord: no silence, help on request,
the bot's role as a mention, answers that show their question and source without
internals, Korean clients answered in Korean, option limits that match the bot, and
the Share, Show paragraph, "Ask FOC bot", /faq and 👎-reason features."""

from __future__ import annotations

import asyncio
import dataclasses
import re
from collections import Counter
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio

from bot.client import FOCBot
from bot.config import Config
from bot.engine.engine import Engine
from bot.storage import Store
from tests.fake_discord import FakeDiscord, Limit, RateLimits, fake_discord_server, running_client

from .conftest import StartBot
from .test_bot_e2e import (
    AUTOCOMPLETE_RESULT,
    EPHEMERAL,
    MESSAGE_WITH_SOURCE,
    STEP,
    SUGGESTION_CANDIDATES,
    custom_ids,
    embed_text,
    field,
    mention,
    no_post,
    reply_to,
)

pytestmark = pytest.mark.asyncio

MODAL = 9
UPDATE_MESSAGE = 7
FULL_QUOTE_QUESTION = "What did the Korean Foreign Minister say about joining the FOC?"


def has_hangul(text: str) -> bool:
    return any("\uac00" <= ch <= "\ud7a3" for ch in text)


async def slash_as(
    fake: FakeDiscord, name: str, options: dict[str, Any] | None = None, *, locale: str = "en-US", **kw: Any
) -> tuple[dict[str, Any], dict[str, Any]]:
    """(interaction, callback body) of a slash command from a client in ``locale``."""
    interaction = fake.command_interaction(name, options or {}, **kw)
    interaction["locale"] = locale
    await fake.dispatch("INTERACTION_CREATE", interaction)
    return interaction, await fake.wait_for_interaction_response(interaction, timeout=STEP)


async def autocomplete(
    fake: FakeDiscord, name: str, options: dict[str, Any], focused: str, locale: str = "en-US"
) -> list[dict[str, Any]]:
    interaction = fake.autocomplete_interaction(name, options, focused=focused)
    interaction["locale"] = locale
    await fake.dispatch("INTERACTION_CREATE", interaction)
    response = await fake.wait_for_interaction_response(interaction, timeout=STEP)
    assert response["type"] == AUTOCOMPLETE_RESULT
    return response["data"]["choices"]


async def click(
    fake: FakeDiscord, message_id: int, custom_id: str, *, values: list[str] | None = None, **kw: Any
) -> tuple[dict[str, Any], dict[str, Any]]:
    interaction = fake.component_interaction(
        message_id, custom_id, component_type=3 if values is not None else 2, values=values, **kw
    )
    await fake.dispatch("INTERACTION_CREATE", interaction)
    return interaction, await fake.wait_for_interaction_response(interaction, timeout=STEP)


async def original_message(fake: FakeDiscord, interaction: dict[str, Any]) -> int:
    """The id of the message an interaction's response created."""
    record = fake.interactions[interaction["token"]]
    for _ in range(100):
        if record.original_message_id is not None:
            return record.original_message_id
        await asyncio.sleep(0.01)
    raise AssertionError("the response created no message")


async def reaction_on(fake: FakeDiscord, message: dict[str, Any], after: int) -> str:
    """The emoji the bot put on ``message``."""
    path = f"/channels/{message['channel_id']}/messages/{message['id']}/reactions/"
    put = await fake.wait_for_request("PUT", path, after=after, timeout=STEP)
    assert put.status == 204
    return put.path.removeprefix(path).removesuffix("/@me")


# -- 4. help ------------------------------------------------------------------------------------


async def test_mention_help_is_answered_with_help_not_as_a_question(fake: FakeDiscord, bot: FOCBot) -> None:
    before = len(fake.requests)
    question = await mention(fake, "help")
    reply = await reply_to(fake, question, before)
    [embed] = reply.json["embeds"]
    assert embed["title"] == "FOC bot"
    assert "/member" in embed_text(embed) or "</member:" in embed_text(embed)
    assert reply.json["allowed_mentions"]["parse"] == []


async def test_help_mentions_the_synced_commands_in_the_client_language(
    fake: FakeDiscord, bot: FOCBot
) -> None:
    ids = {c["name"]: c["id"] for c in fake.commands[fake.guild.id]}
    _, english = await slash_as(fake, "help")
    text = embed_text(english["data"]["embeds"][0])
    assert f"</ask:{ids['ask']}>" in text and f"</faq:{ids['faq']}>" in text
    _, korean = await slash_as(fake, "help", locale="ko")
    text = embed_text(korean["data"]["embeds"][0])
    assert f"</ask:{ids['ask']}>" in text
    # The Korean names a Korean client shows: /질문 질문내용:, /회원국 국가:
    assert "/질문 질문내용:" in text and "/회원국 [국가:]" in text
    # Fetched once, then cached.
    fetches = [r for r in fake.requests if r.method == "GET" and r.path.endswith("/commands")]
    assert len(fetches) == 2  # global, then the server's


async def test_help_without_synced_commands_names_them_as_text(
    fake: FakeDiscord, start_bot: StartBot
) -> None:
    await start_bot(sync=False)
    _, response = await slash_as(fake, "help")
    text = embed_text(response["data"]["embeds"][0])
    assert "`/ask`" in text and "</" not in text


# -- 5. no silence -------------------------------------------------------------------------------


async def test_channel_cooldown_reacts_on_mentions_and_tells_slash_users_privately(
    fake: FakeDiscord, start_bot: StartBot
) -> None:
    await start_bot(channel_rate=1, sync=True)
    bob = fake.create_user("bob")
    fake.add_member(fake.guild, bob)
    before = len(fake.requests)
    first = await mention(fake, "Who is Park Jin?")
    await reply_to(fake, first, before)

    before = len(fake.requests)
    held = await mention(fake, "When did Korea join the FOC?", author=bob)
    assert await reaction_on(fake, held, before) == "⏳"
    await no_post(fake, before)

    _, response = await slash_as(fake, "ask", {"question": "What is the FOC?"}, user=bob)
    assert response["data"]["flags"] & EPHEMERAL
    assert "wait" in response["data"]["content"]


async def test_too_long_mention_gets_a_reaction_and_a_dm_gets_the_notice(
    fake: FakeDiscord, start_bot: StartBot
) -> None:
    bot = await start_bot(sync=False)
    cap = bot.config.discord.max_question_chars
    before = len(fake.requests)
    long = await mention(fake, "Who is Park Jin? " * (cap // 10))
    assert await reaction_on(fake, long, before) == "📏"
    await no_post(fake, before)

    dm = fake.create_dm_channel(fake.user)
    before = len(fake.requests)
    await fake.dispatch("MESSAGE_CREATE", fake.message_create(dm, fake.user, "x" * (cap + 1)))
    notice = await fake.wait_for_request("POST", f"/channels/{dm.id}/messages", after=before, timeout=STEP)
    assert str(cap) in notice.json["content"]


# -- 6. the bot's role ---------------------------------------------------------------------------


async def test_mentioning_the_bots_managed_role_is_a_mention_of_the_bot(
    fake: FakeDiscord, start_bot: StartBot
) -> None:
    # With the message content intent (answer channels listed), the text is there: answered.
    elsewhere = fake.create_text_channel(fake.guild, "answers")
    await start_bot(sync=False, answer_channels=[elsewhere.id])
    role = next(r for r in fake.guild.roles if r.bot_id == fake.bot_user.id)
    other = fake.create_role(fake.guild, "members")
    before = len(fake.requests)
    payload = fake.message_create(fake.channel, fake.user, f"{role.mention} Who is Park Jin?")
    await fake.dispatch("MESSAGE_CREATE", payload)
    reply = await reply_to(fake, payload, before)
    assert "Minister of Foreign Affairs" in reply.json["embeds"][0]["description"]
    assert reply.json["allowed_mentions"]["parse"] == []

    # Another role is not the bot.
    before = len(fake.requests)
    await fake.dispatch("MESSAGE_CREATE", fake.message_create(fake.channel, fake.user, f"{other.mention} hi"))
    await no_post(fake, before)


async def test_role_mention_without_the_content_intent_says_how_to_ask(
    fake: FakeDiscord, bot: FOCBot
) -> None:
    # Discord strips the text of messages that do not mention the bot user: say so, never silence.
    role = next(r for r in fake.guild.roles if r.bot_id == fake.bot_user.id)
    before = len(fake.requests)
    payload = fake.message_create(fake.channel, fake.user, f"{role.mention} Who is Park Jin?")
    await fake.dispatch("MESSAGE_CREATE", payload)
    reply = await reply_to(fake, payload, before)
    assert "Mention me by name" in reply.json["content"]


# -- 7, 12. what an answer shows -----------------------------------------------------------------


async def test_ask_answer_shows_the_question_and_no_internal_ids(fake: FakeDiscord, bot: FOCBot) -> None:
    question = "When did Korea join the FOC?"
    _, response = await slash_as(fake, "ask", {"question": question})
    [embed] = response["data"]["embeds"]
    assert embed["title"] == question
    answer = bot.engine.ask(question)
    assert answer.entry_id not in embed["footer"]["text"] and "qa:" not in embed["footer"]["text"]
    assert re.fullmatch(r"Confidence \d+/100", embed["footer"]["text"])


async def test_source_is_a_link_when_the_document_has_a_url_and_show_paragraph_shows_it(
    fake: FakeDiscord, bot: FOCBot
) -> None:
    url = "https://example.org/announcement"
    doc = bot.engine.knowledge.documents["announcement"]
    # Documents are frozen; the shared engine gets its url back below.
    object.__setattr__(doc, "url", url)
    try:
        await _check_source_link(fake, bot, doc, url)
    finally:
        object.__setattr__(doc, "url", None)


async def _check_source_link(fake: FakeDiscord, bot: FOCBot, doc: Any, url: str) -> None:
    interaction, response = await slash_as(fake, "ask", {"question": "Who is Park Jin?"})
    [embed] = response["data"]["embeds"]
    assert f"]({url})" in field(embed, "Source")
    ids = custom_ids(response["data"]["components"])
    [show] = [i for i in ids if i.startswith("foc:para:")]
    message_id = await original_message(fake, interaction)
    _, shown = await click(fake, message_id, show)
    assert shown["data"]["flags"] & EPHEMERAL
    [paragraph] = shown["data"]["embeds"]
    number = bot.engine.ask("Who is Park Jin?").source.paragraph
    assert paragraph["title"] == f"Paragraph {number}"
    assert paragraph["description"].replace("\\", "") == doc.paragraph(number).replace("\\", "")
    assert paragraph["url"] == url


async def test_source_has_no_link_without_a_url(fake: FakeDiscord, bot: FOCBot) -> None:
    assert bot.engine.knowledge.documents["announcement"].url is None
    _, response = await slash_as(fake, "ask", {"question": "Who is Park Jin?"})
    assert "](" not in field(response["data"]["embeds"][0], "Source")


# -- 10. shown once --------------------------------------------------------------------------------


async def test_full_quotation_answer_does_not_repeat_its_quote(fake: FakeDiscord, bot: FOCBot) -> None:
    _, response = await slash_as(fake, "ask", {"question": FULL_QUOTE_QUESTION})
    [embed] = response["data"]["embeds"]
    assert "immense pride" in embed["description"]
    source = field(embed, "Source")
    assert "immense pride" not in source and "paragraph 7" in source


async def test_facts_show_each_fact_once_with_balanced_quote_marks(fake: FakeDiscord, bot: FOCBot) -> None:
    _, response = await slash_as(fake, "facts", {"topic": "human rights"})
    [embed] = response["data"]["embeds"]
    assert embed["fields"]
    for f in embed["fields"]:
        value = f["value"]
        sentence = value.split("\n")[0]
        assert value.count(sentence) == 1 and sentence not in f["name"]
        assert value.count("“") == value.count("”"), value


# -- 8. Korean ----------------------------------------------------------------------------------


async def test_korean_autocomplete_offers_korean_questions(fake: FakeDiscord, bot: FOCBot) -> None:
    choices = await autocomplete(fake, "ask", {"question": "한국"}, "question", locale="ko")
    assert choices and all(has_hangul(c["name"]) for c in choices)
    assert all("한국" in c["name"].replace(" ", "") for c in choices[:5])


async def test_member_in_korean_resolves_and_answers_in_korean(fake: FakeDiscord, bot: FOCBot) -> None:
    _, rok = await slash_as(fake, "member", {"country": "ROK"})
    _, korean = await slash_as(fake, "member", {"country": "대한민국"}, locale="ko")
    assert korean["data"]["embeds"][0]["title"] == rok["data"]["embeds"][0]["title"] == "Republic of Korea"
    assert has_hangul(korean["data"]["embeds"][0]["description"])
    assert field(korean["data"]["embeds"][0], "출처")
    _, none = await slash_as(fake, "member", {"country": "Atlantis"}, locale="ko")
    assert "기록이 없습니다" in none["data"]["content"]
    _, news = await slash_as(fake, "member", locale="ko")
    assert has_hangul(news["data"]["embeds"][0]["title"])


async def test_usa_is_the_united_states(fake: FakeDiscord, bot: FOCBot) -> None:
    _, response = await slash_as(fake, "member", {"country": "USA"})
    assert response["data"]["embeds"][0]["title"] == "United States"


async def test_facts_on_a_korean_topic_in_korean(fake: FakeDiscord, bot: FOCBot) -> None:
    _, response = await slash_as(fake, "facts", {"topic": "인권"}, locale="ko")
    [embed] = response["data"]["embeds"]
    assert embed["title"] == "사실: 인권"
    assert embed["fields"] and all(f["name"].startswith("문단 ") for f in embed["fields"])
    assert any("human rights" in f["value"] for f in embed["fields"])


async def test_abstention_for_a_korean_client_is_in_korean(fake: FakeDiscord, bot: FOCBot) -> None:
    _, response = await slash_as(fake, "ask", {"question": "What's the best pizza topping?"}, locale="ko")
    assert "답할 수 없습니다" in response["data"]["embeds"][0]["description"]


# -- 11. option limits ---------------------------------------------------------------------------


async def test_option_limits_agree_with_the_bot(fake: FakeDiscord, bot: FOCBot) -> None:
    commands = {c["name"]: c for c in fake.commands[fake.guild.id]}
    question = next(o for o in commands["ask"]["options"] if o["name"] == "question")
    assert question["max_length"] == bot.config.discord.max_question_chars
    paragraphs = len(bot.engine.knowledge.documents["announcement"].paragraphs)
    [paragraph] = commands["source"]["options"]
    assert (paragraph["min_value"], paragraph["max_value"]) == (1, paragraphs)
    assert paragraph["autocomplete"] is True
    [topic] = commands["facts"]["options"]
    assert topic["autocomplete"] is True

    choices = await autocomplete(fake, "source", {"paragraph": ""}, "paragraph")
    assert [c["value"] for c in choices] == list(range(1, paragraphs + 1))
    assert choices[0]["name"].startswith("1. Republic of Korea")
    topics = await autocomplete(fake, "facts", {"topic": "hum"}, "topic")
    assert "Human rights" in [c["value"] for c in topics]

    # A stale client (commands synced before a reload) can still send a bigger number.
    _, response = await slash_as(fake, "source", {"paragraph": paragraphs + 3})
    assert response["data"]["flags"] & EPHEMERAL
    assert f"paragraphs 1 to {paragraphs}" in response["data"]["content"]


# -- Share, "Ask FOC bot", /faq ---------------------------------------------------------------


async def test_private_ask_has_a_share_button_that_posts_it_publicly(fake: FakeDiscord, bot: FOCBot) -> None:
    interaction, response = await slash_as(fake, "ask", {"question": "Who is Park Jin?", "private": True})
    assert response["data"]["flags"] & EPHEMERAL
    [share] = [i for i in custom_ids(response["data"]["components"]) if i.startswith("foc:share:")]
    message_id = await original_message(fake, interaction)
    _, shared = await click(fake, message_id, share)
    assert shared["type"] == MESSAGE_WITH_SOURCE
    assert not shared["data"].get("flags", 0) & EPHEMERAL
    assert "Minister of Foreign Affairs" in shared["data"]["embeds"][0]["description"]
    assert shared["data"]["allowed_mentions"]["parse"] == []
    # The public answer has no Share button of its own.
    assert not [i for i in custom_ids(shared["data"]["components"]) if i.startswith("foc:share:")]


async def test_suggestion_answers_can_be_shared(fake: FakeDiscord, bot: FOCBot) -> None:
    question = next((q for q in SUGGESTION_CANDIDATES if bot.engine.ask(q).suggestions), None)
    assert question is not None, "no candidate question abstains with suggestions any more"
    interaction, response = await slash_as(fake, "ask", {"question": question})
    [suggestion, *_] = custom_ids(response["data"]["components"])
    message_id = await original_message(fake, interaction)
    _, answer = await click(fake, message_id, suggestion)
    assert answer["data"]["flags"] & EPHEMERAL
    assert [i for i in custom_ids(answer["data"]["components"]) if i.startswith("foc:share:")]


async def test_ask_foc_bot_menu_replies_to_the_message(fake: FakeDiscord, bot: FOCBot) -> None:
    menu = next(c for c in fake.commands[fake.guild.id] if c["type"] == 3)
    assert menu["name"] == "Ask FOC bot"
    assert menu["name_localizations"]["ko"] == "FOC 봇에게 묻기"
    bob = fake.create_user("bob")
    fake.add_member(fake.guild, bob)
    message = fake.message_create(fake.channel, bob, "hey does anyone know who Park Jin is?")
    await fake.dispatch("MESSAGE_CREATE", message)  # no mention: the bot stays out of it

    before = len(fake.requests)
    interaction = fake.message_command_interaction("Ask FOC bot", message)
    await fake.dispatch("INTERACTION_CREATE", interaction)
    reply = await reply_to(fake, message, before)
    assert "Minister of Foreign Affairs" in reply.json["embeds"][0]["description"]
    assert reply.json["allowed_mentions"]["parse"] == []
    assert reply.json["allowed_mentions"].get("replied_user") is False
    note = await fake.wait_for_request(
        "POST", f"/webhooks/{fake.application_id}/{interaction['token']}", after=before, timeout=STEP
    )
    assert reply.response_json["id"] in note.json["content"]
    [deferred] = fake.interactions[interaction["token"]].responses
    assert deferred["data"]["flags"] & EPHEMERAL


async def test_faq_browses_by_topic_and_ask_without_a_question_too(fake: FakeDiscord, bot: FOCBot) -> None:
    for name, options in (("faq", {}), ("ask", {})):
        interaction, response = await slash_as(fake, name, options)
        assert response["data"]["flags"] & EPHEMERAL
        [topic_menu] = custom_ids(response["data"]["components"])
        assert topic_menu == "foc:faq:t:en"
    message_id = await original_message(fake, interaction)
    _, picked = await click(fake, message_id, topic_menu, values=["human-rights"])
    assert picked["type"] == UPDATE_MESSAGE
    assert "Human rights" in picked["data"]["content"]
    rows = picked["data"]["components"]
    question_menu = rows[1]["components"][0]
    entries = [e for e in bot.engine.knowledge.entries if "human-rights" in e.tags]
    assert [o["value"] for o in question_menu["options"]] == [e.id for e in entries][:25]
    _, answer = await click(fake, message_id, question_menu["custom_id"], values=[entries[0].id])
    assert answer["data"]["flags"] & EPHEMERAL
    assert answer["data"]["embeds"][0]["title"] == entries[0].question
    assert [i for i in custom_ids(answer["data"]["components"]) if i.startswith("foc:share:")]


async def test_faq_in_korean(fake: FakeDiscord, bot: FOCBot) -> None:
    _, response = await slash_as(fake, "faq", locale="ko")
    assert has_hangul(response["data"]["content"])
    options = response["data"]["components"][0]["components"][0]["options"]
    assert all(has_hangul(o["label"]) or "FOC" in o["label"] for o in options)


# -- 👎 with a reason ----------------------------------------------------------------------------


@pytest_asyncio.fixture
async def voted_bot(
    fake: FakeDiscord, base_config: Config, shared_engine: Engine, tmp_path: Path
) -> AsyncIterator[tuple[FOCBot, Store, Any]]:
    mod_channel = fake.create_text_channel(fake.guild, "moderators")
    config = dataclasses.replace(
        base_config, discord=dataclasses.replace(base_config.discord, mod_channel=mod_channel.id)
    )
    store = Store(tmp_path / "votes.sqlite3")
    try:
        async with running_client(
            FOCBot(config, shared_engine, store=store, guild_ready_timeout=0.1), fake
        ) as bot:
            yield bot, store, mod_channel
    finally:
        store.close()


async def test_thumbs_down_asks_what_was_wrong_and_tells_the_moderators(
    fake: FakeDiscord, voted_bot: tuple[FOCBot, Store, Any]
) -> None:
    _, store, mod_channel = voted_bot
    before = len(fake.requests)
    question = await mention(fake, "Who is Park Jin?")
    reply = await reply_to(fake, question, before)
    answer_id = int(reply.response_json["id"])
    down = next(i for i in custom_ids(reply.json["components"]) if i.startswith("foc:fb:down:"))

    _, modal = await click(fake, answer_id, down)
    assert modal["type"] == MODAL
    [row] = modal["data"]["components"]
    text_input = row["components"][0]
    submit = fake.modal_submit_interaction(
        modal["data"]["custom_id"],
        {text_input["custom_id"]: "It answers  who he is, not   what he said"},
        message=fake.messages[answer_id],
    )
    before = len(fake.requests)
    await fake.dispatch("INTERACTION_CREATE", submit)
    thanks = await fake.wait_for_interaction_response(submit, timeout=STEP)
    assert thanks["data"]["flags"] & EPHEMERAL and "Thanks" in thanks["data"]["content"]

    post = await fake.wait_for_request(
        "POST", f"/channels/{mod_channel.id}/messages", after=before, timeout=STEP
    )
    assert "It answers who he is, not what he said" in post.json["content"]
    assert "Who is Park Jin?" in post.json["content"]
    assert post.json["allowed_mentions"]["parse"] == []

    async def stored() -> list[tuple[Any, ...]]:
        for _ in range(200):
            rows = store._read("SELECT vote, reason FROM feedback WHERE message_id = ?", (answer_id,))
            if rows and rows[0][1]:
                return rows
            await asyncio.sleep(0.01)
        return store._read("SELECT vote, reason FROM feedback WHERE message_id = ?", (answer_id,))

    assert await stored() == [(-1, "It answers who he is, not what he said")]


# -- the burst under Discord's rate limits ----------------------------------------------------


class AnsweredAhead:
    """The shared engine, with its answers to a burst's questions worked out before the burst.

    The burst test is about how the bot's replies meet Discord's rate limits; how fast the
    engine answers on a loaded machine (30-230 ms a question) would decide how many windows
    fill up. Every other attribute is the real engine's.
    """

    def __init__(self, engine: Engine, questions: list[str]) -> None:
        self._engine = engine
        self._answers = {question: engine.ask(question) for question in questions}
        self.unprepared: list[str] = []

    def ask(self, question: str) -> Any:
        if question not in self._answers:
            self.unprepared.append(question)
            return self._engine.ask(question)
        return self._answers[question]

    def __getattr__(self, name: str) -> Any:
        return getattr(self._engine, name)


@pytest.mark.no_rate_limits  # the fake of this test has its own (scaled) limits
async def test_burst_under_rate_limits_answers_every_question_once_with_at_most_two_429s(
    base_config: Config, shared_engine: Engine
) -> None:
    # Discord's limits with every window 5 times shorter (5 messages per 1 s per channel,
    # 50 requests per 0.2 s in all), so that the test takes seconds: 200 questions in 10
    # channels.
    limits = RateLimits(messages=Limit(5, 1.0), global_=Limit(50, 0.2))
    async with fake_discord_server(rate_limits=limits) as fake:
        channels = [fake.create_text_channel(fake.guild, f"c{i}") for i in range(10)]
        users = [fake.create_user(f"u{i}") for i in range(200)]
        for user in users:
            fake.add_member(fake.guild, user)
        texts = [f"Who is Park Jin? ({i // 10})" for i in range(len(users))]
        engine = AnsweredAhead(shared_engine, texts)
        async with running_client(FOCBot(base_config, engine, guild_ready_timeout=0.1), fake):  # type: ignore[arg-type]
            await fake.wait_for_ready()
            before = len(fake.requests)
            questions = [
                fake.message_create(channels[i % 10], user, f"{fake.bot_user.mention} {text}")
                for i, (user, text) in enumerate(zip(users, texts, strict=True))
            ]
            for question in questions:
                await fake.dispatch("MESSAGE_CREATE", question)
            wanted = {str(q["id"]) for q in questions}

            def answered() -> Counter[str]:
                return Counter(
                    str(r.json["message_reference"]["message_id"])
                    for r in fake.requests[before:]
                    if r.method == "POST" and r.status == 200 and (r.json or {}).get("message_reference")
                )

            for _ in range(600):
                if set(answered()) >= wanted:
                    break
                await asyncio.sleep(0.05)
            await asyncio.sleep(0.3)
            counts = answered()
            assert set(counts) == wanted and set(counts.values()) == {1}
            assert len(fake.rate_limited) <= 2, fake.limiter.rejected
            assert engine.unprepared == []
            # The limits really held the replies back: with answers ready at once, each channel's
            # 20 replies fill windows of 5 faster than the windows reset.
            used_up = Counter(
                key
                for key, n in fake.limiter.exhausted.items()
                for _ in range(n)
                if key[0].endswith("-messages")
            )
            assert len(used_up) == 10 and min(used_up.values()) >= 3, fake.limiter.exhausted


async def test_the_fake_sends_discords_rate_limit_headers_and_429s(fake: FakeDiscord) -> None:
    import aiohttp

    url = f"{fake.base_url}/channels/{fake.channel.id}/messages"
    headers = {"Authorization": "Bot fake-token"}
    async with aiohttp.ClientSession() as session:
        answers = []
        for i in range(6):
            async with session.post(url, json={"content": f"m{i}"}, headers=headers) as response:
                answers.append((response.status, dict(response.headers), await response.json()))
    for i, (status, got, _) in enumerate(answers[:5]):
        assert status == 200
        assert got["X-RateLimit-Limit"] == "5" and got["X-RateLimit-Remaining"] == str(4 - i)
        assert 0 < float(got["X-RateLimit-Reset-After"]) <= 5.0
        assert float(got["X-RateLimit-Reset"]) > 1e9 and got["X-RateLimit-Bucket"]
    status, got, body = answers[5]
    assert status == 429 and got["X-RateLimit-Scope"] == "user" and got["X-RateLimit-Remaining"] == "0"
    assert 0 < body["retry_after"] <= 5.0 and body["global"] is False and int(got["Retry-After"]) >= 1
    assert len(fake.rate_limited) == 1


async def test_the_fake_enforces_a_global_limit_across_routes() -> None:
    import aiohttp

    async with fake_discord_server(rate_limits=RateLimits(global_=Limit(3, 1.0))) as fake:
        channels = [fake.create_text_channel(fake.guild, f"g{i}") for i in range(4)]
        headers = {"Authorization": "Bot fake-token"}
        statuses = []
        async with aiohttp.ClientSession() as session:
            for channel in channels:
                async with session.get(f"{fake.base_url}/channels/{channel.id}", headers=headers) as response:
                    statuses.append((response.status, response.headers.get("X-RateLimit-Scope")))
                    body = await response.json()
        assert statuses == [(200, None)] * 3 + [(429, "global")]
        assert body["global"] is True and body["retry_after"] > 0


async def test_without_the_add_reactions_permission_a_held_back_mention_gets_the_notice(
    fake: FakeDiscord, start_bot: StartBot
) -> None:
    from tests.fake_discord import RestError

    async def forbidden(fake: FakeDiscord, request: Any) -> Any:
        raise RestError(403, 50013, "Missing Permissions")

    fake.add_route("PUT", "/channels/{channel_id}/messages/{message_id}/reactions/{emoji}/@me", forbidden)
    await start_bot(user_rate=1, sync=False)
    before = len(fake.requests)
    first = await mention(fake, "Who is Park Jin?")
    await reply_to(fake, first, before)
    before = len(fake.requests)
    held = await mention(fake, "When did Korea join the FOC?")
    notice = await reply_to(fake, held, before)
    assert "wait" in notice.json["content"] and notice.json["allowed_mentions"]["parse"] == []
