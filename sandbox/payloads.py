"""JSON shapes of Discord API v10 objects, built from the sandbox's models."""

from __future__ import annotations

import datetime as dt
from typing import Any

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
from sandbox.state import SandboxState

Json = dict[str, Any]


def timestamp(value: dt.datetime | None) -> str | None:
    """An ISO 8601 timestamp, or None."""
    return value.isoformat() if value else None


def user(u: User) -> Json:
    """A user object."""
    return {
        "id": str(u.id),
        "username": u.username,
        "discriminator": "0",
        "global_name": u.global_name,
        "avatar": None,
        "avatar_decoration_data": None,
        "banner": None,
        "accent_color": None,
        "bot": u.bot,
        "system": False,
        "public_flags": 0,
        "flags": 0,
        "primary_guild": None,
    }


def client_user(u: User) -> Json:
    """The bot's own user (GET /users/@me and READY)."""
    return {
        **user(u),
        "verified": True,
        "mfa_enabled": False,
        "email": None,
        "locale": "en-US",
        "premium_type": 0,
        "bio": "",
    }


def role(r: Role) -> Json:
    """A role object."""
    payload: Json = {
        "id": str(r.id),
        "name": r.name,
        "description": None,
        "color": 0,
        "colors": {"primary_color": 0, "secondary_color": None, "tertiary_color": None},
        "hoist": False,
        "icon": None,
        "unicode_emoji": None,
        "position": r.position,
        "permissions": str(r.permissions),
        "managed": r.managed_by is not None,
        "mentionable": False,
        "flags": 0,
    }
    if r.managed_by is not None:
        payload["tags"] = {"bot_id": str(r.managed_by)}
    return payload


def overwrite(o: Overwrite) -> Json:
    """A channel permission overwrite."""
    return {"id": str(o.id), "type": o.type, "allow": str(o.allow), "deny": str(o.deny)}


def channel(c: Channel) -> Json:
    """A full channel object (guild channel or DM)."""
    # Messages are kept in creation order and ids increase: the last key is the newest (the
    # channel is in every interaction's payload, so no scan of a long channel's messages).
    last_message_id = str(next(reversed(c.messages))) if c.messages else None
    if c.type == ChannelType.DM:
        assert c.recipient is not None
        return {
            "id": str(c.id),
            "type": int(c.type),
            "recipients": [user(c.recipient)],
            "last_message_id": last_message_id,
            "flags": 0,
        }
    payload: Json = {
        "id": str(c.id),
        "type": int(c.type),
        "guild_id": str(c.guild_id),
        "name": c.name,
        "position": c.position,
        "permission_overwrites": [overwrite(o) for o in c.overwrites],
        "parent_id": str(c.parent_id) if c.parent_id else None,
        "nsfw": False,
        "flags": 0,
    }
    if c.type in (ChannelType.TEXT, ChannelType.VOICE, ChannelType.FORUM):
        payload["rate_limit_per_user"] = 0
        payload["last_message_id"] = last_message_id
    if c.type in (ChannelType.TEXT, ChannelType.FORUM):
        payload["topic"] = c.topic
        payload["default_auto_archive_duration"] = 1440
        payload["default_thread_rate_limit_per_user"] = 0
    if c.type == ChannelType.VOICE:
        payload.update(bitrate=64000, user_limit=0, rtc_region=None, video_quality_mode=1)
    if c.type == ChannelType.FORUM:
        payload.update(
            available_tags=[],
            default_reaction_emoji=None,
            default_sort_order=None,
            default_forum_layout=0,
        )
    return payload


def partial_channel(c: Channel, permissions: int) -> Json:
    """The channel shape inside interactions' ``resolved`` and ``channel`` fields."""
    payload = channel(c)
    payload["permissions"] = str(permissions)
    return payload


def member(m: Member, *, permissions: int | None = None, with_user: bool = True) -> Json:
    """A guild member object (with its user unless ``with_user`` is False)."""
    payload: Json = {
        "nick": m.nick,
        "avatar": None,
        "banner": None,
        "roles": [str(r) for r in m.role_ids],
        "joined_at": timestamp(m.joined_at),
        "premium_since": None,
        "deaf": False,
        "mute": False,
        "flags": 0,
        "pending": False,
        "communication_disabled_until": None,
        "unusual_dm_activity_until": None,
    }
    if with_user:
        payload["user"] = user(m.user)
    if permissions is not None:
        payload["permissions"] = str(permissions)
    return payload


