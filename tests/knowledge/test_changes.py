"""bot.knowledge.changes and bot.knowledge.backups: import, rollback and learned alternates on disk."""

from __future__ import annotations

import os
import stat

import pytest

from bot.config import load_config
from bot.engine.engine import Engine
from bot.knowledge import changes
from bot.knowledge.backups import Backups
from bot.knowledge.problems import KnowledgeError
from tests.samples import NEW_ENTRY, SMALL_QA

# One entry added (park-jin), one changed (member-count's answer), none removed.
UPDATED_QA = SMALL_QA.replace("has 38 members.", "has thirty-eight members.") + NEW_ENTRY


@pytest.fixture
def config(kb):
    return load_config(kb)


def qa_text(config) -> str:
    return config.qa_path.read_text(encoding="utf-8")


def backups(config) -> list[str]:
    return [b.path.name for b in Backups(config.backups_dir).all()]


# -- import ----------------------------------------------------------------------------------


def test_plan_import_shows_the_changes_and_writes_nothing(config):
    plan = changes.plan_import(config, UPDATED_QA.encode())
    assert plan.diff.added == ("park-jin",)
    assert [c.id for c in plan.diff.changed] == ["member-count"]
    assert plan.diff.removed == ()
    assert plan.entries == 3
    assert qa_text(config) == SMALL_QA
    assert backups(config) == []


def test_plan_import_of_a_broken_file_names_the_upload_line_and_entry(config):
    broken = SMALL_QA.replace("paragraph: 5", "paragraph: 42")
    with pytest.raises(KnowledgeError) as info:
        changes.plan_import(config, broken.encode())
    (problem,) = info.value.problems
    assert (problem.file, problem.entry) == ("uploaded qa.yaml", "iccpr-meaning")
    assert problem.line is not None
    assert qa_text(config) == SMALL_QA and backups(config) == []


@pytest.mark.parametrize(
    ("data", "needle"),
    [
        (b"entries: &a []\nother: *a\n", "not allowed"),
        (b"entries: !!python/object:os.system {}\n", "YAML syntax"),
        (b"\xff\xfe", "UTF-8"),
        (b"entries: [", "YAML syntax"),
    ],
)
def test_plan_import_refuses_unsafe_or_invalid_yaml(config, data, needle):
    with pytest.raises(KnowledgeError) as info:
        changes.plan_import(config, data)
    assert any(needle in p.message for p in info.value.problems), info.value.problems


def test_plan_import_refuses_a_file_over_the_size_limit(kb):
    kb.write_text("knowledge:\n  directory: knowledge\n  max_import_bytes: 100\n", encoding="utf-8")
    with pytest.raises(KnowledgeError) as info:
        changes.plan_import(load_config(kb), SMALL_QA.encode())
    (problem,) = info.value.problems
    assert problem.file == "uploaded qa.yaml" and "the limit is 100" in problem.message


def test_apply_import_backs_up_then_writes_keeping_the_mode(config):
    config.qa_path.chmod(0o640)
    plan = changes.plan_import(config, UPDATED_QA.encode())
    backup = changes.apply_import(config, plan)
    assert qa_text(config) == UPDATED_QA
    assert backup.read() == SMALL_QA.encode() and backup.label == "qa"
    assert backups(config) == [backup.path.name]
    if hasattr(os, "fchmod"):
        assert stat.S_IMODE(config.qa_path.stat().st_mode) == 0o640
    answer = Engine(config).ask("Who is Park Jin?")
    assert answer.answered and answer.entry_id == "park-jin"


def test_apply_import_refuses_when_qa_changed_since_the_preview(config):
    plan = changes.plan_import(config, UPDATED_QA.encode())
    edited = SMALL_QA.replace("FOC size", "FOC headcount")
    config.qa_path.write_text(edited, encoding="utf-8")
    with pytest.raises(KnowledgeError, match="changed on disk since the preview"):
        changes.apply_import(config, plan)
    assert qa_text(config) == edited and backups(config) == []


def test_import_that_orphans_learned_alternates_is_refused_naming_learned_yaml(config):
    assert changes.learn(config, "iccpr-meaning", "that covenant thing").added
    without_iccpr = SMALL_QA[: SMALL_QA.index("  - id: iccpr-meaning")]
    with pytest.raises(KnowledgeError) as info:
        changes.plan_import(config, without_iccpr.encode())
    (problem,) = info.value.problems
    assert (problem.file, problem.entry) == ("knowledge/learned.yaml", "iccpr-meaning")


# -- rollback --------------------------------------------------------------------------------


def test_rollback_without_backups_has_nothing_to_do(config):
    assert changes.plan_rollback(config) is None


