"""Forms that survive a restart, and a polite reply to any click or form the bot does not know.

discord.py keeps each modal it sends in memory and hands the submission to it; a
submission whose modal it no longer holds (the bot restarted meanwhile, the modal timed
out, or another user opened one with the same custom id) is dropped without a word, and
the user sees "This interaction failed" and loses what they typed. The same goes for a
click on a component that no view or dynamic item handles.

So the bot's forms are stateless: a :class:`Form` is only sent, never held; its custom
id says what it is for (``foc:kb:edit:<entry id>``) and its text inputs have fixed
custom ids. :class:`InteractionRouter` (the bot's ``on_interaction``) hands every
submission to the handler registered for the template its custom id matches, with the
values typed, the same way whether or not the bot restarted since the form was opened.

Every component the bot sends is a dynamic item, so that it works after a restart too
(the ``/kb`` views' components, which live in memory, match :class:`ExpiredItem
<bot.exts.moderation.views.ExpiredItem>`'s template). The router therefore knows which
clicks nothing will answer: those no registered template matches. They, and submissions
of forms no handler knows, get a short private reply; a form's reply gives back what was
typed, so nothing is lost.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable, Iterable, Iterator
from typing import Any

import discord

from ..i18n import locale_lang, text

log = logging.getLogger(__name__)

FormHandler = Callable[[discord.Interaction, re.Match[str], dict[str, str]], Awaitable[None]]
_NONE = discord.AllowedMentions.none()
_SHOWN = 3800  # characters of typed text given back (an embed description holds 4,096)


class Form(discord.ui.Modal):
    """A modal the bot sends but does not hold: its submission goes to the handler
    registered (:meth:`InteractionRouter.add_form`) for its custom id."""

    def __init__(self, *, title: str, custom_id: str) -> None:
        if len(custom_id) > 100:
            raise ValueError(f"a custom id is at most 100 characters: {custom_id!r}")
        super().__init__(title=title[:45], custom_id=custom_id, timeout=None)

    async def send(self, interaction: discord.Interaction) -> None:
        """Open the form as the response to ``interaction``."""
        # A finished modal is not kept by discord.py (InteractionResponse.send_modal
        # stores it only while it listens): the router handles the submission instead.
        self.stop()
        await interaction.response.send_modal(self)


def submitted_values(interaction: discord.Interaction) -> dict[str, str]:
    """The values of a form's text inputs, by their custom ids."""
    values: dict[str, str] = {}

    def walk(components: Iterable[Any]) -> None:
        for component in components:
            if not isinstance(component, dict):
                continue
            if "components" in component:  # an action row
                walk(component["components"])
            elif "component" in component:  # a label wrapping one input
                walk([component["component"]])
            elif isinstance(component.get("custom_id"), str):
                value = component.get("value")
                values[component["custom_id"]] = value if isinstance(value, str) else ""

    walk((interaction.data or {}).get("components") or [])  # type: ignore[arg-type]
    return values


def _component_ids(components: Iterable[Any]) -> Iterator[str]:
    for component in components:
        custom_id = getattr(component, "custom_id", None)
        if isinstance(custom_id, str):
            yield custom_id
        yield from _component_ids(getattr(component, "children", ()))


class InteractionRouter:
    """The bot's forms by template, and the templates of its dynamic items."""

    def __init__(self) -> None:
        self._forms: dict[str, tuple[re.Pattern[str], FormHandler]] = {}
        self._items: dict[str, re.Pattern[str]] = {}

    def add_form(self, template: str, handler: FormHandler) -> None:
        self._forms[template] = (re.compile(template), handler)

    def remove_form(self, template: str) -> None:
        self._forms.pop(template, None)

    def add_items(self, templates: Iterable[re.Pattern[str]]) -> None:
        """The templates of dynamic items (registered with ``bot.add_dynamic_items``)."""
        for template in templates:
            self._items[template.pattern] = template

    def remove_items(self, templates: Iterable[re.Pattern[str]]) -> None:
        for template in templates:
            self._items.pop(template.pattern, None)

    def is_dynamic(self, custom_id: str) -> bool:
        """Whether a registered dynamic item's template matches ``custom_id``."""
        return any(pattern.fullmatch(custom_id) for pattern in self._items.values())

    def knows_component(self, interaction: discord.Interaction) -> bool:
        """Whether a dynamic item will answer this click (discord.py drops it silently
        when no template matches, or when the component is not on the message)."""
        custom_id = (interaction.data or {}).get("custom_id")
        message = interaction.message
        if not isinstance(custom_id, str) or message is None or not self.is_dynamic(custom_id):
            return False
        return custom_id in set(_component_ids(message.components))

    async def route(self, interaction: discord.Interaction) -> None:
        """Hand a form's submission to its handler; answer what nothing else will."""
        if interaction.type is discord.InteractionType.modal_submit:
            await self._submitted(interaction)
        elif interaction.type is discord.InteractionType.component and not self.knows_component(interaction):
            custom_id = (interaction.data or {}).get("custom_id")
            log.info("a click on a component nothing handles: %r", custom_id)
            await _reply(interaction, text("unknown_component", locale_lang(interaction.locale)))

    async def _submitted(self, interaction: discord.Interaction) -> None:
        custom_id = str((interaction.data or {}).get("custom_id") or "")
        values = submitted_values(interaction)
        for pattern, handler in list(self._forms.values()):
            match = pattern.fullmatch(custom_id)
            if match is None:
                continue
            try:
                await handler(interaction, match, values)
            except Exception:
                log.exception("error in the form %r", custom_id)
                # Whatever failed, what was typed is given back.
                apology = text("apology", locale_lang(interaction.locale))
                await _reply(interaction, apology, typed=values.values())
            return
        log.info("a form nothing handles: %r", custom_id)
        await _reply(
            interaction, text("unknown_form", locale_lang(interaction.locale)), typed=values.values()
        )


def typed_embed(typed: Iterable[str]) -> discord.Embed | None:
    """What was typed in a form, given back in code blocks (as typed, easy to copy)."""
    blocks = ["```\n" + value.replace("```", "'''") + "\n```" for value in typed if value.strip()]
    shown = "\n".join(blocks)
    if not shown:
        return None
    return discord.Embed(description=shown if len(shown) <= _SHOWN else shown[: _SHOWN - 5] + "…\n```")


async def _reply(interaction: discord.Interaction, content: str, *, typed: Iterable[str] = ()) -> None:
    """A private reply (a follow-up if the interaction was answered already)."""
    embed = typed_embed(typed)
    try:
        if interaction.response.is_done():
            await interaction.followup.send(
                content,
                embed=embed,
                ephemeral=True,
                allowed_mentions=_NONE,  # type: ignore[arg-type]
            )
        else:
            await interaction.response.send_message(
                content,
                embed=embed,
                ephemeral=True,
                allowed_mentions=_NONE,  # type: ignore[arg-type]
            )
    except discord.HTTPException:
        log.warning("could not answer interaction %s", interaction.id, exc_info=True)
