"""Asking: answers mentions, DMs and ``/ask``; suggestion and feedback buttons; ``/help``."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .cog import Asking
from .feedback import FeedbackButton
from .views import SuggestionButton

if TYPE_CHECKING:
    from ...client import FOCBot


async def setup(bot: FOCBot) -> None:
    bot.add_dynamic_items(SuggestionButton, FeedbackButton)
    await bot.add_cog(Asking(bot))
