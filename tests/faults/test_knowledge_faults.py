"""A broken qa.yaml while the bot serves, through the fake Discord.

Every kind of breakage (YAML syntax, a duplicate id, a quote that is not verbatim, 50 MB,
an alias bomb, 100,000 levels of nesting, bad UTF-8, deleted, empty, a symbolic link,
a directory in place of the file, no read permission) keeps the last good knowledge
serving, and reaches the moderator channel within 2 s naming the file, once: polling
again, or an edit that leaves the same problem, posts and audits nothing more. A
successful reload ends the episode, so breaking it again is reported again.

The bot runs in this process (``mod_world``), except for the unreadable file: the
permission case runs ``python -m bot run`` in a child process that obeys file
permissions even as root (``no_root_override``).
"""

from __future__ import annotations

import asyncio
import os
import re
import signal
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.e2e.test_moderation_e2e import (
    button,
    click,
    edited,
    followup,
    kb,
    kb_import,
    text_of,
    with_new_entry_from,
)
from tests.fake_discord import FakeDiscord

from .helpers import (
    STEP,
    BotProcess,
    ModWorld,
    ask_by_mention,
    eventually,
    mod_world,
    no_root_override,
    posts,
    project_copy,
)

pytestmark = pytest.mark.asyncio

QUESTION = "Which country became the 38th member of the FOC?"
REPORTED_WITHIN = 2.0  # seconds from the breakage to the moderator channel
BILLION_LAUGHS = "a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n" + "".join(
    f"{chr(99 + i)}: &{chr(99 + i)} [{', '.join(['*' + chr(98 + i)] * 9)}]\n" for i in range(8)
)


def _duplicate_id(text: str) -> str:
    first, second = re.findall(r"^  - id: (\S+)$", text, re.MULTILINE)[:2]
    return text.replace(f"  - id: {second}\n", f"  - id: {first}\n", 1)


def _bad_quote(text: str) -> str:
    return re.sub(r"(?m)^(      quote: ).*$", r'\1"Words the announcement never said."', text, count=1)


def _replace_with_symlink(path: Path) -> None:
    path.unlink()
    path.symlink_to("/etc/passwd")


def _replace_with_directory(path: Path) -> None:
    path.unlink()
    path.mkdir()
    (path / "notes.txt").write_text("not the knowledge\n", encoding="utf-8")


def _text(change: Callable[[str], str]) -> Callable[[Path], None]:
    def apply(path: Path) -> None:
        path.write_text(change(path.read_text(encoding="utf-8")), encoding="utf-8")

    return apply


