"""Korean text: particles, stopwords, syllable bigrams and language detection.

Korean attaches particles to nouns (한국은, 회원국이, 장관의) and builds words from
syllables, so whole-word matching fails on it. The matcher strips common particles
before applying synonyms (so 한국은 meets the synonym 한국 = korea), then splits
remaining Hangul words into syllable bigrams (회원국 -> 회원, 원국), which match
across inflections without a dictionary.
"""

from __future__ import annotations

import re
from functools import lru_cache

_HANGUL = re.compile(r"[\uac00-\ud7a3]")
_HANGUL_WORD = re.compile(r"^[\uac00-\ud7a3]+$")

# Longest first, so 에서 is stripped before 서 could be considered.
PARTICLES: tuple[str, ...] = tuple(
    sorted(
        """은 는 이 가 을 를 의 에 에서 에게 께서 으로 로 와 과 도 만 이나 나 랑 이랑 하고
        까지 부터 보다 처럼 이라 라 이란 란 이라는 라는 이며 에는 에서는 으로는 로는 과의 와의
        에의 이에요 예요 이야 야 인가요 인가 인지 이고 이지 으로서 로서 으로써 로써 에서의 한테 께""".split(),
        key=len,
        reverse=True,
    )
)

# Verb and adjective endings (polite, plain, casual, nominal), longest first. Stripped
# after particles, so 참여했나요, 참여했어 and 참여함 all become 참여.
ENDINGS: tuple[str, ...] = tuple(
    sorted(
        """었습니까 았습니까 했습니까 였습니까 습니까 었나요 았나요 했나요 였나요 됐나요 되나요 하나요 나요
        인가요 가요 까요 었어요 았어요 했어요 였어요 됐어요 어요 아요 여요 해요 돼요 에요 예요 이에요 세요
        주세요 해주세요 줘요 줘 니까 습니다 합니다 입니다 됩니다 했습니다 었습니다 았습니다 했다 었다 았다
        였다 됐다 한다 된다 하다 되다 다고 라고 는지 은지 인지 었어 았어 했어 였어 됐어 했음 됐음 임 음 함
        됨 야 냐 니 래 대요 대 죠 지요 네요 군요 고요 는데 은데 인데 하는 하고 하여 해서 하며 한 할 하 된
        되는 될 되어 돼 있어요 있나요 있음 있어 있는 있다 없어요 없나요 없음 없어 없는 없다
        면서 으면서 하면서 하게 하기 들""".split(),
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
    되나요 했나요 하나요 합니까 년 월 일 번 개 명 뭐에요 뭘 뭔지 뭐임 뭐지 뭐죠 몇개 몇년도 나서
    하면서 그리고 그래서 어떻다고 어떤지 어때 어때요 나와 나와있어요 알려 언급 관련 이름 대해 라는
    이라는 거 건 게 걸 혹시 그냥 진짜 정말 많이 다시 여기 거기 이거 그거 저거 맞아 맞나요 맞아요
    아니 아니요 네 예 응 ㅇㅇ ㅋㅋ ㅎㅎ 아시나요 아세요 알아요 알아 들었는데 들었어요 들었는데요
    성함 어떻게 되는지 되는지 건지 인지요""".split()
)


def has_hangul(text: str) -> bool:
    return _HANGUL.search(text) is not None


def is_hangul_word(word: str) -> bool:
    return not word.isascii() and _HANGUL_WORD.match(word) is not None


@lru_cache(maxsize=65536)
def strip_particle(word: str) -> str:
    """The word without its trailing particles (two at most: 회의 + 는, or 정상회 + 의 + 는
    alike, so a word ends the same with or without a particle after it), then one verb
    ending (see ENDINGS)."""
    if not is_hangul_word(word) or word in STOPWORDS_KO:
        return word
    for _ in range(2):
        for particle in PARTICLES:
            if word.endswith(particle) and len(word) > len(particle):
                word = word[: -len(particle)]
                break
        else:
            break
    return strip_ending(word)


def strip_ending(word: str) -> str:
    """The word without one trailing verb ending, keeping at least two syllables."""
    if not is_hangul_word(word) or len(word) < 3:
        return word
    for ending in ENDINGS:
        if word.endswith(ending) and len(word) - len(ending) >= 2:
            return word[: -len(ending)]
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
