"""REST API v10 routes: auth, rate limits, errors, and the endpoints discord.py calls."""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from aiohttp import web

from sandbox import payloads
from sandbox import permissions as perms
from sandbox.commands import CommandStore
from sandbox.errors import (
    CANNOT_DM,
    CANNOT_EDIT_OTHERS,
    MISSING_ACCESS,
    MISSING_PERMISSIONS,
    NON_TEXT_CHANNEL,
    UNAUTHORIZED,
    UNKNOWN_CHANNEL,
    UNKNOWN_GUILD,
    UNKNOWN_MEMBER,
    UNKNOWN_MESSAGE,
    UNKNOWN_ROLE,
    UNKNOWN_USER,
    ApiError,
    api_error,
)
from sandbox.gateway import Gateway
from sandbox.interactions import Interactions
from sandbox.messages import MessageWriter, read_body
from sandbox.models import Channel, ChannelType, Guild, Member, Message
from sandbox.ratelimit import RateLimiter, Verdict
from sandbox.state import SandboxState

API = "/api/v10"
NONCE_WINDOW_SECONDS = 300.0
FaultKind = Literal["reset", "reset-after", "500", "hang", "hang-after", "hold"]


@dataclass
class Fault:
    """A transport or server failure the next ``remaining`` matching requests meet.

    ``reset`` drops the connection before the request is handled; ``reset-after`` handles
    it (a message is created) and then drops the connection, so the client never sees
    the response; ``500`` answers Internal Server Error; ``hang`` and ``hang-after`` never
    answer (before or after handling), for killing a client mid-request; ``hold`` waits
    until ``released`` is set, then handles the request normally.
    """

    method: str
    path_prefix: str
    kind: FaultKind
    remaining: int
    hits: int = 0
    released: asyncio.Event = field(default_factory=asyncio.Event)


