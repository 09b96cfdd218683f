"""Message bodies as Discord reads them: JSON or multipart, limits, mentions, attachments."""

from __future__ import annotations

import io
import json
import mimetypes
import re
from dataclasses import dataclass
from typing import Any

from aiohttp import BodyPartReader, web

from sandbox import permissions as perms
from sandbox.errors import EMPTY_MESSAGE, ApiError, api_error, invalid_form
from sandbox.models import (
    COMPONENTS_V2,
    EPHEMERAL,
    LOADING,
    SELECT_TYPES,
    Attachment,
    Channel,
    ComponentType,
    Message,
    User,
    walk_components,
)
from sandbox.state import SandboxState

Json = dict[str, Any]

EDITABLE_FLAGS = (1 << 2) | COMPONENTS_V2  # SUPPRESS_EMBEDS, IS_COMPONENTS_V2
_USER_MENTION = re.compile(r"<@!?(\d+)>")
_ROLE_MENTION = re.compile(r"<@&(\d+)>")


@dataclass(frozen=True)
class Upload:
    """One ``files[n]`` part of a multipart request."""

    filename: str
    data: bytes


async def read_body(request: web.Request) -> tuple[Json, dict[int, Upload]]:
    """The JSON payload and uploaded files of a request (JSON or multipart/form-data)."""
    if request.content_type.startswith("multipart/"):
        payload: Json = {}
        uploads: dict[int, Upload] = {}
        reader = await request.multipart()
        while (part := await reader.next()) is not None:
            if not isinstance(part, BodyPartReader):
                continue
            name = part.name or ""
            if name == "payload_json":
                payload = json.loads(await part.text())
            elif match := re.fullmatch(r"files\[(\d+)\]|file(\d*)", name):
                index = int(match.group(1) or match.group(2) or 0)
                uploads[index] = Upload(
                    filename=part.filename or name, data=bytes(await part.read())
                )
        return payload, uploads
    if not request.can_read_body:
        return {}, {}
    try:
        body = await request.json()
    except ValueError:
        raise ApiError(400, 50109, "The request body contains invalid JSON.") from None
    if not isinstance(body, dict):
        raise invalid_form("_", "Must be an object.", "DICT_TYPE_CONVERT")
    return body, {}


