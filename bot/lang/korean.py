"""Korean text: scripts, particles, syllable bigrams and language detection.

Korean glues particles to nouns (한국은, 회원국이) and endings to verb stems (가입했나요),
so whole-word matching fails on it. The analysis is the one Lucene's CJK analyzer uses,
with one step more: a Hangul word loses at most one trailing particle from a short list
of the standard case and auxiliary particles (only when two syllables remain), then is
split into overlapping syllable bigrams (회원국 -> 회원, 원국). Bigrams match across
inflections without a dictionary: 가입했나요 and 가입한 share 가입. Verb endings are not
listed: their bigrams (했나, 나요) are common to many questions, so they weigh little.
A word written in two scripts ("FOC는", "ICCPR이") is split where the script changes.
"""

from __future__ import annotations

import re
from functools import lru_cache

_HANGUL = re.compile(r"[\uac00-\ud7a3]")
_HANGUL_WORD = re.compile(r"^[\uac00-\ud7a3]+$")
_SCRIPT_CHANGE = re.compile(r"(?<=[a-z0-9])(?=[\uac00-\ud7a3])|(?<=[\uac00-\ud7a3])(?=[a-z])")

# The standard case and auxiliary particles (josa), longest first.
PARTICLES: tuple[str, ...] = tuple(
    sorted(
        """은 는 이 가 을 를 의 에 에서 에게 께서 께 한테 으로 로 와 과 도 만 까지 부터
        보다 처럼 이나 나 랑 이랑 하고 으로서 로서 에는 에서는 이란 란""".split(),
        key=len,
        reverse=True,
    )
)
_PARTICLE_SET = frozenset(PARTICLES)

# Question words, copulas, requests and chat: they carry no topic.
STOPWORDS_KO = frozenset(
    """무엇 뭐 뭔가요 뭔가 뭐야 뭐예요 뭔데 무엇인가요 무엇입니까 누구 누구인가요 누구야 누가
    어디 어디인가요 어디야 언제 언제인가요 어떻게 왜 몇 어떤 무슨 좀 그 이 저 것 수 등 및
    대해 대해서 관해 관해서 관련 요 해 주세요 해주세요 알려줘 알려주세요 알려 줘 궁금해요
    궁금합니다 궁금해 있나요 있어요 있습니까 있어 인가요 입니까 이에요 예요 인지 나요 가요
    되나요 했나요 하나요 합니까 년 월 일 번 개 명 뭐에요 뭘 뭔지 뭐임 뭐지 뭐죠 몇개 몇년도
    그리고 그래서 어때 어때요 거 건 게 걸 혹시 그냥 진짜 정말 많이 다시 여기 거기 이거 그거
    저거 맞아 맞나요 맞아요 아니 아니요 네 예 응 ㅇㅇ ㅋㅋ ㅎㅎ 아시나요 아세요 알아요 알아
    성함 되는지 건지 인지요""".split()
)


def has_hangul(text: str) -> bool:
    return _HANGUL.search(text) is not None


def is_hangul_word(word: str) -> bool:
    return not word.isascii() and _HANGUL_WORD.match(word) is not None


def split_scripts(word: str) -> list[str]:
    """A normalized word split where Latin or digits meet Hangul ("foc는" -> foc, 는)."""
    if word.isascii() or not has_hangul(word):
        return [word]
    return _SCRIPT_CHANGE.sub(" ", word).split()


def is_particle(word: str) -> bool:
    """Whether ``word`` is a particle on its own (what is left of "FOC는" after the split)."""
    return word in _PARTICLE_SET


@lru_cache(maxsize=65536)
def strip_particle(word: str) -> str:
    """The Hangul word without one trailing particle, when two syllables remain."""
    if not is_hangul_word(word) or word in STOPWORDS_KO:
        return word
    for particle in PARTICLES:
        if word.endswith(particle) and len(word) - len(particle) >= 2:
            return word[: -len(particle)]
    return word


def bigrams(word: str) -> list[str]:
    """Syllable bigrams of a Hangul word (a one-syllable word is itself)."""
    if len(word) < 2:
        return [word]
    return [word[i : i + 2] for i in range(len(word) - 1)]


def language(text: str) -> str:
    """'ko' when the text is mostly Hangul letters, else 'en'."""
    if text.isascii():
        return "en"
    letters = [ch for ch in text if ch.isalpha()]
    if not letters:
        return "en"
    hangul = sum(1 for ch in letters if "\uac00" <= ch <= "\ud7a3")
    return "ko" if hangul * 2 >= len(letters) else "en"
