"""Text normalization and tokenization shared by the knowledge loader and the matcher.

Everything that compares text goes through :func:`normalize` first, so a question typed
with curly quotes, full-width characters, zero-width spaces or odd casing meets the
knowledge on equal terms. :func:`tokens` then turns normalized text into the content
tokens the matcher weighs: stopwords dropped, a light suffix-stripping stemmer applied.
"""

from __future__ import annotations

import gzip
import re
import unicodedata
from functools import cache, lru_cache
from importlib import resources

# Characters that look like quotes or apostrophes; folded to ASCII before anything else.
_QUOTES = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": "'",
        "\u201b": "'",
        "\u2032": "'",
        "\u00b4": "'",
        "`": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u201f": '"',
        "\u00ab": '"',
        "\u00bb": '"',
    }
)

# Possessive 's and apostrophes inside words ("Korea's" -> "korea", "don't" -> "dont").
_LATIN_MARKS = re.compile(r"[\u0300-\u036f]")
_POSSESSIVE = re.compile(r"(?<=\w)'s\b")
_APOSTROPHE = re.compile(r"(?<=\w)'(?=\w)")
# A dot between two letters joins them ("U.N." -> "un"); a hyphen separates words
# ("sub-groups" -> "sub groups"; the matcher splits "subgroups" the same way).
_JOINER = re.compile(r"(?<=[^\W\d])\.(?=[^\W\d])")
# Keep "41/11" and "3.5" as single tokens: a slash or dot between digits survives.
_NUMERIC_JOINER = re.compile(r"(?<=\d)[/.](?=\d)")
# Digits and Latin letters glued to Hangul ("2024년", "FOC는") are separate words.
_DIGIT_HANGUL = re.compile(r"(?<=[0-9a-z])(?=[\uac00-\ud7a3])|(?<=[\uac00-\ud7a3])(?=[0-9a-z])")
_NON_WORD = re.compile(r"[^\w\u0001\u0002]+")
_SLASH_MARK = "\u0001"
_DOT_MARK = "\u0002"


# What _strip_invisible and _QUOTES do to ASCII: whitespace controls become spaces, the
# other controls go, a backtick is an apostrophe.
_ASCII_CONTROLS = {
    **{code: (" " if chr(code) in "\t\n\r" else None) for code in (*range(0x20), 0x7F)},
    **{code: value for code, value in _QUOTES.items() if code < 0x80},
}


def _strip_invisible(text: str) -> str:
    """Drop control and format characters (zero-width, bidi marks); keep whitespace."""
    out = []
    for ch in text:
        if ch in "\t\n\r ":
            out.append(" ")
            continue
        cat = unicodedata.category(ch)
        if cat in ("Cc", "Cf", "Cs", "Co", "Cn"):
            continue
        if cat == "Mn" and not _is_hangul_or_letter_context(ch):
            # Combining marks piled on letters ("Z̷a̷l̷g̷o̷") carry no meaning here.
            continue
        out.append(ch)
    return "".join(out)


def _is_hangul_or_letter_context(ch: str) -> bool:
    # Combining marks that survive NFKC composition are decoration for Latin text;
    # scripts that need them (Devanagari, Thai...) keep them.
    return not ("\u0300" <= ch <= "\u036f" or "\u1ab0" <= ch <= "\u1aff" or "\u20d0" <= ch <= "\u20ff")


def _fold(text: str) -> str:
    """NFKC, no invisible characters, ASCII quotes, casefolded."""
    text = unicodedata.normalize("NFKC", text)
    text = _strip_invisible(text)
    text = text.translate(_QUOTES).casefold()
    # NFKC after casefold: casefold can produce sequences NFKC composes differently;
    # a mark casefold leaves alone ("İ" -> "i" + dot above) must not split the word.
    text = _LATIN_MARKS.sub("", unicodedata.normalize("NFKC", text))
    # Some composed letters casefold into letter + marks again ("ῢ"): settle on that.
    return _LATIN_MARKS.sub("", text.casefold())


def _fold_ascii(text: str) -> str:
    """:func:`_fold` for ASCII text, the common case, faster: NFKC leaves ASCII as it
    is, and casefolding it is lowering it."""
    return text.translate(_ASCII_CONTROLS).lower()


@lru_cache(maxsize=4096)
def normalize(text: str) -> str:
    """Return a canonical, comparable form of ``text``.

    NFKC, casefold, ASCII quotes, no invisible characters, punctuation turned into
    single spaces (except inside numbers such as ``41/11``), trimmed.
    """
    text = _fold_ascii(text) if text.isascii() else _fold(text)
    text = _POSSESSIVE.sub("", text)
    text = _APOSTROPHE.sub("", text)
    text = _JOINER.sub("", text)
    text = _NUMERIC_JOINER.sub(lambda m: _SLASH_MARK if m.group() == "/" else _DOT_MARK, text)
    text = text.replace("_", " ")
    text = _DIGIT_HANGUL.sub(" ", text)
    text = _NON_WORD.sub(" ", text).strip()
    return text.replace(_SLASH_MARK, "/").replace(_DOT_MARK, ".")


