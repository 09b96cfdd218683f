"""The one check every slash command passes first: its options are what Discord's client allows.

Discord's client refuses a value outside an option's choices, range, length or channel
types, and a float or text for an integer; a forged or buggy client may send them anyway.
The tree runs this check before any command, against the very definition it syncs to
Discord, so every command and option gets a clear ephemeral sentence and nothing runs.
"""

from __future__ import annotations

import math
import weakref
from collections.abc import Mapping
from typing import Any

import discord
from discord import AppCommandOptionType as Kind
from discord import app_commands

# Discord's own bounds for integer and number options, and for any string option.
NUMBER_LIMIT = 2**53
STRING_LIMIT = 6000
MAX_ID = 2**64 - 1
_RESOLVED = {
    Kind.user: ("users",),
    Kind.channel: ("channels",),
    Kind.role: ("roles",),
    Kind.mentionable: ("users", "roles"),
    Kind.attachment: ("attachments",),
}
_CHANNEL_WORDS = {0: "text", 2: "voice", 4: "category", 5: "announcement", 13: "stage", 15: "forum"}


# Each command's option definitions, as synced to Discord (built once per command object).
_specs: weakref.WeakKeyDictionary[
    app_commands.Command[Any, Any, Any], dict[str, dict[str, Any]]
] = weakref.WeakKeyDictionary()


class InvalidOption(app_commands.CheckFailure):
    """An option value Discord's client would not have sent; the message says which and why."""


def check_options(
    interaction: discord.Interaction[Any], tree: app_commands.CommandTree[Any]
) -> None:
    """Raise InvalidOption when an option of this command invocation breaks its definition.

    ``tree`` is the tree the command belongs to, whose definition is what Discord received.
    """
    command = interaction.command
    data: Mapping[str, Any] = interaction.data or {}
    if not isinstance(command, app_commands.Command) or data.get("type", 1) != 1:
        return
    specs = _specs.get(command)
    if specs is None:
        definition = command.to_dict(tree)
        specs = _specs[command] = {o["name"]: o for o in definition.get("options") or []}
    given = _leaf_options(data.get("options") or [])
    resolved = data.get("resolved") or {}
    for option in given:
        name = str(option.get("name"))
        spec = specs.get(name)
        if spec is None:
            raise InvalidOption(f"/{command.qualified_name} has no option “{name[:40]}”.")
        problem = _problem(spec, option.get("value"), resolved)
        if problem:
            raise InvalidOption(f"`{spec['name']}` {problem}")
    names = {o.get("name") for o in given}
    missing = [n for n, s in specs.items() if s.get("required") and n not in names]
    if missing:
        raise InvalidOption(f"/{command.qualified_name} needs `{missing[0]}`.")


def _leaf_options(options: list[dict[str, Any]]) -> list[dict[str, Any]]:
    for option in options:
        if option.get("type") in (Kind.subcommand.value, Kind.subcommand_group.value):
            return _leaf_options(option.get("options") or [])
    return options


def _shown(value: Any) -> str:
    text = str(value)
    return f"“{text[:40]}…”" if len(text) > 40 else f"“{text}”"


def _problem(spec: dict[str, Any], value: Any, resolved: dict[str, Any]) -> str | None:
    """Why ``value`` cannot be this option's, as the end of a sentence; None if it can."""
    kind = Kind(spec["type"])
    choices = spec.get("choices") or []
    if choices and value not in [c["value"] for c in choices]:
        names = ", ".join(c["name"] for c in choices[:10])
        return f"must be one of: {names} ({_shown(value)} is not)."
    if kind is Kind.string:
        if not isinstance(value, str):
            return "must be text."
        low, high = spec.get("min_length", 0), spec.get("max_length", STRING_LIMIT)
        if len(value) < low:
            return f"needs at least {low} character{'s' if low != 1 else ''}."
        if len(value) > high:
            return f"can be at most {high} characters; this has {len(value)}."
        return None
    if kind in (Kind.integer, Kind.number):
        whole = kind is Kind.integer
        if isinstance(value, bool) or not isinstance(value, int | float):
            return f"must be a {'whole ' if whole else ''}number, not {_shown(value)}."
        if whole and not isinstance(value, int):
            return f"must be a whole number, not {_shown(value)}."
        if isinstance(value, float) and not math.isfinite(value):
            return "must be a finite number."
        low = spec.get("min_value", -NUMBER_LIMIT)
        high = spec.get("max_value", NUMBER_LIMIT)
        if not low <= value <= high:
            return f"must be between {low} and {high}; {_shown(value)} is not."
        return None
    if kind is Kind.boolean:
        return None if isinstance(value, bool) else "must be true or false."
    if kind in _RESOLVED:
        text = str(value)
        if not text.isdigit() or not 0 < int(text) <= MAX_ID:
            return f"must be picked from the list; {_shown(value)} is not an id."
        if not any(text in (resolved.get(group) or {}) for group in _RESOLVED[kind]):
            return "names something Discord did not send with the command; pick it again."
        allowed = spec.get("channel_types")
        if kind is Kind.channel and allowed:
            channel_type = (resolved.get("channels") or {})[text].get("type")
            if channel_type not in allowed:
                if 0 in allowed:
                    return "must be a text channel."
                words = " or ".join(_CHANNEL_WORDS.get(t, str(t)) for t in allowed)
                return f"must be a {words} channel."
        return None
    return None
