"""``/faq`` (and ``/ask`` without a question): the knowledge, browsable by topic.

Two select menus on a private message: the topics (the entries' tags), then the
questions of the chosen topic; picking a question shows its answer privately, with a
Share button. Both menus are dynamic items (the custom id carries the language and
the topic), so they keep working after a restart or a reload.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import discord

from ...i18n import text
from ...knowledge.model import Entry, Knowledge
from .views import send_entry_answer

if TYPE_CHECKING:
    from ...client import FOCBot

_MAX_OPTIONS = 25  # Discord's limit per select menu
_LABEL = 100


def topics(knowledge: Knowledge) -> list[str]:
    """The tags of the knowledge, most entries first (at most 25)."""
    counts: dict[str, int] = {}
    for entry in knowledge.entries:
        for tag in entry.tags:
            counts[tag] = counts.get(tag, 0) + 1
    return sorted(counts, key=lambda t: (-counts[t], t))[:_MAX_OPTIONS]


def entries_on(knowledge: Knowledge, tag: str) -> list[Entry]:
    return [e for e in knowledge.entries if tag in e.tags][:_MAX_OPTIONS]


def _question(entry: Entry, lang: str) -> str:
    question = entry.question_ko if lang == "ko" and entry.question_ko else entry.question
    return question if len(question) <= _LABEL else question[: _LABEL - 1] + "…"


class TopicSelect(discord.ui.DynamicItem[discord.ui.Select], template=r"foc:faq:t:(?P<lang>en|ko)"):
    """The topics; choosing one shows its questions in a second menu."""

    def __init__(self, knowledge: Knowledge | None, lang: str, chosen: str | None = None) -> None:
        options = [
            discord.SelectOption(
                label=knowledge.topic_name(tag, lang)[:_LABEL], value=tag, default=tag == chosen
            )
            for tag in (topics(knowledge) if knowledge is not None else [])
        ] or [discord.SelectOption(label="-", value="-")]
        super().__init__(
            discord.ui.Select(
                custom_id=f"foc:faq:t:{lang}", placeholder=text("faq_pick_topic", lang), options=options
            )
        )
        self.lang = lang

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Select, match: re.Match[str], /
    ) -> TopicSelect:
        return cls(None, match["lang"])

    async def callback(self, interaction: discord.Interaction) -> None:
        bot: FOCBot = interaction.client  # type: ignore[assignment]
        tag = _chosen(interaction)
        content, view = faq_message(bot, self.lang, tag)
        await interaction.response.edit_message(content=content, view=view)


class QuestionSelect(
    discord.ui.DynamicItem[discord.ui.Select], template=r"foc:faq:q:(?P<lang>en|ko):(?P<tag>[a-z0-9-]{1,80})"
):
    """The questions of one topic; choosing one shows its answer privately."""

    def __init__(self, knowledge: Knowledge | None, lang: str, tag: str) -> None:
        entries = entries_on(knowledge, tag) if knowledge is not None else []
        options = [discord.SelectOption(label=_question(e, lang), value=e.id) for e in entries] or [
            discord.SelectOption(label="-", value="-")
        ]
        super().__init__(
            discord.ui.Select(
                custom_id=f"foc:faq:q:{lang}:{tag}",
                placeholder=text("faq_pick_question", lang),
                options=options,
            )
        )
        self.lang, self.tag = lang, tag

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Select, match: re.Match[str], /
    ) -> QuestionSelect:
        return cls(None, match["lang"], match["tag"])

    async def callback(self, interaction: discord.Interaction) -> None:
        entry_id = _chosen(interaction)
        await send_entry_answer(interaction, entry_id or "-", self.lang, private=True)


def _chosen(interaction: discord.Interaction) -> str | None:
    values = (interaction.data or {}).get("values") or []  # type: ignore[union-attr]
    return str(values[0]) if values else None


def faq_message(bot: FOCBot, lang: str, tag: str | None = None) -> tuple[str, discord.ui.View]:
    """The browser: the topic menu, and the chosen topic's questions."""
    knowledge = bot.engine.knowledge
    view = discord.ui.View(timeout=None)
    view.add_item(TopicSelect(knowledge, lang, tag))
    if tag is None:
        return text("faq_intro", lang), view
    if not entries_on(knowledge, tag):
        return text("faq_empty_topic", lang), view
    view.add_item(QuestionSelect(knowledge, lang, tag))
    return text("faq_topic", lang, topic=knowledge.topic_name(tag, lang)), view


DYNAMIC_ITEMS = (TopicSelect, QuestionSelect)
