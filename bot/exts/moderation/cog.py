"""``/kb``: moderators keep the knowledge current from Discord.

``reload`` and ``check`` the files, ``stats``, ``export`` qa.yaml, ``import`` a new one
(validated, previewed as a diff, confirmed), ``rollback`` to the previous version,
``add`` and ``edit`` one entry with a form, ``audit`` (the latest changes),
``unanswered`` (the questions the bot missed: attach one to an entry, make a new entry
of it, or dismiss it) and ``config`` (this server's settings). The file work is in
:mod:`bot.knowledge.changes` (shared with the command line); this module is the Discord
side: permissions, previews, buttons, the audit log, the post to the moderator channel,
and the reload that follows every change.

Only moderators (see :mod:`.checks`) may use any of it; every reply is ephemeral.
"""

from __future__ import annotations

import asyncio
import io
import logging
import re
import time
from collections.abc import Awaitable, Callable, Sequence
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands
from discord.ext import commands

from ...client import NO_MENTIONS
from ...config import Config
from ...guild_settings import SETTINGS, parse_value, settings_for, show_value
from ...knowledge import changes
from ...knowledge.diff import KnowledgeDiff, summary
from ...knowledge.editing import EntryForm
from ...knowledge.loader import load_knowledge
from ...knowledge.model import Entry
from ...knowledge.problems import KnowledgeError
from ...knowledge.qa import parse_qa
from ...knowledge.unanswered import QuestionGroup, group_questions
from ...knowledge.yamlio import read_regular_file
from ...lang.text import normalize
from ...storage import settled_phrasings
from ..forms import typed_embed
from .checks import NOT_MODERATOR, is_moderator, require_moderator, tell
from .download import DownloadRefused, download
from .reloading import knowledge_snapshot, reload_knowledge, report_failure
from .render import (
    audit_embed,
    change_text,
    config_embed,
    diff_embed,
    problems_embed,
    stats_embed,
    unanswered_embed,
)
from .views import (
    FORM_TEMPLATE,
    PAGE,
    ConfirmView,
    EntryModal,
    LiveViews,
    QuestionActions,
    QuestionPicker,
    RetryView,
    fits_modal,
    form_custom_id,
    typed_form,
)

if TYPE_CHECKING:
    from ...client import FOCBot

log = logging.getLogger(__name__)
DAY = 86_400.0
STATS_DAYS = 7
UNANSWERED_DAYS = 30
UNANSWERED_MAX = 100  # missed question groups offered, PAGE per page
SUGGESTED_ENTRIES = 5
AUDIT_SHOWN = 15
_AUTOCOMPLETE = 25


def _quote(text: str, limit: int = 300) -> str:
    text = discord.utils.escape_mentions(discord.utils.escape_markdown(" ".join(text.split())))
    return "“" + (text if len(text) <= limit else text[: limit - 1] + "…") + "”"


def _setting_choices() -> list[app_commands.Choice[str]]:
    return [app_commands.Choice(name=name, value=name) for name in SETTINGS]


