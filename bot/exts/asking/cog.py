"""Asking: mentions, DMs, listed channels, ``/ask``, ``/faq``, ``/help`` and the message
context menu "Ask FOC bot".

Every path goes through :meth:`Asking.respond`, which applies the anti-spam rules
(:mod:`.policy`: length cap, per-user and per-channel cooldowns; then repeated
questions) and renders the engine's answer; the engine itself knows nothing of Discord.
Nothing addressed to the bot goes unanswered: a question held back by a cooldown or the
length cap gets a reaction (⏳, 📏) on a mention, since a public reply would not be
private, and a private notice on an interaction or in a DM. Each answer or abstention
that is sent is recorded in the database (:meth:`Asking.record`, never who asked), and a
failing record never costs the asker the answer.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from ...client import NO_MENTIONS
from ...engine.answer import Answer
from ...i18n import lang_of, locale_lang, text
from .faq import faq_message
from .help import CommandIds, help_embed, is_help_request
from .policy import Cooldowns, Hold, channel_threshold, held_back, is_answer_channel, max_question_chars
from .render import answer_embed, unsure_embed
from .suggest import complete_questions
from .views import answer_view, suggestion_view

if TYPE_CHECKING:
    from ...client import FOCBot

log = logging.getLogger(__name__)
APOLOGY = text("apology")
# The reaction that shows a mention was seen but held back, by reason.
HOLD_REACTIONS = {"user": "⏳", "channel": "⏳", "too_long": "📏"}


@dataclass(frozen=True, slots=True)
class Reply:
    """What to send back: text and/or an embed and view; ``None`` fields are omitted."""

    content: str | None = None
    embed: discord.Embed | None = None
    view: discord.ui.View | None = None
    answer: Answer | None = None
    private: bool = False  # for notices: ephemeral on slash commands
    hold: Hold | None = None  # set when a cooldown or the length cap held the question back

    def message(self) -> dict[str, object]:
        """The parts of the reply to send (content, embed, view), none of which pings."""
        parts: dict[str, object] = {"allowed_mentions": NO_MENTIONS}
        for key in ("content", "embed", "view"):
            value = getattr(self, key)
            if value is not None:
                parts[key] = value
        return parts


def hold_notice(hold: Hold, lang: str, limit: int) -> str:
    if hold.reason == "too_long":
        return text("too_long", lang, limit=limit)
    seconds = f"{max(1.0, hold.wait):.0f}"
    return text("slow_down" if hold.reason == "user" else "slow_down_channel", lang, seconds=seconds)


class Asking(commands.Cog):
    """Answers questions wherever they are asked."""

    def __init__(self, bot: FOCBot) -> None:
        self.bot = bot
        self.cooldowns = Cooldowns()
        self.command_ids = CommandIds(bot)
        # /ask refuses longer questions than the bot answers: the option says so too.
        self.ask._params["question"].max_value = bot.config.discord.max_question_chars
        self.context_menu = app_commands.ContextMenu(name="Ask FOC bot", callback=self.ask_message)
        bot.tree.add_command(self.context_menu)

    async def cog_unload(self) -> None:
        self.bot.tree.remove_command(self.context_menu.name, type=self.context_menu.type)

    # -- the shared path ------------------------------------------------------------

    async def respond(
        self,
        question: str,
        user_id: int,
        channel_id: int,
        *,
        guild_id: int | None = None,
        strict: bool = False,
        locale: discord.Locale | str | None = None,
        private: bool = False,
    ) -> Reply | None:
        """Decide the reply to a question; None only for ``strict`` messages.

        Notices are in the question's language (the user's locale when the question
        has no letters); ``strict`` (unmentioned messages in answer channels) answers
        only confident matches and is otherwise silent: those were not addressed to
        the bot. ``private`` answers carry a Share button.
        """
        now = time.monotonic()
        question = question.strip()
        lang = lang_of(question, locale)
        if not question:
            return Reply(content=text("empty_question", lang), private=True)
        hold = held_back(self.bot, guild_id, user_id, channel_id, question, now, cooldowns=self.cooldowns)
        if hold is not None:
            if strict:
                return None
            limit = max_question_chars(self.bot, guild_id)
            return Reply(content=hold_notice(hold, lang, limit), private=True, hold=hold)
        if not private:
            earlier = self.bot.repeats.earlier(channel_id, question, now)
            if earlier is not None:
                return (
                    None if strict else Reply(content=text("repeat", lang, link=earlier.link), private=True)
                )
        # Answering embeds the question (tens of milliseconds): off the event loop, so the
        # gateway's heartbeat and other messages are not held while it runs.
        answer = await asyncio.to_thread(self.bot.engine.ask, question)
        if strict and (not answer.answered or answer.score < channel_threshold(self.bot, guild_id)):
            return None
        knowledge = self.bot.engine.knowledge
        if answer.answered:
            embed = answer_embed(answer, knowledge, question=question)
            return Reply(embed=embed, view=answer_view(answer, private=private), answer=answer)
        # The bot's own "I don't know" is in Korean for a Korean question or a Korean client.
        unsure_lang = "ko" if "ko" in (answer.lang, locale_lang(locale)) else "en"
        return Reply(embed=unsure_embed(answer, unsure_lang), view=suggestion_view(answer), answer=answer)

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

    async def help_for(self, guild_id: int | None, lang: str) -> discord.Embed:
        knowledge = self.bot.engine.knowledge
        ids = await self.command_ids.ids(guild_id)
        return help_embed(ids, lang, len(knowledge.entries), len(knowledge.facts))

    # -- messages ---------------------------------------------------------------------

    def addressed_to_me(self, message: discord.Message) -> bool:
        """Whether the message mentions the bot: its user, or its managed role (which
        Discord's @ picker offers under the bot's name)."""
        me = self.bot.user
        if me is None:
            return False
        if any(user.id == me.id for user in message.mentions):
            return True
        return any(role.tags is not None and role.tags.bot_id == me.id for role in message.role_mentions)

    def question_in(self, message: discord.Message) -> tuple[str, bool] | None:
        """(question, strict) if the message is addressed to the bot, else None."""
        me = self.bot.user
        if me is None:
            return None
        if message.guild is None:
            return message.content, False
        if self.addressed_to_me(message):
            own_roles = {role.id for role in message.role_mentions if role.tags and role.tags.bot_id == me.id}
            text_ = re.sub(rf"<@!?{me.id}>", " ", message.content)
            for role_id in own_roles:
                text_ = text_.replace(f"<@&{role_id}>", " ")
            return text_, False
        if is_answer_channel(self.bot, message.guild.id, message.channel.id):
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
        guild_id = message.guild.id if message.guild else None
        try:
            if not message.content and not strict and not message.mentions:
                # Mentioned through the bot's role without the message content intent:
                # Discord sends such messages without their text. Say how to ask instead.
                await message.reply(
                    text("role_mention_unreadable"), mention_author=False, allowed_mentions=NO_MENTIONS
                )
                return
            if not strict and is_help_request(question):
                embed = await self.help_for(guild_id, lang_of(question))
                await message.reply(embed=embed, mention_author=False, allowed_mentions=NO_MENTIONS)
                return
            reply = await self.respond(
                question, message.author.id, message.channel.id, guild_id=guild_id, strict=strict
            )
            if reply is None:
                return
            if reply.hold is not None and message.guild is not None:
                # A public notice would not be private: a reaction says "seen, held back".
                try:
                    await message.add_reaction(HOLD_REACTIONS[reply.hold.reason])
                    return
                except discord.HTTPException as error:
                    # No Add Reactions permission (403): the notice, publicly, beats silence.
                    log.info("could not react to message %s (%s); replying instead", message.id, error.status)
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
    @app_commands.describe(
        question="Your question, e.g. Which member did Korea become?",
        private="Only you see the answer (it has a Share button)",
    )
    async def ask(
        self,
        interaction: discord.Interaction,
        # max_length is set from discord.max_question_chars in __init__.
        question: app_commands.Range[str, 1, 2000] | None = None,
        private: bool = False,
    ) -> None:
        if question is None or not question.strip():
            content, view = faq_message(self.bot, locale_lang(interaction.locale))
            await interaction.response.send_message(content, view=view, ephemeral=True)
            return
        channel_id = interaction.channel_id or interaction.user.id
        reply = await self.respond(
            question,
            interaction.user.id,
            channel_id,
            guild_id=interaction.guild_id,
            locale=interaction.locale,
            private=private,
        )
        assert reply is not None  # only strict messages go unanswered
        ephemeral = reply.private or private
        await interaction.response.send_message(ephemeral=ephemeral, **reply.message())  # type: ignore[arg-type]
        if reply.answer is not None:
            sent = await interaction.original_response()
            if not ephemeral:
                self.remember(channel_id, question, sent.jump_url)
            self.record(reply.answer, "slash", sent.id)

    @ask.autocomplete("question")
    async def ask_autocomplete(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        questions = complete_questions(self.bot.engine, current, locale_lang(interaction.locale))
        return [app_commands.Choice(name=q[:100], value=q[:100]) for q in questions]

    @app_commands.command(name="faq", description="Browse the questions the bot can answer, by topic")
    async def faq(self, interaction: discord.Interaction) -> None:
        content, view = faq_message(self.bot, locale_lang(interaction.locale))
        await interaction.response.send_message(content, view=view, ephemeral=True)

    @app_commands.command(name="help", description="What this bot can do and how to ask")
    async def help(self, interaction: discord.Interaction) -> None:
        embed = await self.help_for(interaction.guild_id, locale_lang(interaction.locale))
        await interaction.response.send_message(embed=embed, ephemeral=True)

    # -- the message context menu ------------------------------------------------------

    async def ask_message(self, interaction: discord.Interaction, message: discord.Message) -> None:
        """ "Ask FOC bot" on someone's message: reply to it with the answer.

        The invoker gets a private note with a link; where the bot cannot post (no
        permission), the answer itself is shown privately instead.
        """
        lang = locale_lang(interaction.locale)
        question = message.content.strip()
        if not question:
            await interaction.response.send_message(text("no_question_in_message", lang), ephemeral=True)
            return
        channel_id = interaction.channel_id or interaction.user.id
        reply = await self.respond(
            question,
            interaction.user.id,
            channel_id,
            guild_id=interaction.guild_id,
            locale=interaction.locale,
        )
        assert reply is not None
        if reply.answer is None:
            # A notice (cooldown, too long, a repeat): only for the invoker.
            await interaction.response.send_message(ephemeral=True, **reply.message())  # type: ignore[arg-type]
            return
        await interaction.response.defer(ephemeral=True, thinking=True)
        try:
            sent = await message.reply(mention_author=False, **reply.message())  # type: ignore[arg-type]
        except discord.HTTPException as error:
            log.info("could not reply to message %s (%s); answering privately", message.id, error.status)
            private = replace(reply, view=answer_view(reply.answer, private=True))
            await interaction.followup.send(
                text("cannot_reply_here", lang),
                ephemeral=True,
                **private.message(),  # type: ignore[arg-type]
            )
            return
        self.remember(channel_id, question, sent.jump_url)
        self.record(reply.answer, "mention", sent.id)
        await interaction.followup.send(
            text("asked_in_message", lang, link=sent.jump_url), ephemeral=True, allowed_mentions=NO_MENTIONS
        )
