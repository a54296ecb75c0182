"""Korean and English for the Discord layer: the bot's own messages and command names.

The engine answers in the language of the question; this module covers what the
Discord layer itself says (abstentions, notices, help) and, through
:class:`CommandTranslator`, the slash commands' names, descriptions and options, which
Discord shows in the user's client language. Where a message gives no clue (``/help``,
``/member``), the interaction's locale decides.
"""

from __future__ import annotations

import discord
from discord import app_commands

from .core.korean import language

# Slash command texts, keyed by the English text used in the code.
COMMANDS_KO: dict[str, str] = {
    # names (lowercase, no spaces: Discord's rule for command and option names)
    "ask": "질문",
    "member": "회원국",
    "source": "출처",
    "facts": "사실",
    "help": "도움말",
    "question": "질문내용",
    "country": "국가",
    "paragraph": "문단",
    "topic": "주제",
    # descriptions
    "Ask about the Republic of Korea joining the Freedom Online Coalition": "대한민국의 자유온라인연합(FOC) 가입에 대해 질문하기",
    "Your question, e.g. Which member did Korea become?": "질문 (예: 한국은 몇 번째 회원국이 되었나요?)",
    "What this bot can do and how to ask": "이 봇이 할 수 있는 일과 질문하는 방법",
    "FOC membership: Korea's news, or a country's record": "FOC 회원국: 한국의 가입 소식 또는 국가별 기록",
    "A country (leave empty for the Republic of Korea's membership news)": "국가 (비워 두면 대한민국의 가입 소식)",
    "The announcement's title, publisher and date, or one paragraph verbatim": "발표문의 제목·발행처·날짜, 또는 한 문단 원문",
    "A paragraph number (1 is the title)": "문단 번호 (1은 제목)",
    "Facts from the announcement on a topic": "주제별로 발표문에 나온 사실",
    "A topic, e.g. human rights conventions, Summit for Democracy": "주제 (예: 인권 협약, 민주주의 정상회의)",
}

MESSAGES: dict[str, dict[str, str]] = {
    "unsure": {
        "en": "I don't know the answer to that from the announcement I was given.",
        "ko": "제가 가진 발표문으로는 그 질문에 답할 수 없습니다.",
    },
    "did_you_mean": {
        "en": "Did you mean one of these? Click to ask it.",
        "ko": "혹시 이런 질문이었나요? 눌러서 물어보세요.",
    },
    "try_help": {
        "en": "Try `/help` to see what I can answer.",
        "ko": "`/help`(도움말)로 제가 답할 수 있는 것을 확인해 보세요.",
    },
    "source": {"en": "Source", "ko": "출처"},
    "paragraph": {"en": "paragraph", "ko": "문단"},
    "confidence": {"en": "Confidence", "ko": "신뢰도"},
    "empty_question": {
        "en": "Ask me about the Republic of Korea joining the Freedom Online Coalition, "
        "for example: *Which member of the FOC did Korea become?* (`/help` for more)",
        "ko": "대한민국의 자유온라인연합(FOC) 가입에 대해 물어보세요. "
        "예: *한국은 FOC의 몇 번째 회원국이 되었나요?* (`/help`로 더 보기)",
    },
    "too_long": {
        "en": "That question is too long for me: please keep it under {limit} characters.",
        "ko": "질문이 너무 깁니다. {limit}자 이내로 줄여 주세요.",
    },
    "slow_down": {
        "en": "You're asking quickly: please wait {seconds} s before the next question.",
        "ko": "질문이 너무 빠릅니다. 다음 질문까지 {seconds}초 기다려 주세요.",
    },
    "repeat": {
        "en": "I answered that here a moment ago: {link}",
        "ko": "방금 여기서 답했습니다: {link}",
    },
    "busy": {
        "en": "I can't answer that right now; please try again shortly.",
        "ko": "지금은 답할 수 없습니다. 잠시 후 다시 시도해 주세요.",
    },
    "no_member_record": {
        "en": "There is no record of **{country}** in the knowledge. The membership list is "
        "incomplete, so this does not mean it is not a member.",
        "ko": "지식 베이스에 **{country}**에 대한 기록이 없습니다. 회원국 목록은 완전하지 않으므로 "
        "회원국이 아니라는 뜻은 아닙니다.",
    },
    "feedback_thanks": {
        "en": "Thanks for your feedback! It helps the moderators improve my answers.",
        "ko": "의견 감사합니다! 운영진이 답변을 개선하는 데 도움이 됩니다.",
    },
    "apology": {
        "en": "Sorry, something went wrong while answering. Please try again in a moment.",
        "ko": "죄송합니다. 답하는 중에 문제가 생겼습니다. 잠시 후 다시 시도해 주세요.",
    },
}


def text(key: str, lang: str = "en", **values: object) -> str:
    """The message ``key`` in ``lang`` (English when there is no translation)."""
    entry = MESSAGES[key]
    return entry.get(lang, entry["en"]).format(**values)


def locale_lang(locale: discord.Locale | str | None) -> str:
    """'ko' for a Korean Discord locale, else 'en'."""
    return "ko" if str(locale or "").startswith("ko") else "en"


def lang_of(question: str, locale: discord.Locale | str | None = None) -> str:
    """The language to answer in: the question's when it has letters, else the locale's."""
    if any(ch.isalpha() for ch in question):
        return language(question)
    return locale_lang(locale)


class CommandTranslator(app_commands.Translator):
    """Korean names, descriptions and option names for the slash commands."""

    async def translate(
        self,
        string: app_commands.locale_str,
        locale: discord.Locale,
        context: app_commands.TranslationContextTypes,
    ) -> str | None:
        if locale is not discord.Locale.korean:
            return None
        return COMMANDS_KO.get(string.message)
