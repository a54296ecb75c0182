"""Questions a careful reader would ask, with the behaviour they must keep getting.

Near-topic questions the announcement cannot answer must get an "I don't know"; plain
questions it does answer must get the right answer. Each case here once went wrong
during development (a word in one phrasing made an unrelated question match). No
unanswerable one may be answered (a wrong confident answer is the worst outcome); of
the answerable ones, the fitted model may miss one.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import load_config
from bot.engine.engine import build_matcher

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def matcher():
    return build_matcher(load_config(ROOT / "config.yaml"))


UNANSWERABLE = [
    "What is the capital of Korea?",
    "Is North Korea a member?",
    "Is the US a member of the Media Freedom Coalition?",
    "Is WHO a member of the FOC?",
    # Only chat filler besides the name: too little to pick an entry.
    "ok so what's the point of the Freedom Online Coalition? in one line pls",
    "What did Korea say about AI?",
    "What is the population of South Korea?",
    "Is China a member of the FOC?",
    "Which country was the 37th member?",
    "What is the 40th member of the FOC?",
    "What is resolution 41/12?",
    "Who chairs the Freedom Online Coalition?",
    "What is Korea's GDP?",
    "What time is it?",
    "BTS 멤버 몇명이야?",
    "한국 대통령은 누구인가요?",
]


def test_unanswerable_questions_are_declined(matcher) -> None:
    answered = [(q, a.entry_id, a.score) for q in UNANSWERABLE if (a := matcher.ask(q)).answered]
    assert not answered


ANSWERABLE = [
    ("Why did South Korea join the FOC?", "champion"),
    ("Who is Mr. Park Jin?", "Minister of Foreign Affairs"),
    ("What does ICESCR stand for?", "Economic, Social"),
    ("Which summit will Korea host in 2024?", "2024"),
    ("korea foc memeber number", "38"),
    ("What treaties has Korea signed?", "ICCPR"),
    # Real words one letter off a word of the knowledge, beside a word it goes with.
    ("what did the minster say about digital tech risks", "risks"),
    ("park jinn role??", "Minister of Foreign Affairs"),
    # Shouting is not a row of acronyms ("FOR" is not a name).
    ("SUMMIT FOR DEMOCRACY 2024 hosted by who", "2024"),
    # "stand for" is about an abbreviation, "2 things" a count, "shld" "should".
    ("What does ROK stand for?", "Republic of Korea"),
    ("What does ROK stand for in this text?", "Republic of Korea"),
    ("what 2 things does park jin say the world shld do w digital tech", "positives"),
    ("wat does iccpr stand 4", "Civil and Political"),
    # "be doing" asks for activities, not for the member count.
    ("What will Korea be doing now that it's a member of the coalition?", "sub-groups"),
    ("Has the ROK joined the Media Freedom Coalition as well?", "Media Freedom Coalition"),
    ("2024년 민주주의를 위한 정상회의는 누가 주최해?", "2024"),
    # What someone said, not who they are.
    ("What did the foreign minister say?", "guiding force"),
    ("What will Korea do as a new FOC member?", "sub-groups"),
    # Chat around the question.
    ("sorry if this is dumb but is South Korea actually part of the FOC now?", "38"),
    ("does anyone know which year resolution 41/11 was renewed?", "2023"),
    ("hey, can the bot tell me who the 38th FOC member country is? google is giving me garbage", "Korea"),
    (
        "wait is South Korea actually in the Freedom Online Coalition now or was that just a rumor? lol",
        "38",
    ),
]


def test_answerable_questions_are_answered(matcher) -> None:
    """The decision is the fitted model's, judged on sets: all but one of these."""
    missed = []
    for question, expected in ANSWERABLE:
        answer = matcher.ask(question)
        if not (answer.answered and expected.casefold() in f"{answer.text} {answer.source.quote}".casefold()):
            missed.append((question, answer.entry_id, answer.score))
    assert len(missed) <= 1, missed
