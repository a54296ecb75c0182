"""Asking: mentions, DMs, listed channels, ``/ask`` and ``/help``.

Every path goes through :meth:`Asking.respond`, which applies the anti-spam rules
(length cap, per-user and per-channel cooldowns, repeated questions) and renders the
engine's answer; the engine itself knows nothing of Discord. Each answer or abstention
that is sent is then recorded in the database (:meth:`Asking.record`, never who asked),
and a failing record never costs the asker the answer.
"""

from __future__ import annotations

import logging
import re
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from ...client import NO_MENTIONS
from ...engine.answer import Answer
from ...i18n import lang_of, locale_lang, text
from .feedback import feedback_view
from .render import answer_embed, unsure_embed
from .views import suggestion_view

if TYPE_CHECKING:
    from ...client import FOCBot

log = logging.getLogger(__name__)
APOLOGY = text("apology")


@dataclass(frozen=True, slots=True)
class Reply:
    """What to send back: text and/or an embed and view; ``None`` fields are omitted."""

    content: str | None = None
    embed: discord.Embed | None = None
    view: discord.ui.View | None = None
    answer: Answer | None = None
    private: bool = False  # for notices: ephemeral on slash commands

    def message(self) -> dict[str, object]:
        """The parts of the reply to send (content, embed, view), none of which pings."""
        parts: dict[str, object] = {"allowed_mentions": NO_MENTIONS}
        for key in ("content", "embed", "view"):
            value = getattr(self, key)
            if value is not None:
                parts[key] = value
        return parts


