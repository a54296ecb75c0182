"""Membership: ``/member`` with and without a country."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .cog import Membership

if TYPE_CHECKING:
    from ...client import FOCBot


async def setup(bot: FOCBot) -> None:
    await bot.add_cog(Membership(bot))
