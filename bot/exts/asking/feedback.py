"""Thumbs-up and thumbs-down buttons under each answer, and the "what was wrong?" modal.

The buttons are dynamic items whose custom id carries the vote and the entry id
(``foc:fb:up:<entry_id>``), so they keep working after a restart or a reload. A vote is
recorded once per user per answer message (clicking again, or the other button,
changes it). 👍 gets an ephemeral thanks; 👎 is recorded at once and opens a short modal
asking what was wrong: the reason, if given, is stored with the vote (the ``reason``
column of ``feedback``, shown in ``/kb unanswered``) and posted to the moderator channel.
The modal is a stateless form (:mod:`bot.exts.forms`, ``foc:fb:why:<entry_id>``), so a
reason typed while the bot restarted still counts.
"""

from __future__ import annotations

import logging
import re
from typing import TYPE_CHECKING

import discord

from ...client import NO_MENTIONS
from ...engine.answer import Answer
from ...i18n import locale_lang, text
from ..forms import Form
from .policy import mod_channel_for
from .render import safe

if TYPE_CHECKING:
    from ...client import FOCBot

log = logging.getLogger(__name__)

PREFIX = "foc:fb:"
REASON_PREFIX = "foc:fb:why:"
REASON_INPUT = "reason"
VOTES = {"up": 1, "down": -1}
_EMOJI = {"up": "👍", "down": "👎"}
# Discord's custom id limit is 100 characters: "foc:fb:down:" leaves 88 for the id.
_MAX_ID = 100 - len(PREFIX + "down:")
REASON_MAX = 300


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
        message = interaction.message
        if self.vote == "down" and message is not None:
            # The modal is the response; the vote counts even if it is dismissed.
            await ReasonForm(self.entry_id, lang).send(interaction)
        else:
            # Thank first: the vote is recorded after, so a slow disk never delays the reply.
            await interaction.response.send_message(text("feedback_thanks", lang), ephemeral=True)
        if message is None:
            return
        record_vote(bot, message.id, self.entry_id, VOTES[self.vote], interaction.user.id)


def record_vote(
    bot: FOCBot, message_id: int, entry_id: str, vote: int, user_id: int, reason: str | None = None
) -> None:
    # Queued with the other records, which are written in order: a user who changes
    # their vote quickly ends with the last one.
    bot.queue_record(
        "record a feedback vote",
        lambda store: store.record_feedback(message_id, entry_id, vote, user_id, reason=reason),
    )


class ReasonForm(Form):
    """ "What was wrong?": one optional line, stored with the 👎 and told to the moderators.

    Stateless (see :mod:`bot.exts.forms`): the custom id carries the entry, and the
    submission the answer message, so a reason typed across a restart still counts.
    """

    TEMPLATE = REASON_PREFIX + r"(?P<entry>[a-z0-9-]{1,88})"

    def __init__(self, entry_id: str, lang: str) -> None:
        super().__init__(title=text("reason_title", lang), custom_id=REASON_PREFIX + entry_id)
        self.add_item(
            discord.ui.TextInput(
                label=text("reason_label", lang),
                placeholder=text("reason_placeholder", lang),
                style=discord.TextStyle.paragraph,
                required=False,
                max_length=REASON_MAX,
                custom_id=REASON_INPUT,
            )
        )


async def reason_submitted(
    interaction: discord.Interaction, match: re.Match[str], values: dict[str, str]
) -> None:
    """A submitted "what was wrong?": thanks, then the reason recorded and told."""
    bot: FOCBot = interaction.client  # type: ignore[assignment]
    entry_id = match["entry"]
    reason = " ".join(values.get(REASON_INPUT, "").split())[:REASON_MAX]
    await interaction.response.send_message(
        text("feedback_thanks", locale_lang(interaction.locale)), ephemeral=True
    )
    message = interaction.message  # the answer the 👎 was on
    if not reason or message is None:
        return
    record_vote(bot, message.id, entry_id, -1, interaction.user.id, reason)
    await tell_moderators(bot, interaction.guild_id, message, entry_id, reason)


async def tell_moderators(
    bot: FOCBot, guild_id: int | None, message: discord.Message, entry_id: str, reason: str
) -> None:
    """Post a 👎 reason to the moderator channel (if one is set); never pings anyone."""
    channel_id = mod_channel_for(bot, guild_id)
    if channel_id is None:
        return
    title = message.embeds[0].title if message.embeds else None
    lines = [
        f"👎 on an answer (entry `{entry_id}`): “{safe(reason, REASON_MAX + 50)}”",
        f"Question: {safe(title, 300)}" if title else "",
        message.jump_url if message.guild is not None else "",
    ]
    try:
        await bot.get_partial_messageable(channel_id).send(
            "\n".join(line for line in lines if line), allowed_mentions=NO_MENTIONS
        )
    except discord.HTTPException:
        log.warning("could not post a feedback reason to the moderator channel %s", channel_id)


def feedback_buttons(answer: Answer) -> list[FeedbackButton]:
    """The two feedback buttons for an answer (none when it has no entry)."""
    if not answer.answered or not answer.entry_id or len(answer.entry_id) > _MAX_ID:
        return []
    return [FeedbackButton(vote, answer.entry_id) for vote in VOTES]


def feedback_view(answer: Answer) -> discord.ui.View | None:
    """A view with only the two feedback buttons, or None when the answer has no entry."""
    buttons = feedback_buttons(answer)
    if not buttons:
        return None
    view = discord.ui.View(timeout=None)
    for button in buttons:
        view.add_item(button)
    return view