class MessageWriter:
    """Creates and edits messages the way Discord validates and stores them."""

    def __init__(self, state: SandboxState) -> None:
        self.state = state

    def create(
        self,
        channel: Channel,
        body: Json,
        uploads: dict[int, Upload],
        *,
        author: User | None = None,
        flags: int = 0,
        visible_to: int | None = None,
        type: int = 0,
        interaction: Json | None = None,
        webhook_id: int | None = None,
    ) -> Message:
        """Validate ``body`` and store a new message in ``channel``."""
        validate(body, uploads, require_content=True)
        flags |= int(body.get("flags") or 0) & (EDITABLE_FLAGS | EPHEMERAL)
        if not flags & EPHEMERAL:
            visible_to = None
        message = Message(
            id=self.state.ids.next(),
            channel_id=channel.id,
            guild_id=channel.guild_id,
            author=author or self.state.bot,
            flags=flags,
            type=type,
            visible_to=visible_to,
            interaction=interaction,
            webhook_id=webhook_id,
            tts=bool(body.get("tts", False)),
            nonce=str(body["nonce"]) if body.get("nonce") is not None else None,
        )
        self._apply(message, body, uploads, creating=True)
        return self.state.add_message(message)

    def edit(self, message: Message, body: Json, uploads: dict[int, Upload]) -> Message:
        """Validate ``body`` and apply it to ``message`` (only fields present change)."""
        validate(body, uploads, require_content=False, v2=bool(message.flags & COMPONENTS_V2))
        if "flags" in body and body["flags"] is not None:
            keep = message.flags & ~EDITABLE_FLAGS
            message.flags = keep | (int(body["flags"]) & EDITABLE_FLAGS)
        self._apply(message, body, uploads, creating=False)
        self.state.message_edited(message)
        return message

    def fill(self, message: Message, body: Json, uploads: dict[int, Upload]) -> Message:
        """Turn a deferred "thinking…" message into the real response."""
        validate(body, uploads, require_content=True)
        requested = int(body.get("flags") or 0) & EDITABLE_FLAGS
        message.flags = (message.flags & ~(LOADING | EDITABLE_FLAGS)) | requested
        self._apply(message, body, uploads, creating=True)
        self.state.message_edited(message)
        return message

    def _apply(
        self, message: Message, body: Json, uploads: dict[int, Upload], *, creating: bool
    ) -> None:
        if "content" in body or creating:
            message.content = body.get("content") or ""
        if "embeds" in body or creating:
            message.embeds = list(body.get("embeds") or [])
        if "components" in body or creating:
            message.components = list(body.get("components") or [])
        if "attachments" in body or uploads or creating:
            message.attachments = self._attachments(message, body, uploads)
        if creating and body.get("message_reference"):
            message.reference = self._reference(message, body["message_reference"])
            message.type = 19 if message.type == 0 else message.type
        if "content" in body or creating:
            self._mentions(message, body.get("allowed_mentions"))

    def _attachments(
        self, message: Message, body: Json, uploads: dict[int, Upload]
    ) -> list[Attachment]:
        existing = {a.id: a for a in message.attachments}
        specs = body.get("attachments")
        if specs is None:
            kept = list(existing.values())
            return kept + [self._store(message, up, None, None) for up in uploads.values()]
        result: list[Attachment] = []
        used: set[int] = set()
        for i, spec in enumerate(specs):
            ref = int(spec["id"])
            if ref in existing:
                result.append(existing[ref])
            elif ref in uploads:
                used.add(ref)
                result.append(
                    self._store(
                        message, uploads[ref], spec.get("filename"), spec.get("description")
                    )
                )
            else:
                raise invalid_form(
                    f"attachments.{i}.id", "Unknown attachment.", "UNKNOWN_ATTACHMENT"
                )
        result += [
            self._store(message, up, None, None) for i, up in uploads.items() if i not in used
        ]
        return result

    def _store(
        self, message: Message, upload: Upload, filename: str | None, description: str | None
    ) -> Attachment:
        name = filename or upload.filename
        content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
        width, height = (
            image_size(upload.data) if content_type.startswith("image/") else (None, None)
        )
        return self.state.store_attachment(
            message.channel_id,
            name,
            content_type,
            upload.data,
            description=description,
            width=width,
            height=height,
        )

    def _reference(self, message: Message, ref: Json) -> Json:
        target_id = int(ref.get("message_id", 0))
        channel_id = int(ref.get("channel_id") or message.channel_id)
        target = self.state.channels.get(channel_id)
        if target is None or target_id not in target.messages:
            if ref.get("fail_if_not_exists", True):
                raise invalid_form(
                    "message_reference", "Unknown message", "MESSAGE_REFERENCE_UNKNOWN_MESSAGE"
                )
            return {}
        reference: Json = {"type": 0, "message_id": str(target_id), "channel_id": str(channel_id)}
        if message.guild_id is not None:
            reference["guild_id"] = str(message.guild_id)
        return reference

    def _mentions(self, message: Message, allowed: Json | None) -> None:
        """Mentions that actually ping, honouring ``allowed_mentions`` as Discord does."""
        parse = ["users", "roles", "everyone"] if allowed is None else allowed.get("parse", [])
        allowed_users = {int(u) for u in (allowed or {}).get("users", [])}
        allowed_roles = {int(r) for r in (allowed or {}).get("roles", [])}
        content = message.content
        users: list[User] = []
        for raw in dict.fromkeys(_USER_MENTION.findall(content)):
            uid = int(raw)
            if uid in self.state.users and ("users" in parse or uid in allowed_users):
                users.append(self.state.users[uid])
        if message.reference and (allowed is None or allowed.get("replied_user", True)):
            replied = self.state.find_message(int(message.reference["message_id"]))
            if replied is not None and replied.author not in users:
                users.append(replied.author)
        guild = self.state.guilds.get(message.guild_id) if message.guild_id else None
        roles = [
            int(r)
            for r in dict.fromkeys(_ROLE_MENTION.findall(content))
            if guild and int(r) in guild.roles and ("roles" in parse or int(r) in allowed_roles)
        ]
        everyone = False
        if guild and "everyone" in parse and ("@everyone" in content or "@here" in content):
            bot_member = guild.members.get(message.author.id)
            channel = self.state.channels[message.channel_id]
            if bot_member is not None:
                everyone = bool(
                    self.state.permissions_in(channel, bot_member) & perms.MENTION_EVERYONE
                )
        message.mentions, message.mention_role_ids, message.mention_everyone = (
            users,
            roles,
            everyone,
        )


