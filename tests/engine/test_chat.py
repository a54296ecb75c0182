"""bot.engine.chat: the chat around a question, set aside before matching."""

from __future__ import annotations

import pytest

from bot.engine.chat import (
    drop_alternative,
    drop_chat_leads,
    drop_greetings,
    drop_meta_references,
    drop_small_counts,
    main_verb_do,
    question_focus,
    strip_chat,
    text_speak_digits,
)
from bot.lang.text import normalize


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
        ("my prof asked us why korea is important", "why korea is important"),
        (
            "asking for a friend does the rok support the ottawa agenda",
            "does the rok support the ottawa agenda",
        ),
        ("genuine question did the rok sign the iccpr", "did the rok sign the iccpr"),
        ("tbh i dont get what korea did", "what korea did"),
        ("i d love to know if korea joined would be super helpful", "korea joined"),
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
    words = "now that korea is a member what will it actually do".split()
    assert main_verb_do(words)[-1] == "activities"


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
        # Mentions go, in messages of any length.
        ("@FOCbot is korea in the foc?", "is korea in the foc?"),
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


def test_strip_chat_runs_every_pass():
    words = normalize(
        "good evening, quick question: does korea pledge 2 support the ottawa agenda or not"
    ).split()
    assert strip_chat(words) == "does korea pledge to support the ottawa agenda".split()
