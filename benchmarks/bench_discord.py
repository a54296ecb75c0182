"""Load benchmark of the Discord bot (not a test: nothing here asserts a timing).

The real bot (``bot.client.FOCBot`` with an ``Engine``) runs in its own spawned process
and connects over loopback to a ``tests.fake_discord.FakeDiscord`` served by this
process, which also drives the load. Keeping the fake out of the bot's process means
the fake's own work (parsing the bot's requests, building messages, echoing them on the
gateway) neither runs on the bot's event loop nor counts in the bot's memory; on a
machine with two or more cores each side gets its own core, as with a real Discord.

For each scenario (``users`` x ``channels``, one knowledge base):

1. A fresh fake world: ``users`` guild members, ``channels`` text channels, plus one
   warm-up channel. A fresh bot process with cooldowns raised and the repeat window off
   (``user_rate``/``channel_rate`` 10,000, ``repeat_window`` 0), so anti-spam drops
   nothing; it logs in, gets READY and GUILD_CREATE, and answers two untimed warm-up
   mentions. Then 30 questions are timed one at a time (each sent once the previous one
   was answered): the latency without load.
2. A burst: every user mentions the bot once with a question, user ``i`` in channel
   ``i % channels``; no question repeats within a channel. All MESSAGE_CREATE events are
   pushed through the fake gateway back to back, as fast as the fake can send them.
   Questions are the held-out paraphrases of ``tests/data/heldout_paraphrases.yaml``
   (in scope, noisy, keywords, near misses and out of scope); for synthetic knowledge,
   half perturbed entry phrasings and half random questions (``bench_engine``).
3. Latency of each question: from ``time.perf_counter()`` just before its
   ``fake.dispatch`` to the moment the fake's handler for the bot's
   ``POST /channels/{id}/messages`` runs (request fully received and parsed), the reply
   being matched by ``message_reference.message_id``. Both stamps are taken in this
   process, on one clock. Missing and duplicate replies are counted. To show where the
   time goes: the CPU time of the bot process (``/proc/<pid>/stat``) and of this process
   over the burst, and the time spent inside ``Engine.ask`` in the bot, per question.
4. Memory of the bot process from ``/proc/<pid>/status``: ``VmRSS`` after start (ready,
   before warm-up) and after the burst, ``VmHWM`` (its own peak) and the ``ru_maxrss``
   it reports at exit (Linux carries ``ru_maxrss`` over ``exec``, so a child's figure is
   the larger of its own peak and its parent's peak at the time it was started).
   Separately, a ``python -c`` process that only imports the bot and builds ``Engine`` +
   ``FOCBot`` without connecting, and this process (fake + driver).

Scenarios: a users x channels grid on the real knowledge (default 50x5, 200x10, 500x20)
and the 200x10 burst on synthetic knowledge of 1,000 and 10,000 entries.

``--sustained`` runs the sustained-load report instead: questions at a steady rate
(default 20 per second for 60 s, from 300 users in 80 channels, real knowledge), once
as is and once with the gateway dropped (close 4000, resumable) in the middle. For
each: questions sent, answered once, answered twice or more, never answered; latency
p50/p99 (as above); the bot's resident memory after the warm-up and at the end; and
the largest gap between two heartbeats the bot sent on one connection (the fake asks
for one every second, so a gap well above 1 s means the bot's event loop stalled),
with the gap across the drop shown apart. The bot's database is a temporary file.

Run from the project root (``tests`` must be importable)::

    PYTHONPATH=. python benchmarks/bench_discord.py [--quick] [--out results.json]
    PYTHONPATH=. python benchmarks/bench_discord.py --sustained [--rate 20 --seconds 60]
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import dataclasses
import itertools
import json
import math
import multiprocessing
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import Any

import bench_engine
import discord
import yaml
import yarl
from aiohttp import web
from discord.gateway import DiscordWebSocket
from discord.http import Route

from bot.client import FOCBot
from bot.config import Config, load_config
from bot.engine.answer import Answer
from bot.engine.engine import Engine, matcher_for
from bot.engine.matcher import Matcher
from bot.storage import DB_ENV
from tests.fake_discord import (
    FakeChannel,
    FakeDiscord,
    FakeUser,
    RateLimits,
    RecordedRequest,
    capture_discord_errors,
    fake_discord_server,
)
from tests.fake_discord.rest import create_message

ROOT = bench_engine.ROOT
# The held-out paraphrases: questions written apart from the knowledge, asked in the bursts.
HELDOUT = ROOT / "tests" / "data" / "heldout_paraphrases.yaml"
TOKEN = "fake-token"
MESSAGES_ROUTE = "/channels/{channel_id}/messages"

# The goals of the issue this benchmark reports against.
GOAL_P99_MS = 50.0
GOAL_RSS_MB = 100.0

# Anti-spam out of the way: the benchmark measures answering, not dropping.
LOAD_SETTINGS: dict[str, Any] = {
    "user_rate": 10_000,
    "user_per": 60.0,
    "channel_rate": 10_000,
    "channel_per": 60.0,
    "repeat_window": 0.0,
}
WARMUP_QUESTIONS = (bench_engine.WARMUP_QUESTION, bench_engine.STARTUP_QUESTION)

BOT_START_TIMEOUT_S = 120.0  # building a 10k-entry knowledge takes a few seconds
STEP_TIMEOUT_S = 10.0  # one warm-up reply, the bot's shutdown
STALL_TIMEOUT_S = 30.0  # a burst ends when no reply arrived for this long
QUIET_S = 0.5  # after the last expected reply, how long duplicates are watched for
ONE_AT_A_TIME = 30  # questions timed without load, before each burst

Results = dict[str, Any]


# -- plan -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Scenario:
    """One burst: ``users`` questions (one per user) over ``channels`` channels."""

    users: int
    channels: int
    knowledge_size: int | None = None  # None: the real knowledge; else synthetic entries

    @property
    def shape(self) -> str:
        return f"{self.users}x{self.channels}"

    @property
    def knowledge_name(self) -> str:
        return "real" if self.knowledge_size is None else f"synthetic {self.knowledge_size:,}"


@dataclass(frozen=True)
class Plan:
    scenarios: tuple[Scenario, ...]
    headline: Scenario
    seed: int


def parse_shape(text: str) -> tuple[int, int]:
    """``"200x10"`` -> (200, 10)."""
    users, _, channels = text.lower().partition("x")
    try:
        shape = int(users), int(channels)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected USERSxCHANNELS, e.g. 200x10, not {text!r}") from None
    if min(shape) < 1:
        raise argparse.ArgumentTypeError(f"users and channels must be positive: {text!r}")
    return shape


def make_plan(args: argparse.Namespace) -> Plan:
    grid = args.grid or ([(200, 10)] if args.quick else [(50, 5), (200, 10), (500, 20)])
    sizes = args.sizes or ([1_000] if args.quick else [1_000, 10_000])
    headline = Scenario(*args.headline)
    real = [Scenario(u, c) for u, c in dict.fromkeys([*grid, args.headline])]
    synthetic = [Scenario(headline.users, headline.channels, size) for size in sizes]
    return Plan(tuple(real + synthetic), headline, args.seed)


def bench_config() -> Config:
    """The project's config with anti-spam relaxed for load (``Config`` is frozen)."""
    config = load_config()
    return dataclasses.replace(config, discord=dataclasses.replace(config.discord, **LOAD_SETTINGS))


