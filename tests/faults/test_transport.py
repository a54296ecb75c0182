"""Transport faults while the bot is busy: gateway drops, server errors, slow and
rate-limited REST.

Each test drives the real bot (``start_bot``, anti-spam disabled for bursts) against
``tests.fake_discord`` and checks what matters to users: every question gets exactly
one reply (replies are matched to questions by their ``message_reference``), a failed
or rate-limited request is retried, and a slow channel does not hold up the others.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from typing import Any

import pytest

from tests.e2e.test_bot_e2e import QUIET, STEP, channel_posts, mention, reply_to
from tests.fake_discord import FakeDiscord, fast_http_retries
from tests.faults.conftest import StartBot

pytestmark = pytest.mark.asyncio

NO_ANTI_SPAM = {"user_rate": 10_000, "channel_rate": 10_000, "repeat_window": 0}
QUESTIONS = (
    "Which country became the 38th member of the FOC?",
    "Who is Park Jin?",
    "When did Korea join the FOC?",
    "What does ICCPR stand for?",
    "What is the best pizza topping?",  # an abstention is a reply too
)


def replies_by_question(fake: FakeDiscord, channel_id: int, after: int) -> Counter[str]:
    """How many successful replies each question (message id) got."""
    return Counter(
        str(post.json["message_reference"]["message_id"])
        for post in channel_posts(fake, channel_id, after)
        if post.json.get("message_reference")
    )


@pytest.mark.no_rate_limits  # 30 replies in one channel: Discord would spread them over 30 s
async def test_gateway_drop_in_the_middle_of_a_burst_answers_every_question_exactly_once(
    fake: FakeDiscord, start_bot: StartBot
) -> None:
    users = [fake.create_user(f"asker{i}") for i in range(30)]
    for user in users:
        fake.add_member(fake.guild, user)
    await start_bot(sync=False, **NO_ANTI_SPAM)
    session = await fake.wait_for_ready()
    frames_before = len(fake.gateway_received)
    before = len(fake.requests)

    questions: list[dict[str, Any]] = []
    for i, user in enumerate(users):
        if i == 10:
            await fake.drop_gateway(code=4000)  # the next 20 are buffered for the RESUME
        questions.append(await mention(fake, QUESTIONS[i % len(QUESTIONS)], author=user))

    resume = await fake.wait_for_resume(after=frames_before, timeout=STEP)
    assert resume["session_id"] == session.session_id
    # The 20 questions sent while the socket was down reached the bot through the replay.
    seq_of = {f["d"]["id"]: f["s"] for f in session.events if f["t"] == "MESSAGE_CREATE"}
    assert all(seq_of[str(q["id"])] > (resume["seq"] or 0) for q in questions[10:])
    for question in questions:
        await reply_to(fake, question, before)
    await asyncio.sleep(QUIET)  # room for a duplicate to show up

    assert replies_by_question(fake, fake.channel.id, before) == Counter(str(q["id"]) for q in questions)
    assert len(fake.identify_payloads) == 1, "the session was resumed, not replaced"
    assert session.resumes == 1


async def test_server_errors_on_a_reply_are_retried_until_it_is_sent_once(
    fake: FakeDiscord, start_bot: StartBot
) -> None:
    await start_bot(sync=False)
    path = f"/channels/{fake.channel.id}/messages"
    fake.fail_next("POST", path, status=500)
    fake.fail_next("POST", path, status=502)
    before = len(fake.requests)
    with fast_http_retries():
        question = await mention(fake, "Which country became the 38th member of the FOC?")
        reply = await reply_to(fake, question, before)
        await asyncio.sleep(QUIET)
    assert "38" in reply.json["embeds"][0]["description"]
    statuses = [r.status for r in fake.requests[before:] if r.method == "POST" and r.path == path]
    assert statuses == [500, 502, 200]
    assert replies_by_question(fake, fake.channel.id, before) == Counter({str(question["id"]): 1})


async def test_slow_channel_does_not_hold_up_answers_in_other_channels(
    fake: FakeDiscord, start_bot: StartBot
) -> None:
    slow = fake.channel
    others = [fake.create_text_channel(fake.guild, f"other-{i}") for i in range(4)]
    await start_bot(sync=False, **NO_ANTI_SPAM)
    fake.delay(f"/channels/{slow.id}/messages", 1.0, method="POST")
    before = len(fake.requests)

    slow_question = await mention(fake, "Who is Park Jin?", channel=slow)
    slow_path = f"/channels/{slow.id}/messages"
    deadline = time.monotonic() + STEP
    while not any(r.method == "POST" and r.path == slow_path for r in fake.requests[before:]):
        assert time.monotonic() < deadline, "the slow channel's reply was never sent"
        await asyncio.sleep(0.01)
    other_questions = [await mention(fake, QUESTIONS[i], channel=channel) for i, channel in enumerate(others)]
    for question in other_questions:
        reply = await reply_to(fake, question, before)
        assert reply.json["embeds"]
    pending = [r for r in fake.requests[before:] if r.method == "POST" and r.path == slow_path]
    assert pending and all(r.status is None for r in pending), "the slow reply should still be in flight"
    slow_reply = await reply_to(fake, slow_question, before)
    assert slow_reply.json["embeds"]


async def test_slow_rest_for_every_channel_still_answers_all_of_them_concurrently(
    fake: FakeDiscord, start_bot: StartBot
) -> None:
    channels = [fake.channel, *(fake.create_text_channel(fake.guild, f"more-{i}") for i in range(4))]
    await start_bot(sync=False, **NO_ANTI_SPAM)
    fake.delay("/channels/", 1.0, method="POST")
    before = len(fake.requests)
    start = time.monotonic()
    questions = [await mention(fake, QUESTIONS[i], channel=c) for i, c in enumerate(channels)]
    for question in questions:
        await reply_to(fake, question, before)
    elapsed = time.monotonic() - start
    # Five 1-second replies, sent side by side rather than one after the other.
    assert elapsed < 3.0, f"replies took {elapsed:.1f}s: they were sent one at a time"
    for channel, question in zip(channels, questions, strict=True):
        assert replies_by_question(fake, channel.id, before) == Counter({str(question["id"]): 1})


async def test_rate_limited_interaction_callbacks_are_retried(fake: FakeDiscord, start_bot: StartBot) -> None:
    await start_bot(**NO_ANTI_SPAM)
    for command, options in (("ask", {"question": "Who is Park Jin?"}), ("help", {})):
        fake.rate_limit_next("POST", "/interactions/", retry_after=0.05, times=2)
        before = len(fake.requests)
        interaction = fake.command_interaction(command, options)
        await fake.dispatch("INTERACTION_CREATE", interaction)
        response = await fake.wait_for_interaction_response(interaction, timeout=STEP)
        assert response["data"]["embeds"], command
        callback = f"/interactions/{interaction['id']}/{interaction['token']}/callback"
        statuses = [r.status for r in fake.requests[before:] if r.path == callback]
        assert statuses[:2] == [429, 429] and len(statuses) == 3 and statuses[2] < 300, statuses
        assert len(fake.interactions[interaction["token"]].responses) == 1
        if command == "ask":  # the bot then fetches its answer (to link repeats to it)
            await fake.wait_for_request(
                "GET", f"/webhooks/{fake.application_id}/{interaction['token']}", timeout=STEP
            )
