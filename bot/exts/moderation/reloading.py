"""Reloading the knowledge from Discord, and telling moderators when an edit is broken.

Every reload (the file watcher's, ``/kb reload``, after an import, a rollback or a
learned alternate) goes through :func:`reload_knowledge`: one at a time, in a worker
thread, validate first and swap atomically (:meth:`bot.engine.engine.Engine.reload`). A
failure keeps the last good knowledge serving and is reported with every problem (file,
line, entry, what is wrong) in the log, the audit log and, for edits on disk, the
moderator channel (``discord.mod_channel``).

Whatever the failure, it is a report for the people who can act on it: a file that
cannot be read is a problem of that file, and an unexpected exception is a problem
naming the knowledge folder (with the traceback in the log only). The same problems are
posted and audited once, not at every poll or save that finds them again; a successful
reload ends the episode, so the next failure is reported afresh.
"""

from __future__ import annotations

import asyncio
import logging
import weakref
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


# The problems last reported per bot (posted and audited), so that finding them again
# reports nothing new; cleared by a successful reload.
_reported: weakref.WeakKeyDictionary[FOCBot, frozenset[str]] = weakref.WeakKeyDictionary()


def unexpected_problem(config: Config, exc: BaseException) -> Problem:
    """An exception no loader turned into a problem, as a problem a moderator can act on."""
    where = config.knowledge_paths().show(config.knowledge_dir)
    return Problem(
        where,
        f"the knowledge could not be loaded ({exc.__class__.__name__}: {exc}); check the files "
        "and their permissions, then save again or use /kb reload (details in the bot's log)",
    )


async def reload_knowledge(
    bot: FOCBot,
    *,
    trigger: str,
    moderator: discord.abc.User | None = None,
    notify: bool = False,
    channel_id: int | None = None,
) -> ReloadResult:
    """Validate and swap in the knowledge on disk; report a failure. One at a time.

    Never raises: whatever goes wrong is a failed result, reported.

    ``channel_id``: where to report (a server's moderator channel); by default
    ``discord.mod_channel``.
    """
    async with bot.knowledge_lock:
        # Taken before reading: an edit made during the reload shows up as a change.
        seen = await asyncio.to_thread(knowledge_snapshot, bot.config)
        try:
            result = await asyncio.to_thread(bot.engine.reload)
        except Exception as exc:
            log.exception("knowledge reload (%s) raised", trigger)
            result = ReloadResult(ok=False, problems=(unexpected_problem(bot.config, exc),))
        bot.knowledge_seen = seen
    if result.ok:
        _reported.pop(bot, None)
        log.info("knowledge reloaded (%s): %d entries, %d fact cards", trigger, result.entries, result.facts)
    else:
        await report_failure(
            bot, result.problems, trigger=trigger, moderator=moderator, notify=notify, channel_id=channel_id
        )
    return result


async def report_failure(
    bot: FOCBot,
    problems: Sequence[Problem],
    *,
    trigger: str,
    moderator: discord.abc.User | None = None,
    notify: bool = False,
    action: str = "reload-failure",
    channel_id: int | None = None,
) -> None:
    """Log, audit and (``notify``) post to the moderator channel why a reload failed
    (``action`` "reload-failure") or why the disk refused a change ("change-failure").

    Problems already reported (the same set as last time) are logged again but neither
    audited nor posted again, unless a moderator asked (``moderator``: audited).
    """
    listing = "\n".join(str(p) for p in problems)
    what = "reload" if action == "reload-failure" else "change"
    log.error(
        "knowledge %s failed (%s); the last good knowledge keeps serving. %d problem(s):\n%s",
        what,
        trigger,
        len(problems),
        listing,
    )
    key = frozenset([action, *(str(p) for p in problems)])
    repeated = _reported.get(bot) == key
    _reported[bot] = key
    if repeated and moderator is None:
        return
    await bot.store_call(
        "record a reload failure",
        lambda store: store.record_audit(
            action,
            f"{trigger}\n{listing}"[:8000],
            moderator_id=moderator.id if moderator else None,
            moderator=str(moderator) if moderator else None,
        ),
    )
    channel_id = channel_id or bot.config.discord.mod_channel
    if not notify or channel_id is None or repeated:
        return
    done = "reloaded" if action == "reload-failure" else "changed: the disk refused it"
    head = (
        f"⚠️ The knowledge was not {done} ({discord.utils.escape_markdown(trigger)}): "
        f"{len(problems)} problem(s). The last good version keeps answering. Fix and save again:"
    )
    body = problems_block(problems, _MESSAGE_LIMIT - len(head) - 2)
    try:
        channel = bot.get_partial_messageable(channel_id)
        await channel.send(f"{head}\n{body}", allowed_mentions=NO_MENTIONS)
    except discord.HTTPException:
        log.warning("could not post the reload failure to the moderator channel %s", channel_id)
