"""``/kb``: moderators keep the knowledge current from Discord.

``reload`` and ``check`` the files, ``stats``, ``export`` qa.yaml, ``import`` a new one
(validated, previewed as a diff, confirmed), ``rollback`` to the previous version, and
``unanswered``: the questions the bot missed, each of which can be attached to an entry
as a learned alternate. The file work is in :mod:`bot.knowledge.changes` (shared with the
command line); this module is the Discord side: permissions, previews, buttons, the
audit log, and the reload that follows every change.

Only moderators (see :mod:`.checks`) may use any of it; every reply is ephemeral.
"""

from __future__ import annotations

import asyncio
import io
import logging
import time
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from ...client import NO_MENTIONS
from ...config import Config
from ...knowledge import changes
from ...knowledge.diff import summary
from ...knowledge.loader import load_knowledge
from ...knowledge.model import Entry
from ...knowledge.problems import KnowledgeError
from ...knowledge.unanswered import group_questions
from ...knowledge.yamlio import read_regular_file
from ...lang.text import normalize
from .checks import require_moderator
from .download import DownloadRefused, download
from .reloading import knowledge_snapshot, reload_knowledge, report_failure
from .render import diff_embed, problems_embed, stats_embed, unanswered_embed
from .views import ConfirmView, EntryPicker, QuestionPicker

if TYPE_CHECKING:
    from ...client import FOCBot

log = logging.getLogger(__name__)
DAY = 86_400.0
STATS_DAYS = 7
UNANSWERED_DAYS = 30
UNANSWERED_SHOWN = 10
SUGGESTED_ENTRIES = 5


def _quote(text: str, limit: int = 300) -> str:
    text = discord.utils.escape_mentions(discord.utils.escape_markdown(" ".join(text.split())))
    return "“" + (text if len(text) <= limit else text[: limit - 1] + "…") + "”"


