"""The bot's own words in English and Korean, for every front end (CLI and Discord).

Free of discord, so the command line can use it. Answers themselves come from the
knowledge; these are the frames around them (labels, abstentions, notices).
"""

from __future__ import annotations

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
    "unsure_cli": {
        "en": "I don't know the answer to that from the announcement.",
        "ko": "발표문으로는 그 질문에 답할 수 없습니다.",
    },
    "did_you_mean_cli": {"en": "Did you mean:", "ko": "혹시 이런 질문인가요:"},
    "ask_about": {
        "en": "Ask me about the Republic of Korea joining the Freedom Online Coalition.",
        "ko": "대한민국의 자유온라인연합(FOC) 가입에 대해 물어보세요.",
    },
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