@app_commands.guild_only()
@app_commands.default_permissions(manage_guild=True)
class KnowledgeAdmin(
    commands.GroupCog, group_name="kb", group_description="Moderators: keep the bot's knowledge current"
):
    """The /kb command group."""

    settings_group = app_commands.Group(name="config", description="This server's settings for the bot")

    def __init__(self, bot: FOCBot) -> None:
        self.bot = bot
        # The custom ids of the views alive now: anything else of /kb has expired.
        self.live = LiveViews()
        super().__init__()

    async def cog_load(self) -> None:
        stored = await self.bot.store_call("read the server settings", lambda store: store.guild_settings())
        if stored:
            self.bot.guild_settings.load(stored)
        # The entry form's submissions, from its custom id (after a restart too).
        self.bot.router.add_form(FORM_TEMPLATE, self._form_sent)

    async def cog_unload(self) -> None:
        self.bot.router.remove_form(FORM_TEMPLATE)

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

    async def announce(self, interaction: discord.Interaction, what: str, description: str) -> None:
        """Tell the server's moderator channel about a knowledge change: who, and the diff."""
        channel_id = settings_for(self.bot, interaction.guild_id).mod_channel
        if channel_id is None:
            return
        user = interaction.user
        embed = discord.Embed(
            title=f"Knowledge changed: {what}",
            colour=discord.Colour.blurple(),
            description=f"By {user.mention} ({discord.utils.escape_markdown(str(user))}), "
            f"<t:{int(time.time())}:R>.\n{description}"[:4096],
        )
        try:
            await self.bot.get_partial_messageable(channel_id).send(embed=embed, allowed_mentions=NO_MENTIONS)
        except discord.HTTPException:
            log.warning("could not post the %s to the moderator channel %s", what, channel_id)

    async def _reload_after(self, interaction: discord.Interaction, what: str) -> str:
        """Reload after a change; a line saying what now serves."""
        result = await reload_knowledge(
            self.bot,
            trigger=f"{what} by {interaction.user}",
            moderator=interaction.user,
            notify=True,
            channel_id=settings_for(self.bot, interaction.guild_id).mod_channel,
        )
        if result.ok:
            return f"Now serving {result.entries} entries and {result.facts} fact cards."
        return (
            "⚠️ But the reload failed (the files changed meanwhile?), so the previous knowledge "
            "keeps serving: see `/kb check`."
        )

    def _entries_of(self, data: bytes | None) -> tuple[Entry, ...]:
        """The entries of a qa.yaml's content (already validated), to show their texts."""
        if data is None:
            return ()
        try:
            return parse_qa(data, "qa.yaml", self.bot.engine.knowledge.documents).entries
        except KnowledgeError:
            return ()

    async def _preview(
        self, interaction: discord.Interaction, embed: discord.Embed, view: ConfirmView | RetryView
    ) -> None:
        """Send a preview as the (deferred) reply, remembering it to disable it on timeout."""
        view.message = await interaction.followup.send(embed=embed, view=view, ephemeral=True, wait=True)

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

        new_entries = await asyncio.to_thread(self._entries_of, plan.data)
        old_entries = current.entries

        async def confirm(click: discord.Interaction, view: ConfirmView) -> None:
            await self._apply_plan(click, view, plan, "import", old_entries, new_entries)

        embed = diff_embed(
            "Import this qa.yaml?",
            plan.diff,
            old_entries,
            new_entries,
            note=(
                ("`qa.yaml` on disk does not validate now; this import replaces it. " if plan.repairs else "")
                + f"The current file is backed up first. {plan.entries} entries after the import."
            ),
        )
        await self._preview(interaction, embed, ConfirmView(self.live, confirm, "Import"))

    async def _apply_plan(
        self,
        interaction: discord.Interaction,
        view: ConfirmView,
        plan: changes.ImportPlan,
        action: str,
        old: Sequence[Entry],
        new: Sequence[Entry],
    ) -> None:
        """Write a planned qa.yaml (an import, an added or edited entry)."""

        async def apply() -> str:
            backup = await asyncio.to_thread(changes.apply_import, self.config, plan)
            await self.audit(interaction.user, action, f"{summary(plan.diff)}; backup {backup.path.name}")
            await self.announce(interaction, action, _diff_text(plan.diff, old, new))
            done = {"import": "Imported", "add": "Added", "edit": "Saved"}[action]
            return f"{done} ({summary(plan.diff)}). The previous version is kept as `{backup.path.name}`."

        await self._apply(interaction, view, action, apply)

    async def _apply(
        self,
        interaction: discord.Interaction,
        view: ConfirmView,
        what: str,
        apply: Callable[[], Awaitable[str]],
    ) -> None:
        """Confirmed change: apply (write, audit, tell), reload, and say what happened.

        Whatever fails (a file that no longer validates, a disk that refuses the
        backup), the moderator is told and the preview's buttons are disabled.
        """
        await interaction.response.defer()
        try:
            done = await apply()
        except KnowledgeError as exc:
            await self._report_disk_error(interaction, what, exc)
            embed = problems_embed(f"{what.capitalize()} refused", exc.problems)
            await interaction.edit_original_response(content=None, embed=embed, view=view.disable())
            return
        except Exception as exc:
            log.exception("the %s failed", what)
            embed = discord.Embed(
                title=f"{what.capitalize()} failed",
                colour=discord.Colour.red(),
                description=(
                    f"`{type(exc).__name__}: {discord.utils.escape_markdown(str(exc))[:500]}`\n"
                    "The knowledge files were not changed. Fix the cause (for example the "
                    "permissions of `knowledge/backups`) and run the command again."
                ),
            )
            await interaction.edit_original_response(content=None, embed=embed, view=view.disable())
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
        backup = plan.backup
        old_entries = current.entries
        if backup.label == "qa":
            new_entries = await asyncio.to_thread(lambda: self._entries_of(backup.read()))
        else:  # learned.yaml: only alternates change; the entries' texts stay
            new_entries = old_entries

        async def confirm(click: discord.Interaction, view: ConfirmView) -> None:
            await self._apply_rollback(click, view, plan, old_entries, new_entries)

        # Discord renders timestamps in descriptions, not in titles.
        embed = diff_embed(
            f"Roll {backup.label}.yaml back to the previous version?",
            plan.diff,
            old_entries,
            new_entries,
            note=f"The version replaced <t:{int(backup.at.timestamp())}:R> comes back; "
            "the current version is kept in the backups too.",
        )
        await self._preview(interaction, embed, ConfirmView(self.live, confirm, "Roll back"))

    async def _apply_rollback(
        self,
        interaction: discord.Interaction,
        view: ConfirmView,
        plan: changes.RollbackPlan,
        old: Sequence[Entry],
        new: Sequence[Entry],
    ) -> None:
        async def apply() -> str:
            undone = await asyncio.to_thread(changes.apply_rollback, self.config, plan)
            detail = (
                f"restored {plan.backup.path.name} ({summary(plan.diff)}); undone version {undone.path.name}"
            )
            await self.audit(interaction.user, "rollback", detail)
            await self.announce(interaction, "rollback", _diff_text(plan.diff, old, new))
            return (
                f"Rolled back {plan.backup.label}.yaml ({summary(plan.diff)}). The version it replaced "
                f"is kept as `{undone.path.name}`."
            )

        await self._apply(interaction, view, "rollback", apply)

    # -- add and edit one entry -----------------------------------------------------------

    @app_commands.command(
        name="add", description="Add an entry to qa.yaml with a form (validated, previewed)"
    )
    async def add(self, interaction: discord.Interaction) -> None:
        await self._open_form(interaction, None, None)

    @app_commands.command(
        name="edit", description="Edit an entry of qa.yaml with a form (validated, previewed)"
    )
    @app_commands.describe(entry="The entry's id (type to search by id or question)")
    async def edit(self, interaction: discord.Interaction, entry: str) -> None:
        try:
            form = await asyncio.to_thread(changes.entry_form, self.config, entry)
        except KnowledgeError as exc:
            embed = problems_embed(f"Cannot edit {entry[:80]!r}", exc.problems)
            await interaction.response.send_message(embed=embed, ephemeral=True)
            return
        if not fits_modal(form) or form_custom_id(entry) is None:
            await interaction.response.send_message(
                f"`{entry}` is too long for Discord's form (over 4,000 characters in a field, or an id "
                "over 88 characters): edit it in qa.yaml (`/kb export`, edit, `/kb import`).",
                ephemeral=True,
            )
            return
        await self._open_form(interaction, entry, form)

    @edit.autocomplete("entry")
    async def _entry_autocomplete(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        typed = normalize(current)
        found = []
        for entry in self.bot.engine.knowledge.entries:
            if not typed or typed in entry.id or typed in normalize(entry.question):
                name = f"{entry.id} · {entry.question}"
                found.append(
                    app_commands.Choice(name=name[:97] + "…" if len(name) > 100 else name, value=entry.id)
                )
                if len(found) == _AUTOCOMPLETE:
                    break
        return found

    async def _open_form(
        self, interaction: discord.Interaction, entry_id: str | None, form: EntryForm | None
    ) -> None:
        """Open the entry form (for ``entry_id``, or a new entry), prefilled with ``form``."""
        title = f"Edit {entry_id}" if entry_id else "New knowledge entry"
        await EntryModal(title, form, entry_id).send(interaction)

    async def _form_sent(
        self, interaction: discord.Interaction, match: re.Match[str], values: dict[str, str]
    ) -> None:
        """A submitted entry form (:data:`FORM_TEMPLATE`), whenever it was opened."""
        entry_id, form = match["entry"], typed_form(values)
        if not is_moderator(interaction):
            await tell(interaction, NOT_MODERATOR)
            return
        if entry_id is not None and entry_id not in {e.id for e in self.bot.engine.knowledge.entries}:
            # Deleted or renamed since the form was opened: keep what was typed.
            async def as_new(click: discord.Interaction) -> None:
                await self._open_form(click, None, form)

            view = RetryView(self.live, as_new, "Add as a new entry")
            await interaction.response.send_message(
                f"Not saved: `{entry_id}` is no longer in qa.yaml (deleted or renamed since the form "
                "was opened). What you typed is kept: **Add as a new entry** opens the form with it, "
                "and it is below.",
                embed=typed_embed(values.values()),  # type: ignore[arg-type]
                view=view,
                ephemeral=True,
                allowed_mentions=NO_MENTIONS,
            )
            view.message = await interaction.original_response()
            return
        await self._form_submitted(interaction, entry_id, form)

    async def _form_submitted(
        self, interaction: discord.Interaction, entry_id: str | None, form: EntryForm
    ) -> None:
        """Plan the form's entry like a file: refused with its problems, or previewed."""
        await interaction.response.defer(ephemeral=True, thinking=True)
        current = self.bot.engine.knowledge
        action = "edit" if entry_id else "add"

        async def again(click: discord.Interaction) -> None:
            await self._open_form(click, entry_id, form)

        try:
            if entry_id is None:
                plan = await asyncio.to_thread(changes.plan_add, self.config, form, current=current)
            else:
                plan = await asyncio.to_thread(
                    changes.plan_edit, self.config, entry_id, form, current=current
                )
        except KnowledgeError as exc:
            embed = problems_embed("Not saved: the entry has problems", exc.problems)
            embed.description = (embed.description or "") + "\nWhat you typed is kept: **Edit again**."
            await self._preview(interaction, embed, RetryView(self.live, again))
            return
        if plan.diff.empty:
            await interaction.followup.send(
                "That is what the entry already says: nothing to do.", ephemeral=True
            )
            return
        new_entries = await asyncio.to_thread(self._entries_of, plan.data)
        old_entries = current.entries

        async def confirm(click: discord.Interaction, view: ConfirmView) -> None:
            await self._apply_plan(click, view, plan, action, old_entries, new_entries)

        title = f"Save the changes to {entry_id}?" if entry_id else "Add this entry?"
        embed = diff_embed(
            title,
            plan.diff,
            old_entries,
            new_entries,
            note="qa.yaml is backed up first, then written and reloaded.",
        )
        await self._preview(
            interaction, embed, ConfirmView(self.live, confirm, "Save" if entry_id else "Add")
        )

    # -- audit ----------------------------------------------------------------------------

    @app_commands.command(name="audit", description="The latest knowledge changes: who, when, what")
    async def audit_log(self, interaction: discord.Interaction) -> None:
        entries = await self.bot.store_call("read the audit log", lambda store: store.audit_log(AUDIT_SHOWN))
        if entries is None:
            await interaction.response.send_message(
                "The database is not available right now.", ephemeral=True
            )
            return
        await interaction.response.send_message(
            embed=audit_embed(entries), ephemeral=True, allowed_mentions=NO_MENTIONS
        )

    # -- unanswered -----------------------------------------------------------------------

    @app_commands.command(
        name="unanswered", description="The questions I missed most (30 days): attach, add or dismiss"
    )
    async def unanswered(self, interaction: discord.Interaction) -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)
        since = time.time() - UNANSWERED_DAYS * DAY
        missed = await self.bot.store_call(
            "read the missed questions", lambda store: (store.missed_questions(since), store.dismissed())
        )
        if missed is None:
            await interaction.followup.send("The database is not available right now.", ephemeral=True)
            return
        questions, dismissed = missed
        knowledge = self.bot.engine.knowledge
        known = settled_phrasings(knowledge.entries, questions) | dismissed
        groups = (await asyncio.to_thread(group_questions, questions, known=known))[:UNANSWERED_MAX]
        if not groups:
            await interaction.followup.send(embed=unanswered_embed(groups, UNANSWERED_DAYS), ephemeral=True)
            return

        def render(shown: Sequence[QuestionGroup], page: int, pages: int) -> discord.Embed:
            return unanswered_embed(shown, UNANSWERED_DAYS, page, pages, PAGE)

        view = QuestionPicker(self.live, groups, self._question_picked, render)
        view.message = await interaction.followup.send(
            embed=view.embed(), view=view, ephemeral=True, wait=True
        )

    async def _question_picked(self, interaction: discord.Interaction, group: QuestionGroup) -> None:
        """One missed question: the entries it could belong to, a new entry, or dismiss."""
        question = group.question
        ranked = self.bot.engine.rank(question, limit=SUGGESTED_ENTRIES * 5)
        entries = [(c.item, c.score) for c in ranked if isinstance(c.item, Entry)][:SUGGESTED_ENTRIES]
        if entries:
            content = (
                f"{_quote(question)}: attach it as an alternate of an entry (best matches first), "
                "make a new entry of it, or dismiss it as noise."
            )
        else:
            content = (
                f"No entry comes close to {_quote(question)}: make a new entry of it, or dismiss it as noise."
            )
        view = QuestionActions(
            self.live,
            group,
            entries,
            on_attach=self._learn,
            on_new=self._new_from_question,
            on_dismiss=self._dismiss,
        )
        await interaction.response.send_message(
            content, view=view, ephemeral=True, allowed_mentions=NO_MENTIONS
        )
        view.message = await interaction.original_response()

    async def _new_from_question(self, interaction: discord.Interaction, question: str) -> None:
        await self._open_form(interaction, None, EntryForm(question[:300], (), "", "", ""))

    async def _dismiss(self, interaction: discord.Interaction, group: QuestionGroup) -> None:
        texts = {normalize(t): t for t in (group.question, *group.variants) if normalize(t)}
        user_id = interaction.user.id
        done = await self.bot.store_call(
            "dismiss a missed question",
            lambda store: store.dismiss_questions(texts, moderator_id=user_id) or True,
        )
        if done is None:
            await interaction.response.edit_message(
                content="Not dismissed: the database is not available right now.", view=None
            )
            return
        await interaction.response.edit_message(
            content=f"Dismissed {_quote(group.question)}"
            + (f" and {len(group.variants)} similar wording(s)" if group.variants else "")
            + ": it no longer shows in `/kb unanswered`.",
            view=None,
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
        entry = next((e for e in self.bot.engine.knowledge.entries if e.id == entry_id), None)
        about = f"\n> **Q:** {_quote(entry.question)}" if entry else ""
        await self.announce(
            interaction, "learned alternate", f"`{entry_id}` + alternate {_quote(question)}{about}"
        )
        serving = await self._reload_after(interaction, "learned alternate")
        answer = await asyncio.to_thread(self.bot.engine.ask, question)
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

    # -- config ---------------------------------------------------------------------------

    @settings_group.command(
        name="show", description="This server's settings (and which come from config.yaml)"
    )
    async def config_show(self, interaction: discord.Interaction) -> None:
        assert interaction.guild is not None  # guild_only
        settings = settings_for(self.bot, interaction.guild.id)
        await interaction.response.send_message(
            embed=config_embed(interaction.guild.name, settings), ephemeral=True, allowed_mentions=NO_MENTIONS
        )

    @settings_group.command(name="set", description="Change one of this server's settings")
    @app_commands.describe(
        setting="Which setting",
        value="Channels (#name or id), roles (@role or id), a number, or none",
    )
    @app_commands.choices(setting=_setting_choices())
    async def config_set(self, interaction: discord.Interaction, setting: str, value: str) -> None:
        guild = interaction.guild
        assert guild is not None  # guild_only
        try:
            parsed = parse_value(setting, value)
            self._check_ids_exist(guild, setting, parsed)
        except ValueError as exc:
            await interaction.response.send_message(
                f"Not changed: `{setting}`: {discord.utils.escape_markdown(str(exc))}.",
                ephemeral=True,
                allowed_mentions=NO_MENTIONS,
            )
            return
        user_id = interaction.user.id
        stored = await self.bot.store_call(
            "save a server setting",
            lambda store: store.set_guild_setting(guild.id, setting, parsed, moderator_id=user_id) or True,
        )
        if stored is None:
            await interaction.response.send_message(
                "Not changed: the database is not available right now.", ephemeral=True
            )
            return
        self.bot.guild_settings.set(guild.id, setting, parsed)
        note = ""
        if setting == "answer_channels" and parsed and not self.bot.intents.message_content:
            note = (
                "\n⚠️ The bot runs without the Message Content intent (it asks for it only when "
                "config.yaml lists answer_channels), so it sees only mentions and DMs for now."
            )
        await interaction.response.send_message(
            f"`{setting}` is now {show_value(setting, parsed)} for this server.{note}",
            ephemeral=True,
            allowed_mentions=NO_MENTIONS,
        )

    @settings_group.command(name="reset", description="Go back to config.yaml's value (one setting, or all)")
    @app_commands.describe(setting="Which setting (leave out to reset all of them)")
    @app_commands.choices(setting=_setting_choices())
    async def config_reset(self, interaction: discord.Interaction, setting: str | None = None) -> None:
        guild = interaction.guild
        assert guild is not None  # guild_only
        gone = await self.bot.store_call(
            "reset server settings", lambda store: store.reset_guild_settings(guild.id, setting)
        )
        if gone is None:
            await interaction.response.send_message(
                "Not changed: the database is not available right now.", ephemeral=True
            )
            return
        self.bot.guild_settings.reset(guild.id, setting)
        settings = settings_for(self.bot, guild.id)
        if setting is None:
            content = f"All settings of this server are config.yaml's again ({gone} reset)."
        else:
            content = (
                f"`{setting}` is config.yaml's again: {show_value(setting, getattr(settings, setting))}."
            )
        await interaction.response.send_message(content, ephemeral=True, allowed_mentions=NO_MENTIONS)

    @staticmethod
    def _check_ids_exist(guild: discord.Guild, setting: str, value: Any) -> None:
        """Channels and roles must be of this server (a typo'd id would silently do nothing)."""
        kind = SETTINGS[setting].kind
        if kind == "channel":
            ids = [] if value is None else [value]
        elif kind in ("channels", "roles"):
            ids = list(value)
        else:
            return  # a number
        if kind == "roles":
            unknown = [i for i in ids if guild.get_role(i) is None]
            what = "role"
        else:
            unknown = [i for i in ids if guild.get_channel_or_thread(i) is None]
            what = "channel"
        if unknown:
            raise ValueError(f"no {what} {unknown[0]} in this server")


def _diff_text(diff: KnowledgeDiff, old: Sequence[Entry], new: Sequence[Entry]) -> str:
    """The readable diff posted to the moderator channel."""
    return change_text(diff, {e.id: e for e in old}, {e.id: e for e in new}, 3800)
