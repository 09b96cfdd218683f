"""The sandbox's world: users, guilds, channels, members, messages; plus views tests read."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from enum import IntEnum
from typing import Any

EPHEMERAL = 1 << 6
LOADING = 1 << 7
COMPONENTS_V2 = 1 << 15


class ChannelType(IntEnum):
    """Channel kinds the sandbox models (Discord's numbering)."""

    TEXT = 0
    DM = 1
    VOICE = 2
    CATEGORY = 4
    FORUM = 15


class ComponentType(IntEnum):
    """Message and modal component kinds (Discord's numbering)."""

    ACTION_ROW = 1
    BUTTON = 2
    STRING_SELECT = 3
    TEXT_INPUT = 4
    USER_SELECT = 5
    ROLE_SELECT = 6
    MENTIONABLE_SELECT = 7
    CHANNEL_SELECT = 8
    LABEL = 18


SELECT_TYPES = frozenset(
    {
        ComponentType.STRING_SELECT,
        ComponentType.USER_SELECT,
        ComponentType.ROLE_SELECT,
        ComponentType.MENTIONABLE_SELECT,
        ComponentType.CHANNEL_SELECT,
    }
)


@dataclass(eq=False)
class User:
    """A Discord user; ``dms_closed`` makes DMs from the bot fail with 50007."""

    id: int
    username: str
    global_name: str | None = None
    bot: bool = False
    dms_closed: bool = False
    locale: str = "en-US"

    @property
    def mention(self) -> str:
        """The user's mention, ``<@id>``."""
        return f"<@{self.id}>"


@dataclass(eq=False)
class Role:
    """A guild role; the @everyone role shares the guild's id."""

    id: int
    guild_id: int
    name: str
    permissions: int
    position: int = 0
    managed_by: int | None = None

    @property
    def mention(self) -> str:
        """The role's mention, ``<@&id>``."""
        return f"<@&{self.id}>"


@dataclass(eq=False)
class Overwrite:
    """A channel permission overwrite for a role (type 0) or a member (type 1)."""

    id: int
    type: int
    allow: int = 0
    deny: int = 0


@dataclass(eq=False)
class Channel:
    """A guild channel or a DM; messages are kept in creation order."""

    id: int
    type: ChannelType
    name: str | None
    guild_id: int | None = None
    parent_id: int | None = None
    position: int = 0
    topic: str | None = None
    recipient: User | None = None
    overwrites: list[Overwrite] = field(default_factory=list)
    deleted: bool = False
    messages: dict[int, Message] = field(default_factory=dict)

    @property
    def mention(self) -> str:
        """The channel's mention, ``<#id>``."""
        return f"<#{self.id}>"


@dataclass(eq=False)
class Member:
    """A user's membership of a guild."""

    user: User
    guild_id: int
    role_ids: list[int]
    joined_at: dt.datetime
    nick: str | None = None


@dataclass(eq=False)
class Guild:
    """A server: roles, channels and members by id, plus its default channels."""

    id: int
    name: str
    owner_id: int
    roles: dict[int, Role] = field(default_factory=dict)
    channels: dict[int, Channel] = field(default_factory=dict)
    members: dict[int, Member] = field(default_factory=dict)
    general: Channel | None = None
    voice: Channel | None = None
    category: Channel | None = None
    locale: str = "en-US"

    @property
    def everyone(self) -> Role:
        """The guild's @everyone role (its id is the guild's)."""
        return self.roles[self.id]

    def channel_named(self, name: str) -> Channel | None:
        """The live channel called ``name`` (a leading '#' is ignored)."""
        name = name.lstrip("#")
        return next((c for c in self.channels.values() if c.name == name and not c.deleted), None)

    def role_named(self, name: str) -> Role | None:
        """The role called ``name`` (a leading '@' is ignored)."""
        name = name.lstrip("@")
        return next((r for r in self.roles.values() if r.name == name), None)


@dataclass(eq=False)
class Attachment:
    """A stored upload: its bytes stay available to tests and at ``url``."""

    id: int
    filename: str
    content_type: str
    data: bytes
    url: str
    description: str | None = None
    width: int | None = None
    height: int | None = None

    @property
    def size(self) -> int:
        """The file's size in bytes."""
        return len(self.data)


@dataclass(frozen=True)
class Button:
    """A button flattened out of a message's components."""

    label: str | None
    custom_id: str | None
    style: int
    disabled: bool
    url: str | None
    emoji: str | None


@dataclass(frozen=True)
class SelectMenu:
    """A select menu flattened out of a message's components."""

    type: ComponentType
    custom_id: str
    placeholder: str | None
    options: list[dict[str, Any]]
    min_values: int
    max_values: int
    disabled: bool


@dataclass(eq=False)
class Message:
    """A message as stored; ephemeral ones are visible only to ``visible_to``.

    Objects returned to tests are live: later edits by the bot show up on them.
    """

    id: int
    channel_id: int
    guild_id: int | None
    author: User
    content: str = ""
    embeds: list[dict[str, Any]] = field(default_factory=list)
    components: list[dict[str, Any]] = field(default_factory=list)
    attachments: list[Attachment] = field(default_factory=list)
    flags: int = 0
    type: int = 0
    visible_to: int | None = None
    mentions: list[User] = field(default_factory=list)
    mention_role_ids: list[int] = field(default_factory=list)
    mention_everyone: bool = False
    reference: dict[str, Any] | None = None
    interaction: dict[str, Any] | None = None
    webhook_id: int | None = None
    tts: bool = False
    nonce: str | None = None
    created_at: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.UTC))
    edited_at: dt.datetime | None = None
    reactions: dict[str, int] = field(default_factory=dict)

    @property
    def ephemeral(self) -> bool:
        """True for a message only the interaction's user sees."""
        return bool(self.flags & EPHEMERAL)

    @property
    def loading(self) -> bool:
        """True while a deferred ("thinking…") response has not been filled in."""
        return bool(self.flags & LOADING)

    @property
    def buttons(self) -> list[Button]:
        """Every button of the message, in rows and containers too, in order."""
        return [
            Button(
                label=c.get("label"),
                custom_id=c.get("custom_id"),
                style=c.get("style", 1),
                disabled=c.get("disabled", False),
                url=c.get("url"),
                emoji=_emoji_text(c.get("emoji")),
            )
            for c in walk_components(self.components)
            if c.get("type") == ComponentType.BUTTON
        ]

    @property
    def selects(self) -> list[SelectMenu]:
        """Every select menu of the message, in order."""
        return [
            SelectMenu(
                type=ComponentType(c["type"]),
                custom_id=c["custom_id"],
                placeholder=c.get("placeholder"),
                options=list(c.get("options", [])),
                min_values=c.get("min_values", 1),
                max_values=c.get("max_values", 1),
                disabled=c.get("disabled", False),
            )
            for c in walk_components(self.components)
            if c.get("type") in SELECT_TYPES
        ]

    def visible_for(self, user_id: int | None) -> bool:
        """Whether ``user_id`` (None: anyone) can see this message."""
        return self.visible_to is None or self.visible_to == user_id

    def __repr__(self) -> str:
        text = self.content or (self.embeds[0].get("title", "") if self.embeds else "")
        return f"<Message id={self.id} ephemeral={self.ephemeral} {text[:40]!r}>"


