"""Interactions: INTERACTION_CREATE payloads, callbacks, followups and the latency log."""

from __future__ import annotations

import asyncio
import secrets
import time
from dataclasses import dataclass, field
from typing import Any

from sandbox import payloads
from sandbox import permissions as perms
from sandbox.errors import (
    ALREADY_ACKNOWLEDGED,
    UNKNOWN_CHANNEL,
    UNKNOWN_INTERACTION,
    UNKNOWN_MESSAGE,
    UNKNOWN_WEBHOOK,
    SandboxError,
    api_error,
    invalid_form,
)
from sandbox.gateway import Gateway
from sandbox.messages import MessageWriter, Upload
from sandbox.models import (
    EPHEMERAL,
    LOADING,
    Channel,
    ComponentType,
    Guild,
    Message,
    Modal,
    User,
)
from sandbox.state import SandboxState

Json = dict[str, Any]

APPLICATION_COMMAND, MESSAGE_COMPONENT, AUTOCOMPLETE, MODAL_SUBMIT = 2, 3, 4, 5
CHANNEL_MESSAGE, DEFERRED_MESSAGE, DEFERRED_UPDATE, UPDATE_MESSAGE = 4, 5, 6, 7
AUTOCOMPLETE_RESULT, MODAL = 8, 9
ATTACHMENT_SIZE_LIMIT = 10 * 1024 * 1024
# PONG (1) answers HTTP PINGs only; for gateway interactions Discord refuses it, and so do we.
_ALLOWED_CALLBACKS = {
    APPLICATION_COMMAND: {CHANNEL_MESSAGE, DEFERRED_MESSAGE, MODAL},
    MESSAGE_COMPONENT: {CHANNEL_MESSAGE, DEFERRED_MESSAGE, DEFERRED_UPDATE, UPDATE_MESSAGE, MODAL},
    AUTOCOMPLETE: {AUTOCOMPLETE_RESULT},
    MODAL_SUBMIT: {CHANNEL_MESSAGE, DEFERRED_MESSAGE, DEFERRED_UPDATE, UPDATE_MESSAGE},
}


@dataclass(frozen=True)
class LatencySample:
    """INTERACTION_CREATE sent → callback received, in seconds (time.perf_counter)."""

    interaction_id: int
    name: str
    seconds: float


@dataclass(eq=False)
class PendingInteraction:
    """One interaction in flight: what the user did and what the bot answered."""

    id: int
    token: str
    type: int
    name: str
    user: User
    guild: Guild | None
    channel: Channel
    source: Message | None
    metadata: Json
    sent_at: float
    acknowledged: asyncio.Future[int] = field(
        default_factory=lambda: asyncio.get_running_loop().create_future()
    )
    outcome: asyncio.Future[Any] = field(
        default_factory=lambda: asyncio.get_running_loop().create_future()
    )
    callback_type: int | None = None
    acked_at: float | None = None
    original: Message | None = None
    followups: list[Message] = field(default_factory=list)

    def settle(self, result: Any) -> None:
        """Record what the user ends up seeing (first settlement wins)."""
        if not self.outcome.done():
            self.outcome.set_result(result)


