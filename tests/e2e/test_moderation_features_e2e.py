"""End-to-end: /kb's previews that fail or expire, entry forms, the change log, missed
questions and per-server settings, through the fake Discord.

The world is the one of ``test_moderation_e2e`` (alice owns the guild, carol has the
moderator role, bob is a plain member; a moderator channel; a copy of the knowledge).
"""

from __future__ import annotations

import asyncio
import copy
import shutil
import sys
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest

from bot.client import FOCBot
from bot.config import load_config
from bot.engine.engine import Engine
from bot.exts.moderation import views
from bot.exts.moderation.checks import NOT_MODERATOR
from bot.messages import text as bot_text
from bot.storage import Store
from tests.e2e import test_moderation_e2e as base
from tests.e2e.test_moderation_e2e import (
    DEFERRED_MESSAGE,
    EPHEMERAL,
    MESSAGE_WITH_SOURCE,
    NEW_QUESTION,
    PROJECT,
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
    mention,
    text_of,
    with_new_entry,
)
from tests.fake_discord import FakeDiscord, running_client
from tests.fake_discord import payloads as p

pytestmark = pytest.mark.asyncio
world = base.world  # the fixture: the same world as the other moderation tests

MODAL = 9
UPDATE_MESSAGE = 7
SUBCOMMAND, GROUP, STRING = 1, 2, 3


# -- helpers ----------------------------------------------------------------------------------


def assert_no_raw_timestamps(fake: FakeDiscord) -> None:
    """Discord renders <t:...> only in descriptions and field values: nowhere else."""
    for request in fake.requests:
        body = request.json if isinstance(request.json, dict) else {}
        for embed in [*body.get("embeds", []), *(body.get("data") or {}).get("embeds", [])]:
            places = [embed.get("title", ""), (embed.get("footer") or {}).get("text", "")]
            places += [(embed.get("author") or {}).get("name", "")]
            places += [f["name"] for f in embed.get("fields", [])]
            assert not any("<t:" in text for text in places), embed


async def mod_posts(world: World, count: int) -> list[dict[str, Any]]:
    """The first ``count`` messages the bot posted to the moderator channel."""
    path = f"/channels/{world.mod_channel.id}/messages"
    await eventually(
        lambda: len([r for r in world.fake.requests if r.method == "POST" and r.path == path]) >= count,
        f"{count} post(s) to the moderator channel",
    )
    return [r.json for r in world.fake.requests if r.method == "POST" and r.path == path]


