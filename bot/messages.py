"""The bot's own words in English and Korean, for every front end (CLI and Discord).

Free of discord, so the command line can use it. Answers themselves come from the
knowledge; these are the frames around them (labels, abstentions, notices).
"""

from __future__ import annotations

MESSAGES: dict[str, dict[str, str]] = {
    "unsure": {
        "en": "I don't know the answer to that from the documents I was given.",
        "ko": "제가 가진 문서로는 그 질문에 답할 수 없습니다.",
    },
    "did_you_mean": {
        "en": "Did you mean one of these? Click to ask it.",
        "ko": "혹시 이런 질문이었나요? 눌러서 물어보세요.",
    },
    "may_answer": {
        "en": "These may answer it: click one to see it with its source.",
        "ko": "이 중에 답이 있을 수 있습니다. 눌러서 출처와 함께 보세요.",
    },
    "try_help": {
        "en": "Try `/help` to see what I can answer.",
        "ko": "`/help`(도움말)로 제가 답할 수 있는 것을 확인해 보세요.",
    },
    "source": {"en": "Source", "ko": "출처"},
    "unsure_cli": {
        "en": "I don't know the answer to that from my documents.",
        "ko": "제 문서로는 그 질문에 답할 수 없습니다.",
    },
    "did_you_mean_cli": {"en": "Did you mean:", "ko": "혹시 이런 질문인가요:"},
    "may_answer_cli": {"en": "These may answer it:", "ko": "다음 중에 답이 있을 수 있습니다:"},
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
    "slow_down_channel": {
        "en": "This channel is getting many questions: please wait {seconds} s, or use `/ask private:True`.",
        "ko": "이 채널에 질문이 많습니다. {seconds}초 기다리시거나 `/ask private:True`를 사용해 주세요.",
    },
    "role_mention_unreadable": {
        "en": "I was mentioned through my role, and Discord does not show me the text of such "
        "messages. Mention me by name (pick the entry marked as the bot, not the role), DM me, "
        "or use `/ask`.",
        "ko": "역할 멘션으로 호출되어 메시지 내용을 볼 수 없습니다. 봇 이름으로 멘션하시거나(역할이 아닌 봇 항목 선택), "
        "DM을 보내시거나 `/ask`(질문)를 사용해 주세요.",
    },
    "paragraph_title": {"en": "Paragraph", "ko": "문단"},
    "show_paragraph": {"en": "Show paragraph", "ko": "문단 보기"},
    "share": {"en": "Share", "ko": "공유"},
    "suggestion_gone": {
        "en": "That question is no longer in the knowledge. Try asking again.",
        "ko": "그 질문은 더 이상 지식 베이스에 없습니다. 다시 질문해 주세요.",
    },
    "paragraph_gone": {
        "en": "That paragraph is no longer in the knowledge.",
        "ko": "그 문단은 더 이상 지식 베이스에 없습니다.",
    },
    "reason_title": {"en": "What was wrong?", "ko": "무엇이 잘못되었나요?"},
    "reason_label": {"en": "What was wrong with this answer? (optional)", "ko": "이 답변의 문제점 (선택)"},
    "reason_placeholder": {
        "en": "e.g. it answers another question; the date is wrong",
        "ko": "예: 다른 질문에 대한 답입니다, 날짜가 틀립니다",
    },
    "unknown_component": {
        "en": "That button or menu is not one I know any more (it may be from before an update "
        "of mine): nothing was done. Please run the command again.",
        "ko": "더 이상 알 수 없는 버튼이나 메뉴입니다(업데이트 전의 것일 수 있습니다). 아무 작업도 하지 않았습니다. "
        "명령을 다시 실행해 주세요.",
    },
    "unknown_form": {
        "en": "That form is not one I know any more (it may be from before an update of mine): "
        "nothing was saved. Here is what you typed, to use again:",
        "ko": "더 이상 알 수 없는 양식입니다(업데이트 전의 것일 수 있습니다). 아무것도 저장하지 않았습니다. "
        "다시 쓰실 수 있도록 입력하신 내용을 돌려 드립니다:",
    },
    "unknown_command": {
        "en": "That command is not one I know any more (the commands may be being updated): "
        "please try again in a moment, or see `/help`.",
        "ko": "더 이상 알 수 없는 명령입니다(명령이 업데이트 중일 수 있습니다). 잠시 후 다시 시도하시거나 "
        "`/help`(도움말)를 확인해 주세요.",
    },
    "asked_in_message": {
        "en": "Answered {link}",
        "ko": "답했습니다: {link}",
    },
    "no_question_in_message": {
        "en": "That message has no text I can read as a question.",
        "ko": "그 메시지에는 질문으로 읽을 수 있는 글이 없습니다.",
    },
    "cannot_reply_here": {
        "en": "I can't post in this channel, so here is the answer just for you.",
        "ko": "이 채널에 글을 올릴 수 없어 답을 나에게만 보여 드립니다.",
    },
    "faq_intro": {
        "en": "Browse what I know: pick a topic, then a question.",
        "ko": "제가 아는 내용을 둘러보세요. 주제를 고른 뒤 질문을 고르세요.",
    },
    "faq_pick_topic": {"en": "Pick a topic", "ko": "주제 선택"},
    "faq_pick_question": {"en": "Pick a question", "ko": "질문 선택"},
    "faq_topic": {"en": "Topic: {topic}", "ko": "주제: {topic}"},
    "faq_empty_topic": {
        "en": "There are no questions on that topic any more.",
        "ko": "그 주제에는 이제 질문이 없습니다.",
    },
    "no_facts": {
        "en": "I have no facts on **{topic}** in my documents. Try `/help`.",
        "ko": "제 문서에는 **{topic}**에 관한 사실이 없습니다. `/help`(도움말)를 확인해 보세요.",
    },
    "facts_title": {"en": "Facts: {topic}", "ko": "사실: {topic}"},
    "no_paragraph": {
        "en": "The announcement has paragraphs 1 to {count}: please pick one of those.",
        "ko": "발표문의 문단은 1부터 {count}까지입니다. 그중 하나를 골라 주세요.",
    },
    "publisher": {"en": "Publisher", "ko": "발행처"},
    "date": {"en": "Date", "ko": "날짜"},
    "paragraphs": {"en": "Paragraphs", "ko": "문단 수"},
    "web_address": {"en": "Web address", "ko": "웹 주소"},
    "also_known_as": {"en": "Also known as", "ko": "다른 이름"},
    "news_title": {
        "en": "The Republic of Korea joins the Freedom Online Coalition",
        "ko": "대한민국, 자유온라인연합(FOC) 가입",
    },
    "no_news": {
        "en": "The knowledge holds no membership news with a source document.",
        "ko": "지식 베이스에 출처 문서가 있는 가입 소식이 없습니다.",
    },
    "quote_in_english": {
        "en": "",
        "ko": "(출처 문장은 영어 원문입니다)",
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
