"""Faults at the command line, each in a real child process: strict UTF-8 streams, line
separators in answers, a directory or an unreadable file in place of qa.yaml, a backups
folder that cannot be written, kill -9 in the middle of an import, and the bounded
backups folder.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.config import load_config
from bot.knowledge.backups import Backups

from .helpers import PROJECT, child_env, cli, no_root_override, project_copy

STRICT = {"PYTHONIOENCODING": "utf-8:strict"}
CONFIG = str(PROJECT / "config.yaml")


def assert_clean(done: subprocess.CompletedProcess, code: int = 0) -> None:
    errors = done.stderr.decode("utf-8", errors="replace")
    assert "Traceback" not in errors, errors
    assert done.returncode == code, errors


# -- standard streams ------------------------------------------------------------------------


def test_ask_json_with_an_undecodable_argument_under_strict_utf8() -> None:
    done = cli(["--config", CONFIG, "ask", "--json", "\udcff foc"], **STRICT)
    assert_clean(done)
    [line] = done.stdout.decode("utf-8").splitlines()
    assert json.loads(line)["question"] == "\ufffd foc"


def test_ask_dash_and_chat_with_an_undecodable_byte_under_strict_utf8() -> None:
    for command in (["ask", "-"], ["chat"]):
        done = cli(["--config", CONFIG, *command], input=b"\xff Who is Park Jin?\n", **STRICT)
        assert_clean(done)
        assert "Park Jin" in done.stdout.decode("utf-8"), command


SEPARATORS = ("\u2028", "\u2029", "\x85")


def test_ask_json_escapes_every_line_separator_so_splitlines_counts_one_line_per_answer() -> None:
    question = "Who is" + "".join(SEPARATORS) + "Park Jin?"
    done = cli(["--config", CONFIG, "ask", "--json", question])
    assert_clean(done)
    text = done.stdout.decode("utf-8")
    assert not any(ch in text for ch in SEPARATORS)
    [line] = text.splitlines()
    assert json.loads(line)["question"] == question  # escaped, not lost

    lines = [f"line {i}{sep}still line {i}" for i, sep in enumerate(SEPARATORS)] + ["Who is Park Jin?"]
    done = cli(["--config", CONFIG, "ask", "--json", "-"], input="\n".join(lines).encode() + b"\n")
    assert_clean(done)
    out = done.stdout.decode("utf-8").splitlines()
    assert [json.loads(line)["question"] for line in out] == lines


# -- qa.yaml that cannot be read -------------------------------------------------------------------


def test_check_with_a_directory_in_place_of_qa_yaml_is_a_problem_report_and_exit_2(tmp_path: Path) -> None:
    config = project_copy(tmp_path)
    qa = tmp_path / "knowledge" / "qa.yaml"
    qa.unlink()
    qa.mkdir()
    done = cli(["--config", str(config), "check"])
    assert_clean(done, 2)
    errors = done.stderr.decode()
    assert "knowledge/qa.yaml" in errors and "is a directory" in errors and "put the file back" in errors


def test_check_with_an_unreadable_qa_yaml_is_a_problem_report_and_exit_2(tmp_path: Path) -> None:
    prefix = no_root_override()
    config = project_copy(tmp_path)
    qa = tmp_path / "knowledge" / "qa.yaml"
    qa.chmod(0)
    try:
        done = cli(["--config", str(config), "check"], prefix=prefix)
    finally:
        qa.chmod(0o644)
    assert_clean(done, 2)
    errors = done.stderr.decode()
    assert "knowledge/qa.yaml" in errors and "permission denied" in errors and "chmod" in errors


def test_import_with_a_file_in_place_of_the_backups_folder_changes_nothing_and_exits_2(
    tmp_path: Path,
) -> None:
    config = project_copy(tmp_path)
    qa = tmp_path / "knowledge" / "qa.yaml"
    before = qa.read_bytes()
    (tmp_path / "knowledge" / "backups").write_text("not a folder\n", encoding="utf-8")
    new = tmp_path / "new.yaml"
    new.write_bytes(before.replace(b"Mr. Park Jin is", b"Mr. Park Jin, the minister, is", 1))
    assert new.read_bytes() != before
    done = cli(["--config", str(config), "kb", "import", str(new), "--yes"])
    assert_clean(done, 2)
    assert "knowledge/backups" in done.stderr.decode()
    assert qa.read_bytes() == before
    with sqlite3.connect(tmp_path / "data" / "bot.sqlite3") as db:
        [(detail,)] = db.execute("SELECT detail FROM audit WHERE action = 'change-failure'").fetchall()
    assert "knowledge/backups" in detail


def test_kb_import_of_the_good_version_repairs_a_broken_qa_yaml(tmp_path: Path) -> None:
    config = project_copy(tmp_path)
    qa = tmp_path / "knowledge" / "qa.yaml"
    good = tmp_path / "good.yaml"
    good.write_bytes(qa.read_bytes())
    qa.write_text("entries: [\n", encoding="utf-8")
    done = cli(["--config", str(config), "kb", "import", str(good), "--yes"])
    assert_clean(done)
    assert b"does not validate now" in done.stdout
    assert qa.read_bytes() == good.read_bytes()
    done = cli(["--config", str(config), "kb", "import", str(good), "--yes"])
    assert_clean(done)
    assert b"nothing to do" in done.stdout


# -- kill -9 during imports ---------------------------------------------------------------------------


def test_kill_9_during_imports_never_leaves_qa_yaml_half_written(tmp_path: Path) -> None:
    config = project_copy(tmp_path)
    qa = tmp_path / "knowledge" / "qa.yaml"
    versions = [qa.read_bytes()]
    versions.append(versions[0].replace(b"Mr. Park Jin is", b"Mr. Park Jin, the minister, is", 1))
    files = []
    for i, data in enumerate(versions):
        files.append(tmp_path / f"v{i}.yaml")
        files[-1].write_bytes(data)
    command = [sys.executable, "-m", "bot", "--config", str(config), "kb", "import", "--yes"]
    env = child_env()
    started = time.monotonic()
    subprocess.run([*command, str(files[1])], env=env, capture_output=True, check=True, timeout=60)
    whole = time.monotonic() - started  # how long one import takes here, start to exit
    assert qa.read_bytes() == versions[1]
    outcomes = []
    attempts = 16
    for attempt in range(attempts):
        importing = subprocess.Popen(
            [*command, str(files[attempt % 2])], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        # Spread over the last two thirds of an import: validation, the backup, the write.
        time.sleep(whole * (0.35 + 0.75 * attempt / attempts))
        importing.send_signal(signal.SIGKILL)
        importing.wait()
        outcomes.append(importing.returncode)
        assert qa.read_bytes() in versions, f"qa.yaml is neither version after kill {attempt}"
    assert -signal.SIGKILL in outcomes, "no import was killed: the timings are off"
    assert load_config(config).qa_path.read_bytes() in versions
    # What the kills left behind is valid knowledge and at most temporary files.
    done = cli(["--config", str(config), "check"])
    assert done.returncode in (0, 1), done.stderr.decode()  # 1 only if facts.yaml were stale
    leftovers = [p.name for p in qa.parent.iterdir() if p.name.startswith(".") and p.suffix == ".tmp"]
    assert all(name.startswith(".qa.yaml.") for name in leftovers), leftovers


# -- bounded backups ------------------------------------------------------------------------------


def test_backups_keep_the_newest_n_and_the_young_ones(tmp_path: Path) -> None:
    config_path = project_copy(tmp_path)
    text = config_path.read_text(encoding="utf-8")
    config_path.write_text(
        text.replace("knowledge:\n", "knowledge:\n  backups_keep: 5\n  backups_days: 2\n", 1),
        encoding="utf-8",
    )
    config = load_config(config_path)
    backups = Backups(config.backups_dir)
    config.backups_dir.mkdir(parents=True)
    now = datetime.now(UTC)
    ages = [timedelta(days=d) for d in (40, 30, 20, 10, 9, 8, 7, 6, 5, 4, 3)] + [
        timedelta(hours=h) for h in (30, 5, 1)
    ]
    for age in ages:
        stamp = (now - age).strftime("%Y%m%dT%H%M%S%fZ")
        (config.backups_dir / f"{stamp}-qa.yaml").write_bytes(b"entries: []\n")
    qa = config.qa_path
    original = qa.read_bytes()
    new = tmp_path / "new.yaml"
    new.write_bytes(original.replace(b"Mr. Park Jin is", b"Mr. Park Jin, the minister, is", 1))
    done = cli(["--config", str(config_path), "kb", "import", str(new), "--yes"])
    assert_clean(done)
    kept = backups.all()
    # The three younger than 2 days, the import's own backup, and the newest old one
    # (5 newest: the import's, the three young ones, 3 days old); the rest went.
    assert len(kept) == 5
    assert min(b.at for b in kept) >= now - timedelta(days=3, minutes=1)
    assert kept[-1].path.read_bytes() == original  # the import's own backup


@pytest.mark.parametrize(
    ("setting", "message"),
    [
        ("backups_keep: 0", "between 1"),
        ("backups_days: -1", "between 0"),
        ("backups_keep: many", "must be int"),
    ],
)
def test_backup_retention_settings_are_validated(tmp_path: Path, setting: str, message: str) -> None:
    config = tmp_path / "config.yaml"
    config.write_text(f"knowledge:\n  directory: {PROJECT / 'knowledge'}\n  {setting}\n", encoding="utf-8")
    done = cli(["--config", str(config), "check"])
    assert_clean(done, 2)
    errors = done.stderr.decode()
    assert f"knowledge.{setting.split(':')[0]}" in errors and message in errors and "config.yaml:3" in errors


def test_the_project_config_names_the_retention_settings() -> None:
    config = load_config(PROJECT / "config.yaml")
    assert (config.knowledge.backups_keep, config.knowledge.backups_days) == (50, 7.0)
    assert os.path.basename(config.backups_dir) == "backups"


def test_a_python_without_the_projects_packages_gets_a_clear_message() -> None:
    # As if rapidfuzz were not installed (None in sys.modules stops its import).
    program = (
        "import sys; sys.modules['rapidfuzz'] = None\n"
        "from bot.cli import main\n"
        "sys.exit(main(['ask', 'Who is Park Jin?']))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", program], cwd=PROJECT, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 1
    assert done.stderr == (
        "error: this Python has no 'rapidfuzz' package, which the bot needs: "
        "install the project first (pip install -e .)\n"
    )