log = logging.getLogger(__name__)
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def _json(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> web.Response:
    """JSON with exactly ``Content-Type: application/json``, which discord.py checks for."""
    body = json.dumps(data, separators=(",", ":")).encode()
    return web.Response(
        body=body, status=status, headers={**(headers or {}), "Content-Type": "application/json"}
    )


def _too_many_requests(verdict: Verdict) -> web.Response:
    """Discord's 429 (the Via header tells discord.py it is not a Cloudflare ban)."""
    body = {
        "message": "You are being rate limited.",
        "retry_after": verdict.retry_after,
        "global": verdict.scope == "global",
    }
    return _json(body, 429, {**verdict.headers, "Via": "1.1 google"})


def _no_content() -> web.Response:
    return web.Response(status=204)


def _id(request: web.Request, name: str) -> int:
    try:
        return int(request.match_info[name])
    except ValueError:
        raise ApiError(404, 0, "404: Not Found") from None


class RestApi:
    """The HTTP side of the sandbox; handlers stay thin and delegate to the domain objects."""

    def __init__(
        self,
        *,
        state: SandboxState,
        commands: CommandStore,
        interactions: Interactions,
        writer: MessageWriter,
        limiter: RateLimiter,
        gateway: Gateway,
        token: str,
    ) -> None:
        self.state = state
        self.commands = commands
        self.interactions = interactions
        self.writer = writer
        self.limiter = limiter
        self.gateway = gateway
        self.token = token
        self.internal_errors: list[Exception] = []
        self.faults: list[Fault] = []
        self.nonce_window = NONCE_WINDOW_SECONDS
        self._nonces: dict[tuple[int, str], tuple[Message, float]] = {}

    def routes(self) -> list[web.RouteDef]:
        """Every REST route the sandbox serves, with its handler."""
        app_cmds = API + "/applications/{application_id}/commands"
        guild_cmds = API + "/applications/{application_id}/guilds/{guild_id}/commands"
        messages = API + "/channels/{channel_id}/messages"
        webhook = API + "/webhooks/{application_id}/{token}"
        member_role = API + "/guilds/{guild_id}/members/{user_id}/roles/{role_id}"
        return [
            web.get(API + "/users/@me", self.me),
            web.get(API + "/users/{user_id}", self.get_user),
            web.post(API + "/users/@me/channels", self.open_dm),
            web.get(API + "/oauth2/applications/@me", self.application),
            web.get(API + "/applications/@me", self.application),
            web.get(API + "/gateway", self.gateway_url),
            web.get(API + "/gateway/bot", self.gateway_bot),
            web.get(app_cmds, self.list_commands),
            web.put(app_cmds, self.overwrite_commands),
            web.post(app_cmds, self.create_command),
            web.get(app_cmds + "/{command_id}", self.get_command),
            web.patch(app_cmds + "/{command_id}", self.edit_command),
            web.delete(app_cmds + "/{command_id}", self.delete_command),
            web.get(guild_cmds, self.list_commands),
            web.put(guild_cmds, self.overwrite_commands),
            web.post(guild_cmds, self.create_command),
            web.get(guild_cmds + "/permissions", self.command_permissions),
            web.get(guild_cmds + "/{command_id}", self.get_command),
            web.patch(guild_cmds + "/{command_id}", self.edit_command),
            web.delete(guild_cmds + "/{command_id}", self.delete_command),
            web.get(API + "/channels/{channel_id}", self.get_channel),
            web.get(messages, self.list_messages),
            web.post(messages, self.send_message),
            web.get(messages + "/{message_id}", self.get_message),
            web.patch(messages + "/{message_id}", self.edit_message),
            web.delete(messages + "/{message_id}", self.delete_message),
            web.put(messages + "/{message_id}/reactions/{emoji}/@me", self.add_reaction),
            web.delete(messages + "/{message_id}/reactions/{emoji}/@me", self.remove_reaction),
            web.post(API + "/channels/{channel_id}/typing", self.typing),
            web.get(API + "/guilds/{guild_id}", self.get_guild),
            web.get(API + "/guilds/{guild_id}/channels", self.guild_channels),
            web.get(API + "/guilds/{guild_id}/roles", self.guild_roles),
            web.get(API + "/guilds/{guild_id}/members/{user_id}", self.guild_member),
            web.put(member_role, self.add_member_role),
            web.delete(member_role, self.remove_member_role),
            web.post(
                API + "/interactions/{interaction_id}/{token}/callback", self.interaction_callback
            ),
            web.post(webhook, self.webhook_execute),
            web.get(webhook + "/messages/{message_id}", self.webhook_get),
            web.patch(webhook + "/messages/{message_id}", self.webhook_edit),
            web.delete(webhook + "/messages/{message_id}", self.webhook_delete),
            web.get("/attachments/{channel_id}/{attachment_id}/{filename}", self.attachment),
        ]

    @web.middleware
    async def middleware(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        """Auth, rate limits and Discord-shaped errors for every /api/v10 request."""
        if not request.path.startswith(API):
            return await handler(request)
        info = request.match_info
        resource = info.route.resource
        template = resource.canonical if resource is not None else request.path
        relative = request.path[len(API) :]
        token_route = "token" in info
        if not token_route and request.headers.get("Authorization") != f"Bot {self.token}":
            return _json(api_error(UNAUTHORIZED).body(), 401)
        major = next(
            (info[k] for k in ("channel_id", "guild_id", "interaction_id") if k in info),
            f"{info.get('application_id')}+{info.get('token')}" if token_route else "",
        )
        verdict = self.limiter.check(
            request.method, relative, template, major, global_exempt=token_route
        )
        if verdict.limited:
            return _too_many_requests(verdict)
        fault, released = self._take_fault(request.method, relative)
        if fault == "hold":
            await released.wait()
        if fault == "500":
            return _json({"message": "500: Internal Server Error", "code": 0}, 500)
        if fault == "reset":
            return self._reset(request)
        if fault == "hang":
            await asyncio.Event().wait()
        try:
            response = await handler(request)
            if fault == "reset-after":
                return self._reset(request)
            if fault == "hang-after":
                await asyncio.Event().wait()
        except ApiError as error:
            response = _json(error.body(), error.status)
        except web.HTTPException as error:
            response = _json(
                {"message": f"{error.status}: {error.reason}", "code": 0}, error.status
            )
        except Exception as error:  # a sandbox bug: fail loudly, never make discord.py retry
            log.exception("sandbox failed on %s %s", request.method, request.path)
            self.internal_errors.append(error)
            response = _json({"message": f"sandbox error: {error!r}", "code": 0}, 503)
        response.headers.update(verdict.headers)
        return response

    def _take_fault(self, method: str, path: str) -> tuple[FaultKind | None, asyncio.Event]:
        for fault in self.faults:
            if (
                fault.remaining > 0
                and fault.method == method
                and path.startswith(fault.path_prefix)
            ):
                fault.remaining -= 1
                fault.hits += 1
                self.state.changed.fire()
                return fault.kind, fault.released
        return None, asyncio.Event()

    @staticmethod
    def _reset(request: web.Request) -> web.StreamResponse:
        """Drop the connection without an answer, as a reset on the way back would."""
        if request.transport is not None:
            request.transport.abort()
        return web.Response(status=204)

    # -- identity and gateway ------------------------------------------------------------------

    async def me(self, request: web.Request) -> web.Response:
        """GET /users/@me: the bot's user."""
        return _json(payloads.client_user(self.state.bot))

    async def get_user(self, request: web.Request) -> web.Response:
        """GET /users/{user_id}."""
        user = self.state.users.get(_id(request, "user_id"))
        if user is None:
            raise api_error(UNKNOWN_USER)
        return _json(payloads.user(user))

    async def open_dm(self, request: web.Request) -> web.Response:
        """POST /users/@me/channels: the DM channel with a (non-bot) user."""
        body = await request.json()
        user = self.state.users.get(int(body.get("recipient_id", 0)))
        if user is None or user.bot:
            raise ApiError(400, 50033, "Invalid Recipient(s)")
        return _json(payloads.channel(self.state.dm_channel(user)))

    async def application(self, request: web.Request) -> web.Response:
        """GET /applications/@me (and the OAuth2 form): the bot's application."""
        return _json(payloads.application(self.state))

    async def gateway_url(self, request: web.Request) -> web.Response:
        """GET /gateway."""
        return _json({"url": self.gateway.url})

    async def gateway_bot(self, request: web.Request) -> web.Response:
        """GET /gateway/bot: the URL, shard count and session start limit."""
        remaining = max(1000 - self.gateway.stats.identifies, 0)
        return _json(
            {
                "url": self.gateway.url,
                "shards": self.state.shard_count,
                "session_start_limit": {
                    "total": 1000,
                    "remaining": remaining,
                    "reset_after": 86_400_000,
                    "max_concurrency": 1,
                },
            }
        )

    # -- application commands ------------------------------------------------------------------

    def _command_scope(self, request: web.Request) -> int | None:
        if _id(request, "application_id") != self.state.bot.id:
            raise ApiError(404, 10002, "Unknown Application")
        if "guild_id" not in request.match_info:
            return None
        guild = self._guild(request)
        return guild.id

    async def list_commands(self, request: web.Request) -> web.Response:
        """GET the global or guild commands."""
        return _json(self.commands.in_scope(self._command_scope(request)))

    async def overwrite_commands(self, request: web.Request) -> web.Response:
        """PUT (bulk overwrite) the global or guild commands."""
        scope = self._command_scope(request)
        result = self.commands.bulk_overwrite(scope, await request.json())
        self.state.changed.fire()
        return _json(result)

    async def create_command(self, request: web.Request) -> web.Response:
        """POST one command: 201 if new, 200 if it replaced one."""
        scope = self._command_scope(request)
        command, created = self.commands.upsert(scope, await request.json())
        self.state.changed.fire()
        return _json(command, 201 if created else 200)

    async def get_command(self, request: web.Request) -> web.Response:
        """GET one command."""
        scope = self._command_scope(request)
        return _json(self.commands.get(scope, _id(request, "command_id")))

    async def edit_command(self, request: web.Request) -> web.Response:
        """PATCH one command."""
        scope = self._command_scope(request)
        command = self.commands.edit(scope, _id(request, "command_id"), await request.json())
        return _json(command)

    async def delete_command(self, request: web.Request) -> web.Response:
        """DELETE one command."""
        self.commands.delete(self._command_scope(request), _id(request, "command_id"))
        return _no_content()

    async def command_permissions(self, request: web.Request) -> web.Response:
        """GET the guild's command permissions (none are ever set here)."""
        self._command_scope(request)
        return _json([])

    # -- channels and messages -----------------------------------------------------------------

    def _channel(self, request: web.Request) -> Channel:
        channel = self.state.channel(_id(request, "channel_id"))
        if channel is None:
            raise api_error(UNKNOWN_CHANNEL)
        return channel

    def _sendable(self, request: web.Request) -> Channel:
        channel = self._channel(request)
        if channel.type == ChannelType.DM:
            assert channel.recipient is not None
            if channel.recipient.dms_closed:
                raise api_error(CANNOT_DM)
        elif channel.type not in (ChannelType.TEXT, ChannelType.VOICE):
            raise api_error(NON_TEXT_CHANNEL)
        elif not self.state.bot_can_send(channel):
            raise api_error(MISSING_PERMISSIONS)
        return channel

    def _message(self, request: web.Request, channel: Channel) -> Message:
        message = channel.messages.get(_id(request, "message_id"))
        if message is None or message.ephemeral:
            raise api_error(UNKNOWN_MESSAGE)
        return message

    async def get_channel(self, request: web.Request) -> web.Response:
        """GET /channels/{channel_id}."""
        return _json(payloads.channel(self._channel(request)))

    async def list_messages(self, request: web.Request) -> web.Response:
        """GET a channel's messages, newest first, with before/after/limit."""
        channel = self._channel(request)
        limit = min(int(request.query.get("limit", 50)), 100)
        before = int(request.query.get("before", 0)) or None
        after = int(request.query.get("after", 0))
        found = [
            m
            for m in reversed(self.state.visible_messages(channel, None))
            if (before is None or m.id < before) and m.id > after
        ]
        return _json([payloads.message(m, self.state) for m in found[:limit]])

    async def send_message(self, request: web.Request) -> web.Response:
        """POST a message, once per nonce when ``enforce_nonce`` is set."""
        channel = self._sendable(request)
        body, uploads = await read_body(request)
        nonce = str(body["nonce"]) if body.get("nonce") is not None else None
        if nonce is not None and body.get("enforce_nonce"):
            # Discord returns the message already created with this nonce by this author in
            # the last few minutes instead of creating a second one.
            seen = self._nonces.get((channel.id, nonce))
            if seen is not None and time.monotonic() - seen[1] < self.nonce_window:
                return _json({**payloads.message(seen[0], self.state), "nonce": nonce})
        message = self.writer.create(channel, body, uploads)
        if nonce is not None:
            self._nonces[(channel.id, nonce)] = (message, time.monotonic())
        return _json({**payloads.message(message, self.state), "nonce": nonce})

    async def get_message(self, request: web.Request) -> web.Response:
        """GET one message."""
        message = self._message(request, self._channel(request))
        return _json(payloads.message(message, self.state))

    async def edit_message(self, request: web.Request) -> web.Response:
        """PATCH one of the bot's messages."""
        message = self._message(request, self._channel(request))
        if message.author.id != self.state.bot.id:
            raise api_error(CANNOT_EDIT_OTHERS)
        body, uploads = await read_body(request)
        return _json(payloads.message(self.writer.edit(message, body, uploads), self.state))

    async def delete_message(self, request: web.Request) -> web.Response:
        """DELETE a message (another's needs Manage Messages)."""
        channel = self._channel(request)
        message = self._message(request, channel)
        guild = self.state.guild_of(channel)
        if message.author.id != self.state.bot.id and guild is not None:
            bot_member = guild.members[self.state.bot.id]
            if not self.state.permissions_in(channel, bot_member) & perms.MANAGE_MESSAGES:
                raise api_error(MISSING_PERMISSIONS)
        self.state.remove_message(message)
        return _no_content()

    async def add_reaction(self, request: web.Request) -> web.Response:
        """PUT the bot's reaction on a message."""
        message = self._message(request, self._channel(request))
        emoji = request.match_info["emoji"]
        message.reactions[emoji] = message.reactions.get(emoji, 0) + 1
        self.state.changed.fire()
        return _no_content()

    async def remove_reaction(self, request: web.Request) -> web.Response:
        """DELETE the bot's reaction from a message."""
        message = self._message(request, self._channel(request))
        emoji = request.match_info["emoji"]
        if message.reactions.get(emoji, 0) > 1:
            message.reactions[emoji] -= 1
        else:
            message.reactions.pop(emoji, None)
        self.state.changed.fire()
        return _no_content()

    async def typing(self, request: web.Request) -> web.Response:
        """POST the typing indicator (checks only that the bot may send there)."""
        self._sendable(request)
        return _no_content()

    # -- guilds --------------------------------------------------------------------------------

    def _guild(self, request: web.Request) -> Guild:
        guild = self.state.guilds.get(_id(request, "guild_id"))
        if guild is None:
            raise api_error(UNKNOWN_GUILD)
        if self.state.bot.id not in guild.members:
            raise api_error(MISSING_ACCESS)
        return guild

    async def get_guild(self, request: web.Request) -> web.Response:
        """GET /guilds/{guild_id}."""
        return _json(payloads.guild(self._guild(request)))

    async def guild_channels(self, request: web.Request) -> web.Response:
        """GET a guild's live channels."""
        channels = self._guild(request).channels.values()
        return _json([payloads.channel(c) for c in channels if not c.deleted])

    async def guild_roles(self, request: web.Request) -> web.Response:
        """GET a guild's roles."""
        return _json([payloads.role(r) for r in self._guild(request).roles.values()])

    async def guild_member(self, request: web.Request) -> web.Response:
        """GET one member of a guild."""
        member = self._guild(request).members.get(_id(request, "user_id"))
        if member is None:
            raise api_error(UNKNOWN_MEMBER)
        return _json(payloads.member(member))

    def _member_role(self, request: web.Request) -> tuple[Member, int]:
        """The member and role of a member-role route, after Discord's checks in its order."""
        guild = self._guild(request)
        role = guild.roles.get(_id(request, "role_id"))
        if role is None:
            raise api_error(UNKNOWN_ROLE)
        member = guild.members.get(_id(request, "user_id"))
        if member is None:
            raise api_error(UNKNOWN_MEMBER)
        if not self.state.bot_can_manage(guild, role):
            raise api_error(MISSING_PERMISSIONS)
        return member, role.id

    async def add_member_role(self, request: web.Request) -> web.Response:
        """PUT a role on a member (idempotent, as on Discord)."""
        member, role_id = self._member_role(request)
        if role_id not in member.role_ids:
            member.role_ids.append(role_id)
            self.state.emit("member_update", member)
        return _no_content()

    async def remove_member_role(self, request: web.Request) -> web.Response:
        """DELETE a role from a member (idempotent, as on Discord)."""
        member, role_id = self._member_role(request)
        if role_id in member.role_ids:
            member.role_ids.remove(role_id)
            self.state.emit("member_update", member)
        return _no_content()

    # -- interactions and their webhooks -------------------------------------------------------

    async def interaction_callback(self, request: web.Request) -> web.Response:
        """POST the initial response to an interaction."""
        body, uploads = await read_body(request)
        response = self.interactions.callback(
            _id(request, "interaction_id"), request.match_info["token"], body, uploads
        )
        if request.query.get("with_response", "false").lower() in ("true", "1"):
            return _json(response)
        return _no_content()

    async def webhook_execute(self, request: web.Request) -> web.Response:
        """POST a followup message of an interaction."""
        body, uploads = await read_body(request)
        message = self.interactions.followup(
            _id(request, "application_id"), request.match_info["token"], body, uploads
        )
        if request.query.get("wait", "false").lower() in ("true", "1"):
            return _json(payloads.message(message, self.state))
        return _no_content()

    async def webhook_get(self, request: web.Request) -> web.Response:
        """GET an interaction's original response or followup."""
        message = self.interactions.message(*self._webhook_ref(request))
        return _json(payloads.message(message, self.state))

    async def webhook_edit(self, request: web.Request) -> web.Response:
        """PATCH an interaction's original response or followup."""
        body, uploads = await read_body(request)
        message = self.interactions.edit(*self._webhook_ref(request), body, uploads)
        return _json(payloads.message(message, self.state))

    async def webhook_delete(self, request: web.Request) -> web.Response:
        """DELETE an interaction's original response or followup."""
        self.interactions.delete(*self._webhook_ref(request))
        return _no_content()

    def _webhook_ref(self, request: web.Request) -> tuple[int, str, str]:
        info = request.match_info
        return _id(request, "application_id"), info["token"], info["message_id"]

    # -- the "CDN" -----------------------------------------------------------------------------

    async def attachment(self, request: web.Request) -> web.Response:
        """GET an uploaded file's bytes, as the CDN serves them."""
        attachment = self.state.attachments.get(_id(request, "attachment_id"))
        if attachment is None or attachment.filename != request.match_info["filename"]:
            raise web.HTTPNotFound()
        return web.Response(body=attachment.data, content_type=attachment.content_type)