# -- questions ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Question:
    text: str
    category: str


@dataclass(frozen=True)
class Ask:
    """One question of a burst: who asks what, where."""

    user: int
    channel: int
    question: Question


def heldout_questions() -> list[Question]:
    cases = yaml.safe_load(HELDOUT.read_text(encoding="utf-8")) or []
    return [Question(str(c["q"]), str(c.get("cat", "?"))) for c in cases if c.get("q")]


def plan_burst(pool: Sequence[Question], users: int, channels: int, rng: random.Random) -> list[Ask]:
    """User ``i`` asks in channel ``i % channels``; each channel walks its own shuffle of the pool,
    so no channel sees a question twice while it has fewer questions than the pool."""
    orders = [rng.sample(list(pool), len(pool)) for _ in range(channels)]
    return [
        Ask(user=i, channel=i % channels, question=orders[i % channels][(i // channels) % len(pool)])
        for i in range(users)
    ]


# -- the bot process --------------------------------------------------------------------------


@dataclass(frozen=True)
class BotSpec:
    """What the bot process needs: where the fake listens and which knowledge to load."""

    base_url: str
    gateway_url: str
    knowledge_size: int | None
    seed: int
    synthetic_questions: int
    # "foc": the FOC bot; "ok": a bot that only replies "ok" (the cost floor of a reply).
    kind: str = "foc"
    # True: the project's own anti-spam settings (config.yaml), not LOAD_SETTINGS.
    own_settings: bool = False


class TimedEngine(Engine):
    """An ``Engine`` that records how long each ``ask`` took (seconds), in order."""

    def __init__(self, config: Config, matcher: Matcher | None = None) -> None:
        super().__init__(config, matcher)
        self.ask_seconds: list[float] = []

    def ask(self, question: str) -> Answer:
        start = time.perf_counter()
        try:
            return super().ask(question)
        finally:
            self.ask_seconds.append(time.perf_counter() - start)


def build_engine(config: Config, spec: BotSpec) -> tuple[TimedEngine, list[Question]]:
    """The real engine, or one over synthetic knowledge with questions to ask it."""
    if spec.knowledge_size is None:
        return TimedEngine(config), []
    knowledge, vocab = bench_engine.synthetic_knowledge(spec.knowledge_size, spec.seed)
    matcher = matcher_for(knowledge, config.engine)
    entry, random_ones = bench_engine.synthetic_questions(knowledge, vocab, spec.synthetic_questions // 2)
    questions = [Question(q, "entry") for q in entry] + [Question(q, "random") for q in random_ones]
    return TimedEngine(config, matcher), questions


async def connect_bot(client: discord.Client, spec: BotSpec) -> asyncio.Task[None]:
    """Log in to the fake and run the gateway loop as a task; return once ``on_ready`` fired.

    Points discord.py's two module-level endpoints at the fake, as
    ``tests.fake_discord.patch_discord`` does (the fake object lives in the other process).
    """
    Route.BASE = spec.base_url
    DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(spec.gateway_url)
    await client.login(TOKEN)
    connection = asyncio.create_task(client.connect(), name="bench-bot-connect")
    ready = asyncio.ensure_future(client.wait_until_ready())
    done, _ = await asyncio.wait(
        {ready, connection}, timeout=STEP_TIMEOUT_S, return_when=asyncio.FIRST_COMPLETED
    )
    if ready not in done:
        ready.cancel()
        if connection.done():
            connection.result()
        raise TimeoutError("the bot did not become ready")
    return connection


class OkBot(discord.Client):
    """Replies "ok" to every mention: what answering costs without the FOC bot's work."""

    def __init__(self) -> None:
        super().__init__(intents=discord.Intents.default(), guild_ready_timeout=0.1)

    async def on_message(self, message: discord.Message) -> None:
        if message.author.bot or self.user is None or self.user not in message.mentions:
            return
        await message.reply("ok", mention_author=False, allowed_mentions=discord.AllowedMentions.none())


async def serve_ok_bot(conn: Connection, spec: BotSpec) -> None:
    conn.send({"build_s": 0.0, "entries": 0, "facts": 0, "questions": []})
    with capture_discord_errors(check=False) as errors:
        client = OkBot()
        connection = await connect_bot(client, spec)
        conn.send({"ready": True})
        await asyncio.to_thread(conn.recv)  # "stop"
        await client.close()
        await asyncio.wait_for(connection, STEP_TIMEOUT_S)
    conn.send(
        {"errors_logged": len(errors.records), "ru_maxrss_mib": round(ru_maxrss_mib(), 1), "ask_seconds": []}
    )


async def serve_bot(conn: Connection, spec: BotSpec) -> None:
    """The bot process: build, connect, report, then run until told to stop."""
    if spec.kind == "ok":
        await serve_ok_bot(conn, spec)
        return
    config = load_config() if spec.own_settings else bench_config()
    start = time.perf_counter()
    engine, questions = build_engine(config, spec)
    knowledge = engine.knowledge
    conn.send(
        {
            "build_s": round(time.perf_counter() - start, 3),
            "entries": len(knowledge.entries),
            "facts": len(knowledge.facts),
            "questions": [dataclasses.astuple(q) for q in questions],
        }
    )
    with capture_discord_errors(check=False) as errors:
        client = FOCBot(config, engine, guild_ready_timeout=0.1)
        connection = await connect_bot(client, spec)
        conn.send({"ready": True})
        await asyncio.to_thread(conn.recv)  # "stop"
        await client.close()
        await asyncio.wait_for(connection, STEP_TIMEOUT_S)
    conn.send(
        {
            "errors_logged": len(errors.records),
            "ru_maxrss_mib": round(ru_maxrss_mib(), 1),
            "ask_seconds": engine.ask_seconds,
        }
    )


def bot_process_main(conn: Connection, spec: BotSpec) -> None:
    """Entry point of the spawned bot process."""
    asyncio.run(serve_bot(conn, spec))


class BotProcess:
    """The spawned bot process and the pipe to it."""

    def __init__(self, spec: BotSpec) -> None:
        context = multiprocessing.get_context("spawn")
        self.conn, child_conn = context.Pipe()
        self.process: BaseProcess = context.Process(
            target=bot_process_main, args=(child_conn, spec), name="bench-discord-bot", daemon=True
        )
        self.process.start()
        child_conn.close()

    async def receive(self, timeout: float) -> Results:
        """The next message from the bot process; the fake keeps serving while we wait."""
        if not await asyncio.to_thread(self.conn.poll, timeout):
            raise TimeoutError(f"no word from the bot process in {timeout} s (exit code {self.exitcode})")
        return self.conn.recv()

    @property
    def exitcode(self) -> int | None:
        return self.process.exitcode

    def cpu_seconds(self) -> float:
        """User + system CPU time the bot process has used (clock-tick resolution, 10 ms)."""
        assert self.process.pid is not None
        stat = Path(f"/proc/{self.process.pid}/stat").read_text()
        fields = stat.rpartition(")")[2].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def memory(self) -> Results:
        """Current (VmRSS) and peak (VmHWM) resident memory of the bot process, in MiB."""
        assert self.process.pid is not None
        return proc_status_mib(f"/proc/{self.process.pid}/status", ("VmRSS", "VmHWM"))

    async def stop(self) -> Results:
        self.conn.send("stop")
        report = await self.receive(STEP_TIMEOUT_S)
        await asyncio.to_thread(self.process.join, STEP_TIMEOUT_S)
        return report

    def kill(self) -> None:
        """Make sure the process is gone (after an error)."""
        if self.process.is_alive():
            self.process.kill()
            self.process.join()
        self.conn.close()


# -- memory ---------------------------------------------------------------------------------


def proc_status_mib(path: str, keys: Sequence[str]) -> Results:
    """The given ``kB`` fields of a ``/proc/<pid>/status`` file, in MiB (rounded)."""
    values: Results = {}
    for line in Path(path).read_text().splitlines():
        key, _, rest = line.partition(":")
        if key in keys:
            values[f"{key}_mib"] = round(int(rest.split()[0]) / 1024, 1)
    return values


def own_cpu_seconds() -> float:
    """User + system CPU time of this process (the fake and the driver)."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def ru_maxrss_mib() -> float:
    """This process's peak resident memory per ``getrusage`` (KiB on Linux)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# Imports the bot and builds it without connecting; prints VmRSS after each stage.
IDLE_SCRIPT = """
import json, resource, sys
from pathlib import Path

def rss(key="VmRSS"):
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return round(int(line.split()[1]) / 1024, 1)

stages = {"interpreter": rss()}
import discord
from bot.client import FOCBot
from bot.config import load_config
from bot.engine.engine import Engine
stages["imports (discord.py, bot)"] = rss()
config = load_config()
engine = Engine(config)
stages["+ Engine (real knowledge loaded and indexed)"] = rss()
client = FOCBot(config, engine)
stages["+ FOCBot built (not connected)"] = rss()
engine.ask(sys.argv[1])
stages["+ first ask (English word list loaded)"] = rss()
ru = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
print(json.dumps({"stages": stages, "peak_rss_mib": rss("VmHWM"), "ru_maxrss_mib": ru}))
"""


def idle_bot_memory() -> Results:
    """Memory of a process that builds the bot with the real knowledge but never connects."""
    output = subprocess.run(
        [sys.executable, "-c", IDLE_SCRIPT, bench_engine.WARMUP_QUESTION],
        cwd=ROOT,
        env=bench_engine.child_env(),
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return json.loads(output)


# -- the fake's side ----------------------------------------------------------------------------


@dataclass
class World:
    users: list[FakeUser]
    channels: list[FakeChannel]
    warmup_channel: FakeChannel


def make_world(fake: FakeDiscord, users: int, channels: int) -> World:
    """``users`` members and ``channels`` text channels in the fake's guild (before the bot connects)."""
    guild = fake.guild
    members = []
    for i in range(users):
        user = fake.create_user(f"user{i:04d}")
        fake.add_member(guild, user)
        members.append(user)
    rooms = [fake.channel] + [fake.create_text_channel(guild, f"bench-{i:03d}") for i in range(1, channels)]
    return World(members, rooms, fake.create_text_channel(guild, "warm-up"))


@dataclass
class ReplyLog:
    """Arrival times of the bot's channel messages, by the message they reply to."""

    arrivals: dict[int, list[float]] = field(default_factory=lambda: collections.defaultdict(list))
    bodies: dict[int, Any] = field(default_factory=dict)
    unreferenced: int = 0
    changed: asyncio.Event = field(default_factory=asyncio.Event)

    async def handle(self, fake: FakeDiscord, request: RecordedRequest) -> web.StreamResponse:
        """Route handler for ``POST /channels/{id}/messages``: stamp, then the default handler."""
        now = time.perf_counter()
        reference = (request.json or {}).get("message_reference") or {}
        if "message_id" in reference:
            question_id = int(reference["message_id"])
            self.arrivals[question_id].append(now)
            self.bodies.setdefault(question_id, request.json)
        else:
            self.unreferenced += 1
        self.changed.set()
        return await create_message(fake, request)

    def replied(self, ids: Sequence[int]) -> int:
        return sum(1 for i in ids if self.arrivals.get(i))

    async def wait_for(self, ids: Sequence[int], stall: float) -> None:
        """Until every id has a reply, or no reply came for ``stall`` seconds."""
        while True:
            self.changed.clear()
            if self.replied(ids) == len(ids):
                return
            try:
                await asyncio.wait_for(self.changed.wait(), stall)
            except TimeoutError:
                return


def mention(fake: FakeDiscord, channel: FakeChannel, user: FakeUser, text: str) -> dict[str, Any]:
    return fake.message_create(channel, user, f"{fake.bot_user.mention} {text}")


async def warm_up(fake: FakeDiscord, world: World, log: ReplyLog) -> None:
    """Untimed questions first: the first unknown word loads the English word list."""
    for text in WARMUP_QUESTIONS:
        payload = mention(fake, world.warmup_channel, fake.user, text)
        await fake.dispatch("MESSAGE_CREATE", payload)
        await log.wait_for([int(payload["id"])], STEP_TIMEOUT_S)


def reply_kind(body: Any) -> str:
    """'answer' (embed with a Source), 'unsure' (the don't-know embed) or 'notice' (text only)."""
    embeds = (body or {}).get("embeds") or []
    if not embeds:
        return "notice"
    fields = embeds[0].get("fields") or []
    return "answer" if any(f.get("name") == "Source" for f in fields) else "unsure"


async def run_one_at_a_time(
    fake: FakeDiscord, world: World, pool: Sequence[Question], log: ReplyLog
) -> Results:
    """Latency without load: each question is dispatched once the previous one was answered."""
    latencies = []
    for question in pool[:ONE_AT_A_TIME]:
        payload = mention(fake, world.warmup_channel, fake.user, question.text)
        start = time.perf_counter()
        await fake.dispatch("MESSAGE_CREATE", payload)
        await log.wait_for([int(payload["id"])], STEP_TIMEOUT_S)
        arrivals = log.arrivals.get(int(payload["id"]))
        if arrivals:
            latencies.append((arrivals[0] - start) * 1e3)
    return latency_summary(sorted(latencies))


async def run_burst(fake: FakeDiscord, world: World, asks: Sequence[Ask], log: ReplyLog) -> Results:
    """Dispatch every question back to back, wait for the replies, measure."""
    payloads = [mention(fake, world.channels[a.channel], world.users[a.user], a.question.text) for a in asks]
    ids = [int(p["id"]) for p in payloads]
    sent: list[float] = []
    clock = time.perf_counter
    for payload in payloads:
        sent.append(clock())
        await fake.dispatch("MESSAGE_CREATE", payload)
    dispatch_s = clock() - sent[0]
    await log.wait_for(ids, STALL_TIMEOUT_S)
    await asyncio.sleep(QUIET_S)
    return burst_results(asks, ids, sent, dispatch_s, log)


def burst_results(
    asks: Sequence[Ask], ids: Sequence[int], sent: Sequence[float], dispatch_s: float, log: ReplyLog
) -> Results:
    latencies = sorted(
        (log.arrivals[i][0] - start) * 1e3 for i, start in zip(ids, sent, strict=True) if log.arrivals.get(i)
    )
    arrivals = [t for i in ids for t in log.arrivals.get(i, [])]
    span = max(arrivals) - sent[0] if arrivals else float("nan")
    return {
        "questions": len(ids),
        "categories": dict(collections.Counter(a.question.category for a in asks)),
        "replied": log.replied(ids),
        "missing": len(ids) - log.replied(ids),
        "duplicates": sum(1 for i in ids if len(log.arrivals.get(i, [])) > 1),
        "unreferenced_posts": log.unreferenced,
        "reply_kinds": dict(collections.Counter(reply_kind(log.bodies[i]) for i in ids if i in log.bodies)),
        "dispatch_s": round(dispatch_s, 4),
        "wall_s": round(span, 4),
        "replies_per_s": round(len(arrivals) / span, 1) if arrivals else 0.0,
        "latency_ms": latency_summary(latencies),
    }


def latency_summary(ordered_ms: Sequence[float]) -> Results:
    pct = bench_engine.percentile
    return {
        "n": len(ordered_ms),
        "min": round(ordered_ms[0], 2) if ordered_ms else float("nan"),
        "p50": round(pct(ordered_ms, 50), 2),
        "p95": round(pct(ordered_ms, 95), 2),
        "p99": round(pct(ordered_ms, 99), 2),
        "max": round(ordered_ms[-1], 2) if ordered_ms else float("nan"),
        "mean": round(statistics.fmean(ordered_ms), 2) if ordered_ms else float("nan"),
    }


def engine_summary(seconds: Sequence[float]) -> Results:
    """Time spent inside ``Engine.ask`` in the bot process for the burst's questions."""
    ordered = sorted(s * 1e3 for s in seconds)
    return {
        "total": round(sum(ordered), 1),
        "mean": round(statistics.fmean(ordered), 3),
        "p99": round(bench_engine.percentile(ordered, 99), 3),
    }


# -- one scenario ---------------------------------------------------------------------------


async def run_scenario(scenario: Scenario, seed: int, heldout: Sequence[Question]) -> Results:
    """A fresh fake, a fresh bot process, a warm-up and one burst."""
    # Discord's rate limits off: these bursts measure answering (see rate_limited_burst).
    async with fake_discord_server(rate_limits=RateLimits(enabled=False)) as fake:
        world = make_world(fake, scenario.users, scenario.channels)
        log = ReplyLog()
        fake.add_route("POST", MESSAGES_ROUTE, log.handle)
        spec = BotSpec(fake.base_url, fake.gateway_url, scenario.knowledge_size, seed, scenario.users)
        bot = BotProcess(spec)
        try:
            built = await bot.receive(BOT_START_TIMEOUT_S)
            await bot.receive(BOT_START_TIMEOUT_S)  # ready
            memory_start = bot.memory()
            await warm_up(fake, world, log)
            pool = [Question(*q) for q in built["questions"]] or list(heldout)
            rng = random.Random(seed)
            unloaded = await run_one_at_a_time(fake, world, rng.sample(pool, len(pool)), log)
            asks = plan_burst(pool, scenario.users, scenario.channels, rng)
            cpu_before, fake_cpu_before = bot.cpu_seconds(), own_cpu_seconds()
            burst = await run_burst(fake, world, asks, log)
            cpu_s, fake_cpu_s = bot.cpu_seconds() - cpu_before, own_cpu_seconds() - fake_cpu_before
            memory_after = bot.memory()
            stopped = await bot.stop()
        finally:
            bot.kill()
    return {
        "users": scenario.users,
        "channels": scenario.channels,
        "knowledge": scenario.knowledge_name,
        "entries": built["entries"],
        "facts": built["facts"],
        "build_s": built["build_s"],
        "one_at_a_time_ms": unloaded,
        **burst,
        "bot_cpu_ms_per_question": round(cpu_s * 1e3 / len(asks), 2),
        "fake_cpu_ms_per_question": round(fake_cpu_s * 1e3 / len(asks), 2),
        # The burst's questions are the engine's last asks (the warm-up ones come first).
        "engine_ms": engine_summary(stopped["ask_seconds"][-len(asks) :]),
        "bot_memory": {
            "start_rss_mib": memory_start["VmRSS_mib"],
            "after_rss_mib": memory_after["VmRSS_mib"],
            "peak_rss_mib": memory_after["VmHWM_mib"],
            "ru_maxrss_mib": stopped["ru_maxrss_mib"],
        },
        "bot_errors_logged": stopped["errors_logged"],
    }


def run_all(plan: Plan) -> list[Results]:
    heldout = heldout_questions()
    results = []
    for scenario in plan.scenarios:
        print(f"{scenario.knowledge_name} knowledge, {scenario.shape} ...", file=sys.stderr, flush=True)
        results.append(asyncio.run(run_scenario(scenario, plan.seed, heldout)))
    return results


# -- a burst under Discord's rate limits ------------------------------------------------------

LIMITED_USERS, LIMITED_CHANNELS = 200, 10
# A short heartbeat interval, so that several heartbeats fall inside the burst.
LIMITED_HEARTBEAT_MS = 1_000


def least_time_s(per_channel: Sequence[int], total_requests: int, limits: RateLimits) -> float:
    """The least time Discord's limits allow for these replies, from the first one.

    A channel's ``n`` replies need ``ceil(n / limit) - 1`` more windows after the first;
    all requests together likewise for the global limit. The slower of the two binds.
    """
    m, g = limits.messages, limits.global_
    channel = max((math.ceil(n / m.limit) - 1) * m.per for n in per_channel) if per_channel else 0.0
    overall = (math.ceil(total_requests / g.limit) - 1) * g.per
    return max(channel, overall)


def heartbeat_gaps(times: Sequence[float], start: float, end: float) -> list[float]:
    """Gaps between consecutive heartbeats (perf_counter seconds) that overlap [start, end]."""
    return [b - a for a, b in itertools.pairwise(times) if b >= start and a <= end]


async def rate_limited_burst(kind: str, seed: int, heldout: Sequence[Question]) -> Results:
    """200 questions from 200 users in 10 channels against Discord's rate limits.

    The fake enforces Discord's limits (5 messages per 5 s per channel, 50 requests per
    second in all) and counts the 429s it answers; the bot runs with the project's own
    anti-spam settings (config.yaml). ``kind`` "ok" is the reply-only bot.
    """
    limits = RateLimits()
    async with fake_discord_server(rate_limits=limits, heartbeat_interval_ms=LIMITED_HEARTBEAT_MS) as fake:
        world = make_world(fake, LIMITED_USERS, LIMITED_CHANNELS)
        log = ReplyLog()
        fake.add_route("POST", MESSAGES_ROUTE, log.handle)
        spec = BotSpec(fake.base_url, fake.gateway_url, None, seed, 0, kind=kind, own_settings=True)
        bot = BotProcess(spec)
        try:
            await bot.receive(BOT_START_TIMEOUT_S)
            await bot.receive(BOT_START_TIMEOUT_S)  # ready
            await warm_up(fake, world, log)
            await asyncio.sleep(limits.global_.per + 0.1)  # the warm-up's global window closes
            asks = plan_burst(list(heldout), LIMITED_USERS, LIMITED_CHANNELS, random.Random(seed))
            before = len(fake.requests)
            cpu_before = bot.cpu_seconds()
            burst = await run_burst(fake, world, asks, log)
            cpu_s = bot.cpu_seconds() - cpu_before
            stopped = await bot.stop()
        finally:
            bot.kill()
        requests = fake.requests[before:]
        heartbeats = [t - time.monotonic() + time.perf_counter() for t in fake.gateway.heartbeat_times]
    per_channel = collections.Counter(a.channel for a in asks)
    sent_requests = sum(1 for r in requests if r.status != 429 and r.route is not None)
    least = least_time_s(list(per_channel.values()), sent_requests, limits)
    first = min((t for times in log.arrivals.values() for t in times), default=float("nan"))
    last = max((t for times in log.arrivals.values() for t in times), default=float("nan"))
    gaps = heartbeat_gaps(heartbeats, first, last)
    return {
        "bot": kind,
        "questions": len(asks),
        "replied": burst["replied"],
        "missing": burst["missing"],
        "duplicates": burst["duplicates"],
        "reply_kinds": burst["reply_kinds"],
        "requests": sent_requests,
        "rate_limited_429": sum(1 for r in requests if r.status == 429 and r.fault is None),
        "wall_s": burst["wall_s"],
        "least_s": round(least, 3),
        "ratio": round(burst["wall_s"] / least, 3) if least else float("nan"),
        "heartbeat_interval_s": LIMITED_HEARTBEAT_MS / 1000,
        "heartbeats_in_burst": len(gaps),
        "largest_heartbeat_gap_s": round(max(gaps), 3) if gaps else float("nan"),
        "bot_cpu_ms_per_answer": round(cpu_s * 1e3 / max(1, burst["replied"]), 3),
        "bot_errors_logged": stopped["errors_logged"],
    }


# -- sustained load -----------------------------------------------------------------------------

SUSTAINED_HEARTBEAT_MS = 1000  # asked of the bot by the fake, so that stalls show


@dataclass(frozen=True)
class Sustained:
    """Questions at ``rate`` per second for ``seconds`` from ``users`` in ``channels``."""

    rate: float = 20.0
    seconds: float = 60.0
    users: int = 300
    channels: int = 80
    drop: bool = False  # drop the gateway (resumable) half-way

    @property
    def name(self) -> str:
        return "gateway drop half-way" if self.drop else "steady"


class HeartbeatLog:
    """When the fake received each heartbeat (op 1), and on which connection."""

    def __init__(self, fake: FakeDiscord) -> None:
        self.beats: list[tuple[float, int]] = []
        gateway = fake.gateway
        handle = gateway._handle_frame

        async def stamped(conn: Any, payload: Any) -> None:
            if isinstance(payload, dict) and payload.get("op") == 1:
                self.beats.append((time.perf_counter(), id(conn)))
            await handle(conn, payload)

        gateway._handle_frame = stamped  # type: ignore[method-assign]

    def gaps(self) -> tuple[float, float]:
        """(largest gap on one connection, largest gap across a reconnection), seconds."""
        within = across = 0.0
        for (t0, c0), (t1, c1) in zip(self.beats, self.beats[1:], strict=False):
            if c0 == c1:
                within = max(within, t1 - t0)
            else:
                across = max(across, t1 - t0)
        return within, across


async def run_sustained(load: Sustained, seed: int, heldout: Sequence[Question]) -> Results:
    """A fresh fake and bot process; ``rate`` questions a second on a fixed schedule."""
    async with fake_discord_server(heartbeat_interval_ms=SUSTAINED_HEARTBEAT_MS) as fake:
        world = make_world(fake, load.users, load.channels)
        log = ReplyLog()
        fake.add_route("POST", MESSAGES_ROUTE, log.handle)
        beats = HeartbeatLog(fake)
        spec = BotSpec(fake.base_url, fake.gateway_url, None, seed, 0)
        bot = BotProcess(spec)
        try:
            await bot.receive(BOT_START_TIMEOUT_S)  # built
            await bot.receive(BOT_START_TIMEOUT_S)  # ready
            await warm_up(fake, world, log)
            memory_start = bot.memory()
            rng = random.Random(seed)
            total = round(load.rate * load.seconds)
            asks = [
                Ask(user=i % load.users, channel=a.channel, question=a.question)
                for i, a in enumerate(plan_burst(heldout, total, load.channels, rng))
            ]
            payloads = [
                mention(fake, world.channels[a.channel], world.users[a.user], a.question.text) for a in asks
            ]
            ids = [int(p["id"]) for p in payloads]
            sent: list[float] = []
            dropped_at = None
            start = time.perf_counter()
            for k, payload in enumerate(payloads):
                due = start + k / load.rate
                pause = due - time.perf_counter()
                if pause > 0:
                    await asyncio.sleep(pause)
                if load.drop and dropped_at is None and k >= total // 2:
                    dropped_at = round(time.perf_counter() - start, 2)
                    await fake.drop_gateway(code=4000)  # resumable: the bot RESUMEs
                sent.append(time.perf_counter())
                await fake.dispatch("MESSAGE_CREATE", payload)
            send_s = time.perf_counter() - start
            await log.wait_for(ids, STALL_TIMEOUT_S)
            await asyncio.sleep(QUIET_S)
            memory_end = bot.memory()
            stopped = await bot.stop()
            resumes = sum(session.resumes for session in fake.gateway.sessions)
            identifies = len(fake.identify_payloads)
        finally:
            bot.kill()
    counts = [len(log.arrivals.get(i, [])) for i in ids]
    latencies = sorted(
        (log.arrivals[i][0] - t) * 1e3 for i, t in zip(ids, sent, strict=True) if log.arrivals.get(i)
    )
    within, across = beats.gaps()
    return {
        "load": dataclasses.asdict(load),
        "name": load.name,
        "sent": len(ids),
        "send_s": round(send_s, 2),
        "answered_once": sum(1 for c in counts if c == 1),
        "answered_twice_or_more": sum(1 for c in counts if c >= 2),
        "never": sum(1 for c in counts if c == 0),
        "latency_ms": latency_summary(latencies),
        "rss_start_mib": memory_start["VmRSS_mib"],
        "rss_end_mib": memory_end["VmRSS_mib"],
        "peak_rss_mib": memory_end["VmHWM_mib"],
        "heartbeat_interval_s": SUSTAINED_HEARTBEAT_MS / 1000,
        "heartbeats": len(beats.beats),
        "largest_heartbeat_gap_s": round(within, 3),
        "heartbeat_gap_across_drop_s": round(across, 3) if load.drop else None,
        "dropped_at_s": dropped_at,
        "resumes": resumes,
        "identifies": identifies,
        "bot_errors_logged": stopped["errors_logged"],
    }


def run_rate_limited(seed: int) -> list[Results]:
    heldout = heldout_questions()
    results = []
    for kind in ("foc", "ok"):
        print(
            f"rate-limited {LIMITED_USERS}x{LIMITED_CHANNELS} burst, {kind} bot ...",
            file=sys.stderr,
            flush=True,
        )
        results.append(asyncio.run(rate_limited_burst(kind, seed, heldout)))
    return results


def rate_limited_table(results: Sequence[Results]) -> str:
    head = (
        "rate-limited burst (Discord's limits: 5 messages / 5 s / channel, 50 requests / s)\n"
        "| bot | questions | replied once | missing | dup | 429s | wall s | least s | ratio |"
        " largest heartbeat gap s (interval) | bot CPU ms / answer |\n"
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
    )
    rows = [
        f"| {r['bot']} | {r['questions']} | {r['replied'] - r['duplicates']} | {r['missing']} |"
        f" {r['duplicates']} | {r['rate_limited_429']} | {r['wall_s']:.2f} | {r['least_s']:.2f} |"
        f" {r['ratio']:.3f} | {r['largest_heartbeat_gap_s']:.3f} ({r['heartbeat_interval_s']:.0f}) |"
        f" {r['bot_cpu_ms_per_answer']:.2f} |"
        for r in results
    ]
    return "\n".join([head, *rows])


def sustained_table(results: Sequence[Results]) -> str:
    headers = [
        "run",
        "rate x time",
        "users/channels",
        "sent",
        "once",
        "twice+",
        "never",
        "p50",
        "p99",
        "RSS start",
        "RSS end",
        "heartbeat gap",
        "across drop",
        "resumes",
    ]
    rows = []
    for r in results:
        load = r["load"]
        across = r["heartbeat_gap_across_drop_s"]
        rows.append(
            [
                r["name"],
                f"{load['rate']:g}/s x {load['seconds']:g} s",
                f"{load['users']}/{load['channels']}",
                f"{r['sent']:,}",
                f"{r['answered_once']:,}",
                str(r["answered_twice_or_more"]),
                str(r["never"]),
                ms(r["latency_ms"]["p50"]),
                ms(r["latency_ms"]["p99"]),
                mib(r["rss_start_mib"]),
                mib(r["rss_end_mib"]),
                f"{r['largest_heartbeat_gap_s']:.2f} s",
                "" if across is None else f"{across:.2f} s",
                str(r["resumes"]),
            ]
        )
    title = (
        "Sustained load: latency from gateway dispatch to the bot's REST reply; heartbeats asked every "
        f"{SUSTAINED_HEARTBEAT_MS / 1000:g} s (largest gap on one connection; across the drop apart)"
    )
    return bench_engine.table(title, headers, rows)


def run_sustained_report(args: argparse.Namespace) -> Results:
    heldout = heldout_questions()
    runs = []
    for drop in (False, True):
        load = Sustained(args.rate, args.seconds, 300, 80, drop)
        print(
            f"sustained load, {load.name}: {load.rate:g}/s for {load.seconds:g} s ...",
            file=sys.stderr,
            flush=True,
        )
        runs.append(asyncio.run(run_sustained(load, args.seed, heldout)))
    return {"machine": bench_engine.machine(), "seed": args.seed, "sustained": runs}


# -- reporting ----------------------------------------------------------------------------------


def ms(value: float) -> str:
    return f"{value:.1f} ms"


def mib(value: float) -> str:
    return f"{value:.0f} MiB"


def find(results: Sequence[Results], scenario: Scenario) -> Results:
    return next(
        r
        for r in results
        if (r["users"], r["channels"], r["knowledge"])
        == (scenario.users, scenario.channels, scenario.knowledge_name)
    )


def load_table(results: Sequence[Results]) -> str:
    headers = [
        "knowledge",
        "users x channels",
        "questions",
        "replied",
        "missing",
        "dup",
        "replies/s",
        "min",
        "p50",
        "p95",
        "p99",
        "max",
    ]
    rows = [
        [
            r["knowledge"],
            f"{r['users']} x {r['channels']}",
            r["questions"],
            r["replied"],
            r["missing"],
            r["duplicates"],
            f"{r['replies_per_s']:,.0f}",
            ms(r["latency_ms"]["min"]),
            ms(r["latency_ms"]["p50"]),
            ms(r["latency_ms"]["p95"]),
            ms(r["latency_ms"]["p99"]),
            ms(r["latency_ms"]["max"]),
        ]
        for r in results
    ]
    title = "Bursts: latency from gateway dispatch to the bot's REST reply arriving at the fake"
    return bench_engine.table(title, headers, rows)


def cost_table(results: Sequence[Results]) -> str:
    headers = [
        "knowledge",
        "users x channels",
        "1-at-a-time p50",
        "1-at-a-time p99",
        "dispatch",
        "last reply",
        "bot CPU/q",
        "fake CPU/q",
        "engine/q",
        "engine p99",
        "bot RSS start",
        "bot RSS after",
    ]
    rows = [
        [
            r["knowledge"],
            f"{r['users']} x {r['channels']}",
            ms(r["one_at_a_time_ms"]["p50"]),
            ms(r["one_at_a_time_ms"]["p99"]),
            ms(r["dispatch_s"] * 1e3),
            ms(r["wall_s"] * 1e3),
            f"{r['bot_cpu_ms_per_question']:.2f} ms",
            f"{r['fake_cpu_ms_per_question']:.2f} ms",
            f"{r['engine_ms']['mean']:.2f} ms",
            f"{r['engine_ms']['p99']:.2f} ms",
            mib(r["bot_memory"]["start_rss_mib"]),
            mib(r["bot_memory"]["after_rss_mib"]),
        ]
        for r in results
    ]
    title = (
        f"Where the time goes (1-at-a-time = {ONE_AT_A_TIME} questions without load; dispatch = pushing"
        " the whole burst; last reply = first dispatch to last reply; engine = inside Engine.ask)"
    )
    return bench_engine.table(title, headers, rows)


def size_table(results: Sequence[Results], plan: Plan) -> str:
    shape = plan.headline
    same_shape = [r for r in results if (r["users"], r["channels"]) == (shape.users, shape.channels)]
    rows = [
        [
            r["knowledge"],
            f"{r['entries']:,}",
            f"{r['build_s']:.2f} s",
            ms(r["latency_ms"]["p50"]),
            ms(r["latency_ms"]["p99"]),
            f"{r['replies_per_s']:,.0f}",
            mib(r["bot_memory"]["after_rss_mib"]),
        ]
        for r in same_shape
    ]
    headers = ["knowledge", "entries", "build", "p50", "p99", "replies/s", "bot RSS after"]
    return bench_engine.table(f"Knowledge size ({shape.shape} burst)", headers, rows)


def memory_table(memory: Results, headline: Results) -> str:
    bot = headline["bot_memory"]
    shape = f"{headline['users']}x{headline['channels']}"
    rows = [
        [f"bot process, connected, after start ({shape}, real)", mib(bot["start_rss_mib"])],
        [f"bot process after the {shape} burst (VmRSS)", mib(bot["after_rss_mib"])],
        ["bot process peak (VmHWM)", mib(bot["peak_rss_mib"])],
        ["bot process ru_maxrss at exit (*)", mib(bot["ru_maxrss_mib"])],
        *[[f"not connected: {stage}", mib(value)] for stage, value in memory["idle"]["stages"].items()],
        ["not connected: peak (VmHWM)", mib(memory["idle"]["peak_rss_mib"])],
        ["not connected: ru_maxrss (*)", mib(memory["idle"]["ru_maxrss_mib"])],
        ["benchmark process (fake + driver, every scenario): VmRSS", mib(memory["driver"]["VmRSS_mib"])],
        ["benchmark process ru_maxrss", mib(memory["driver"]["ru_maxrss_mib"])],
    ]
    note = (
        "(*) Linux carries ru_maxrss over exec: a child's figure is the larger of its own peak and"
        " this process's peak when the child was started; VmHWM is the child's own peak."
    )
    return bench_engine.table("Resident memory", ["process / moment", "RSS"], rows) + "\n" + note


def goals_table(headline: Results) -> str:
    burst_p99 = headline["latency_ms"]["p99"]
    unloaded_p99 = headline["one_at_a_time_ms"]["p99"]
    rss_mb = headline["bot_memory"]["after_rss_mib"] * 1.048576
    rows = [
        [
            f"p99 gateway event -> REST reply, {headline['users']}x{headline['channels']} burst",
            f"< {GOAL_P99_MS:.0f} ms",
            ms(burst_p99),
            "met" if burst_p99 < GOAL_P99_MS else "not met",
        ],
        [
            "p99 gateway event -> REST reply, one question at a time",
            f"< {GOAL_P99_MS:.0f} ms",
            ms(unloaded_p99),
            "met" if unloaded_p99 < GOAL_P99_MS else "not met",
        ],
        [
            "bot resident memory after the burst",
            f"< {GOAL_RSS_MB:.0f} MB",
            f"{rss_mb:.0f} MB",
            "met" if rss_mb < GOAL_RSS_MB else "not met",
        ],
    ]
    return bench_engine.table("Goals", ["goal", "target", "measured", ""], rows)


def report(results: Results, plan: Plan) -> str:
    m = results["machine"]
    headline = find(results["scenarios"], plan.headline)
    errors = sum(r["bot_errors_logged"] for r in results["scenarios"])
    kinds, categories = headline["reply_kinds"], headline["categories"]
    mix = (
        f"{plan.headline.shape} burst: questions by category {dict(sorted(categories.items()))}; replies:"
        f" {kinds.get('answer', 0)} answers, {kinds.get('unsure', 0)} don't-knows,"
        f" {kinds.get('notice', 0)} notices, {headline['unreferenced_posts']} posts replying to nothing"
    )
    return "\n\n".join(
        [
            f"{m['date']}  commit {m['commit']}  Python {m['python']}  {m['cpu']} ({m['cores']} cores)"
            f"  discord.py {discord.__version__}",
            load_table(results["scenarios"]),
            cost_table(results["scenarios"]),
            size_table(results["scenarios"], plan),
            memory_table(results["memory"], headline),
            goals_table(headline),
            rate_limited_table(results["rate_limited"]),
            mix,
            f"errors logged by the bot processes: {errors}",
        ]
    )


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Load benchmark of the Discord bot against the fake Discord."
    )
    parser.add_argument(
        "--quick", action="store_true", help="only the 200x10 burst, synthetic knowledge of 1,000 only"
    )
    parser.add_argument("--out", type=Path, help="also write the results as JSON to this file")
    parser.add_argument("--seed", type=int, default=1234, help="seed of every generator (default 1234)")
    parser.add_argument(
        "--headline",
        type=parse_shape,
        default=(200, 10),
        metavar="UxC",
        help="the burst the goals and knowledge sizes use (default 200x10)",
    )
    parser.add_argument(
        "--grid",
        type=parse_shape,
        nargs="+",
        metavar="UxC",
        help="users x channels bursts on the real knowledge (default 50x5 200x10 500x20)",
    )
    parser.add_argument("--sizes", type=int, nargs="+", help="synthetic knowledge sizes (default 1000 10000)")
    parser.add_argument(
        "--rate-limited-only",
        action="store_true",
        help="only the 200x10 burst under Discord's rate limits (FOC bot and reply-only bot)",
    )
    parser.add_argument(
        "--sustained",
        action="store_true",
        help="the sustained-load report instead (steady and with a gateway drop half-way)",
    )
    parser.add_argument(
        "--rate", type=float, default=20.0, help="sustained: questions per second (default 20)"
    )
    parser.add_argument("--seconds", type=float, default=60.0, help="sustained: duration (default 60)")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    if args.sustained:
        with tempfile.TemporaryDirectory(prefix="bench-discord-") as scratch:
            # The bot process inherits it: its records go to a scratch database.
            os.environ.setdefault(DB_ENV, str(Path(scratch) / "bench.sqlite3"))
            results = run_sustained_report(args)
        m = results["machine"]
        print(f"{m['date']}  commit {m['commit']}  Python {m['python']}  {m['cpu']} ({m['cores']} cores)")
        print(sustained_table(results["sustained"]))
        errors = sum(r["bot_errors_logged"] for r in results["sustained"])
        print(f"errors logged by the bot processes: {errors}")
        if args.out:
            args.out.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
        return 0
    plan = make_plan(args)
    results: Results = {"machine": bench_engine.machine(), "quick": args.quick, "seed": args.seed}
    results["machine"]["discord_py"] = discord.__version__
    results["settings"] = LOAD_SETTINGS
    results["rate_limited"] = run_rate_limited(args.seed)
    if args.rate_limited_only:
        print(rate_limited_table(results["rate_limited"]))
        if args.out:
            args.out.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
        return 0
    results["scenarios"] = run_all(plan)
    print("memory of the bot built without connecting ...", file=sys.stderr, flush=True)
    results["memory"] = {
        "idle": idle_bot_memory(),
        "driver": {
            **proc_status_mib("/proc/self/status", ("VmRSS",)),
            "ru_maxrss_mib": round(ru_maxrss_mib(), 1),
        },
    }
    print(report(results, plan))
    if args.out:
        args.out.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
