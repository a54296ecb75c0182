"""The Korean path end to end: questions in Korean get Korean answers, commands carry
Korean names, and the interaction's locale decides where the text gives no clue."""

from __future__ import annotations

from typing import Any

import pytest

from bot.client import FOCBot
from tests.fake_discord import FakeDiscord

from .test_bot_e2e import STEP, embed_text, mention, reply_to

pytestmark = pytest.mark.asyncio


def has_hangul(text: str) -> bool:
    return any("\uac00" <= ch <= "\ud7a3" for ch in text)


async def slash_in(fake: FakeDiscord, name: str, options: dict[str, Any], locale: str) -> dict[str, Any]:
    interaction = fake.command_interaction(name, options)
    interaction["locale"] = locale
    await fake.dispatch("INTERACTION_CREATE", interaction)
    return await fake.wait_for_interaction_response(interaction, timeout=STEP)


async def test_korean_mention_gets_a_korean_answer_with_the_english_source(
    fake: FakeDiscord, bot: FOCBot
) -> None:
    before = len(fake.requests)
    question = await mention(fake, "한국은 몇 번째 회원국이 되었나요?")
    reply = await reply_to(fake, question, before)
    [embed] = reply.json["embeds"]
    assert "38" in embed["description"] and has_hangul(embed["description"])
    source = [f for f in embed["fields"] if f["name"] == "출처"]
    assert source and "38" in source[0]["value"] and "문단" in source[0]["value"]
    assert reply.json["allowed_mentions"]["parse"] == []


async def test_korean_slash_ask_answers_in_korean(fake: FakeDiscord, bot: FOCBot) -> None:
    response = await slash_in(fake, "ask", {"question": "한국 외교부 장관은 누구인가요?"}, "ko")
    [embed] = response["data"]["embeds"]
    assert "박진" in embed["description"] or "Park Jin" in embed["description"]
    assert has_hangul(embed["description"])


async def test_korean_question_out_of_scope_is_declined_in_korean(fake: FakeDiscord, bot: FOCBot) -> None:
    response = await slash_in(fake, "ask", {"question": "맛있는 피자집 추천해 주세요"}, "ko")
    [embed] = response["data"]["embeds"]
    assert "답할 수 없습니다" in embed["description"]


async def test_english_question_from_a_korean_client_is_answered_in_english(
    fake: FakeDiscord, bot: FOCBot
) -> None:
    response = await slash_in(fake, "ask", {"question": "Who is Park Jin?"}, "ko")
    [embed] = response["data"]["embeds"]
    assert "Minister of Foreign Affairs" in embed["description"]
    assert not has_hangul(embed["description"])


async def test_help_follows_the_interaction_locale(fake: FakeDiscord, bot: FOCBot) -> None:
    korean = await slash_in(fake, "help", {}, "ko")
    english = await slash_in(fake, "help", {}, "en-US")
    assert has_hangul(embed_text(korean["data"]["embeds"][0]))
    assert not has_hangul(embed_text(english["data"]["embeds"][0]))


async def test_synced_commands_carry_korean_names_and_descriptions(fake: FakeDiscord, bot: FOCBot) -> None:
    commands = {c["name"]: c for c in fake.commands[fake.guild.id]}
    ask = commands["ask"]
    assert ask["name_localizations"]["ko"] == "질문"
    assert has_hangul(ask["description_localizations"]["ko"])
    question, private = ask["options"]
    assert question["name_localizations"]["ko"] == "질문내용"
    assert private["name_localizations"]["ko"] == "비공개"
    assert commands["member"]["name_localizations"]["ko"] == "회원국"
