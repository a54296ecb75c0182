"""The command line (bot.cli): ask, chat, check, facts, eval.

In-process through ``bot.cli.main(argv, out=...)``, and as real subprocesses started
from another working directory. Only the project's own files are read; knowledge bases
that a test changes are built in tmp_path.
"""

from __future__ import annotations

import io
import json
import os
import re
import select
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from bot import cli
from bot.engine.answer import Suggestion
from bot.knowledge import facts
from bot.knowledge.sources import load_documents
from tests.samples import SMALL_QA, abstention

PROJECT = Path(__file__).resolve().parents[1]
CONFIG = PROJECT / "config.yaml"
TITLE = "Republic of Korea Becomes 38th Member Country of Freedom Online Coalition"
JSON_KEYS = {"question", "answered", "answer", "source", "score", "entry_id", "kind", "suggestions", "lang"}


def make_kb(root: Path, qa_text: str = SMALL_QA) -> Path:
    knowledge = root / "knowledge"
    shutil.copytree(PROJECT / "knowledge", knowledge, ignore=shutil.ignore_patterns("qa.yaml", "facts.yaml"))
    (knowledge / "qa.yaml").write_text(qa_text, encoding="utf-8")
    cards = facts.generate(load_documents(knowledge / "sources", root))
    (knowledge / "facts.yaml").write_text(facts.render(cards), encoding="utf-8")
    config = root / "config.yaml"
    config.write_text("knowledge:\n  directory: knowledge\n", encoding="utf-8")
    return config


def run(*argv: str, config: Path = CONFIG) -> tuple[int, str]:
    out = io.StringIO()
    code = cli.main(["--config", str(config), *argv], out=out)
    return code, out.getvalue()


def subprocess_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("FOC_BOT_CONFIG", "PYTHONIOENCODING")}
    env["PYTHONPATH"] = str(PROJECT) + os.pathsep + env.get("PYTHONPATH", "")
    return env


def run_process(args: list[str], cwd: Path, stdin: bytes = b"", timeout: float = 120):
    return subprocess.run(
        [sys.executable, *args],
        input=stdin,
        capture_output=True,
        cwd=cwd,
        env=subprocess_env(),
        timeout=timeout,
        check=False,
    )


def check_json_contract(data: dict) -> None:
    assert set(data) == JSON_KEYS
    assert isinstance(data["question"], str)
    assert isinstance(data["answered"], bool)
    assert isinstance(data["score"], float) and 0.0 <= data["score"] <= 100.0
    assert isinstance(data["kind"], str)
    assert data["lang"] in ("en", "ko")
    assert isinstance(data["suggestions"], list) and all(isinstance(s, str) for s in data["suggestions"])
    if data["answered"]:
        assert isinstance(data["answer"], str) and data["answer"]
        assert isinstance(data["entry_id"], str)
        assert data["kind"] in ("qa", "fact")
        source = data["source"]
        assert set(source) == {"document", "paragraph", "quote"}
        assert isinstance(source["document"], str) and isinstance(source["quote"], str)
        assert isinstance(source["paragraph"], int) and not isinstance(source["paragraph"], bool)
    else:
        assert (data["answer"], data["source"], data["entry_id"], data["kind"]) == (None, None, None, "none")


# -- ask ---------------------------------------------------------------------------------


def test_ask_text_shows_answer_source_and_confidence():
    code, out = run("ask", "What", "does", "ICCPR", "stand", "for?")
    assert code == 0
    assert "Civil and Political Rights" in out
    assert re.search(rf"Source: {re.escape(TITLE)}, paragraph \d+", out)
    assert "“International Covenant on Civil and Political Rights (ICCPR)”" in out
    assert re.search(r"Confidence: \d+/100", out)


def test_ask_text_abstention_says_it_does_not_know():
    code, out = run("ask", "What's the best pizza topping?")
    assert code == 0
    assert "I don't know" in out
    assert "Source:" not in out