BREAKAGES: dict[str, tuple[Callable[[Path], None], str]] = {
    # name -> (how qa.yaml is broken, what the report says)
    "yaml-syntax": (lambda p: p.write_text("entries: [\n", encoding="utf-8"), "YAML syntax"),
    "duplicate-id": (_text(_duplicate_id), "duplicate"),
    "quote-not-verbatim": (_text(_bad_quote), "verbatim"),
    "50-MB": (lambda p: p.write_bytes(b"# padding\n" * 5_000_000), "limit"),
    "alias-bomb": (lambda p: p.write_text(BILLION_LAUGHS, encoding="utf-8"), "not allowed"),
    "100k-nesting": (lambda p: p.write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8"), "nesting"),
    "bad-utf8": (lambda p: p.write_bytes(b"\xff\xfe" + p.read_bytes()), "UTF-8"),
    "deleted": (lambda p: p.unlink(), "file not found"),
    "empty": (lambda p: p.write_bytes(b""), "qa.yaml"),
    "symlink-to-etc-passwd": (_replace_with_symlink, "qa.yaml"),
    "directory-in-its-place": (_replace_with_directory, "is a directory"),
}


def _restore(path: Path, good: bytes) -> None:
    if path.is_symlink() or path.is_file():
        path.unlink()
    elif path.is_dir():
        for child in path.iterdir():
            child.unlink()
        path.rmdir()
    path.write_bytes(good)


def _reload_failures(world: ModWorld) -> list[str]:
    return [e.detail for e in world.store.audit_log(limit=100) if e.action == "reload-failure"]


async def _broken_and_reported(world: ModWorld, breakage: str) -> str:
    """Break qa.yaml; returns the moderator post, checked to arrive within 2 s."""
    break_it, expected = BREAKAGES[breakage]
    before = len(world.fake.requests)
    break_it(world.config.qa_path)
    loop = asyncio.get_running_loop()
    started = loop.time()
    [post] = await eventually(lambda: world.mod_posts(before), "the moderator post", timeout=REPORTED_WITHIN)
    assert loop.time() - started <= REPORTED_WITHIN
    content = post.json["content"]
    assert "was not reloaded" in content and "knowledge/qa.yaml" in content, content
    assert expected in content, content
    assert post.json["allowed_mentions"]["parse"] == []
    return content


@pytest.mark.parametrize("breakage", list(BREAKAGES))
async def test_a_broken_qa_yaml_keeps_the_last_good_knowledge_and_reaches_the_moderators_once(
    fake: FakeDiscord, tmp_path: Path, breakage: str, caplog: pytest.LogCaptureFixture
) -> None:
    async with mod_world(fake, tmp_path) as world:
        qa = world.config.qa_path
        good = qa.read_bytes()
        serving = world.bot.engine.knowledge
        expected = world.bot.engine.ask(QUESTION)
        assert expected.answered and expected.text

        await _broken_and_reported(world, breakage)
        assert world.bot.engine.knowledge is serving  # the last good knowledge keeps serving
        reply = await ask_by_mention(fake, QUESTION)
        assert reply["embeds"][0]["description"].startswith(expected.text[:40])
        assert len(_reload_failures(world)) == 1 and "knowledge/qa.yaml" in _reload_failures(world)[0]

        # Ten more polls, and a change that leaves the same problem: nothing more.
        before = len(fake.requests)
        await asyncio.sleep(10 * world.config.knowledge.watch_interval)
        if qa.is_symlink() or not qa.exists():
            touched = world.config.knowledge_dir / "members.yaml"
        else:
            touched = qa / "notes.txt" if qa.is_dir() else qa
        os.utime(touched)  # a new modification time: the watcher reloads, finds the same

        def failures_logged() -> int:
            return sum(r.getMessage().startswith("knowledge reload failed") for r in caplog.records)

        await eventually(lambda: failures_logged() >= 2, "the reload after the touch")
        await asyncio.sleep(5 * world.config.knowledge.watch_interval)
        assert world.mod_posts(before) == []
        assert len(_reload_failures(world)) == 1
        assert not [r for r in caplog.records if "watcher failed" in r.getMessage()]

        # Fixed: served again; broken again: a new episode, reported again.
        _restore(qa, good)
        await eventually(lambda: world.bot.engine.knowledge is not serving, "the reload of the fixed file")
        await _broken_and_reported(world, breakage)
        assert len(_reload_failures(world)) == 2


async def test_kb_reload_of_a_directory_in_place_of_qa_yaml_reports_the_problem(
    fake: FakeDiscord, tmp_path: Path
) -> None:

    async with mod_world(fake, tmp_path) as world:
        world.bot.get_cog("KnowledgeWatcher").poll.cancel()  # only the command reloads here
        _replace_with_directory(world.config.qa_path)
        interaction, _ = await kb(fake, "reload")
        text = text_of(await followup(fake, interaction))
        assert "Reload refused" in text and "knowledge/qa.yaml" in text and "is a directory" in text
        assert "went wrong" not in text.lower()  # not the generic apology
        [failure] = world.store.audit_log()
        assert failure.action == "reload-failure" and "is a directory" in failure.detail


async def test_an_unreadable_qa_yaml_is_noticed_and_reported_by_a_running_bot(
    fake: FakeDiscord, tmp_path: Path
) -> None:
    prefix = no_root_override()
    mod_channel = fake.create_text_channel(fake.guild, "moderators")
    config = project_copy(tmp_path, mod_channel=mod_channel.id)
    qa = tmp_path / "knowledge" / "qa.yaml"
    bot = BotProcess(fake, config, prefix=prefix)
    try:
        await fake.wait_for_ready(timeout=30)
        reply = await ask_by_mention(fake, QUESTION, timeout=30)
        assert reply["embeds"][0]["description"]
        before = len(fake.requests)
        qa.chmod(0)  # a permission change alone: same time, same size
        [post] = await eventually(lambda: posts(fake, mod_channel, before), "the report", timeout=STEP)
        content = post.json["content"]
        assert "knowledge/qa.yaml" in content and "permission denied" in content, content
        reply = await ask_by_mention(fake, "Who is Park Jin?")
        assert "Park Jin" in reply["embeds"][0]["description"]  # still serving the last good one
        await asyncio.sleep(0.5)
        assert len(posts(fake, mod_channel, before)) == 1  # not at every poll
        bot.signal(signal.SIGTERM)
        assert await bot.wait(timeout=15) == 0, bot.error_text
    finally:
        qa.chmod(0o644)
        bot.kill()
    assert "Traceback" not in bot.error_text, bot.error_text
    with sqlite3.connect(tmp_path / "data" / "bot.sqlite3") as db:
        [(detail,)] = db.execute("SELECT detail FROM audit WHERE action = 'reload-failure'").fetchall()
    assert "permission denied" in detail


async def test_importing_the_good_version_repairs_a_broken_edit_on_disk(
    fake: FakeDiscord, tmp_path: Path
) -> None:

    async with mod_world(fake, tmp_path) as world:
        qa = world.config.qa_path
        good = qa.read_bytes()
        await _broken_and_reported(world, "yaml-syntax")
        interaction, _ = await kb_import(world, good)  # the same as the knowledge serving
        preview = await followup(fake, interaction)
        assert "nothing to do" not in text_of(preview)
        assert "does not validate now" in text_of(preview)
        confirm, _ = await click(fake, preview, button(preview, "Import"))
        assert "Imported" in (await edited(fake, confirm))["content"]
        assert qa.read_bytes() == good  # the disk is repaired
        # And once it is, the same file again is nothing to do.
        interaction, _ = await kb_import(world, good)
        assert "nothing to do" in text_of(await followup(fake, interaction))


async def test_leftover_temporary_files_are_removed_at_start(fake: FakeDiscord, tmp_path: Path) -> None:
    knowledge = tmp_path / "knowledge"
    # What a process killed in the middle of an atomic write leaves behind.
    stale = [
        knowledge / ".qa.yaml.k1ll3d.tmp",
        knowledge / "backups" / ".20261201T000000000000Z-qa.yaml.x.tmp",
    ]
    fresh = knowledge / ".qa.yaml.inprogress.tmp"  # another process may be writing it now

    def leave_temporaries(config: object) -> None:
        for path in [*stale, fresh]:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(b"half a file")
        for path in stale:
            os.utime(path, (1_000_000_000, 1_000_000_000))

    async with mod_world(fake, tmp_path, before_start=leave_temporaries) as world:
        assert world.bot.engine.ask(QUESTION).answered
    assert not any(path.exists() for path in stale)
    assert fresh.exists()


async def test_an_import_the_disk_refuses_reaches_the_moderators_and_the_audit_log(
    fake: FakeDiscord, tmp_path: Path
) -> None:

    async with mod_world(fake, tmp_path) as world:
        qa = world.config.qa_path
        before = qa.read_bytes()
        interaction, _ = await kb_import(world, with_new_entry_from(before))
        preview = await followup(fake, interaction)
        world.config.backups_dir.write_text("a file where the backups folder goes\n", encoding="utf-8")
        posted = len(fake.requests)
        confirm, _ = await click(fake, preview, button(preview, "Import"))
        done = await edited(fake, confirm)
        shown = done["embeds"][0]["title"] + done["embeds"][0]["description"]
        assert "Import refused" in shown and "knowledge/backups" in shown, shown
        assert qa.read_bytes() == before
        [post] = await eventually(lambda: world.mod_posts(posted), "the moderator post")
        assert "disk refused it" in post.json["content"] and "knowledge/backups" in post.json["content"]
        [failure] = world.store.audit_log()
        assert failure.action == "change-failure" and failure.moderator_id == fake.user.id
