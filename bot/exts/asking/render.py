"""Turning engine answers into Discord messages: embeds for answers and abstentions.

Everything shown is escaped so that text from users or from the knowledge cannot
format the message unexpectedly, and every send uses ``AllowedMentions.none()``.
Members see the answer, the question it answers, its source (linked when the
document's metadata has a ``url``) and the confidence; never internal ids.
"""

from __future__ import annotations

import re

import discord

from ...engine.answer import Answer, Suggestion
from ...i18n import text
from ...knowledge.model import Knowledge, SourceRef

ANSWER_COLOUR = discord.Colour.blue()
UNSURE_COLOUR = discord.Colour.light_grey()
_FIELD_LIMIT = 1024
_TITLE_LIMIT = 256
_QUOTES = str.maketrans({"“": '"', "”": '"', "‘": "'", "’": "'"})


def safe(text: str, limit: int = 4000) -> str:
    """Text with markdown and mentions neutralized, cut to ``limit`` characters."""
    text = discord.utils.escape_mentions(discord.utils.escape_markdown(text))
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _plain(text: str) -> str:
    """Text compared for "is this the same words": quotes straightened, spacing collapsed."""
    return re.sub(r"\s+", " ", text.translate(_QUOTES)).strip(" \"'").casefold()


def quotes_itself(answer_text: str, quote: str) -> bool:
    """Whether the answer already holds the whole quote (a full-quotation answer)."""
    return bool(quote.strip()) and _plain(quote) in _plain(answer_text)


def document_title(knowledge: Knowledge, source: SourceRef) -> str:
    """The source document's title, escaped, as a link when its metadata has a url."""
    doc = knowledge.documents.get(source.document)
    title = safe(doc.title if doc else source.document, 200)
    url = doc.url if doc else None
    return f"[{title}]({url})" if url else title


def source_text(source: SourceRef, knowledge: Knowledge, lang: str = "en", *, quote: bool = True) -> str:
    """'Title, paragraph N' and (unless ``quote`` is false) the quoted sentence."""
    head = f"{document_title(knowledge, source)}, {text('paragraph', lang)} {source.paragraph}"
    if not quote:
        return head
    # The quote mark closes after the (possibly cut) quote: escape first, then cut.
    body = safe(source.quote, _FIELD_LIMIT - len(head) - 8)
    return f"{head}\n> “{body}”"


def answer_embed(answer: Answer, knowledge: Knowledge, *, question: str | None = None) -> discord.Embed:
    """The embed for an answered question, titled with the question it answers."""
    assert answer.answered and answer.source is not None
    lang = answer.lang
    shown = (question if question is not None else answer.question).strip()
    embed = discord.Embed(description=safe(answer.text or ""), colour=ANSWER_COLOUR)
    if shown:
        embed.title = safe(shown, _TITLE_LIMIT)
    # A full-quotation answer (the minister's statement) already shows its quote.
    with_quote = not quotes_itself(answer.text or "", answer.source.quote)
    embed.add_field(
        name=text("source", lang),
        value=source_text(answer.source, knowledge, lang, quote=with_quote),
        inline=False,
    )
    embed.set_footer(text=f"{text('confidence', lang)} {answer.score:.0f}/100")
    return embed


# The ids a suggestion button can carry and route back (a custom id is at most 100
# characters); a document's file name makes its cards' ids and is not restricted so.
ENTRY_ID = r"[a-z0-9-]{1,90}"


def clickable(answer: Answer) -> list[Suggestion]:
    """The suggestions of ``answer`` that a button can offer."""
    return [s for s in answer.suggestions if re.fullmatch(ENTRY_ID, s.entry_id)]


def unsure_embed(answer: Answer, lang: str | None = None) -> discord.Embed:
    """The embed for an abstention: an honest "I don't know", with suggestions if any."""
    lang = lang or answer.lang
    # The heading announces the buttons shown: without one to click, it points to /help.
    usable = clickable(answer)
    heading = "may_answer" if any(s.is_sentence for s in usable) else "did_you_mean"
    lines = [text("unsure", lang), text(heading if usable else "try_help", lang)]
    embed = discord.Embed(description="\n".join(lines), colour=UNSURE_COLOUR)
    if answer.question.strip():
        embed.title = safe(answer.question.strip(), _TITLE_LIMIT)
    return embed


def paragraph_embed(
    knowledge: Knowledge, document: str, number: int, lang: str = "en"
) -> discord.Embed | None:
    """One paragraph of a source document, verbatim; None if it does not exist."""
    doc = knowledge.documents.get(document)
    if doc is None or not 1 <= number <= len(doc.paragraphs):
        return None
    embed = discord.Embed(
        title=f"{text('paragraph_title', lang)} {number}",
        description=safe(doc.paragraph(number)),
        colour=ANSWER_COLOUR,
    )
    if doc.url:
        embed.url = doc.url
    embed.set_footer(text=f"{doc.title} — {doc.publisher}, {doc.date}"[:2048])
    return embed
