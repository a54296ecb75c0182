"""``/member``: the Republic of Korea's membership news, or one country's record.

A country without a record gets "no record in the knowledge", never "not a member":
the membership list is incomplete by nature.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from ...client import NO_MENTIONS
from ...i18n import lang_of, text
from ...knowledge.members import Member
from ...knowledge.model import Knowledge, SourceRef
from ..asking.render import safe, source_text

if TYPE_CHECKING:
    from ...client import FOCBot

NEWS_COUNTRY = "Republic of Korea"


def news_embed(knowledge: Knowledge) -> discord.Embed:
    """The membership news: the paragraph that the Republic of Korea's membership record
    quotes (members.yaml), every sentence of it verbatim, with its source."""
    embed = discord.Embed(
        title="The Republic of Korea joins the Freedom Online Coalition", colour=discord.Colour.blue()
    )
    record = knowledge.members.find(NEWS_COUNTRY) if knowledge.members else None
    source = record.source if record is not None else None
    doc = knowledge.documents.get(source.document) if isinstance(source, SourceRef) else None
    if doc is None:
        embed.description = "The knowledge holds no membership news with a source document."
        return embed
    for sentence in doc.sentences(source.paragraph):
        embed.add_field(name="\u200b", value=safe(sentence, 1000), inline=False)
    embed.add_field(name="Source", value=source_text(source, knowledge), inline=False)
    embed.set_footer(text=f"{doc.publisher}, {doc.date}")
    return embed


def member_embed(member: Member, knowledge: Knowledge) -> discord.Embed:
    """One country's record and its source."""
    embed = discord.Embed(
        title=safe(member.country, 200), description=safe(member.summary()), colour=discord.Colour.blue()
    )
    if member.aliases:
        embed.add_field(name="Also known as", value=safe(", ".join(member.aliases), 1000), inline=False)
    if isinstance(member.source, SourceRef):
        embed.add_field(name="Source", value=source_text(member.source, knowledge), inline=False)
    else:
        embed.add_field(name="Source", value=f"<{member.source}>"[:1024], inline=False)
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
        if country is None:
            await interaction.response.send_message(embed=news_embed(knowledge), allowed_mentions=NO_MENTIONS)
            return
        members = knowledge.members
        record = members.find(country) if members else None
        if record is None:
            lang = lang_of(country, interaction.locale)
            await interaction.response.send_message(
                text("no_member_record", lang, country=safe(country, 100)), allowed_mentions=NO_MENTIONS
            )
            return
        await interaction.response.send_message(
            embed=member_embed(record, knowledge), allowed_mentions=NO_MENTIONS
        )

    @member.autocomplete("country")
    async def member_autocomplete(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        members = self.bot.engine.knowledge.members
        names = members.complete(current, limit=25) if members else []
        return [app_commands.Choice(name=name, value=name) for name in names]