@pytest.mark.parametrize("question", ["What does ICCPR stand for?", "What's the best pizza topping?"])
def test_ask_json_emits_the_contract(question):
    code, out = run("ask", "--json", question)
    assert code == 0
    lines = out.splitlines()
    assert len(lines) == 1
    data = json.loads(lines[0])
    check_json_contract(data)
    assert data["question"] == question


@pytest.mark.parametrize(
    ("question", "lang", "answered"),
    [
        ("한국은 몇 번째 회원국이 되었나요?", "ko", True),
        ("맛있는 피자집 추천해 주세요", "ko", False),
        ("Which country became the 38th member?", "en", True),
    ],
)
def test_ask_json_reports_the_language_and_answers_in_it(question, lang, answered):
    data = json.loads(run("ask", "--json", question)[1])
    check_json_contract(data)
    assert data["lang"] == lang
    assert data["answered"] is answered
    if answered and lang == "ko":
        assert "38" in data["answer"] and any("\uac00" <= ch <= "\ud7a3" for ch in data["answer"])
        assert data["source"]["quote"].isascii()  # the source stays the English original


def test_ask_json_answered_values():
    data = json.loads(run("ask", "--json", "What does ICCPR stand for?")[1])
    assert data["answered"] is True
    assert "Civil and Political" in data["answer"]
    assert data["source"]["document"] == "announcement"
    assert data["source"]["paragraph"] == 5


def test_ask_json_abstention_values():
    data = json.loads(run("ask", "--json", "qwertyuiop")[1])
    assert data["answered"] is False
    assert data["answer"] is None and data["source"] is None


def test_ask_dash_reads_the_question_from_stdin(monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.StringIO("What does ICCPR stand for?"))
    code, out = run("ask", "-")
    assert code == 0 and "Civil and Political" in out


HOSTILE_LINES = [
    b"What does ICCPR stand for?",
    b"",
    b"   ",
    b"x" * 5000,
    ("ICCPR " * 800).encode()[:5000],
    b"ICCPR \x01\x02\x07\x1b[31m red \x1b[0m\x7f",
    b"NUL \x00 inside",
    "😀🎉🇰🇷 👨‍👩‍👧‍👦".encode(),
    b"invalid \xff\xfe utf-8 \xc3(",
    "\u202eRTL override\u202c and zero\u200bwidth\u2066isolate\u2069".encode(),
    "line\u2028separator and next\u0085line".encode(),
    b"@everyone @here <@123456789> ```code```",
    b'{"question": "json injection", "answered": true}',
    b"How many members does the FOC have?",
]


def test_ask_json_stream_answers_each_hostile_line_in_order(tmp_path):
    stdin = b"\n".join(HOSTILE_LINES) + b"\n"
    proc = run_process(["-m", "bot", "--config", str(CONFIG), "ask", "--json", "-"], tmp_path, stdin)
    assert proc.returncode == 0, proc.stderr.decode(errors="replace")
    assert b"Traceback" not in proc.stderr
    out = proc.stdout.decode("utf-8").split("\n")
    assert out[-1] == ""
    rows = [json.loads(line) for line in out[:-1]]
    assert len(rows) == len(HOSTILE_LINES)
    for raw, data in zip(HOSTILE_LINES, rows, strict=True):
        check_json_contract(data)
        assert data["question"] == raw.decode("utf-8", errors="replace")
    assert rows[0]["answered"] and "Civil and Political" in rows[0]["answer"]
    assert rows[1]["answered"] is False
    assert rows[-1]["answered"] and "38" in rows[-1]["answer"]


def test_ask_json_stream_with_crlf_line_endings(tmp_path):
    stdin = b"What does ICCPR stand for?\r\nqwertyuiop\r\n"
    proc = run_process(["-m", "bot", "--config", str(CONFIG), "ask", "--json", "-"], tmp_path, stdin)
    rows = [json.loads(line) for line in proc.stdout.decode("utf-8").splitlines()]
    assert [r["question"] for r in rows] == ["What does ICCPR stand for?", "qwertyuiop"]


