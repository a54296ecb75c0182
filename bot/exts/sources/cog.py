"""``/source`` (the document or one paragraph verbatim) and ``/facts`` (fact cards on a topic)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from ...client import NO_MENTIONS
from ..asking.render import safe, source_text

if TYPE_CHECKING:
    from ...client import FOCBot


class Sources(commands.Cog):
    """Show what the answers come from."""

    def __init__(self, bot: FOCBot) -> None:
        self.bot = bot

    @app_commands.command(
        name="source", description="The announcement's title, publisher and date, or one paragraph verbatim"
    )
    @app_commands.describe(paragraph="A paragraph number (1 is the title)")
    async def source(
        self, interaction: discord.Interaction, paragraph: app_commands.Range[int, 1, 1000] | None = None
    ) -> None:
        knowledge = self.bot.engine.knowledge
        doc = next(iter(knowledge.documents.values()))
        if paragraph is None:
            embed = discord.Embed(title=safe(doc.title, 256), colour=discord.Colour.blue())
            embed.add_field(name="Publisher", value=safe(doc.publisher, 1024))
            embed.add_field(name="Date", value=safe(doc.date, 1024))
            embed.add_field(name="Paragraphs", value=str(len(doc.paragraphs)))
            if doc.url:
                embed.url = doc.url
            await interaction.response.send_message(embed=embed, allowed_mentions=NO_MENTIONS)
            return
        if paragraph > len(doc.paragraphs):
            await interaction.response.send_message(
                f"The announcement has paragraphs 1 to {len(doc.paragraphs)}.", ephemeral=True
            )
            return
        embed = discord.Embed(
            title=f"Paragraph {paragraph}",
            description=safe(doc.paragraph(paragraph)),
            colour=discord.Colour.blue(),
        )
        embed.set_footer(text=f"{doc.title} — {doc.publisher}, {doc.date}"[:2048])
        await interaction.response.send_message(embed=embed, allowed_mentions=NO_MENTIONS)

    @app_commands.command(name="facts", description="Facts from the announcement on a topic")
    @app_commands.describe(topic="A topic, e.g. human rights conventions, Summit for Democracy")
    async def facts(self, interaction: discord.Interaction, topic: app_commands.Range[str, 1, 200]) -> None:
        engine = self.bot.engine
        cards = engine.facts_about(topic, limit=5)
        if not cards:
            await interaction.response.send_message(
                f"I have no facts on **{safe(topic, 100)}** in the announcement. Try `/help`.",
                ephemeral=True,
                allowed_mentions=NO_MENTIONS,
            )
            return
        embed = discord.Embed(title=f"Facts: {safe(topic, 200)}", colour=discord.Colour.blue())
        for card in cards:
            embed.add_field(
                name=safe(card.text, 250), value=source_text(card.source, engine.knowledge), inline=False
            )
        await interaction.response.send_message(embed=embed, allowed_mentions=NO_MENTIONS)
