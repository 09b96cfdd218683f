"""Application commands as Discord stores them: ids, versions, validation, bulk overwrites."""

from __future__ import annotations

import re
from typing import Any

from sandbox.errors import UNKNOWN_COMMAND, api_error, invalid_form
from sandbox.snowflake import SnowflakeFactory

Json = dict[str, Any]

SUB_COMMAND, SUB_COMMAND_GROUP = 1, 2
CHAT_INPUT = 1
_NAME = re.compile(r"^[-_'\w]{1,32}$")
_DEFAULTS: Json = {
    "type": CHAT_INPUT,
    "description": "",
    "options": [],
    "default_member_permissions": None,
    "dm_permission": True,
    "contexts": None,
    "integration_types": [0],
    "nsfw": False,
    "name_localizations": None,
    "description_localizations": None,
}


class CommandStore:
    """Global and per-guild commands; counts bulk overwrites so tests can spot needless syncs."""

    def __init__(self, ids: SnowflakeFactory, application_id: int) -> None:
        self._ids = ids
        self.application_id = application_id
        self._scopes: dict[int | None, dict[int, Json]] = {None: {}}
        self.bulk_overwrites = 0

    def total(self) -> int:
        """How many commands are registered across all scopes."""
        return sum(len(scope) for scope in self._scopes.values())

    def in_scope(self, guild_id: int | None) -> list[Json]:
        """The commands registered globally (``None``) or in one guild."""
        return list(self._scopes.get(guild_id, {}).values())

    def bulk_overwrite(self, guild_id: int | None, commands: list[Json]) -> list[Json]:
        """PUT: replace the scope; same name+type keeps its id, changes bump the version."""
        if not isinstance(commands, list):
            raise invalid_form("_", "Must be an array.", "BASE_TYPE_ARRAY")
        keys = [(c.get("name"), c.get("type", CHAT_INPUT)) for c in commands]
        if len(set(keys)) != len(keys):
            raise invalid_form(
                "_",
                "Application command names must be unique",
                "APPLICATION_COMMANDS_DUPLICATE_NAME",
            )
        old = {(c["name"], c["type"]): c for c in self.in_scope(guild_id)}
        scope: dict[int, Json] = {}
        for i, raw in enumerate(commands):
            stored = self._build(guild_id, raw, old.get(keys[i]), f"{i}.")
            scope[int(stored["id"])] = stored
        self._scopes[guild_id] = scope
        self.bulk_overwrites += 1
        return list(scope.values())

    def upsert(self, guild_id: int | None, raw: Json) -> tuple[Json, bool]:
        """POST: create, or overwrite the command with the same name+type; True if new."""
        key = (raw.get("name"), raw.get("type", CHAT_INPUT))
        scope = self._scopes.setdefault(guild_id, {})
        previous = next((c for c in scope.values() if (c["name"], c["type"]) == key), None)
        stored = self._build(guild_id, raw, previous, "")
        scope[int(stored["id"])] = stored
        return stored, previous is None

    def get(self, guild_id: int | None, command_id: int) -> Json:
        """The command ``command_id`` of a scope; an Unknown Application Command error if none."""
        try:
            return self._scopes.get(guild_id, {})[command_id]
        except KeyError:
            raise api_error(UNKNOWN_COMMAND) from None

    def edit(self, guild_id: int | None, command_id: int, patch: Json) -> Json:
        """PATCH: change some fields of a command, validated like a new one."""
        current = self.get(guild_id, command_id)
        merged = {k: v for k, v in current.items() if k in _DEFAULTS or k == "name"}
        merged.update(patch)
        stored = self._build(guild_id, merged, current, "")
        self._scopes[guild_id][command_id] = stored
        return stored

    def delete(self, guild_id: int | None, command_id: int) -> None:
        """DELETE: remove a command from its scope."""
        self.get(guild_id, command_id)
        del self._scopes[guild_id][command_id]

    def find(self, name: str, guild_id: int | None) -> Json | None:
        """The chat-input command a user would see under ``name`` (guild scope first)."""
        for scope in (guild_id, None) if guild_id else (None,):
            for command in self._scopes.get(scope, {}).values():
                if command["name"] == name and command["type"] == CHAT_INPUT:
                    return command
        return None

    def visible(self, guild_id: int | None) -> list[Json]:
        """Chat-input commands offered in a guild (or in DMs when ``guild_id`` is None)."""
        commands = list(self._scopes[None].values())
        if guild_id:
            commands += self._scopes.get(guild_id, {}).values()
        return [c for c in commands if c["type"] == CHAT_INPUT]

    def _build(self, guild_id: int | None, raw: Json, previous: Json | None, at: str) -> Json:
        validate_command(raw, at)
        body = {key: raw.get(key, default) for key, default in _DEFAULTS.items()}
        body["name"] = raw["name"]
        body["options"] = list(body["options"] or [])
        if body["default_member_permissions"] is not None:
            body["default_member_permissions"] = str(body["default_member_permissions"])
        if previous is not None and _same(previous, body):
            return previous
        stored: Json = {
            "id": previous["id"] if previous else str(self._ids.next()),
            "application_id": str(self.application_id),
            "version": str(self._ids.next()),
            **body,
        }
        if guild_id is not None:
            stored["guild_id"] = str(guild_id)
        return stored


