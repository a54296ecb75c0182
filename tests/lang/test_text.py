"""bot.lang.text: normalization, stemming, tokens."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.lang.text import (
    STOPWORDS,
    _fold,
    _fold_ascii,
    normalize,
    stem,
    tokens,
)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        pytest.param("ＩＣＣＰＲ　Ｋｏｒｅａ", "iccpr korea", id="nfkc-full-width"),
        pytest.param("FREEDOM Online CoAlItIoN", "freedom online coalition", id="casefold"),
        pytest.param("Straße", "strasse", id="casefold-sharp-s"),
        pytest.param(
            "the country’s “National Digital Strategy”",
            "the country national digital strategy",
            id="curly-quotes",
        ),
        pytest.param("don’t", "dont", id="curly-apostrophe-inside-word"),
        pytest.param("Korea's role", "korea role", id="possessive-straight"),
        pytest.param("Korea’s role", "korea role", id="possessive-curly"),
        pytest.param("IC\u200bCPR", "iccpr", id="zero-width-space"),
        pytest.param("\u2067ROK\u2069 \u202eFOC\u202c", "rok foc", id="bidi-controls"),
        pytest.param("a\x00b\x07c\x1b", "abc", id="control-chars"),
        pytest.param("\ufeffKorea", "korea", id="bom"),
        pytest.param("Z̷̢a̸͓l̴̛g̵̙o̶̪", "zalgo", id="zalgo-combining-marks"),
        pytest.param("e\u0301cole", "école", id="accent-composed-not-dropped"),
        pytest.param("hello,world!who?(foc)", "hello world who foc", id="punctuation-to-space"),
        pytest.param("resolution 41/11", "resolution 41/11", id="slash-in-number-kept"),
        pytest.param("3.5 billion", "3.5 billion", id="decimal-kept"),
        pytest.param("and/or", "and or", id="slash-between-words-split"),
        pytest.param("sub-groups", "sub groups", id="hyphen-separates-words"),
        pytest.param("U.N.", "un", id="dotted-acronym"),
        pytest.param("  many \t\n  spaces\r\n here  ", "many spaces here", id="whitespace-collapsed"),
        pytest.param("snake_case", "snake case", id="underscore"),
        pytest.param("", "", id="empty"),
        pytest.param("?!...", "", id="only-punctuation"),
    ],
)
def test_normalize(raw, expected):
    assert normalize(raw) == expected


@pytest.mark.parametrize("raw", ["😀", "🇰🇷🎉", "👨‍👩‍👧‍👦", "korea 😀🔥"])
def test_normalize_emoji_does_not_crash_and_is_dropped(raw):
    out = normalize(raw)
    assert isinstance(out, str)
    assert out in ("", "korea")


def test_normalize_keeps_non_latin_scripts():
    assert normalize("대한민국") == "대한민국"


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_normalize_is_idempotent(text):
    once = normalize(text)
    assert normalize(once) == once


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_normalize_output_is_clean(text):
    out = normalize(text)
    assert out == out.strip()
    assert "  " not in out
    assert out.casefold() == out
    assert not any(unicodedata.category(ch) in ("Cc", "Cf") for ch in out)


@pytest.mark.parametrize(
    "variants",
    [
        ("participate", "participates", "participating", "participation"),
        ("member", "members", "membership"),
        ("declaration", "declarations"),
        ("country", "countries"),
        ("strategy", "strategies"),
        ("promote", "promotes", "promoting", "promotion"),
        ("join", "joined", "joining"),
        ("right", "rights"),
        ("plan", "plans", "planned", "planning"),
        ("commit", "commits", "committed", "committing"),
        ("call", "calls", "called", "calling"),
        ("pass", "passed", "passing"),
        ("govern", "governance", "government", "governing"),
    ],
)
def test_stem_conflates_variants(variants):
    assert len({stem(w) for w in variants}) == 1, {w: stem(w) for w in variants}


@pytest.mark.parametrize(("a", "b"), [("member", "memory"), ("right", "rite"), ("media", "medal")])
def test_stem_keeps_distinct_words_apart(a, b):
    assert stem(a) != stem(b)


@pytest.mark.parametrize("word", ["38th", "41/11", "2023", "rok", "un", "대한민국", "focus", "class"])
def test_stem_leaves_numbers_short_and_non_latin_words(word):
    assert stem(word) == word


def test_stem_is_deterministic():
    assert [stem("participation") for _ in range(3)] == [stem("participation")] * 3


def test_tokens_drop_stopwords_and_stem():
    assert tokens(normalize("What is the membership of the FOC?")) == [stem("membership"), "foc"]


@pytest.mark.parametrize("text", ["", "the of and", "what is it", "please tell me"])
def test_tokens_of_only_stopwords_is_empty(text):
    assert tokens(normalize(text)) == []


def test_tokens_keep_order_and_duplicates():
    assert tokens("korea foc korea") == ["korea", "foc", "korea"]


def test_stopwords_are_normalized_words():
    assert all(normalize(w) == w for w in STOPWORDS)


@given(st.text(alphabet=st.characters(max_codepoint=0x7F)))
def test_the_ascii_shortcut_folds_like_the_general_path(text):
    assert _fold_ascii(text) == _fold(text)
