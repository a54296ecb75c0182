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

from .lang.korean import language
from .messages import MESSAGES, text

__all__ = ["MESSAGES", "CommandTranslator", "lang_of", "locale_lang", "text"]

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
    "faq": "자주묻는질문",
    "private": "비공개",
    # context menus (any characters, spaces allowed)
    "Ask FOC bot": "FOC 봇에게 묻기",
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
    "Browse the questions the bot can answer, by topic": "봇이 답할 수 있는 질문을 주제별로 둘러보기",
    "Only you see the answer (it has a Share button)": "나만 보기 (공유 버튼으로 공개 가능)",
}


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
