"""The buttons, menus and forms of ``/kb``: confirm a change, missed questions, entry forms.

Every view is a :class:`~.checks.ModeratorView`, so a click by anyone but a moderator
is refused on the bot's side, and an error is answered rather than dropped. They live
in memory (a plan or a list shown to one moderator): custom ids are unique per message
(``foc:kb:<kind>:<token>``) so two open previews never answer for each other. After
``TIMEOUT`` a view disables its components by editing its message; a click on one
that no longer lives (the bot restarted) is answered by :class:`ExpiredItem`: "this has
expired, run the command again". The entry form, by contrast, holds nothing: its custom
id (``foc:kb:add``, ``foc:kb:edit:<entry id>``) says what it is for, so what a moderator
typed is processed even when the bot restarted while they were typing.
"""

from __future__ import annotations

import logging
import re
import secrets
from collections.abc import Awaitable, Callable, Sequence
from typing import TYPE_CHECKING, Any

import discord

from ...knowledge.editing import EntryForm, split_alternates
from ...knowledge.model import Entry
from ...knowledge.unanswered import QuestionGroup
from ..forms import Form
from .checks import ModeratorView

if TYPE_CHECKING:
    from .cog import KnowledgeAdmin

log = logging.getLogger(__name__)
TIMEOUT = 600.0  # Discord lets the bot edit an ephemeral reply for 15 minutes
PAGE = 10  # missed questions per page of /kb unanswered
EXPIRED = "This preview has expired (or the bot restarted): run the command again."
# A value that is not one of the menu's options can only come from a forged request.
NOT_OFFERED = "That choice is not one this menu offered; open the list again (`/kb unanswered`)."
_MAX_OPTIONS = 25  # Discord's limit for a select menu

Action = Callable[[discord.Interaction], Awaitable[None]]
_ID_TEMPLATE = r"foc:kb:(?P<kind>[a-z]+):(?P<token>[0-9a-f]{12})"


def _custom_id(kind: str) -> str:
    return f"foc:kb:{kind}:{secrets.token_hex(6)}"


def _label(text: str, limit: int = 100) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


class LiveViews:
    """The custom ids of the /kb views alive in this bot (for :class:`ExpiredItem`)."""

    def __init__(self) -> None:
        self.ids: set[str] = set()


class KBView(ModeratorView):
    """A /kb view: registered as live, disabled on its message when it times out."""

    def __init__(self, live: LiveViews) -> None:
        super().__init__(timeout=TIMEOUT)
        self._live = live
        # The message showing the view, set by whoever sends it (to edit on timeout).
        self.message: discord.Message | discord.WebhookMessage | None = None

    def add_item(self, item: discord.ui.Item[Any]) -> KBView:
        super().add_item(item)
        custom_id = getattr(item, "custom_id", None)
        if custom_id:
            self._live.ids.add(custom_id)
        return self

    def _forget(self) -> None:
        for item in self.children:
            self._live.ids.discard(getattr(item, "custom_id", None) or "")

    def stop(self) -> None:
        self._forget()
        super().stop()

    def disable(self) -> KBView:
        for item in self.children:
            if hasattr(item, "disabled"):
                item.disabled = True  # type: ignore[attr-defined]
        return self

    async def on_timeout(self) -> None:
        self._forget()
        if self.message is None:
            return
        try:
            await self.message.edit(view=self.disable())
        except discord.HTTPException:
            # Deleted or too old to edit: nothing left to disable.
            log.info("could not disable the components of an expired /kb view")

    async def on_error(
        self, interaction: discord.Interaction, error: Exception, item: discord.ui.Item[Any], /
    ) -> None:
        self.stop()
        await super().on_error(interaction, error, item)
        if self.message is not None:
            try:
                await self.message.edit(view=self.disable())
            except discord.HTTPException:
                log.info("could not disable the components after an error")


class ExpiredItem(discord.ui.DynamicItem[discord.ui.Button], template=_ID_TEMPLATE):
    """Any /kb component whose view is gone: says so instead of "This interaction failed"."""

    def __init__(self, item: discord.ui.Item[Any]) -> None:
        super().__init__(item)  # type: ignore[arg-type]

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> ExpiredItem:
        return cls(item)

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        # A live view answers its own components.
        cog: KnowledgeAdmin | None = interaction.client.get_cog("KnowledgeAdmin")  # type: ignore[attr-defined]
        custom_id = (interaction.data or {}).get("custom_id", "")
        return cog is None or custom_id not in cog.live.ids

    async def callback(self, interaction: discord.Interaction) -> None:
        await interaction.response.send_message(EXPIRED, ephemeral=True)


