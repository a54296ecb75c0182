"""What moderators see: problem lists, diffs, stats and missed questions as Discord text.

Knowledge text and questions come from people, so everything is escaped or put in a
code block, cut to Discord's limits, and sent without mentions.
"""

from __future__ import annotations

from collections.abc import Sequence

import discord

from ...engine.engine import Engine
from ...knowledge.diff import KnowledgeDiff, describe, summary
from ...knowledge.problems import Problem
from ...knowledge.unanswered import QuestionGroup
from ...storage import Usage

OK_COLOUR = discord.Colour.green()
WARN_COLOUR = discord.Colour.orange()
ERROR_COLOUR = discord.Colour.red()
_EMBED_LIMIT = 4000


def code_block(lines: Sequence[str], limit: int) -> str:
    """Lines in a code block of at most ``limit`` characters ('... and N more' if cut)."""
    shown: list[str] = []
    used = len("```\n```") + 40  # room for the "more" line
    for index, line in enumerate(lines):
        line = line.replace("```", "'''")
        if used + len(line) + 1 > limit:
            shown.append(f"... and {len(lines) - index} more")
            break
        shown.append(line)
        used += len(line) + 1
    return "```\n" + "\n".join(shown) + "\n```"


def problems_block(problems: Sequence[Problem], limit: int = _EMBED_LIMIT) -> str:
    """Every problem (file:line [entry]: what is wrong) in a code block."""
    return code_block([str(p) for p in problems], limit)


def problems_embed(title: str, problems: Sequence[Problem]) -> discord.Embed:
    return discord.Embed(
        title=title,
        colour=ERROR_COLOUR,
        description=f"{len(problems)} problem(s); nothing was changed.\n" + problems_block(problems),
    )


def diff_embed(title: str, diff: KnowledgeDiff, note: str = "") -> discord.Embed:
    """What a change would do (or did): the summary line and the details."""
    description = f"**{summary(diff)}**\n" + code_block(describe(diff), _EMBED_LIMIT - 200)
    if note:
        description += "\n" + note
    return discord.Embed(title=title, colour=WARN_COLOUR, description=description)


def stats_embed(engine: Engine, usage: Usage | None, days: int) -> discord.Embed:
    """Knowledge sizes, the last reload, and the last ``days`` of questions and votes."""
    knowledge = engine.knowledge
    members = len(knowledge.members.members) if knowledge.members else 0
    embed = discord.Embed(title="Knowledge stats", colour=OK_COLOUR)
    embed.add_field(
        name="Knowledge",
        value=f"{len(knowledge.entries)} entries · {len(knowledge.facts)} fact cards · {members} members",
        inline=False,
    )
    loaded = int(engine.loaded_at)
    embed.add_field(name="Last reload", value=f"<t:{loaded}:f> (<t:{loaded}:R>)", inline=False)
    if usage is None:
        embed.add_field(name=f"Last {days} days", value="(the database is not available)", inline=False)
    else:
        embed.add_field(
            name=f"Questions, last {days} days",
            value=f"{usage.answered} answered · {usage.abstained} abstained",
            inline=False,
        )
        embed.add_field(
            name=f"Feedback, last {days} days", value=f"👍 {usage.up} · 👎 {usage.down}", inline=False
        )
    return embed


def _safe(text: str, limit: int) -> str:
    text = discord.utils.escape_mentions(discord.utils.escape_markdown(" ".join(text.split())))
    return text if len(text) <= limit else text[: limit - 1] + "…"


def unanswered_embed(groups: Sequence[QuestionGroup], days: int) -> discord.Embed:
    """The most frequent missed questions, numbered like the menu under them."""
    embed = discord.Embed(title=f"Missed questions, last {days} days", colour=WARN_COLOUR)
    if not groups:
        embed.description = "Nothing: every question was answered and nobody voted 👎."
        return embed
    lines = []
    for number, group in enumerate(groups, start=1):
        counts = f"{group.count}× ({group.abstained} unanswered, {group.down} 👎)"
        line = f"**{number}.** {_safe(group.question, 150)} — {counts}"
        if group.variants:
            line += f"\n  also: {_safe(' | '.join(group.variants), 150)}"
        lines.append(line)
    embed.description = "\n".join(lines)[:_EMBED_LIMIT]
    embed.set_footer(text="Pick a question below to attach it to an entry as an alternate.")
    return embed
