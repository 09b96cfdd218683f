"""Turning test-supplied option values into the ``options``/``resolved`` Discord would send."""

from __future__ import annotations

import mimetypes
from dataclasses import dataclass, field
from typing import Any

from sandbox import payloads
from sandbox.commands import SUB_COMMAND, SUB_COMMAND_GROUP
from sandbox.errors import SandboxError
from sandbox.models import Attachment, Channel, Guild, Member, Role, User
from sandbox.state import SandboxState

Json = dict[str, Any]

STRING, INTEGER, BOOLEAN, USER, CHANNEL, ROLE, MENTIONABLE, NUMBER, ATTACHMENT = range(3, 12)
TYPE_NAMES = {
    STRING: "string",
    INTEGER: "integer",
    BOOLEAN: "boolean",
    USER: "user",
    CHANNEL: "channel",
    ROLE: "role",
    MENTIONABLE: "mentionable",
    NUMBER: "number",
    ATTACHMENT: "attachment",
}
_TRUE = {"true", "yes", "y", "1", "on"}
_FALSE = {"false", "no", "n", "0", "off"}


@dataclass(frozen=True)
class Forged:
    """An option value sent exactly as given, unresolved (with ``unchecked=True`` only).

    What a forged or buggy client could send: ``Forged("abc")`` for an integer,
    ``Forged(10**30)`` for a user, ``Forged(1.5)`` for a choice.
    """

    value: Any


@dataclass
class OptionContext:
    """Where a command runs: used to resolve users, channels and roles and their permissions."""

    state: SandboxState
    guild: Guild | None
    member: Member | None
    channel: Channel


@dataclass
class Invocation:
    """A command path with its options nested as Discord nests sub-commands."""

    path: list[str]
    options: list[Json]
    resolved: Json = field(default_factory=dict)


def leaf_options(command: Json, subpath: list[str]) -> list[Json]:
    """Option definitions of the sub-command ``subpath`` names; errors list what exists."""
    options: list[Json] = command.get("options") or []
    for depth, word in enumerate(subpath):
        subs = [o for o in options if o["type"] in (SUB_COMMAND, SUB_COMMAND_GROUP)]
        match = next((o for o in subs if o["name"] == word), None)
        if match is None:
            where = " ".join([command["name"], *subpath[:depth]])
            known = ", ".join(o["name"] for o in subs) or "none"
            raise SandboxError(f"/{where} has no sub-command {word!r} (has: {known})")
        options = match.get("options") or []
    names = [o["name"] for o in options if o["type"] in (SUB_COMMAND, SUB_COMMAND_GROUP)]
    if names:
        where = " ".join([command["name"], *subpath])
        raise SandboxError(f"/{where} needs a sub-command: {', '.join(names)}")
    return options


# Option fields that only restrict what a user may enter.
_LIMITS = ("min_value", "max_value", "min_length", "max_length", "choices", "channel_types")


def build(
    command: Json,
    subpath: list[str],
    values: dict[str, Any],
    ctx: OptionContext,
    *,
    focused: str | None = None,
    unchecked: bool = False,
) -> Invocation:
    """The ``options`` tree and ``resolved`` data for a chat-input (or autocomplete) call.

    ``unchecked`` skips the limits Discord's client enforces (ranges, lengths, choices,
    channel types), to prove that the bot validates on its own.
    """
    definitions = leaf_options(command, subpath)
    by_name = {d["name"]: d for d in definitions}
    path = " ".join([command["name"], *subpath])
    unknown = [name for name in values if name not in by_name]
    if unknown:
        known = ", ".join(by_name) or "none"
        raise SandboxError(f"/{path} has no option {unknown[0]!r} (has: {known})")
    if focused is None:
        missing = [d["name"] for d in definitions if d.get("required") and d["name"] not in values]
        if missing:
            raise SandboxError(f"/{path} requires option(s): {', '.join(missing)}")
    invocation = Invocation(path=[command["name"], *subpath], options=[])
    leaf: list[Json] = []
    for definition in definitions:
        name = definition["name"]
        if name not in values:
            continue
        option: Json = {"name": name, "type": definition["type"]}
        if name == focused:
            if not definition.get("autocomplete"):
                raise SandboxError(f"/{path} option {name!r} has no autocomplete")
            option.update(value=str(values[name]), focused=True)
        else:
            where = f"/{path} option {name!r}"
            checked = (
                {k: v for k, v in definition.items() if k not in _LIMITS}
                if unchecked
                else definition
            )
            value = values[name]
            if isinstance(value, Forged):
                if not unchecked:
                    raise SandboxError(f"{where}: a Forged value needs unchecked=True")
                option["value"] = value.value
            else:
                option["value"] = convert(checked, value, ctx, invocation.resolved, where)
        leaf.append(option)
    container = invocation.options
    options = command.get("options") or []
    for word in subpath:
        definition = next(o for o in options if o["name"] == word)
        node: Json = {"name": word, "type": definition["type"], "options": []}
        container.append(node)
        container, options = node["options"], definition.get("options") or []
    container.extend(leaf)
    return invocation


