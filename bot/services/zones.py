"""Timezones as people type them: cities, countries, abbreviations, UTC offsets, IANA names.

``resolve_zone("new york")`` → ``New York, US → America/New_York``. The result says what
was understood, the IANA zone that will be saved, a note when a choice was made for the
member ("IST is also Israel and Ireland; I picked India") and the alternatives. Input that
cannot be decided ("Georgia": the country or the US state?) has no zone, only choices.

Places (GeoNames cities, countries, US states) come from the index in ``places``.
Pure functions: no clock (an instant is passed in where an offset is shown), no Discord.
"""

from __future__ import annotations

import re
import zoneinfo
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from rapidfuzz import fuzz, process

from bot.services.errors import UserError
from bot.services.places import (
    Place,
    PlaceIndex,
    available_zones,
    normalize,
    place_index,
    signature,
)

# A country "spans several timezones" when another UTC offset holds this share of its people.
_SPAN_SHARE = 0.01
_FUZZY_CUTOFF = 86


@dataclass(frozen=True)
class ZoneOption:
    """One way to read the input: a label for people and the IANA zone it saves."""

    label: str
    zone: str


@dataclass(frozen=True)
class ZoneMatch:
    """What was understood from a timezone input, and what would be saved."""

    text: str
    understood: str
    zone: str | None  # None: ambiguous, the member has to pick one of ``alternatives``
    note: str | None = None
    alternatives: tuple[ZoneOption, ...] = field(default=())

    @property
    def ambiguous(self) -> bool:
        """True when the input fits several zones and the member has to pick one."""
        return self.zone is None

    def summary(self) -> str:
        """``New York, US → America/New_York`` (or the choices, when ambiguous)."""
        if self.zone is None:
            return f"{self.understood}: " + " or ".join(
                f"{o.label} → {o.zone}" for o in self.alternatives
            )
        if self.understood.casefold() == self.zone.casefold():
            return self.zone
        return f"{self.understood} → {self.zone}"

    def require(self) -> str:
        """The zone to save; an ambiguous match is a UserError naming the choices."""
        if self.zone is None:
            choices = "; ".join(f"{o.label}: type `{o.zone}`" for o in self.alternatives)
            raise UserError(f"“{self.text[:40]}” could mean more than one place. {choices}.")
        return self.zone


# -- normalising ------------------------------------------------------------------------


def offset_text(zone: str, at: datetime) -> str:
    """``UTC−05:00`` for America/New_York in January (a real minus sign)."""
    offset = at.astimezone(zoneinfo.ZoneInfo(zone)).utcoffset() or timedelta()
    return "UTC" + _signed(offset)


