"""Buttons under answers: suggestions, "Show paragraph" and "Share".

All are dynamic items (their custom id carries what they need: an entry id, a
document and paragraph, a language), so they keep working after a restart or a
knowledge reload. :func:`answer_view` puts together the buttons of one answer.
"""

from __future__ import annotations

import logging
import re
from typing import TYPE_CHECKING

import discord

from ...client import NO_MENTIONS
from ...engine.answer import Answer
from ...i18n import locale_lang, text
from ...lang.korean import language
from .feedback import FeedbackButton, feedback_buttons
from .render import ENTRY_ID, answer_embed, clickable, paragraph_embed

if TYPE_CHECKING:
    from ...client import FOCBot

log = logging.getLogger(__name__)

PREFIX = "foc:ask:"
_MAX_LABEL = 80
# Custom ids are at most 100 characters.
_MAX_CUSTOM_ID = 100


class SuggestionButton(discord.ui.DynamicItem[discord.ui.Button], template=rf"foc:ask:(?P<entry>{ENTRY_ID})"):
    """A button that asks one knowledge entry's question (the answer is private, with Share)."""

    def __init__(self, entry_id: str, label: str = "Ask this") -> None:
        label = label if len(label) <= _MAX_LABEL else label[: _MAX_LABEL - 1] + "…"
        super().__init__(
            discord.ui.Button(label=label, style=discord.ButtonStyle.secondary, custom_id=PREFIX + entry_id)
        )
        self.entry_id = entry_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Button, match: re.Match[str], /
    ) -> SuggestionButton:
        return cls(match["entry"], item.label or "Ask this")

    async def callback(self, interaction: discord.Interaction) -> None:
        # Answer in the language of the suggestion that was clicked.
        await send_entry_answer(interaction, self.entry_id, language(self.item.label or ""), private=True)


async def send_entry_answer(
    interaction: discord.Interaction, entry_id: str, lang: str, *, private: bool
) -> None:
    """Answer with one entry's answer (private ones get a Share button)."""
    bot: FOCBot = interaction.client  # type: ignore[assignment]
    engine = bot.engine
    answer = engine.answer_for(entry_id, lang=lang)
    if answer is None:
        await interaction.response.send_message(
            text("suggestion_gone", locale_lang(interaction.locale)), ephemeral=True
        )
        return
    kwargs: dict[str, object] = {}
    view = answer_view(answer, private=private)
    if view is not None:
        kwargs["view"] = view
    await interaction.response.send_message(
        embed=answer_embed(answer, engine.knowledge),
        ephemeral=private,
        allowed_mentions=NO_MENTIONS,
        **kwargs,  # type: ignore[arg-type]
    )


class ShowParagraphButton(
    discord.ui.DynamicItem[discord.ui.Button],
    template=r"foc:para:(?P<lang>en|ko):(?P<number>[0-9]{1,4}):(?P<doc>[A-Za-z0-9_.-]{1,80})",
):
    """Shows the whole paragraph an answer is quoted from, privately."""

    def __init__(self, document: str, number: int, lang: str = "en") -> None:
        super().__init__(
            discord.ui.Button(
                label=text("show_paragraph", lang),
                style=discord.ButtonStyle.secondary,
                custom_id=f"foc:para:{lang}:{number}:{document}",
            )
        )
        self.document, self.number, self.lang = document, number, lang

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Button, match: re.Match[str], /
    ) -> ShowParagraphButton:
        return cls(match["doc"], int(match["number"]), match["lang"])

    async def callback(self, interaction: discord.Interaction) -> None:
        bot: FOCBot = interaction.client  # type: ignore[assignment]
        lang = locale_lang(interaction.locale)
        embed = paragraph_embed(bot.engine.knowledge, self.document, self.number, lang)
        if embed is None:
            await interaction.response.send_message(text("paragraph_gone", lang), ephemeral=True)
            return
        await interaction.response.send_message(embed=embed, ephemeral=True, allowed_mentions=NO_MENTIONS)


class ShareButton(
    discord.ui.DynamicItem[discord.ui.Button],
    template=r"foc:share:(?P<lang>en|ko):(?P<entry>[a-z0-9-]{1,85})",
):
    """On a private answer: posts the same answer publicly in the channel (pinging no one)."""

    def __init__(self, entry_id: str, lang: str = "en") -> None:
        super().__init__(
            discord.ui.Button(
                label=text("share", lang),
                emoji="📣",
                style=discord.ButtonStyle.primary,
                custom_id=f"foc:share:{lang}:{entry_id}",
            )
        )
        self.entry_id, self.lang = entry_id, lang

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Button, match: re.Match[str], /
    ) -> ShareButton:
        return cls(match["entry"], match["lang"])

    async def callback(self, interaction: discord.Interaction) -> None:
        await send_entry_answer(interaction, self.entry_id, self.lang, private=False)


def answer_view(answer: Answer, *, private: bool = False) -> discord.ui.View | None:
    """The buttons under an answer: 👍 👎, Show paragraph, and Share on private answers."""
    if not answer.answered:
        return None
    view = discord.ui.View(timeout=None)
    items: list[discord.ui.Item[discord.ui.View]] = []
    items += feedback_buttons(answer)
    source = answer.source
    if source is not None and len(f"foc:para:en:{source.paragraph}:{source.document}") <= _MAX_CUSTOM_ID:
        items.append(ShowParagraphButton(source.document, source.paragraph, answer.lang))
    if private and answer.entry_id and len(answer.entry_id) <= 85:
        items.append(ShareButton(answer.entry_id, answer.lang))
    for item in items:
        view.add_item(item)
    return view if items else None


def suggestion_view(answer: Answer) -> discord.ui.View | None:
    """A view with one button per suggestion, or None when there are none."""
    usable = clickable(answer)
    if not usable:
        return None
    view = discord.ui.View(timeout=None)
    for suggestion in usable:
        view.add_item(SuggestionButton(suggestion.entry_id, suggestion.question))
    return view


DYNAMIC_ITEMS = (SuggestionButton, FeedbackButton, ShowParagraphButton, ShareButton)