class Interactions:
    """Creates interactions on the gateway and handles the bot's answers to them."""

    def __init__(
        self,
        state: SandboxState,
        gateway: Gateway,
        writer: MessageWriter,
        *,
        deadline: float | None = 3.0,
    ) -> None:
        self.state = state
        self.gateway = gateway
        self.writer = writer
        self.deadline = deadline
        self.pending: dict[int, PendingInteraction] = {}
        self._by_token: dict[str, PendingInteraction] = {}
        self.latencies: list[LatencySample] = []

    # -- creating ------------------------------------------------------------------------------

    def start(
        self,
        type: int,
        name: str,
        data: Json,
        *,
        user: User,
        guild: Guild | None,
        channel: Channel,
        source: Message | None = None,
        metadata: Json | None = None,
    ) -> PendingInteraction:
        """Dispatch INTERACTION_CREATE on the right shard and track the interaction."""
        interaction_id = self.state.ids.next()
        owners = {"0": str(guild.id) if guild else "0"}
        record = PendingInteraction(
            id=interaction_id,
            token=f"aW50ZXJhY3Rpb246{interaction_id}:{secrets.token_urlsafe(48)}",
            type=type,
            name=name,
            user=user,
            guild=guild,
            channel=channel,
            source=source,
            metadata={
                "id": str(interaction_id),
                "type": type,
                "user": payloads.user(user),
                "authorizing_integration_owners": owners,
                **(metadata or {}),
            },
            sent_at=0.0,
        )
        payload = self._payload(record, data, owners)
        record.sent_at = time.perf_counter()
        self.gateway.dispatch(guild.id if guild else None, "INTERACTION_CREATE", payload)
        self.pending[record.id] = record
        self._by_token[record.token] = record
        return record

    def _payload(self, record: PendingInteraction, data: Json, owners: Json) -> Json:
        channel, guild, user = record.channel, record.guild, record.user
        if guild is not None:
            member = self.state.member(guild, user)
            user_permissions = self.state.permissions_in(channel, member)
            app_permissions = self.state.permissions_in(channel, guild.members[self.state.bot.id])
        else:
            user_permissions = app_permissions = perms.BOT_DEFAULT | perms.USE_APPLICATION_COMMANDS
        payload: Json = {
            "id": str(record.id),
            "application_id": str(self.state.bot.id),
            "type": record.type,
            "data": data,
            "token": record.token,
            "version": 1,
            "channel": payloads.partial_channel(channel, user_permissions),
            "channel_id": str(channel.id),
            "app_permissions": str(app_permissions),
            "locale": user.locale,
            "entitlements": [],
            "authorizing_integration_owners": owners,
            "context": 0 if guild else 1,
            "attachment_size_limit": ATTACHMENT_SIZE_LIMIT,
        }
        if guild is not None:
            payload["guild_id"] = str(guild.id)
            payload["guild"] = {"id": str(guild.id), "locale": guild.locale, "features": []}
            payload["guild_locale"] = guild.locale
            payload["member"] = payloads.member(
                guild.members[user.id], permissions=user_permissions
            )
        else:
            payload["user"] = payloads.user(user)
        if record.source is not None:
            payload["message"] = payloads.message(record.source, self.state)
        return payload

    # -- the bot's answers ---------------------------------------------------------------------

    def callback(
        self, interaction_id: int, token: str, body: Json, uploads: dict[int, Upload]
    ) -> Json:
        """POST /interactions/{id}/{token}/callback; returns the with_response body."""
        record = self.pending.get(interaction_id)
        if record is None or record.token != token or self._expired(record):
            raise api_error(UNKNOWN_INTERACTION)
        if record.callback_type is not None:
            raise api_error(ALREADY_ACKNOWLEDGED)
        kind = body.get("type")
        data = body.get("data") or {}
        allowed = set(_ALLOWED_CALLBACKS.get(record.type, ()))
        if record.source is None:
            allowed -= {DEFERRED_UPDATE, UPDATE_MESSAGE}
        if kind not in allowed:
            raise invalid_form("type", f"Callback type {kind} is not valid for this interaction.")
        result = self._respond(record, kind, data, uploads)
        record.callback_type = kind
        record.acked_at = time.perf_counter()
        self.latencies.append(
            LatencySample(record.id, record.name, record.acked_at - record.sent_at)
        )
        record.acknowledged.set_result(kind)
        if kind in (CHANNEL_MESSAGE, UPDATE_MESSAGE, AUTOCOMPLETE_RESULT, MODAL):
            record.settle(result)
        return self._callback_response(record, kind)

    def _respond(
        self, record: PendingInteraction, kind: int, data: Json, uploads: dict[int, Upload]
    ) -> Any:
        if kind == CHANNEL_MESSAGE:
            record.original = self._new_message(record, data, uploads)
            return record.original
        if kind == DEFERRED_MESSAGE:
            record.original = self._loading_message(record, int(data.get("flags") or 0))
            return None
        if kind == DEFERRED_UPDATE:
            record.original = record.source
            return None
        if kind == UPDATE_MESSAGE:
            assert record.source is not None
            record.original = self.writer.edit(record.source, data, uploads)
            return record.original
        if kind == AUTOCOMPLETE_RESULT:
            return _choices(data)
        return self._modal(record, data)

    def _callback_response(self, record: PendingInteraction, kind: int) -> Json:
        interaction: Json = {"id": str(record.id), "type": record.type}
        resource: Json = {"type": kind}
        if record.original is not None and kind in (
            CHANNEL_MESSAGE,
            DEFERRED_MESSAGE,
            UPDATE_MESSAGE,
        ):
            interaction["response_message_id"] = str(record.original.id)
            interaction["response_message_loading"] = record.original.loading
            interaction["response_message_ephemeral"] = record.original.ephemeral
            resource["message"] = payloads.message(record.original, self.state)
        return {"interaction": interaction, "resource": resource}

    def followup(
        self, application_id: int, token: str, body: Json, uploads: dict[int, Upload]
    ) -> Message:
        """POST /webhooks/{app}/{token}: the first one after a "thinking" defer fills it in."""
        record = self._record(application_id, token)
        if record.channel.deleted:
            raise api_error(UNKNOWN_CHANNEL)
        original = record.original
        if record.callback_type == DEFERRED_MESSAGE and original is not None and original.loading:
            message = self.writer.fill(original, body, uploads)
        else:
            message = self._new_message(record, body, uploads)
            record.followups.append(message)
        record.settle(message)
        return message

    def message(self, application_id: int, token: str, ref: str) -> Message:
        """The @original response or a followup of this interaction."""
        record = self._record(application_id, token)
        if ref == "@original":
            message = record.original
        else:
            message = next((m for m in record.followups if str(m.id) == ref), None)
            if message is None and record.original is not None and str(record.original.id) == ref:
                message = record.original
        channel = self.state.channels.get(message.channel_id) if message else None
        if message is None or channel is None or message.id not in channel.messages:
            raise api_error(UNKNOWN_MESSAGE)
        return message

    def edit(
        self, application_id: int, token: str, ref: str, body: Json, uploads: dict[int, Upload]
    ) -> Message:
        """PATCH a webhook message; editing a deferred response settles the interaction."""
        record = self._record(application_id, token)
        message = self.message(application_id, token, ref)
        if message.loading:
            self.writer.fill(message, body, uploads)
        else:
            self.writer.edit(message, body, uploads)
        record.settle(message)
        return message

    def delete(self, application_id: int, token: str, ref: str) -> None:
        """DELETE a webhook message (the original response or a followup)."""
        self.state.remove_message(self.message(application_id, token, ref))

    # -- helpers -------------------------------------------------------------------------------

    def _record(self, application_id: int, token: str) -> PendingInteraction:
        record = self._by_token.get(token)
        if application_id != self.state.bot.id or record is None or record.callback_type is None:
            raise api_error(UNKNOWN_WEBHOOK)
        return record

    def _expired(self, record: PendingInteraction) -> bool:
        late = self.deadline is not None and time.perf_counter() - record.sent_at > self.deadline
        return record.callback_type is None and late

    def _new_message(
        self, record: PendingInteraction, body: Json, uploads: dict[int, Upload]
    ) -> Message:
        return self.writer.create(
            record.channel,
            body,
            uploads,
            visible_to=record.user.id,
            type=20 if record.type == APPLICATION_COMMAND else 0,
            interaction=record.metadata,
            webhook_id=self.state.bot.id,
        )

    def _loading_message(self, record: PendingInteraction, flags: int) -> Message:
        message = Message(
            id=self.state.ids.next(),
            channel_id=record.channel.id,
            guild_id=record.channel.guild_id,
            author=self.state.bot,
            flags=LOADING | (flags & EPHEMERAL),
            type=20 if record.type == APPLICATION_COMMAND else 0,
            visible_to=record.user.id if flags & EPHEMERAL else None,
            interaction=record.metadata,
            webhook_id=self.state.bot.id,
        )
        return self.state.add_message(message)

    def _modal(self, record: PendingInteraction, data: Json) -> Modal:
        title = data.get("title") or ""
        components = data.get("components") or []
        if not data.get("custom_id") or not 1 <= len(title) <= 45:
            raise invalid_form(
                "data.title", "A modal needs a custom_id and a 1-45 character title."
            )
        if not 1 <= len(components) <= 5:
            raise invalid_form("data.components", "A modal holds 1 to 5 components.")
        return Modal(
            custom_id=data["custom_id"],
            title=title,
            components=components,
            user_id=record.user.id,
            guild_id=record.guild.id if record.guild else None,
            channel_id=record.channel.id,
            source_message_id=record.source.id if record.source else None,
        )