def _same(stored: Json, body: Json) -> bool:
    return all(stored.get(k) == v for k, v in body.items())


def validate_command(raw: Json, at: str = "") -> None:
    """Discord's command schema rules that a bot can get wrong."""
    kind = raw.get("type", CHAT_INPUT)
    name = raw.get("name")
    if not isinstance(name, str) or not 1 <= len(name) <= 32:
        raise invalid_form(
            f"{at}name", "Must be between 1 and 32 in length.", "BASE_TYPE_BAD_LENGTH"
        )
    if kind == CHAT_INPUT:
        if not _NAME.match(name) or name != name.lower():
            raise invalid_form(
                f"{at}name", "Command name is invalid", "APPLICATION_COMMAND_INVALID_NAME"
            )
        description = raw.get("description") or ""
        if not 1 <= len(description) <= 100:
            raise invalid_form(
                f"{at}description", "Must be between 1 and 100 in length.", "BASE_TYPE_BAD_LENGTH"
            )
        _validate_options(raw.get("options") or [], f"{at}options", depth=0)
    elif raw.get("description"):
        raise invalid_form(f"{at}description", "Context menu commands cannot have a description.")


def _validate_options(options: list[Json], at: str, depth: int) -> None:
    if len(options) > 25:
        raise invalid_form(at, "Must be 25 or fewer in length.", "BASE_TYPE_MAX_LENGTH")
    names = [o.get("name") for o in options]
    if len(set(names)) != len(names):
        raise invalid_form(
            at, "Option names must be unique", "APPLICATION_COMMAND_OPTIONS_NAME_ALREADY_EXISTS"
        )
    seen_optional = False
    for i, option in enumerate(options):
        where = f"{at}.{i}"
        kind = option.get("type")
        name = option.get("name") or ""
        if not _NAME.match(name) or name != name.lower():
            raise invalid_form(
                f"{where}.name", "Command name is invalid", "APPLICATION_COMMAND_INVALID_NAME"
            )
        if not 1 <= len(option.get("description") or "") <= 100:
            raise invalid_form(
                f"{where}.description",
                "Must be between 1 and 100 in length.",
                "BASE_TYPE_BAD_LENGTH",
            )
        if kind in (SUB_COMMAND, SUB_COMMAND_GROUP):
            if (kind == SUB_COMMAND_GROUP and depth > 0) or (kind == SUB_COMMAND and depth > 1):
                raise invalid_form(f"{where}.type", "Sub-commands cannot nest this deep.")
            _validate_options(option.get("options") or [], f"{where}.options", depth + 1)
            continue
        if option.get("required", False):
            if seen_optional:
                raise invalid_form(
                    f"{where}.required",
                    "Required options must be placed before non-required options",
                    "APPLICATION_COMMAND_OPTIONS_REQUIRED_INVALID",
                )
        else:
            seen_optional = True
        choices = option.get("choices") or []
        if len(choices) > 25:
            raise invalid_form(
                f"{where}.choices", "Must be 25 or fewer in length.", "BASE_TYPE_MAX_LENGTH"
            )
        if choices and option.get("autocomplete"):
            raise invalid_form(
                f"{where}.autocomplete", "Autocomplete cannot be combined with choices."
            )
