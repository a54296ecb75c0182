"""A whole session, scripted: members and moderators, English and Korean clients, every
command and every kind of button, menu and form, a restart in the middle, a disk that
refuses a change. At the end: nothing went unanswered, nothing could ping, and the log
holds no swallowed exception and no traceback.

The world is the moderation tests' one (alice owns the server, carol has the moderator
role, bob is a member; a moderator channel; a copy of the knowledge in tmp_path), plus
dana, a member whose Discord is in Korean, and erin, a member who never asks the bot.
"""

from __future__ import annotations

import logging
import re
import time
from dataclasses import dataclass, field
from typing import Any

import pytest

from bot.client import FOCBot
from bot.exts.moderation import views
from bot.exts.moderation.checks import NOT_MODERATOR
from tests.e2e import test_moderation_e2e as base
from tests.e2e.test_bot_e2e import SUGGESTION_CANDIDATES
from tests.e2e.test_moderation_e2e import (
    EPHEMERAL,
    MESSAGE_WITH_SOURCE,
    NEW_QUESTION,
    STEP,
    World,
    answered_by,
    button,
    click,
    components,
    edited,
    eventually,
    followup,
    kb,
    kb_import,
    text_of,
)
from tests.e2e.test_moderation_features_e2e import (
    STRING,
    entry_form_values,
    kb_config,
    modal_fields,
    restarted,
    submit,
)
from tests.fake_discord import FakeChannel, FakeDiscord, FakeUser

pytestmark = pytest.mark.asyncio
world = base.world  # the fixture

AUTOCOMPLETE, AUTOCOMPLETE_RESULT, UPDATE_MESSAGE, MODAL = 4, 8, 7, 9
REASON = "It says who he is, not what he said"


def has_hangul(text: str) -> bool:
    return any("\uac00" <= ch <= "\ud7a3" for ch in text)


def entry_text(entry_id: str, question: str) -> str:
    """A qa.yaml entry (a test entry quoting paragraph 2)."""
    return (
        f'\n  - id: {entry_id}\n    question: "{question}"\n    alternates: [{entry_id.replace("-", " ")}]\n'
        f"    answer: The {entry_id.replace('-', ' ')} is a test entry.\n"
        "    source:\n      document: announcement\n      paragraph: 2\n      quote: Mr. Park Jin\n"
    )


def with_entry(world: World, entry_id: str, question: str) -> bytes:
    return world.qa_path.read_bytes().rstrip(b"\n") + b"\n" + entry_text(entry_id, question).encode()


@dataclass
class Session:
    """The world, the session's extra people and channel, and what is clicked after the restart."""

    world: World
    dana: FakeUser  # a member whose client is in Korean
    erin: FakeUser  # a member who never asks the bot herself
    lounge: FakeChannel  # a second channel (Discord limits each channel to 5 messages per 5 s)
    later: dict[str, Any] = field(default_factory=dict)

    @property
    def fake(self) -> FakeDiscord:
        return self.world.fake


# -- helpers: what a Discord client sends -----------------------------------------------------


async def say(s: Session, user: FakeUser, text: str, channel: FakeChannel | None = None) -> dict[str, Any]:
    """``user`` posts ``text`` mentioning the bot; returns the bot's reply message."""
    fake = s.fake
    channel = channel or fake.channel
    before = len(fake.requests)
    message = fake.message_create(channel, user, f"{fake.bot_user.mention} {text}")
    await fake.dispatch("MESSAGE_CREATE", message)
    return await reply_to(fake, message, before)


async def reply_to(fake: FakeDiscord, message: dict[str, Any], before: int) -> dict[str, Any]:
    reply = await fake.wait_for_request(
        "POST",
        f"/channels/{message['channel_id']}/messages",
        where=lambda r: str((r.json or {}).get("message_reference", {}).get("message_id")) == message["id"],
        after=before,
        timeout=STEP,
    )
    return reply.response_json


async def slash(
    s: Session, name: str, options: dict[str, Any] | None = None, *, user: FakeUser, locale: str = "en-US"
) -> tuple[dict[str, Any], dict[str, Any]]:
    """``user`` runs ``/name`` from a client in ``locale``: (interaction, the bot's callback)."""
    interaction = s.fake.command_interaction(name, options or {}, user=user)
    interaction["locale"] = locale
    await s.fake.dispatch("INTERACTION_CREATE", interaction)
    return interaction, await s.fake.wait_for_interaction_response(interaction, timeout=STEP)


