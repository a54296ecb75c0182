"""Owner commands and error handling.

``@bot sync [guild_id]`` (owner only) syncs the slash commands when they change; the
tree's error handler turns any exception in a slash command into a short ephemeral
apology plus a log line with the traceback, and the bot keeps running; a failed check
(a member who may not use a command) gets the reason instead, without a traceback, and
a command the bot does not have (any more: the commands need syncing) a polite note.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from ...i18n import locale_lang, text

if TYPE_CHECKING:
    from ...client import FOCBot

log = logging.getLogger(__name__)
APOLOGY = "Sorry, something went wrong with that command. It has been logged."
REFUSED = "You can't use that command here."


class Admin(commands.Cog):
    """Owner-only maintenance and the error handlers."""

    def __init__(self, bot: FOCBot) -> None:
        self.bot = bot
        self._previous_handler = bot.tree.on_error
        bot.tree.on_error = self.on_app_command_error  # type: ignore[method-assign]

    async def cog_unload(self) -> None:
        self.bot.tree.on_error = self._previous_handler  # type: ignore[method-assign]

    @commands.command(name="sync", hidden=True)
    @commands.is_owner()
    async def sync(self, ctx: commands.Context[FOCBot], guild_id: int | None = None) -> None:
        """Sync slash commands globally, or to one guild."""
        count = await self.bot.sync_commands(guild_id)
        where = f"guild {guild_id}" if guild_id else "globally"
        await ctx.reply(f"Synced {count} command(s) {where}.", mention_author=False)

    @commands.Cog.listener()
    async def on_command_error(self, ctx: commands.Context[FOCBot], error: commands.CommandError) -> None:
        if isinstance(error, commands.CommandNotFound):
            # "@bot Which country..." reads as a command named "Which": it is a question,
            # answered by the asking extension.
            return
        if isinstance(error, commands.NotOwner | commands.CheckFailure):
            await ctx.reply("Only the bot's owner can do that.", mention_author=False)
            return
        if isinstance(error, commands.UserInputError):
            await ctx.reply(f"That command's input is not right: {error}", mention_author=False)
            return
        log.error("error in command %s", ctx.command, exc_info=error)
        await ctx.reply(APOLOGY, mention_author=False)

    async def on_app_command_error(
        self, interaction: discord.Interaction, error: app_commands.AppCommandError
    ) -> None:
        command = interaction.command.qualified_name if interaction.command else "?"
        if isinstance(error, app_commands.CommandNotFound | app_commands.CommandSignatureMismatch):
            # A command Discord still shows but this bot does not have (or has changed):
            # the commands need syncing (`python -m bot sync`). Not a bug of the bot.
            log.warning("/%s: %s; sync the commands", getattr(error, "name", command), error)
            message = text("unknown_command", locale_lang(interaction.locale))
        elif isinstance(error, app_commands.CheckFailure):
            # Not a bug: someone may not use this command (e.g. /kb without the
            # moderator role). Tell them why, privately.
            log.info("/%s refused for user %s: %s", command, interaction.user.id, error)
            message = str(error) or REFUSED
        else:
            log.error("error in /%s", command, exc_info=error)
            message = APOLOGY
        try:
            if interaction.type is discord.InteractionType.autocomplete:
                if not interaction.response.is_done():
                    await interaction.response.autocomplete([])  # nothing to offer
            elif interaction.response.is_done():
                await interaction.followup.send(message, ephemeral=True)
            else:
                await interaction.response.send_message(message, ephemeral=True)
        except discord.HTTPException:
            log.warning("could not send the reply to the error in /%s", command)
