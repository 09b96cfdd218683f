"""The JSON gateway: HELLO, IDENTIFY→READY+GUILD_CREATE, heartbeats, RESUME, zlib/zstd-stream."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import uuid
import zlib
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from aiohttp import WSMsgType, web

from sandbox import payloads
from sandbox.errors import SandboxError
from sandbox.models import Channel, Guild, Message, Role
from sandbox.state import SandboxState

log = logging.getLogger(__name__)

DISPATCH, HEARTBEAT, IDENTIFY, RESUME, REQUEST_MEMBERS = 0, 1, 2, 6, 8
INVALID_SESSION, HELLO, HEARTBEAT_ACK = 9, 10, 11
IGNORED_OPS = {3, 4, 31}  # presence, voice state, soundboard sounds: accepted, unanswered

GUILDS = 1 << 0
GUILD_MEMBERS = 1 << 1
GUILD_PRESENCES = 1 << 8
GUILD_MESSAGES = 1 << 9
DIRECT_MESSAGES = 1 << 12
MESSAGE_CONTENT = 1 << 15
PRIVILEGED_INTENTS = GUILD_MEMBERS | GUILD_PRESENCES | MESSAGE_CONTENT
BACKLOG = 5000


class ZlibStream:
    """``compress=zlib-stream``: one zlib stream per connection, each message sync-flushed."""

    def __init__(self) -> None:
        self._compressor = zlib.compressobj()

    def pack(self, data: bytes) -> bytes:
        """One message as the next sync-flushed piece of the stream."""
        return self._compressor.compress(data) + self._compressor.flush(zlib.Z_SYNC_FLUSH)


class ZstdStream:
    """``compress=zstd-stream``: one zstd stream per connection, each message block-flushed.

    discord.py asks for it whenever ``zstandard`` is installed (its ``speed`` extra).
    """

    def __init__(self) -> None:
        import zstandard

        self._compressor = zstandard.ZstdCompressor().compressobj()
        self._flush = zstandard.COMPRESSOBJ_FLUSH_BLOCK

    def pack(self, data: bytes) -> bytes:
        """One message as the next block-flushed piece of the stream."""
        return self._compressor.compress(data) + self._compressor.flush(self._flush)


STREAMS: dict[str, type[ZlibStream] | type[ZstdStream]] = {"zlib-stream": ZlibStream}
try:
    import zstandard  # noqa: F401

    STREAMS["zstd-stream"] = ZstdStream
except ImportError:  # pragma: no cover - zstandard comes with discord.py[speed]
    pass


@dataclass(eq=False)
class Connection:
    """One websocket; a single writer task keeps compressed stream frames in order."""

    ws: web.WebSocketResponse
    compressor: ZlibStream | ZstdStream | None = None
    queue: asyncio.Queue[str | None] = field(default_factory=asyncio.Queue)
    writer: asyncio.Task[None] | None = None
    dropped: bool = False

    def start(self) -> None:
        """Start the writer task."""
        self.writer = asyncio.create_task(self._write(), name="sandbox-gateway-writer")

    def send(self, text: str) -> None:
        """Queue one text frame, sent after the ones before it."""
        self.queue.put_nowait(text)

    def send_json(self, payload: dict[str, Any]) -> None:
        """Queue one payload as a compact JSON text frame."""
        self.send(json.dumps(payload, separators=(",", ":")))

    async def stop(self) -> None:
        """Let the writer send what is queued, then end it."""
        self.queue.put_nowait(None)
        if self.writer is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await self.writer

    async def _write(self) -> None:
        while (text := await self.queue.get()) is not None:
            if self.ws.closed:
                return
            try:
                if self.compressor is None:
                    await self.ws.send_str(text)
                else:
                    await self.ws.send_bytes(self.compressor.pack(text.encode()))
            except (ConnectionError, RuntimeError):
                return


@dataclass(eq=False)
class Session:
    """A gateway session: survives its connection so RESUME can replay what was missed."""

    id: str
    shard_id: int
    shard_count: int
    intents: int
    seq: int = 0
    backlog: deque[tuple[int, str]] = field(default_factory=lambda: deque(maxlen=BACKLOG))
    connection: Connection | None = None
    ready: bool = False
    resumes: int = 0

    def dispatch(self, event: str, data: dict[str, Any]) -> int:
        """Send (or, while disconnected, keep for replay) one DISPATCH; returns its seq."""
        self.seq += 1
        text = json.dumps(
            {"op": DISPATCH, "t": event, "s": self.seq, "d": data}, separators=(",", ":")
        )
        self.backlog.append((self.seq, text))
        if self.connection is not None:
            self.connection.send(text)
        return self.seq

    def can_replay_after(self, seq: int) -> bool:
        """Whether a RESUME from ``seq`` can be served from the backlog."""
        if seq > self.seq:
            return False
        return not self.backlog or seq >= self.backlog[0][0] - 1


@dataclass
class GatewayStats:
    """Counts of IDENTIFYs, RESUMEs and sessions refused, for tests."""

    identifies: int = 0
    resumes: int = 0
    invalid_sessions: int = 0


class Gateway:
    """Serves the gateway websocket and routes dispatches to shards."""

    def __init__(
        self,
        state: SandboxState,
        token: str,
        *,
        privileged_intents: int = 0,
        heartbeat_interval: float = 41.25,
    ) -> None:
        self.state = state
        self.token = token
        self.url = ""
        self.privileged_intents = privileged_intents
        self.heartbeat_interval = heartbeat_interval
        self.sessions: dict[str, Session] = {}
        self.shards: dict[int, Session] = {}
        self.stats = GatewayStats()
        self._connections: set[Connection] = set()
        self._closing: set[asyncio.Task[bool]] = set()
        state.subscribe(self._on_change)

    # -- routing -------------------------------------------------------------------------------

    def session_for(self, shard_id: int) -> Session:
        """The session of ``shard_id``; SandboxError if the shard has not identified."""
        session = self.shards.get(shard_id)
        if session is None:
            raise SandboxError(f"shard {shard_id} has not identified: is the bot running?")
        return session

    def shard_for_guild(self, guild_id: int | None) -> int:
        """The shard a guild's events go to, by the shard count the client identified with."""
        session = next(iter(self.shards.values()), None)
        count = session.shard_count if session else self.state.shard_count
        return self.state.shard_of(guild_id, count)

    def dispatch(self, guild_id: int | None, event: str, data: dict[str, Any]) -> Session:
        """Dispatch on the shard owning ``guild_id`` (DMs: shard 0)."""
        session = self.session_for(self.shard_for_guild(guild_id))
        session.dispatch(event, data)
        return session

    def is_ready(self, shard_ids: range) -> bool:
        """Whether every shard of ``shard_ids`` is connected and has had READY."""
        return all(
            (s := self.shards.get(i)) is not None and s.ready and s.connection is not None
            for i in shard_ids
        )

    def _maybe_dispatch(self, guild_id: int | None, intent: int, event: str, data: Any) -> None:
        session = self.shards.get(self.shard_for_guild(guild_id))
        if session is not None and session.ready and session.intents & intent:
            session.dispatch(event, data)

    def _on_change(self, event: str, obj: Any) -> None:
        if isinstance(obj, Message):
            self._message_event(event, obj)
        elif isinstance(obj, Channel) and obj.guild_id is not None:
            names = {"channel_create": "CHANNEL_CREATE", "channel_update": "CHANNEL_UPDATE"}
            self._maybe_dispatch(
                obj.guild_id, GUILDS, names.get(event, "CHANNEL_DELETE"), payloads.channel(obj)
            )
        elif isinstance(obj, Role):
            data = {"guild_id": str(obj.guild_id), "role": payloads.role(obj)}
            name = "GUILD_ROLE_UPDATE" if event == "role_update" else "GUILD_ROLE_CREATE"
            self._maybe_dispatch(obj.guild_id, GUILDS, name, data)
        elif isinstance(obj, Guild):
            self._maybe_dispatch(
                obj.id, GUILDS, "GUILD_CREATE", payloads.guild_create(obj, self.state)
            )

    def _message_event(self, event: str, message: Message) -> None:
        if message.ephemeral:
            return
        intent = GUILD_MESSAGES if message.guild_id else DIRECT_MESSAGES
        if event == "message_delete":
            data: dict[str, Any] = {"id": str(message.id), "channel_id": str(message.channel_id)}
            if message.guild_id:
                data["guild_id"] = str(message.guild_id)
            self._maybe_dispatch(message.guild_id, intent, "MESSAGE_DELETE", data)
            return
        data = payloads.message(message, self.state)
        guild = self.state.guilds.get(message.guild_id) if message.guild_id else None
        if guild is not None and message.author.id in guild.members:
            data["member"] = payloads.member(guild.members[message.author.id], with_user=False)
        name = "MESSAGE_CREATE" if event == "message_create" else "MESSAGE_UPDATE"
        self._maybe_dispatch(message.guild_id, intent, name, data)

    # -- the websocket -------------------------------------------------------------------------

    async def handle(self, request: web.Request) -> web.WebSocketResponse:
        """GET /gateway?v=10&encoding=json[&compress=zlib-stream|zstd-stream]."""
        ws = web.WebSocketResponse(autoping=True, max_msg_size=0)
        await ws.prepare(request)
        compress = request.query.get("compress")
        if request.query.get("encoding", "json") != "json" or (
            compress is not None and compress not in STREAMS
        ):
            await ws.close(
                code=4002,
                message=f"sandbox speaks encoding=json, compress={'|'.join(STREAMS)}".encode(),
            )
            return ws
        conn = Connection(ws, STREAMS[compress]() if compress else None)
        conn.start()
        self._connections.add(conn)
        conn.send_json(
            {"op": HELLO, "d": {"heartbeat_interval": int(self.heartbeat_interval * 1000)}}
        )
        session: Session | None = None
        try:
            async for msg in ws:
                if msg.type != WSMsgType.TEXT:
                    await ws.close(code=4002, message=b"Error while decoding payload.")
                    break
                try:
                    payload = json.loads(msg.data)
                    op = payload["op"]
                except (ValueError, KeyError, TypeError):
                    await ws.close(code=4002, message=b"Error while decoding payload.")
                    break
                if op == HEARTBEAT:
                    conn.send_json({"op": HEARTBEAT_ACK})
                elif op in (IDENTIFY, RESUME) and session is not None:
                    await ws.close(code=4005, message=b"Already authenticated.")
                elif op == IDENTIFY:
                    session = await self._identify(conn, payload.get("d") or {})
                elif op == RESUME:
                    session = self._resume(conn, payload.get("d") or {})
                elif session is None:
                    await ws.close(code=4003, message=b"Not authenticated.")
                elif op == REQUEST_MEMBERS:
                    self._members_chunk(session, payload.get("d") or {})
                elif op not in IGNORED_OPS:
                    await ws.close(code=4001, message=b"Unknown opcode.")
        finally:
            await conn.stop()
            self._connections.discard(conn)
            if session is not None and session.connection is conn:
                session.connection = None
                if ws.close_code in (1000, 1001) and not conn.dropped:
                    self._end(session)  # the client said goodbye: its session cannot resume
            self.state.changed.fire()
        return ws

    async def _identify(self, conn: Connection, d: dict[str, Any]) -> Session | None:
        if d.get("token") != self.token:
            await conn.ws.close(code=4004, message=b"Authentication failed.")
            return None
        shard_id, shard_count = d.get("shard") or (0, 1)
        if not 0 <= shard_id < shard_count:
            await conn.ws.close(code=4010, message=b"Invalid shard.")
            return None
        intents = d.get("intents")
        if not isinstance(intents, int) or intents < 0:
            await conn.ws.close(code=4013, message=b"Invalid intent(s).")
            return None
        if intents & PRIVILEGED_INTENTS & ~self.privileged_intents:
            await conn.ws.close(code=4014, message=b"Disallowed intent(s).")
            return None
        session = Session(uuid.uuid4().hex, shard_id, shard_count, intents, connection=conn)
        old = self.shards.get(shard_id)
        if old is not None:
            self._end(old)
        self.sessions[session.id] = session
        self.shards[shard_id] = session
        self.stats.identifies += 1
        guilds = [
            g
            for g in self.state.guilds.values()
            if self.state.shard_of(g.id, shard_count) == shard_id
        ]
        session.dispatch("READY", self._ready(session, guilds))
        if intents & GUILDS:
            for guild in guilds:
                session.dispatch("GUILD_CREATE", payloads.guild_create(guild, self.state))
        session.ready = True
        self.state.changed.fire()
        return session

    def _resume(self, conn: Connection, d: dict[str, Any]) -> Session | None:
        session = self.sessions.get(d.get("session_id") or "")
        seq = d.get("seq")
        if (
            session is None
            or d.get("token") != self.token
            or not isinstance(seq, int)
            or not session.can_replay_after(seq)
        ):
            self.stats.invalid_sessions += 1
            conn.send_json({"op": INVALID_SESSION, "d": False})
            return None
        previous = session.connection
        if previous is not None and previous is not conn:
            closing = asyncio.create_task(
                previous.ws.close(code=4000, message=b"Resumed elsewhere.")
            )
            self._closing.add(closing)
            closing.add_done_callback(self._closing.discard)
        session.connection = conn
        for event_seq, text in session.backlog:
            if event_seq > seq:
                conn.send(text)
        session.dispatch("RESUMED", {})
        session.resumes += 1
        session.ready = True
        self.shards.setdefault(session.shard_id, session)
        self.stats.resumes += 1
        self.state.changed.fire()
        return session

    def _members_chunk(self, session: Session, d: dict[str, Any]) -> None:
        """Answer REQUEST_GUILD_MEMBERS with one chunk: members by id or by name prefix."""
        guild = self.state.guilds.get(int(d.get("guild_id") or 0))
        if guild is None:
            return
        wanted = {int(u) for u in d.get("user_ids") or []}
        query = (d.get("query") or "").lower()
        members = [
            m
            for m in guild.members.values()
            if (m.user.id in wanted if wanted else m.user.username.lower().startswith(query))
        ]
        chunk: dict[str, Any] = {
            "guild_id": str(guild.id),
            "members": [payloads.member(m) for m in members[: d.get("limit") or None]],
            "chunk_index": 0,
            "chunk_count": 1,
        }
        if wanted:
            chunk["not_found"] = [str(u) for u in wanted - guild.members.keys()]
        if d.get("nonce"):
            chunk["nonce"] = d["nonce"]
        session.dispatch("GUILD_MEMBERS_CHUNK", chunk)

    def _end(self, session: Session) -> None:
        session.ready = False
        self.sessions.pop(session.id, None)
        if self.shards.get(session.shard_id) is session:
            del self.shards[session.shard_id]

    def _ready(self, session: Session, guilds: list[Guild]) -> dict[str, Any]:
        bot = self.state.bot
        return {
            "v": 10,
            "user": payloads.client_user(bot),
            "guilds": [{"id": str(g.id), "unavailable": True} for g in guilds],
            "session_id": session.id,
            "session_type": "normal",
            "resume_gateway_url": self.url,
            "shard": [session.shard_id, session.shard_count],
            "application": {"id": str(bot.id), "flags": 0},
            "private_channels": [],
            "relationships": [],
            "presences": [],
            "guild_join_requests": [],
            "geo_ordered_rtc_regions": ["sandbox"],
            "user_settings": {},
            "auth": {},
            "_trace": ['["sandbox-gateway",{"micros":0}]'],
        }

    # -- test controls -------------------------------------------------------------------------

    async def drop(self, session: Session) -> None:
        """Close a session's socket abnormally (4000) so the client reconnects."""
        if session.connection is None:
            raise SandboxError(f"shard {session.shard_id} is not connected")
        session.connection.dropped = True
        await session.connection.ws.close(code=4000, message=b"sandbox dropped the connection")

    def forget(self, session: Session) -> None:
        """Invalidate a session: a later RESUME of it is answered with INVALID_SESSION."""
        self._end(session)

    async def close(self) -> None:
        """Close every websocket (code 1001), marking it dropped."""
        for conn in list(self._connections):
            conn.dropped = True
            await conn.ws.close(code=1001, message=b"sandbox shutting down")