def _choices(data: Json) -> list[Json]:
    choices = data.get("choices") or []
    if len(choices) > 25:
        raise invalid_form("data.choices", "Must be 25 or fewer in length.", "BASE_TYPE_MAX_LENGTH")
    for i, choice in enumerate(choices):
        if not 1 <= len(str(choice.get("name", ""))) <= 100 or "value" not in choice:
            raise invalid_form(
                f"data.choices.{i}", "A choice needs a 1-100 character name and a value."
            )
    return list(choices)


def modal_submission(modal: Modal, values: dict[str, Any]) -> list[Json]:
    """The ``components`` of a MODAL_SUBMIT, mirroring the modal's rows and labels."""
    inputs = {f.custom_id: f for f in modal.fields}
    unknown = set(values) - inputs.keys() - _select_ids(modal.components)
    if unknown:
        raise SandboxError(
            f"modal {modal.title!r} has no field {sorted(unknown)[0]!r} (has: {', '.join(inputs)})"
        )
    submitted: list[Json] = []
    for component in modal.components:
        kind = component.get("type")
        if kind == ComponentType.LABEL:
            inner = _submitted(component["component"], values, modal)
            submitted.append({"type": kind, "id": component.get("id"), "component": inner})
        elif kind == ComponentType.ACTION_ROW:
            inner_list = [_submitted(c, values, modal) for c in component.get("components", [])]
            submitted.append({"type": kind, "id": component.get("id"), "components": inner_list})
    return submitted