@app_commands.guild_only()
@app_commands.default_permissions(manage_guild=True)
class KnowledgeAdmin(
    commands.GroupCog, group_name="kb", group_description="Moderators: keep the bot's knowledge current"
):
    """The /kb command group."""

    def __init__(self, bot: FOCBot) -> None:
        self.bot = bot
        super().__init__()

    async def interaction_check(self, interaction: discord.Interaction) -> bool:  # type: ignore[override]
        # Every subcommand: the bot's own check, whatever Discord's permissions say.
        return require_moderator(interaction)

    # -- helpers --------------------------------------------------------------------------

    @property
    def config(self) -> Config:
        return self.bot.config

    async def audit(self, user: discord.abc.User, action: str, detail: str) -> None:
        await self.bot.store_call(
            f"record the {action} in the audit log",
            lambda store: store.record_audit(action, detail, moderator_id=user.id, moderator=str(user)),
        )

    async def _report_disk_error(
        self, interaction: discord.Interaction, what: str, exc: KnowledgeError
    ) -> None:
        """A change the disk refused is for the moderator channel and the audit log too."""
        if isinstance(exc, changes.DiskError):
            await report_failure(
                self.bot,
                exc.problems,
                trigger=f"{what} by {interaction.user}",
                moderator=interaction.user,
                notify=True,
                action="change-failure",
            )

    async def _reload_after(self, interaction: discord.Interaction, what: str) -> str:
        """Reload after a change; a line saying what now serves."""
        result = await reload_knowledge(
            self.bot, trigger=f"{what} by {interaction.user}", moderator=interaction.user, notify=True
        )
        if result.ok:
            return f"Now serving {result.entries} entries and {result.facts} fact cards."
        return (
            "⚠️ But the reload failed (the files changed meanwhile?), so the previous knowledge "
            "keeps serving: see `/kb check`."
        )

    # -- reload, check, stats, export -----------------------------------------------------

    @app_commands.command(name="reload", description="Reload the knowledge files now (validated first)")
    async def reload(self, interaction: discord.Interaction) -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)
        result = await reload_knowledge(
            self.bot, trigger=f"/kb reload by {interaction.user}", moderator=interaction.user
        )
        if result.ok:
            await interaction.followup.send(
                f"Reloaded: {result.entries} entries, {result.facts} fact cards.", ephemeral=True
            )
        else:
            embed = problems_embed("Reload refused: the last good knowledge keeps serving", result.problems)
            await interaction.followup.send(embed=embed, ephemeral=True)

    @app_commands.command(
        name="check", description="Validate the knowledge files on disk without loading them"
    )
    async def check(self, interaction: discord.Interaction) -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)
        paths = self.config.knowledge_paths()
        try:
            knowledge = await asyncio.to_thread(load_knowledge, paths)
        except KnowledgeError as exc:
            embed = problems_embed("The knowledge files have problems", exc.problems)
            await interaction.followup.send(embed=embed, ephemeral=True)
            return
        current = await asyncio.to_thread(knowledge_snapshot, self.config)
        loaded = "and loaded" if current == self.bot.knowledge_seen else "but not loaded yet (`/kb reload`)"
        await interaction.followup.send(
            f"The knowledge files are valid {loaded}: {len(knowledge.entries)} entries, "
            f"{len(knowledge.facts)} fact cards.",
            ephemeral=True,
        )

    @app_commands.command(name="stats", description="Knowledge size, last reload, questions and feedback")
    async def stats(self, interaction: discord.Interaction) -> None:
        since = time.time() - STATS_DAYS * DAY
        usage = await self.bot.store_call("read the stats", lambda store: store.usage(since))
        embed = stats_embed(self.bot.engine, usage, STATS_DAYS)
        if self.bot.store is not None:
            embed.add_field(name="Database", value=self.bot.store.health(), inline=False)
        await interaction.response.send_message(embed=embed, ephemeral=True)

    @app_commands.command(name="export", description="Download the current qa.yaml")
    async def export(self, interaction: discord.Interaction) -> None:
        shown = self.config.knowledge_paths().show(self.config.qa_path)
        try:
            # Never what a symbolic link points to (it could be any file on the machine).
            data = await asyncio.to_thread(read_regular_file, self.config.qa_path, shown)
        except KnowledgeError as exc:
            embed = problems_embed("Export refused", exc.problems)
            await interaction.response.send_message(embed=embed, ephemeral=True)
            return
        await interaction.response.send_message(
            f"The current `{self.config.knowledge.qa}` ({len(data):,} bytes).",
            file=discord.File(io.BytesIO(data), filename=self.config.qa_path.name),
            ephemeral=True,
        )

    # -- import ---------------------------------------------------------------------------

    @app_commands.command(
        name="import", description="Replace qa.yaml with a file: validated, previewed, confirmed"
    )
    @app_commands.describe(file="The new qa.yaml (as exported by /kb export, then edited)")
    async def import_(self, interaction: discord.Interaction, file: discord.Attachment) -> None:
        limit = self.config.knowledge.max_import_bytes
        if file.size > limit:
            await interaction.response.send_message(
                f"Import refused: the file is {file.size:,} bytes; the limit is {limit:,}. Nothing was changed.",
                ephemeral=True,
            )
            return
        await interaction.response.defer(ephemeral=True, thinking=True)
        try:
            # The attachment's name is never used: the content goes to qa.yaml only.
            data = await download(file, limit, proxy=self.bot.http.proxy)
        except DownloadRefused as exc:
            log.warning("/kb import: %s", exc)
            await interaction.followup.send(
                f"Import refused: {exc}. Nothing was changed; please try again.", ephemeral=True
            )
            return
        current = self.bot.engine.knowledge
        try:
            plan = await asyncio.to_thread(changes.plan_import, self.config, data, current=current)
        except KnowledgeError as exc:
            embed = problems_embed("Import refused: the file has problems", exc.problems)
            await interaction.followup.send(embed=embed, ephemeral=True)
            return
        if plan.unchanged:
            await interaction.followup.send(
                "That file is the same as `qa.yaml` on disk: nothing to do.", ephemeral=True
            )
            return

        async def confirm(click: discord.Interaction) -> None:
            await self._apply_import(click, plan)

        embed = diff_embed(
            "Import this qa.yaml?",
            plan.diff,
            note=(
                ("`qa.yaml` on disk does not validate now; this import replaces it. " if plan.repairs else "")
                + f"The current file is backed up first. {plan.entries} entries after the import."
            ),
        )
        await interaction.followup.send(
            embed=embed, view=ConfirmView(confirm, "Import"), ephemeral=True, wait=True
        )

    async def _apply_import(self, interaction: discord.Interaction, plan: changes.ImportPlan) -> None:
        async def apply() -> str:
            backup = await asyncio.to_thread(changes.apply_import, self.config, plan)
            await self.audit(interaction.user, "import", f"{summary(plan.diff)}; backup {backup.path.name}")
            return f"Imported ({summary(plan.diff)}). The previous version is kept as `{backup.path.name}`."

        await self._apply(interaction, "import", "Import refused", apply)

    async def _apply(
        self,
        interaction: discord.Interaction,
        what: str,
        refused: str,
        apply: Callable[[], Awaitable[str]],
    ) -> None:
        """Confirmed change: apply (write, audit), reload, and say what happened."""
        await interaction.response.defer()
        try:
            done = await apply()
        except KnowledgeError as exc:
            await self._report_disk_error(interaction, what, exc)
            embed = problems_embed(refused, exc.problems)
            await interaction.edit_original_response(content=None, embed=embed, view=None)
            return
        serving = await self._reload_after(interaction, what)
        await interaction.edit_original_response(content=f"{done} {serving}", embed=None, view=None)

    # -- rollback -------------------------------------------------------------------------

    @app_commands.command(
        name="rollback", description="Go back to the previous version (undo the last change)"
    )
    async def rollback(self, interaction: discord.Interaction) -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)
        current = self.bot.engine.knowledge
        try:
            plan = await asyncio.to_thread(changes.plan_rollback, self.config, current=current)
        except KnowledgeError as exc:
            embed = problems_embed("Rollback refused: the previous version does not fit", exc.problems)
            await interaction.followup.send(embed=embed, ephemeral=True)
            return
        if plan is None:
            await interaction.followup.send("There is no previous version to go back to.", ephemeral=True)
            return

        async def confirm(click: discord.Interaction) -> None:
            await self._apply_rollback(click, plan)

        backup = plan.backup
        embed = diff_embed(
            f"Roll {backup.label}.yaml back to the version replaced <t:{int(backup.at.timestamp())}:R>?",
            plan.diff,
            note="The current version is kept in the backups too.",
        )
        await interaction.followup.send(
            embed=embed, view=ConfirmView(confirm, "Roll back"), ephemeral=True, wait=True
        )

    async def _apply_rollback(self, interaction: discord.Interaction, plan: changes.RollbackPlan) -> None:
        async def apply() -> str:
            undone = await asyncio.to_thread(changes.apply_rollback, self.config, plan)
            detail = (
                f"restored {plan.backup.path.name} ({summary(plan.diff)}); undone version {undone.path.name}"
            )
            await self.audit(interaction.user, "rollback", detail)
            return (
                f"Rolled back {plan.backup.label}.yaml ({summary(plan.diff)}). The version it replaced "
                f"is kept as `{undone.path.name}`."
            )

        await self._apply(interaction, "rollback", "Rollback refused", apply)

    # -- unanswered -----------------------------------------------------------------------

    @app_commands.command(
        name="unanswered", description="The questions I missed most (30 days); attach them to entries"
    )
    async def unanswered(self, interaction: discord.Interaction) -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)
        since = time.time() - UNANSWERED_DAYS * DAY
        missed = await self.bot.store_call(
            "read the missed questions", lambda store: store.missed_questions(since)
        )
        if missed is None:
            await interaction.followup.send("The database is not available right now.", ephemeral=True)
            return
        knowledge = self.bot.engine.knowledge
        known = {normalize(p) for entry in knowledge.entries for p in entry.phrasings}
        groups = (await asyncio.to_thread(group_questions, missed, known=known))[:UNANSWERED_SHOWN]
        embed = unanswered_embed(groups, UNANSWERED_DAYS)
        if not groups:
            await interaction.followup.send(embed=embed, ephemeral=True)
            return
        view = QuestionPicker(groups, self._offer_entries)
        await interaction.followup.send(embed=embed, view=view, ephemeral=True, wait=True)

    async def _offer_entries(self, interaction: discord.Interaction, question: str) -> None:
        """The entries the engine ranks best for ``question``, to attach it to one."""
        ranked = self.bot.engine.rank(question, limit=SUGGESTED_ENTRIES * 5)
        entries = [(c.item, c.score) for c in ranked if isinstance(c.item, Entry)][:SUGGESTED_ENTRIES]
        if not entries:
            await interaction.response.send_message(
                f"No entry comes close to {_quote(question)}. If the announcement answers it, add an "
                "entry to qa.yaml (`/kb export`, edit, `/kb import`).",
                ephemeral=True,
                allowed_mentions=NO_MENTIONS,
            )
            return
        await interaction.response.send_message(
            f"Attach {_quote(question)} as an alternate of which entry? (best matches first)",
            view=EntryPicker(question, entries, self._learn),
            ephemeral=True,
            allowed_mentions=NO_MENTIONS,
        )

    async def _learn(self, interaction: discord.Interaction, question: str, entry_id: str) -> None:
        await interaction.response.defer()
        try:
            result = await asyncio.to_thread(changes.learn, self.config, entry_id, question)
        except KnowledgeError as exc:
            await self._report_disk_error(interaction, "learned alternate", exc)
            embed = problems_embed("Not added", exc.problems)
            await interaction.edit_original_response(content=None, embed=embed, view=None)
            return
        if not result.added:
            await interaction.edit_original_response(
                content=f"{_quote(question)} is already learned for `{entry_id}`.", view=None
            )
            return
        await self.audit(interaction.user, "learned", f"{entry_id} += {question!r}")
        serving = await self._reload_after(interaction, "learned alternate")
        answer = self.bot.engine.ask(question)
        if answer.answered and answer.entry_id == entry_id:
            outcome = f"Asked now, it is answered by `{entry_id}` (confidence {answer.score:.0f})."
        else:
            outcome = (
                f"Asked now, it is still not answered by `{entry_id}` (best: {answer.entry_id or 'none'}, "
                f"{answer.score:.0f}): consider rewording the entry in qa.yaml."
            )
        await interaction.edit_original_response(
            content=f"Added {_quote(question)} to `{entry_id}` in learned.yaml. {outcome} {serving}",
            view=None,
            allowed_mentions=NO_MENTIONS,
        )
