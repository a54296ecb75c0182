"""bot.knowledge.yamlio: safe YAML with line numbers, and atomic writes."""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bot.knowledge import yamlio
from bot.knowledge.problems import KnowledgeError
from bot.knowledge.yamlio import MAX_BYTES, MAX_DEPTH, LineDict, atomic_write, parse_yaml, read_yaml


def only_problem(data, file="f.yaml", **kwargs):
    with pytest.raises(KnowledgeError) as info:
        parse_yaml(data, file, **kwargs)
    (problem,) = info.value.problems
    assert problem.file == file
    return problem


DOC = """\
# a comment
title: x
nested:
  inner: 1
  other: 2
items:
  - name: a
    value: 1
  - name: b
"""


def test_mappings_know_their_start_line():
    data = parse_yaml(DOC, "f.yaml")
    assert isinstance(data, LineDict)
    assert (data.line, data["nested"].line, data["items"][0].line, data["items"][1].line) == (2, 4, 7, 9)


def test_mappings_know_the_line_of_each_key():
    data = parse_yaml(DOC, "f.yaml")
    assert (data.line_of("title"), data.line_of("items"), data["nested"].line_of("other")) == (2, 6, 5)
    assert data["items"][0].line_of("value") == 8


def test_line_of_an_absent_key_is_the_mapping_line():
    assert parse_yaml(DOC, "f.yaml")["nested"].line_of("missing") == 4


def test_plain_values_parse():
    assert parse_yaml("a: [1, two, 3.5, true, null]\n", "f.yaml") == {"a": [1, "two", 3.5, True, None]}


def test_dates_stay_text():
    assert parse_yaml("date: 2023-08-29\n", "f.yaml") == {"date": "2023-08-29"}


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("a: &x 1\nb: *x\n", id="anchor-and-alias"),
        pytest.param("a: &x [1, 2]\n", id="anchor-only"),
        pytest.param("base: &b {k: 1}\nderived:\n  <<: *b\n", id="merge-key"),
    ],
)
def test_anchors_and_aliases_are_refused(text):
    problem = only_problem(text)
    assert "anchor" in problem.message
    assert problem.line is not None


def test_billion_laughs_is_refused_quickly():
    lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    lines += [f"a{i}: &a{i} [" + ",".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, 10)]
    start = time.perf_counter()
    problem = only_problem("\n".join(lines) + "\n")
    assert time.perf_counter() - start < 1.0
    assert "anchor" in problem.message


def test_python_tags_are_refused():
    problem = only_problem('!!python/object/apply:os.system ["echo pwned"]\n')
    assert "YAML" in problem.message


@pytest.mark.parametrize("text", ["a: !!set [x]\n", "a: !!set x\n", "!!set\n- a\n"])
def test_a_mapping_tag_on_something_else_is_a_problem_not_a_crash(text):
    # Found by the corrupted-knowledge property test: it raised a bare ValueError.
    problem = only_problem(text)
    assert "expected a mapping" in problem.message
    assert problem.line == 1


def test_duplicate_keys_are_refused_with_their_line():
    problem = only_problem("a: 1\nb: 2\na: 3\n")
    assert "duplicate key 'a'" in problem.message
    assert problem.line == 3


def test_duplicate_keys_in_nested_mapping_are_refused():
    problem = only_problem("top:\n  - id: x\n    id: y\n")
    assert "duplicate key 'id'" in problem.message
    assert problem.line == 3


def test_non_utf8_bytes_are_named_with_their_line():
    problem = only_problem(b"a: 1\nb: caf\xe9\nc: 3\n")
    assert problem.line == 2
    assert "UTF-8" in problem.message and "0xe9" in problem.message


def test_utf8_bom_is_accepted():
    assert parse_yaml("\ufeffa: 1\n".encode(), "f.yaml") == {"a": 1}


def test_syntax_error_names_the_line():
    problem = only_problem("a: 1\nb: [1, 2\nc: 3\n")
    assert problem.message.startswith("YAML syntax")
    assert problem.line in (2, 3)


def test_nesting_within_the_limit_is_accepted():
    depth = MAX_DEPTH - 1
    assert parse_yaml("[" * depth + "]" * depth, "f.yaml") is not None


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1), id="flow-just-over"),
        pytest.param("[" * 100_000 + "]" * 100_000, id="flow-very-deep"),
        pytest.param(
            "".join("  " * i + f"k{i}:\n" for i in range(MAX_DEPTH + 5)) + "  " * 30 + "x\n", id="block"
        ),
    ],
)
def test_nesting_beyond_the_limit_is_refused(text):
    start = time.perf_counter()
    problem = only_problem(text)
    assert "nesting" in problem.message
    assert time.perf_counter() - start < 5.0


