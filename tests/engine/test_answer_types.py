"""bot.engine.answer_types: what a question asks for, and whether a text can give it."""

from __future__ import annotations

import pytest

from bot.engine.answer_types import (
    AnswerType,
    asks_about_publication,
    asks_for_others,
    asks_for_specifics,
    can_answer,
    focus_words,
    names_others,
    question_type,
    without_publication_dates,
)


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("When did Korea join the FOC?", AnswerType.TIME),
        ("What year did Korea join?", AnswerType.TIME),
        ("On what exact date did Korea join the coalition?", AnswerType.DATE),
        ("What date was the announcement published?", AnswerType.DATE),
        ("Which day did the ROK become a member?", AnswerType.DATE),
        ("한국 FOC 가입 날짜가 언제예요?", AnswerType.DATE),
        ("박진 장관은 언제 취임했나요?", AnswerType.TIME),
        ("몇 년도에 한국이 FOC에 가입했어?", AnswerType.TIME),
        ("FOC 회원국은 몇 개국이에요?", AnswerType.COUNT),
        ("한국은 몇 번째 회원국이 되었나요?", AnswerType.ANY),
        ("How many members does the FOC have?", AnswerType.COUNT),
        ("Where was the 2023 Summit for Democracy held?", AnswerType.PLACE),
        ("Do you know when Korea joined?", AnswerType.TIME),
        ("What position did the ROK take when it signed up?", AnswerType.ANY),
        ("Can you tell me when Korea joined?", AnswerType.TIME),
        ("Is the Ottawa Agenda one of the texts Korea upheld when it came in?", AnswerType.ANY),
        ("When Korea joined, which documents did it pledge to support?", AnswerType.ANY),
        ("What's the number of the resolution Korea championed?", AnswerType.ANY),
        ("What is the number of FOC members?", AnswerType.COUNT),
        ("Where in Korea will the 2024 summit be held?", AnswerType.VENUE),
        ("Where in the world does Korea promote human rights?", AnswerType.PLACE),
        ("Why did Korea join the FOC?", AnswerType.REASON),
        ("How come Korea joined so late?", AnswerType.REASON),
        ("한국은 왜 FOC에 가입했나요?", AnswerType.REASON),
        ("How much money does the strategy cost?", AnswerType.COUNT),
        ("How much influence does technology have on our lives?", AnswerType.ANY),
        ("Who is Park Jin?", AnswerType.PERSON),
        ("Is Korea a member?", AnswerType.ANY),
    ],
)
def test_question_type(question: str, kind: AnswerType) -> None:
    assert question_type(question) is kind


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("published on 29 August 2023", True),
        ("on August 29, 2023", True),
        ("dated 2023-08-29", True),
        ("2023년 8월 29일에 발표", True),
        ("announced in August 2023", False),
        ("during the 41st and 47th sessions", False),
        ("in 2023", False),
    ],
)
def test_a_date_is_a_calendar_day(text: str, expected: bool) -> None:
    assert can_answer(AnswerType.DATE, text) is expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("to promote human rights both at home and abroad", True),
        ("The meeting was held in Valdris.", True),
        ("The Republic of Korea is the host country.", True),
        ("in diverse human rights forums and bodies", False),
        ("active participation in the 2023 Summit for Democracy", False),
    ],
)
def test_a_place_is_named_in_words(text: str, expected: bool) -> None:
    assert can_answer(AnswerType.PLACE, text) is expected


@pytest.mark.parametrize(
    ("question", "words"),
    [
        ("Which city will host the summit?", ["city"]),
        ("In which Korean city will the 2024 Summit take place?", ["korean", "city"]),
        ("Which minister commented on Korea joining?", ["minister"]),
        ("What kind of diplomacy is Korea active in?", ["diplomacy"]),
        ("Which edition of the Summit for Democracy will Korea host?", []),
        (
            "What international human rights conventions is Korea party to?",
            ["international", "human", "rights", "conventions"],
        ),
        ("What is the budget of the strategy?", ["budget"]),
        ("How many people work there?", ["people"]),
        ("Does Korea support the Ottawa Agenda?", []),
        ("What does ICCPR stand for?", []),
    ],
)
def test_focus_words(question: str, words: list[str]) -> None:
    assert focus_words(question) == words


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("Which other countries were in the Core Group?", True),
        ("Who else joined the FOC?", True),
        ("What countries other than Korea are members?", True),
        ("Is Korea working with other members?", False),
        ("Which countries were in the Core Group?", False),
    ],
)
def test_asks_for_others(question: str, expected: bool) -> None:
    assert asks_for_others(question) is expected


def test_names_others() -> None:
    assert names_others("working together with other members")
    assert not names_others("The ROK was involved in the Core Group.")


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("Which specific FOC sub-groups will Korea join?", True),
        ("What particular documents does Korea support?", True),
        ("Name the specific covenants Korea signed", True),
        ("Which sub-groups will Korea join?", False),
        ("Is there a specific plan?", False),
        ("What exact date did Korea join?", False),  # precision, not named things
    ],
)
def test_asks_for_specifics(question: str, expected: bool) -> None:
    assert asks_for_specifics(question) is expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Because of its active involvement in cyber diplomacy.", True),
        ("To champion Internet freedom and safeguard online human rights.", True),
        ("The strategy aims to use digital technology to promote freedom.", True),
        ("The ROK has joined the Coalition, increasing the membership to 38.", False),
    ],
)
def test_a_reason_is_given_in_words(text: str, expected: bool) -> None:
    assert can_answer(AnswerType.REASON, text) is expected


def test_the_documents_own_date_is_not_the_date_of_what_it_reports():
    text = "The announcement was published by the FOC on 29 August 2023. Korea joined in 2023."
    assert can_answer(AnswerType.DATE, text)
    undated = without_publication_dates(text)
    assert not can_answer(AnswerType.DATE, undated)
    assert "Korea joined in 2023" in undated
    assert asks_about_publication("When was the announcement published?")
    assert not asks_about_publication("On what date did Korea become a member?")