def validate(
    body: Json, uploads: dict[int, Upload], *, require_content: bool, v2: bool = False
) -> None:
    """Discord's message limits; raises the 400 Discord would answer.

    ``v2``: the message already uses components v2 (an edit need not repeat the flag).
    """
    content = body.get("content") or ""
    if len(content) > 2000:
        raise invalid_form("content", "Must be 2000 or fewer in length.", "BASE_TYPE_MAX_LENGTH")
    embeds = body.get("embeds") or []
    if len(embeds) > 10:
        raise invalid_form("embeds", "Must be 10 or fewer in length.", "BASE_TYPE_MAX_LENGTH")
    total = 0
    for i, embed in enumerate(embeds):
        total += _validate_embed(i, embed)
    if total > 6000:
        raise invalid_form(
            "embeds", "Embed size exceeds maximum size of 6000", "MAX_EMBED_SIZE_EXCEEDED"
        )
    components = body.get("components") or []
    v2 = v2 or bool(int(body.get("flags") or 0) & COMPONENTS_V2)
    _validate_components(components, v2=v2)
    if v2 and (content or embeds):
        raise invalid_form(
            "content",
            "The 'content' and 'embeds' fields cannot be used with components v2.",
            "MESSAGE_CANNOT_USE_LEGACY_FIELDS_WITH_COMPONENTS_V2",
        )
    something = content or embeds or components or uploads or body.get("attachments")
    something = something or body.get("sticker_ids") or body.get("poll")
    if require_content and not something:
        raise api_error(EMPTY_MESSAGE)


def _validate_embed(index: int, embed: Json) -> int:
    limits = {"title": 256, "description": 4096}
    size = 0
    for key, limit in limits.items():
        text = embed.get(key) or ""
        if len(text) > limit:
            raise invalid_form(
                f"embeds.{index}.{key}",
                f"Must be {limit} or fewer in length.",
                "BASE_TYPE_MAX_LENGTH",
            )
        size += len(text)
    fields = embed.get("fields") or []
    if len(fields) > 25:
        raise invalid_form(
            f"embeds.{index}.fields", "Must be 25 or fewer in length.", "BASE_TYPE_MAX_LENGTH"
        )
    for j, field in enumerate(fields):
        for key, limit in (("name", 256), ("value", 1024)):
            text = str(field.get(key) or "")
            if not text:
                raise invalid_form(
                    f"embeds.{index}.fields.{j}.{key}",
                    "This field is required",
                    "BASE_TYPE_REQUIRED",
                )
            if len(text) > limit:
                raise invalid_form(
                    f"embeds.{index}.fields.{j}.{key}",
                    f"Must be {limit} or fewer in length.",
                    "BASE_TYPE_MAX_LENGTH",
                )
            size += len(text)
    for key, sub, limit in (("footer", "text", 2048), ("author", "name", 256)):
        text = (embed.get(key) or {}).get(sub) or ""
        if len(text) > limit:
            raise invalid_form(
                f"embeds.{index}.{key}.{sub}",
                f"Must be {limit} or fewer in length.",
                "BASE_TYPE_MAX_LENGTH",
            )
        size += len(text)
    return size


def _validate_components(components: list[Json], *, v2: bool) -> None:
    if not v2:
        if len(components) > 5:
            raise invalid_form(
                "components", "Must be 5 or fewer in length.", "BASE_TYPE_MAX_LENGTH"
            )
        for i, row in enumerate(components):
            if row.get("type") != ComponentType.ACTION_ROW:
                raise invalid_form(
                    f"components.{i}.type", "Top-level components must be action rows."
                )
            children = row.get("components") or []
            selects = [c for c in children if c.get("type") in SELECT_TYPES]
            if not children or len(children) > 5 or (selects and len(children) > 1):
                raise invalid_form(
                    f"components.{i}.components",
                    "An action row holds 1 to 5 buttons or a single select menu.",
                    "COMPONENT_LAYOUT_WIDTH_EXCEEDED",
                )
    seen: set[str] = set()
    for component in walk_components(components):
        kind = component.get("type")
        custom_id = component.get("custom_id")
        if custom_id is not None:
            if len(custom_id) > 100:
                raise invalid_form("components", "custom_id must be 100 or fewer in length.")
            if custom_id in seen:
                raise invalid_form(
                    "components",
                    "Component custom id cannot be duplicated",
                    "COMPONENT_CUSTOM_ID_DUPLICATED",
                )
            seen.add(custom_id)
        if kind == ComponentType.BUTTON:
            _validate_button(component)
        elif kind == ComponentType.STRING_SELECT:
            options = component.get("options") or []
            if not 1 <= len(options) <= 25:
                raise invalid_form("components", "A select menu needs 1 to 25 options.")


def _validate_button(button: Json) -> None:
    if len(button.get("label") or "") > 80:
        raise invalid_form("components", "Button label must be 80 or fewer in length.")
    if button.get("style") == 5:
        if not button.get("url") or button.get("custom_id"):
            raise invalid_form("components", "A link button needs a url and no custom_id.")
    elif button.get("style") != 6 and not button.get("custom_id"):
        raise invalid_form("components", "A button needs a custom_id.", "BASE_TYPE_REQUIRED")


def image_size(data: bytes) -> tuple[int | None, int | None]:
    """Width and height of an image upload, or (None, None) when it cannot be read."""
    try:
        from PIL import Image

        with Image.open(io.BytesIO(data)) as image:
            return image.size
    except Exception:
        return None, None