def _signed(offset: timedelta) -> str:
    minutes = int(offset.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "−"
    hours, rest = divmod(abs(minutes), 60)
    return f"{sign}{hours:02d}:{rest:02d}"


def _fixed_offset(zone: str) -> timedelta | None:
    first, second = signature(zone)
    return first if first == second else None


# -- abbreviations and spoken names -------------------------------------------------------

# key (normalised) → (label, zone, note or None)
_ABBREVIATIONS: dict[str, tuple[str, str, str | None]] = {}


def _abbr(keys: str, label: str, zone: str, note: str | None = None) -> None:
    for key in keys.split("|"):
        _ABBREVIATIONS[normalize(key)] = (label, zone, note)


_abbr("utc|gmt|z|zulu|utc+0|utc-0|gmt+0|gmt-0|+00:00|coordinated universal time", "UTC", "UTC")
_abbr(
    "ist|india standard time|indian standard time",
    "IST (India Standard Time)",
    "Asia/Kolkata",
    "IST also names Israel (Asia/Jerusalem) and Irish Standard Time (Europe/Dublin); I picked India.",
)
_abbr(
    "est|edt|et|eastern|eastern time|eastern standard time|us eastern",
    "US Eastern Time",
    "America/New_York",
)
_abbr(
    "cst|cdt|ct|central time|central standard time|us central",
    "US Central Time",
    "America/Chicago",
    "CST also names China Standard Time (Asia/Shanghai); I picked US Central.",
)
_abbr(
    "mst|mdt|mt|mountain|mountain time|mountain standard time|us mountain",
    "US Mountain Time",
    "America/Denver",
    "Arizona keeps MST all year: pick America/Phoenix there.",
)
_abbr(
    "pst|pdt|pt|pacific|pacific time|pacific standard time|us pacific",
    "US Pacific Time",
    "America/Los_Angeles",
    "PST also names Philippine Standard Time (Asia/Manila); I picked US Pacific.",
)
_abbr("akst|akdt|alaska time", "Alaska Time", "America/Anchorage")
_abbr("hst|hawaii time|hawaii standard time", "Hawaii Time", "Pacific/Honolulu")
_abbr(
    "ast|adt|atlantic time",
    "Atlantic Time",
    "America/Halifax",
    "AST also names Arabia Standard Time (Asia/Riyadh); I picked Atlantic Time (Canada).",
)
_abbr("nst|ndt|newfoundland time", "Newfoundland Time", "America/St_Johns")
_abbr(
    "cet|cest|mez|central european time|central european summer time",
    "Central European Time",
    "Europe/Berlin",
    "Central European Time, as in Berlin, Paris, Rome or Warsaw.",
)
_abbr(
    "eet|eest|eastern european time",
    "Eastern European Time",
    "Europe/Athens",
    "Eastern European Time, as in Athens, Bucharest, Helsinki or Kyiv.",
)
_abbr("wet|west|western european time", "Western European Time", "Europe/Lisbon")
_abbr(
    "bst|british summer time|british time|uk time",
    "British Time",
    "Europe/London",
    "BST also names Bangladesh Standard Time (Asia/Dhaka); I picked the UK.",
)
_abbr("msk|moscow time", "Moscow Time", "Europe/Moscow")
_abbr("trt|turkey time", "Turkey Time", "Europe/Istanbul")
_abbr("jst|japan standard time|japan time", "Japan Standard Time", "Asia/Tokyo")
_abbr("kst|korea standard time", "Korea Standard Time", "Asia/Seoul")
_abbr("china standard time|china time|beijing time", "China Standard Time", "Asia/Shanghai")
_abbr("hkt|hong kong time", "Hong Kong Time", "Asia/Hong_Kong")
_abbr("sgt|singapore time", "Singapore Time", "Asia/Singapore")
_abbr("pht|phst|philippine time|philippine standard time", "Philippine Time", "Asia/Manila")
_abbr("wib|western indonesia time", "Western Indonesia Time", "Asia/Jakarta")
_abbr("ict|indochina time", "Indochina Time", "Asia/Bangkok")
_abbr("pkt|pakistan time", "Pakistan Time", "Asia/Karachi")
_abbr("npt|nepal time", "Nepal Time", "Asia/Kathmandu")
_abbr("gst|gulf time|gulf standard time", "Gulf Standard Time", "Asia/Dubai")
_abbr("irst|iran time", "Iran Time", "Asia/Tehran")
_abbr("sast|south africa time", "South Africa Time", "Africa/Johannesburg")
_abbr("wat|west africa time", "West Africa Time", "Africa/Lagos")
_abbr("cat|central africa time", "Central Africa Time", "Africa/Maputo")
_abbr("eat|east africa time", "East Africa Time", "Africa/Nairobi")
_abbr("aest|aedt|aet|australian eastern time", "Australian Eastern Time", "Australia/Sydney")
_abbr("acst|acdt|australian central time", "Australian Central Time", "Australia/Adelaide")
_abbr("awst|australian western time", "Australian Western Time", "Australia/Perth")
_abbr("nzst|nzdt|new zealand time", "New Zealand Time", "Pacific/Auckland")
_abbr("brt|brasilia time", "Brasília Time", "America/Sao_Paulo")
_abbr("art|argentina time", "Argentina Time", "America/Argentina/Buenos_Aires")
_abbr("clt|chile time", "Chile Time", "America/Santiago")

# A UTC offset that is not a whole number of hours is saved as a real zone that keeps it
# all year (checked against tzdata when used).
_FRACTIONAL = {
    timedelta(hours=3, minutes=30): "Asia/Tehran",
    timedelta(hours=4, minutes=30): "Asia/Kabul",
    timedelta(hours=5, minutes=30): "Asia/Kolkata",
    timedelta(hours=5, minutes=45): "Asia/Kathmandu",
    timedelta(hours=6, minutes=30): "Asia/Yangon",
    timedelta(hours=8, minutes=45): "Australia/Eucla",
    timedelta(hours=9, minutes=30): "Australia/Darwin",
    timedelta(hours=-9, minutes=-30): "Pacific/Marquesas",
}
_OFFSET = re.compile(
    r"^(?:(?:utc|gmt|z)\s*)?(?P<sign>[+\-−–])\s*(?P<hours>\d{1,2})"
    r"(?:(?:[:h]\s*|\.?)(?P<minutes>\d{2})|\.(?P<fraction>5|75|25|50))?\s*(?:h|hrs?|hours?)?$"
)


def _offset_match(text: str) -> ZoneMatch | None:
    """``UTC+2``, ``GMT-3``, ``+05:30``, ``utc+5:45`` → a zone that keeps that offset all year."""
    compact = text.strip().casefold().replace(" ", "")
    match = _OFFSET.match(compact)
    if match is None:
        return None
    hours = int(match["hours"])
    if match["minutes"] is not None:
        minutes = int(match["minutes"])
    elif match["fraction"] is not None:
        minutes = {"5": 30, "50": 30, "25": 15, "75": 45}[match["fraction"]]
    else:
        minutes = 0
    sign = -1 if match["sign"] != "+" else 1
    if minutes > 59:
        raise UserError(f"“{text[:20]}” is not a UTC offset: minutes go from 00 to 59.")
    offset = sign * timedelta(hours=hours, minutes=minutes)
    shown = "UTC" + _signed(offset)
    if not timedelta(hours=-12) <= offset <= timedelta(hours=14):
        raise UserError(f"“{text[:20]}” is not a UTC offset: they run from UTC−12 to UTC+14.")
    note = f"{shown} all year, with no daylight saving."
    if offset == timedelta():
        return ZoneMatch(text, shown, "UTC", note)
    if minutes == 0:
        # POSIX-style names: Etc/GMT-2 is two hours *ahead* of UTC.
        zone = f"Etc/GMT{'-' if sign > 0 else '+'}{hours}"
        flipped = f"{note} Its IANA name {zone} has the sign flipped, by an old convention."
        return ZoneMatch(text, shown, zone, flipped)
    fractional = _FRACTIONAL.get(offset)
    if fractional is None or _fixed_offset(fractional) != offset:
        raise UserError(
            f"No timezone keeps {shown} all year. Type your city instead (e.g. St Johns or Adelaide), "
            "so daylight saving is followed."
        )
    return ZoneMatch(
        text, shown, fractional, f"{shown} all year ({fractional}, no daylight saving)."
    )


def is_zone(name: str) -> bool:
    """True for an IANA name zoneinfo can load (as saved by ``resolve_zone``)."""
    return name in available_zones()


# -- resolving ---------------------------------------------------------------------------


def resolve_zone(text: str) -> ZoneMatch:
    """What ``text`` means as a timezone; a UserError with suggestions when nothing fits."""
    raw = " ".join(text.split())[:100]
    if not raw:
        raise UserError("Type a city, country, abbreviation (e.g. CET) or offset (e.g. UTC+2).")
    found = _understand(raw)
    if found is not None:
        return found
    index = place_index()
    close = process.extract(
        normalize(raw), index.fuzzy_keys(), scorer=fuzz.ratio, limit=3, score_cutoff=70
    )
    hints = list(dict.fromkeys(index.first(name).label for name, _, _ in close))
    hint = f" Did you mean {' or '.join(hints)}?" if hints else " No place by that name is close."
    raise UserError(
        f"“{raw[:40]}” is not a timezone I know.{hint} Try a city (berlin, new york), a country, "
        "an abbreviation (CET, EST, IST) or an offset (UTC+2)."
    )


def _understand(raw: str) -> ZoneMatch | None:
    key = normalize(raw)
    offset = _offset_match(raw)
    if offset is not None:
        return offset
    if key in _ABBREVIATIONS:
        label, zone, note = _ABBREVIATIONS[key]
        return ZoneMatch(raw, label, zone, note)
    index = place_index()
    iana = index.zones.get(raw.casefold()) or index.zones.get(
        raw.casefold().replace(" / ", "/").replace(" ", "_")
    )
    if iana is not None and "/" in iana:
        return ZoneMatch(raw, iana, iana)
    found = _place_match(raw, key, index)
    if found is not None:
        return found
    if iana is not None:  # legacy names without a region: "Navajo", "Zulu", "EST5EDT"
        return ZoneMatch(raw, iana, iana)
    return _fuzzy_match(raw, key, index)


def _place_match(raw: str, key: str, index: PlaceIndex) -> ZoneMatch | None:
    places = index.places(key)
    qualifier = ""
    if not places and "," in raw:
        head, _, qualifier = raw.partition(",")
        places = index.places(normalize(head))
        if places:
            places = index.qualified(places, normalize(qualifier))
    if not places:
        return None
    return _decide(raw, places)


def _decide(raw: str, places: list[Place]) -> ZoneMatch:
    by_kind: dict[str, list[Place]] = defaultdict(list)
    for place in places:
        by_kind[place.kind].append(place)
    country = by_kind["country"][0] if by_kind["country"] else None
    state = by_kind["state"][0] if by_kind["state"] else None
    cities = by_kind["city"]
    if country is not None:
        if state is not None and signature(state.zone) != signature(country.zone):
            return _ambiguous(raw, [country, state])
        return _country_result(raw, country.country, cities)
    if state is not None:
        city = cities[0] if cities else None
        if city is not None and city.population >= 500_000:
            if signature(city.zone) == signature(state.zone):
                return _city_result(raw, cities)  # "New York": the city says more
            if city.primary:
                return _ambiguous(raw, [city, state])
        return ZoneMatch(raw, state.label, state.zone, None, _others(state, cities))
    if cities:
        return _city_result(raw, cities)
    zone_place = by_kind["zone"][0]
    return ZoneMatch(raw, zone_place.zone, zone_place.zone)


def _ambiguous(raw: str, places: list[Place]) -> ZoneMatch:
    options = tuple(
        ZoneOption(f"{p.label} (country)" if p.kind == "country" else p.label, p.zone)
        for p in places
    )
    labels = " or ".join(o.label for o in options)
    return ZoneMatch(raw, raw, None, f"“{raw[:40]}” could be {labels}.", options)


def _country_result(raw: str, code: str, cities: list[Place]) -> ZoneMatch:
    country = place_index().countries[code]
    main = country.zones[0][0]
    total = sum(p for _, p in country.zones) or 1
    others = [z for z, p in country.zones[1:] if p / total >= _SPAN_SHARE]
    alternatives = tuple(
        ZoneOption(f"{country.name}, {z.rsplit('/', 1)[-1].replace('_', ' ')}", z)
        for z in others[:6]
    )
    note = None
    if others:
        listed = ", ".join(others[:4]) + (", …" if len(others) > 4 else "")
        note = (
            f"{country.name} has several timezones; I picked {main}, where most people live. "
            f"Others: {listed}."
        )
    city_alternatives = tuple(
        ZoneOption(c.label, c.zone)
        for c in cities[:2]
        if c.primary and c.population >= 100_000 and signature(c.zone) != signature(main)
    )
    return ZoneMatch(raw, country.name, main, note, alternatives + city_alternatives)


def _city_result(raw: str, cities: list[Place]) -> ZoneMatch:
    best = cities[0]
    others = _others(best, cities)
    note = None
    rival = next(
        (c for c in cities[1:] if c.primary and signature(c.zone) != signature(best.zone)),
        None,
    )
    if rival is not None and rival.population >= best.population / 10:
        note = f"I picked {best.label}, the largest; there is also {rival.label} ({rival.zone})."
    return ZoneMatch(raw, best.label, best.zone, note, others)


def _others(best: Place, places: Iterable[Place]) -> tuple[ZoneOption, ...]:
    seen = {signature(best.zone)}
    options = []
    for place in places:
        pattern = signature(place.zone)
        if place.primary and pattern not in seen:
            seen.add(pattern)
            options.append(ZoneOption(place.label, place.zone))
    return tuple(options[:4])


def _fuzzy_match(raw: str, key: str, index: PlaceIndex) -> ZoneMatch | None:
    """A close spelling ("sao paolo", "new yrok"), read as the most populous close name."""
    if len(key) < 4:
        return None
    hits = process.extract(key, index.fuzzy_keys(), scorer=fuzz.ratio, limit=5)
    hits = [h for h in hits if h[1] >= _FUZZY_CUTOFF]
    if not hits:
        return None
    top = max(h[1] for h in hits)
    name = max((h[0] for h in hits if h[1] >= top - 2), key=lambda n: index.first(n).rank)
    found = _decide(raw, index.places(name))
    if found.zone is None:
        return found
    read_as = f"I read “{raw[:40]}” as {found.understood}."
    note = f"{read_as} {found.note}" if found.note else read_as
    return ZoneMatch(raw, found.understood, found.zone, note, found.alternatives)


# -- suggestions for autocomplete ------------------------------------------------------------


def suggest_zones(text: str, limit: int = 25, at: datetime | None = None) -> list[ZoneOption]:
    """Choices for what is being typed, each naming what would be saved.

    With ``at``, labels carry the offset at that instant: ``New York, US → America/New_York
    (UTC−05:00)``.
    """
    raw = " ".join(text.split())[:100]
    options: list[ZoneOption] = []

    def add(label: str, zone: str) -> None:
        if any(o.zone == zone and o.label.startswith(label) for o in options):
            return
        full = label if label == zone else f"{label} → {zone}"
        if at is not None:
            full += f" ({offset_text(zone, at)})"
        options.append(ZoneOption(full[:100], zone))

    if not raw:
        for label in ("UTC", "London", "Berlin", "New York", "Los Angeles", "Kolkata", "Tokyo"):
            suggestion = resolve_zone(label)
            add(suggestion.understood, suggestion.require())
        return options[:limit]
    try:
        match = _understand(raw)
    except UserError:  # an offset out of range, say: nothing to suggest from it
        match = None
    if match is not None:
        if match.zone is not None:
            add(match.understood, match.zone)
        for option in match.alternatives:
            add(option.label, option.zone)
    lowered = raw.casefold().replace(" ", "_")
    if "/" in raw:  # typing an IANA name: those first
        for zone in sorted(z for z in available_zones() if lowered in z.casefold() and "/" in z):
            add(zone, zone)
    index = place_index()
    key = normalize(raw)
    if key and len(options) < limit and not ("/" in raw and options):
        prefixed: list[Place] = []
        for name, place in index.starting_with(key):
            if len(prefixed) >= 2000:
                break
            # Other spellings only when most of it is typed ("bomb" → Bombay, but not
            # Jakarta for "new york", the start of one of its old names).
            if place.primary or len(key) >= 0.6 * len(name):
                prefixed.append(place)
        prefixed.sort(key=lambda p: (-p.rank, p.label))
        for place in prefixed[: limit * 2]:
            add(place.label, place.zone)
            if len(options) >= limit:
                break
        if len(options) < 5:  # little found: close spellings, but no wild guesses
            for name, _score, _ in process.extract(
                key, index.fuzzy_keys(), scorer=fuzz.ratio, limit=limit, score_cutoff=75
            ):
                place = index.first(name)
                add(place.label, place.zone)
    if "/" not in raw:
        for zone in sorted(available_zones()):
            if len(options) >= limit:
                break
            if lowered in zone.casefold() and "/" in zone:
                add(zone, zone)
    return options[:limit]
