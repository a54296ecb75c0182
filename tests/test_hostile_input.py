"""Hostile messages, through the command line and through a (fake) Discord.

The corpus: 4,000-character messages, zero-width and bidi characters (right-to-left
override), combining marks, ``@everyone``/``@here``, role and user mentions, code
blocks, markdown and masked links, control characters, NUL, very long words, 10,000
emoji, SQL and format-string look-alikes. (Lone surrogates cannot travel in JSON, so
Discord cannot send them; the CLI gets invalid UTF-8 bytes instead.)

* CLI: ``python -m bot ask --json -`` answers every input line with exactly one JSON
  line, in order, whatever the line holds.
* Discord: each message mentions the bot; every reply pings nobody (``allowed_mentions``
  parses nothing, no reply ping), shows no unescaped ``@everyone``/``@here``, and either
  answers or politely abstains (an "I don't know", or a notice such as "too long"),
  never the error apology. Errors swallowed by discord.py fail the test (the autouse
  ``discord_errors`` fixture).
* Knowledge text holding markdown or mentions is rendered escaped, pinging nobody.
"""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import discord
import pytest
import pytest_asyncio
import yaml

from bot.client import FOCBot
from bot.config import Config, load_config
from bot.engine.engine import Engine
from bot.exts.asking.render import safe
from bot.lang.text import normalize
from tests.fake_discord import (
    DiscordErrorLog,
    FakeDiscord,
    RateLimits,
    RecordedRequest,
    capture_discord_errors,
    fake_discord_server,
    running_client,
)

PROJECT = Path(__file__).resolve().parents[1]
CONFIG_PATH = PROJECT / "config.yaml"
STEP = 5.0
CLEAN = "Which country became the 38th member of the Freedom Online Coalition?"
JSON_KEYS = {"question", "answered", "answer", "source", "score", "entry_id", "kind", "suggestions", "lang"}
ZALGO = "".join(ch + "\u0337\u0338" if ch.isalpha() else ch for ch in CLEAN)

