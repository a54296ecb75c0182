"""Suggestion buttons under an "I don't know": clicking one answers that question.

The buttons are dynamic items (their custom id carries the entry id), so they keep
working after a restart or a knowledge reload.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import discord

from ...client import NO_MENTIONS
from ...engine.answer import Answer
from ...lang.korean import language
from .feedback import feedback_view
from .render import answer_embed

if TYPE_CHECKING:
    from ...client import FOCBot

PREFIX = "foc:ask:"
_MAX_LABEL = 80


class SuggestionButton(
    discord.ui.DynamicItem[discord.ui.Button], template=r"foc:ask:(?P<entry>[a-z0-9-]{1,90})"
):
    """A button that asks one knowledge entry's question."""

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
        bot: FOCBot = interaction.client  # type: ignore[assignment]
        engine = bot.engine
        # Answer in the language of the suggestion that was clicked.
        answer = engine.answer_for(self.entry_id, lang=language(self.item.label or ""))
        if answer is None:
            await interaction.response.send_message(
                "That suggestion is no longer in the knowledge. Try asking again.", ephemeral=True
            )
            return
        kwargs: dict[str, object] = {}
        view = feedback_view(answer)
        if view is not None:
            kwargs["view"] = view
        await interaction.response.send_message(
            embed=answer_embed(answer, engine.knowledge),
            ephemeral=True,
            allowed_mentions=NO_MENTIONS,
            **kwargs,  # type: ignore[arg-type]
        )


def suggestion_view(answer: Answer) -> discord.ui.View | None:
    """A view with one button per suggestion, or None when there are none."""
    if not answer.suggestions:
        return None
    view = discord.ui.View(timeout=None)
    for suggestion in answer.suggestions:
        view.add_item(SuggestionButton(suggestion.entry_id, suggestion.question))
    return view
