"""End-to-end: moderators keep the knowledge current, through the fake Discord.

Each test runs the real bot (``FOCBot`` with every extension) against
``tests.fake_discord`` with a config written in tmp_path: its own copy of the
project's knowledge, its own database, a moderator role, a moderator channel and a
short file-watch interval. The project's own ``knowledge/`` is only read.

The world: alice owns the guild (Manage Server: a moderator), carol has the moderator
role only, bob is a plain member.
"""

from __future__ import annotations

import asyncio
import shutil
import sqlite3
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from aiohttp import web

from bot.client import FOCBot
from bot.config import Config, load_config
from bot.engine.engine import Engine
from bot.exts.moderation.checks import NOT_MODERATOR
from bot.storage import Store
from tests.fake_discord import FakeChannel, FakeDiscord, FakeUser, RecordedRequest, running_client
from tests.fake_discord import payloads as p

pytestmark = pytest.mark.asyncio

PROJECT = Path(__file__).resolve().parents[2]
STEP = 5.0  # generous: steps take milliseconds, reloads a fraction of a second
EPHEMERAL = 64
MESSAGE_WITH_SOURCE = 4
DEFERRED_MESSAGE = 5
DEFERRED_UPDATE = 6
SUBCOMMAND, ATTACHMENT = 1, 11
SELECT = 3

NEW_QUESTION = "What is the zorblax protocol of the coalition?"
NEW_ENTRY = f"""
  - id: zorblax-protocol
    question: "{NEW_QUESTION}"
    alternates: [zorblax protocol]
    answer: The zorblax protocol is a test entry added by an import.
    source:
      document: announcement
      paragraph: 2
      quote: Mr. Park Jin
"""
# Questions that the knowledge does not answer but ranks entries for (the first one
# that still behaves so is used: the knowledge is tuned by others).
MISSED_CANDIDATES = (
    "Korea digital plans funding",
    "How much does the FOC charge for membership fees?",
    "Tell me about Korea's digital plans budget",
)


@dataclass
class World:
    bot: FOCBot
    config: Config
    store: Store
    fake: FakeDiscord
    mod_channel: FakeChannel
    bob: FakeUser  # a member without the role or the permission
    carol: FakeUser  # a member with the moderator role only

    @property
    def qa_path(self) -> Path:
        return self.config.qa_path


@pytest_asyncio.fixture
async def world(fake: FakeDiscord, tmp_path: Path) -> AsyncIterator[World]:
    role = fake.create_role(fake.guild, "knowledge keepers")
    mod_channel = fake.create_text_channel(fake.guild, "moderators")
    bob = fake.create_user("bob")
    fake.add_member(fake.guild, bob)
    carol = fake.create_user("carol")
    fake.add_member(fake.guild, carol, roles=[role.id])

    shutil.copytree(PROJECT / "knowledge", tmp_path / "knowledge", ignore=shutil.ignore_patterns("backups"))
    config_path = tmp_path / "config.yaml"
    config_path.write_text(
        "knowledge:\n  directory: knowledge\n  watch_interval: 0.05\n"
        f"discord:\n  moderator_roles: [{role.id}]\n  mod_channel: {mod_channel.id}\n"
        "storage:\n  path: data/bot.sqlite3\n",
        encoding="utf-8",
    )
    config = load_config(config_path)
    # Given explicitly: $FOC_BOT_DB (set for the session) must not apply here.
    store = Store(config.storage_path)
    bot = FOCBot(config, Engine(config), store=store, guild_ready_timeout=0.1)
    try:
        async with running_client(bot, fake):
            await bot.sync_commands(fake.guild.id)
            yield World(bot, config, store, fake, mod_channel, bob, carol)
    finally:
        store.close()


# -- helpers ----------------------------------------------------------------------------------


