"""The fake gateway: HELLO / IDENTIFY / READY / RESUME over an aiohttp websocket.

discord.py 2.7.1 connects to ``DiscordWebSocket.DEFAULT_GATEWAY`` with
``?v=10&encoding=json&compress=zlib-stream`` (``zstd-stream`` when the
``zstandard`` package or Python 3.14's ``compression.zstd`` is importable), so
transport compression is implemented for both; without ``compress`` frames go
out as plain text.

Sessions are modelled like Discord's: every dispatch gets the next sequence
number and is kept in the session's history, whether or not a connection is
currently attached. A client that RESUMEs gets everything after the ``seq`` it
reports, then ``RESUMED``. That makes "drop the socket, dispatch, expect the
event exactly once after the resume" testable deterministically.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
import uuid
import zlib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from aiohttp import WSMsgType, web

from .models import JSON

if TYPE_CHECKING:
    from .server import FakeDiscord

_log = logging.getLogger("fake_discord.gateway")

# Opcodes.
OP_DISPATCH = 0
OP_HEARTBEAT = 1
OP_IDENTIFY = 2
OP_PRESENCE_UPDATE = 3
OP_VOICE_STATE_UPDATE = 4
OP_RESUME = 6
OP_RECONNECT = 7
OP_REQUEST_GUILD_MEMBERS = 8
OP_INVALID_SESSION = 9
OP_HELLO = 10
OP_HEARTBEAT_ACK = 11

_CLIENT_OPS = {
    OP_HEARTBEAT,
    OP_IDENTIFY,
    OP_PRESENCE_UPDATE,
    OP_VOICE_STATE_UPDATE,
    OP_RESUME,
    OP_REQUEST_GUILD_MEMBERS,
}

# Close codes (https://discord.com/developers/docs/topics/opcodes-and-status-codes#gateway-close-event-codes).
CLOSE_UNKNOWN_ERROR = 4000
CLOSE_UNKNOWN_OPCODE = 4001
CLOSE_DECODE_ERROR = 4002
CLOSE_NOT_AUTHENTICATED = 4003
CLOSE_AUTHENTICATION_FAILED = 4004
CLOSE_ALREADY_AUTHENTICATED = 4005
CLOSE_INVALID_API_VERSION = 4012
CLOSE_INVALID_INTENTS = 4013
CLOSE_DISALLOWED_INTENTS = 4014

# Intents the fake honours when filtering dispatches.
INTENT_GUILD_MEMBERS = 1 << 1
INTENT_GUILD_PRESENCES = 1 << 8
INTENT_GUILD_MESSAGES = 1 << 9
INTENT_DIRECT_MESSAGES = 1 << 12
INTENT_MESSAGE_CONTENT = 1 << 15
PRIVILEGED_INTENTS = INTENT_GUILD_MEMBERS | INTENT_GUILD_PRESENCES | INTENT_MESSAGE_CONTENT


class GatewayEncoder:
    """Serialises frames for one connection, applying transport compression.

    Transport compression is one compression stream for the connection's
    lifetime, so each connection needs its own encoder and frames must be
    encoded and sent in the same order (see ``GatewayConnection.send``).
    """

    def __init__(self, compress: str | None) -> None:
        self.compress = compress
        self._zlib: Any = None
        self._zstd: Any = None
        if compress == "zlib-stream":
            self._zlib = zlib.compressobj()
        elif compress == "zstd-stream":
            self._zstd = _zstd_stream_compressor()
        elif compress is not None:
            raise ValueError(f"unsupported compress={compress!r}")

    def encode(self, frame: JSON) -> str | bytes:
        text = json.dumps(frame)
        if self._zlib is not None:
            # Z_SYNC_FLUSH ends every message with 00 00 ff ff, which is how
            # discord.py detects that a complete message has arrived.
            return self._zlib.compress(text.encode()) + self._zlib.flush(zlib.Z_SYNC_FLUSH)
        if self._zstd is not None:
            return self._zstd(text.encode())
        return text


def _zstd_stream_compressor() -> Any:
    """Return ``bytes -> bytes`` producing one flushed zstd block per message."""
    try:
        import zstandard  # type: ignore[import-not-found]
    except ImportError:
        from compression import zstd  # type: ignore[import-not-found]  # Python 3.14+

        compressor = zstd.ZstdCompressor()
        return lambda data: compressor.compress(data, mode=zstd.ZstdCompressor.FLUSH_BLOCK)
    cobj = zstandard.ZstdCompressor().compressobj()
    return lambda data: cobj.compress(data) + cobj.flush(zstandard.COMPRESSOBJ_FLUSH_BLOCK)


@dataclass(eq=False)
class GatewayConnection:
    """One websocket connection from a client."""

    ws: web.WebSocketResponse
    encoder: GatewayEncoder
    path: str
    query: dict[str, str]
    session: GatewaySession | None = None
    _send_lock: asyncio.Lock = field(default_factory=asyncio.Lock, init=False, repr=False)

    async def send(self, frame: JSON) -> None:
        # Encoding and sending under one lock keeps the compression stream in
        # the same order the client will decompress it.
        async with self._send_lock:
            data = self.encoder.encode(frame)
            if isinstance(data, str):
                await self.ws.send_str(data)
            else:
                await self.ws.send_bytes(data)


@dataclass(eq=False)
class GatewaySession:
    """A gateway session: created by IDENTIFY, continued by RESUME."""

    session_id: str
    identify: JSON
    intents: int
    seq: int = 0
    # Every dispatch of this session, for replay on RESUME.
    events: list[JSON] = field(default_factory=list)
    # The connection currently receiving dispatches; None while disconnected.
    connection: GatewayConnection | None = None
    resumable: bool = True
    # READY and the initial GUILD_CREATEs have been sent.
    ready: bool = False
    resumes: int = 0


def filter_for_intents(event: str, data: JSON, intents: int, bot_user_id: int) -> JSON | None:
    """Mimic Discord's intent gating of message events.

    Returns None when the event would not be delivered at all, and strips
    message content without the MESSAGE_CONTENT intent (except in DMs, for
    messages the bot sent and messages mentioning the bot), like Discord does.
    """
    if event not in ("MESSAGE_CREATE", "MESSAGE_UPDATE"):
        return data
    is_dm = "guild_id" not in data
    if not intents & (INTENT_DIRECT_MESSAGES if is_dm else INTENT_GUILD_MESSAGES):
        return None
    if is_dm or intents & INTENT_MESSAGE_CONTENT:
        return data
    if data.get("author", {}).get("id") == str(bot_user_id):
        return data
    if any(m.get("id") == str(bot_user_id) for m in data.get("mentions", [])):
        return data
    stripped = {**data, "content": "", "embeds": [], "attachments": [], "components": []}
    stripped.pop("poll", None)
    return stripped


def guild_create_for_intents(payload: JSON, intents: int, bot_user_id: int) -> JSON:
    """Without GUILD_MEMBERS, Discord's GUILD_CREATE only lists the bot's own member."""
    if not intents & INTENT_GUILD_MEMBERS:
        payload["members"] = [m for m in payload["members"] if m["user"]["id"] == str(bot_user_id)]
    return payload


class Gateway:
    """Gateway side of the fake; ``FakeDiscord`` owns one and delegates to it."""

    def __init__(self, fake: FakeDiscord) -> None:
        self._fake = fake
        self.connections: list[GatewayConnection] = []
        self.sessions: list[GatewaySession] = []
        # Every frame received from / sent to clients, in order.
        self.received: list[JSON] = []
        # When each HEARTBEAT arrived (time.monotonic()), to check the client keeps its interval.
        self.heartbeat_times: list[float] = []
        self.sent: list[JSON] = []
        # Serialises sequence allocation and sending across dispatch/identify/resume.
        self._lock = asyncio.Lock()

    @property
    def session(self) -> GatewaySession | None:
        return self.sessions[-1] if self.sessions else None

    # -- websocket endpoint -------------------------------------------------

    async def handle(self, request: web.Request) -> web.StreamResponse:
        ws = web.WebSocketResponse(compress=False, max_msg_size=0, timeout=5.0)
        await ws.prepare(request)
        query = dict(request.query)
        try:
            encoder = GatewayEncoder(query.get("compress"))
        except ValueError:
            await ws.close(code=CLOSE_DECODE_ERROR, message=b"Unsupported compression.")
            return ws
        conn = GatewayConnection(ws=ws, encoder=encoder, path=request.path, query=query)
        self.connections.append(conn)
        self._fake._notify()

        if query.get("v") not in ("9", "10"):
            await ws.close(code=CLOSE_INVALID_API_VERSION, message=b"Invalid API version.")
            return ws
        if query.get("encoding", "json") != "json":
            # discord.py only speaks JSON; ETF is not worth faking.
            await ws.close(code=CLOSE_DECODE_ERROR, message=b"fake_discord only supports encoding=json.")
            return ws

        try:
            hello = {"heartbeat_interval": self._fake.heartbeat_interval_ms, "_trace": ["fake-discord"]}
            await self._send(conn, _frame(OP_HELLO, hello))
            async for msg in ws:
                if msg.type not in (WSMsgType.TEXT, WSMsgType.BINARY):
                    continue
                try:
                    payload = json.loads(msg.data)
                except ValueError:
                    await ws.close(code=CLOSE_DECODE_ERROR, message=b"Error while decoding payload.")
                    break
                self.received.append(payload)
                self._fake._notify()
                await self._handle_frame(conn, payload)
        except Exception:
            # A bug in the fake: logged at ERROR so the error-log guard fails the test.
            _log.exception("fake gateway crashed handling a connection")
        finally:
            if conn.session is not None and conn.session.connection is conn:
                conn.session.connection = None
            self._fake._notify()
        return ws

    async def _handle_frame(self, conn: GatewayConnection, payload: JSON) -> None:
        op = payload.get("op")
        data = payload.get("d")
        if op not in _CLIENT_OPS:
            await conn.ws.close(code=CLOSE_UNKNOWN_OPCODE, message=b"Unknown opcode.")
        elif op == OP_HEARTBEAT:
            self.heartbeat_times.append(time.monotonic())
            if self._fake.ack_heartbeats:
                await self._send(conn, _frame(OP_HEARTBEAT_ACK, None))
        elif op == OP_IDENTIFY:
            await self._identify(conn, data)
        elif op == OP_RESUME:
            await self._resume(conn, data)
        elif conn.session is None:
            await conn.ws.close(code=CLOSE_NOT_AUTHENTICATED, message=b"Not authenticated.")
        elif op == OP_REQUEST_GUILD_MEMBERS:
            await self._send_member_chunk(conn.session, data)
        # Presence and voice state updates are only recorded.

    async def _identify(self, conn: GatewayConnection, data: JSON) -> None:
        if conn.session is not None:
            await conn.ws.close(code=CLOSE_ALREADY_AUTHENTICATED, message=b"Already authenticated.")
            return
        if not self._fake.token_is_valid(data.get("token")):
            await conn.ws.close(code=CLOSE_AUTHENTICATION_FAILED, message=b"Authentication failed.")
            return
        intents = data.get("intents")
        if not isinstance(intents, int) or intents < 0:
            await conn.ws.close(code=CLOSE_INVALID_INTENTS, message=b"Invalid intent(s).")
            return
        if intents & PRIVILEGED_INTENTS & ~self._fake.allowed_privileged_intents:
            await conn.ws.close(code=CLOSE_DISALLOWED_INTENTS, message=b"Disallowed intent(s).")
            return

        async with self._lock:
            previous = self.session
            if previous is not None:
                # A fresh IDENTIFY supersedes the old session; Discord would no
                # longer accept a RESUME for it.
                previous.resumable = False
                previous.connection = None
            session = GatewaySession(session_id=uuid.uuid4().hex, identify=data, intents=intents)
            self.sessions.append(session)
            session.connection = conn
            conn.session = session
            await self._dispatch_locked(session, "READY", self._fake._ready_payload(session), filter=False)
            for guild in self._fake.guilds.values():
                payload = guild_create_for_intents(guild.to_payload(), intents, self._fake.bot_user.id)
                await self._dispatch_locked(session, "GUILD_CREATE", payload, filter=False)
            session.ready = True
        self._fake._notify()

    async def _resume(self, conn: GatewayConnection, data: JSON) -> None:
        session = self.session
        if (
            session is None
            or not session.resumable
            or data.get("session_id") != session.session_id
            or not self._fake.token_is_valid(data.get("token"))
        ):
            # d=false: not resumable, the client must IDENTIFY again.
            await self._send(conn, _frame(OP_INVALID_SESSION, False))
            return
        async with self._lock:
            session.connection = conn
            conn.session = session
            last_seq = data.get("seq") or 0
            for frame in session.events:
                if frame["s"] > last_seq:
                    await self._send(conn, frame)
            await self._dispatch_locked(session, "RESUMED", {"_trace": ["fake-discord"]}, filter=False)
            session.resumes += 1
        self._fake._notify()

    async def _send_member_chunk(self, session: GatewaySession, data: JSON) -> None:
        guild = self._fake.guilds.get(int(data["guild_id"]))
        if guild is None:
            return
        members = guild.members
        not_found: list[str] = []
        if data.get("user_ids"):
            wanted = {int(u) for u in data["user_ids"]}
            members = [m for m in members if m.user.id in wanted]
            not_found = [str(u) for u in wanted - {m.user.id for m in members}]
        else:
            query = (data.get("query") or "").lower()
            members = [m for m in members if m.user.username.lower().startswith(query)]
        if data.get("limit"):
            members = members[: data["limit"]]
        chunk: JSON = {
            "guild_id": str(guild.id),
            "members": [m.to_payload() for m in members],
            "chunk_index": 0,
            "chunk_count": 1,
            "not_found": not_found,
        }
        if data.get("presences"):
            chunk["presences"] = []
        if data.get("nonce") is not None:
            chunk["nonce"] = data["nonce"]
        async with self._lock:
            await self._dispatch_locked(session, "GUILD_MEMBERS_CHUNK", chunk, filter=False)

    # -- sending --------------------------------------------------------------

    async def _send(self, conn: GatewayConnection, frame: JSON) -> bool:
        try:
            await conn.send(frame)
        except (ConnectionError, RuntimeError):
            # The client went away mid-send; dispatches stay in the session
            # history and are replayed if it resumes.
            return False
        self.sent.append(frame)
        return True

    async def _dispatch_locked(
        self, session: GatewaySession, event: str, data: JSON, *, filter: bool = True
    ) -> JSON | None:
        if filter:
            filtered = filter_for_intents(event, data, session.intents, self._fake.bot_user.id)
            if filtered is None:
                return None
            data = filtered
        session.seq += 1
        frame = {"op": OP_DISPATCH, "t": event, "s": session.seq, "d": data}
        session.events.append(frame)
        if session.connection is not None:
            await self._send(session.connection, frame)
        return frame

    async def dispatch(self, event: str, data: JSON) -> JSON | None:
        async with self._lock:
            session = self.session
            if session is None:
                raise RuntimeError(
                    "no gateway session yet: start a client and await fake.wait_for_ready() first"
                )
            frame = await self._dispatch_locked(session, event, data)
        self._fake._notify()
        return frame

    # -- fault injection --------------------------------------------------------

    def _live_connection(self) -> GatewayConnection:
        session = self.session
        if session is None or session.connection is None:
            raise RuntimeError("no live gateway connection")
        return session.connection

    async def drop(self, code: int, *, resumable: bool) -> None:
        async with self._lock:
            conn = self._live_connection()
            session = conn.session
            assert session is not None
            # Detach first so dispatches from now on are buffered for replay.
            session.connection = None
            session.resumable = resumable
        await conn.ws.close(code=code, message=b"Dropped by fake_discord.")

    async def send_op(self, op: int, data: Any) -> None:
        """Send a raw non-dispatch opcode (e.g. RECONNECT) to the live connection."""
        async with self._lock:
            conn = self._live_connection()
            if op in (OP_RECONNECT, OP_INVALID_SESSION) and conn.session is not None:
                # The client will disconnect; buffer dispatches until it is back.
                conn.session.connection = None
                if op == OP_INVALID_SESSION and not data:
                    conn.session.resumable = False
            await self._send(conn, _frame(op, data))

    async def close_all(self, code: int = 1001) -> None:
        open_connections = [c for c in self.connections if not c.ws.closed]
        for conn in open_connections:
            if conn.session is not None and conn.session.connection is conn:
                conn.session.connection = None
        await asyncio.gather(
            *(c.ws.close(code=code, message=b"Fake Discord shutting down.") for c in open_connections)
        )


def _frame(op: int, data: Any) -> JSON:
    return {"op": op, "d": data, "s": None, "t": None}
