"""Moderation: the ``/kb`` commands and hot reload of the knowledge files."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .cog import KnowledgeAdmin
from .views import ExpiredItem
from .watcher import KnowledgeWatcher

if TYPE_CHECKING:
    from ...client import FOCBot


async def setup(bot: FOCBot) -> None:
    await bot.add_cog(KnowledgeWatcher(bot))
    await bot.add_cog(KnowledgeAdmin(bot))
    # Any /kb button or menu whose view is gone (timed out, the bot restarted).
    bot.add_dynamic_items(ExpiredItem)
