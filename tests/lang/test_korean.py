"""bot.lang.korean: particles, endings, syllable pairs and language detection."""

from __future__ import annotations

import pytest

from bot.lang.korean import bigrams, has_hangul, is_hangul_word, language, strip_ending, strip_particle


@pytest.mark.parametrize(
    ("word", "stem"),
    [
        ("한국은", "한국"),
        ("회원국이", "회원국"),
        ("장관의", "장관"),
        ("선언이나", "선언"),
        ("정보랑", "정보"),
        ("회원국으로서", "회원국"),
        ("참여했나요", "참여"),
        ("참여하게", "참여"),
        ("지지하기로", "지지"),
        ("들어가면서", "들어가"),
        ("문서들은", "문서"),
        ("사람들", "사람"),
        ("그들", "그들"),  # two syllables are kept whole
        ("누가", "누가"),  # a question word is left alone
        ("한국에서는", "한국"),  # two particles
        ("korea", "korea"),
        ("FOC", "FOC"),
    ],
)
def test_strip_particle_then_ending(word: str, stem: str) -> None:
    assert strip_particle(word) == stem


def test_strip_ending_keeps_two_syllables() -> None:
    assert strip_ending("하다") == "하다"
    assert strip_ending("가입했다") == "가입"


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


def test_a_word_ends_alike_with_or_without_a_particle_after_it() -> None:
    # 회의 ends in 의, which is also a particle: stripped in both, or in neither.
    assert strip_particle("정상회의는") == strip_particle("정상회의")
    assert strip_particle("민주주의를") == strip_particle("민주주의")
