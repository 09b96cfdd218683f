"""Ids read back from a button's custom_id, checked before they reach the database."""

from __future__ import annotations

from bot.services.errors import UserError

# Discord ids and our row ids are stored as signed 64-bit integers.
MAX_ID = 2**63 - 1
STALE = "This button is out of date or does not belong here; run the command again."


def id_from(text: str) -> int:
    """The id in a custom_id's digits, or 0 when it cannot be one (callbacks refuse 0).

    ``from_custom_id`` must not raise (discord.py would only log it and the member would
    see "This interaction failed"), so the refusal happens in the callback: ``require_id``.
    """
    value = int(text)
    return value if 0 < value <= MAX_ID else 0


def require_id(value: int) -> int:
    """``value`` if it is a usable id, else the member is told the button is stale."""
    if not 0 < value <= MAX_ID:
        raise UserError(STALE)
    return value