class Asking(commands.Cog):
    """Answers questions wherever they are asked."""

    def __init__(self, bot: FOCBot) -> None:
        self.bot = bot
        self._notified: dict[int, float] = {}

    # -- the shared path ------------------------------------------------------------

    def respond(
        self,
        question: str,
        user_id: int,
        channel_id: int,
        *,
        strict: bool = False,
        locale: discord.Locale | str | None = None,
    ) -> Reply | None:
        """Decide the reply to a question; None means stay silent.

        Notices are in the question's language (the user's locale when the question
        has no letters); ``strict`` (unmentioned messages in answer channels) answers
        only confident matches and never sends notices.
        """
        settings = self.bot.config.discord
        now = time.monotonic()
        question = question.strip()
        lang = lang_of(question, locale)
        if not question:
            return Reply(content=text("empty_question", lang), private=True)
        if len(question) > settings.max_question_chars:
            return (
                None
                if strict
                else Reply(content=text("too_long", lang, limit=settings.max_question_chars), private=True)
            )
        wait = self.bot.user_cooldown.retry_after(user_id, now)
        if wait > 0:
            # Tell the user once per cooldown window, then stay quiet.
            if strict or self._notified.get(user_id, 0) > now:
                return None
            self._notified[user_id] = now + wait
            return Reply(content=text("slow_down", lang, seconds=f"{wait:.0f}"), private=True)
        if self.bot.channel_cooldown.retry_after(channel_id, now) > 0:
            log.info("channel %s is on cooldown; question dropped", channel_id)
            return None
        earlier = self.bot.repeats.earlier(channel_id, question, now)
        if earlier is not None:
            return None if strict else Reply(content=text("repeat", lang, link=earlier.link), private=True)
        answer = self.bot.engine.ask(question)
        if strict and (not answer.answered or answer.score < settings.channel_threshold):
            return None
        knowledge = self.bot.engine.knowledge
        if answer.answered:
            return Reply(embed=answer_embed(answer, knowledge), view=feedback_view(answer), answer=answer)
        return Reply(embed=unsure_embed(answer), view=suggestion_view(answer), answer=answer)

    def remember(self, channel_id: int, question: str, link: str) -> None:
        self.bot.repeats.remember(channel_id, question.strip(), link, time.monotonic())

    def record(self, answer: Answer, origin: str, message_id: int) -> None:
        """Queue the record of an answered or abstained question (after it was sent)."""
        self.bot.queue_record(
            "record a question",
            lambda store: store.record_question(
                answer.question,
                answered=answer.answered,
                score=answer.score,
                entry_id=answer.entry_id,
                kind=answer.kind,
                origin=origin,
                message_id=message_id,
            ),
        )

    # -- messages ---------------------------------------------------------------------

    def question_in(self, message: discord.Message) -> tuple[str, bool] | None:
        """(question, strict) if the message is addressed to the bot, else None."""
        me = self.bot.user
        if me is None:
            return None
        if message.guild is None:
            return message.content, False
        if any(user.id == me.id for user in message.mentions):
            text = re.sub(rf"<@!?{me.id}>", " ", message.content)
            return text, False
        if message.channel.id in self.bot.config.discord.answer_channels:
            return message.content, True
        return None

    @commands.Cog.listener()
    async def on_message(self, message: discord.Message) -> None:
        if message.author.bot or message.webhook_id is not None:
            return
        found = self.question_in(message)
        if found is None:
            return
        if self.bot.is_command(message):
            return  # a prefix command such as "@bot sync", handled by the commands framework
        question, strict = found
        try:
            reply = self.respond(question, message.author.id, message.channel.id, strict=strict)
            if reply is None:
                return
            sent = await message.reply(mention_author=False, **reply.message())  # type: ignore[arg-type]
            if reply.answer is not None:
                self.remember(message.channel.id, question, sent.jump_url)
                origin = "channel" if strict else "dm" if message.guild is None else "mention"
                self.record(reply.answer, origin, sent.id)
        except Exception:
            log.exception("error answering message %s", message.id)
            try:
                apology = text("apology", lang_of(question))
                await message.reply(apology, mention_author=False, allowed_mentions=NO_MENTIONS)
            except discord.HTTPException:
                log.warning("could not send the apology for message %s", message.id)

    # -- slash commands ---------------------------------------------------------------

    @app_commands.command(
        name="ask", description="Ask about the Republic of Korea joining the Freedom Online Coalition"
    )
    @app_commands.describe(question="Your question, e.g. Which member did Korea become?")
    async def ask(self, interaction: discord.Interaction, question: app_commands.Range[str, 1, 2000]) -> None:
        channel_id = interaction.channel_id or interaction.user.id
        reply = self.respond(question, interaction.user.id, channel_id, locale=interaction.locale)
        if reply is None:
            lang = lang_of(question, interaction.locale)
            await interaction.response.send_message(text("busy", lang), ephemeral=True)
            return
        await interaction.response.send_message(ephemeral=reply.private, **reply.message())  # type: ignore[arg-type]
        if reply.answer is not None and not reply.private:
            sent = await interaction.original_response()
            self.remember(channel_id, question, sent.jump_url)
            self.record(reply.answer, "slash", sent.id)

    @ask.autocomplete("question")
    async def ask_autocomplete(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        questions = self.bot.engine.complete(current, limit=25)
        return [app_commands.Choice(name=q[:100], value=q[:100]) for q in questions]

    @app_commands.command(name="help", description="What this bot can do and how to ask")
    async def help(self, interaction: discord.Interaction) -> None:
        knowledge = self.bot.engine.knowledge
        texts = HELP_KO if locale_lang(interaction.locale) == "ko" else HELP_EN
        embed = discord.Embed(title="FOC bot", colour=discord.Colour.blue(), description=texts["about"])
        embed.add_field(name=texts["how_title"], value=texts["how"], inline=False)
        embed.add_field(name=texts["commands_title"], value=texts["commands"], inline=False)
        embed.set_footer(
            text=texts["footer"].format(entries=len(knowledge.entries), facts=len(knowledge.facts))
        )
        await interaction.response.send_message(embed=embed, ephemeral=True)


HELP_EN = {
    "about": "I answer questions about the Republic of Korea joining the Freedom Online Coalition, "
    "from the FOC announcement, and I show the sentence each answer comes from. "
    "When I am not sure, I say so and suggest questions I can answer. I answer in English or Korean.",
    "how_title": "How to ask",
    "how": "Mention me with your question, send me a DM, or use `/ask`.",
    "commands_title": "Commands",
    "commands": "`/ask question:` answer a question\n"
    "`/member [country:]` the membership news, or a country's FOC membership record\n"
    "`/source [paragraph:]` the announcement, or one paragraph verbatim\n"
    "`/facts topic:` the facts of the announcement on a topic\n"
    "`/help` this message",
    "footer": "{entries} curated answers · {facts} fact cards",
}
HELP_KO = {
    "about": "자유온라인연합(FOC) 발표문을 바탕으로 대한민국의 FOC 가입에 관한 질문에 답하고, "
    "답의 근거가 된 문장을 보여 드립니다. 확실하지 않으면 모른다고 말하고 답할 수 있는 질문을 제안합니다. "
    "한국어와 영어로 답합니다.",
    "how_title": "질문하는 방법",
    "how": "저를 멘션해서 질문하거나, DM을 보내거나, `/ask`(질문)를 사용하세요.",
    "commands_title": "명령어",
    "commands": "`/ask question:` 질문에 답하기\n"
    "`/member [country:]` 가입 소식 또는 국가별 FOC 회원국 기록\n"
    "`/source [paragraph:]` 발표문 정보 또는 한 문단 원문\n"
    "`/facts topic:` 주제별 발표문 속 사실\n"
    "`/help` 이 도움말",
    "footer": "선별 답변 {entries}개 · 사실 카드 {facts}개",
}
