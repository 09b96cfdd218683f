"""Parsing what users type for times and timezones, with helpful errors."""

from __future__ import annotations

import re
import zoneinfo
from datetime import time
from functools import cache

from rapidfuzz import fuzz, process, utils

from bot.services.errors import UserError

_HHMM = re.compile(r"^\s*(\d{1,2})[:.h](\d{2})\s*$")
_ALIASES = {"utc": "UTC", "gmt": "UTC", "z": "UTC"}


def parse_hhmm(text: str) -> time:
    """``"9:30"`` → 09:30. Anything that is not a real 24-hour time is a UserError."""
    match = _HHMM.match(text)
    if match:
        hour, minute = int(match[1]), int(match[2])
        if hour < 24 and minute < 60:
            return time(hour, minute)
    raise UserError(f"“{text[:20]}” is not a time of day; use 24-hour HH:MM, e.g. 09:30 or 20:00.")


def format_hhmm(value: time) -> str:
    """09:30 → ``"09:30"``."""
    return f"{value.hour:02d}:{value.minute:02d}"


@cache
def _zone_names() -> tuple[str, ...]:
    names = {n for n in zoneinfo.available_timezones() if "/" in n or n == "UTC"}
    names -= {n for n in names if n.startswith(("Etc/", "SystemV/", "posix/", "right/"))}
    return tuple(sorted(names))


@cache
def _search_forms() -> tuple[str, ...]:
    return tuple(n.replace("_", " ").replace("/", " ").casefold() for n in _zone_names())


def suggest_timezones(text: str, limit: int = 25) -> list[str]:
    """IANA zone names that match ``text`` best: "berlin" → Europe/Berlin first."""
    query = text.strip().replace("_", " ").replace("/", " ").casefold()
    names = _zone_names()
    if not query:
        return list(names[:limit])
    hits = process.extract(
        query, _search_forms(), scorer=fuzz.WRatio, processor=utils.default_process, limit=limit
    )
    return [names[index] for _, score, index in hits if score >= 50]


def resolve_timezone(text: str) -> str:
    """The IANA name for ``text``: exact names and unambiguous fuzzy matches are accepted."""
    cleaned = text.strip()
    if cleaned.casefold() in _ALIASES:
        return _ALIASES[cleaned.casefold()]
    lookup = {n.casefold(): n for n in _zone_names()}
    if cleaned.casefold() in lookup:
        return lookup[cleaned.casefold()]
    query = cleaned.replace("_", " ").replace("/", " ").casefold()
    hits = process.extract(
        query, _search_forms(), scorer=fuzz.WRatio, processor=utils.default_process, limit=2
    )
    names = _zone_names()
    if hits and hits[0][1] >= 90 and (len(hits) == 1 or hits[0][1] - hits[1][1] >= 5):
        return names[hits[0][2]]
    hint = f" Did you mean {names[hits[0][2]]}?" if hits and hits[0][1] >= 60 else ""
    raise UserError(
        f"“{cleaned[:40]}” is not a timezone I know.{hint} "
        "Pick one from the list, e.g. Europe/Berlin or America/New_York."
    )