# English function words and question scaffolding. They carry no topic, so a question
# is judged by the words that remain. Kept deliberately generic: nothing here is
# specific to the announcement.
STOPWORDS = frozenset(
    """
    a about above again against all also am an and any are aren around as at be
    because been being below between both but by can cannot could couldn did
    didnt do does doesnt doing done dont down during each either else ever every few
    for from further get gets getting got had hadnt has hasnt have havent having he
    her here hers herself him himself his how however i id if im in into is isnt it
    its itself ive just let lets like may me might mine more most much must my myself
    no nor not now of off on once only or other others our ours ourselves out over own
    per please quite rather really same shall she should shouldnt so some such than
    that thats the their theirs them themselves then there theres these they theyre
    this those though through thus to too under until up upon us very via was wasnt we
    were werent what whats when where whether which while who whom whos whose why will
    with within without wont would wouldnt yes yet you your youre yours yourself
    yourselves tell know explain describe say said mean means meant anything something
    thing things kind sort lot lots ok okay hey hi hello thanks thank pls plz hmm um
    uh question questions answer wondering wonder curious info information details
    detail u ur r wut wat abt bc cuz thx ty ya yeah yep nope pl many much actually exactly
    time times year years date dates day days month months type types
    basically shld shud shd wld wud cld cud bcuz coz tho thru w wht
    knows knew known tells told asks asked explains explained describes described
    wonders wondered
    """.split()
)

# Common verbs and chat filler that say how something is asked, not what about. A
# question is not made unanswerable by them when the knowledge does not use them, so an
# unknown one weighs little (see the matcher). Generic English, nothing topical.
FILLER_WORDS = frozenset(
    """
    come came comes coming go goes went gone going get gets got gotten take takes took taken
    taking make makes made making give gives gave given need needs needed want wants wanted
    feel feels felt care cares cared look looks looked see sees saw seen think thinks thought
    seem seems seemed try tries tried put puts keep keeps kept happen happens happened guess
    stuff lol lmao idk tbh btw imo kinda sorta gonna wanna gotta anyway literally basically
    nah nope yup yo lemme gimme dunno ngl fr rn smh omg officially formally actually really
    kindly morning afternoon evening greetings hello dear cheers regarding concerning
    supposedly apparently allegedly reportedly presumably seemingly honestly
    specific specifically particular particularly individual precise precisely certain exact
    besides well too either just merely simply sorry dumb stupid silly anyone anybody
    someone somebody everyone guys folks confused idea clue stuff thingy point bot rn tbh idk
    newbie noob lmk afaik iirc fyi tysm imho asap
    exactly ever even still already also else quite pretty bit way ways
    comment comments commented commenting remark remarks remarked state states stated note
    notes noted mention mentions mentioned express expresses expressed speak speaks spoke
    spoken talk talks talked
    """.split()
)

_SUFFIXES: tuple[tuple[str, str], ...] = (
    ("ational", "ate"),
    ("ations", ""),
    ("ation", ""),
    ("ments", ""),
    ("ment", ""),
    ("ships", ""),
    ("ship", ""),
    ("ings", ""),
    ("ing", ""),
    ("ance", ""),
    ("ities", ""),
    ("ity", ""),
    ("ies", "y"),
    ("ally", ""),
    ("ness", ""),
    ("ions", ""),
    ("ion", ""),
    ("ed", ""),
    ("ly", ""),
    ("al", ""),
    ("ive", ""),
    ("es", ""),
    ("s", ""),
)
_STEM_MAX = 7


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """A light, deterministic stemmer: strip one common suffix, then truncate.

    Truncating to a fixed prefix after suffix stripping conflates the variants people
    actually type (participate, participating, participation) without a dictionary.
    Words with digits or non-Latin letters are returned unchanged.
    """
    if not word.isascii() or not word.isalpha() or len(word) <= 3:
        return word
    for suffix, replacement in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            if suffix == "s" and word.endswith(("ss", "us", "is")):
                continue
            if suffix == "ance" and len(word) < 9:
                continue  # governance -> govern, but advance and balance stay whole
            word = word[: len(word) - len(suffix)] + replacement
            # planned, planning -> plan (but called -> call, passed -> pass)
            if suffix in ("ed", "ing", "ings") and word[-1] == word[-2] and word[-1] not in "aeioulsz":
                word = word[:-1]
            break
    if len(word) > 4 and word.endswith("e"):
        word = word[:-1]
    return word[:_STEM_MAX]


def tokens(normalized: str) -> list[str]:
    """Stemmed content tokens of normalized text, in order, duplicates kept."""
    return [stem(w) for w in normalized.split() if w not in STOPWORDS]


_DIGIT = re.compile(r"\d")


def has_digit(word: str) -> bool:
    """True when the word holds a digit: such words are matched exactly, never fuzzily."""
    return _DIGIT.search(word) is not None


@cache
def english_words() -> frozenset[str]:
    """Lowercase English words (SCOWL, see data/README.md), loaded once on first use."""
    data = resources.files(__package__).joinpath("data/english-words.txt.gz").read_bytes()
    return frozenset(gzip.decompress(data).decode("ascii").split())
