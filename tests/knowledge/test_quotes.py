"""bot.knowledge.quotes.find_verbatim."""

from __future__ import annotations

import pytest

from bot.knowledge.quotes import find_verbatim

PARAGRAPH = (
    "As part of the country’s “National Digital Strategy” through which it aims\n"
    "to use  digital technology, it has made progress."
)


def test_exact_quote_is_found():
    assert find_verbatim("it has made progress.", PARAGRAPH) == "it has made progress."


@pytest.mark.parametrize(
    "quote",
    [
        'the country\'s "National Digital Strategy"',
        'the country’s "National Digital Strategy"',
        "the country's “National Digital Strategy”",
    ],
)
def test_straight_and_curly_quotes_are_interchangeable(quote):
    assert find_verbatim(quote, PARAGRAPH) == "the country’s “National Digital Strategy”"


def test_curly_quote_matches_straight_paragraph():
    assert find_verbatim("Korea’s", "It is Korea's turn.") == "Korea's"


@pytest.mark.parametrize(
    ("quote", "expected"),
    [
        ("it aims to use digital", "it aims\nto use  digital"),
        ("it  aims\tto\n\nuse digital", "it aims\nto use  digital"),
        ("  it has made progress.  ", "it has made progress."),
    ],
)
def test_whitespace_differences_are_forgiven_and_source_text_returned(quote, expected):
    assert find_verbatim(quote, PARAGRAPH) == expected


def test_result_is_a_substring_of_the_paragraph():
    found = find_verbatim("country's \"National", PARAGRAPH)
    assert found is not None and found in PARAGRAPH


@pytest.mark.parametrize(
    "quote",
    [
        "National Digital Plan",
        "it has made PROGRESS.",
        "it has made progress!",
        "the countrys",
        "",
        "   \n ",
    ],
)
def test_absent_quote_is_none(quote):
    assert find_verbatim(quote, PARAGRAPH) is None


def test_real_paragraph(announcement):
    paragraph = announcement.paragraph(4)
    assert find_verbatim('the country\'s "National Digital Strategy"', paragraph) == (
        "the country’s “National Digital Strategy”"
    )