async def typing(
    s: Session, name: str, options: dict[str, Any], focused: str, *, locale: str = "en-US"
) -> list[dict[str, Any]]:
    """Autocomplete while typing option ``focused``: the choices offered."""
    interaction = s.fake.autocomplete_interaction(name, options, focused=focused)
    interaction["locale"] = locale
    await s.fake.dispatch("INTERACTION_CREATE", interaction)
    response = await s.fake.wait_for_interaction_response(interaction, timeout=STEP)
    assert response["type"] == AUTOCOMPLETE_RESULT
    return response["data"]["choices"]


async def press(
    s: Session,
    message: dict[str, Any],
    component: str,
    *,
    user: FakeUser,
    locale: str = "en-US",
    values: list[str] | None = None,
) -> tuple[dict[str, Any], dict[str, Any]]:
    """``user`` clicks a button (or picks ``values`` in a menu) of ``message``, as stored by
    the fake (as the client shows it): (interaction, the bot's callback)."""
    interaction = s.fake.component_interaction(
        s.fake.messages[int(message["id"])],
        component,
        user=user,
        component_type=3 if values else 2,
        values=values,
    )
    interaction["locale"] = locale
    await s.fake.dispatch("INTERACTION_CREATE", interaction)
    return interaction, await s.fake.wait_for_interaction_response(interaction, timeout=STEP)


def message_of(s: Session, interaction: dict[str, Any]) -> dict[str, Any]:
    """The message an interaction's response created."""
    return s.fake.messages[s.fake.interactions[interaction["token"]].original_message_id]


def custom_id(message: dict[str, Any], prefix: str) -> str:
    """The custom id of the message's first component whose id starts with ``prefix``."""
    found = [c["custom_id"] for c in components(message) if c.get("custom_id", "").startswith(prefix)]
    assert found, f"no component {prefix}… on {text_of(message)!r}"
    return found[0]


async def fill_reason(
    s: Session, user: FakeUser, opened: dict, answer: dict, reason: str, locale: str
) -> dict:
    """``user`` types ``reason`` in the "what was wrong?" form opened from ``answer``."""
    [reason_input] = modal_fields(opened).values()
    submitted = s.fake.modal_submit_interaction(
        opened["data"]["custom_id"], {reason_input["custom_id"]: reason}, user=user,
        message=s.fake.messages[int(answer["id"])], locale=locale,
    )  # fmt: skip
    await s.fake.dispatch("INTERACTION_CREATE", submitted)
    return await s.fake.wait_for_interaction_response(submitted, timeout=STEP)


async def told_moderators(world: World, text: str) -> None:
    """Wait for a post to the moderator channel that says ``text``."""
    await world.fake.wait_for_request(
        "POST",
        f"/channels/{world.mod_channel.id}/messages",
        where=lambda r: text in ((r.json or {}).get("content") or ""),
        timeout=STEP,
    )


async def pick_missed(s: Session, listing: dict, menu: dict, question: str) -> dict[str, Any]:
    """carol picks ``question`` in /kb unanswered's menu: the message offering what to do."""
    chosen, _ = await click(
        s.fake, listing, menu["custom_id"], values=[option(menu, question)], user=s.world.carol
    )
    return message_of(s, chosen)


async def entry_choices(s: Session, typed: str) -> list[dict[str, Any]]:
    """What ``/kb edit entry:`` offers while carol types ``typed``."""
    entry = {"name": "entry", "type": STRING, "value": typed, "focused": True}
    interaction = s.fake.command_interaction(
        "kb", [{"name": "edit", "type": 1, "options": [entry]}], user=s.world.carol
    )
    interaction["type"] = AUTOCOMPLETE
    await s.fake.dispatch("INTERACTION_CREATE", interaction)
    return (await s.fake.wait_for_interaction_response(interaction, timeout=STEP))["data"]["choices"]


