"""Starting the Discord bot and syncing its commands (``python -m bot run`` / ``sync``).

Imported only by those two commands, so the rest of the CLI never loads discord.
"""

from __future__ import annotations

import asyncio
import logging
import sys
from typing import TextIO

import discord

from .client import FOCBot
from .config import Config
from .engine.engine import Engine
from .secrets import MissingToken, Token, load_token

log = logging.getLogger(__name__)


def _token(config: Config, err: TextIO) -> Token | None:
    try:
        return load_token(dotenv=config.base / ".env")
    except MissingToken as exc:
        err.write(f"error: {exc}\n")
        return None


def run(config: Config, err: TextIO = sys.stderr) -> int:
    """Run the bot until interrupted; returns the exit code."""
    token = _token(config, err)
    if token is None:
        return 2
    discord.utils.setup_logging()
    bot = FOCBot(config, Engine(config))
    try:
        asyncio.run(_start(bot, token))
    except discord.LoginFailure:
        err.write("error: Discord refused the token (DISCORD_TOKEN): check it in the developer portal\n")
        return 2
    except KeyboardInterrupt:
        pass
    return 0


async def _start(bot: FOCBot, token: Token) -> None:
    async with bot:
        await bot.start(token.reveal())


def sync(config: Config, guild_id: int | None, err: TextIO = sys.stderr, out: TextIO = sys.stdout) -> int:
    """Log in over REST only, sync the command tree, log out."""
    token = _token(config, err)
    if token is None:
        return 2
    discord.utils.setup_logging()
    target = guild_id if guild_id is not None else config.discord.dev_guild

    async def _sync() -> int:
        bot = FOCBot(config, Engine(config))
        async with bot:
            await bot.login(token.reveal())  # runs setup_hook: extensions and commands load
            return await bot.sync_commands(target)

    try:
        count = asyncio.run(_sync())
    except discord.LoginFailure:
        err.write("error: Discord refused the token (DISCORD_TOKEN)\n")
        return 2
    out.write(f"synced {count} command(s) {'to guild ' + str(target) if target else 'globally'}\n")
    return 0
