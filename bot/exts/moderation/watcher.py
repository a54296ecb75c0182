"""Hot reload: watch the knowledge files and reload when one changes.

A ``discord.ext.tasks`` loop polls the files' modification times and sizes every
``knowledge.watch_interval`` seconds. A change is reloaded once it has settled (the
same on two polls in a row), so a file still being saved is not reported as broken.
The reload validates first and swaps atomically; a broken edit keeps the last good
knowledge serving and is reported in the log, the audit log and the moderator channel.

At start, the temporary files an interrupted write left behind (a process killed in
the middle of an atomic write) are removed from the knowledge and backups folders.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

from discord.ext import commands, tasks

from ...knowledge.watch import Snapshot, changed_files
from ...knowledge.yamlio import remove_stale_temporaries
from .reloading import knowledge_snapshot, reload_knowledge

if TYPE_CHECKING:
    from ...client import FOCBot

log = logging.getLogger(__name__)


class KnowledgeWatcher(commands.Cog):
    """Polls the knowledge folder and reloads on change."""

    def __init__(self, bot: FOCBot) -> None:
        self.bot = bot
        self.interval = bot.config.knowledge.watch_interval
        self._pending: Snapshot | None = None

    async def cog_load(self) -> None:
        config = self.bot.config
        for folder in (config.knowledge_dir, config.backups_dir):
            removed = await asyncio.to_thread(remove_stale_temporaries, folder)
            if removed:
                log.info("removed %d leftover temporary file(s) in %s", len(removed), folder)
        # What the engine was built from: the files as they are now, unless one was
        # edited after the engine was built (then the first polls reload).
        seen = await asyncio.to_thread(knowledge_snapshot, self.bot.config)
        newest = max((mtime for mtime, *_ in seen.values()), default=0) / 1e9
        self.bot.knowledge_seen = {} if newest > self.bot.engine.loaded_at else seen
        if self.interval > 0:
            self.poll.change_interval(seconds=self.interval)
            self.poll.start()

    async def cog_unload(self) -> None:
        self.poll.cancel()

    @tasks.loop(seconds=5.0)
    async def poll(self) -> None:
        try:
            await self.check_once()
        except Exception:
            # Keep watching: one failed poll (a vanished folder...) must not end hot reload.
            log.exception("the knowledge watcher failed this time; it keeps watching")

    async def check_once(self) -> None:
        """Compare the files with what was loaded; reload a settled change."""
        if self.bot.knowledge_lock.locked():
            return  # a reload is running; it records what it loaded
        now = await asyncio.to_thread(knowledge_snapshot, self.bot.config)
        if now == self.bot.knowledge_seen:
            self._pending = None
            return
        if now != self._pending:
            self._pending = now  # changed since the last poll: wait until it settles
            return
        self._pending = None
        changed = ", ".join(changed_files(self.bot.knowledge_seen, now))
        log.info("knowledge files changed (%s): reloading", changed)
        await reload_knowledge(self.bot, trigger=f"edited on disk: {changed}", notify=True)
