"""Who may change the knowledge from Discord: the one check every /kb path goes through.

A moderator is a member of the server with the Manage Server permission (or an
administrator), or with one of the roles listed in ``discord.moderator_roles``. Discord
hides ``/kb`` from everyone else (``default_permissions``), but server admins can change
that, so the bot checks again on its side for every subcommand, button and menu.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord
from discord import app_commands

if TYPE_CHECKING:
    from ...client import FOCBot

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
    allowed = set(bot.config.discord.moderator_roles)
    return any(role.id in allowed for role in user.roles)


def require_moderator(interaction: discord.Interaction) -> bool:
    """An app-command check: True, or NotModerator."""
    if not is_moderator(interaction):
        raise NotModerator()
    return True


class ModeratorView(discord.ui.View):
    """A view whose buttons and menus only moderators may use; others get told why."""

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        if is_moderator(interaction):
            return True
        await interaction.response.send_message(NOT_MODERATOR, ephemeral=True)
        return False
