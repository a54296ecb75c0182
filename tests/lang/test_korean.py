"""bot.lang.korean: particles, endings, syllable pairs and language detection."""

from __future__ import annotations

import pytest

from bot.lang.korean import (
    bigrams,
    has_hangul,
    is_hangul_word,
    is_particle,
    language,
    split_scripts,
    strip_particle,
)


@pytest.mark.parametrize(
    ("word", "stem"),
    [
        ("한국은", "한국"),
        ("회원국이", "회원국"),
        ("장관의", "장관"),
        ("선언이나", "선언"),
        ("정보랑", "정보"),
        ("회원국으로서", "회원국"),
        ("한국에서는", "한국"),
        ("가입했나요", "가입했나요"),  # verb endings are left to the bigrams
        ("그들", "그들"),  # two syllables are kept whole
        ("국가", "국가"),  # ... so a noun ending like a particle is not cut to one
        ("누가", "누가"),  # a question word is left alone
        ("korea", "korea"),
        ("FOC", "FOC"),
    ],
)
def test_strip_particle(word: str, stem: str) -> None:
    assert strip_particle(word) == stem


@pytest.mark.parametrize(
    ("word", "parts"),
    [
        ("foc는", ["foc", "는"]),
        ("iccpr이", ["iccpr", "이"]),
        ("2024년", ["2024", "년"]),
        ("한국", ["한국"]),
        ("korea", ["korea"]),
    ],
)
def test_split_scripts(word: str, parts: list[str]) -> None:
    assert split_scripts(word) == parts


def test_particles_alone() -> None:
    assert is_particle("는") and is_particle("에서") and not is_particle("한국")


def test_bigrams() -> None:
    assert bigrams("회원국") == ["회원", "원국"]
    assert bigrams("새") == ["새"]


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("When did Korea join?", "en"),
        ("한국은 언제 가입했나요?", "ko"),
        ("FOC 가입은 언제?", "ko"),
        ("Is 한국 a member of the Freedom Online Coalition?", "en"),
        ("", "en"),
        ("😀 ???", "en"),
        ("café", "en"),
    ],
)
def test_language(text: str, lang: str) -> None:
    assert language(text) == lang


def test_hangul_checks() -> None:
    assert is_hangul_word("한국") and not is_hangul_word("korea") and not is_hangul_word("한국2")
    assert has_hangul("FOC 한국") and not has_hangul("FOC")


def test_a_word_shares_its_bigrams_with_or_without_a_particle_after_it() -> None:
    # 회의 ends in 의, which is also a particle: the bigrams still overlap.
    assert set(bigrams(strip_particle("정상회의는"))) >= {"정상", "상회"}
    assert set(bigrams(strip_particle("정상회의"))) >= {"정상", "상회"}
