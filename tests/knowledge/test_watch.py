"""bot.knowledge.watch: snapshots of the knowledge files notice edits, and only real ones."""

from __future__ import annotations

import os

from bot.knowledge.watch import changed_files, snapshot
from bot.knowledge.yamlio import atomic_write


def test_edits_additions_and_removals_are_noticed(tmp_path):
    (tmp_path / "qa.yaml").write_text("a", encoding="utf-8")
    (tmp_path / "sources").mkdir()
    (tmp_path / "sources" / "doc.txt").write_text("x", encoding="utf-8")
    before = snapshot(tmp_path)
    assert sorted(before) == ["qa.yaml", os.path.join("sources", "doc.txt")]
    assert changed_files(before, snapshot(tmp_path)) == []

    atomic_write(tmp_path / "qa.yaml", "b")  # same size: the inode still changes
    (tmp_path / "sources" / "new.txt").write_text("y", encoding="utf-8")
    (tmp_path / "sources" / "doc.txt").unlink()
    assert changed_files(before, snapshot(tmp_path)) == [
        "qa.yaml",
        os.path.join("sources", "doc.txt"),
        os.path.join("sources", "new.txt"),
    ]


def test_same_size_rewrite_in_place_is_noticed_by_its_mtime(tmp_path):
    target = tmp_path / "qa.yaml"
    target.write_text("a", encoding="utf-8")
    before = snapshot(tmp_path)
    target.write_text("b", encoding="utf-8")
    stat = target.stat()
    os.utime(target, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))
    assert changed_files(before, snapshot(tmp_path)) == ["qa.yaml"]


def test_hidden_files_and_ignored_folders_do_not_count(tmp_path):
    (tmp_path / "qa.yaml").write_text("a", encoding="utf-8")
    before = snapshot(tmp_path, ignore=(tmp_path / "backups",))
    (tmp_path / ".qa.yaml.123.tmp").write_text("partial", encoding="utf-8")
    (tmp_path / "backups").mkdir()
    (tmp_path / "backups" / "20240101T000000000000Z-qa.yaml").write_text("old", encoding="utf-8")
    assert changed_files(before, snapshot(tmp_path, ignore=(tmp_path / "backups",))) == []


def test_a_missing_folder_is_an_empty_snapshot(tmp_path):
    assert snapshot(tmp_path / "nope") == {}