@dataclass(frozen=True)
class ModalField:
    """A text input the user can fill when submitting a modal."""

    custom_id: str
    label: str | None
    style: int
    required: bool
    min_length: int | None
    max_length: int | None
    value: str | None
    placeholder: str | None


@dataclass(eq=False)
class Modal:
    """A modal the bot opened (callback 9); pass it to ``Sandbox.submit_modal``."""

    custom_id: str
    title: str
    components: list[dict[str, Any]]
    user_id: int
    guild_id: int | None
    channel_id: int
    source_message_id: int | None

    @property
    def fields(self) -> list[ModalField]:
        """The modal's text inputs, labelled as the user sees them."""
        return [
            ModalField(
                custom_id=c["custom_id"],
                label=c.get("label") or label,
                style=c.get("style", 1),
                required=c.get("required", True),
                min_length=c.get("min_length"),
                max_length=c.get("max_length"),
                value=c.get("value"),
                placeholder=c.get("placeholder"),
            )
            for c, label in _modal_inputs(self.components)
        ]


def walk_components(components: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    """Every component, depth first, through rows, containers, sections and labels."""
    for component in components:
        yield component
        yield from walk_components(component.get("components", []))
        for key in ("accessory", "component"):
            if key in component:
                yield from walk_components([component[key]])


def _modal_inputs(components: list[dict[str, Any]]) -> Iterator[tuple[dict[str, Any], str | None]]:
    for component in components:
        if component.get("type") == ComponentType.LABEL:
            inner = component["component"]
            if inner.get("type") == ComponentType.TEXT_INPUT:
                yield inner, component.get("label")
        elif component.get("type") == ComponentType.ACTION_ROW:
            for inner in component.get("components", []):
                if inner.get("type") == ComponentType.TEXT_INPUT:
                    yield inner, inner.get("label")


def _emoji_text(emoji: dict[str, Any] | None) -> str | None:
    if not emoji:
        return None
    return emoji.get("name")
