"""bot.exts.asking: how an abstention's suggestions are rendered (embed text, buttons)."""

from __future__ import annotations

import pytest

from bot.engine.answer import Suggestion
from bot.exts.asking.render import unsure_embed
from bot.exts.asking.views import suggestion_view
from tests.samples import abstention

QUESTION = Suggestion("When did Korea join the FOC?", "when-korea-joined", 40.0)
SENTENCE = Suggestion(
    "The programme's budget is 2,100,000 euros.", "lumen-programme-p3-s1", 35.0, kind="fact"
)


def test_curated_questions_are_offered_as_questions() -> None:
    description = unsure_embed(abstention(QUESTION), "en").description or ""
    assert "Did you mean" in description and "These may answer it" not in description


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_sentences_are_offered_as_what_may_answer(lang: str) -> None:
    description = unsure_embed(abstention(QUESTION, SENTENCE), lang).description or ""
    assert ("These may answer it" in description) == (lang == "en")
    assert "Did you mean" not in description


@pytest.mark.asyncio
async def test_a_suggestion_whose_id_cannot_route_back_gets_no_button() -> None:
    # A document's file name makes its cards' ids; one with capitals or too long for a
    # custom id (100 characters) would make a button nobody can use.
    odd = Suggestion("A sentence.", "Report_2025-p1-s1", 30.0, kind="fact")
    long = Suggestion("A sentence.", "x" * 95, 30.0, kind="fact")
    view = suggestion_view(abstention(odd, SENTENCE, long))
    assert view is not None
    assert [item.custom_id for item in view.children] == ["foc:ask:" + SENTENCE.entry_id]
    assert suggestion_view(abstention(odd, long)) is None


def test_no_heading_for_buttons_when_none_can_be_shown() -> None:
    # Without a usable button the reply points to /help, not to buttons that are missing.
    odd = Suggestion("A sentence.", "Report_2025-p1-s1", 30.0, kind="fact")
    description = unsure_embed(abstention(odd), "en").description or ""
    assert "These may answer it" not in description and "/help" in description


def test_the_heading_names_what_the_buttons_show() -> None:
    # A sentence that gets no button does not turn curated questions into "may answer".
    odd = Suggestion("A sentence.", "Report_2025-p1-s1", 30.0, kind="fact")
    description = unsure_embed(abstention(odd, QUESTION), "en").description or ""
    assert "Did you mean" in description and "These may answer it" not in description