async def kb(
    fake: FakeDiscord,
    sub: str,
    options: list[dict[str, Any]] | None = None,
    *,
    user: FakeUser | None = None,
    resolved: dict[str, Any] | None = None,
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Dispatch ``/kb <sub>``; returns (interaction payload, the bot's first callback body)."""
    raw = [{"name": sub, "type": SUBCOMMAND, "options": options or []}]
    interaction = fake.command_interaction("kb", raw, user=user)
    if resolved is not None:
        interaction["data"]["resolved"] = resolved
    await fake.dispatch("INTERACTION_CREATE", interaction)
    return interaction, await fake.wait_for_interaction_response(interaction, timeout=STEP)


async def followup(fake: FakeDiscord, interaction: dict[str, Any]) -> dict[str, Any]:
    """The message a deferred interaction was completed with (its first follow-up)."""
    await fake.wait_for_request(
        "POST", f"/webhooks/{fake.application_id}/{interaction['token']}", timeout=STEP
    )
    message_id = fake.interactions[interaction["token"]].original_message_id
    return fake.messages[message_id]


async def edited(fake: FakeDiscord, interaction: dict[str, Any]) -> dict[str, Any]:
    """The message as edited by a deferred component interaction (``edit_original_response``)."""
    request = await fake.wait_for_request(
        "PATCH",
        f"/webhooks/{fake.application_id}/{interaction['token']}/messages/@original",
        timeout=STEP,
    )
    return request.response_json


async def click(
    fake: FakeDiscord,
    message: dict[str, Any],
    custom_id: str,
    *,
    user: FakeUser | None = None,
    values: list[str] | None = None,
) -> tuple[dict[str, Any], dict[str, Any]]:
    interaction = fake.component_interaction(
        message, custom_id, user=user, component_type=SELECT if values else 2, values=values
    )
    await fake.dispatch("INTERACTION_CREATE", interaction)
    return interaction, await fake.wait_for_interaction_response(interaction, timeout=STEP)


def components(message: dict[str, Any]) -> list[dict[str, Any]]:
    return [c for row in message.get("components", []) for c in row.get("components", [])]


def button(message: dict[str, Any], label: str) -> str:
    found = [c["custom_id"] for c in components(message) if c.get("label") == label]
    assert found, f"no {label!r} button in {text_of(message)!r}"
    return found[0]


def text_of(message: dict[str, Any]) -> str:
    parts = [message.get("content") or ""]
    for embed in message.get("embeds", []):
        parts += [embed.get("title", ""), embed.get("description", "")]
        parts += [f"{f['name']} {f['value']}" for f in embed.get("fields", [])]
    return "\n".join(parts)


def serve_attachment(fake: FakeDiscord, filename: str, data: bytes) -> dict[str, Any]:
    """An attachment the bot can download from the fake; returns its payload."""
    attachment_id = fake.new_id()

    async def download(fake: FakeDiscord, request: RecordedRequest) -> web.Response:
        return web.Response(body=data, content_type="application/octet-stream")

    fake.add_route("GET", f"/attachments/{attachment_id}/upload", download, auth=False)
    payload = p.attachment(attachment_id, filename, len(data), fake.base_url)
    # Served under the API prefix (where the fake routes requests), whatever the name.
    payload["url"] = payload["proxy_url"] = f"{fake.base_url}/attachments/{attachment_id}/upload"
    return payload


async def kb_import(world: World, data: bytes, *, user: FakeUser | None = None) -> tuple[dict, dict]:
    attachment = serve_attachment(world.fake, "../../etc/passwd", data)
    options = [{"name": "file", "type": ATTACHMENT, "value": attachment["id"]}]
    return await kb(
        world.fake, "import", options, user=user, resolved={"attachments": {attachment["id"]: attachment}}
    )


async def eventually(check: Callable[[], object], what: str, timeout: float = STEP) -> None:
    """Wait until ``check()`` is truthy (work done in the background: reloads, records)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        if check():
            return
        if loop.time() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.02)


async def mention(world: World, question: str, channel: FakeChannel | None = None) -> dict[str, Any]:
    """Ask by mention; returns the bot's reply message (the REST response)."""
    fake = world.fake
    channel = channel or fake.channel
    before = len(fake.requests)
    message = fake.message_create(channel, fake.user, f"{fake.bot_user.mention} {question}")
    await fake.dispatch("MESSAGE_CREATE", message)
    reply = await fake.wait_for_request(
        "POST",
        f"/channels/{channel.id}/messages",
        where=lambda r: str((r.json or {}).get("message_reference", {}).get("message_id")) == message["id"],
        after=before,
        timeout=STEP,
    )
    return reply.response_json


def answered_by(world: World, question: str) -> str | None:
    answer = world.bot.engine.ask(question)
    return answer.entry_id if answer.answered else None


def with_new_entry_from(original: bytes) -> bytes:
    return original.rstrip(b"\n") + b"\n" + NEW_ENTRY.encode()


def with_new_entry(world: World) -> bytes:
    """The current qa.yaml plus one new entry."""
    return with_new_entry_from(world.qa_path.read_bytes())


# -- who may use /kb --------------------------------------------------------------------------

SUBCOMMANDS = ("reload", "check", "stats", "export", "import", "rollback", "unanswered", "add", "audit")
# Names of /kb's options: its subcommands, "edit" (which takes an entry) and the config group.
KB_OPTIONS = {*SUBCOMMANDS, "edit", "config"}


async def test_a_member_without_the_role_or_permission_is_refused_by_every_subcommand(world: World) -> None:
    fake = world.fake
    before_qa = world.qa_path.read_bytes()
    for sub in SUBCOMMANDS:
        if sub == "import":
            _, response = await kb_import(world, with_new_entry(world), user=world.bob)
        else:
            _, response = await kb(fake, sub, user=world.bob)
        assert response["type"] == MESSAGE_WITH_SOURCE, sub
        assert response["data"]["flags"] & EPHEMERAL, sub
        assert response["data"]["content"] == NOT_MODERATOR, sub
    # Refused before doing anything: no download, no change, no backup.
    assert not [r for r in fake.requests if r.path.startswith("/attachments/")]
    assert world.qa_path.read_bytes() == before_qa
    assert not world.config.backups_dir.exists()


async def test_kb_is_hidden_from_non_moderators_by_default_permissions(world: World) -> None:
    command = world.fake.find_command("kb", guild_id=world.fake.guild.id)
    assert command is not None
    assert int(command["default_member_permissions"]) == 1 << 5  # MANAGE_GUILD
    assert command["contexts"] == [0]  # guild only
    assert {o["name"] for o in command["options"]} == KB_OPTIONS


async def test_the_moderator_role_is_enough(world: World) -> None:
    _, response = await kb(world.fake, "stats", user=world.carol)
    assert response["type"] == MESSAGE_WITH_SOURCE
    [embed] = response["data"]["embeds"]
    assert embed["title"] == "Knowledge stats"
    assert "entries" in text_of(response["data"]) and "members" in text_of(response["data"])


async def test_a_non_moderator_cannot_confirm_an_import(world: World) -> None:
    fake = world.fake
    before_qa = world.qa_path.read_bytes()
    interaction, response = await kb_import(world, with_new_entry(world))
    assert response["type"] == DEFERRED_MESSAGE
    preview = await followup(fake, interaction)

    _, refused = await click(fake, preview, button(preview, "Import"), user=world.bob)
    assert refused["type"] == MESSAGE_WITH_SOURCE
    assert refused["data"]["content"] == NOT_MODERATOR and refused["data"]["flags"] & EPHEMERAL
    await asyncio.sleep(0.2)
    assert world.qa_path.read_bytes() == before_qa
    assert answered_by(world, NEW_QUESTION) is None

    # The preview still works for a moderator.
    confirm, _ = await click(fake, preview, button(preview, "Import"), user=world.carol)
    assert "Imported" in (await edited(fake, confirm))["content"]


# -- import, rollback, export -----------------------------------------------------------------


async def test_import_of_a_broken_file_is_refused_and_changes_nothing(world: World) -> None:
    fake = world.fake
    before_qa = world.qa_path.read_bytes()
    broken = with_new_entry(world).replace(
        b"paragraph: 2\n      quote: Mr. Park Jin", b"paragraph: 2\n      quote: Mr. Nobody"
    )
    interaction, _ = await kb_import(world, broken)
    message = await followup(fake, interaction)
    text = text_of(message)
    assert "Import refused" in text
    assert "uploaded qa.yaml:" in text and "[entry zorblax-protocol]" in text and "not verbatim" in text
    assert "../" not in text  # the attachment's name is never used
    assert not components(message)
    assert world.qa_path.read_bytes() == before_qa
    assert not world.config.backups_dir.exists()

    unsafe = b"entries: &x []\nsynonyms: *x\n"
    interaction, _ = await kb_import(world, unsafe)
    assert "not allowed" in text_of(await followup(fake, interaction))
    assert world.qa_path.read_bytes() == before_qa


async def test_import_confirm_changes_the_answers_then_rollback_restores(world: World) -> None:
    fake = world.fake
    original = world.qa_path.read_bytes()
    assert answered_by(world, NEW_QUESTION) is None

    interaction, _ = await kb_import(world, with_new_entry(world))
    preview = await followup(fake, interaction)
    assert "1 added, 0 changed, 0 removed" in text_of(preview) and "zorblax-protocol" in text_of(preview)
    assert preview["flags"] & EPHEMERAL
    assert world.qa_path.read_bytes() == original  # nothing before the confirmation

    confirm, response = await click(fake, preview, button(preview, "Import"))
    assert response["type"] == DEFERRED_UPDATE
    done = await edited(fake, confirm)
    assert done["content"].startswith("Imported (1 added") and done["components"] == []
    assert world.qa_path.read_bytes() == with_new_entry_from(original)
    [backup] = world.config.backups_dir.glob("*-qa.yaml")
    assert backup.read_bytes() == original

    reply = await mention(world, NEW_QUESTION)
    assert "zorblax protocol is a test entry" in reply["embeds"][0]["description"]

    interaction, _ = await kb(fake, "rollback")
    preview = await followup(fake, interaction)
    assert "0 added, 0 changed, 1 removed" in text_of(preview)
    confirm, _ = await click(fake, preview, button(preview, "Roll back"))
    assert (await edited(fake, confirm))["content"].startswith("Rolled back qa.yaml")
    assert world.qa_path.read_bytes() == original
    assert answered_by(world, NEW_QUESTION) is None

    actions = [(e.action, e.moderator_id) for e in world.store.audit_log()]
    assert actions == [("rollback", fake.user.id), ("import", fake.user.id)]


async def test_cancel_changes_nothing(world: World) -> None:
    fake = world.fake
    before_qa = world.qa_path.read_bytes()
    interaction, _ = await kb_import(world, with_new_entry(world))
    preview = await followup(fake, interaction)
    _, response = await click(fake, preview, button(preview, "Cancel"))
    assert response["type"] == 7  # UPDATE_MESSAGE
    assert "nothing was changed" in response["data"]["content"]
    assert world.qa_path.read_bytes() == before_qa


async def test_export_sends_the_current_qa_yaml(world: World) -> None:
    fake = world.fake
    interaction, response = await kb(fake, "export")
    assert response["type"] == MESSAGE_WITH_SOURCE and response["data"]["flags"] & EPHEMERAL
    callback = await fake.wait_for_request("POST", f"/interactions/{interaction['id']}/", timeout=STEP)
    [upload] = callback.files
    assert upload.filename == "qa.yaml"
    assert upload.data == world.qa_path.read_bytes()


# -- hot reload -------------------------------------------------------------------------------


async def test_a_file_edited_on_disk_is_picked_up(world: World) -> None:
    assert answered_by(world, NEW_QUESTION) is None
    world.qa_path.write_bytes(with_new_entry(world))
    await eventually(lambda: answered_by(world, NEW_QUESTION) == "zorblax-protocol", "the hot reload")
    reply = await mention(world, NEW_QUESTION)
    assert "zorblax protocol is a test entry" in reply["embeds"][0]["description"]


async def test_a_broken_edit_keeps_the_old_knowledge_and_tells_the_moderators(world: World) -> None:
    fake = world.fake
    question = "Which country became the 38th member of the FOC?"
    entry_id = answered_by(world, question)
    assert entry_id is not None
    matcher = world.bot.engine.knowledge
    text = world.qa_path.read_text(encoding="utf-8")
    world.qa_path.write_text(
        text.replace("\nentries:\n", "\nentries:\n  - id: Broken Id!\n", 1), encoding="utf-8"
    )

    post = await fake.wait_for_request("POST", f"/channels/{world.mod_channel.id}/messages", timeout=STEP)
    content = post.json["content"]
    assert "was not reloaded" in content
    assert "knowledge/qa.yaml:" in content and "Broken Id!" in content
    assert post.json["allowed_mentions"]["parse"] == []

    assert world.bot.engine.knowledge is matcher  # the last good knowledge keeps serving
    reply = await mention(world, question)
    # The entry an answer is from is on its feedback buttons (members never see the id).
    assert f"foc:fb:up:{entry_id}" in str(reply["components"])
    [failure] = world.store.audit_log()
    assert failure.action == "reload-failure" and "knowledge/qa.yaml" in failure.detail

    # Fixed on disk: picked up again, and no second report for the same edit.
    world.qa_path.write_text(text, encoding="utf-8")
    await eventually(lambda: world.bot.engine.knowledge is not matcher, "the reload of the fixed file")
    posts = [r for r in fake.requests if r.path == f"/channels/{world.mod_channel.id}/messages"]
    assert len(posts) == 1


async def test_reload_and_check_report_problems_without_swapping(world: World) -> None:
    fake = world.fake
    matcher = world.bot.engine.knowledge
    world.bot.get_cog("KnowledgeWatcher").poll.cancel()  # only the commands reload here
    world.qa_path.write_text("entries: [\n", encoding="utf-8")
    interaction, _ = await kb(fake, "check")
    assert "YAML syntax" in text_of(await followup(fake, interaction))
    interaction, _ = await kb(fake, "reload")
    message = await followup(fake, interaction)
    assert "Reload refused" in text_of(message) and "knowledge/qa.yaml:" in text_of(message)
    assert world.bot.engine.knowledge is matcher


# -- feedback, records, unanswered ------------------------------------------------------------


async def test_feedback_counts_once_per_user_and_thanks_privately(world: World) -> None:
    fake = world.fake
    reply = await mention(world, "Who is Park Jin?")
    ids = [c["custom_id"] for c in components(reply) if c["custom_id"].startswith("foc:fb:")]
    entry_id = world.bot.engine.ask("Who is Park Jin?").entry_id
    assert ids == [f"foc:fb:up:{entry_id}", f"foc:fb:down:{entry_id}"]

    for custom_id, user in [
        (ids[0], fake.user),
        (ids[0], fake.user),
        (ids[1], fake.user),
        (ids[0], world.bob),
    ]:
        _, response = await click(fake, reply, custom_id, user=user)
        if custom_id.startswith("foc:fb:down:"):
            # 👎 asks "what was wrong?" (a modal); the vote counts at the click.
            assert response["type"] == 9 and response["data"]["title"] == "What was wrong?"
            continue
        assert response["type"] == MESSAGE_WITH_SOURCE and response["data"]["flags"] & EPHEMERAL
        assert "Thanks" in response["data"]["content"]

    # Alice changed hers to down; Bob voted up. The votes are written in the background:
    # wait for that final state (waiting for two votes in all, then reading them, failed
    # about one run in two, with Bob's vote not yet there).
    def votes() -> tuple[int, int]:
        usage = world.store.usage(0)
        return usage.up, usage.down

    await eventually(lambda: votes() == (1, 1), "the votes")


async def test_questions_are_recorded_from_mentions_dms_and_ask_without_user_ids(world: World) -> None:
    fake = world.fake
    await mention(world, "Who is Park Jin?")
    dm = fake.create_dm_channel(fake.user)
    await fake.dispatch("MESSAGE_CREATE", fake.message_create(dm, fake.user, "What's the best pizza?"))
    interaction = fake.command_interaction("ask", {"question": "Which country became the 38th member?"})
    await fake.dispatch("INTERACTION_CREATE", interaction)
    await eventually(lambda: len(world.store._read("SELECT id FROM questions")) == 3, "three records")
    rows = world.store._read("SELECT origin, answered, text FROM questions ORDER BY id")
    assert [(origin, answered) for origin, answered, _ in rows] == [("mention", 1), ("dm", 0), ("slash", 1)]
    dump = "\n".join(world.store._conn.iterdump())
    assert str(fake.user.id) not in dump


async def test_a_failing_database_never_costs_the_answer(world: World, monkeypatch, caplog) -> None:
    def locked(*args: object, **kwargs: object) -> int:
        raise sqlite3.OperationalError("database is locked")

    monkeypatch.setattr(world.store, "record_question", locked)
    reply = await mention(world, "Who is Park Jin?")
    assert reply["embeds"][0]["description"]
    await eventually(
        lambda: any("could not record a question" in r.getMessage() for r in caplog.records), "the log line"
    )


async def test_attaching_an_unanswered_question_makes_it_answered(world: World) -> None:
    fake = world.fake
    question = next(
        (q for q in MISSED_CANDIDATES if answered_by(world, q) is None and world.bot.engine.rank(q)),
        None,
    )
    assert question is not None, "no candidate question is missed any more: update MISSED_CANDIDATES"
    reply = await mention(world, question)
    assert "I don't know" in reply["embeds"][0]["description"]
    await eventually(lambda: world.store.missed_questions(0), "the missed question to be recorded")

    interaction, _ = await kb(fake, "unanswered", user=world.carol)
    listing = await followup(fake, interaction)
    assert question in text_of(listing) and "1×" in text_of(listing)
    [menu] = components(listing)
    assert menu["options"][0]["value"] == "0"

    chosen, offer = await click(fake, listing, menu["custom_id"], values=["0"], user=world.carol)
    assert offer["type"] == MESSAGE_WITH_SOURCE and offer["data"]["flags"] & EPHEMERAL
    entries, *_ = components(offer["data"])  # the entry menu, then New entry and Dismiss
    assert entries["type"] == SELECT
    entry_id = entries["options"][0]["value"]  # the engine's best-ranked entry
    offer_message = fake.messages[fake.interactions[chosen["token"]].original_message_id]

    pick, _ = await click(fake, offer_message, entries["custom_id"], values=[entry_id], user=world.carol)
    done = await edited(fake, pick)
    assert f"it is answered by `{entry_id}`" in done["content"]

    learned = world.config.learned_path.read_text(encoding="utf-8")
    assert question in learned and entry_id in learned
    assert answered_by(world, question) == entry_id
    dm = fake.create_dm_channel(fake.user)
    await fake.dispatch("MESSAGE_CREATE", fake.message_create(dm, fake.user, question))
    answer = await fake.wait_for_request("POST", f"/channels/{dm.id}/messages", timeout=STEP)
    assert f"foc:fb:up:{entry_id}" in str(answer.json["components"])
    [audit] = world.store.audit_log()
    assert (audit.action, audit.moderator_id) == ("learned", world.carol.id)

    # The gap is closed: it no longer shows as missed.
    interaction, _ = await kb(fake, "unanswered", user=world.carol)
    assert "Nothing" in text_of(await followup(fake, interaction))


async def test_an_edit_made_before_the_watcher_started_is_picked_up(
    fake: FakeDiscord, tmp_path: Path
) -> None:
    shutil.copytree(PROJECT / "knowledge", tmp_path / "knowledge", ignore=shutil.ignore_patterns("backups"))
    config_path = tmp_path / "config.yaml"
    config_path.write_text("knowledge:\n  directory: knowledge\n  watch_interval: 0.05\n", encoding="utf-8")
    config = load_config(config_path)
    engine = Engine(config)
    await asyncio.sleep(0.05)  # file times tick coarser than time.time()
    config.qa_path.write_bytes(with_new_entry_from(config.qa_path.read_bytes()))  # after the build
    with Store(tmp_path / "db.sqlite3") as store:
        bot = FOCBot(config, engine, store=store, guild_ready_timeout=0.1)
        async with running_client(bot, fake):
            await eventually(lambda: engine.ask(NEW_QUESTION).entry_id == "zorblax-protocol", "the reload")