def test_size_limit_is_enforced():
    problem = only_problem(b"a: " + b"x" * MAX_BYTES)
    assert "limit" in problem.message


def test_size_limit_is_configurable():
    problem = only_problem("a: 12345\n", max_bytes=5)
    assert "limit of 5" in problem.message


def test_read_yaml_missing_file_is_named(tmp_path):
    with pytest.raises(KnowledgeError) as info:
        read_yaml(tmp_path / "nope.yaml", "nope.yaml")
    [problem] = info.value.problems
    assert problem.file == "nope.yaml" and problem.message.startswith("file not found: put it back")


def test_atomic_write_replaces_content(tmp_path):
    target = tmp_path / "out.yaml"
    target.write_text("old\n", encoding="utf-8")
    atomic_write(target, "new “text”\n")
    assert target.read_text(encoding="utf-8") == "new “text”\n"


def test_atomic_write_writes_bytes_verbatim(tmp_path):
    target = tmp_path / "out.bin"
    atomic_write(target, b"\x00\xff\r\n")
    assert target.read_bytes() == b"\x00\xff\r\n"


def test_atomic_write_creates_missing_directories(tmp_path):
    target = tmp_path / "a" / "b" / "out.yaml"
    atomic_write(target, "x")
    assert target.read_text(encoding="utf-8") == "x"


def test_atomic_write_leaves_no_temporary_files(tmp_path):
    target = tmp_path / "out.yaml"
    for i in range(3):
        atomic_write(target, f"version {i}\n")
    assert sorted(os.listdir(tmp_path)) == ["out.yaml"]


def test_atomic_write_failure_keeps_the_old_file(tmp_path, monkeypatch):
    target = tmp_path / "out.yaml"
    target.write_text("old content\n", encoding="utf-8")

    def fail(*_args, **_kwargs):
        raise OSError("disk on fire")

    monkeypatch.setattr(yamlio.os, "replace", fail)
    with pytest.raises(OSError, match="disk on fire"):
        atomic_write(target, "new content\n")
    assert target.read_text(encoding="utf-8") == "old content\n"
    assert sorted(os.listdir(tmp_path)) == ["out.yaml"]


@pytest.mark.skipif(not hasattr(os, "fchmod"), reason="POSIX file modes")
def test_atomic_write_keeps_the_targets_mode(tmp_path):
    target = tmp_path / "out.yaml"
    target.write_text("old\n", encoding="utf-8")
    target.chmod(0o640)
    atomic_write(target, "new\n")
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    fresh = tmp_path / "fresh.yaml"
    atomic_write(fresh, "x")
    assert stat.S_IMODE(fresh.stat().st_mode) == 0o644  # not mkstemp's private 0600


# A writer that replaces one file with big versions in a loop, reporting each step.
_WRITER = """
import sys
from pathlib import Path
from bot.knowledge.yamlio import atomic_write

target, items = Path(sys.argv[1]), int(sys.argv[2])
version = 1
while True:
    body = "".join(f"  - item {i} of version {version} padding padding padding\\n" for i in range(items))
    print(f"writing {version}", flush=True)
    atomic_write(target, f"version: {version}\\nitems:\\n{body}end: {version}\\n")
    print(f"wrote {version}", flush=True)
    version += 1
"""


def _parsed_version(target, items):
    data = parse_yaml(target.read_bytes(), "target")
    assert data["version"] == data["end"], "a partial file"
    assert len(data["items"]) == items, "a partial file"
    return data["version"]


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="POSIX signals")
@pytest.mark.parametrize("kill_at", [2, 3, 6])
def test_a_writer_killed_mid_write_leaves_the_old_or_the_new_version(tmp_path, kill_at):
    target, items = tmp_path / "big.yaml", 12_000  # ~700 kB a version
    project = Path(__file__).resolve().parents[2]
    proc = subprocess.Popen(
        [sys.executable, "-c", _WRITER, str(target), str(items)],
        cwd=project,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        for line in proc.stdout:
            if line == f"writing {kill_at}\n":
                # It is now inside atomic_write (or about to be): kill it there.
                time.sleep(0.001 * kill_at)
                proc.send_signal(signal.SIGKILL)
                break
        # Everything it printed before dying says how far it really got.
        rest = proc.stdout.read()
    finally:
        proc.kill()
        proc.wait()
        proc.stdout.close()
    assert proc.returncode == -signal.SIGKILL
    done = [int(line.split()[1]) for line in rest.splitlines() if line.startswith("wrote")]
    last_done = max(done, default=kill_at - 1)
    assert _parsed_version(target, items) in (last_done, last_done + 1)
