"""``python -m bot kb ...``: the moderators' knowledge commands on the command line.

The same operations as ``/kb`` in Discord (:mod:`bot.knowledge.changes`), for people who
work on the files: ``stats``, ``unanswered``, ``import FILE`` (validated, the changes
shown, then y/N unless ``--yes``) and ``rollback``. Changes are written atomically with
a backup and recorded in the audit log; a running bot picks them up through its file
watcher. Nothing here imports discord.
"""

from __future__ import annotations

import argparse
import getpass
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from .config import Config

if TYPE_CHECKING:
    from .knowledge.diff import KnowledgeDiff

EXIT_OK = 0
EXIT_FAIL = 1
EXIT_BAD_INPUT = 2
DAY = 86_400.0


def _who() -> str:
    try:
        return f"{getpass.getuser()} (command line)"
    except Exception:
        return "command line"


def _when(at: float) -> str:
    return datetime.fromtimestamp(at, UTC).strftime("%Y-%m-%d %H:%M UTC")


def _confirm(question: str, args: argparse.Namespace, out: TextIO) -> bool:
    """y/N on standard input, unless --yes; end of input means no."""
    if args.yes:
        return True
    out.write(f"{question} [y/N] ")
    out.flush()
    answer = sys.stdin.readline()
    if not answer:
        out.write("\n")
    return answer.strip().lower() in {"y", "yes"}


def _reload_note(config: Config) -> str:
    interval = config.knowledge.watch_interval
    if interval > 0:
        return f"A running bot reloads it within {2 * interval:g} s."
    return "A running bot loads it with /kb reload (its file watcher is off)."


def _audit(config: Config, action: str, detail: str, out: TextIO) -> None:
    from .storage import open_store

    try:
        with open_store(config) as store:
            store.record_audit(action, detail, moderator=_who())
    except Exception as exc:  # the change is made; only its record is missing
        out.write(f"warning: could not record this in the audit log: {exc}\n")


def _show_diff(diff: KnowledgeDiff, out: TextIO) -> None:
    from .knowledge.diff import describe, summary

    out.write(f"{summary(diff)}\n")
    for line in describe(diff, limit=50):
        out.write(f"  {line}\n")


# -- commands ------------------------------------------------------------------------------


def cmd_stats(args: argparse.Namespace, config: Config, out: TextIO) -> int:
    from .knowledge.changes import current_knowledge
    from .knowledge.watch import snapshot
    from .storage import open_store

    knowledge = current_knowledge(config)
    if knowledge is None:
        out.write("knowledge: INVALID on disk (see `python -m bot check`)\n")
    else:
        members = len(knowledge.members.members) if knowledge.members else 0
        out.write(
            f"knowledge: {len(knowledge.entries)} entries, {len(knowledge.facts)} fact cards, "
            f"{members} members\n"
        )
    files = snapshot(config.knowledge_dir, ignore=(config.backups_dir,))
    if files:
        newest = max(mtime for mtime, *_ in files.values()) / 1e9
        out.write(f"files last modified: {_when(newest)}\n")
    with open_store(config) as store:
        usage = store.usage(time.time() - args.days * DAY)
        log = store.audit_log(limit=1)
    out.write(
        f"last {args.days} days: {usage.answered} answered, {usage.abstained} abstained; "
        f"feedback {usage.up} up, {usage.down} down\n"
    )
    if log:
        entry = log[0]
        who = entry.moderator or "the bot"
        out.write(f"last change: {entry.action} by {who}, {_when(entry.at)}\n")
    return EXIT_OK


def cmd_unanswered(args: argparse.Namespace, config: Config, out: TextIO) -> int:
    from .knowledge.changes import current_knowledge
    from .knowledge.unanswered import group_questions
    from .storage import open_store, settled_phrasings

    with open_store(config) as store:
        missed = store.missed_questions(time.time() - args.days * DAY)
    knowledge = current_knowledge(config)
    known = settled_phrasings(knowledge.entries, missed) if knowledge else set()
    groups = group_questions(missed, known=known)[: args.limit]
    if not groups:
        out.write(f"no missed questions in the last {args.days} days\n")
        return EXIT_OK
    out.write(f"missed questions, last {args.days} days (unanswered or voted down):\n")
    for group in groups:
        out.write(f"{group.count:>5}x  {group.question}  ({group.abstained} unanswered, {group.down} down)\n")
        for variant in group.variants[:5]:
            out.write(f"        also: {variant}\n")
    out.write("attach one to an entry with /kb unanswered in Discord, or add it to qa.yaml\n")
    return EXIT_OK


