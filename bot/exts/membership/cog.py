"""``/member``: the Republic of Korea's membership news, or one country's record.

A country without a record gets "no record in the knowledge", never "not a member":
the membership list is incomplete by nature. The reply is in the client's language
(``interaction.locale``), or the country's when it is written in Korean; the record's
note and the source quote stay as the knowledge writes them (English).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from ...client import NO_MENTIONS
from ...i18n import locale_lang, text
from ...knowledge.members import Member
from ...knowledge.model import Knowledge, SourceRef
from ...lang.korean import language
from ..asking.render import safe, source_text

if TYPE_CHECKING:
    from ...client import FOCBot

NEWS_COUNTRY = "Republic of Korea"


def news_embed(knowledge: Knowledge, lang: str = "en") -> discord.Embed:
    """The membership news: the paragraph that the Republic of Korea's membership record
    quotes (members.yaml), every sentence of it verbatim, with its source."""
    embed = discord.Embed(title=text("news_title", lang), colour=discord.Colour.blue())
    record = knowledge.members.find(NEWS_COUNTRY) if knowledge.members else None
    source = record.source if record is not None else None
    doc = knowledge.documents.get(source.document) if isinstance(source, SourceRef) else None
    if doc is None:
        embed.description = text("no_news", lang)
        return embed
    for sentence in doc.sentences(source.paragraph):
        embed.add_field(name="\u200b", value=safe(sentence, 1000), inline=False)
    embed.add_field(name=text("source", lang), value=source_text(source, knowledge, lang), inline=False)
    embed.set_footer(text=f"{doc.publisher}, {doc.date}")
    return embed


def summary_ko(member: Member) -> str:
    """The record in one Korean sentence (the note, if any, follows in English)."""
    if member.withdrew:
        head = f"{member.country}은(는) 자유온라인연합(FOC) 회원국이었으며 {member.withdrew}에 탈퇴했습니다."
    else:
        details = []
        if member.ordinal:
            details.append(f"{member.ordinal}번째 회원국")
        if member.founding:
            details.append("창립 회원국")
        if member.joined:
            details.append(f"{member.joined}년 가입")
        extra = f" ({', '.join(details)})" if details else ""
        head = f"{member.country}은(는) 자유온라인연합(FOC) 회원국으로 기록되어 있습니다{extra}."
    return f"{head} {member.note}" if member.note else head


def member_embed(member: Member, knowledge: Knowledge, lang: str = "en") -> discord.Embed:
    """One country's record and its source."""
    summary = summary_ko(member) if lang == "ko" else member.summary()
    embed = discord.Embed(
        title=safe(member.country, 200), description=safe(summary), colour=discord.Colour.blue()
    )
    if member.aliases:
        embed.add_field(
            name=text("also_known_as", lang), value=safe(", ".join(member.aliases), 1000), inline=False
        )
    if isinstance(member.source, SourceRef):
        embed.add_field(
            name=text("source", lang), value=source_text(member.source, knowledge, lang), inline=False
        )
    else:
        embed.add_field(name=text("source", lang), value=f"<{member.source}>"[:1024], inline=False)
    return embed


class Membership(commands.Cog):
    """Who is a member of the FOC, as far as the knowledge records."""

    def __init__(self, bot: FOCBot) -> None:
        self.bot = bot

    @app_commands.command(name="member", description="FOC membership: Korea's news, or a country's record")
    @app_commands.describe(country="A country (leave empty for the Republic of Korea's membership news)")
    async def member(
        self, interaction: discord.Interaction, country: app_commands.Range[str, 1, 100] | None = None
    ) -> None:
        knowledge = self.bot.engine.knowledge
        lang = locale_lang(interaction.locale)
        if country is not None and language(country) == "ko":
            lang = "ko"  # a country written in Korean: answer in Korean
        if country is None:
            await interaction.response.send_message(
                embed=news_embed(knowledge, lang), allowed_mentions=NO_MENTIONS
            )
            return
        members = knowledge.members
        record = members.find(country) if members else None
        if record is None:
            await interaction.response.send_message(
                text("no_member_record", lang, country=safe(country, 100)), allowed_mentions=NO_MENTIONS
            )
            return
        await interaction.response.send_message(
            embed=member_embed(record, knowledge, lang), allowed_mentions=NO_MENTIONS
        )

    @member.autocomplete("country")
    async def member_autocomplete(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        members = self.bot.engine.knowledge.members
        names = members.complete(current, limit=25) if members else []
        return [app_commands.Choice(name=name, value=name) for name in names]