def test_rollback_restores_the_previous_version_and_keeps_the_undone_one(config):
    changes.apply_import(config, changes.plan_import(config, UPDATED_QA.encode()))
    plan = changes.plan_rollback(config)
    assert plan is not None and plan.backup.label == "qa"
    assert plan.diff.removed == ("park-jin",)
    undone = changes.apply_rollback(config, plan)
    assert qa_text(config) == SMALL_QA
    assert undone.undone and undone.read() == UPDATED_QA.encode()
    # The restored backup is the live file now; the undone version is kept but is
    # never restored by a rollback.
    assert backups(config) == [undone.path.name]
    assert changes.plan_rollback(config) is None


def test_rollbacks_step_back_one_version_at_a_time(config):
    second = UPDATED_QA.replace("[Park Jin]", "[Park Jin, minister Park]")
    changes.apply_import(config, changes.plan_import(config, UPDATED_QA.encode()))
    changes.apply_import(config, changes.plan_import(config, second.encode()))
    changes.apply_rollback(config, changes.plan_rollback(config))
    assert qa_text(config) == UPDATED_QA
    changes.apply_rollback(config, changes.plan_rollback(config))
    assert qa_text(config) == SMALL_QA


def test_rollback_of_a_learned_addition_removes_the_file_it_created(config):
    changes.learn(config, "iccpr-meaning", "that covenant thing")
    assert config.learned_path.exists()
    plan = changes.plan_rollback(config)
    assert plan.backup.label == "learned" and plan.backup.absent
    assert [c.alternates_removed for c in plan.diff.changed] == [("that covenant thing",)]
    changes.apply_rollback(config, plan)
    assert not config.learned_path.exists()


def test_rollback_refuses_a_stale_preview(config):
    changes.learn(config, "iccpr-meaning", "one")
    plan = changes.plan_rollback(config)
    changes.learn(config, "iccpr-meaning", "two")
    with pytest.raises(KnowledgeError, match="changed since the preview"):
        changes.apply_rollback(config, plan)


def test_rollback_to_a_version_that_no_longer_validates_is_refused(config):
    changes.apply_import(config, changes.plan_import(config, UPDATED_QA.encode()))
    changes.learn(config, "park-jin", "the minister")
    # Forget the learned backup: the newest is now the qa.yaml from before park-jin,
    # which learned.yaml's alternate for park-jin does not fit.
    for backup in Backups(config.backups_dir).all():
        if backup.label == "learned":
            backup.path.unlink()
    with pytest.raises(KnowledgeError) as info:
        changes.plan_rollback(config)
    assert [(p.file, p.entry) for p in info.value.problems] == [("knowledge/learned.yaml", "park-jin")]
    assert qa_text(config) == UPDATED_QA


# -- learned ---------------------------------------------------------------------------------


def test_learn_adds_once_with_a_backup_and_the_question_is_answered(config):
    question = "zorblax quuxification treaty"
    assert not Engine(config).ask(question).answered
    first = changes.learn(config, "iccpr-meaning", question)
    assert first.added and first.backup is not None and first.backup.absent
    assert changes.learn(config, "iccpr-meaning", question + "?") == changes.LearnResult(added=False)
    text = config.learned_path.read_text(encoding="utf-8")
    assert text.startswith("# knowledge/learned.yaml") and question in text
    answer = Engine(config).ask(question)
    assert answer.answered and answer.entry_id == "iccpr-meaning"
    assert qa_text(config) == SMALL_QA  # the file people edit is never rewritten


@pytest.mark.parametrize(
    ("entry_id", "question", "needle"),
    [
        ("no-such-entry", "a question", "unknown entry id"),
        ("iccpr-meaning", "FOC size", "also a phrasing of entry 'member-count'"),
        ("iccpr-meaning", "x" * 400, "longer than"),
    ],
)
def test_learn_refuses_invalid_additions_and_writes_nothing(config, entry_id, question, needle):
    with pytest.raises(KnowledgeError) as info:
        changes.learn(config, entry_id, question)
    assert any(needle in p.message for p in info.value.problems), info.value.problems
    assert not config.learned_path.exists() and backups(config) == []


def test_backups_sort_in_time_order_and_ignore_other_files(tmp_path):
    store = Backups(tmp_path / "b")
    assert store.all() == [] and store.newest() is None
    first = store.save("qa", b"one")
    second = store.save("learned", None)
    third = store.save("qa", b"three", undone=True)
    (tmp_path / "b" / "notes.txt").write_text("x")
    (tmp_path / "b" / ".lock").write_text("")
    assert [b.path for b in store.all()] == [first.path, second.path, third.path]
    assert store.newest() == second
    assert second.read() is None and first.read() == b"one"
    with pytest.raises(ValueError):
        store.save("facts", b"x")
