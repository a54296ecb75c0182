"""Who may change the knowledge from Discord: the one check every /kb path goes through.

A moderator is a member of the server with the Manage Server permission (or an
administrator), or with one of the server's moderator roles (``/kb config``, by default
``discord.moderator_roles``). Discord
hides ``/kb`` from everyone else (``default_permissions``), but server admins can change
that, so the bot checks again on its side for every subcommand, button and menu.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands

from ...guild_settings import settings_for

if TYPE_CHECKING:
    from ...client import FOCBot

log = logging.getLogger(__name__)
NOT_MODERATOR = "Only moderators can do that: it needs the Manage Server permission or a moderator role."


class NotModerator(app_commands.CheckFailure):
    """Raised by the /kb commands' check; the tree's error handler shows the message."""

    def __init__(self) -> None:
        super().__init__(NOT_MODERATOR)


def is_moderator(interaction: discord.Interaction) -> bool:
    """True when the user of ``interaction`` may manage the knowledge."""
    user = interaction.user
    if interaction.guild is None or not isinstance(user, discord.Member):
        return False  # not in a server (DMs): roles and permissions do not exist there
    permissions = interaction.permissions
    if permissions.administrator or permissions.manage_guild:
        return True
    bot: FOCBot = interaction.client  # type: ignore[assignment]
    # The server's own moderator roles (/kb config), else config.yaml's.
    allowed = set(settings_for(bot, interaction.guild.id).moderator_roles)
    return any(role.id in allowed for role in user.roles)


def require_moderator(interaction: discord.Interaction) -> bool:
    """An app-command check: True, or NotModerator."""
    if not is_moderator(interaction):
        raise NotModerator()
    return True


FAILED = "Something went wrong on my side and nothing more was done; the error is in the bot's log."


async def tell(interaction: discord.Interaction, content: str, **kwargs: Any) -> None:
    """An ephemeral reply, as a response or (already responded) a follow-up."""
    if interaction.response.is_done():
        await interaction.followup.send(content, ephemeral=True, **kwargs)
    else:
        await interaction.response.send_message(content, ephemeral=True, **kwargs)


class ModeratorView(discord.ui.View):
    """A view whose buttons and menus only moderators may use; others get told why.

    An error in a callback is logged and answered (never "Ignoring exception in view").
    """

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        if is_moderator(interaction):
            return True
        await interaction.response.send_message(NOT_MODERATOR, ephemeral=True)
        return False

    async def on_error(
        self, interaction: discord.Interaction, error: Exception, item: discord.ui.Item[Any], /
    ) -> None:
        log.error("error in %s (%s)", type(self).__name__, getattr(item, "custom_id", item), exc_info=error)
        try:
            await tell(interaction, FAILED)
        except discord.HTTPException:
            log.warning("could not tell the moderator about the error", exc_info=True)