def cmd_import(args: argparse.Namespace, config: Config, out: TextIO) -> int:
    from .knowledge import changes
    from .knowledge.problems import KnowledgeError, Problem

    path = Path(args.file)
    limit = config.knowledge.max_import_bytes
    try:
        size = path.stat().st_size
        if size > limit:
            raise KnowledgeError([Problem(args.file, f"file is {size} bytes; the limit is {limit}")])
        data = path.read_bytes()
    except OSError as exc:
        raise KnowledgeError([Problem(args.file, f"cannot read: {exc.strerror}")]) from None
    plan = changes.plan_import(config, data, display=args.file)  # KnowledgeError: main reports it
    if plan.unchanged:
        out.write(f"{args.file} is the same as {config.qa_path.name} on disk: nothing to do\n")
        return EXIT_OK
    out.write(f"importing {args.file} as {config.qa_path}:\n")
    if plan.repairs:
        out.write(f"  ({config.qa_path.name} on disk does not validate now; this replaces it)\n")
    _show_diff(plan.diff, out)
    if not _confirm("Apply these changes?", args, out):
        out.write("cancelled: nothing was changed\n")
        return EXIT_FAIL
    try:
        backup = changes.apply_import(config, plan)
    except changes.DiskError as exc:  # main reports it; the audit log keeps it too
        _audit(config, "change-failure", f"import of {args.file}\n{exc.render()}", out)
        raise
    _audit(config, "import", f"{args.file}: {_summary(plan.diff)}; backup {backup.path.name}", out)
    out.write(f"imported; the previous version is kept as {backup.path}. {_reload_note(config)}\n")
    return EXIT_OK


def cmd_rollback(args: argparse.Namespace, config: Config, out: TextIO) -> int:
    from .knowledge import changes

    plan = changes.plan_rollback(config)  # KnowledgeError: main reports it
    if plan is None:
        out.write("there is no previous version to go back to\n")
        return EXIT_FAIL
    backup = plan.backup
    out.write(f"rolling {backup.label}.yaml back to the version replaced {_when(backup.at.timestamp())}:\n")
    _show_diff(plan.diff, out)
    if not _confirm("Roll back?", args, out):
        out.write("cancelled: nothing was changed\n")
        return EXIT_FAIL
    try:
        undone = changes.apply_rollback(config, plan)
    except changes.DiskError as exc:
        _audit(config, "change-failure", f"rollback\n{exc.render()}", out)
        raise
    detail = f"restored {backup.path.name} ({_summary(plan.diff)}); undone version {undone.path.name}"
    _audit(config, "rollback", detail, out)
    out.write(f"rolled back; the version it replaced is kept as {undone.path}. {_reload_note(config)}\n")
    return EXIT_OK


def _summary(diff: KnowledgeDiff) -> str:
    from .knowledge.diff import summary

    return summary(diff)


# -- parser --------------------------------------------------------------------------------


def add_parser(sub: argparse._SubParsersAction) -> None:
    """Add ``kb`` and its subcommands to the main parser."""
    kb = sub.add_parser("kb", help="moderators: knowledge stats, missed questions, import, rollback")
    kb_sub = kb.add_subparsers(dest="kb_command", required=True, metavar="KB_COMMAND")

    stats = kb_sub.add_parser("stats", help="knowledge size, questions and feedback, last change")
    stats.add_argument("--days", type=int, default=7, help="period of the counts (default 7)")
    stats.set_defaults(func=cmd_stats)

    missed = kb_sub.add_parser("unanswered", help="the questions missed most often (grouped)")
    missed.add_argument("--days", type=int, default=30, help="period (default 30)")
    missed.add_argument("--limit", type=int, default=20, help="groups shown (default 20)")
    missed.set_defaults(func=cmd_unanswered)

    imp = kb_sub.add_parser("import", help="replace qa.yaml with FILE: validated, changes shown, y/N")
    imp.add_argument("file", help="the new qa.yaml")
    imp.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    imp.set_defaults(func=cmd_import)

    back = kb_sub.add_parser("rollback", help="go back to the previous version (the newest backup)")
    back.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    back.set_defaults(func=cmd_rollback)
