"""The test-facing Sandbox: starts the server and acts as Discord's users and clients."""

# Waits take a ``timeout`` so a miss raises SandboxTimeout naming what was awaited.
# ruff: noqa: ASYNC109

from __future__ import annotations

import asyncio
import base64
import secrets
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from sandbox import permissions as perms
from sandbox.commands import CommandStore
from sandbox.errors import SandboxError
from sandbox.gateway import Gateway
from sandbox.interactions import (
    APPLICATION_COMMAND,
    AUTOCOMPLETE,
    MESSAGE_COMPONENT,
    MODAL_SUBMIT,
    Interactions,
    LatencySample,
    PendingInteraction,
    modal_submission,
)
from sandbox.messages import MessageWriter
from sandbox.models import (
    Channel,
    ChannelType,
    ComponentType,
    Guild,
    Member,
    Message,
    Modal,
    Role,
    SelectMenu,
    User,
)
from sandbox.options import OptionContext, build, convert
from sandbox.ratelimit import RateLimiter
from sandbox.rest import API, Fault, FaultKind, RestApi
from sandbox.state import SandboxState
from sandbox.waiting import within

ChannelRef = Channel | int
MessageCheck = Callable[[Message], bool]
_TEXT_CAPABLE = (ChannelType.TEXT, ChannelType.VOICE, ChannelType.DM)
_CHANNEL_KINDS = {
    "text": ChannelType.TEXT,
    "voice": ChannelType.VOICE,
    "category": ChannelType.CATEGORY,
    "forum": ChannelType.FORUM,
}


@dataclass(frozen=True)
class SandboxStats:
    """A snapshot of what the sandbox has served."""

    requests: int
    rate_limited: int
    global_rate_limited: int
    forced_rate_limited: int
    command_syncs: int
    identifies: int
    resumes: int
    invalid_sessions: int
    interactions: int


