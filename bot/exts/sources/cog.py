"""``/source`` (the document or one paragraph verbatim) and ``/facts`` (fact cards on a topic).

Both reply in the client's language (``interaction.locale``) where a translation exists;
the document's text stays as published (English). ``/source paragraph`` offers the
document's paragraphs (autocomplete, bounded by their number) and answers a number
out of range politely; ``/facts topic`` offers the knowledge's topics and acronyms, and
a Korean topic finds the facts of the entries the engine ranks best for it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from ...client import NO_MENTIONS
from ...engine.engine import Engine
from ...i18n import locale_lang, text
from ...knowledge.model import Entry, FactCard
from ...knowledge.sources import Document
from ...lang.korean import language
from ..asking.render import document_title, paragraph_embed, quotes_itself, safe

if TYPE_CHECKING:
    from ...client import FOCBot

_FACTS = 5
_RANKED_FLOOR = 45  # a Korean topic: entries ranked at least this lead to their facts
_PREVIEW = 80


def balanced(sentence: str) -> str:
    """A sentence cut out of a quotation, with the quote mark it lacks (“...”)."""
    opens, closes = sentence.count("“"), sentence.count("”")
    if closes > opens:
        return "“" + sentence
    if opens > closes:
        return sentence + "”"
    return sentence


def facts_for_topic(engine: Engine, topic: str) -> list[FactCard]:
    """The fact cards on a topic; for Korean topics, those the best-ranked entries quote."""
    cards = engine.facts_about(topic, limit=_FACTS)
    if cards or language(topic) != "ko":
        return cards
    facts = engine.knowledge.facts
    found: list[FactCard] = []
    for candidate in engine.rank(topic, limit=_FACTS * 2):
        if candidate.score < _RANKED_FLOOR:
            break
        item = candidate.item
        if isinstance(item, FactCard):
            matches = [item]
        elif isinstance(item, Entry):
            quote = item.source.quote
            matches = [c for c in facts if c.type == "sentence" and quote and quote in c.text]
        else:
            matches = []
        for card in matches:
            if card not in found:
                found.append(card)
    return found[:_FACTS]


def fact_lines(card: FactCard, engine: Engine, lang: str) -> tuple[str, str]:
    """(field name, value): where the fact is from, then the fact itself, shown once."""
    source = card.source
    head = f"{text('paragraph', lang).capitalize()} {source.paragraph}"
    value = safe(balanced(card.text), 900)
    if not quotes_itself(card.text, source.quote):
        # An acronym or a date card: the sentence it was read from, as its source.
        value += f"\n> {safe(balanced(source.quote), 100)}"
    value += f"\n— {document_title(engine.knowledge, source)}"
    return head, value[:1024]


def first_document(engine: Engine) -> Document:
    return next(iter(engine.knowledge.documents.values()))


class Sources(commands.Cog):
    """Show what the answers come from."""

    def __init__(self, bot: FOCBot) -> None:
        self.bot = bot
        # The option's range is the document's paragraphs (checked again at each use:
        # a reload can change them before the next sync).
        self.source._params["paragraph"].max_value = max(1, len(first_document(bot.engine).paragraphs))

    @app_commands.command(
        name="source", description="The announcement's title, publisher and date, or one paragraph verbatim"
    )
    @app_commands.describe(paragraph="A paragraph number (1 is the title)")
    async def source(
        self, interaction: discord.Interaction, paragraph: app_commands.Range[int, 1, 1000] | None = None
    ) -> None:
        knowledge = self.bot.engine.knowledge
        lang = locale_lang(interaction.locale)
        doc = first_document(self.bot.engine)
        if paragraph is None:
            embed = discord.Embed(title=safe(doc.title, 256), colour=discord.Colour.blue())
            embed.add_field(name=text("publisher", lang), value=safe(doc.publisher, 1024))
            embed.add_field(name=text("date", lang), value=safe(doc.date, 1024))
            embed.add_field(name=text("paragraphs", lang), value=str(len(doc.paragraphs)))
            if doc.url:
                embed.url = doc.url
                embed.add_field(name=text("web_address", lang), value=f"<{doc.url}>"[:1024], inline=False)
            await interaction.response.send_message(embed=embed, allowed_mentions=NO_MENTIONS)
            return
        embed = paragraph_embed(knowledge, doc.id, paragraph, lang)
        if embed is None:
            await interaction.response.send_message(
                text("no_paragraph", lang, count=len(doc.paragraphs)), ephemeral=True
            )
            return
        await interaction.response.send_message(embed=embed, allowed_mentions=NO_MENTIONS)

    @source.autocomplete("paragraph")
    async def source_autocomplete(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[int]]:
        doc = first_document(self.bot.engine)
        typed = str(current).strip()
        choices = []
        for number, paragraph in enumerate(doc.paragraphs, start=1):
            if typed and not str(number).startswith(typed):
                continue
            preview = " ".join(paragraph.split())
            preview = preview if len(preview) <= _PREVIEW else preview[: _PREVIEW - 1] + "…"
            choices.append(app_commands.Choice(name=f"{number}. {preview}"[:100], value=number))
        return choices[:25]

    @app_commands.command(name="facts", description="Facts from the announcement on a topic")
    @app_commands.describe(topic="A topic, e.g. human rights conventions, Summit for Democracy")
    async def facts(self, interaction: discord.Interaction, topic: app_commands.Range[str, 1, 200]) -> None:
        engine = self.bot.engine
        lang = "ko" if language(topic) == "ko" else locale_lang(interaction.locale)
        cards = facts_for_topic(engine, topic)
        if not cards:
            await interaction.response.send_message(
                text("no_facts", lang, topic=safe(topic, 100)), ephemeral=True, allowed_mentions=NO_MENTIONS
            )
            return
        embed = discord.Embed(
            title=text("facts_title", lang, topic=safe(topic, 200)), colour=discord.Colour.blue()
        )
        for card in cards:
            name, value = fact_lines(card, engine, lang)
            embed.add_field(name=name, value=value, inline=False)
        await interaction.response.send_message(embed=embed, allowed_mentions=NO_MENTIONS)

    @facts.autocomplete("topic")
    async def facts_autocomplete(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        lang = locale_lang(interaction.locale)
        if current and language(current) == "ko":
            lang = "ko"
        knowledge = self.bot.engine.knowledge
        names = [knowledge.topic_name(tag, lang) for tag in knowledge.topics]
        acronyms = [c.text.split()[0] for c in knowledge.facts if c.type == "acronym"]
        typed = current.strip().casefold()
        found = [n for n in dict.fromkeys([*names, *acronyms]) if typed in n.casefold()]
        return [app_commands.Choice(name=n[:100], value=n[:100]) for n in found[:25]]
