"""Thumbs-up and thumbs-down buttons under each answer.

The buttons are dynamic items whose custom id carries the vote and the entry id
(``foc:fb:up:<entry_id>``), so they keep working after a restart or a reload. A vote is
recorded once per user per answer message (clicking again, or the other button,
changes it) and the user only ever sees an ephemeral thanks. Thumbs-down answers show
up in ``/kb unanswered`` for moderators.
"""

from __future__ import annotations

import logging
import re
from typing import TYPE_CHECKING

import discord

from ...engine.answer import Answer
from ...i18n import locale_lang, text

if TYPE_CHECKING:
    from ...client import FOCBot

log = logging.getLogger(__name__)

PREFIX = "foc:fb:"
VOTES = {"up": 1, "down": -1}
_EMOJI = {"up": "👍", "down": "👎"}
# Discord's custom id limit is 100 characters: "foc:fb:down:" leaves 88 for the id.
_MAX_ID = 100 - len(PREFIX + "down:")


class FeedbackButton(
    discord.ui.DynamicItem[discord.ui.Button],
    template=r"foc:fb:(?P<vote>up|down):(?P<entry>[a-z0-9-]{1,88})",
):
    """One vote on the answer of one entry."""

    def __init__(self, vote: str, entry_id: str) -> None:
        super().__init__(
            discord.ui.Button(
                emoji=_EMOJI[vote],
                style=discord.ButtonStyle.secondary,
                custom_id=f"{PREFIX}{vote}:{entry_id}",
            )
        )
        self.vote = vote
        self.entry_id = entry_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Button, match: re.Match[str], /
    ) -> FeedbackButton:
        return cls(match["vote"], match["entry"])

    async def callback(self, interaction: discord.Interaction) -> None:
        bot: FOCBot = interaction.client  # type: ignore[assignment]
        lang = locale_lang(interaction.locale)
        # Thank first: the vote is recorded after, so a slow disk never delays the reply.
        await interaction.response.send_message(text("feedback_thanks", lang), ephemeral=True)
        message = interaction.message
        if message is None:
            return
        vote, user_id = VOTES[self.vote], interaction.user.id
        # Queued with the other records, which are written in order: a user who changes
        # their vote quickly ends with the last one.
        bot.queue_record(
            "record a feedback vote",
            lambda store: store.record_feedback(message.id, self.entry_id, vote, user_id),
        )


def feedback_view(answer: Answer) -> discord.ui.View | None:
    """A view with the two feedback buttons for an answer, or None when it has no entry."""
    if not answer.answered or not answer.entry_id or len(answer.entry_id) > _MAX_ID:
        return None
    view = discord.ui.View(timeout=None)
    for vote in VOTES:
        view.add_item(FeedbackButton(vote, answer.entry_id))
    return view
