"""bot.engine.names: words the documents use only inside names."""

from __future__ import annotations

import pytest

from bot.engine.names import name_bound_words, name_tokens, names_in
from bot.lang.text import normalize, stem
from tests.engine.features_of import feature_of, score_of


def tokens(words: list[str]) -> list[str]:
    return [stem(w) for w in words]


SENTENCES = [
    "The ROK pledges to uphold the FOC Founding Declaration, the Helsinki Declaration, and the Ottawa Agenda.",
    "It will attend the 2024 Summit for Democracy.",
    "The summit was a success, and the strategy includes plans for digital skills training.",
]


def test_a_word_used_only_inside_names_is_bound_to_them():
    bound = name_bound_words(SENTENCES, tokens)
    founding = bound[stem("founding")]
    assert founding.spellings == {"founding"}
    assert founding.partners == {stem("declaration")}  # the acronym FOC is a name of its own
    assert stem("declaration") in bound


def test_a_word_also_used_outside_names_is_free():
    bound = name_bound_words(SENTENCES, tokens)
    assert stem("summit") not in bound  # "the summit was a success"
    assert stem("pledges") not in bound
    assert stem("foc") not in bound


def test_punctuation_ends_a_name():
    bound = name_bound_words(SENTENCES, tokens)
    # "Declaration, the Ottawa Agenda" is not one name: Agenda's partner is Ottawa only.
    assert bound[stem("agenda")].partners == {stem("ottawa")}


def test_fits_the_spelling_its_plural_or_a_partner_word():
    founding = name_bound_words(SENTENCES, tokens)[stem("founding")]
    assert founding.fits("founding", frozenset())
    assert founding.fits("founded", frozenset({stem("declaration")}))
    assert not founding.fits("founded", frozenset({"foc"}))
    agenda = name_bound_words(SENTENCES, tokens)[stem("agenda")]
    assert agenda.fits(normalize("agendas"), frozenset())


def test_who_founded_the_foc_is_not_about_the_founding_declaration(matcher):
    answer = matcher.ask("Who founded the Freedom Online Coalition?")
    assert not answer.answered
    assert matcher.ask("Does Korea support the FOC Founding Declaration?").entry_id == "founding-declaration"


def test_name_tokens_are_acronyms_and_names_seen_through_synonyms():
    def synonym_tokens(words: list[str]) -> list[str]:
        joined = " ".join(words).replace("media freedom coalition", "mfc")
        return [stem(w) for w in joined.split()]

    found = name_tokens(
        ["Korea Becomes a Member of the Media Freedom Coalition and signs the ICCPR."], synonym_tokens
    )
    assert found == {"mfc", "iccpr"}  # not "becom" or "member", ordinary words of a title


@pytest.mark.parametrize(
    "question",
    [
        "Which country became the 38th member of the Media Freedom Coalition?",
        "Who is the newest member of the Media Freedom Coalition?",
    ],
)
def test_a_question_about_another_name_is_not_answered_by_an_entry_without_it(matcher, question):
    """The 38th-member entry has every other word, but never mentions the Media Freedom
    Coalition: the question is about something else. The feature says so, and the
    entry is less sure than for the same question about the FOC."""
    about_foc = question.replace("Media", "Online")
    assert feature_of(matcher, question, "rok-38th-member", "missing_name") == 1.0
    assert feature_of(matcher, about_foc, "rok-38th-member", "missing_name") == 0.0
    assert score_of(matcher, question, "rok-38th-member") < score_of(matcher, about_foc, "rok-38th-member")


def test_names_in_an_answer():
    text = "As a new member, the ROK will join Coalition initiatives and the Helsinki Declaration."
    assert names_in(text, tokens) == {stem("helsinki"), stem("declaration")}
