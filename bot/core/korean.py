"""Korean text: particles, stopwords, syllable bigrams and language detection.

Korean attaches particles to nouns (한국은, 회원국이, 장관의) and builds words from
syllables, so whole-word matching fails on it. The matcher strips common particles
before applying synonyms (so 한국은 meets the synonym 한국 = korea), then splits
remaining Hangul words into syllable bigrams (회원국 -> 회원, 원국), which match
across inflections without a dictionary.
"""

from __future__ import annotations

import re

_HANGUL = re.compile(r"[\uac00-\ud7a3]")
_HANGUL_WORD = re.compile(r"^[\uac00-\ud7a3]+$")

# Longest first, so 에서 is stripped before 서 could be considered.
PARTICLES: tuple[str, ...] = tuple(
    sorted(
        """은 는 이 가 을 를 의 에 에서 에게 께서 으로 로 와 과 도 만 이나 나 랑 이랑 하고
        까지 부터 보다 처럼 이라 라 이란 란 이라는 라는 이며 에는 에서는 으로는 로는 과의 와의
        에의 이에요 예요 이야 야 인가요 인가 인지 이고 이지""".split(),
        key=len,
        reverse=True,
    )
)

# Question words, copulas and requests: they carry no topic.
STOPWORDS_KO = frozenset(
    """무엇 뭐 뭔가요 뭔가 뭐야 뭐예요 뭔데 무엇인가요 무엇입니까 누구 누구인가요 누구야 누가
    어디 어디인가요 어디야 언제 언제인가요 어떻게 왜 몇 어떤 무슨 좀 그 이 저 것 수 등 및
    대해 대해서 관해 관해서 관련 요 해 주세요 해주세요 알려줘 알려주세요 알려 줘 궁금해요
    궁금합니다 궁금해 있나요 있어요 있습니까 있어 인가요 입니까 이에요 예요 인지 나요 가요
    되나요 했나요 하나요 합니까 년 월 일 번 개 명""".split()
)


def has_hangul(text: str) -> bool:
    return _HANGUL.search(text) is not None


def is_hangul_word(word: str) -> bool:
    return _HANGUL_WORD.match(word) is not None


def strip_particle(word: str) -> str:
    """The word without one trailing particle, keeping at least one syllable."""
    if not is_hangul_word(word):
        return word
    for particle in PARTICLES:
        if word.endswith(particle) and len(word) > len(particle):
            return word[: -len(particle)]
    return word


def bigrams(word: str) -> list[str]:
    """Syllable bigrams of a Hangul word (a one-syllable word is itself)."""
    if len(word) < 2:
        return [word]
    return [word[i : i + 2] for i in range(len(word) - 1)]


def language(text: str) -> str:
    """'ko' when the text is mostly Hangul letters, else 'en'."""
    letters = [ch for ch in text if ch.isalpha()]
    if not letters:
        return "en"
    hangul = sum(1 for ch in letters if _HANGUL.match(ch))
    return "ko" if hangul * 2 >= len(letters) else "en"
