"""Reloading the knowledge from Discord, and telling moderators when an edit is broken.

Every reload (the file watcher's, ``/kb reload``, after an import, a rollback or a
learned alternate) goes through :func:`reload_knowledge`: one at a time, in a worker
thread, validate first and swap atomically (:meth:`bot.engine.engine.Engine.reload`). A
failure keeps the last good knowledge serving and is reported with every problem (file,
line, entry, what is wrong) in the log, the audit log and, for edits on disk, the
moderator channel (``discord.mod_channel``).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING

import discord

from ...client import NO_MENTIONS
from ...config import Config
from ...engine.engine import ReloadResult
from ...knowledge.problems import Problem
from ...knowledge.watch import Snapshot, snapshot
from .render import problems_block

if TYPE_CHECKING:
    from ...client import FOCBot

log = logging.getLogger(__name__)
_MESSAGE_LIMIT = 2000


def knowledge_snapshot(config: Config) -> Snapshot:
    """The state of the knowledge files (backups excluded: they are not knowledge)."""
    return snapshot(config.knowledge_dir, ignore=(config.backups_dir,))


async def reload_knowledge(
    bot: FOCBot,
    *,
    trigger: str,
    moderator: discord.abc.User | None = None,
    notify: bool = False,
) -> ReloadResult:
    """Validate and swap in the knowledge on disk; report a failure. One at a time."""
    async with bot.knowledge_lock:
        # Taken before reading: an edit made during the reload shows up as a change.
        seen = await asyncio.to_thread(knowledge_snapshot, bot.config)
        result = await asyncio.to_thread(bot.engine.reload)
        bot.knowledge_seen = seen
    if result.ok:
        log.info("knowledge reloaded (%s): %d entries, %d fact cards", trigger, result.entries, result.facts)
    else:
        await report_failure(bot, result.problems, trigger=trigger, moderator=moderator, notify=notify)
    return result


async def report_failure(
    bot: FOCBot,
    problems: Sequence[Problem],
    *,
    trigger: str,
    moderator: discord.abc.User | None = None,
    notify: bool = False,
) -> None:
    """Log, audit and (``notify``) post to the moderator channel why a reload failed."""
    listing = "\n".join(str(p) for p in problems)
    log.error(
        "knowledge reload failed (%s); the last good knowledge keeps serving. %d problem(s):\n%s",
        trigger,
        len(problems),
        listing,
    )
    await bot.store_call(
        "record a reload failure",
        lambda store: store.record_audit(
            "reload-failure",
            f"{trigger}\n{listing}"[:8000],
            moderator_id=moderator.id if moderator else None,
            moderator=str(moderator) if moderator else None,
        ),
    )
    channel_id = bot.config.discord.mod_channel
    if not notify or channel_id is None:
        return
    head = (
        f"⚠️ The knowledge was not reloaded ({discord.utils.escape_markdown(trigger)}): "
        f"{len(problems)} problem(s). The last good version keeps answering. Fix and save again:"
    )
    body = problems_block(problems, _MESSAGE_LIMIT - len(head) - 2)
    try:
        channel = bot.get_partial_messageable(channel_id)
        await channel.send(f"{head}\n{body}", allowed_mentions=NO_MENTIONS)
    except discord.HTTPException:
        log.warning("could not post the reload failure to the moderator channel %s", channel_id)
