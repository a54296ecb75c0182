"""bot.knowledge.learned and its merge by the loader: alternates moderators attached in Discord."""

from __future__ import annotations

import pytest

from bot.config import load_config
from bot.engine.engine import Engine, build_matcher
from bot.knowledge.learned import (
    HEADER,
    parse_learned,
    render_learned,
    with_alternate,
)
from bot.knowledge.problems import KnowledgeError
from tests.knowledge_base import line_no

LEARNED = "knowledge/learned.yaml"


def write_learned(kb, text: str) -> None:
    (kb.parent / "knowledge" / "learned.yaml").write_text(text, encoding="utf-8")


def problems_of(kb) -> list:
    with pytest.raises(KnowledgeError) as info:
        build_matcher(load_config(kb))
    return info.value.problems


def test_a_missing_learned_file_means_nothing_learned(kb):
    entries = build_matcher(load_config(kb)).knowledge.entries
    assert [e.alternates for e in entries] == [
        ("FOC size", "number of FOC members"),
        ("ICCPR",),
    ]


def test_learned_alternates_are_merged_into_their_entry(kb):
    write_learned(kb, "alternates:\n  iccpr-meaning:\n    - what's that covenant korea ratified\n")
    knowledge = build_matcher(load_config(kb)).knowledge
    entry = next(e for e in knowledge.entries if e.id == "iccpr-meaning")
    assert entry.alternates == ("ICCPR", "what's that covenant korea ratified")
    assert "knowledge/learned.yaml" in knowledge.files


def test_a_learned_alternate_makes_its_question_answered(kb):
    question = "zorblax quuxification treaty"
    assert not Engine(load_config(kb)).ask(question).answered
    write_learned(kb, f"alternates:\n  iccpr-meaning: [{question}]\n")
    answer = Engine(load_config(kb)).ask(question)
    assert answer.answered and answer.entry_id == "iccpr-meaning"


def test_unknown_entry_id_names_the_file_line_and_entry(kb):
    text = "alternates:\n  iccpr-meaning: [fine]\n  no-such-entry:\n    - a question\n"
    write_learned(kb, text)
    (problem,) = problems_of(kb)
    assert (problem.file, problem.line, problem.entry) == (
        LEARNED,
        line_no(text, "a question"),
        "no-such-entry",
    )
    assert "unknown entry id" in problem.message


def test_collision_with_another_entrys_phrasing_is_a_problem(kb):
    text = "alternates:\n  iccpr-meaning:\n    - ok one\n    - FOC  size!\n"
    write_learned(kb, text)
    (problem,) = problems_of(kb)
    assert (problem.file, problem.line, problem.entry) == (LEARNED, 4, "iccpr-meaning")
    assert "member-count" in problem.message and "knowledge/qa.yaml" in problem.message


def test_the_same_question_learned_for_two_entries_is_a_problem(kb):
    text = "alternates:\n  iccpr-meaning: [shared words]\n  member-count: [Shared words?]\n"
    write_learned(kb, text)
    (problem,) = problems_of(kb)
    assert (problem.line, problem.entry) == (3, "member-count")
    assert "iccpr-meaning" in problem.message


def test_a_learned_copy_of_its_own_phrasing_is_skipped(kb):
    write_learned(kb, "alternates:\n  iccpr-meaning: [iccpr, ICCPR?]\n")
    entry = next(e for e in build_matcher(load_config(kb)).knowledge.entries if e.id == "iccpr-meaning")
    assert entry.alternates == ("ICCPR",)


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("alternates: [a, b]\n", "must be a mapping"),
        ("other: 1\n", "unknown top-level field"),
        ("alternates:\n  iccpr-meaning: just text\n", "must be a list"),
        ("alternates:\n  iccpr-meaning: ['  ']\n", "non-empty"),
        ("alternates:\n  iccpr-meaning: [" + "x" * 301 + "]\n", "longer than"),
        ("alternates: [\n", "YAML syntax"),
        ("alternates:\n  iccpr-meaning: &a [x]\n  member-count: *a\n", "not allowed"),
    ],
)
def test_malformed_files_are_refused(kb, text, needle):
    write_learned(kb, text)
    problems = problems_of(kb)
    assert all(p.file == LEARNED for p in problems)
    assert any(needle in p.message for p in problems), problems


def test_problems_of_qa_and_learned_are_reported_together(kb):
    qa = kb.parent / "knowledge" / "qa.yaml"
    qa.write_text(qa.read_text(encoding="utf-8").replace("paragraph: 5", "paragraph: 42"), encoding="utf-8")
    write_learned(kb, "alternates: [\n")
    files = {p.file for p in problems_of(kb)}
    assert files == {"knowledge/qa.yaml", LEARNED}


def test_an_empty_or_header_only_file_is_fine(kb):
    write_learned(kb, HEADER)
    assert build_matcher(load_config(kb)).knowledge.entries
    assert parse_learned("", "f") == ()
    assert parse_learned("alternates:\n", "f") == ()


def test_render_then_parse_round_trips_with_lines():
    text = render_learned({"iccpr-meaning": ["What's the covenant?", "a: colon # and hash"], "x": []})
    assert text.startswith(HEADER)
    parsed = parse_learned(text, "f")
    assert [(a.entry_id, a.text) for a in parsed] == [
        ("iccpr-meaning", "What's the covenant?"),
        ("iccpr-meaning", "a: colon # and hash"),
    ]
    assert [a.line for a in parsed] == [line_no(text, "What's"), line_no(text, "a: colon")]


def test_with_alternate_adds_once_and_does_not_mutate():
    current = {"a": ["one"]}
    added = with_alternate(current, "a", "  two   words ")
    assert added == {"a": ["one", "two words"]}
    assert current == {"a": ["one"]}
    assert with_alternate(added, "a", "Two words?") == added
    assert with_alternate({}, "b", "q") == {"b": ["q"]}


def test_a_learned_korean_question_becomes_a_korean_alternate(kb):
    write_learned(kb, "alternates:\n  iccpr-meaning: [시민적 정치적 권리 규약이 뭐예요]\n")
    entry = next(e for e in build_matcher(load_config(kb)).knowledge.entries if e.id == "iccpr-meaning")
    assert entry.alternates == ("ICCPR",)
    assert entry.alternates_ko == ("시민적 정치적 권리 규약이 뭐예요",)