def convert(definition: Json, value: Any, ctx: OptionContext, resolved: Json, where: str) -> Any:
    """One option value as Discord sends it, adding users/roles/channels to ``resolved``."""
    kind = definition["type"]
    if kind in (STRING, INTEGER, NUMBER):
        return _scalar(definition, value, where)
    if kind == BOOLEAN:
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in _TRUE | _FALSE:
            return text in _TRUE
        raise SandboxError(f"{where} expects true/false, got {value!r}")
    if kind == USER or (kind == MENTIONABLE and not isinstance(value, Role)):
        user = ctx.state.resolve_user(value)
        _resolve_user(user, ctx, resolved)
        return str(user.id)
    if kind in (ROLE, MENTIONABLE):
        role = _role(value, ctx, where)
        resolved.setdefault("roles", {})[str(role.id)] = payloads.role(role)
        return str(role.id)
    if kind == CHANNEL:
        channel = _channel(value, ctx, where)
        allowed = definition.get("channel_types")
        if allowed and int(channel.type) not in allowed:
            raise SandboxError(f"{where} does not offer #{channel.name} (channel types {allowed})")
        permissions = ctx.state.permissions_in(channel, ctx.member) if ctx.member else 0
        resolved.setdefault("channels", {})[str(channel.id)] = payloads.partial_channel(
            channel, permissions
        )
        return str(channel.id)
    if kind == ATTACHMENT:
        attachment = _attachment(value, ctx, where)
        resolved.setdefault("attachments", {})[str(attachment.id)] = payloads.attachment(attachment)
        return str(attachment.id)
    raise SandboxError(f"{where} has unsupported type {kind}")


def _scalar(definition: Json, value: Any, where: str) -> Any:
    kind = definition["type"]
    choices = definition.get("choices") or []
    if choices:
        for choice in choices:
            if (
                value == choice["value"]
                or str(value) == str(choice["value"])
                or value == choice["name"]
            ):
                return choice["value"]
        offered = ", ".join(repr(c["value"]) for c in choices)
        raise SandboxError(f"{where} must be one of {offered}, got {value!r}")
    try:
        if kind == STRING:
            converted: Any = str(value)
        elif kind == INTEGER:
            if isinstance(value, bool) or (isinstance(value, float) and not value.is_integer()):
                raise ValueError
            converted = int(value)
        else:
            converted = float(value)
    except (TypeError, ValueError):
        raise SandboxError(f"{where} expects {TYPE_NAMES[kind]}, got {value!r}") from None
    if kind == STRING:
        low, high = definition.get("min_length", 0), definition.get("max_length", 6000)
        if not low <= len(converted) <= high:
            raise SandboxError(f"{where} must be {low}..{high} characters, got {len(converted)}")
    else:
        low, high = definition.get("min_value"), definition.get("max_value")
        if (low is not None and converted < low) or (high is not None and converted > high):
            raise SandboxError(f"{where} must be within {low}..{high}, got {converted}")
    return converted


def _resolve_user(user: User, ctx: OptionContext, resolved: Json) -> None:
    resolved.setdefault("users", {})[str(user.id)] = payloads.user(user)
    if ctx.guild is not None and user.id in ctx.guild.members:
        member = ctx.guild.members[user.id]
        permissions = ctx.state.permissions_in(ctx.channel, member)
        resolved.setdefault("members", {})[str(user.id)] = payloads.member(
            member, permissions=permissions, with_user=False
        )


def _role(value: Any, ctx: OptionContext, where: str) -> Role:
    if ctx.guild is None:
        raise SandboxError(f"{where}: roles only exist in servers")
    if isinstance(value, Role):
        return value
    role = (
        ctx.guild.roles.get(value) if isinstance(value, int) else ctx.guild.role_named(str(value))
    )
    if role is None:
        raise SandboxError(f"{where}: no role {value!r} in {ctx.guild.name!r}")
    return role


def _channel(value: Any, ctx: OptionContext, where: str) -> Channel:
    if isinstance(value, Channel):
        return value
    if ctx.guild is None:
        raise SandboxError(f"{where}: channels can only be picked in servers")
    if isinstance(value, int):
        channel = ctx.guild.channels.get(value)
    else:
        text = str(value)
        channel = ctx.guild.channel_named(text)
        if channel is None and text.startswith("<#") and text.endswith(">"):
            channel = ctx.guild.channels.get(int(text[2:-1]))
    if channel is None or channel.deleted:
        raise SandboxError(f"{where}: no channel {value!r} in {ctx.guild.name!r}")
    return channel


def _attachment(value: Any, ctx: OptionContext, where: str) -> Attachment:
    if isinstance(value, Attachment):
        return value
    if isinstance(value, tuple) and len(value) == 2:
        filename, data = value
        content_type = mimetypes.guess_type(filename)[0] or "application/octet-stream"
        return ctx.state.store_attachment(ctx.channel.id, filename, content_type, data)
    raise SandboxError(f"{where} expects an Attachment or a (filename, bytes) pair")