Confirmed = Callable[[discord.Interaction, "ConfirmView"], Awaitable[None]]


class ConfirmView(KBView):
    """Confirm and Cancel for a previewed change; the first click decides, once."""

    def __init__(self, live: LiveViews, on_confirm: Confirmed, confirm_label: str = "Confirm") -> None:
        super().__init__(live)
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
        await self._on_confirm(interaction, self)

    async def _cancel(self, interaction: discord.Interaction) -> None:
        self.stop()
        await interaction.response.edit_message(
            content="Cancelled: nothing was changed.", embed=None, view=None
        )


class RetryView(KBView):
    """One button that reopens a refused form with what was typed."""

    def __init__(
        self,
        live: LiveViews,
        reopen: Callable[[discord.Interaction], Awaitable[None]],
        label: str = "Edit again",
    ) -> None:
        super().__init__(live)
        self._reopen = reopen
        again = discord.ui.Button(
            label=label, style=discord.ButtonStyle.primary, custom_id=_custom_id("again")
        )
        again.callback = self._again  # type: ignore[method-assign]
        self.add_item(again)

    async def _again(self, interaction: discord.Interaction) -> None:
        await self._reopen(interaction)


# The entry form's custom id says what it is for; its submission is handled from it
# (bot/exts/forms.py), so it still works after a restart. Entry ids fit in 100 characters.
FORM_TEMPLATE = r"foc:kb:(?:add|edit:(?P<entry>[a-z0-9-]{1,88}))"
_FIELDS = ("question", "alternates", "answer", "paragraph", "quote")


def form_custom_id(entry_id: str | None) -> str | None:
    """``foc:kb:add`` or ``foc:kb:edit:<entry id>``; None when the id is too long for one."""
    custom_id = f"foc:kb:edit:{entry_id}" if entry_id else "foc:kb:add"
    return custom_id if re.fullmatch(FORM_TEMPLATE, custom_id) else None


class EntryModal(Form):
    """The form of one entry: question, alternates (one per line), answer, paragraph, quote."""

    def __init__(self, title: str, form: EntryForm | None, entry_id: str | None = None) -> None:
        custom_id = form_custom_id(entry_id)
        if custom_id is None:
            raise ValueError(f"no form for entry {entry_id!r}: its id is too long")
        super().__init__(title=_label(title, 45), custom_id=custom_id)
        form = form or EntryForm("", (), "", "", "")
        fields = (
            discord.ui.TextInput(label="Question", default=form.question or None, max_length=300),
            discord.ui.TextInput(
                label="Alternates (one per line)",
                style=discord.TextStyle.paragraph,
                default="\n".join(form.alternates) or None,
                required=False,
                max_length=4000,
            ),
            discord.ui.TextInput(
                label="Answer (plain text, faithful to the source)",
                style=discord.TextStyle.paragraph,
                default=form.answer or None,
                max_length=4000,
            ),
            discord.ui.TextInput(
                label="Source paragraph (e.g. 8)", default=form.paragraph or None, max_length=60
            ),
            discord.ui.TextInput(
                label="Quote (verbatim from that paragraph)",
                style=discord.TextStyle.paragraph,
                default=form.quote or None,
                max_length=4000,
            ),
        )
        for name, field in zip(_FIELDS, fields, strict=True):
            field.custom_id = name
            self.add_item(field)


def typed_form(values: dict[str, str]) -> EntryForm:
    """What was typed in an entry form (a field left out is empty)."""
    return EntryForm(
        question=values.get("question", ""),
        alternates=split_alternates(values.get("alternates", "")),
        answer=values.get("answer", ""),
        paragraph=values.get("paragraph", ""),
        quote=values.get("quote", ""),
    )


def fits_modal(form: EntryForm) -> bool:
    """Whether every field fits Discord's text inputs (else the form would lose text)."""
    return (
        len(form.question) <= 300
        and len("\n".join(form.alternates)) <= 4000
        and len(form.answer) <= 4000
        and len(form.paragraph) <= 60
        and len(form.quote) <= 4000
    )


Picked = Callable[[discord.Interaction, QuestionGroup], Awaitable[None]]


