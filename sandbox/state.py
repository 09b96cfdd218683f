"""The sandbox's mutable world and the rules Discord applies to it (who sees and may do what)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from typing import Any

from sandbox import permissions as perms
from sandbox.errors import SandboxError
from sandbox.models import (
    Attachment,
    Channel,
    ChannelType,
    Guild,
    Member,
    Message,
    Overwrite,
    Role,
    User,
)
from sandbox.snowflake import SnowflakeFactory
from sandbox.waiting import ChangeSignal

Listener = Callable[[str, Any], None]
"""Receives (event, object) for every change: message_create, channel_update, guild_create…"""


class SandboxState:
    """Users, guilds, channels, members and messages, with change notifications."""

    def __init__(self, *, shard_count: int, bot_name: str) -> None:
        self.ids = SnowflakeFactory()
        self.shard_count = shard_count
        self.bot = User(id=self.ids.next(), username=bot_name.lower().replace(" ", "-"), bot=True)
        self.bot.global_name = bot_name
        self.owner = User(id=self.ids.next(), username="server-owner", global_name="Server Owner")
        self.users: dict[int, User] = {self.bot.id: self.bot, self.owner.id: self.owner}
        self.guilds: dict[int, Guild] = {}
        self.channels: dict[int, Channel] = {}
        self.dm_channels: dict[int, Channel] = {}
        self.attachments: dict[int, Attachment] = {}
        self.cdn_base = ""
        self.changed = ChangeSignal()
        self._listeners: list[Listener] = []

    # -- notifications -------------------------------------------------------------------------

    def subscribe(self, listener: Listener) -> None:
        """Call ``listener(event, obj)`` on every change."""
        self._listeners.append(listener)

    def emit(self, event: str, obj: Any) -> None:
        """Tell listeners and waiters that ``obj`` changed."""
        for listener in self._listeners:
            listener(event, obj)
        self.changed.fire()

    # -- world building ------------------------------------------------------------------------

    def add_user(
        self,
        username: str,
        *,
        global_name: str | None = None,
        bot: bool = False,
        id: int | None = None,
    ) -> User:
        """A new user (``bot=True`` for a bot account)."""
        user = User(id=id or self.ids.next(), username=username, global_name=global_name, bot=bot)
        self.users[user.id] = user
        return user

    def add_guild(
        self, name: str, *, shard: int | None = None, ids: Mapping[str, int] | None = None
    ) -> Guild:
        """A server with @everyone, the bot's role, #general, a voice channel and a category.

        ``ids`` gives known ids to "guild", "category", "general" and "voice" (a world
        restored from an earlier session); the shard then follows from the guild id.
        """
        known = dict(ids or {})
        if "guild" in known:
            shard = (known["guild"] >> 22) % self.shard_count
        if shard is None:
            shard = len(self.guilds) % self.shard_count
        if not 0 <= shard < self.shard_count:
            raise SandboxError(f"shard {shard} is outside 0..{self.shard_count - 1}")
        guild = Guild(
            id=known.get("guild") or self.ids.next_on_shard(shard, self.shard_count),
            name=name,
            owner_id=self.owner.id,
        )
        guild.roles[guild.id] = Role(
            id=guild.id, guild_id=guild.id, name="@everyone", permissions=perms.EVERYONE_DEFAULT
        )
        bot_role = self.add_role(
            guild, self.bot.global_name or self.bot.username, perms.BOT_DEFAULT
        )
        bot_role.managed_by = self.bot.id
        self.guilds[guild.id] = guild
        guild.category = self.add_channel(
            guild, "Text Channels", ChannelType.CATEGORY, announce=False, id=known.get("category")
        )
        guild.general = self.add_channel(
            guild,
            "general",
            ChannelType.TEXT,
            parent=guild.category,
            announce=False,
            id=known.get("general"),
        )
        guild.voice = self.add_channel(
            guild, "General", ChannelType.VOICE, announce=False, id=known.get("voice")
        )
        self._join(guild, self.owner, [])
        self._join(guild, self.bot, [bot_role.id])
        self.emit("guild_create", guild)
        return guild

    def add_role(self, guild: Guild, name: str, permissions: int) -> Role:
        """A new role in ``guild``, above the others."""
        role = Role(
            id=self.ids.next(),
            guild_id=guild.id,
            name=name,
            permissions=permissions,
            position=len(guild.roles),
        )
        guild.roles[role.id] = role
        if guild.id in self.guilds:
            self.emit("role_create", role)
        return role

    def add_channel(
        self,
        guild: Guild,
        name: str,
        type: ChannelType = ChannelType.TEXT,
        *,
        parent: Channel | None = None,
        topic: str | None = None,
        announce: bool = True,
        id: int | None = None,
    ) -> Channel:
        """A new channel in ``guild``, announced to the gateway unless ``announce`` is False."""
        channel = Channel(
            id=id or self.ids.next(),
            type=type,
            name=name,
            guild_id=guild.id,
            parent_id=parent.id if parent else None,
            position=sum(1 for c in guild.channels.values() if c.type == type),
            topic=topic,
        )
        guild.channels[channel.id] = channel
        self.channels[channel.id] = channel
        if announce:
            self.emit("channel_create", channel)
        return channel

    def add_member(
        self,
        guild: Guild,
        user: User,
        *,
        manage_guild: bool = False,
        administrator: bool = False,
        roles: list[Role] | None = None,
        nick: str | None = None,
    ) -> Member:
        """Join ``user`` to ``guild``; moderator/admin flags hand out a matching role."""
        role_ids = [r.id for r in roles or []]
        if manage_guild:
            role_ids.append(self._role_with(guild, "Moderator", perms.MANAGE_GUILD).id)
        if administrator:
            role_ids.append(self._role_with(guild, "Admin", perms.ADMINISTRATOR).id)
        member = self._join(guild, user, role_ids)
        member.nick = nick
        return member

    def _role_with(self, guild: Guild, name: str, permissions: int) -> Role:
        return guild.role_named(name) or self.add_role(guild, name, permissions)

    def _join(self, guild: Guild, user: User, role_ids: list[int]) -> Member:
        self.users.setdefault(user.id, user)
        member = Member(
            user=user, guild_id=guild.id, role_ids=role_ids, joined_at=dt.datetime.now(dt.UTC)
        )
        guild.members[user.id] = member
        return member

    def dm_channel(self, user: User) -> Channel:
        """The bot's DM channel with ``user``, opened on first use."""
        channel = self.dm_channels.get(user.id)
        if channel is None:
            channel = Channel(id=self.ids.next(), type=ChannelType.DM, name=None, recipient=user)
            self.dm_channels[user.id] = channel
            self.channels[channel.id] = channel
        return channel

    # -- failure switches ----------------------------------------------------------------------

    def forbid_channel(self, channel: Channel) -> None:
        """Deny the bot sending in ``channel`` (an overwrite, as a moderator would set)."""
        channel.overwrites.append(Overwrite(id=self.bot.id, type=1, deny=perms.SEND_DENIED))
        self.emit("channel_update", channel)

    def delete_channel(self, channel: Channel) -> None:
        """Delete ``channel`` (it stays in the maps, marked deleted)."""
        channel.deleted = True
        self.emit("channel_delete", channel)

    # -- lookups and rules ---------------------------------------------------------------------

    def shard_of(self, guild_id: int | None, shard_count: int | None = None) -> int:
        """Discord's routing: (guild_id >> 22) % shard_count; DMs go to shard 0."""
        if guild_id is None:
            return 0
        return (guild_id >> 22) % (shard_count or self.shard_count)

    def guild_of(self, channel: Channel) -> Guild | None:
        """The guild of ``channel``; None for a DM."""
        return self.guilds.get(channel.guild_id) if channel.guild_id else None

    def member(self, guild: Guild, user: User) -> Member:
        """The member of ``guild`` who is ``user``; SandboxError if they are not in it."""
        member = guild.members.get(user.id)
        if member is None:
            raise SandboxError(f"{user.username} is not a member of {guild.name!r}")
        return member

    def base_permissions(self, guild: Guild, member: Member) -> int:
        """Guild-level permissions: @everyone plus the member's roles; owners hold all."""
        if member.user.id == guild.owner_id:
            return perms.ALL
        value = guild.everyone.permissions
        for role_id in member.role_ids:
            value |= guild.roles[role_id].permissions
        return perms.ALL if value & perms.ADMINISTRATOR else value

    def permissions_in(self, channel: Channel, member: Member) -> int:
        """Permissions in ``channel`` after role and member overwrites (Discord's order)."""
        guild = self.guilds[member.guild_id]
        value = self.base_permissions(guild, member)
        if value & perms.ADMINISTRATOR:
            return value
        role_ids = {guild.id, *member.role_ids}
        allow = deny = 0
        for ow in channel.overwrites:
            if ow.type == 0 and ow.id == guild.id:
                value = (value & ~ow.deny) | ow.allow
            elif ow.type == 0 and ow.id in role_ids:
                allow, deny = allow | ow.allow, deny | ow.deny
        value = (value & ~deny) | allow
        for ow in channel.overwrites:
            if ow.type == 1 and ow.id == member.user.id:
                value = (value & ~ow.deny) | ow.allow
        return value

    def top_position(self, guild: Guild, member: Member) -> int:
        """The position of the member's highest role (0: only @everyone)."""
        return max((guild.roles[r].position for r in member.role_ids), default=0)

    def bot_can_manage(self, guild: Guild, role: Role) -> bool:
        """Whether the bot may give or take ``role``, by Discord's rule.

        It needs Manage Roles, and the role below its highest role; @everyone and managed
        (bot, integration) roles never.
        """
        bot = guild.members[self.bot.id]
        if role.id == guild.id or role.managed_by is not None:
            return False
        if not perms.has_all(self.base_permissions(guild, bot), perms.MANAGE_ROLES):
            return False
        return role.position < self.top_position(guild, bot)

    def move_role(self, guild: Guild, role: Role, position: int) -> None:
        """Put ``role`` at ``position`` (1 is just above @everyone), shifting the others."""
        ordered = sorted(
            (r for r in guild.roles.values() if r.id != guild.id and r is not role),
            key=lambda r: r.position,
        )
        ordered.insert(max(0, min(position - 1, len(ordered))), role)
        for index, each in enumerate(ordered, start=1):
            if each.position != index:
                each.position = index
                self.emit("role_update", each)

    def set_role_permissions(self, role: Role, permissions: int) -> None:
        """Change a role's permissions (announced as GUILD_ROLE_UPDATE)."""
        role.permissions = permissions
        self.emit("role_update", role)

    def bot_can_send(self, channel: Channel) -> bool:
        """Whether the bot may view and send messages in ``channel``."""
        guild = self.guild_of(channel)
        if guild is None:
            return True
        needed = perms.VIEW_CHANNEL | perms.SEND_MESSAGES
        return self.permissions_in(channel, guild.members[self.bot.id]) & needed == needed

    def channel(self, channel_id: int) -> Channel | None:
        """The live channel ``channel_id``; None if unknown or deleted."""
        channel = self.channels.get(channel_id)
        return None if channel is None or channel.deleted else channel

    def find_message(self, message_id: int) -> Message | None:
        """The message ``message_id`` in any channel; None if none."""
        for channel in self.channels.values():
            message = channel.messages.get(message_id)
            if message is not None:
                return message
        return None

    def visible_messages(self, channel: Channel, user_id: int | None) -> list[Message]:
        """Messages of ``channel`` that ``user_id`` sees (None: only public ones)."""
        return [m for m in channel.messages.values() if m.visible_for(user_id)]

    def resolve_user(self, value: Any) -> User:
        """A User from a User, a Member, an id or a username."""
        if isinstance(value, User):
            return value
        if isinstance(value, Member):
            return value.user
        if isinstance(value, int) and value in self.users:
            return self.users[value]
        if isinstance(value, str):
            name = value.lstrip("@")
            found = next((u for u in self.users.values() if u.username == name), None)
            if found:
                return found
        raise SandboxError(f"no user {value!r}")

    # -- messages ------------------------------------------------------------------------------

    def add_message(self, message: Message) -> Message:
        """Store ``message`` in its channel and announce MESSAGE_CREATE."""
        self.channels[message.channel_id].messages[message.id] = message
        self.emit("message_create", message)
        return message

    def message_edited(self, message: Message) -> None:
        """Stamp ``message`` as edited now and announce MESSAGE_UPDATE."""
        message.edited_at = dt.datetime.now(dt.UTC)
        self.emit("message_update", message)

    def remove_message(self, message: Message) -> None:
        """Delete ``message`` and announce MESSAGE_DELETE."""
        self.channels[message.channel_id].messages.pop(message.id, None)
        self.emit("message_delete", message)

    def store_attachment(
        self, channel_id: int, filename: str, content_type: str, data: bytes, **extra: Any
    ) -> Attachment:
        """Keep an uploaded file, served at its CDN URL."""
        attachment_id = self.ids.next()
        url = f"{self.cdn_base}/attachments/{channel_id}/{attachment_id}/{filename}"
        attachment = Attachment(
            id=attachment_id,
            filename=filename,
            content_type=content_type,
            data=data,
            url=url,
            **extra,
        )
        self.attachments[attachment_id] = attachment
        return attachment
