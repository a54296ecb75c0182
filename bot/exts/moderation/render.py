"""What moderators see: problem lists, diffs, stats and missed questions as Discord text.

Knowledge text and questions come from people, so everything is escaped or put in a
code block, cut to Discord's limits, and sent without mentions. Timestamps (``<t:...>``)
go only where Discord renders them: descriptions and field values, never titles, field
names or footers.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import discord

from ...engine.engine import Engine
from ...guild_settings import SETTINGS, GuildSettings, show_value
from ...knowledge.diff import EntryChange, KnowledgeDiff, summary
from ...knowledge.model import Entry
from ...knowledge.problems import Problem
from ...knowledge.unanswered import QuestionGroup
from ...storage import AuditEntry, Usage

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


def _entry_lines(entry: Entry, limit: int) -> list[str]:
    return [f"> **Q:** {_safe(entry.question, limit)}", f"> **A:** {_safe(entry.answer, limit)}"]


def _change_lines(change: EntryChange, old: Entry | None, new: Entry | None, limit: int) -> list[str]:
    """What changed in one entry: before and after of each text, alternates added/removed."""
    lines: list[str] = []
    for name in change.fields:
        if name in ("alternates", "alternates_ko"):
            continue
        before, after = getattr(old, name, None), getattr(new, name, None)
        if name == "source" and old is not None and new is not None:
            before = f"{old.source.document} ¶{old.source.paragraph}: {old.source.quote}"
            after = f"{new.source.document} ¶{new.source.paragraph}: {new.source.quote}"
        if isinstance(before, tuple) or isinstance(after, tuple):
            before, after = ", ".join(before or ()), ", ".join(after or ())
        lines.append(f"> {name}: ~~{_safe(str(before or '—'), limit)}~~")
        lines.append(f"> {name}: → {_safe(str(after or '—'), limit)}")
    for alternate in change.alternates_added:
        lines.append(f"> + alternate: {_safe(alternate, limit)}")
    for alternate in change.alternates_removed:
        lines.append(f"> − alternate: {_safe(alternate, limit)}")
    return lines


def change_text(
    diff: KnowledgeDiff,
    old: Mapping[str, Entry],
    new: Mapping[str, Entry],
    limit: int = _EMBED_LIMIT - 200,
    text_limit: int = 300,
) -> str:
    """A readable diff: the question and answer of what is added and removed, before and
    after of what changed; cut at ``limit`` characters with '... and N more'."""
    blocks: list[list[str]] = []
    for entry_id in diff.added:
        entry = new.get(entry_id)
        blocks.append([f"**+ added** `{entry_id}`", *(_entry_lines(entry, text_limit) if entry else [])])
    for change in diff.changed:
        lines = _change_lines(change, old.get(change.id), new.get(change.id), text_limit)
        blocks.append([f"**~ changed** `{change.id}`", *lines])
    for entry_id in diff.removed:
        entry = old.get(entry_id)
        blocks.append([f"**− removed** `{entry_id}`", *(_entry_lines(entry, text_limit) if entry else [])])
    if diff.synonyms_changed:
        blocks.append(["**~ synonyms changed**"])
    out = f"**{summary(diff)}**"
    for index, block in enumerate(blocks):
        text = "\n".join(block)
        more = f"\n… and {len(blocks) - index} more change(s): see the file"
        if len(out) + 1 + len(text) + len(more) > limit:
            if index == 0 and limit - len(out) - len(more) > 100:  # at least part of the first
                out += "\n" + text[: limit - len(out) - len(more) - 2] + "…"
                more = f"\n… and {len(blocks) - 1} more change(s): see the file" if len(blocks) > 1 else ""
            return out + more
        out += "\n" + text
    return out


def diff_embed(
    title: str,
    diff: KnowledgeDiff,
    old: Iterable[Entry] = (),
    new: Iterable[Entry] = (),
    note: str = "",
) -> discord.Embed:
    """What a change would do (or did), with the texts of the entries it touches."""
    description = change_text(diff, {e.id: e for e in old}, {e.id: e for e in new}, _EMBED_LIMIT - 300)
    if note:
        description += "\n\n" + note
    return discord.Embed(title=title, colour=WARN_COLOUR, description=description)


def audit_embed(entries: Sequence[AuditEntry]) -> discord.Embed:
    """The newest knowledge changes: when, what, who, and the first lines of the detail."""
    embed = discord.Embed(title="Latest knowledge changes", colour=OK_COLOUR)
    if not entries:
        embed.description = "Nothing yet: no import, rollback, edit or learned alternate."
        return embed
    lines = []
    for entry in entries:
        who = f"<@{entry.moderator_id}>" if entry.moderator_id else _safe(entry.moderator or "the files", 40)
        detail = _safe(" / ".join(entry.detail.splitlines()[:2]), 160)
        lines.append(f"<t:{int(entry.at)}:R> **{entry.action}** by {who}: {detail}")
    text = ""
    for shown, line in enumerate(lines):
        if len(text) + len(line) + 60 > _EMBED_LIMIT:
            text += f"\n… and {len(lines) - shown} older"
            break
        text += ("\n" if text else "") + line
    embed.description = text
    return embed


def config_embed(guild_name: str, settings: GuildSettings) -> discord.Embed:
    """A server's settings: each value, and whether the server set it or config.yaml did."""
    embed = discord.Embed(title=f"Settings of {_safe(guild_name, 80)}", colour=OK_COLOUR)
    for name, setting in SETTINGS.items():
        origin = "set here" if name in settings.overridden else "config.yaml"
        value = show_value(name, getattr(settings, name))
        embed.add_field(name=name, value=f"{value[:900]}\n*{setting.description}* ({origin})", inline=False)
    embed.set_footer(text="Change with /kb config set, undo with /kb config reset.")
    return embed


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


def unanswered_embed(
    groups: Sequence[QuestionGroup], days: int, page: int = 0, pages: int = 1, per_page: int = 10
) -> discord.Embed:
    """One page of the most asked missed questions, numbered like the menu under them."""
    embed = discord.Embed(title=f"Missed questions, last {days} days", colour=WARN_COLOUR)
    if not groups:
        embed.description = "Nothing: every question was answered and nobody voted 👎."
        return embed
    lines = []
    start = page * per_page
    for number, group in enumerate(groups[start : start + per_page], start=start + 1):
        counts = f"asked {group.count}× ({group.abstained} unanswered, {group.down} 👎)"
        line = f"**{number}.** {_safe(group.question, 150)} — {counts}"
        if group.variants:
            line += f"\n  also: {_safe(' | '.join(group.variants), 150)}"
        if group.reasons:
            why = " | ".join(f"“{_safe(reason, 100)}”" for reason in group.reasons[:3])
            more = f" (+{len(group.reasons) - 3})" if len(group.reasons) > 3 else ""
            line += f"\n  👎 why: {why}{more}"
        lines.append(line)
    embed.description = "\n".join(lines)[:_EMBED_LIMIT]
    footer = "Pick a question: attach it to an entry, make a new entry, or dismiss it."
    if pages > 1:
        footer = f"Page {page + 1} of {pages}. " + footer
    embed.set_footer(text=footer)
    return embed