class Sandbox:
    """A local Discord: REST v10 + gateway for the bot, and user actions for tests."""

    def __init__(
        self,
        *,
        shard_count: int = 1,
        bot_name: str = "Backend Mentor",
        global_limit: int = 50,
        route_limit: int = 5,
        route_window: float = 1.0,
        interaction_deadline: float | None = 3.0,
        timeout: float = 5.0,
        privileged_intents: int = 0,
        heartbeat_interval: float = 41.25,
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        self.timeout = timeout
        self.state = SandboxState(shard_count=shard_count, bot_name=bot_name)
        bot_id = self.state.bot.id
        self.token = (
            base64.b64encode(str(bot_id).encode()).decode().rstrip("=")
            + f".{secrets.token_urlsafe(4)}.{secrets.token_urlsafe(27)}"
        )
        self.commands = CommandStore(self.state.ids, bot_id)
        self.limiter = RateLimiter(
            route_limit=route_limit, route_window=route_window, global_limit=global_limit
        )
        self.gateway = Gateway(
            self.state,
            self.token,
            privileged_intents=privileged_intents,
            heartbeat_interval=heartbeat_interval,
        )
        self.writer = MessageWriter(self.state)
        self.interactions = Interactions(
            self.state, self.gateway, self.writer, deadline=interaction_deadline
        )
        self._rest = RestApi(
            state=self.state,
            commands=self.commands,
            interactions=self.interactions,
            writer=self.writer,
            limiter=self.limiter,
            gateway=self.gateway,
            token=self.token,
        )
        self._host, self._port = host, port
        self._runner: web.AppRunner | None = None
        self.api_base = ""
        self.gateway_url = ""

    # -- lifecycle -----------------------------------------------------------------------------

    async def start(self) -> Sandbox:
        """Serve on ``host:port`` (port 0: an ephemeral port); fills api_base and gateway_url."""
        app = web.Application(middlewares=[self._rest.middleware])
        app.add_routes([web.get("/gateway", self.gateway.handle), *self._rest.routes()])
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self._host, self._port)
        await site.start()
        host, port = self._runner.addresses[0][:2]
        self.state.cdn_base = f"http://{host}:{port}"
        self.api_base = f"http://{host}:{port}{API}"
        self.gateway_url = f"ws://{host}:{port}/gateway"
        self.gateway.url = self.gateway_url
        return self

    async def close(self) -> None:
        """Drop every gateway connection and stop serving."""
        await self.gateway.close()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> Sandbox:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    # -- the world -----------------------------------------------------------------------------

    @property
    def bot(self) -> User:
        """The bot's user (its id is also the application id)."""
        return self.state.bot

    @property
    def shard_count(self) -> int:
        """How many shards the bot must run."""
        return self.state.shard_count

    def add_guild(
        self, name: str, *, shard: int | None = None, ids: Mapping[str, int] | None = None
    ) -> Guild:
        """A server with #general (text), a voice channel and a category; the bot is in it.

        ``ids`` restores known ids ("guild", "category", "general", "voice").
        """
        return self.state.add_guild(name, shard=shard, ids=ids)

    def add_user(
        self,
        username: str,
        *,
        global_name: str | None = None,
        locale: str = "en-US",
        id: int | None = None,
    ) -> User:
        """A new (human) user; the bot sees their ``locale`` in interactions."""
        user = self.state.add_user(username, global_name=global_name, id=id)
        user.locale = locale
        return user

    def add_member(
        self,
        guild: Guild,
        user: User,
        *,
        manage_guild: bool = False,
        administrator: bool = False,
        roles: Iterable[Role] = (),
        nick: str | None = None,
    ) -> Member:
        """``user`` joins ``guild`` with ``roles`` (and a Manage Server or Administrator role)."""
        return self.state.add_member(
            guild,
            user,
            manage_guild=manage_guild,
            administrator=administrator,
            roles=list(roles),
            nick=nick,
        )

    def add_channel(
        self,
        guild: Guild,
        name: str,
        kind: str | ChannelType = "text",
        *,
        parent: Channel | None = None,
        topic: str | None = None,
    ) -> Channel:
        """A channel of kind text, voice, category or forum."""
        channel_type = _CHANNEL_KINDS[kind] if isinstance(kind, str) else kind
        return self.state.add_channel(guild, name, channel_type, parent=parent, topic=topic)

    def add_role(self, guild: Guild, name: str, permissions: int = 0) -> Role:
        """A new role, placed at the top of the list (above the bot's own role)."""
        return self.state.add_role(guild, name, permissions)

    def bot_role(self, guild: Guild) -> Role:
        """The role Discord made for the bot when it joined ``guild`` (managed, not assignable)."""
        return next(r for r in guild.roles.values() if r.managed_by == self.state.bot.id)

    def move_role(self, guild: Guild, role: Role, position: int) -> None:
        """Drag ``role`` to ``position`` in Server Settings → Roles (1: just above @everyone)."""
        self.state.move_role(guild, role, position)

    def set_role_permissions(self, role: Role, permissions: int) -> None:
        """Change what a role grants (GUILD_ROLE_UPDATE is dispatched)."""
        self.state.set_role_permissions(role, permissions)

    async def wait_for_roles(
        self,
        guild: Guild,
        user: User,
        check: Callable[[list[Role]], bool],
        *,
        timeout: float | None = None,
    ) -> list[Role]:
        """The member's roles once ``check`` accepts them (re-checked on every change)."""

        def found() -> list[Role] | None:
            roles = self.member_roles(guild, user)
            return roles if check(roles) else None

        result = await self.state.changed.wait_for(
            lambda: found() is not None,
            self.timeout if timeout is None else timeout,
            f"the roles of {user.username} in {guild.name!r}",
        )
        assert result
        return self.member_roles(guild, user)

    def member_roles(self, guild: Guild, user: User) -> list[Role]:
        """The roles ``user`` holds in ``guild``, lowest first."""
        member = self.state.member(guild, user)
        return sorted((guild.roles[r] for r in member.role_ids), key=lambda r: r.position)

    # -- failure switches ----------------------------------------------------------------------

    def close_dms(self, user: User) -> None:
        """DMs from the bot to ``user`` fail with 403 / 50007."""
        user.dms_closed = True

    def forbid_channel(self, channel: ChannelRef) -> None:
        """The bot loses send permission in ``channel`` (posting gives 403 / 50013)."""
        self.state.forbid_channel(self._channel(channel))

    def delete_channel(self, channel: ChannelRef) -> None:
        """The channel disappears (REST gives 404 / 10003; CHANNEL_DELETE is dispatched)."""
        self.state.delete_channel(self._channel(channel))

    def force_429(
        self,
        method: str,
        path_prefix: str,
        retry_after: float = 0.2,
        *,
        count: int = 1,
        is_global: bool = False,
    ) -> None:
        """The next ``count`` requests whose path starts with ``path_prefix`` get a 429."""
        path_prefix = path_prefix.removeprefix(self.api_base).removeprefix(API)
        self.limiter.force(method, path_prefix, retry_after, count, is_global)

    def inject_fault(
        self, method: str, path_prefix: str, kind: FaultKind = "reset", *, count: int = 1
    ) -> Fault:
        """The next ``count`` requests whose path starts with ``path_prefix`` meet ``kind``.

        ``kind`` is a connection reset before (``reset``) or after (``reset-after``) the
        request is handled, a 500, no answer ever (``hang``, ``hang-after``), or an answer
        only after ``fault.released.set()`` (``hold``). The returned fault counts its
        ``hits``; ``await sandbox.wait_for_fault(fault)`` waits for one.
        """
        path_prefix = path_prefix.removeprefix(self.api_base).removeprefix(API)
        fault = Fault(method, path_prefix, kind, count)
        self._rest.faults.append(fault)
        return fault

    async def wait_for_fault(
        self, fault: Fault, hits: int = 1, timeout: float | None = None
    ) -> None:
        """Until ``fault`` has been met ``hits`` times."""
        await self.state.changed.wait_for(
            lambda: fault.hits >= hits,
            timeout or self.timeout,
            f"{fault.kind} on {fault.path_prefix}",
        )

    @property
    def nonce_window(self) -> float:
        """How long (seconds) a message nonce is remembered for ``enforce_nonce``."""
        return self._rest.nonce_window

    @nonce_window.setter
    def nonce_window(self, seconds: float) -> None:
        self._rest.nonce_window = seconds

    async def disconnect_shard(
        self,
        shard_id: int,
        *,
        resumable: bool = True,
        wait: bool = True,
        timeout: float | None = None,
    ) -> None:
        """Drop a shard's socket (close code 4000); by default wait until the shard is back.

        The client RESUMEs, or re-IDENTIFYs when ``resumable`` is False (the session is
        forgotten, so RESUME gets INVALID_SESSION).
        """
        session = self.gateway.session_for(shard_id)
        resumes, identifies = session.resumes, self.gateway.stats.identifies
        if not resumable:
            self.gateway.forget(session)
        await self.gateway.drop(session)
        if not wait:
            return

        def back() -> bool:
            if resumable:
                return session.resumes > resumes and session.connection is not None
            identified = self.gateway.stats.identifies > identifies
            return identified and self.gateway.is_ready(range(shard_id, shard_id + 1))

        what = f"shard {shard_id} to {'RESUME' if resumable else 'IDENTIFY again'}"
        await self.state.changed.wait_for(back, timeout or self.timeout, what)

    # -- readiness -----------------------------------------------------------------------------

    async def wait_until_ready(self, timeout: float | None = None) -> None:
        """Until every shard has identified (or resumed) and been sent its guilds."""
        shards = range(self.shard_count)
        await self.state.changed.wait_for(
            lambda: self.gateway.is_ready(shards),
            timeout or self.timeout,
            f"all {self.shard_count} shard(s) to connect and receive READY",
        )

    async def wait_for_commands(
        self, guild: Guild | None = None, timeout: float | None = None
    ) -> list[dict[str, Any]]:
        """Until the bot has registered commands (any, or visible in ``guild``).

        Returns the chat-input commands visible in ``guild`` (global ones if None).
        """
        scope = guild.id if guild else None

        def synced() -> bool:
            return bool(self.commands.visible(scope)) if guild else self.commands.total() > 0

        await self.state.changed.wait_for(
            synced, timeout or self.timeout, "the bot to sync commands"
        )
        return self.commands.visible(scope)

    @property
    def stats(self) -> SandboxStats:
        """What the REST server and the gateway have counted so far."""
        limits, gateway = self.limiter.stats, self.gateway.stats
        return SandboxStats(
            requests=limits.requests,
            rate_limited=limits.rate_limited,
            global_rate_limited=limits.global_rate_limited,
            forced_rate_limited=limits.forced,
            command_syncs=self.commands.bulk_overwrites,
            identifies=gateway.identifies,
            resumes=gateway.resumes,
            invalid_sessions=gateway.invalid_sessions,
            interactions=len(self.interactions.pending),
        )

    @property
    def internal_errors(self) -> list[Exception]:
        """Exceptions the sandbox itself raised while serving (answered 503); should be empty."""
        return list(self._rest.internal_errors)

    @property
    def latencies(self) -> list[LatencySample]:
        """Every interaction's INTERACTION_CREATE → callback time, in order of callback."""
        return list(self.interactions.latencies)

    # -- acting as a user ----------------------------------------------------------------------

    async def run_command(
        self,
        command: str,
        *,
        user: User,
        guild: Guild | None = None,
        channel: ChannelRef | None = None,
        bypass_permissions: bool = False,
        unchecked: bool = False,
        timeout: float | None = None,
        options: dict[str, Any] | None = None,
        **more_options: Any,
    ) -> Any:
        """Invoke ``/command`` ("quiz practice" for sub-commands) and return what the user sees.

        ``unchecked=True`` sends option values Discord's client would refuse (out of range,
        too long, a wrong channel type) — to test the bot's own validation.

        That is the response Message (for a deferred response: once edited or followed up),
        or a Modal. Options go in as keywords; names that clash with this
        method's own parameters (``channel``, ``user``…) go in ``options``.
        """
        values = {**(options or {}), **more_options}
        record = self._invoke(
            command, user, guild, channel, values, bypass_permissions, unchecked=unchecked
        )
        return await self._result(record, timeout)

    async def autocomplete(
        self,
        command: str,
        option: str,
        value: str,
        *,
        user: User,
        guild: Guild | None = None,
        channel: ChannelRef | None = None,
        timeout: float | None = None,
        options: dict[str, Any] | None = None,
        **more_options: Any,
    ) -> list[dict[str, Any]]:
        """Type ``value`` into ``option`` and return the bot's choices ({"name", "value"})."""
        values = {**(options or {}), **more_options, option: value}
        record = self._invoke(command, user, guild, channel, values, False, focused=option)
        choices: list[dict[str, Any]] = await self._result(record, timeout)
        return choices

    async def click(
        self, message: Message | int, button: str, *, user: User, timeout: float | None = None
    ) -> Any:
        """Press a button (by label or custom_id): returns the updated/new Message or a Modal."""
        message = self._visible_message(message, user)
        found = _pick(message.buttons, button, lambda b: (b.label, b.custom_id))
        if found is None:
            labels = ", ".join(repr(b.label or b.custom_id) for b in message.buttons) or "none"
            raise SandboxError(f"no button {button!r} on message {message.id} (buttons: {labels})")
        if found.disabled:
            raise SandboxError(f"button {button!r} is disabled")
        if found.custom_id is None:
            raise SandboxError(
                f"button {button!r} is a link ({found.url}); it opens no interaction"
            )
        data = {"custom_id": found.custom_id, "component_type": int(ComponentType.BUTTON)}
        record = self._component(message, user, data, f"button {found.label or found.custom_id!r}")
        return await self._result(record, timeout)

    async def press(
        self,
        message: Message | int,
        custom_id: str,
        *,
        user: User,
        timeout: float | None = None,
        attach: bool = False,
    ) -> Any:
        """Send a button click with any ``custom_id`` from ``message``, as a modified client can.

        It proves that the bot trusts nothing in a custom id (someone else's post, another
        server's question). discord.py drops a custom id the message does not carry;
        ``attach=True`` first puts a button with it on the message (what the bot would
        see from a stale or doctored message), so the click reaches the bot's own checks.
        """
        message = self._visible_message(message, user)
        if attach and all(b.custom_id != custom_id for b in message.buttons):
            message.components.append(
                {
                    "type": int(ComponentType.ACTION_ROW),
                    "components": [
                        {
                            "type": int(ComponentType.BUTTON),
                            "style": 2,
                            "label": "crafted",
                            "custom_id": custom_id,
                        }
                    ],
                }
            )
        data = {"custom_id": custom_id, "component_type": int(ComponentType.BUTTON)}
        record = self._component(message, user, data, f"crafted button {custom_id!r}")
        return await self._result(record, timeout)

    async def select(
        self,
        message: Message | int,
        menu: str,
        values: list[Any],
        *,
        user: User,
        timeout: float | None = None,
    ) -> Any:
        """Pick ``values`` in a select menu (by custom_id or placeholder); returns like click."""
        message = self._visible_message(message, user)
        found = _pick(message.selects, menu, lambda s: (s.placeholder, s.custom_id))
        if found is None:
            names = ", ".join(repr(s.placeholder or s.custom_id) for s in message.selects) or "none"
            raise SandboxError(f"no select menu {menu!r} on message {message.id} (menus: {names})")
        if found.disabled:
            raise SandboxError(f"select menu {menu!r} is disabled")
        if not found.min_values <= len(values) <= found.max_values:
            raise SandboxError(
                f"select menu {menu!r} takes {found.min_values}..{found.max_values} values"
            )
        data = {"custom_id": found.custom_id, "component_type": int(found.type)}
        data.update(self._select_values(found, values, message))
        record = self._component(message, user, data, f"select {menu!r}")
        return await self._result(record, timeout)

    async def submit_modal(
        self,
        modal: Modal,
        values: dict[str, Any],
        *,
        user: User | None = None,
        timeout: float | None = None,
    ) -> Any:
        """Fill in and submit a modal the bot opened; returns what the submission produced."""
        submitter = user or self.state.users[modal.user_id]
        if submitter.id != modal.user_id:
            raise SandboxError(f"modal {modal.title!r} was shown to another user")
        source = (
            self.state.find_message(modal.source_message_id) if modal.source_message_id else None
        )
        guild = self.state.guilds.get(modal.guild_id) if modal.guild_id else None
        record = self.interactions.start(
            MODAL_SUBMIT,
            f"modal {modal.title!r}",
            {"custom_id": modal.custom_id, "components": modal_submission(modal, values)},
            user=submitter,
            guild=guild,
            channel=self.state.channels[modal.channel_id],
            source=source,
        )
        return await self._result(record, timeout)

    async def drive(
        self,
        command: str,
        n: int,
        concurrency: int,
        *,
        user: User,
        guild: Guild | None = None,
        channel: ChannelRef | None = None,
        timeout: float | None = None,
        options: dict[str, Any] | None = None,
        **more_options: Any,
    ) -> list[float]:
        """Run ``command`` ``n`` times, ``concurrency`` in flight; returns each one's latency.

        Latency is INTERACTION_CREATE sent → callback received (seconds, perf_counter);
        every response is awaited so a failing bot raises instead of producing figures.
        """
        gate = asyncio.Semaphore(concurrency)
        values = {**(options or {}), **more_options}

        async def one() -> float:
            async with gate:
                record = self._invoke(command, user, guild, channel, values, False)
                await self._result(record, timeout)
                assert record.acked_at is not None
                return record.acked_at - record.sent_at

        return list(await asyncio.gather(*(one() for _ in range(n))))

    # -- reading what happened -----------------------------------------------------------------

    def post_as(self, user: User, channel: ChannelRef, content: str) -> Message:
        """A member writes in a channel (MESSAGE_CREATE is dispatched as usual)."""
        return self.writer.create(self._channel(channel), {"content": content}, {}, author=user)

    def channel_messages(
        self, channel: ChannelRef, visible_to: User | None = None
    ) -> list[Message]:
        """Messages in ``channel``: public ones, plus ``visible_to``'s ephemeral ones."""
        return self.state.visible_messages(
            self._channel(channel), visible_to.id if visible_to else None
        )

    def dm_messages(self, user: User) -> list[Message]:
        """Messages between the bot and ``user`` in their DM."""
        channel = self.state.dm_channels.get(user.id)
        return list(channel.messages.values()) if channel else []

    def message(self, message_id: int) -> Message:
        """The message ``message_id``, wherever it is; SandboxError if none."""
        found = self.state.find_message(message_id)
        if found is None:
            raise SandboxError(f"no message {message_id}")
        return found

    async def wait_for_message(
        self,
        channel: ChannelRef,
        check: MessageCheck | None = None,
        *,
        timeout: float | None = None,
        visible_to: User | None = None,
        include_existing: bool = True,
    ) -> Message:
        """The first message in ``channel`` passing ``check`` (re-checked on every change)."""
        target = self._channel(channel)
        viewer = visible_to.id if visible_to else None
        skip = set() if include_existing else set(target.messages)

        def found() -> Message | None:
            for message in self.state.visible_messages(target, viewer):
                if (
                    message.id not in skip
                    and not message.loading
                    and (check is None or check(message))
                ):
                    return message
            return None

        where = f"#{target.name}" if target.name else f"channel {target.id}"
        return await self.state.changed.wait_for(
            found, timeout or self.timeout, f"a message in {where}"
        )

    async def wait_for_dm(
        self, user: User, check: MessageCheck | None = None, *, timeout: float | None = None
    ) -> Message:
        """The first DM from the bot to ``user`` passing ``check``."""

        def found() -> Message | None:
            return next((m for m in self.dm_messages(user) if check is None or check(m)), None)

        return await self.state.changed.wait_for(
            found, timeout or self.timeout, f"a DM to {user.username}"
        )

    # -- internals -----------------------------------------------------------------------------

    def _channel(self, channel: ChannelRef) -> Channel:
        if isinstance(channel, Channel):
            return channel
        found = self.state.channels.get(channel)
        if found is None:
            raise SandboxError(f"no channel {channel}")
        return found

    def _invoke(
        self,
        command: str,
        user: User,
        guild: Guild | None,
        channel: ChannelRef | None,
        values: dict[str, Any],
        bypass_permissions: bool,
        *,
        focused: str | None = None,
        unchecked: bool = False,
    ) -> PendingInteraction:
        words = command.strip().removeprefix("/").split()
        if not words:
            raise SandboxError("no command given")
        name = words[0]
        definition = self.commands.find(name, guild.id if guild else None)
        if definition is None:
            synced = sorted(c["name"] for c in self.commands.visible(guild.id if guild else None))
            raise SandboxError(
                f"no command /{name} is synced here (synced: {', '.join(synced) or 'none'})"
            )
        contexts = definition.get("contexts")
        member: Member | None = None
        where: Channel | None
        if guild is None:
            if (
                definition.get("guild_id")
                or definition.get("dm_permission") is False
                or (contexts is not None and 1 not in contexts)
            ):
                raise SandboxError(f"/{name} is not available in DMs")
            where = self._channel(channel) if channel is not None else self.state.dm_channel(user)
        else:
            member = self.state.member(guild, user)
            where = self._channel(channel) if channel is not None else guild.general
            assert where is not None
            if where.guild_id != guild.id or where.deleted or where.type not in _TEXT_CAPABLE:
                raise SandboxError(
                    f"commands cannot be used in channel {where.name!r} of {guild.name!r}"
                )
            if contexts is not None and 0 not in contexts:
                raise SandboxError(f"/{name} is not available in servers")
            required = definition.get("default_member_permissions")
            if required is not None and not bypass_permissions:
                needed = int(required) or perms.ADMINISTRATOR
                if not perms.has_all(self.state.base_permissions(guild, member), needed):
                    raise SandboxError(
                        f"/{name} is hidden from {user.username}: it needs permissions {needed:#x} "
                        "(pass bypass_permissions=True to simulate a server that changed them)"
                    )
        invocation = build(
            definition,
            words[1:],
            values,
            OptionContext(self.state, guild, member, where),
            focused=focused,
            unchecked=unchecked,
        )
        data: dict[str, Any] = {
            "id": definition["id"],
            "name": name,
            "type": 1,
            "options": invocation.options,
        }
        if invocation.resolved:
            data["resolved"] = invocation.resolved
        if definition.get("guild_id"):
            data["guild_id"] = definition["guild_id"]
        kind = AUTOCOMPLETE if focused else APPLICATION_COMMAND
        label = "/" + " ".join(invocation.path) + (f" (autocomplete {focused})" if focused else "")
        return self.interactions.start(
            kind,
            label,
            data,
            user=user,
            guild=guild,
            channel=where,
            metadata={"name": " ".join(invocation.path), "command_type": 1},
        )

    def _visible_message(self, message: Message | int, user: User) -> Message:
        current = self.message(message if isinstance(message, int) else message.id)
        if not current.visible_for(user.id):
            raise SandboxError(
                f"message {current.id} is ephemeral and not visible to {user.username}"
            )
        return current

    def _component(
        self, message: Message, user: User, data: dict[str, Any], label: str
    ) -> PendingInteraction:
        guild = self.state.guilds.get(message.guild_id) if message.guild_id else None
        if guild is not None:
            self.state.member(guild, user)
        return self.interactions.start(
            MESSAGE_COMPONENT,
            label,
            data,
            user=user,
            guild=guild,
            channel=self.state.channels[message.channel_id],
            source=message,
            metadata={"interacted_message_id": str(message.id)},
        )

    def _select_values(
        self, menu: SelectMenu, values: list[Any], message: Message
    ) -> dict[str, Any]:
        if menu.type == ComponentType.STRING_SELECT:
            chosen = []
            for value in values:
                option = next(
                    (o for o in menu.options if value in (o["value"], o.get("label"))), None
                )
                if option is None:
                    offered = ", ".join(repr(o["value"]) for o in menu.options)
                    raise SandboxError(
                        f"select {menu.custom_id!r} has no option {value!r} ({offered})"
                    )
                chosen.append(option["value"])
            return {"values": chosen}
        option_type = {
            ComponentType.USER_SELECT: 6,
            ComponentType.ROLE_SELECT: 8,
            ComponentType.MENTIONABLE_SELECT: 9,
            ComponentType.CHANNEL_SELECT: 7,
        }[menu.type]
        guild = self.state.guilds.get(message.guild_id) if message.guild_id else None
        ctx = OptionContext(self.state, guild, None, self.state.channels[message.channel_id])
        definition = {"name": menu.custom_id, "type": option_type}
        resolved: dict[str, Any] = {}
        where = f"select {menu.custom_id!r}"
        ids = [convert(definition, value, ctx, resolved, where) for value in values]
        return {"values": ids, "resolved": resolved}

    async def _result(self, record: PendingInteraction, timeout: float | None) -> Any:
        limit = timeout or self.timeout
        deadline = self.interactions.deadline
        await within(
            record.acknowledged,
            min(limit, deadline) if deadline else limit,
            f"the bot to respond to {record.name} ('The application did not respond')",
        )
        return await within(
            record.outcome,
            limit,
            f"the deferred response to {record.name} (an edit of @original or a followup)",
        )


def _pick(items: list[Any], wanted: str, keys: Callable[[Any], tuple[str | None, ...]]) -> Any:
    def exactly(names: tuple[str | None, ...]) -> bool:
        return wanted in names

    def ignoring_case(names: tuple[str | None, ...]) -> bool:
        return wanted.casefold() in {name.casefold() for name in names if name}

    for match in (exactly, ignoring_case):
        for item in items:
            if match(keys(item)):
                return item
    return None