def option(menu: dict[str, Any], label_ends: str) -> str:
    """The value of the menu's option whose label ends with ``label_ends``."""
    return next(o["value"] for o in menu["options"] if o["label"].endswith(label_ends))


# -- the session ------------------------------------------------------------------------------


@pytest.fixture
def log(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    """Every log line from INFO up, from before the first bot starts."""
    caplog.set_level(logging.INFO)
    return caplog


async def test_a_whole_session(log: pytest.LogCaptureFixture, world: World) -> None:
    fake = world.fake
    dana, erin = fake.create_user("dana"), fake.create_user("erin")
    fake.add_member(fake.guild, dana)
    fake.add_member(fake.guild, erin)
    s = Session(world, dana, erin, fake.create_text_channel(fake.guild, "lounge"))

    await members_ask(s)
    await moderators_curate(s)
    async with restarted(world) as bot:  # a second process, on the same data dir and fake Discord
        await after_the_restart(s)
        await a_disk_that_refuses(s)
        await the_owner_syncs(s)
        assert_components_survive_restarts(bot, fake)

    assert fake.unanswered_interactions() == [], "interactions left without a response"
    assert_nothing_could_ping(fake)
    assert_clean_log([*log.get_records("setup"), *log.get_records("call")])


async def members_ask(s: Session) -> None:
    fake, world, bob, dana = s.fake, s.world, s.world.bob, s.dana

    # bob mentions the bot: an answer with 👍, 👎 and Show paragraph.
    answer = await say(s, bob, "Who is Park Jin?")
    assert "Minister of Foreign Affairs" in answer["embeds"][0]["description"]
    _, thanks = await press(s, answer, custom_id(answer, "foc:fb:up:"), user=bob)
    assert "Thanks" in thanks["data"]["content"] and thanks["data"]["flags"] & EPHEMERAL
    _, paragraph = await press(s, answer, custom_id(answer, "foc:para:"), user=bob)
    assert paragraph["data"]["embeds"][0]["title"].startswith("Paragraph ")
    s.later["answer"] = answer

    # dana, in Korean: a mention, /ask, and /ask's autocomplete.
    korean = await say(s, dana, "한국은 몇 번째 회원국이 되었나요?", s.lounge)
    assert "38" in korean["embeds"][0]["description"] and has_hangul(korean["embeds"][0]["description"])
    _, asked = await slash(s, "ask", {"question": "한국 외교부 장관은 누구인가요?"}, user=dana, locale="ko")
    assert has_hangul(asked["data"]["embeds"][0]["description"])
    choices = await typing(s, "ask", {"question": "한국"}, "question", locale="ko")
    assert choices and all(has_hangul(c["name"]) for c in choices)
    s.later["korean"] = korean

    # bob asks privately, then shares the answer with the channel.
    question = "Which country became the 38th member of the Freedom Online Coalition?"
    interaction, private = await slash(s, "ask", {"question": question, "private": True}, user=bob)
    assert private["data"]["flags"] & EPHEMERAL
    mine = message_of(s, interaction)
    _, shared = await press(s, mine, custom_id(mine, "foc:share:"), user=bob)
    assert not shared["data"].get("flags", 0) & EPHEMERAL and shared["data"]["embeds"]
    s.later["private"] = mine

    # A question the bot cannot answer: "I don't know", with suggestions to click.
    missed = next(
        q
        for q in SUGGESTION_CANDIDATES
        if (a := world.bot.engine.ask(q)) and not a.answered and a.suggestions
    )
    unsure = await say(s, bob, missed, s.lounge)
    assert "I don't know" in unsure["embeds"][0]["description"]
    _, suggested = await press(s, unsure, custom_id(unsure, "foc:ask:"), user=bob)
    assert suggested["data"]["flags"] & EPHEMERAL and suggested["data"]["embeds"]
    s.later["unsure"], s.later["missed"] = unsure, missed

    # /faq from the Korean client: a topic, then a question, then its answer.
    interaction, browser = await slash(s, "faq", user=dana, locale="ko")
    assert has_hangul(browser["data"]["content"])
    faq = message_of(s, interaction)
    _, topic = await press(s, faq, "foc:faq:t:ko", user=dana, locale="ko", values=["human-rights"])
    assert topic["type"] == UPDATE_MESSAGE
    questions = topic["data"]["components"][1]["components"][0]
    _, picked = await press(
        s, faq, questions["custom_id"], user=dana, values=[questions["options"][0]["value"]]
    )
    assert picked["data"]["flags"] & EPHEMERAL and picked["data"]["embeds"]
    s.later["faq"] = faq
    # /ask without a question is the same browser, in English.
    _, browser = await slash(s, "ask", user=bob)
    assert custom_id(browser["data"], "foc:faq:t:") == "foc:faq:t:en"

    # /help in both languages, and "@bot help".
    _, english = await slash(s, "help", user=bob)
    assert "</ask:" in text_of(english["data"])
    _, korean_help = await slash(s, "help", user=dana, locale="ko")
    assert has_hangul(text_of(korean_help["data"]))
    helped = await say(s, bob, "help", s.lounge)
    assert helped["embeds"][0]["title"] == "FOC bot"

    # /member, /source and /facts, with their autocompletes, in both languages.
    _, news = await slash(s, "member", user=bob)
    assert news["data"]["embeds"]
    _, usa = await slash(s, "member", {"country": "USA"}, user=bob)
    assert usa["data"]["embeds"][0]["title"] == "United States"
    _, rok = await slash(s, "member", {"country": "대한민국"}, user=dana, locale="ko")
    assert rok["data"]["embeds"][0]["title"] == "Republic of Korea"
    assert "United States" in [
        c["value"] for c in await typing(s, "member", {"country": "United"}, "country")
    ]
    _, source = await slash(s, "source", user=bob)
    assert source["data"]["embeds"]
    _, eighth = await slash(s, "source", {"paragraph": 8}, user=bob)
    assert "Republic of Korea" in text_of(eighth["data"])
    assert await typing(s, "source", {"paragraph": ""}, "paragraph")
    _, facts = await slash(s, "facts", {"topic": "human rights"}, user=bob)
    assert facts["data"]["embeds"][0]["fields"]
    _, facts_ko = await slash(s, "facts", {"topic": "인권"}, user=dana, locale="ko")
    assert facts_ko["data"]["embeds"][0]["title"] == "사실: 인권"
    assert "Human rights" in [c["value"] for c in await typing(s, "facts", {"topic": "hum"}, "topic")]

    # "Ask FOC bot" on erin's message (she did not mention the bot), from the Korean client.
    message = fake.message_create(s.lounge, s.erin, "hey does anyone know who the foreign minister was?")
    await fake.dispatch("MESSAGE_CREATE", message)
    before = len(fake.requests)
    interaction = fake.message_command_interaction("Ask FOC bot", message, user=dana, locale="ko")
    await fake.dispatch("INTERACTION_CREATE", interaction)
    assert (await reply_to(fake, message, before))["embeds"]
    note = await fake.wait_for_request(
        "POST", f"/webhooks/{fake.application_id}/{interaction['token']}", timeout=STEP
    )
    assert has_hangul(note.json["content"])

    # A question by DM.
    dm = fake.create_dm_channel(bob)
    before = len(fake.requests)
    await fake.dispatch("MESSAGE_CREATE", fake.message_create(dm, bob, "What did Korea pledge?"))
    assert (
        await fake.wait_for_request("POST", f"/channels/{dm.id}/messages", after=before, timeout=STEP)
    ).json

    # bob votes 👎 on his answer and says why: the moderators are told.
    _, opened = await press(s, answer, custom_id(answer, "foc:fb:down:"), user=bob)
    assert opened["type"] == MODAL
    thanks = await fill_reason(s, bob, opened, answer, REASON, "en-US")
    assert "Thanks" in thanks["data"]["content"]
    await told_moderators(world, REASON)

    # dana opens "what was wrong?" on her Korean answer; she submits it after the restart.
    _, opened = await press(s, korean, custom_id(korean, "foc:fb:down:"), user=dana, locale="ko")
    assert has_hangul(opened["data"]["title"])
    s.later["reason_form"] = opened


async def moderators_curate(s: Session) -> None:
    fake, world, carol = s.fake, s.world, s.world.carol

    # A member cannot use /kb; the moderator role can.
    assert (await kb(fake, "stats", user=world.bob))[1]["data"]["content"] == NOT_MODERATOR
    _, stats = await kb(fake, "stats", user=carol)
    assert stats["data"]["embeds"][0]["title"] == "Knowledge stats"
    interaction, _ = await kb(fake, "check", user=carol)
    assert "valid" in (await followup(fake, interaction))["content"]
    interaction, _ = await kb(fake, "reload", user=carol)
    assert (await followup(fake, interaction))["content"].startswith("Reloaded")
    interaction, exported = await kb(fake, "export", user=carol)
    assert "qa.yaml" in exported["data"]["content"]
    _, audit = await kb(fake, "audit", user=carol)
    assert audit["data"]["embeds"]

    # /kb config: show, set, reset.
    assert "config.yaml" in text_of((await kb_config(fake, "show", user=carol))["data"])
    done = await kb_config(fake, "set", {"setting": "user_rate", "value": "4"}, user=carol)
    assert "`user_rate` is now 4" in done["data"]["content"]
    done = await kb_config(fake, "reset", {"setting": "user_rate"}, user=carol)
    assert "config.yaml's again" in done["data"]["content"]

    # Missed questions: the session's own, and older noise (two pages of them).
    noise = ["best pizza topping", "who won the 2022 world cup", "weather in busan tomorrow",
             "how do I bake sourdough", "cheapest flights to lisbon", "what is a neutron star",
             "recommend a sci-fi novel", "how tall is everest", "learn guitar chords fast"]  # fmt: skip
    old = time.time() - 3600
    for n, text in enumerate([NEW_QUESTION, NEW_QUESTION, *noise]):
        world.store.record_question(
            text, answered=False, score=10, entry_id=None, kind="none", origin="mention", at=old - n
        )
    session = {"Who is Park Jin?", s.later["missed"]}
    await eventually(lambda: session <= {m.text for m in world.store.missed_questions(0)}, "the records")
    interaction, _ = await kb(fake, "unanswered", user=carol)
    listing = await followup(fake, interaction)
    assert "Page 1 of 2" in listing["embeds"][0]["footer"]["text"]
    _, page_two = await click(fake, listing, button(listing, "Next"), user=carol)
    _, page_one = await click(fake, listing, button(page_two["data"], "Previous"), user=carol)
    shown = text_of(page_one["data"])
    assert "Who is Park Jin? — asked 1× (0 unanswered, 1 👎)" in shown and f"👎 why: “{REASON}”" in shown
    menu = components(page_one["data"])[0]

    # Attach the missed question to the entry the bot offers first.
    offer = await pick_missed(s, listing, menu, s.later["missed"])
    entries = components(offer)[0]
    best = entries["options"][0]["value"]
    attached, _ = await click(fake, offer, entries["custom_id"], values=[best], user=carol)
    assert "learned.yaml" in (await edited(fake, attached))["content"]

    # Dismiss the noise.
    offer = await pick_missed(s, listing, menu, "best pizza topping")
    _, dismissed = await click(fake, offer, button(offer, "Dismiss as noise"), user=carol)
    assert dismissed["data"]["content"].startswith("Dismissed")

    # Make a new entry of the zorblax question: refused once (a quote not in the
    # paragraph), edited again, added.
    offer = await pick_missed(s, listing, menu, NEW_QUESTION)
    _, opened = await click(fake, offer, button(offer, "New entry from this question"), user=carol)
    assert modal_fields(opened)["Question"]["value"] == NEW_QUESTION
    typed = entry_form_values(NEW_QUESTION, "The zorblax protocol is a test entry.", quote="Mr. Nobody")
    submitted, _ = await submit(fake, opened, typed, user=carol)
    refused = await followup(fake, submitted)
    assert "Not saved" in text_of(refused)
    _, reopened = await click(fake, refused, button(refused, "Edit again"), user=carol)
    submitted, _ = await submit(fake, reopened, {"Quote": "Mr. Park Jin"}, user=carol)
    preview = await followup(fake, submitted)
    confirm, _ = await click(fake, preview, button(preview, "Add"), user=carol)
    assert (await edited(fake, confirm))["content"].startswith("Added")
    assert answered_by(world, "the zorblax thing") == "what-is-the-zorblax-protocol-of-the-coalition"

    # Import: cancelled once, then confirmed. Rollback: previewed, cancelled.
    quibble = with_entry(world, "quibble-accord", "What is the quibble accord?")
    interaction, _ = await kb_import(world, quibble, user=carol)
    preview = await followup(fake, interaction)
    _, cancelled = await click(fake, preview, button(preview, "Cancel"), user=carol)
    assert "nothing was changed" in cancelled["data"]["content"]
    interaction, _ = await kb_import(world, quibble, user=carol)
    preview = await followup(fake, interaction)
    confirm, _ = await click(fake, preview, button(preview, "Import"), user=carol)
    assert (await edited(fake, confirm))["content"].startswith("Imported")
    interaction, _ = await kb(fake, "rollback", user=carol)
    preview = await followup(fake, interaction)
    _, cancelled = await click(fake, preview, button(preview, "Cancel"), user=carol)
    assert "nothing was changed" in cancelled["data"]["content"]

    # Forms and a preview left open when the bot restarts.
    assert "rok-38th-member" in [c["value"] for c in await entry_choices(s, "38th")]
    edit = [{"name": "entry", "type": STRING, "value": "rok-38th-member"}]
    _, s.later["edit_form"] = await kb(fake, "edit", edit, user=carol)
    _, s.later["add_form"] = await kb(fake, "add", user=carol)
    interaction, _ = await kb_import(
        world, with_entry(world, "wibble-rule", "What is the wibble rule?"), user=carol
    )
    s.later["import_preview"] = await followup(fake, interaction)


async def after_the_restart(s: Session) -> None:
    fake, world, carol, erin = s.fake, s.world, s.world.carol, s.erin

    # The members' buttons and menus sent before the restart still work.
    answer = s.later["answer"]
    _, thanks = await press(s, answer, custom_id(answer, "foc:fb:up:"), user=erin)
    assert "Thanks" in thanks["data"]["content"]
    _, paragraph = await press(s, answer, custom_id(answer, "foc:para:"), user=erin)
    assert paragraph["data"]["embeds"]
    _, shared = await press(
        s, s.later["private"], custom_id(s.later["private"], "foc:share:"), user=world.bob
    )
    assert shared["data"]["embeds"] and not shared["data"].get("flags", 0) & EPHEMERAL
    _, suggested = await press(s, s.later["unsure"], custom_id(s.later["unsure"], "foc:ask:"), user=erin)
    assert suggested["data"]["embeds"]
    _, topic = await press(s, s.later["faq"], "foc:faq:t:ko", user=s.dana, locale="ko", values=["membership"])
    assert topic["type"] == UPDATE_MESSAGE

    # dana's "what was wrong?", typed across the restart, counts and is told.
    thanks = await fill_reason(s, s.dana, s.later["reason_form"], s.later["korean"], "날짜가 틀립니다", "ko")
    assert has_hangul(thanks["data"]["content"])
    await told_moderators(world, "날짜가 틀립니다")

    # carol's forms, opened before the restart: validated, previewed, confirmed.
    new_answer = "South Korea (the ROK) became the 38th member of the Freedom Online Coalition."
    submitted, _ = await submit(fake, s.later["edit_form"], {"Answer": new_answer}, user=carol)
    preview = await followup(fake, submitted)
    confirm, _ = await click(fake, preview, button(preview, "Save"), user=carol)
    assert (await edited(fake, confirm))["content"].startswith("Saved")
    typed = entry_form_values("What is the flibber clause?", "The flibber clause is a test entry.")
    typed["Alternates"] = "flibber"
    submitted, _ = await submit(fake, s.later["add_form"], typed, user=carol)
    preview = await followup(fake, submitted)
    confirm, _ = await click(fake, preview, button(preview, "Add"), user=carol)
    assert (await edited(fake, confirm))["content"].startswith("Added")
    assert answered_by(world, "What is the flibber clause?") == "what-is-the-flibber-clause"

    # The import preview's plan went with the old process: it says so.
    old = s.later["import_preview"]
    _, expired = await click(fake, old, button(old, "Import"), user=carol)
    assert expired["type"] == MESSAGE_WITH_SOURCE and expired["data"]["content"] == views.EXPIRED

    # Roll the last change back.
    interaction, _ = await kb(fake, "rollback", user=carol)
    preview = await followup(fake, interaction)
    confirm, _ = await click(fake, preview, button(preview, "Roll back"), user=carol)
    assert (await edited(fake, confirm))["content"].startswith("Rolled back")
    assert answered_by(world, "What is the flibber clause?") != "what-is-the-flibber-clause"


async def a_disk_that_refuses(s: Session) -> None:
    fake, world, carol = s.fake, s.world, s.world.carol
    backups = world.config.backups_dir
    before = world.qa_path.read_bytes()
    # knowledge/backups is a file: no backup can be made, so the import must not happen.
    backups.rename(backups.with_name("backups.moved"))
    backups.write_text("not a folder", encoding="utf-8")
    interaction, _ = await kb_import(
        world, with_entry(world, "wobble-rule", "What is the wobble rule?"), user=carol
    )
    preview = await followup(fake, interaction)
    confirm, _ = await click(fake, preview, button(preview, "Import"), user=carol)
    done = await edited(fake, confirm)
    assert "Import refused" in text_of(done) and "backups" in text_of(done), text_of(done)
    assert all(c["disabled"] for c in components(done))
    assert world.qa_path.read_bytes() == before
    await told_moderators(world, "the disk refused it")
    backups.unlink()
    backups.with_name("backups.moved").rename(backups)


async def the_owner_syncs(s: Session) -> None:
    # alice owns the application: "@bot sync <guild>" syncs the commands.
    synced = await say(s, s.fake.user, f"sync {s.fake.guild.id}", s.lounge)
    assert synced["content"].startswith("Synced ")
    _, audit = await kb(s.fake, "audit", user=s.world.carol)
    assert "**rollback**" in text_of(audit["data"])


# -- what must hold over the whole session ------------------------------------------------------


MESSAGE_PATHS = re.compile(r"/channels/\d+/messages(/\d+)?|/webhooks/\d+/[^/]+(/messages/[^/]+)?")


def assert_nothing_could_ping(fake: FakeDiscord) -> None:
    """Every message the bot sent or edited says allowed_mentions: nobody; and none pinged."""
    checked = 0
    for request in fake.requests:
        body = request.json if isinstance(request.json, dict) else {}
        if request.path.startswith("/interactions/"):  # a callback: a message (4) or an update (7)
            body = (body.get("data") or {}) if body.get("type") in (4, 7) else {}
        elif request.method not in ("POST", "PATCH") or not MESSAGE_PATHS.fullmatch(request.path):
            continue
        if not {"content", "embeds"} & body.keys():
            continue
        allowed = body.get("allowed_mentions")
        assert allowed is not None and allowed.get("parse") == [], (str(request), allowed)
        assert not allowed.get("users") and not allowed.get("roles") and not allowed.get("replied_user")
        checked += 1
    assert checked > 50, checked
    for message in fake.messages.values():
        if message["author"]["id"] == str(fake.bot_user.id):
            assert not (message["mentions"] or message["mention_roles"] or message["mention_everyone"])


def assert_components_survive_restarts(bot: FOCBot, fake: FakeDiscord) -> None:
    """Every component the bot sent is a dynamic item (answered after a restart too)."""
    sent = [
        c for m in fake.messages.values() if m["author"]["id"] == str(fake.bot_user.id) for c in components(m)
    ]
    assert sent
    for component in sent:
        assert len(component["custom_id"]) <= 100 and bot.router.is_dynamic(component["custom_id"]), component


def assert_clean_log(records: list[logging.LogRecord]) -> None:
    """No swallowed exception, no traceback; the only error is the refused disk write."""
    # Both processes' log lines were captured (from INFO up).
    assert sum(r.getMessage().startswith("ready as ") for r in records) == 2
    assert not [r for r in records if "Ignoring exception" in r.getMessage()]
    assert not [r for r in records if r.exc_info or r.exc_text], [
        r.getMessage() for r in records if r.exc_info
    ]
    errors = [r.getMessage() for r in records if r.levelno >= logging.ERROR]
    assert [e.split(";")[0] for e in errors] == ["knowledge change failed (import by carol)"], errors
