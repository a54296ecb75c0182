"""Faults at the moderators' Discord commands, through the fake Discord.

* ``/kb import`` with an attachment that cannot be downloaded (connection refused, an
  address that is not a web address) says "could not download", not the generic
  apology; one larger than it declared is refused without being read whole (served by
  a loopback "CDN" that counts what it could send); nothing changes.
* ``/kb export`` with ``qa.yaml`` a symbolic link (to ``/etc/passwd``, or to another
  file) sends nothing.
* Forged select values (out of range, not a number, an entry never offered) get a
  polite answer and change nothing.
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web

from tests.e2e.test_moderation_e2e import (
    ATTACHMENT,
    EPHEMERAL,
    MESSAGE_WITH_SOURCE,
    MISSED_CANDIDATES,
    click,
    components,
    followup,
    kb,
    serve_attachment,
    text_of,
    with_new_entry_from,
)
from tests.fake_discord import FakeDiscord
from tests.fake_discord import payloads as p

from .helpers import ModWorld, ask_by_mention, eventually, mod_world

pytestmark = pytest.mark.asyncio

NOT_OFFERED = "That choice is not one this menu offered; open the list again (`/kb unanswered`)."

CHUNK = 64 * 1024
HUGE = 64 * 1024 * 1024  # what the lying attachment would send if read whole


async def import_attachment(world: ModWorld, attachment: dict[str, Any]) -> str:
    """``/kb import`` with ``attachment``; the text of the bot's answer."""
    options = [{"name": "file", "type": ATTACHMENT, "value": attachment["id"]}]
    resolved = {"attachments": {attachment["id"]: attachment}}
    interaction, _ = await kb(world.fake, "import", options, resolved=resolved)
    return text_of(await followup(world.fake, interaction))


def attachment_at(url: str, size: int = 100) -> dict[str, Any]:
    payload = p.attachment(987654321, "qa.yaml", size, "https://cdn.invalid")
    payload["url"] = payload["proxy_url"] = url
    return payload


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@asynccontextmanager
async def lying_cdn() -> AsyncIterator[tuple[str, list[int]]]:
    """A loopback server whose file is far larger than its attachment declares; yields
    its URL and the count of bytes it managed to send."""
    sent = [0]

    async def endless(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Type": "application/octet-stream"})
        await response.prepare(request)
        chunk = b"# padding line of a huge qa.yaml\n" * (CHUNK // 33)
        try:
            while sent[0] < HUGE:
                await response.write(chunk)
                sent[0] += len(chunk)
        except (ConnectionResetError, ConnectionError, asyncio.CancelledError):
            pass  # the reader hung up: what we want
        return response

    app = web.Application()
    app.router.add_get("/qa.yaml", endless)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    try:
        yield f"http://127.0.0.1:{port}/qa.yaml", sent
    finally:
        await runner.cleanup()


@pytest.mark.parametrize(
    "url",
    ["connection-refused", "file:///etc/passwd", "ftp://127.0.0.1/qa.yaml", "not a url at all"],
)
async def test_an_attachment_that_cannot_be_downloaded_is_could_not_download(
    fake: FakeDiscord, tmp_path: Path, url: str
) -> None:
    if url == "connection-refused":
        url = f"http://127.0.0.1:{closed_port()}/qa.yaml"
    async with mod_world(fake, tmp_path) as world:
        before = world.config.qa_path.read_bytes()
        text = await import_attachment(world, attachment_at(url))
        assert "could not download" in text, text
        assert "Nothing was changed" in text
        assert world.config.qa_path.read_bytes() == before
        assert not world.config.backups_dir.exists()


async def test_an_attachment_larger_than_it_declared_is_refused_without_reading_it_whole(
    fake: FakeDiscord, tmp_path: Path
) -> None:
    async with mod_world(fake, tmp_path) as world, lying_cdn() as (url, sent):
        limit = world.config.knowledge.max_import_bytes
        before = world.config.qa_path.read_bytes()
        text = await import_attachment(world, attachment_at(url, size=100))
        assert "larger than the limit" in text and f"{limit:,}" in text, text
        await asyncio.sleep(0.2)
        # The download stopped just past the limit; socket buffers hold a few MB at most.
        assert sent[0] < HUGE // 4, f"{sent[0]:,} of {HUGE:,} bytes were sent"
        assert world.config.qa_path.read_bytes() == before


async def test_an_attachment_within_its_declared_size_still_imports(
    fake: FakeDiscord, tmp_path: Path
) -> None:
    async with mod_world(fake, tmp_path) as world:
        data = with_new_entry_from(world.config.qa_path.read_bytes())
        text = await import_attachment(world, serve_attachment(fake, "qa.yaml", data))
        assert "Import this qa.yaml?" in text and "1 added" in text, text


@pytest.mark.parametrize("target", ["/etc/passwd", "secret"])
async def test_export_refuses_a_symlinked_qa_yaml(fake: FakeDiscord, tmp_path: Path, target: str) -> None:
    async with mod_world(fake, tmp_path) as world:
        world.bot.get_cog("KnowledgeWatcher").poll.cancel()  # the export alone is under test
        secret = tmp_path / "secret"
        secret.write_text("the server's private notes\n", encoding="utf-8")
        qa = world.config.qa_path
        qa.unlink()
        qa.symlink_to(secret if target == "secret" else Path(target))
        interaction, response = await kb(fake, "export")
        assert response["type"] == MESSAGE_WITH_SOURCE and response["data"]["flags"] & EPHEMERAL
        callback = await fake.wait_for_request("POST", f"/interactions/{interaction['id']}/", timeout=5)
        assert callback.files == []
        text = text_of(response["data"])
        assert "Export refused" in text and "symbolic link" in text, text
        assert "private notes" not in text and "root:" not in text


async def test_forged_select_values_are_answered_politely_and_change_nothing(
    fake: FakeDiscord, tmp_path: Path
) -> None:
    async with mod_world(fake, tmp_path) as world:
        engine = world.bot.engine
        question = next(q for q in MISSED_CANDIDATES if not engine.ask(q).answered and engine.rank(q))
        await ask_by_mention(fake, question)
        await eventually(lambda: world.store.missed_questions(0), "the missed question")
        interaction, _ = await kb(fake, "unanswered")
        listing = await followup(fake, interaction)
        menu, *_ = components(listing)
        for forged in ("99", "-1", "1e3", "٣", "x"):
            _, answer = await click(fake, listing, menu["custom_id"], values=[forged])
            assert answer["type"] == MESSAGE_WITH_SOURCE and answer["data"]["flags"] & EPHEMERAL, forged
            assert answer["data"]["content"] == NOT_OFFERED, forged

        chosen, offer = await click(fake, listing, menu["custom_id"], values=["0"])
        entries, *_ = components(offer["data"])
        offer_message = fake.messages[fake.interactions[chosen["token"]].original_message_id]
        learned = world.config.learned_path
        before = learned.read_bytes() if learned.exists() else None
        _, answer = await click(fake, offer_message, entries["custom_id"], values=["rok-38th-member-forged"])
        assert answer["data"]["content"] == NOT_OFFERED
        assert (learned.read_bytes() if learned.exists() else None) == before
        assert world.store.audit_log() == []
