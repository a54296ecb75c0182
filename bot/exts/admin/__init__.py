"""Admin: the owner-only ``sync`` command and the slash-command error handler."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .cog import Admin

if TYPE_CHECKING:
    from ...client import FOCBot


async def setup(bot: FOCBot) -> None:
    await bot.add_cog(Admin(bot))
