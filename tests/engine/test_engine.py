"""bot.engine.engine: building from a config and reloading safely."""

from __future__ import annotations

import pytest

from bot.config import load_config
from bot.engine.engine import Engine, build_matcher
from bot.knowledge.problems import KnowledgeError
from tests.knowledge_base import SMALL_QA, make_kb

ICCPR = "What does ICCPR stand for?"


def test_build_matcher_from_tmp_config(kb):
    matcher = build_matcher(load_config(kb))
    assert [e.id for e in matcher.knowledge.entries] == ["member-count", "iccpr-meaning"]
    assert matcher.knowledge.facts


def test_build_matcher_applies_engine_settings(tmp_path):
    config = make_kb(tmp_path, engine="engine:\n  threshold: 77\n  suggestions: 1\n")
    matcher = build_matcher(load_config(config))
    assert (matcher.thresholds, matcher.max_suggestions) == ({"qa": 77.0, "fact": 77.0, "doc": 77.0}, 1)


def test_build_matcher_names_the_broken_file_relative_to_the_config(kb):
    (kb.parent / "knowledge" / "qa.yaml").write_text("entries: {}\n", encoding="utf-8")
    with pytest.raises(KnowledgeError) as info:
        build_matcher(load_config(kb))
    assert [p.file for p in info.value.problems] == ["knowledge/qa.yaml"]


def test_engine_answers_from_its_knowledge(kb):
    answer = Engine(load_config(kb)).ask(ICCPR)
    assert answer.answered and answer.entry_id == "iccpr-meaning"


def test_broken_reload_keeps_the_previous_matcher(kb):
    engine = Engine(load_config(kb))
    before = engine.knowledge
    qa = kb.parent / "knowledge" / "qa.yaml"
    qa.write_text(SMALL_QA.replace("paragraph: 5", "paragraph: 42"), encoding="utf-8")
    result = engine.reload()
    assert result.ok is False
    assert engine.knowledge is before
    assert engine.ask(ICCPR).entry_id == "iccpr-meaning"


def test_broken_reload_returns_the_problems(kb):
    engine = Engine(load_config(kb))
    qa = kb.parent / "knowledge" / "qa.yaml"
    qa.write_text(SMALL_QA.replace("paragraph: 5", "paragraph: 42"), encoding="utf-8")
    result = engine.reload()
    (problem,) = result.problems
    assert (problem.file, problem.entry) == ("knowledge/qa.yaml", "iccpr-meaning")
    assert "not 42" in problem.message


def test_reload_with_yaml_syntax_error_keeps_serving(kb):
    engine = Engine(load_config(kb))
    (kb.parent / "knowledge" / "qa.yaml").write_text("entries:\n  - id: [oops\n", encoding="utf-8")
    assert engine.reload().ok is False
    assert engine.ask(ICCPR).answered


def test_valid_reload_swaps_the_matcher(kb):
    engine = Engine(load_config(kb))
    before = engine.knowledge
    qa = kb.parent / "knowledge" / "qa.yaml"
    qa.write_text(
        SMALL_QA.replace("ICCPR stands for the", "Edited answer, ICCPR stands for the"),
        encoding="utf-8",
    )
    result = engine.reload()
    assert result.ok and result.problems == ()
    assert (result.entries, result.facts) == (2, len(before.facts))
    assert engine.knowledge is not before
    assert engine.ask(ICCPR).text.startswith("Edited answer,")


def test_valid_reload_after_a_broken_one_recovers(kb):
    engine = Engine(load_config(kb))
    qa = kb.parent / "knowledge" / "qa.yaml"
    qa.write_text("not: [valid\n", encoding="utf-8")
    assert engine.reload().ok is False
    qa.write_text(SMALL_QA.replace("has 38 members.", "has 38 members (reloaded)."), encoding="utf-8")
    assert engine.reload().ok is True
    assert "(reloaded)" in engine.ask("How many members does the FOC have?").text