def guild(g: Guild) -> Json:
    """The guild object as REST returns it."""
    return {
        "id": str(g.id),
        "name": g.name,
        "icon": None,
        "icon_hash": None,
        "splash": None,
        "discovery_splash": None,
        "banner": None,
        "description": None,
        "owner_id": str(g.owner_id),
        "region": "deprecated",
        "afk_channel_id": None,
        "afk_timeout": 300,
        "widget_enabled": False,
        "widget_channel_id": None,
        "verification_level": 0,
        "default_message_notifications": 0,
        "explicit_content_filter": 0,
        "roles": [role(r) for r in g.roles.values()],
        "emojis": [],
        "stickers": [],
        "features": [],
        "mfa_level": 0,
        "application_id": None,
        "system_channel_id": str(g.general.id) if g.general else None,
        "system_channel_flags": 0,
        "rules_channel_id": None,
        "public_updates_channel_id": None,
        "safety_alerts_channel_id": None,
        "max_presences": None,
        "max_members": 25_000_000,
        "vanity_url_code": None,
        "premium_tier": 0,
        "premium_subscription_count": 0,
        "preferred_locale": g.locale,
        "max_video_channel_users": 25,
        "max_stage_video_channel_users": 50,
        "nsfw_level": 0,
        "premium_progress_bar_enabled": False,
        "incidents_data": None,
    }


def guild_create(g: Guild, state: SandboxState) -> Json:
    """GUILD_CREATE: the guild plus channels and, without GUILD_MEMBERS, only the bot's member."""
    return {
        **guild(g),
        "joined_at": timestamp(g.members[state.bot.id].joined_at),
        "large": False,
        "unavailable": False,
        "member_count": len(g.members),
        "voice_states": [],
        "members": [member(g.members[state.bot.id])],
        "channels": [channel(c) for c in g.channels.values() if not c.deleted],
        "threads": [],
        "presences": [],
        "stage_instances": [],
        "guild_scheduled_events": [],
        "soundboard_sounds": [],
        "lazy": True,
        "application_command_counts": {},
        "embedded_activities": [],
        "version": 0,
    }


def attachment(a: Attachment) -> Json:
    """An attachment object."""
    payload: Json = {
        "id": str(a.id),
        "filename": a.filename,
        "size": a.size,
        "url": a.url,
        "proxy_url": a.url,
        "content_type": a.content_type,
        "flags": 0,
    }
    if a.description is not None:
        payload["description"] = a.description
    if a.width is not None:
        payload.update(width=a.width, height=a.height, placeholder=None, placeholder_version=1)
    return payload


def message(m: Message, state: SandboxState) -> Json:
    """A message object as the REST API and MESSAGE_CREATE send it."""
    payload: Json = {
        "id": str(m.id),
        "channel_id": str(m.channel_id),
        "author": user(m.author),
        "content": m.content,
        "timestamp": timestamp(m.created_at),
        "edited_timestamp": timestamp(m.edited_at),
        "tts": m.tts,
        "mention_everyone": m.mention_everyone,
        "mentions": [user(u) for u in m.mentions],
        "mention_roles": [str(r) for r in m.mention_role_ids],
        "attachments": [attachment(a) for a in m.attachments],
        "embeds": m.embeds,
        "components": m.components,
        "reactions": [
            {"emoji": {"id": None, "name": name}, "count": count, "me": True}
            for name, count in m.reactions.items()
        ],
        "pinned": False,
        "type": m.type,
        "flags": m.flags,
    }
    if m.guild_id is not None:
        payload["guild_id"] = str(m.guild_id)
    if m.webhook_id is not None:
        payload["webhook_id"] = str(m.webhook_id)
        payload["application_id"] = str(m.webhook_id)
    if m.interaction is not None:
        payload["interaction_metadata"] = m.interaction
        payload["interaction"] = {
            "id": m.interaction["id"],
            "type": m.interaction["type"],
            "name": m.interaction.get("name", ""),
            "user": m.interaction["user"],
        }
    if m.reference is not None:
        payload["message_reference"] = m.reference
        referenced = state.find_message(int(m.reference["message_id"]))
        payload["referenced_message"] = (
            _referenced(referenced, state) if referenced is not None else None
        )
    return payload


def _referenced(m: Message, state: SandboxState) -> Json:
    payload = message(m, state)
    payload.pop("referenced_message", None)
    return payload


def application(state: SandboxState) -> Json:
    """GET /oauth2/applications/@me."""
    bot = state.bot
    return {
        "id": str(bot.id),
        "name": bot.global_name or bot.username,
        "icon": None,
        "description": "Backend Mentor running against the local Discord sandbox.",
        "summary": "",
        "type": None,
        "hook": True,
        "bot_public": True,
        "bot_require_code_grant": False,
        "verify_key": "0" * 64,
        "flags": 0,
        "owner": user(state.owner),
        "team": None,
        "bot": user(bot),
        "rpc_origins": [],
        "tags": [],
        "redirect_uris": [],
        "interactions_endpoint_url": None,
        "role_connections_verification_url": None,
        "approximate_guild_count": len(state.guilds),
        "integration_types_config": {"0": {}, "1": {}},
        "install_params": {"scopes": ["bot", "applications.commands"], "permissions": "0"},
    }