def _select_ids(components: list[Json]) -> set[str]:
    return {
        c["component"]["custom_id"]
        for c in components
        if c.get("type") == ComponentType.LABEL and "custom_id" in c.get("component", {})
    }


def _given(values: dict[str, Any], custom_id: object, default: Any) -> Any:
    """What the caller typed or picked for ``custom_id`` (a field without one gets nothing)."""
    return values.get(custom_id, default) if isinstance(custom_id, str) else default


def _submitted(component: Json, values: dict[str, Any], modal: Modal) -> Json:
    custom_id = component.get("custom_id")
    if component.get("type") != ComponentType.TEXT_INPUT:
        chosen = _given(values, custom_id, [])
        chosen = [chosen] if isinstance(chosen, str) else list(chosen)
        return {
            "type": component.get("type"),
            "id": component.get("id"),
            "custom_id": custom_id,
            "values": chosen,
        }
    value = str(_given(values, custom_id, component.get("value") or ""))
    label = component.get("label") or custom_id
    if component.get("required", True) and not value:
        raise SandboxError(f"modal {modal.title!r}: field {label!r} is required")
    low, high = component.get("min_length", 0), component.get("max_length", 4000)
    if value and not low <= len(value) <= high:
        raise SandboxError(f"modal {modal.title!r}: field {label!r} takes {low}..{high} characters")
    return {
        "type": ComponentType.TEXT_INPUT,
        "id": component.get("id"),
        "custom_id": custom_id,
        "value": value,
    }
