"""Asking: answers mentions, DMs, ``/ask``, ``/faq`` and the "Ask FOC bot" message menu;
suggestion, feedback, Show paragraph and Share buttons; the topic menus; ``/help``."""

from __future__ import annotations

from typing import TYPE_CHECKING

from . import faq, feedback, views
from .cog import Asking

if TYPE_CHECKING:
    from ...client import FOCBot


async def setup(bot: FOCBot) -> None:
    bot.add_dynamic_items(*views.DYNAMIC_ITEMS, *faq.DYNAMIC_ITEMS)
    bot.router.add_form(feedback.ReasonForm.TEMPLATE, feedback.reason_submitted)
    await bot.add_cog(Asking(bot))


async def teardown(bot: FOCBot) -> None:
    bot.remove_dynamic_items(*views.DYNAMIC_ITEMS, *faq.DYNAMIC_ITEMS)
    bot.router.remove_form(feedback.ReasonForm.TEMPLATE)