# name -> one line of text (no "\n": a line of the CLI stream, a message on Discord).
HOSTILE: dict[str, str] = {
    "4000-chars": (CLEAN + " ") * (4000 // (len(CLEAN) + 1)) + "x" * (4000 % (len(CLEAN) + 1)),
    "zero-width": "".join(ch + "\u200b\u2060"[i % 2] if i % 3 == 0 else ch for i, ch in enumerate(CLEAN))
    + "\u200d\ufeff",
    "rtl-override": "\u202e" + CLEAN + "\u202c",
    "rtl-reversed": "\u202e" + CLEAN[::-1] + "\u202c",
    "rtl-isolates-arabic": "\u2067مرحبا\u2069 " + CLEAN + " \u200f",
    "combining-marks": ZALGO,
    "everyone": "@everyone " + CLEAN,
    "here": "@here @everyone",
    "role-and-user-mentions": "<@&123456789012345678> <@123456789012345679> <@!123456789012345680> " + CLEAN,
    "code-block": "```py\\nimport os; os.system('rm -rf /')``` " + CLEAN,
    "inline-code": "`@everyone` `" + CLEAN + "`",
    "markdown": "**bold** __under__ ~~strike~~ ||spoiler|| > quote # heading -# small " + CLEAN,
    "masked-link": f"[{CLEAN}](https://evil.example/phish) [click](<https://evil.example>)",
    "control-chars": "Who\x07 is\x1b[31m Park\x08 Jin?\x7f\x1f\x0b\x0c",
    "nul": "Who is\x00 Park Jin?\x00",
    "carriage-return": "Who is\rPark Jin?",
    "line-separators": "Who is\u2028Park\u2029Jin?\x85",
    "very-long-words": "a" * 1500 + " " + "Pneumonoultramicroscopicsilicovolcanoconiosis" * 40,
    "10k-emoji": "\U0001f600" * 10_000,
    "emoji-zwj": "\U0001f468\u200d\U0001f469\u200d\U0001f467 \U0001f1f0\U0001f1f7 " + CLEAN,
    "sql": "'; DROP TABLE questions; -- " + CLEAN,
    "format-string": "{0} {__class__} %s %(x)s %n {limit} " + CLEAN,
    "html": "<script>alert(1)</script><img src=x onerror=alert(1)>",
    "only-mentions-and-spaces": "<@&1> \t  ",
    "korean-with-controls": "한국은\u200b 몇 번째\u202e 회원국이\x00 되었나요?",
}
# Variants that only hide the clean question behind invisible characters or marks:
# the engine must see through them.
DISGUISED = ("zero-width", "rtl-override", "combining-marks")


# -- command line ----------------------------------------------------------------------------


def cli_lines() -> list[bytes]:
    """The clean question first (the reference), then the corpus, then what only bytes can hold."""
    lines = [CLEAN.encode("utf-8")] + [text.encode("utf-8") for text in HOSTILE.values()]
    lines += [b"\xff\xfe invalid UTF-8 \xc3 " + CLEAN.encode(), b"", b"   \t  ", b"\x00" * 100]
    return lines


def test_cli_stream_answers_each_hostile_line_with_one_json_line_in_order() -> None:
    lines = cli_lines()
    env = {k: v for k, v in os.environ.items() if k not in ("FOC_BOT_CONFIG", "PYTHONIOENCODING")}
    env["PYTHONPATH"] = str(PROJECT) + os.pathsep + env.get("PYTHONPATH", "")
    done = subprocess.run(
        [sys.executable, "-m", "bot", "--config", str(CONFIG_PATH), "ask", "--json", "-"],
        input=b"\n".join(lines) + b"\n",
        capture_output=True,
        env=env,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr.decode(errors="replace")
    assert b"Traceback" not in done.stderr
    # Any reader's idea of a line will do: U+2028, U+2029 and NEL are written escaped.
    assert done.stdout.endswith(b"\n"), "the output must end with a newline"
    out = done.stdout.decode("utf-8").splitlines()
    results = [json.loads(line) for line in out]
    assert len(results) == len(lines)
    for line, result in zip(lines, results, strict=True):
        assert set(result) == JSON_KEYS
        assert result["question"] == line.decode("utf-8", errors="replace").rstrip("\r")
        assert isinstance(result["answered"], bool)
        assert 0 <= result["score"] <= 100
        assert len(result["suggestions"]) <= 3
        if result["answered"]:
            assert result["answer"] and result["source"]["quote"] and result["entry_id"]
        else:
            assert result["answer"] is None and result["source"] is None and result["kind"] == "none"
    clean, by_name = results[0], dict(zip(HOSTILE, results[1:], strict=False))
    assert clean["answered"]
    for name in DISGUISED:
        assert normalize(HOSTILE[name]) == normalize(CLEAN), name
        assert by_name[name]["entry_id"] == clean["entry_id"], name


def test_cli_stream_with_windows_line_endings_gives_one_line_each() -> None:
    lines = [CLEAN, "\x00", "", "@everyone Who is Park Jin?"]
    env = {k: v for k, v in os.environ.items() if k not in ("FOC_BOT_CONFIG", "PYTHONIOENCODING")}
    env["PYTHONPATH"] = str(PROJECT) + os.pathsep + env.get("PYTHONPATH", "")
    done = subprocess.run(
        [sys.executable, "-m", "bot", "--config", str(CONFIG_PATH), "ask", "--json", "-"],
        input="\r\n".join(lines).encode() + b"\r\n",
        capture_output=True,
        env=env,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr.decode(errors="replace")
    results = [json.loads(line) for line in done.stdout.split(b"\n")[:-1]]
    assert [r["question"] for r in results] == lines


# -- fake Discord -------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def discord_errors() -> Iterator[DiscordErrorLog]:
    # Fails the test at teardown if discord.py, asyncio or the fake logged an error.
    with capture_discord_errors() as errors:
        yield errors


@pytest_asyncio.fixture
async def fake() -> AsyncIterator[FakeDiscord]:
    # Rate limits off: 25 replies in one channel would take 20 s under Discord's limits.
    async with fake_discord_server(rate_limits=RateLimits(enabled=False)) as server:
        yield server


@pytest.fixture(scope="module")
def project_config() -> Config:
    return load_config(CONFIG_PATH)


@pytest.fixture(scope="module")
def project_engine(project_config: Config) -> Engine:
    return Engine(project_config)


@asynccontextmanager
async def running_bot(fake: FakeDiscord, config: Config, engine: Engine) -> AsyncIterator[FOCBot]:
    """A FOCBot without anti-spam limits, logged in to ``fake``, commands synced."""
    config = dataclasses.replace(
        config,
        discord=dataclasses.replace(config.discord, user_rate=10_000, channel_rate=10_000, repeat_window=0),
    )
    async with running_client(FOCBot(config, engine, guild_ready_timeout=0.1), fake) as bot:
        await bot.sync_commands(fake.guild.id)
        yield bot


def visible_text(body: dict[str, Any]) -> str:
    """Everything a reply shows: content, embeds, button labels."""
    parts = [body.get("content") or ""]
    for embed in body.get("embeds") or []:
        parts += [embed.get("title", ""), embed.get("description", "")]
        for f in embed.get("fields", []):
            parts += [f["name"], f["value"]]
        parts.append(embed.get("footer", {}).get("text", ""))
    for row in body.get("components") or []:
        parts += [c.get("label") or "" for c in row.get("components", [])]
    return "\n".join(parts)


def assert_pings_nobody(body: dict[str, Any], created: dict[str, Any] | None) -> None:
    allowed = body.get("allowed_mentions")
    assert allowed is not None and allowed.get("parse") == [], allowed
    assert not allowed.get("users") and not allowed.get("roles")
    assert allowed.get("replied_user") in (None, False)
    shown = visible_text(body)
    assert "@everyone" not in shown and "@here" not in shown, shown
    if created is not None:  # the message as the fake created it: who it pinged
        assert created["mentions"] == [] and created["mention_roles"] == []
        assert created["mention_everyone"] is False


def assert_answers_or_abstains(body: dict[str, Any]) -> None:
    shown = visible_text(body)
    assert "Sorry" not in shown, f"the bot apologized for an error: {shown}"
    embeds = body.get("embeds") or []
    if embeds:
        assert embeds[0].get("description"), embeds
    else:  # a notice: too long, empty question
        assert body.get("content"), body


async def reply_to(fake: FakeDiscord, question: dict[str, Any], after: int) -> RecordedRequest:
    return await fake.wait_for_request(
        "POST",
        f"/channels/{question['channel_id']}/messages",
        where=lambda r: (
            str((r.json or {}).get("message_reference", {}).get("message_id")) == str(question["id"])
        ),
        after=after,
        timeout=STEP,
    )


@pytest.mark.asyncio
async def test_hostile_mentions_get_an_answer_or_a_polite_abstention_pinging_nobody(
    fake: FakeDiscord, project_config: Config, project_engine: Engine
) -> None:
    role = fake.create_role(fake.guild, "members")
    bob = fake.create_user("bob")
    fake.add_member(fake.guild, bob)
    corpus = dict(HOSTILE)
    corpus["real-role-and-user"] = f"<@&{role.id}> <@{bob.id}> @everyone Who is Park Jin?"
    async with running_bot(fake, project_config, project_engine):
        for name, text in corpus.items():
            before = len(fake.requests)
            payload = fake.message_create(fake.channel, fake.user, f"{fake.bot_user.mention} {text}")
            await fake.dispatch("MESSAGE_CREATE", payload)
            if len(text) > project_config.discord.max_question_chars:
                # Too long: a 📏 on the question (a public notice would not be private).
                reaction = await fake.wait_for_request(
                    "PUT", f"/channels/{fake.channel.id}/messages/{payload['id']}/reactions/", after=before
                )
                assert reaction.status == 204 and "📏" in reaction.path, name
                continue
            reply = await reply_to(fake, payload, before)
            assert reply.status == 200, (name, reply.response_json)
            assert_pings_nobody(reply.json, reply.response_json)
            assert_answers_or_abstains(reply.json)
            if name in DISGUISED:
                assert "38" in reply.json["embeds"][0]["description"], name
        # Nothing else was posted: one reply per message, no apology afterwards.
        posts = [r for r in fake.requests if r.method == "POST" and r.path.startswith("/channels/")]
        too_long = [t for t in corpus.values() if len(t) > project_config.discord.max_question_chars]
        assert too_long and len(posts) == len(corpus) - len(too_long)


@pytest.mark.asyncio
async def test_hostile_slash_questions_and_options_ping_nobody(
    fake: FakeDiscord, project_config: Config, project_engine: Engine
) -> None:
    async with running_bot(fake, project_config, project_engine):
        calls = [("ask", {"question": text}) for text in HOSTILE.values()]
        hostile_names = ["@everyone **Atlantis** <@&1>", "@here [x](https://evil) `a`", "\u202e\x00@everyone"]
        calls += [("member", {"country": name}) for name in hostile_names]
        calls += [("facts", {"topic": name}) for name in hostile_names]
        for command, options in calls:
            interaction = fake.command_interaction(command, options)
            await fake.dispatch("INTERACTION_CREATE", interaction)
            response = await fake.wait_for_interaction_response(interaction, timeout=STEP)
            data = response["data"]
            assert_pings_nobody(data, None)
            assert_answers_or_abstains(data)
            # What the user typed is never echoed as live markdown.
            assert "**Atlantis**" not in visible_text(data)


# -- knowledge text with markdown and mentions ---------------------------------------------------

HOSTILE_ANSWER = (
    "@everyone <@123> **bold** [link](https://x) @here ||spoiler|| "
    "The Republic of Korea became the 38th member."
)
HOSTILE_QUESTION = "What does the zyxwvut markup sample say?"


def knowledge_with_hostile_answer(root: Path) -> Config:
    """A copy of the project's knowledge with one entry whose answer holds markup and pings."""
    shutil.copytree(PROJECT / "knowledge", root / "knowledge", ignore=shutil.ignore_patterns("backups"))
    qa_path = root / "knowledge" / "qa.yaml"
    qa = yaml.safe_load(qa_path.read_text(encoding="utf-8"))
    qa["entries"].append(
        {
            "id": "hostile-markup",
            "question": HOSTILE_QUESTION,
            "answer": HOSTILE_ANSWER,
            "source": {
                "document": "announcement",
                "paragraph": 8,
                "quote": "increasing the membership to 38",
            },
        }
    )
    qa_path.write_text(yaml.safe_dump(qa, allow_unicode=True, sort_keys=False), encoding="utf-8")
    config = root / "config.yaml"
    config.write_text("knowledge:\n  directory: knowledge\n  watch_interval: 0\n", encoding="utf-8")
    return load_config(config)


@pytest.mark.asyncio
async def test_knowledge_answer_with_markdown_and_mentions_is_rendered_escaped(
    fake: FakeDiscord, tmp_path: Path
) -> None:
    config = knowledge_with_hostile_answer(tmp_path)
    engine = Engine(config)
    answer = engine.ask(HOSTILE_QUESTION)
    assert answer.answered and answer.entry_id == "hostile-markup"
    expected = discord.utils.escape_mentions(discord.utils.escape_markdown(HOSTILE_ANSWER))
    assert safe(HOSTILE_ANSWER) == expected

    async with running_bot(fake, config, engine):
        before = len(fake.requests)
        payload = fake.message_create(fake.channel, fake.user, f"{fake.bot_user.mention} {HOSTILE_QUESTION}")
        await fake.dispatch("MESSAGE_CREATE", payload)
        reply = await reply_to(fake, payload, before)
        interaction = fake.command_interaction("ask", {"question": HOSTILE_QUESTION})
        await fake.dispatch("INTERACTION_CREATE", interaction)
        response = await fake.wait_for_interaction_response(interaction, timeout=STEP)
        # The bot then fetches its response (to link repeats to it): let it finish.
        await fake.wait_for_request(
            "GET", f"/webhooks/{fake.application_id}/{interaction['token']}", timeout=STEP
        )

    for body, created in ((reply.json, reply.response_json), (response["data"], None)):
        [embed] = body["embeds"]
        description = embed["description"]
        assert description == expected
        assert "@everyone" not in description and "@here" not in description
        assert "**bold**" not in description and "\\*\\*bold\\*\\*" in description
        # A masked link needs an unescaped "[": every one is escaped.
        assert "\\[link](https://x)" in description and description.count("[") == description.count("\\[")
        assert "||spoiler||" not in description
        assert_pings_nobody(body, created)
