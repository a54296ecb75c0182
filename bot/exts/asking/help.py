"""``/help`` (and "@bot help"): what the bot can do, in the client's language.

Commands are shown as clickable mentions (``</ask:ID>``): the ids come from the synced
command tree, fetched once (``tree.fetch_commands``) and cached until the next sync; a
command that is not synced is shown as plain ``/ask``. The Korean help names the
Korean command and option names, which are what a Korean client shows.
"""

from __future__ import annotations

import logging
import re
from typing import TYPE_CHECKING

import discord

from ...i18n import COMMANDS_KO

if TYPE_CHECKING:
    from ...client import FOCBot

log = logging.getLogger(__name__)

# "help", "/help", "commands", "도움말" ... alone (with punctuation) is a help request.
_HELP_WORDS = {"help", "commands", "command", "도움말", "도움", "명령어", "사용법", "help me"}


def is_help_request(question: str) -> bool:
    """Whether a message addressed to the bot only asks for help."""
    words = re.sub(r"[^\w\s]", " ", question.casefold()).split()
    return " ".join(words) in _HELP_WORDS


class CommandIds:
    """The synced ids of the slash commands, fetched once per scope and cached."""

    def __init__(self, bot: FOCBot) -> None:
        self.bot = bot
        self._cache: dict[int | None, dict[str, int]] = {}

    def clear(self) -> None:
        self._cache.clear()

    async def _fetch(self, guild_id: int | None) -> dict[str, int]:
        if guild_id in self._cache:
            return self._cache[guild_id]
        guild = discord.Object(id=guild_id) if guild_id is not None else None
        try:
            commands = await self.bot.tree.fetch_commands(guild=guild)
        except discord.HTTPException:
            # Not cached: the next /help tries again.
            log.warning("could not fetch the synced commands (%s)", guild_id or "global")
            return {}
        ids = {c.name: c.id for c in commands}
        self._cache[guild_id] = ids
        return ids

    async def ids(self, guild_id: int | None) -> dict[str, int]:
        """Name -> id of every synced command usable here (the server's first, then global)."""
        found = dict(await self._fetch(None))
        if guild_id is not None:
            found.update(await self._fetch(guild_id))
        return found


def mention(ids: dict[str, int], name: str) -> str:
    """``</name:id>`` (clickable) when the command is synced, else ``/name``."""
    command_id = ids.get(name)
    return f"</{name}:{command_id}>" if command_id else f"`/{name}`"


def _ko(name: str) -> str:
    return COMMANDS_KO.get(name, name)


def help_embed(ids: dict[str, int], lang: str, entries: int, facts: int) -> discord.Embed:
    """The help embed, with clickable commands."""
    m = lambda name: mention(ids, name)  # noqa: E731
    if lang == "ko":
        # The mention shows the name the client knows; the Korean names follow in brackets.
        lines = [
            f"{m('ask')} (`/{_ko('ask')} {_ko('question')}:` `{_ko('private')}:`) 질문에 답하기 "
            "(질문 없이 쓰면 주제별 둘러보기)",
            f"{m('faq')} (`/{_ko('faq')}`) 주제별로 질문 둘러보기",
            f"{m('member')} (`/{_ko('member')} [{_ko('country')}:]`) 가입 소식 또는 국가별 FOC 회원국 기록",
            f"{m('source')} (`/{_ko('source')} [{_ko('paragraph')}:]`) 발표문 정보 또는 한 문단 원문",
            f"{m('facts')} (`/{_ko('facts')} {_ko('topic')}:`) 주제별 발표문 속 사실",
            f"{m('help')} (`/{_ko('help')}`) 이 도움말",
            f"메시지 메뉴 **앱 → {_ko('Ask FOC bot')}**: 다른 사람의 메시지 속 질문에 답하기",
        ]
        texts = HELP_KO
    else:
        lines = [
            f"{m('ask')} `question:` `private:` answer a question (without one: browse by topic)",
            f"{m('faq')} browse the questions I know, by topic",
            f"{m('member')} `[country:]` the membership news, or a country's FOC membership record",
            f"{m('source')} `[paragraph:]` the announcement, or one paragraph verbatim",
            f"{m('facts')} `topic:` the facts of the announcement on a topic",
            f"{m('help')} this message",
            "Message menu **Apps → Ask FOC bot**: answer the question in someone's message",
        ]
        texts = HELP_EN
    embed = discord.Embed(title="FOC bot", colour=discord.Colour.blue(), description=texts["about"])
    embed.add_field(name=texts["how_title"], value=texts["how"].format(ask=m("ask")), inline=False)
    embed.add_field(name=texts["commands_title"], value="\n".join(lines)[:1024], inline=False)
    embed.set_footer(text=texts["footer"].format(entries=entries, facts=facts))
    return embed


HELP_EN = {
    "about": "I answer questions about the Republic of Korea joining the Freedom Online Coalition, "
    "from the FOC announcement, and I show the sentence each answer comes from. "
    "When I am not sure, I say so and suggest questions I can answer. I answer in English or Korean.",
    "how_title": "How to ask",
    "how": "Mention me with your question, send me a DM, or use {ask}. "
    "If I react with ⏳, you or the channel are asking faster than I answer: wait a little, "
    "or ask privately with {ask} `private:True`. 📏 means the question is too long.",
    "commands_title": "Commands",
    "footer": "{entries} curated answers · {facts} fact cards",
}
HELP_KO = {
    "about": "자유온라인연합(FOC) 발표문을 바탕으로 대한민국의 FOC 가입에 관한 질문에 답하고, "
    "답의 근거가 된 문장을 보여 드립니다. 확실하지 않으면 모른다고 말하고 답할 수 있는 질문을 제안합니다. "
    "한국어와 영어로 답합니다.",
    "how_title": "질문하는 방법",
    "how": "저를 멘션해서 질문하거나, DM을 보내거나, {ask}를 사용하세요. "
    "⏳ 반응은 질문이 너무 빠르다는 뜻입니다. 잠시 기다리시거나 {ask}의 비공개 옵션으로 물어보세요. "
    "📏 반응은 질문이 너무 길다는 뜻입니다.",
    "commands_title": "명령어",
    "footer": "선별 답변 {entries}개 · 사실 카드 {facts}개",
}
