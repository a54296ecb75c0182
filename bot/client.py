"""The Discord client: a ``commands.Bot`` subclass that loads one extension per domain.

Follows discord.py's advanced start-up: ``setup_hook`` loads an explicit tuple of
extensions and registers persistent components; the command tree is synced on demand
(``python -m bot sync`` or the owner-only ``sync`` command), never at every start.

The bot also owns what the extensions share: the engine, the database
(:mod:`bot.storage`, used through :meth:`FOCBot.store_call`, which never raises) and
the lock that makes knowledge reloads happen one at a time.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import time
from collections.abc import Callable
from typing import Any, TypeVar

import discord
from discord.ext import commands

from .config import Config
from .engine.engine import Engine
from .exts.forms import InteractionRouter
from .guard import RepeatTracker
from .guild_settings import GuildSettingsCache
from .i18n import CommandTranslator
from .knowledge.watch import Snapshot
from .storage import Store, open_store

T = TypeVar("T")

log = logging.getLogger(__name__)

EXTENSIONS: tuple[str, ...] = (
    "bot.exts.asking",
    "bot.exts.membership",
    "bot.exts.sources",
    "bot.exts.admin",
    "bot.exts.moderation",
)

# Nothing the bot sends may ping anyone: no @everyone, no roles, no users, no reply ping.
NO_MENTIONS = discord.AllowedMentions.none()


def build_intents(config: Config) -> discord.Intents:
    """Default intents; message_content only when the bot answers in listed channels."""
    intents = discord.Intents.default()
    # Mentions of the bot and DMs carry their content without the privileged intent.
    intents.message_content = bool(config.discord.answer_channels)
    return intents


class FOCBot(commands.Bot):
    """The FOC question-answering bot."""

    def __init__(
        self, config: Config, engine: Engine, *, store: Store | None = None, **options: object
    ) -> None:
        super().__init__(
            command_prefix=commands.when_mentioned,
            intents=build_intents(config),
            allowed_mentions=NO_MENTIONS,
            help_command=None,
            owner_ids=set(config.discord.owner_ids) or None,
            **options,
        )
        self.config = config
        self.engine = engine
        settings = config.discord
        # Cooldowns live in the asking extension (bot/exts/asking/policy.py), per server.
        self.repeats = RepeatTracker(settings.repeat_window)
        # Per-server settings over config.yaml (read through guild_settings.settings_for).
        self.guild_settings = GuildSettingsCache(config)
        self.started_at = time.time()
        # None until setup_hook opens it (unless given). A database that cannot be opened
        # yet is still a Store: it reopens itself with back-off (see bot.storage).
        self.store: Store | None = store
        self._owns_store = store is None
        # Knowledge reloads (file watcher, /kb) run one at a time; the files they last
        # loaded, as the watcher compares them.
        self.knowledge_lock = asyncio.Lock()
        # Records waiting to be written, and the task writing them (see queue_record).
        self._pending: list[tuple[str, Callable[[Store], object]]] = []
        self._flusher: asyncio.Task[None] | None = None
        self._pruner: asyncio.Task[None] | None = None
        self.knowledge_seen: Snapshot = {}
        # The forms (modals) by custom id template, and the dynamic items' templates:
        # what answers a form or a click, after a restart too (see bot/exts/forms.py).
        self.router = InteractionRouter()

    def add_dynamic_items(self, *items: type[discord.ui.DynamicItem[Any]]) -> None:
        super().add_dynamic_items(*items)
        self.router.add_items(item.__discord_ui_compiled_template__ for item in items)

    def remove_dynamic_items(self, *items: type[discord.ui.DynamicItem[Any]]) -> None:
        super().remove_dynamic_items(*items)
        self.router.remove_items(item.__discord_ui_compiled_template__ for item in items)

    async def on_interaction(self, interaction: discord.Interaction) -> None:
        # Forms are handled here; a click or a form nothing handles gets a polite reply.
        await self.router.route(interaction)

    async def setup_hook(self) -> None:
        if self.store is None:
            try:
                self.store = await asyncio.to_thread(open_store, self.config)
            except Exception:
                # Answering does not need the database: run without records.
                log.exception("cannot open the database; questions and feedback will not be recorded")
        # Korean names and descriptions for the slash commands (sent when syncing).
        await self.tree.set_translator(CommandTranslator())
        for extension in EXTENSIONS:
            await self.load_extension(extension)
        log.info("loaded extensions: %s", ", ".join(EXTENSIONS))
        if self.store is not None and self.config.storage.retention_days:
            self._pruner = asyncio.create_task(self._prune_daily(), name="foc-prune")

    async def _prune_daily(self) -> None:
        """Delete questions and votes older than ``storage.retention_days``, once a day."""
        days = self.config.storage.retention_days
        while True:
            cutoff = time.time() - days * 86_400
            self.queue_record("delete old records", lambda store, cutoff=cutoff: store.prune(cutoff))
            await asyncio.sleep(86_400)

    async def close(self) -> None:
        if self._pruner is not None:
            self._pruner.cancel()
        await super().close()
        if self._flusher is not None:
            await self._flusher  # what was queued is written before the store closes
        if self.store is not None and self._owns_store:
            self.store.close()

    def queue_record(self, what: str, action: Callable[[Store], object]) -> None:
        """Write ``action(store)`` soon, in the background, batched with other records.

        Answering never waits for the database: records queue up while one batch is
        written (in a worker thread, one transaction per record), so a burst of
        questions costs one thread hop per batch, not one per question.
        """
        if self.store is None:
            return
        self._pending.append((what, action))
        if self._flusher is None or self._flusher.done():
            self._flusher = asyncio.create_task(self._flush_records(), name="foc-records")

    async def _flush_records(self) -> None:
        while self._pending:
            batch, self._pending = self._pending, []
            await asyncio.to_thread(self._write_records, batch)

    def _write_records(self, batch: list[tuple[str, Callable[[Store], object]]]) -> None:
        store = self.store
        if store is None:
            return
        for what, action in batch:
            try:
                action(store)
            except sqlite3.Error as exc:  # counted by the store, which reopens it in time
                log.warning("database: could not %s: %s", what, exc)
            except Exception:
                log.exception("database: could not %s", what)

    async def store_call(self, what: str, action: Callable[[Store], T]) -> T | None:
        """``action(store)`` in a worker thread; on any failure log it and return None.

        A record must never stop an answer: a locked or full disk costs the record only.
        """
        store = self.store
        if store is None:
            return None
        try:
            return await asyncio.to_thread(action, store)
        except sqlite3.Error as exc:  # counted by the store, which reopens it in time
            log.warning("database: could not %s: %s", what, exc)
            return None
        except Exception:
            log.exception("database: could not %s", what)
            return None

    def is_command(self, message: discord.Message) -> bool:
        """Whether the message is "@bot <command> ...": its first word after the mention
        names a registered prefix command. Cheap, unlike parsing a full context."""
        me = self.user
        if me is None:
            return False
        content = message.content.lstrip()
        for prefix in (f"<@{me.id}>", f"<@!{me.id}>"):
            if content.startswith(prefix):
                words = content[len(prefix) :].split(maxsplit=1)
                return bool(words) and words[0] in self.all_commands
        return False

    async def on_message(self, message: discord.Message, /) -> None:
        # Most mentions are questions: parse a command context only for real commands.
        if not message.author.bot and self.is_command(message):
            await self.process_commands(message)

    async def is_owner(self, user: discord.abc.User) -> bool:
        if user.id in self.config.discord.owner_ids:
            return True
        return await super().is_owner(user)

    async def on_ready(self) -> None:
        log.info(
            "ready as %s (%s) in %d guild(s)", self.user, getattr(self.user, "id", "?"), len(self.guilds)
        )

    async def on_error(self, event_method: str, /, *args: object, **kwargs: object) -> None:
        # Log with the traceback and keep running; the listener itself apologizes.
        log.exception("error in event %s", event_method)

    async def sync_commands(self, guild_id: int | None = None) -> int:
        """Sync the slash commands globally, or to one guild (instant, for development)."""
        if guild_id is not None:
            guild = discord.Object(id=guild_id)
            self.tree.copy_global_to(guild=guild)
            synced = await self.tree.sync(guild=guild)
        else:
            synced = await self.tree.sync()
        # /help's clickable command mentions carry the ids: fetch them again.
        asking = self.get_cog("Asking")
        if asking is not None:
            asking.command_ids.clear()  # type: ignore[attr-defined]
        log.info("synced %d command(s) %s", len(synced), f"to guild {guild_id}" if guild_id else "globally")
        return len(synced)
