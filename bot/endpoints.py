"""Point the unmodified discord.py client at another Discord-compatible server."""

from __future__ import annotations

import discord.http
import yarl
from discord.gateway import DiscordWebSocket

_DEFAULT_API = discord.http.Route.BASE
_DEFAULT_GATEWAY = DiscordWebSocket.DEFAULT_GATEWAY


def point_discord_at(api_base: str | None, gateway_url: str | None = None) -> None:
    """Send REST (bot and webhook routes) to ``api_base``, e.g. ``http://127.0.0.1:8080/api/v10``.

    ``None`` leaves that endpoint as it is.

    The sharded client asks ``GET /gateway/bot`` for its gateway; ``gateway_url`` also covers
    clients that skip that call (a fixed shard count, or a plain ``Client``).
    """
    if api_base is not None:
        # Webhook requests (interaction responses and follow-ups) use this same Route class.
        discord.http.Route.BASE = api_base.rstrip("/")
    if gateway_url is not None:
        DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(gateway_url)


def restore_discord_endpoints() -> None:
    """Undo ``point_discord_at``: talk to discord.com again."""
    discord.http.Route.BASE = _DEFAULT_API
    DiscordWebSocket.DEFAULT_GATEWAY = _DEFAULT_GATEWAY