def modal_fields(response: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """A modal's text inputs by label."""
    assert response["type"] == MODAL, response
    inputs = [c for row in response["data"]["components"] for c in row["components"]]
    return {c["label"]: c for c in inputs}


async def submit(
    fake: FakeDiscord, opened: dict[str, Any], values: dict[str, str], *, user=None
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Submit the modal of ``opened`` (a type 9 callback) with ``values`` by label prefix;
    fields not named keep their prefilled value."""
    rows = []
    for label, field in modal_fields(opened).items():
        value = next((v for k, v in values.items() if label.startswith(k)), field.get("value", ""))
        rows.append({"type": 1, "components": [{"type": 4, "custom_id": field["custom_id"], "value": value}]})
    data = {"custom_id": opened["data"]["custom_id"], "components": rows}
    interaction = fake.interaction_create(p.INTERACTION_MODAL_SUBMIT, data, user=user)
    await fake.dispatch("INTERACTION_CREATE", interaction)
    return interaction, await fake.wait_for_interaction_response(interaction, timeout=STEP)


async def kb_config(
    fake: FakeDiscord, sub: str, options: dict[str, str] | None = None, *, user=None
) -> dict[str, Any]:
    raw = [
        {
            "name": "config",
            "type": GROUP,
            "options": [
                {
                    "name": sub,
                    "type": SUBCOMMAND,
                    "options": [{"name": k, "type": STRING, "value": v} for k, v in (options or {}).items()],
                }
            ],
        }
    ]
    interaction = fake.command_interaction("kb", raw, user=user)
    await fake.dispatch("INTERACTION_CREATE", interaction)
    return await fake.wait_for_interaction_response(interaction, timeout=STEP)


async def new_role(fake: FakeDiscord, name: str):
    role = fake.create_role(fake.guild, name)
    await fake.dispatch("GUILD_ROLE_CREATE", {"guild_id": str(fake.guild.id), "role": role.to_payload()})
    return role


async def new_channel(fake: FakeDiscord, name: str):
    channel = fake.create_text_channel(fake.guild, name)
    await fake.dispatch("CHANNEL_CREATE", channel.to_payload())
    return channel


def entry_form_values(question: str, answer: str, quote: str = "Mr. Park Jin", paragraph: str = "2") -> dict:
    return {"Question": question, "Alternates": "zorblax\nthe zorblax thing", "Answer": answer,
            "Source paragraph": paragraph, "Quote": quote}  # fmt: skip


async def open_add(fake: FakeDiscord, user=None) -> dict[str, Any]:
    _, opened = await kb(fake, "add", user=user)
    return opened


# -- defect: a failed confirm -----------------------------------------------------------------


async def test_a_failed_import_is_answered_and_its_preview_disabled(world: World) -> None:
    fake = world.fake
    before = world.qa_path.read_bytes()
    # knowledge/backups is a file, not a folder: the backup cannot be made.
    world.config.backups_dir.write_text("not a folder", encoding="utf-8")
    interaction, _ = await kb_import(world, with_new_entry(world))
    preview = await followup(fake, interaction)
    confirm, _ = await click(fake, preview, button(preview, "Import"))
    done = await edited(fake, confirm)
    # A clear reply: refused with the problem, or failed with the error, and nothing changed.
    shown = text_of(done)
    assert ("Import failed" in shown and "were not changed" in shown) or (
        "Import refused" in shown and "nothing was changed" in shown
    ), shown
    assert "backups" in shown or "FileExistsError" in shown, shown
    assert components(done) and all(c["disabled"] for c in components(done))
    assert world.qa_path.read_bytes() == before
    assert answered_by(world, NEW_QUESTION) is None
    # The discord_errors fixture fails the test on any "Ignoring exception in view".


# -- defect: previews after a restart and after their timeout ---------------------------------


async def test_an_old_preview_after_a_restart_says_it_expired(fake: FakeDiscord, tmp_path: Path) -> None:
    shutil.copytree(PROJECT / "knowledge", tmp_path / "knowledge", ignore=shutil.ignore_patterns("backups"))
    (tmp_path / "config.yaml").write_text("knowledge:\n  watch_interval: 0\n", encoding="utf-8")
    config = load_config(tmp_path / "config.yaml")
    engine = Engine(config)
    with Store(tmp_path / "db.sqlite3") as store:
        world = World(None, config, store, fake, fake.channel, fake.user, fake.user)  # type: ignore[arg-type]
        async with running_client(FOCBot(config, engine, store=store, guild_ready_timeout=0.1), fake) as bot:
            await bot.sync_commands(fake.guild.id)
            interaction, _ = await kb_import(world, with_new_entry(world))
            preview = await followup(fake, interaction)
            interaction, _ = await kb(fake, "rollback")
            nothing = await followup(fake, interaction)
            assert "no previous version" in nothing["content"]
        # Restarted: the previews' plans are gone with the old process.
        async with running_client(FOCBot(config, engine, store=store, guild_ready_timeout=0.1), fake):
            for label in ("Import", "Cancel"):
                _, response = await click(fake, preview, button(preview, label))
                assert response["type"] == MESSAGE_WITH_SOURCE
                assert response["data"]["content"] == views.EXPIRED
                assert response["data"]["flags"] & EPHEMERAL
    assert not engine.ask(NEW_QUESTION).answered  # nothing was imported


async def test_a_preview_disables_its_buttons_when_it_times_out(world: World, monkeypatch) -> None:
    fake = world.fake
    # The running bot's module: discord.py imports an extension's modules anew per bot.
    monkeypatch.setattr(sys.modules["bot.exts.moderation.views"], "TIMEOUT", 0.3)
    interaction, _ = await kb_import(world, with_new_entry(world))
    preview = await followup(fake, interaction)
    assert not any(c.get("disabled") for c in components(preview))

    edit = await fake.wait_for_request(
        "PATCH",
        f"/webhooks/{fake.application_id}/{interaction['token']}/messages/{preview['id']}",
        timeout=STEP,
    )
    assert components(edit.json) and all(c["disabled"] for c in components(edit.json))
    assert all(c["disabled"] for c in components(fake.messages[int(preview["id"])]))


async def test_a_live_preview_is_not_answered_as_expired(world: World) -> None:
    fake = world.fake
    interaction, _ = await kb_import(world, with_new_entry(world))
    preview = copy.deepcopy(await followup(fake, interaction))  # as a client still shows it
    confirm, _ = await click(fake, preview, button(preview, "Import"))
    assert "Imported" in (await edited(fake, confirm))["content"]
    await asyncio.sleep(0.1)
    assert len(fake.interactions[confirm["token"]].responses) == 1  # only the view answered
    # Clicked again (a stale copy of the preview): decided and gone, so "expired".
    _, again = await click(fake, preview, button(preview, "Import"))
    assert again["data"]["content"] == views.EXPIRED


# -- defect: no raw timestamps where Discord does not render them ----------------------------


async def test_the_rollback_preview_has_its_time_in_the_description(world: World) -> None:
    fake = world.fake
    interaction, _ = await kb_import(world, with_new_entry(world))
    preview = await followup(fake, interaction)
    confirm, _ = await click(fake, preview, button(preview, "Import"))
    await edited(fake, confirm)
    interaction, _ = await kb(fake, "rollback")
    preview = await followup(fake, interaction)
    [embed] = preview["embeds"]
    assert "<t:" not in embed["title"] and "<t:" in embed["description"]
    await kb(fake, "stats")
    await kb(fake, "audit")
    await kb_config(fake, "show")
    assert_no_raw_timestamps(fake)


# -- defect: readable previews and every change told to the moderator channel ---------------


async def test_the_import_preview_and_the_mod_channel_show_the_texts(world: World) -> None:
    fake = world.fake
    text = world.qa_path.read_text(encoding="utf-8")
    old_answer = "The Republic of Korea (ROK), i.e. South Korea, became the 38th member"
    assert old_answer in text
    changed = with_new_entry(world).replace(old_answer.encode(), b"South Korea became the 38th member")
    interaction, _ = await kb_import(world, changed)
    preview = await followup(fake, interaction)
    shown = text_of(preview)
    assert "1 added, 1 changed, 0 removed" in shown
    assert NEW_QUESTION in shown and "zorblax protocol is a test entry" in shown  # added: Q and A
    assert "~~" + old_answer in shown and "→ South Korea became the 38th member" in shown  # before/after
    assert len(preview["embeds"][0]["description"]) <= 4096

    confirm, _ = await click(fake, preview, button(preview, "Import"))
    await edited(fake, confirm)
    [post] = await mod_posts(world, 1)
    [embed] = post["embeds"]
    assert embed["title"] == "Knowledge changed: import"
    assert f"<@{fake.user.id}>" in embed["description"] and NEW_QUESTION in embed["description"]
    assert post["allowed_mentions"]["parse"] == []

    interaction, _ = await kb(fake, "rollback")
    preview = await followup(fake, interaction)
    assert "removed" in text_of(preview) and NEW_QUESTION in text_of(preview)  # what goes away
    confirm, _ = await click(fake, preview, button(preview, "Roll back"))
    await edited(fake, confirm)
    posts = await mod_posts(world, 2)
    assert posts[1]["embeds"][0]["title"] == "Knowledge changed: rollback"
    assert NEW_QUESTION in posts[1]["embeds"][0]["description"]

    _, listing = await kb(fake, "audit")
    assert listing["data"]["flags"] & EPHEMERAL
    audit = text_of(listing["data"])
    assert audit.index("**rollback**") < audit.index("**import**") and f"<@{fake.user.id}>" in audit
    assert listing["data"]["allowed_mentions"]["parse"] == []


# -- /kb add and /kb edit ---------------------------------------------------------------------


async def test_kb_add_validates_previews_and_writes_an_entry(world: World) -> None:
    fake = world.fake
    original = world.qa_path.read_text(encoding="utf-8")
    opened = await open_add(fake, user=world.carol)
    assert set(modal_fields(opened)) >= {"Question", "Alternates (one per line)"}

    # Validated as the file is: a quote that is not in the paragraph is refused, and kept.
    typed = entry_form_values(NEW_QUESTION, "The zorblax protocol is a test entry.", quote="Mr. Nobody")
    submitted, response = await submit(fake, opened, typed, user=world.carol)
    assert response["type"] == DEFERRED_MESSAGE
    refused = await followup(fake, submitted)
    assert "not verbatim" in text_of(refused) and "Not saved" in text_of(refused)
    assert world.qa_path.read_text(encoding="utf-8") == original
    _, reopened = await click(fake, refused, button(refused, "Edit again"), user=world.carol)
    fields = modal_fields(reopened)
    assert fields["Quote (verbatim from that paragraph)"]["value"] == "Mr. Nobody"
    assert fields["Question"]["value"] == NEW_QUESTION

    submitted, _ = await submit(fake, reopened, {"Quote": "Mr. Park Jin"}, user=world.carol)
    preview = await followup(fake, submitted)
    assert "1 added, 0 changed, 0 removed" in text_of(preview) and NEW_QUESTION in text_of(preview)
    confirm, _ = await click(fake, preview, button(preview, "Add"), user=world.carol)
    assert (await edited(fake, confirm))["content"].startswith("Added (1 added")

    text = world.qa_path.read_text(encoding="utf-8")
    assert text.startswith(original.rstrip("\n"))  # comments and every other entry kept
    assert "id: what-is-the-zorblax-protocol-of-the-coalition" in text
    [backup] = world.config.backups_dir.glob("*-qa.yaml")
    assert backup.read_text(encoding="utf-8") == original
    assert answered_by(world, "the zorblax thing") == "what-is-the-zorblax-protocol-of-the-coalition"
    [post] = await mod_posts(world, 1)
    assert post["embeds"][0]["title"] == "Knowledge changed: add"
    assert f"<@{world.carol.id}>" in post["embeds"][0]["description"]
    [audit] = world.store.audit_log()
    assert (audit.action, audit.moderator_id) == ("add", world.carol.id)


async def test_kb_edit_offers_entries_and_changes_only_what_the_form_shows(world: World) -> None:
    fake = world.fake
    raw = [{"name": "edit", "type": SUBCOMMAND, "options": [{"name": "entry", "type": STRING, "value": "38th", "focused": True}]}]  # fmt: skip
    interaction = fake.interaction_create(
        p.INTERACTION_AUTOCOMPLETE,
        {"id": fake.find_command("kb", guild_id=fake.guild.id)["id"], "name": "kb", "type": 1, "options": raw,
         "guild_id": str(fake.guild.id)},
    )  # fmt: skip
    await fake.dispatch("INTERACTION_CREATE", interaction)
    choices = (await fake.wait_for_interaction_response(interaction, timeout=STEP))["data"]["choices"]
    assert "rok-38th-member" in [c["value"] for c in choices]
    assert all(len(c["name"]) <= 100 for c in choices)

    _, opened = await kb(fake, "edit", [{"name": "entry", "type": STRING, "value": "rok-38th-member"}])
    fields = modal_fields(opened)
    assert fields["Question"]["value"].startswith("Which country became the 38th member")
    assert "Who is the newest FOC member?" in fields["Alternates (one per line)"]["value"]
    before = world.qa_path.read_text(encoding="utf-8")
    new_answer = "South Korea (the ROK) became the 38th member of the Freedom Online Coalition."
    submitted, _ = await submit(fake, opened, {"Answer": new_answer})
    preview = await followup(fake, submitted)
    assert "0 added, 1 changed, 0 removed" in text_of(preview)
    assert "~~The Republic of Korea (ROK)" in text_of(preview) and f"→ {new_answer}" in text_of(preview)
    confirm, _ = await click(fake, preview, button(preview, "Save"))
    assert (await edited(fake, confirm))["content"].startswith("Saved")

    after = world.qa_path.read_text(encoding="utf-8")
    assert new_answer in after and "자유온라인연합(FOC)의 38번째 회원국" in after  # Korean kept
    assert before.splitlines()[:120] == after.splitlines()[:120]  # the header comments kept
    reply = await mention(world, "Which country became the 38th member of the Freedom Online Coalition?")
    assert new_answer in reply["embeds"][0]["description"]
    [post] = await mod_posts(world, 1)
    assert post["embeds"][0]["title"] == "Knowledge changed: edit" and new_answer in text_of(post)

    _, missing = await kb(fake, "edit", [{"name": "entry", "type": STRING, "value": "no-such-entry"}])
    assert missing["type"] == MESSAGE_WITH_SOURCE and "no entry 'no-such-entry'" in text_of(missing["data"])


# -- /kb unanswered ---------------------------------------------------------------------------


def _answered_but_not_a_phrasing(world: World) -> str:
    known = {p.casefold() for e in world.bot.engine.knowledge.entries for p in e.phrasings}
    for question in ("so who is this park jin person", "who's park jin exactly", "tell me who park jin is"):
        if answered_by(world, question) and question not in known:
            return question
    raise AssertionError("no candidate is answered any more: update the list")


async def test_unanswered_counts_a_question_once_and_can_dismiss_it(world: World) -> None:
    fake = world.fake
    question = _answered_but_not_a_phrasing(world)
    reply = await mention(world, question)
    down = next(c["custom_id"] for c in components(reply) if ":down:" in c["custom_id"])
    for voter in (fake.user, world.bob):
        await click(fake, reply, down, user=voter)
    await eventually(lambda: world.store.usage(0).down == 2, "the two votes")

    interaction, _ = await kb(fake, "unanswered")
    listing = await followup(fake, interaction)
    assert f"{question} — asked 1× (0 unanswered, 2 👎)" in text_of(listing)
    menu = components(listing)[0]
    chosen, _ = await click(fake, listing, menu["custom_id"], values=["0"])
    message = fake.messages[fake.interactions[chosen["token"]].original_message_id]
    _, dismissed = await click(fake, message, button(message, "Dismiss as noise"))
    assert dismissed["type"] == UPDATE_MESSAGE and "Dismissed" in dismissed["data"]["content"]

    interaction, _ = await kb(fake, "unanswered")
    assert "Nothing" in text_of(await followup(fake, interaction))


async def test_unanswered_pages_and_makes_a_new_entry_from_a_question(world: World) -> None:
    fake = world.fake
    noise = [
        "best pizza topping", "who won the 2022 world cup", "weather in busan tomorrow",
        "how do I bake sourdough", "cheapest flights to lisbon", "what is a neutron star",
        "recommend a sci-fi novel", "how tall is everest", "learn guitar chords fast",
        "python list comprehension syntax", "is coffee bad for sleep", "how many legs does a spider have",
    ]  # fmt: skip
    now = time.time()
    for n, text in enumerate([NEW_QUESTION, NEW_QUESTION, *noise]):
        world.store.record_question(
            text, answered=False, score=10, entry_id=None, kind="none", origin="mention", at=now - n
        )

    interaction, _ = await kb(fake, "unanswered")
    listing = await followup(fake, interaction)
    assert "Page 1 of 2" in listing["embeds"][0]["footer"]["text"]
    assert f"**1.** {NEW_QUESTION} — asked 2×" in text_of(listing)
    _, response = await click(fake, listing, button(listing, "Next"))
    assert response["type"] == UPDATE_MESSAGE
    page = response["data"]
    assert "Page 2 of 2" in page["embeds"][0]["footer"]["text"] and "**11.**" in text_of(page)
    assert components(page)[0]["options"][0]["value"] == "10"

    menu = components(listing)[0]
    chosen, _ = await click(fake, listing, menu["custom_id"], values=["0"])
    offer = fake.messages[fake.interactions[chosen["token"]].original_message_id]
    _, opened = await click(fake, offer, button(offer, "New entry from this question"))
    assert modal_fields(opened)["Question"]["value"] == NEW_QUESTION
    submitted, _ = await submit(
        fake, opened, entry_form_values(NEW_QUESTION, "The zorblax protocol is a test.")
    )
    preview = await followup(fake, submitted)
    confirm, _ = await click(fake, preview, button(preview, "Add"))
    await edited(fake, confirm)
    assert answered_by(world, NEW_QUESTION) == "what-is-the-zorblax-protocol-of-the-coalition"


# -- /kb config -------------------------------------------------------------------------------


async def test_config_is_per_server_and_used_by_the_moderator_checks(world: World) -> None:
    fake = world.fake
    shown = await kb_config(fake, "show")
    assert shown["data"]["flags"] & EPHEMERAL
    assert f"<#{world.mod_channel.id}>" in text_of(shown["data"]) and "config.yaml" in text_of(shown["data"])

    refused = await kb_config(fake, "set", {"setting": "user_rate", "value": "2"}, user=world.bob)
    assert refused["data"]["content"] == NOT_MODERATOR

    bad = await kb_config(fake, "set", {"setting": "user_rate", "value": "lots"})
    assert "Not changed" in bad["data"]["content"] and "not a whole number" in bad["data"]["content"]
    bad = await kb_config(fake, "set", {"setting": "mod_channel", "value": "<#123456789012345678>"})
    assert "no channel 123456789012345678 in this server" in bad["data"]["content"]

    # bob becomes a moderator through a role set for this server only.
    helpers = await new_role(fake, "helpers")
    fake.guild.get_member(world.bob.id).roles.append(helpers.id)
    assert (await kb(fake, "stats", user=world.bob))[1]["data"]["content"] == NOT_MODERATOR
    done = await kb_config(fake, "set", {"setting": "moderator_roles", "value": f"<@&{helpers.id}>"})
    assert f"<@&{helpers.id}>" in done["data"]["content"] and done["data"]["allowed_mentions"]["parse"] == []
    assert (await kb(fake, "stats", user=world.bob))[1]["data"]["embeds"][0]["title"] == "Knowledge stats"
    # carol's role came from config.yaml, which this server has replaced.
    assert (await kb(fake, "stats", user=world.carol))[1]["data"]["content"] == NOT_MODERATOR

    # Kept in the database: a restarted bot reads it back.
    assert world.store.guild_settings() == {fake.guild.id: {"moderator_roles": [helpers.id]}}
    shown = await kb_config(fake, "show")
    assert "set here" in text_of(shown["data"])

    reset = await kb_config(fake, "reset", {"setting": "moderator_roles"})
    assert "config.yaml's again" in reset["data"]["content"]
    assert (await kb(fake, "stats", user=world.bob))[1]["data"]["content"] == NOT_MODERATOR
    assert world.store.guild_settings() == {}


async def test_the_mod_channel_set_for_the_server_gets_the_changes(world: World) -> None:
    fake = world.fake
    other = await new_channel(fake, "kb-log")
    await kb_config(fake, "set", {"setting": "mod_channel", "value": str(other.id)})
    interaction, _ = await kb_import(world, with_new_entry(world))
    preview = await followup(fake, interaction)
    confirm, _ = await click(fake, preview, button(preview, "Import"))
    await edited(fake, confirm)
    post = await fake.wait_for_request("POST", f"/channels/{other.id}/messages", timeout=STEP)
    assert post.json["embeds"][0]["title"] == "Knowledge changed: import"
    assert not [r for r in fake.requests if r.path == f"/channels/{world.mod_channel.id}/messages"]


async def test_forged_menu_values_are_answered_politely(world: World) -> None:
    fake = world.fake
    world.store.record_question(
        NEW_QUESTION, answered=False, score=10, entry_id=None, kind="none", origin="dm"
    )
    interaction, _ = await kb(fake, "unanswered")
    listing = await followup(fake, interaction)
    menu = components(listing)[0]
    for forged in ("99", "-1", "x"):
        _, answer = await click(fake, listing, menu["custom_id"], values=[forged])
        assert answer["data"]["content"] == views.NOT_OFFERED and answer["data"]["flags"] & EPHEMERAL
    chosen, _ = await click(fake, listing, menu["custom_id"], values=["0"])
    offer = fake.messages[fake.interactions[chosen["token"]].original_message_id]
    entries = next(c for c in components(offer) if c["type"] == 3)
    _, answer = await click(fake, offer, entries["custom_id"], values=["rok-38th-member-forged"])
    assert answer["data"]["content"] == views.NOT_OFFERED
    assert not world.config.learned_path.exists() or "forged" not in world.config.learned_path.read_text()


async def test_a_server_cooldown_set_with_config_holds_the_next_question(world: World) -> None:
    fake = world.fake
    # config.yaml allows 5 questions a minute per user; this server allows 1.
    done = await kb_config(fake, "set", {"setting": "user_rate", "value": "1"})
    assert "`user_rate` is now 1" in done["data"]["content"]
    first = await mention(world, "Who is Park Jin?")
    assert first["embeds"]
    before = len(fake.requests)
    held = fake.message_create(
        fake.channel, fake.user, f"{fake.bot_user.mention} When did Korea join the FOC?"
    )
    await fake.dispatch("MESSAGE_CREATE", held)
    reaction = await fake.wait_for_request(
        "PUT", f"/channels/{fake.channel.id}/messages/{held['id']}/reactions/", after=before, timeout=STEP
    )
    assert "⏳" in reaction.path  # held back by this server's cooldown
    # A reset gives config.yaml's 5 back.
    await kb_config(fake, "reset", {"setting": "user_rate"})
    third = await mention(world, "What did Korea pledge?")
    assert third["embeds"]


# -- 👎 reasons in /kb unanswered -------------------------------------------------------------


async def ask_as(world: World, user, question: str) -> dict[str, Any]:
    """``user`` asks by mention; returns the bot's reply message."""
    fake = world.fake
    before = len(fake.requests)
    asked = fake.message_create(fake.channel, user, f"{fake.bot_user.mention} {question}")
    await fake.dispatch("MESSAGE_CREATE", asked)
    reply = await fake.wait_for_request(
        "POST",
        f"/channels/{fake.channel.id}/messages",
        where=lambda r: str((r.json or {}).get("message_reference", {}).get("message_id")) == asked["id"],
        after=before,
        timeout=STEP,
    )
    return reply.response_json


async def vote_down_with_reason(world: World, user, reply: dict[str, Any], reason: str) -> None:
    """``user`` clicks 👎 under ``reply`` and says what was wrong in the form."""
    fake = world.fake
    down = next(c["custom_id"] for c in components(reply) if ":down:" in c["custom_id"])
    _, opened = await click(fake, reply, down, user=user)
    [field] = modal_fields(opened).values()
    submitted = fake.modal_submit_interaction(
        opened["data"]["custom_id"],
        {field["custom_id"]: reason},
        user=user,
        message=fake.messages[int(reply["id"])],
    )
    await fake.dispatch("INTERACTION_CREATE", submitted)
    thanks = await fake.wait_for_interaction_response(submitted, timeout=STEP)
    assert "Thanks" in thanks["data"]["content"] and thanks["data"]["flags"] & EPHEMERAL


async def test_a_thumbs_down_reason_shows_in_unanswered_for_a_moderator(world: World) -> None:
    fake = world.fake
    # bob asks an entry's own question; its answer is not what he wanted.
    question = "Who is Park Jin?"
    entry_id = answered_by(world, question)
    [entry] = [e for e in world.bot.engine.knowledge.entries if e.id == entry_id]
    assert question in entry.phrasings  # answered by its own wording
    reply = await ask_as(world, world.bob, question)
    await vote_down_with_reason(world, world.bob, reply, "It says who he is, not   what he said")
    await eventually(
        lambda: world.store.missed_questions(0) and world.store.missed_questions(0)[0].reasons, "the reason"
    )

    # carol, a moderator, sees the question and bob's reason.
    interaction, _ = await kb(fake, "unanswered", user=world.carol)
    shown = text_of(await followup(fake, interaction))
    assert f"{question} — asked 1× (0 unanswered, 1 👎)" in shown, shown
    assert "👎 why: “It says who he is, not what he said”" in shown, shown


# -- forms across a restart, and what the bot does not know ----------------------------------


@asynccontextmanager
async def restarted(world: World) -> AsyncIterator[FOCBot]:
    """The world's bot stopped, and a new process's bot started on the same files,
    database and fake Discord (``world.bot`` is the new one meanwhile)."""
    old = world.bot
    await old.close()
    # What a new process makes: its own engine and its own connection to the database.
    with Store(world.config.storage_path) as store:
        bot = FOCBot(world.config, Engine(world.config), store=store, guild_ready_timeout=0.1)
        async with running_client(bot, world.fake):
            world.bot = bot
            try:
                yield bot
            finally:
                world.bot = old


async def test_entry_forms_opened_before_a_restart_are_still_saved(world: World) -> None:
    fake = world.fake
    opened_add = await open_add(fake, user=world.carol)
    _, opened_edit = await kb(fake, "edit", [{"name": "entry", "type": STRING, "value": "rok-38th-member"}])
    # The custom ids say what the forms are for.
    assert opened_add["data"]["custom_id"] == "foc:kb:add"
    assert opened_edit["data"]["custom_id"] == "foc:kb:edit:rok-38th-member"
    new_answer = "South Korea (the ROK) became the 38th member of the Freedom Online Coalition."

    async with restarted(world):
        # Submitted to the new process: validated, previewed, confirmed.
        typed = entry_form_values(NEW_QUESTION, "The zorblax protocol is a test entry.")
        submitted, response = await submit(fake, opened_add, typed, user=world.carol)
        assert response["type"] == DEFERRED_MESSAGE
        preview = await followup(fake, submitted)
        assert preview["embeds"][0]["title"] == "Add this entry?" and NEW_QUESTION in text_of(preview)
        confirm, _ = await click(fake, preview, button(preview, "Add"), user=world.carol)
        assert (await edited(fake, confirm))["content"].startswith("Added (1 added")

        submitted, _ = await submit(fake, opened_edit, {"Answer": new_answer})
        preview = await followup(fake, submitted)
        assert "0 added, 1 changed, 0 removed" in text_of(preview) and f"→ {new_answer}" in text_of(preview)
        confirm, _ = await click(fake, preview, button(preview, "Save"))
        assert (await edited(fake, confirm))["content"].startswith("Saved")

        assert answered_by(world, "the zorblax thing") == "what-is-the-zorblax-protocol-of-the-coalition"
        assert new_answer in world.qa_path.read_text(encoding="utf-8")
    assert [a.action for a in world.store.audit_log()] == ["edit", "add"]


async def test_an_edit_of_an_entry_deleted_meanwhile_keeps_what_was_typed(world: World) -> None:
    fake = world.fake
    interaction, _ = await kb_import(world, with_new_entry(world))
    preview = await followup(fake, interaction)
    await edited(fake, (await click(fake, preview, button(preview, "Import")))[0])
    _, opened = await kb(fake, "edit", [{"name": "entry", "type": STRING, "value": "zorblax-protocol"}])
    # Meanwhile another moderator rolls the import back: the entry is gone.
    interaction, _ = await kb(fake, "rollback", user=world.carol)
    preview = await followup(fake, interaction)
    await edited(fake, (await click(fake, preview, button(preview, "Roll back"), user=world.carol))[0])
    before = world.qa_path.read_bytes()

    submitted, refused = await submit(fake, opened, {"Answer": "The zorblax protocol, rewritten."})
    assert refused["type"] == MESSAGE_WITH_SOURCE and refused["data"]["flags"] & EPHEMERAL
    shown = text_of(refused["data"])
    assert "Not saved: `zorblax-protocol` is no longer in qa.yaml" in shown
    assert "The zorblax protocol, rewritten." in shown and NEW_QUESTION in shown  # what was typed
    assert world.qa_path.read_bytes() == before

    # Kept: "Add as a new entry" opens the form with it.
    message = fake.messages[fake.interactions[submitted["token"]].original_message_id]
    _, reopened = await click(fake, message, button(message, "Add as a new entry"))
    assert reopened["data"]["custom_id"] == "foc:kb:add"
    fields = modal_fields(reopened)
    assert fields["Question"]["value"] == NEW_QUESTION
    assert (
        fields["Answer (plain text, faithful to the source)"]["value"] == "The zorblax protocol, rewritten."
    )


async def test_a_reason_typed_across_a_restart_still_counts(world: World) -> None:
    fake = world.fake
    reply = await ask_as(world, world.bob, "Who is Park Jin?")
    down = next(c["custom_id"] for c in components(reply) if ":down:" in c["custom_id"])
    _, opened = await click(fake, reply, down, user=world.bob)
    [field] = modal_fields(opened).values()
    async with restarted(world):
        submitted = fake.modal_submit_interaction(
            opened["data"]["custom_id"], {field["custom_id"]: "Wrong person"}, user=world.bob,
            message=fake.messages[int(reply["id"])],
        )  # fmt: skip
        await fake.dispatch("INTERACTION_CREATE", submitted)
        thanks = await fake.wait_for_interaction_response(submitted, timeout=STEP)
        assert "Thanks" in thanks["data"]["content"]
        [post] = await mod_posts(world, 1)
        assert "Wrong person" in post["content"]
        await eventually(lambda: world.store.missed_questions(0), "the vote")
        assert world.store.missed_questions(0)[0].reasons == ("Wrong person",)


async def test_forms_clicks_and_commands_the_bot_does_not_know_get_a_polite_reply(world: World) -> None:
    fake = world.fake
    # A form of an older version of the bot: what was typed comes back.
    old_form = fake.modal_submit_interaction("foc:survey:v1", {"answer": "A long text I typed"})
    await fake.dispatch("INTERACTION_CREATE", old_form)
    reply = await fake.wait_for_interaction_response(old_form, timeout=STEP)
    assert reply["type"] == MESSAGE_WITH_SOURCE and reply["data"]["flags"] & EPHEMERAL
    assert reply["data"]["content"] == bot_text("unknown_form") and "A long text I typed" in text_of(
        reply["data"]
    )
    korean = fake.modal_submit_interaction("foc:survey:v1", {"answer": "..."}, locale="ko")
    await fake.dispatch("INTERACTION_CREATE", korean)
    reply = await fake.wait_for_interaction_response(korean, timeout=STEP)
    assert reply["data"]["content"] == bot_text("unknown_form", "ko")

    # A button no handler knows, on one of the bot's messages.
    answer = await mention(world, "Who is Park Jin?")
    old_button = {
        "type": 1,
        "components": [{"type": 2, "style": 2, "label": "Old", "custom_id": "foc:vote:9"}],
    }
    fake.messages[int(answer["id"])]["components"].append(old_button)
    _, reply = await click(fake, fake.messages[int(answer["id"])], "foc:vote:9", user=world.bob)
    assert reply["data"]["content"] == bot_text("unknown_component") and reply["data"]["flags"] & EPHEMERAL

    # A command Discord still shows but the bot no longer has, and its autocomplete.
    retired = fake.command_interaction("poll", {"topic": "x"})
    await fake.dispatch("INTERACTION_CREATE", retired)
    reply = await fake.wait_for_interaction_response(retired, timeout=STEP)
    assert reply["data"]["content"] == bot_text("unknown_command") and reply["data"]["flags"] & EPHEMERAL
    typing = fake.autocomplete_interaction("poll", {"topic": "x"}, focused="topic")
    await fake.dispatch("INTERACTION_CREATE", typing)
    assert (await fake.wait_for_interaction_response(typing, timeout=STEP))["data"]["choices"] == []
    assert not fake.unanswered_interactions()
