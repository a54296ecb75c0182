"""bot.engine.evaluate: the judging rule and question files."""

from __future__ import annotations

import pytest

from bot.engine.answer import Answer, Suggestion
from bot.engine.evaluate import Case, evaluate, judge, load_cases
from bot.knowledge.model import SourceRef
from bot.knowledge.problems import KnowledgeError
from tests.samples import abstention


def each(ask):
    """An ask of one question as evaluate's ask of them all."""
    return lambda questions: [ask(q) for q in questions]


def answered(text="Korea became the 38th member.", quote="increasing the membership to 38"):
    return Answer("q", True, text, SourceRef("announcement", 8, quote), 90.0, "some-entry", "qa")


ABSTAINED = Answer("q", False, None, None, 12.0, None, "none")


def case(expect):
    return Case("q", "para" if expect is not None else "oos", None if expect is None else tuple(expect))


def test_expect_null_is_right_when_abstaining():
    assert judge(case(None), ABSTAINED) is True


def test_expect_null_is_wrong_when_answered():
    assert judge(case(None), answered()) is False


def test_expected_answer_is_wrong_when_abstaining():
    assert judge(case(["38"]), ABSTAINED) is False


def test_expected_text_found_in_answer():
    assert judge(case(["38th member"]), answered()) is True


def test_expected_text_missing():
    assert judge(case(["39th"]), answered()) is False


@pytest.mark.parametrize("expect", [["KOREA"], ["korea"], ["38TH MEMBER"]])
def test_matching_is_case_insensitive(expect):
    assert judge(case(expect), answered()) is True


@pytest.mark.parametrize(
    ("expect", "right"),
    [(["thirty-eight|38th"], True), (["38th|thirty-eight"], True), (["thirty-eight|39th"], False)],
)
def test_alternatives_with_a_bar(expect, right):
    assert judge(case(expect), answered()) is right


def test_every_item_must_match():
    assert judge(case(["38th", "Helsinki"]), answered()) is False


def test_matches_in_the_quote_too():
    assert judge(case(["increasing the membership"]), answered()) is True


def test_load_cases_and_evaluate(tmp_path):
    path = tmp_path / "dev.yaml"
    path.write_text(
        "- {cat: para, q: first, expect: ['38']}\n- {cat: oos, q: second, expect: null}\n",
        encoding="utf-8",
    )
    cases = load_cases(path)
    assert [(c.question, c.category, c.expect, c.line) for c in cases] == [
        ("first", "para", ("38",), 1),
        ("second", "oos", None, 2),
    ]
    report = evaluate(cases, each(lambda q: answered() if q == "first" else ABSTAINED))
    assert report.by_category() == {"para": (1, 1), "oos": (1, 1)}
    assert report.failures == []


@pytest.mark.parametrize(
    "text",
    ["- {cat: para}\n", "- {q: x}\n", "- {cat: para, q: x, expect: '38'}\n", "- just text\n"],
)
def test_load_cases_rejects_bad_rows(tmp_path, text):
    path = tmp_path / "dev.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(KnowledgeError):
        load_cases(path)


def test_suggested_counts_abstentions_whose_offered_sentences_hold_the_answer():
    sentence = Suggestion("The budget is 2,100,000 euros in all.", "doc-p3-s1", 30.0, kind="fact")
    other = Suggestion("The call opens in May.", "doc-p4-s1", 20.0, kind="fact")
    question = Suggestion("What is the budget of 2,100,000?", "an-entry", 40.0)
    answers = {
        "a": abstention(other, sentence),  # held by the second sentence
        "b": abstention(other),  # sentences offered, none holds it
        "c": abstention(question),  # a curated question is not judged as an answer
        "d": answered(text="2,100,000 euros", quote="2,100,000 euros"),  # answered: not counted
        "e": abstention(sentence),  # must abstain: not counted
    }
    cases = [Case(k, "para", ("2,100,000|two million", "euros")) for k in "abcd"] + [Case("e", "oos", None)]
    report = evaluate(cases, each(lambda q: answers[q]))
    assert report.suggested() == (1, 3)
    assert report.suggests_sentences()
    assert not evaluate([case(None)], each(lambda q: ABSTAINED)).suggests_sentences()