class QuestionPicker(KBView):
    """The missed questions, a page at a time: a menu to pick one, Previous and Next."""

    def __init__(
        self,
        live: LiveViews,
        groups: Sequence[QuestionGroup],
        on_pick: Picked,
        render: Callable[[Sequence[QuestionGroup], int, int], discord.Embed],
        page: int = 0,
    ) -> None:
        super().__init__(live)
        self._groups = list(groups)
        self._on_pick = on_pick
        self._render = render
        self.pages = max(1, -(-len(self._groups) // PAGE))
        self.page = min(page, self.pages - 1)
        self._menu = discord.ui.Select(custom_id=_custom_id("question"), placeholder="Pick a question…")
        self._menu.callback = self._picked  # type: ignore[method-assign]
        self.add_item(self._menu)
        self._previous = discord.ui.Button(label="Previous", custom_id=_custom_id("prev"), row=1)
        self._next = discord.ui.Button(label="Next", custom_id=_custom_id("next"), row=1)
        self._previous.callback = self._turn_back  # type: ignore[method-assign]
        self._next.callback = self._turn_on  # type: ignore[method-assign]
        if self.pages > 1:
            self.add_item(self._previous)
            self.add_item(self._next)
        self._fill()

    def _fill(self) -> None:
        start = self.page * PAGE
        shown = self._groups[start : start + PAGE]
        self._menu.options = [
            discord.SelectOption(
                label=_label(f"{number}. {group.question}"),
                value=str(number - 1),
                description=_label(f"asked {group.count}× ({group.abstained} unanswered, {group.down} 👎)"),
            )
            for number, group in enumerate(shown, start=start + 1)
        ][:_MAX_OPTIONS]
        self._previous.disabled = self.page == 0
        self._next.disabled = self.page >= self.pages - 1

    def embed(self) -> discord.Embed:
        return self._render(self._groups, self.page, self.pages)

    async def _turn(self, interaction: discord.Interaction, step: int) -> None:
        self.page = max(0, min(self.pages - 1, self.page + step))
        self._fill()
        await interaction.response.edit_message(embed=self.embed(), view=self)

    async def _turn_back(self, interaction: discord.Interaction) -> None:
        await self._turn(interaction, -1)

    async def _turn_on(self, interaction: discord.Interaction) -> None:
        await self._turn(interaction, 1)

    async def _picked(self, interaction: discord.Interaction) -> None:
        value = self._menu.values[0] if self._menu.values else ""
        if not (value.isascii() and value.isdigit() and int(value) < len(self._groups)):
            await interaction.response.send_message(NOT_OFFERED, ephemeral=True)
            return
        await self._on_pick(interaction, self._groups[int(value)])


class QuestionActions(KBView):
    """What to do with one missed question: attach it to an entry, make an entry, dismiss."""

    def __init__(
        self,
        live: LiveViews,
        group: QuestionGroup,
        entries: Sequence[tuple[Entry, float]],
        *,
        on_attach: Callable[[discord.Interaction, str, str], Awaitable[None]],
        on_new: Callable[[discord.Interaction, str], Awaitable[None]],
        on_dismiss: Callable[[discord.Interaction, QuestionGroup], Awaitable[None]],
    ) -> None:
        super().__init__(live)
        self.group = group
        self._on_attach, self._on_new, self._on_dismiss = on_attach, on_new, on_dismiss
        self._offered = {entry.id for entry, _ in entries[:_MAX_OPTIONS]}
        if entries:
            self._menu = discord.ui.Select(
                custom_id=_custom_id("entry"),
                placeholder="Attach it as an alternate of this entry…",
                options=[
                    discord.SelectOption(
                        label=_label(entry.question),
                        value=entry.id,
                        description=_label(f"{entry.id} · match {score:.0f}/100"),
                    )
                    for entry, score in entries[:_MAX_OPTIONS]
                ],
            )
            self._menu.callback = self._attach  # type: ignore[method-assign]
            self.add_item(self._menu)
        new = discord.ui.Button(
            label="New entry from this question",
            style=discord.ButtonStyle.primary,
            custom_id=_custom_id("new"),
            row=1,
        )
        dismiss = discord.ui.Button(
            label="Dismiss as noise",
            style=discord.ButtonStyle.secondary,
            custom_id=_custom_id("dismiss"),
            row=1,
        )
        new.callback = self._new  # type: ignore[method-assign]
        dismiss.callback = self._dismiss  # type: ignore[method-assign]
        self.add_item(new)
        self.add_item(dismiss)

    async def _attach(self, interaction: discord.Interaction) -> None:
        value = self._menu.values[0] if self._menu.values else ""
        if value not in self._offered:
            await interaction.response.send_message(NOT_OFFERED, ephemeral=True)
            return
        self.stop()
        await self._on_attach(interaction, self.group.question, value)

    async def _new(self, interaction: discord.Interaction) -> None:
        # Not stopped: the form may be closed and opened again.
        await self._on_new(interaction, self.group.question)

    async def _dismiss(self, interaction: discord.Interaction) -> None:
        self.stop()
        await self._on_dismiss(interaction, self.group)
