"""bot.core.text: normalization, stemming, tokens."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.core.text import (
    STOPWORDS,
    _fold,
    _fold_ascii,
    drop_alternative,
    drop_chat_leads,
    drop_greetings,
    drop_meta_references,
    drop_small_counts,
    main_verb_do,
    normalize,
    question_focus,
    stem,
    text_speak_digits,
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


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        ("does korea pledge 2 support", "does korea pledge to support"),
        ("summit 4 democracy", "summit for democracy"),
        ("2 members", "2 members"),  # a number at the start stays a number
        ("resolution 41 11", "resolution 41 11"),
        ("the 2 4 summits", "the 2 4 summits"),  # between numbers: numbers
        ("what 2 things does he say", "what 2 things does he say"),  # before a plural
        ("what does iccpr stand 4", "what does iccpr stand for"),  # last
    ],
)
def test_text_speak_digits(words, expected):
    assert text_speak_digits(words.split()) == expected.split()


def test_drop_greetings():
    assert drop_greetings("good evening what does icescr mean".split()) == "what does icescr mean".split()
    assert drop_greetings("is it good for korea".split()) == "is it good for korea".split()


def test_drop_small_counts():
    assert drop_small_counts("what 2 things does he say".split()) == "what things does he say".split()
    assert drop_small_counts("which three documents".split()) == "which documents".split()
    assert drop_small_counts("the 38 members".split()) == "the 38 members".split()  # not small
    assert drop_small_counts("resolution 2 of".split()) == "resolution 2 of".split()  # no plural
    assert drop_small_counts([]) == [] and drop_small_counts(["2"]) == ["2"]


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        ("what does rok stand for in this text", "what does rok stand for"),
        (
            "what has the coalition been aligning according to the quote",
            "what has the coalition been aligning",
        ),
        ("how is korea described per the announcement", "how is korea described"),
        ("who published this announcement", "who published this announcement"),  # the topic
        ("what does the quote say", "what does the quote say"),
        ("in the text", "in the text"),  # nothing else: kept
    ],
)
def test_drop_meta_references(words, expected):
    assert drop_meta_references(words.split()) == expected.split()


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("sorry if this is dumb but is korea in the foc", "is korea in the foc"),
        (
            "quick question after the rok came on board how big is the foc",
            "after the rok came on board how big is the foc",
        ),
        ("does anyone know which year", "which year"),
        ("can someone remind me what his title is", "what his title is"),
        ("i read that korea joined the foc", "korea joined the foc"),
        ("im writing a summary and need the statement", "the statement"),
        ("is the rok a signatory to the icescr or nah cant find it", "is the rok a signatory to the icescr"),
        ("who is the minister", "who is the minister"),
        ("wait ok so is korea in the foc", "is korea in the foc"),
        ("why did korea wait until now", "why did korea wait until now"),  # a verb there
    ],
)
def test_drop_chat_leads(question, expected):
    assert drop_chat_leads(normalize(question).split()) == expected.split()


def test_drop_alternative():
    words = "did korea take part in the 2023 summit or is it only in the upcoming one".split()
    assert drop_alternative(words) == "did korea take part in the 2023 summit".split()
    assert drop_alternative("which is it korea or japan".split()) == "which is it korea or japan".split()
    assert drop_alternative("is it or".split()) == "is it or".split()
    words = "wait is korea in the foc now or was that a rumor".split()
    assert drop_alternative(words) == "wait is korea in the foc now".split()


def test_main_verb_do():
    assert main_verb_do("what will korea do as a member".split())[3] == "activities"
    assert main_verb_do("what does park jin do".split()) == "what does park jin do".split()
    assert main_verb_do("what do you know".split()) == "what do you know".split()


@pytest.mark.parametrize(
    ("message", "question"),
    [
        (
            "hey all, I was skimming the FOC news and got confused. When did South Korea join the FOC?",
            "When did South Korea join the FOC?",
        ),
        (
            "asking for a friend: what position does Park Jin hold? his name keeps popping up",
            "what position does Park Jin hold?",
        ),
        (
            "not sure if this is the right channel but how many members does the FOC have now?",
            "how many members does the FOC have now?",
        ),
        # A pronoun keeps the sentence it points back to.
        (
            "helsinki declaration and ottawa agenda - does korea support them?",
            "helsinki declaration and ottawa agenda does korea support them?",
        ),
        # Short messages, and messages that ask nothing recognizable, stay whole.
        ("Ottawa Agenda. Korea?", "Ottawa Agenda. Korea?"),
        (
            "my prof asked us why Korea is important here, anyone?",
            "my prof asked us why Korea is important here, anyone?",
        ),
    ],
)
def test_question_focus(message, question):
    assert question_focus(message) == question
