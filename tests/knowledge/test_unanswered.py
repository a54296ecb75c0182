"""bot.knowledge.unanswered: near-duplicate missed questions grouped, known phrasings left out."""

from __future__ import annotations

from dataclasses import dataclass

from bot.knowledge.unanswered import group_questions
from bot.lang.text import normalize


@dataclass(frozen=True)
class Row:
    text: str
    abstained: int = 1
    down: int = 0
    last: float = 0.0
    asked: int | None = None
    reasons: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.asked is None:  # each asking abstained on or voted down once
            object.__setattr__(self, "asked", max(self.abstained, self.down))


def test_near_duplicates_are_one_group_named_by_the_most_frequent_wording():
    groups = group_questions(
        [
            Row("When did Korea join the FOC?", abstained=1, last=5),
            Row("when did korea join the foc", abstained=3, last=1),
            Row("When did Korea join FOC??", abstained=1, last=9),
            Row("What is the budget of the digital plan?", abstained=2, last=3),
        ]
    )
    assert [(g.question, g.count, g.last) for g in groups] == [
        ("when did korea join the foc", 5, 9),
        ("What is the budget of the digital plan?", 2, 3),
    ]
    assert groups[0].variants == ("When did Korea join the FOC?", "When did Korea join FOC??")


def test_thumbs_down_and_abstentions_add_up():
    (group,) = group_questions(
        [Row("Who is Park Jin", abstained=2), Row("who is park jin?", abstained=0, down=3)]
    )
    assert (group.abstained, group.down, group.count) == (2, 3, 5)


def test_the_reasons_of_near_duplicates_are_kept_once_each():
    (group,) = group_questions(
        [Row("Who is Park Jin", down=1, reasons=("wrong person",)), Row("who is park jin?", down=2,
         reasons=("wrong person", "too long"))]
    )  # fmt: skip
    assert group.reasons == ("wrong person", "too long")


def test_a_question_asked_once_counts_once_however_it_was_missed():
    (group,) = group_questions([Row("Who is Park Jin", abstained=1, down=2, asked=1)])
    assert (group.abstained, group.down, group.count) == (1, 2, 1)


def test_different_questions_stay_apart_and_ties_go_to_the_most_recent():
    groups = group_questions([Row("pizza toppings", last=1), Row("summit for democracy host", last=2)])
    assert [g.question for g in groups] == ["summit for democracy host", "pizza toppings"]


def test_known_phrasings_and_empty_text_are_left_out():
    known = {normalize("Who is Park Jin?")}
    groups = group_questions([Row("who is park jin"), Row("  ?! "), Row("Other thing")], known=known)
    assert [g.question for g in groups] == ["Other thing"]


def test_nothing_missed_means_no_groups():
    assert group_questions([]) == []
