"""``python -m bot kb``: stats, unanswered, import and rollback on the command line.

Every test works on a knowledge base and a database in tmp_path; the project's own
files are only read.
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot import cli
from bot.config import load_config
from bot.storage import DB_ENV, Store
from tests.knowledge_base import make_kb
from tests.samples import NEW_ENTRY, SMALL_QA

PROJECT = Path(__file__).resolve().parents[1]
UPDATED_QA = SMALL_QA + NEW_ENTRY


@pytest.fixture
def kb(tmp_path, monkeypatch):
    """Config path of a small knowledge base with its own database in tmp_path."""
    monkeypatch.delenv(DB_ENV, raising=False)
    config = make_kb(tmp_path)
    config.write_text(
        config.read_text(encoding="utf-8") + "storage:\n  path: data/test.sqlite3\n", encoding="utf-8"
    )
    return config


def run(kb: Path, *args: str, stdin: str = "") -> tuple[int, str]:
    out = io.StringIO()
    old_stdin = sys.stdin
    sys.stdin = io.StringIO(stdin)
    try:
        code = cli.main(["--config", str(kb), "kb", *args], out=out)
    finally:
        sys.stdin = old_stdin
    return code, out.getvalue()


def qa(kb: Path) -> str:
    return (kb.parent / "knowledge" / "qa.yaml").read_text(encoding="utf-8")


def upload(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "incoming" / "new-qa.yaml"
    path.parent.mkdir(exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def store(kb: Path) -> Store:
    return Store(load_config(kb).storage_path)


def test_import_with_yes_shows_the_diff_writes_backs_up_and_audits(kb, tmp_path):
    code, out = run(kb, "import", str(upload(tmp_path, UPDATED_QA)), "--yes")
    assert code == 0, out
    assert "1 added, 0 changed, 0 removed" in out and "park-jin" in out
    assert qa(kb) == UPDATED_QA
    backups = list((kb.parent / "knowledge" / "backups").glob("*-qa.yaml"))
    assert len(backups) == 1 and backups[0].read_text(encoding="utf-8") == SMALL_QA
    assert "reloads it within" in out
    with store(kb) as db:
        (entry,) = db.audit_log()
    assert entry.action == "import" and entry.moderator.endswith("(command line)")
    assert "1 added" in entry.detail


@pytest.mark.parametrize(("answer", "code", "changed"), [("y\n", 0, True), ("n\n", 1, False), ("", 1, False)])
def test_import_asks_before_changing_anything(kb, tmp_path, answer, code, changed):
    result, out = run(kb, "import", str(upload(tmp_path, UPDATED_QA)), stdin=answer)
    assert result == code
    assert "Apply these changes? [y/N]" in out
    assert (qa(kb) == UPDATED_QA) is changed
    if not changed:
        assert "nothing was changed" in out
        assert not (kb.parent / "knowledge" / "backups").exists() or not any(
            (kb.parent / "knowledge" / "backups").glob("*.yaml")
        )


def test_import_of_a_broken_file_is_refused_with_its_problems(kb, tmp_path, capsys):
    broken = upload(tmp_path, SMALL_QA.replace("paragraph: 5", "paragraph: 42"))
    code, _ = run(kb, "import", str(broken), "--yes")
    assert code == 2
    err = capsys.readouterr().err
    assert f"{broken}:" in err and "[entry iccpr-meaning]" in err and "not 42" in err
    assert qa(kb) == SMALL_QA


def test_import_of_an_unchanged_file_does_nothing(kb, tmp_path):
    code, out = run(kb, "import", str(upload(tmp_path, SMALL_QA)), "--yes")
    assert code == 0 and "nothing to do" in out


def test_import_refuses_a_missing_or_too_big_file(kb, tmp_path, capsys):
    assert run(kb, "import", str(tmp_path / "nope.yaml"), "--yes")[0] == 2
    assert "cannot read" in capsys.readouterr().err
    big = upload(tmp_path, "# " + "x" * 1_000_100 + "\n" + SMALL_QA)
    assert run(kb, "import", str(big), "--yes")[0] == 2
    assert "the limit is 1000000" in capsys.readouterr().err
    assert qa(kb) == SMALL_QA


def test_rollback_restores_the_previous_version(kb, tmp_path):
    run(kb, "import", str(upload(tmp_path, UPDATED_QA)), "--yes")
    code, out = run(kb, "rollback", "--yes")
    assert code == 0, out
    assert "0 added, 0 changed, 1 removed" in out
    assert qa(kb) == SMALL_QA
    with store(kb) as db:
        assert [e.action for e in db.audit_log()] == ["rollback", "import"]
    code, out = run(kb, "rollback", "--yes")
    assert code == 1 and "no previous version" in out


def test_rollback_asks_first(kb, tmp_path):
    run(kb, "import", str(upload(tmp_path, UPDATED_QA)), "--yes")
    code, out = run(kb, "rollback", stdin="no\n")
    assert code == 1 and "Roll back? [y/N]" in out
    assert qa(kb) == UPDATED_QA


def test_stats_counts_the_last_week(kb):
    with store(kb) as db:
        for text, answered in [("a", True), ("b", True), ("c", False)]:
            db.record_question(text, answered=answered, score=1, entry_id=None, kind="qa", origin="dm")
        db.record_question("old", answered=True, score=1, entry_id=None, kind="qa", origin="dm", at=1.0)
        db.record_feedback(1, "e", -1, user_id=5)
    code, out = run(kb, "stats")
    assert code == 0
    assert "knowledge: 2 entries" in out
    assert "last 7 days: 2 answered, 1 abstained; feedback 0 up, 1 down" in out


def test_unanswered_groups_near_duplicates(kb):
    with store(kb) as db:
        for text in ["When was the summit held?", "when was the summit held", "pizza?", "ICCPR"]:
            db.record_question(text, answered=False, score=1, entry_id=None, kind="none", origin="dm")
    code, out = run(kb, "unanswered")
    assert code == 0
    lines = out.splitlines()
    # One group of two: named by one wording, the other listed under it.
    assert lines[1].strip().startswith("2x  ") and "(2 unanswered, 0 down)" in lines[1]
    assert "summit held" in lines[1].lower()
    assert "also:" in lines[2] and "summit" in lines[2]
    assert "1x  pizza?" in out
    assert "ICCPR" not in out  # already a phrasing of an entry: that gap is closed


def test_kb_commands_do_not_import_discord(kb, tmp_path):
    script = (
        "import sys\n"
        "from bot import cli\n"
        f"assert cli.main(['--config', {str(kb)!r}, 'kb', 'stats']) == 0\n"
        f"assert cli.main(['--config', {str(kb)!r}, 'kb', 'unanswered']) == 0\n"
        "assert 'discord' not in sys.modules, sorted(m for m in sys.modules if 'discord' in m)\n"
    )
    env = {k: v for k, v in os.environ.items() if k != DB_ENV}
    env["PYTHONPATH"] = str(PROJECT)
    proc = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, env=env, capture_output=True)
    assert proc.returncode == 0, proc.stderr.decode()
