"""Times of day as people type them: ``20:00``, ``7pm``, ``7:30 PM``, ``noon``, ``21h30``.

Pure functions (no clock, no Discord). Timezone names live in :mod:`bot.services.zones`;
``resolve_timezone`` stays here for the services that import it.
"""

from __future__ import annotations

import re
from datetime import time

from bot.services.errors import UserError
from bot.services.zones import resolve_zone

_STORED = re.compile(r"^(\d{2}):(\d{2})$")
_WORDS = {
    "noon": time(12, 0),
    "midday": time(12, 0),
    "12 noon": time(12, 0),
    "midnight": time(0, 0),
    "12 midnight": time(0, 0),
}
# 24-hour: "20:00", "8:05", "20.00", "21h30", "21h", "20:00:00"; 12-hour adds "am"/"pm".
_CLOCK = re.compile(
    r"^(?P<hour>\d{1,2})(?:(?P<sep>[:.h])(?P<minute>\d{1,2})?(?::(?P<second>\d{2}))?)?"
    r"\s*(?P<half>am|pm|a|p)?$"
)
# Military style, no separator: "0830", "2000", "830" (→ 08:30).
_COMPACT = re.compile(r"^(?P<hour>\d{1,2})(?P<minute>\d{2})\s*(?P<half>am|pm|a|p)?$")
_EXAMPLES = "Try 20:00, 8:30, 7pm, 7:30 pm, noon or midnight."


def parse_time_of_day(text: str) -> time:
    """What someone typed as a time of day → a ``time``; nonsense is a UserError that says why.

    ``20:00``, ``8:05``, ``8.30``, ``21h30``, ``0830`` are 24-hour; ``7pm``, ``7:30 PM``,
    ``7.30pm``, ``7 p.m.`` are 12-hour (``12am`` is 00:00, ``12pm`` is 12:00); ``noon``,
    ``midday`` and ``midnight`` are words. A bare hour from 13 to 23 is read as 24-hour; a
    bare 1..12 is refused as ambiguous (morning or evening?).
    """
    shown = " ".join(text.split())[:20] or "(empty)"
    cleaned = " ".join(text.casefold().replace("\u202f", " ").split()).removeprefix("at ")
    cleaned = cleaned.rstrip(".!").strip()
    if cleaned in _WORDS:
        return _WORDS[cleaned]
    cleaned = re.sub(r"(?<![a-z])([ap])\.?\s*m\.?$", r"\1m", cleaned)  # "p.m." / "p m" → "pm"
    cleaned = re.sub(r"\s*(o'?clock)$", "", cleaned)
    cleaned = re.sub(r"(?<=\d)\s*([:.h])\s*(?=\d)", r"\1", cleaned)  # "20 h 30", "7 : 30"
    match = _CLOCK.match(cleaned) or _COMPACT.match(cleaned)
    if match is None:
        raise UserError(f"“{shown}” is not a time of day. {_EXAMPLES}")
    groups = match.groupdict()
    hour = int(groups["hour"])
    minute_text = groups.get("minute")
    if groups.get("sep") and minute_text is None and groups["sep"] != "h":
        raise UserError(f"“{shown}” is missing its minutes. {_EXAMPLES}")
    if minute_text is not None and len(minute_text) != 2:
        raise UserError(f"“{shown}”: write minutes with two digits, e.g. 8:05. {_EXAMPLES}")
    minute = int(minute_text) if minute_text else 0
    second = int(groups.get("second") or 0)
    half = groups.get("half")
    if minute > 59 or second > 59:
        raise UserError(f"“{shown}” is not a time of day: minutes go from 00 to 59.")
    if half is not None:
        if hour == 0 or hour > 23 or (hour > 12 and half.startswith("a")):
            raise UserError(
                f"“{shown}” is not a time of day: with am/pm the hour goes from 1 to 12."
            )
        if hour <= 12:
            hour = hour % 12 + (12 if half.startswith("p") else 0)
    elif hour > 23:
        raise UserError(
            f"“{shown}” is not a time of day: hours go from 00 to 23 (midnight is 00:00)."
        )
    elif minute_text is None and groups.get("sep") is None and 1 <= hour <= 12:
        raise UserError(
            f"“{shown}”: morning or evening? Type {hour}am or {hour}pm (or {hour:02d}:00 / {hour + 12}:00)."
        )
    return time(hour, minute)


def parse_hhmm(text: str) -> time:
    """A stored ``"09:30"`` → 09:30; anything typed by a person goes through ``parse_time_of_day``."""
    match = _STORED.match(text)
    if match and int(match[1]) < 24 and int(match[2]) < 60:
        return time(int(match[1]), int(match[2]))
    return parse_time_of_day(text)


def format_hhmm(value: time) -> str:
    """09:30 → ``"09:30"``."""
    return f"{value.hour:02d}:{value.minute:02d}"


def resolve_timezone(text: str) -> str:
    """The IANA name to save for ``text`` (a city, country, abbreviation, offset or IANA name).

    Ambiguous input ("Georgia") and unknown input are UserErrors that name the choices.
    """
    return resolve_zone(text).require()