def test_ask_json_stream_answers_a_line_before_the_next_is_written(tmp_path):
    # A program that writes a question and waits for its answer must get it: the stream
    # batches only the lines that are already there.
    proc = subprocess.Popen(
        [sys.executable, "-m", "bot", "--config", str(CONFIG), "ask", "--json", "-"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        cwd=tmp_path,
        env=subprocess_env(),
    )
    try:
        for question in ("What does ICCPR stand for?", "How many members does the FOC have?"):
            proc.stdin.write(question.encode() + b"\n")
            proc.stdin.flush()
            ready, _, _ = select.select([proc.stdout], [], [], 120)
            assert ready, f"no answer to {question!r} while the input stays open"
            assert json.loads(proc.stdout.readline())["question"] == question
    finally:
        proc.stdin.close()
        proc.wait(timeout=60)
    assert proc.returncode == 0


def test_stream_lines_are_batched_as_they_arrive():
    read, write = os.pipe()
    with open(read, "rb", buffering=0) as raw, open(write, "wb", buffering=0) as writer:
        stream = io.TextIOWrapper(io.BufferedReader(raw))
        batches = cli._line_batches(stream)
        writer.write(b"one\ntwo\r\n\nthree\n")
        assert next(batches) == ["one", "two", "", "three"]
        long = b"x" * 300_000  # more than a pipe holds: several reads, still one line

        def rest() -> None:
            writer.write(b"\xff" + long + b"\nlast, unended")
            writer.close()

        feeding = threading.Thread(target=rest)
        feeding.start()
        assert list(batches) == [["\ufffd" + long.decode()], ["last, unended"]]
        feeding.join()


def test_a_full_pipe_is_answered_in_batches_of_a_bounded_size(monkeypatch):
    read, write = os.pipe()
    os.write(write, b"".join(b"q%d\n" % i for i in range(10)))
    os.close(write)
    monkeypatch.setattr(cli, "_BATCH_LINES", 4)
    with open(read, "rb") as raw:
        batches = list(cli._line_batches(io.TextIOWrapper(raw)))
    assert [len(b) for b in batches] == [4, 4, 2]
    assert [line for batch in batches for line in batch] == [f"q{i}" for i in range(10)]


# -- check -------------------------------------------------------------------------------


def test_check_passes_on_the_real_knowledge():
    code, out = run("check")
    assert code == 0
    assert "ok" in out


def test_check_reports_a_broken_qa_file_without_traceback(tmp_path, capsys):
    config = make_kb(tmp_path, SMALL_QA.replace("paragraph: 5", "paragraph: 42"))
    code, out = run("check", config=config)
    err = capsys.readouterr().err
    assert code == 2
    assert "Traceback" not in err and "Traceback" not in out
    assert "knowledge/qa.yaml" in err
    assert "iccpr-meaning" in err
    assert "not 42" in err


def test_check_reports_a_broken_qa_file_in_a_real_process(tmp_path):
    config = make_kb(tmp_path, SMALL_QA + "  - id: Bad_Id\n")
    proc = run_process(["-m", "bot", "--config", str(config), "check"], tmp_path)
    err = proc.stderr.decode("utf-8", errors="replace")
    assert proc.returncode == 2
    assert "Traceback" not in err
    assert "error:" in err and "must be a slug" in err


def test_check_reports_a_bad_config(tmp_path, capsys):
    config = tmp_path / "config.yaml"
    config.write_text("engine:\n  threshold: 500\n", encoding="utf-8")
    code, _ = run("check", config=config)
    err = capsys.readouterr().err
    assert code == 2
    assert "engine.threshold" in err and "Traceback" not in err


def test_check_fails_when_facts_are_stale(tmp_path):
    config = make_kb(tmp_path)
    facts_path = tmp_path / "knowledge" / "facts.yaml"
    facts_path.write_text(facts_path.read_text(encoding="utf-8") + "# edited by hand\n", encoding="utf-8")
    code, out = run("check", config=config)
    assert code == 1
    assert "stale" in out


# -- facts -------------------------------------------------------------------------------


def test_facts_check_passes_on_the_real_knowledge():
    code, out = run("facts", "--check")
    assert code == 0
    assert "up to date" in out


def test_facts_check_passes_when_fresh(tmp_path):
    assert run("facts", "--check", config=make_kb(tmp_path))[0] == 0


def test_facts_check_fails_when_stale(tmp_path):
    config = make_kb(tmp_path)
    facts_path = tmp_path / "knowledge" / "facts.yaml"
    facts_path.write_text(
        facts_path.read_text(encoding="utf-8").replace("Mr. Park Jin", "Mr. Park"), encoding="utf-8"
    )
    code, out = run("facts", "--check", config=config)
    assert code == 1
    assert "stale" in out


def test_facts_check_fails_when_missing(tmp_path):
    config = make_kb(tmp_path)
    (tmp_path / "knowledge" / "facts.yaml").unlink()
    assert run("facts", "--check", config=config)[0] == 1


def test_facts_check_does_not_write(tmp_path):
    config = make_kb(tmp_path)
    facts_path = tmp_path / "knowledge" / "facts.yaml"
    facts_path.write_text("stale\n", encoding="utf-8")
    run("facts", "--check", config=config)
    assert facts_path.read_text(encoding="utf-8") == "stale\n"


def test_facts_regenerates_a_stale_file(tmp_path):
    config = make_kb(tmp_path)
    facts_path = tmp_path / "knowledge" / "facts.yaml"
    fresh = facts_path.read_text(encoding="utf-8")
    facts_path.write_text("stale\n", encoding="utf-8")
    code, out = run("facts", config=config)
    assert code == 0 and "wrote" in out
    assert facts_path.read_text(encoding="utf-8") == fresh
    assert sorted(p.name for p in facts_path.parent.iterdir() if p.name.endswith(".tmp")) == []
    assert run("facts", "--check", config=config)[0] == 0


# -- eval --------------------------------------------------------------------------------

EVAL_FILE = """\
- cat: kw
  q: What does ICCPR stand for?
  expect: ["Civil and Political"]
- cat: para
  q: How many members does the Freedom Online Coalition have?
  expect: ["38"]
- cat: para
  q: What does ICCPR stand for?
  expect: ["a phrase that appears in no answer"]
- cat: oos
  q: What's the best pizza topping?
  expect: null
"""


def eval_file(tmp_path):
    path = tmp_path / "questions.yaml"
    path.write_text(EVAL_FILE, encoding="utf-8")
    return str(path)


def test_eval_prints_per_category_and_summary_lines(tmp_path):
    code, out = run("eval", eval_file(tmp_path))
    assert code == 0
    assert re.search(r"^\s*kw: 1/1 = 100\.0%$", out, re.M)
    assert re.search(r"^\s*para: 1/2 = 50\.0%$", out, re.M)
    assert re.search(r"^\s*oos: 1/1 = 100\.0%$", out, re.M)
    assert re.search(r"^in-scope accuracy .*: 2/3 = 66\.7%$", out, re.M)
    assert re.search(r"^abstention rate .*: 1/1 = 100\.0%$", out, re.M)


def test_eval_verbose_lists_the_failures(tmp_path):
    out = run("eval", "-v", eval_file(tmp_path))[1]
    fails = [line for line in out.splitlines() if line.startswith("FAIL")]
    assert fails == ["FAIL [para] 'What does ICCPR stand for?'"]
    assert "a phrase that appears in no answer" in out


def test_eval_without_verbose_lists_no_failures(tmp_path):
    assert "FAIL" not in run("eval", eval_file(tmp_path))[1]


def test_eval_bad_question_file_is_reported(tmp_path, capsys):
    path = tmp_path / "bad.yaml"
    path.write_text("- {cat: para}\n", encoding="utf-8")
    assert run("eval", str(path))[0] == 2
    assert "'q'" in capsys.readouterr().err


ARCHIVE = """\
Velstrand Library Opens Its Digital Archive

The Velstrand Public Library opened its digital archive on 3 March 2026.

The archive holds 12,400 scanned newspapers from the town's history.
"""
ARCHIVE_META = 'title: "Velstrand Library Opens Its Digital Archive"\npublisher: "Velstrand Public Library"\ndate: "2026-03-03"\nfictional: true\n'
ARCHIVE_QUESTIONS = """\
- {cat: para, q: "How many scanned newspapers does the archive hold?", expect: ["12,400"]}
- {cat: para, q: "When did the Velstrand library open its digital archive?", expect: ["3 March 2026"]}
- {cat: oos, q: "What is the weather in Paris today?", expect: null}
"""


def round_folder(tmp_path: Path, sets: int = 1) -> Path:
    folder = tmp_path / "heldout"
    (folder / "documents").mkdir(parents=True)
    for i in range(sets):
        (folder / f"set{i}.yaml").write_text(EVAL_FILE, encoding="utf-8")
    (folder / "documents" / "velstrand-archive.txt").write_text(ARCHIVE, encoding="utf-8")
    (folder / "documents" / "velstrand-archive.yaml").write_text(ARCHIVE_META, encoding="utf-8")
    (folder / "documents" / "velstrand-archive.questions.yaml").write_text(
        ARCHIVE_QUESTIONS, encoding="utf-8"
    )
    return folder


def test_eval_of_a_folder_scores_its_sets_and_each_document_from_its_cards(tmp_path):
    code, out = run("eval", str(round_folder(tmp_path)))
    assert code == 0
    lines = out.splitlines()
    assert "right (in scope)" in lines[0] and "wrong (of all)" in lines[0]
    (row,) = [line for line in lines if line.startswith("set0.yaml")]
    # The same figures as `eval set0.yaml`: 2 of 3 right, the pizza question abstained on.
    assert "2/3 = 66.7%" in row and "1/1 = 100.0%" in row
    (doc,) = [line for line in lines if line.startswith("documents/velstrand-archive")]
    assert re.search(r"\d/2 = .*\d/1 = .*\d/3 = ", doc)
    # One set and one document: no lines of sums.
    assert not any("together" in line for line in lines)


def test_eval_of_a_folder_sums_two_or_more_sets(tmp_path):
    out = run("eval", str(round_folder(tmp_path, sets=2)))[1]
    (total,) = [line for line in out.splitlines() if line.startswith("question sets together")]
    assert "4/6 = 66.7%" in total and "2/2 = 100.0%" in total


def test_eval_of_a_folder_of_documents_scores_each_document_not_its_files_as_sets(tmp_path):
    documents = round_folder(tmp_path, sets=0) / "documents"
    code, out = run("eval", str(documents))
    assert code == 0
    rows = [line.split()[0] for line in out.splitlines()[1:] if not line.startswith("answer suggested")]
    assert rows == ["documents/velstrand-archive"]


def test_eval_of_a_folder_refuses_add_document_and_an_empty_folder(tmp_path):
    folder = round_folder(tmp_path)
    code, out = run(
        "eval", str(folder), "--add-document", str(folder / "documents" / "velstrand-archive.txt")
    )
    assert code == 2 and "not to a folder" in out
    empty = tmp_path / "empty"
    empty.mkdir()
    code, out = run("eval", str(empty))
    assert code == 2 and "no question sets" in out


# -- chat --------------------------------------------------------------------------------


def test_chat_answers_each_piped_line_and_exits_on_eof(monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.StringIO("What does ICCPR stand for?\nWho is Park Jin?\n"))
    code, out = run("chat")
    assert code == 0
    assert "you> What does ICCPR stand for?" in out and "you> Who is Park Jin?" in out
    assert out.count("bot> ") == 2
    assert "Civil and Political" in out and "Minister of Foreign Affairs" in out


def test_chat_stops_at_an_empty_line(monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.StringIO("What does ICCPR stand for?\n\nWho is Park Jin?\n"))
    code, out = run("chat")
    assert code == 0
    assert out.count("bot> ") == 1
    assert "Minister of Foreign Affairs" not in out


def test_chat_in_a_real_process(tmp_path):
    proc = run_process(["-m", "bot", "--config", str(CONFIG), "chat"], tmp_path, b"ICCPR\nqwertyuiop\n")
    out = proc.stdout.decode("utf-8")
    assert proc.returncode == 0, proc.stderr
    assert out.count("bot> ") == 2
    assert "I don't know" in out


# -- misc --------------------------------------------------------------------------------


def test_unknown_command_is_a_usage_error():
    with pytest.raises(SystemExit) as info:
        cli.main(["--config", str(CONFIG), "frobnicate"], out=io.StringIO())
    assert info.value.code == 2


def test_engine_and_cli_do_not_import_discord(tmp_path):
    code = (
        "import sys, io\n"
        "import bot.cli, bot.engine.engine\n"
        "from bot.config import load_config\n"
        f"engine = bot.engine.engine.Engine(load_config({str(CONFIG)!r}))\n"
        "assert engine.ask('What does ICCPR stand for?').answered\n"
        f"assert bot.cli.main(['--config', {str(CONFIG)!r}, 'ask', 'ICCPR'], out=io.StringIO()) == 0\n"
        "assert 'discord' not in sys.modules, sorted(m for m in sys.modules if 'discord' in m)\n"
        "print('clean')\n"
    )
    proc = run_process(["-c", code], tmp_path)
    assert proc.returncode == 0, proc.stderr.decode(errors="replace")
    assert proc.stdout.decode().strip() == "clean"


def test_answers_do_not_depend_on_the_hash_seed(tmp_path):
    """Scores are sums over sets of words: summed in set order they differed in the last
    bits from one process to the next, and tied suggestions swapped places."""
    cases = (PROJECT / "tests" / "data" / "heldout_paraphrases.yaml").read_text(encoding="utf-8")
    # Shuffled words: their suggestions tie, and once came out in either order.
    questions = [
        *re.findall(r'q: "([^"]+)"', cases),
        "Republic Korea of Coalition? joined Has the Freedom the Online actually",
        "actually Coalition? Has of Freedom the Korea the Online joined Republic",
        "actually Has Korea joined of Coalition? Republic the",
    ]
    stdin = "".join(q + "\n" for q in questions).encode()
    outputs = []
    for seed in ("1", "2"):
        env = subprocess_env() | {"PYTHONHASHSEED": seed}
        done = subprocess.run(
            [sys.executable, "-m", "bot", "--config", str(CONFIG), "ask", "--json", "-"],
            input=stdin,
            capture_output=True,
            cwd=tmp_path,
            env=env,
            timeout=120,
            check=True,
        )
        outputs.append(done.stdout)
    assert len(outputs[0].splitlines()) == len(questions) > 100
    assert outputs[0] == outputs[1]


def test_the_first_build_of_a_knowledge_says_why_it_waits(tmp_path):
    """Embedding a knowledge's texts the first time takes a while: stderr says so, once;
    stdout keeps its contract."""
    config = make_kb(tmp_path)
    env = {**subprocess_env(), "FOC_BOT_VECTORS": str(tmp_path / "vectors.sqlite")}
    runs = [
        subprocess.run(
            [
                sys.executable,
                "-m",
                "bot",
                "--config",
                str(config),
                "ask",
                "--json",
                "What does ICCPR stand for?",
            ],
            capture_output=True,
            cwd=tmp_path,
            env=env,
            timeout=300,
            check=False,
        )
        for _ in range(2)
    ]
    for done in runs:
        assert done.returncode == 0, done.stderr
        assert json.loads(done.stdout)["answered"] is True
    assert b"for the first time" in runs[0].stderr and str(tmp_path).encode() in runs[0].stderr
    assert b"for the first time" not in runs[1].stderr


def test_an_abstention_shows_its_suggestions_under_the_right_heading() -> None:
    sentence = Suggestion("The budget is 2,100,000 euros.", "lumen-programme-p3-s1", 30.0, kind="fact")
    question = Suggestion("When did Korea join the FOC?", "when-korea-joined", 40.0)
    assert "Did you mean:\n  - When did Korea join" in cli.render_text(abstention(question), {})
    shown = cli.render_text(abstention(sentence, question), {})
    assert "These may answer it:\n  - The budget is 2,100,000 euros." in shown
