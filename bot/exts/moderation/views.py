"""The buttons and menus of ``/kb``: confirm a change, pick a missed question and an entry.

Every view is a :class:`~.checks.ModeratorView`, so a click by anyone but a moderator
is refused on the bot's side. They live in memory (a plan or a list shown to one
moderator) and expire after ``TIMEOUT``; custom ids are unique per message so two open
previews never answer for each other.
"""

from __future__ import annotations

import secrets
from collections.abc import Awaitable, Callable, Sequence

import discord

from ...knowledge.model import Entry
from ...knowledge.unanswered import QuestionGroup
from .checks import ModeratorView

TIMEOUT = 600.0
_MAX_OPTIONS = 25  # Discord's limit for a select menu
# A value that is not one of the menu's options can only come from a forged request.
NOT_OFFERED = "That choice is not one this menu offered; open the list again (`/kb unanswered`)."

Action = Callable[[discord.Interaction], Awaitable[None]]


def _custom_id(kind: str) -> str:
    return f"foc:kb:{kind}:{secrets.token_hex(6)}"


def _label(text: str, limit: int = 100) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


class ConfirmView(ModeratorView):
    """Confirm and Cancel for a previewed change; the first click decides, once."""

    def __init__(self, on_confirm: Action, confirm_label: str = "Confirm") -> None:
        super().__init__(timeout=TIMEOUT)
        self._on_confirm = on_confirm
        confirm = discord.ui.Button(
            label=confirm_label, style=discord.ButtonStyle.danger, custom_id=_custom_id("confirm")
        )
        cancel = discord.ui.Button(
            label="Cancel", style=discord.ButtonStyle.secondary, custom_id=_custom_id("cancel")
        )
        confirm.callback = self._confirm  # type: ignore[method-assign]
        cancel.callback = self._cancel  # type: ignore[method-assign]
        self.add_item(confirm)
        self.add_item(cancel)

    async def _confirm(self, interaction: discord.Interaction) -> None:
        if self.is_finished():
            await interaction.response.send_message("That was already decided.", ephemeral=True)
            return
        self.stop()
        await self._on_confirm(interaction)

    async def _cancel(self, interaction: discord.Interaction) -> None:
        self.stop()
        await interaction.response.edit_message(
            content="Cancelled: nothing was changed.", embed=None, view=None
        )


class QuestionPicker(ModeratorView):
    """A menu of missed questions; picking one offers the entries it could belong to."""

    def __init__(
        self, groups: Sequence[QuestionGroup], on_pick: Callable[[discord.Interaction, str], Awaitable[None]]
    ) -> None:
        super().__init__(timeout=TIMEOUT)
        self._groups = list(groups[:_MAX_OPTIONS])
        self._on_pick = on_pick
        menu = discord.ui.Select(
            custom_id=_custom_id("question"),
            placeholder="Attach a question to an entry…",
            options=[
                discord.SelectOption(
                    label=_label(f"{number}. {group.question}"),
                    value=str(number - 1),
                    description=_label(
                        f"asked {group.count}× ({group.abstained} unanswered, {group.down} 👎)"
                    ),
                )
                for number, group in enumerate(self._groups, start=1)
            ],
        )
        menu.callback = self._picked  # type: ignore[method-assign]
        self._menu = menu
        self.add_item(menu)

    async def _picked(self, interaction: discord.Interaction) -> None:
        value = self._menu.values[0] if self._menu.values else ""
        if not (value.isascii() and value.isdigit() and int(value) < len(self._groups)):
            await interaction.response.send_message(NOT_OFFERED, ephemeral=True)
            return
        group = self._groups[int(value)]
        await self._on_pick(interaction, group.question)


class EntryPicker(ModeratorView):
    """A menu of the entries the engine ranks best for a question."""

    def __init__(
        self,
        question: str,
        entries: Sequence[tuple[Entry, float]],
        on_pick: Callable[[discord.Interaction, str, str], Awaitable[None]],
    ) -> None:
        super().__init__(timeout=TIMEOUT)
        self.question = question
        self._on_pick = on_pick
        self._offered = {entry.id for entry, _ in entries[:_MAX_OPTIONS]}
        menu = discord.ui.Select(
            custom_id=_custom_id("entry"),
            placeholder="…as an alternate of this entry",
            options=[
                discord.SelectOption(
                    label=_label(entry.question),
                    value=entry.id,
                    description=_label(f"{entry.id} · match {score:.0f}/100"),
                )
                for entry, score in entries[:_MAX_OPTIONS]
            ],
        )
        menu.callback = self._picked  # type: ignore[method-assign]
        self._menu = menu
        self.add_item(menu)

    async def _picked(self, interaction: discord.Interaction) -> None:
        value = self._menu.values[0] if self._menu.values else ""
        if value not in self._offered:
            await interaction.response.send_message(NOT_OFFERED, ephemeral=True)
            return
        self.stop()
        await self._on_pick(interaction, self.question, value)
