"""Turning engine answers into Discord messages: embeds and suggestion buttons.

Everything shown is escaped so that text from users or from the knowledge cannot
format the message unexpectedly, and every send uses ``AllowedMentions.none()``.
"""

from __future__ import annotations

import discord

from ...engine.answer import Answer
from ...i18n import text
from ...knowledge.model import Knowledge, SourceRef

ANSWER_COLOUR = discord.Colour.blue()
UNSURE_COLOUR = discord.Colour.light_grey()
_FIELD_LIMIT = 1024


def safe(text: str, limit: int = 4000) -> str:
    """Text with markdown and mentions neutralized, cut to ``limit`` characters."""
    text = discord.utils.escape_mentions(discord.utils.escape_markdown(text))
    return text if len(text) <= limit else text[: limit - 1] + "…"


def source_text(source: SourceRef, knowledge: Knowledge, lang: str = "en") -> str:
    """'Title, paragraph N' and the quoted sentence, for an embed field."""
    doc = knowledge.documents.get(source.document)
    title = doc.title if doc else source.document
    head = f"{safe(title, 200)}, {text('paragraph', lang)} {source.paragraph}"
    quote = safe(source.quote, _FIELD_LIMIT - len(head) - 8)
    return f"{head}\n> “{quote}”"


def answer_embed(answer: Answer, knowledge: Knowledge) -> discord.Embed:
    """The embed for an answered question."""
    assert answer.answered and answer.source is not None
    lang = answer.lang
    embed = discord.Embed(description=safe(answer.text or ""), colour=ANSWER_COLOUR)
    embed.add_field(
        name=text("source", lang), value=source_text(answer.source, knowledge, lang), inline=False
    )
    embed.set_footer(
        text=f"{text('confidence', lang)} {answer.score:.0f}/100 · {answer.kind}:{answer.entry_id}"
    )
    return embed


def unsure_embed(answer: Answer) -> discord.Embed:
    """The embed for an abstention: an honest "I don't know", with suggestions if any."""
    lang = answer.lang
    lines = [text("unsure", lang), text("did_you_mean" if answer.suggestions else "try_help", lang)]
    return discord.Embed(description="\n".join(lines), colour=UNSURE_COLOUR)
