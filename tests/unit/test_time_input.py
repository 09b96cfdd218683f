"""Times of day and timezones as new members type them, against what must be saved.

The lists are natural inputs (cities on every continent, countries, abbreviations,
offsets, 12-hour times). The share understood and saved correctly is recorded in
docs/time-input.md; it must stay at or above 95 %.
"""

from __future__ import annotations

from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

import pytest

from bot.services.errors import UserError
from bot.services.timeparse import parse_hhmm, parse_time_of_day, resolve_timezone
from bot.services.zones import offset_text, resolve_zone, suggest_zones

UNDERSTOOD_AT_LEAST = 0.95

# What a member types → the IANA zone that must be saved.
ZONES: list[tuple[str, str]] = [
    # Europe
    ("berlin", "Europe/Berlin"),
    ("Munich", "Europe/Berlin"),
    ("paris", "Europe/Paris"),
    ("London", "Europe/London"),
    ("madrid", "Europe/Madrid"),
    ("Lisbon", "Europe/Lisbon"),
    ("rome", "Europe/Rome"),
    ("Warsaw", "Europe/Warsaw"),
    ("kyiv", "Europe/Kyiv"),
    ("Kiev", "Europe/Kyiv"),
    ("moscow", "Europe/Moscow"),
    ("St. Petersburg", "Europe/Moscow"),
    ("istanbul", "Europe/Istanbul"),
    ("Amsterdam", "Europe/Amsterdam"),
    ("zurich", "Europe/Zurich"),
    ("Dublin", "Europe/Dublin"),
    ("Stockholm", "Europe/Stockholm"),
    ("athens", "Europe/Athens"),
    ("Reykjavik", "Atlantic/Reykjavik"),
    ("München", "Europe/Berlin"),
    # Asia
    ("mumbai", "Asia/Kolkata"),
    ("Bombay", "Asia/Kolkata"),
    ("delhi", "Asia/Kolkata"),
    ("Bangalore", "Asia/Kolkata"),
    ("beijing", "Asia/Shanghai"),
    ("Shanghai", "Asia/Shanghai"),
    ("tokyo", "Asia/Tokyo"),
    ("Seoul", "Asia/Seoul"),
    ("singapore", "Asia/Singapore"),
    ("Hong Kong", "Asia/Hong_Kong"),
    ("manila", "Asia/Manila"),
    ("Jakarta", "Asia/Jakarta"),
    ("karachi", "Asia/Karachi"),
    ("Dhaka", "Asia/Dhaka"),
    ("dubai", "Asia/Dubai"),
    ("Tehran", "Asia/Tehran"),
    ("kathmandu", "Asia/Kathmandu"),
    ("Tel Aviv", "Asia/Jerusalem"),
    ("Ho Chi Minh City", "Asia/Ho_Chi_Minh"),
    ("taipei", "Asia/Taipei"),
    ("Tbilisi", "Asia/Tbilisi"),
    # Africa
    ("lagos", "Africa/Lagos"),
    ("Nairobi", "Africa/Nairobi"),
    ("cairo", "Africa/Cairo"),
    ("Johannesburg", "Africa/Johannesburg"),
    ("cape town", "Africa/Johannesburg"),
    ("Casablanca", "Africa/Casablanca"),
    ("accra", "Africa/Accra"),
    ("Addis Ababa", "Africa/Addis_Ababa"),
    ("kinshasa", "Africa/Kinshasa"),
    # Americas
    ("new york", "America/New_York"),
    ("NYC", "America/New_York"),
    ("los angeles", "America/Los_Angeles"),
    ("San Francisco", "America/Los_Angeles"),
    ("chicago", "America/Chicago"),
    ("Denver", "America/Denver"),
    ("phoenix", "America/Phoenix"),
    ("Toronto", "America/Toronto"),
    ("vancouver", "America/Vancouver"),
    ("Montreal", "America/Toronto"),
    ("mexico city", "America/Mexico_City"),
    ("sao paulo", "America/Sao_Paulo"),
    ("São Paulo", "America/Sao_Paulo"),
    ("rio de janeiro", "America/Sao_Paulo"),
    ("Buenos Aires", "America/Argentina/Buenos_Aires"),
    ("bogota", "America/Bogota"),
    ("Lima", "America/Lima"),
    ("santiago", "America/Santiago"),
    ("Caracas", "America/Caracas"),
    ("honolulu", "Pacific/Honolulu"),
    ("Anchorage", "America/Anchorage"),
    ("Portland, Maine", "America/New_York"),
    ("Paris, Texas", "America/Chicago"),
    # Oceania
    ("sydney", "Australia/Sydney"),
    ("Melbourne", "Australia/Melbourne"),
    ("brisbane", "Australia/Brisbane"),
    ("Perth", "Australia/Perth"),
    ("auckland", "Pacific/Auckland"),
    # Countries
    ("india", "Asia/Kolkata"),
    ("China", "Asia/Shanghai"),
    ("Japan", "Asia/Tokyo"),
    ("UK", "Europe/London"),
    ("england", "Europe/London"),
    ("germany", "Europe/Berlin"),
    ("France", "Europe/Paris"),
    ("nigeria", "Africa/Lagos"),
    ("Kenya", "Africa/Nairobi"),
    ("egypt", "Africa/Cairo"),
    ("South Africa", "Africa/Johannesburg"),
    ("pakistan", "Asia/Karachi"),
    ("Turkey", "Europe/Istanbul"),
    ("New Zealand", "Pacific/Auckland"),
    ("Argentina", "America/Argentina/Buenos_Aires"),
    ("USA", "America/New_York"),
    ("Russia", "Europe/Moscow"),
    ("brazil", "America/Sao_Paulo"),
    ("Australia", "Australia/Sydney"),
    ("Canada", "America/Toronto"),
    ("the netherlands", "Europe/Amsterdam"),
    # US states
    ("California", "America/Los_Angeles"),
    ("texas", "America/Chicago"),
    # Abbreviations and spoken names
    ("IST", "Asia/Kolkata"),
    ("EST", "America/New_York"),
    ("edt", "America/New_York"),
    ("PST", "America/Los_Angeles"),
    ("CST", "America/Chicago"),
    ("MST", "America/Denver"),
    ("CET", "Europe/Berlin"),
    ("CEST", "Europe/Berlin"),
    ("BST", "Europe/London"),
    ("GMT", "UTC"),
    ("UTC", "UTC"),
    ("JST", "Asia/Tokyo"),
    ("AEST", "Australia/Sydney"),
    ("Eastern Time", "America/New_York"),
    ("pacific time", "America/Los_Angeles"),
    # Offsets
    ("UTC+2", "Etc/GMT-2"),
    ("UTC-3", "Etc/GMT+3"),
    ("utc +1", "Etc/GMT-1"),
    ("GMT-3", "Etc/GMT+3"),
    ("GMT+8", "Etc/GMT-8"),
    ("+05:30", "Asia/Kolkata"),
    ("utc+5:45", "Asia/Kathmandu"),
    ("UTC+5.5", "Asia/Kolkata"),
    ("-05:00", "Etc/GMT+5"),
    ("UTC−4", "Etc/GMT+4"),
    ("UTC+0", "UTC"),
    ("UTC+14", "Etc/GMT-14"),
    # IANA names in any case
    ("europe/berlin", "Europe/Berlin"),
    ("America/New_York", "America/New_York"),
    ("america/new york", "America/New_York"),
    ("ASIA/TOKYO", "Asia/Tokyo"),
    # Close spellings
    ("sao paolo", "America/Sao_Paulo"),
    ("new yrok", "America/New_York"),
    ("Frankfrut", "Europe/Berlin"),
    # A second list, typed before the resolver was tuned to it (its misses were then
    # Islamabad → Chattogram, Ontario → California, British Columbia and Bavaria).
    ("Vienna", "Europe/Vienna"),
    ("prague", "Europe/Prague"),
    ("Edinburgh", "Europe/London"),
    ("barcelona", "Europe/Madrid"),
    ("Krakow", "Europe/Warsaw"),
    ("Ankara", "Europe/Istanbul"),
    ("baku", "Asia/Baku"),
    ("Colombo", "Asia/Colombo"),
    ("Hyderabad", "Asia/Kolkata"),
    ("Hyderabad, Pakistan", "Asia/Karachi"),
    ("Islamabad", "Asia/Karachi"),
    ("Lahore", "Asia/Karachi"),
    ("kuala lumpur", "Asia/Kuala_Lumpur"),
    ("Osaka", "Asia/Tokyo"),
    ("shenzhen", "Asia/Shanghai"),
    ("Vladivostok", "Asia/Vladivostok"),
    ("Jeddah", "Asia/Riyadh"),
    ("abu dhabi", "Asia/Dubai"),
    ("Beirut", "Asia/Beirut"),
    ("Algiers", "Africa/Algiers"),
    ("dakar", "Africa/Dakar"),
    ("Kampala", "Africa/Kampala"),
    ("Dar es Salaam", "Africa/Dar_es_Salaam"),
    ("Harare", "Africa/Harare"),
    ("seattle", "America/Los_Angeles"),
    ("Boston", "America/New_York"),
    ("miami", "America/New_York"),
    ("Atlanta", "America/New_York"),
    ("Houston", "America/Chicago"),
    ("Las Vegas", "America/Los_Angeles"),
    ("Washington DC", "America/New_York"),
    ("Calgary", "America/Edmonton"),
    ("St Johns", "America/St_Johns"),
    ("guadalajara", "America/Mexico_City"),
    ("Medellin", "America/Bogota"),
    ("montevideo", "America/Montevideo"),
    ("Wellington", "Pacific/Auckland"),
    ("Adelaide", "Australia/Adelaide"),
    ("Vietnam", "Asia/Ho_Chi_Minh"),
    ("South Korea", "Asia/Seoul"),
    ("UAE", "Asia/Dubai"),
    ("Ukraine", "Europe/Kyiv"),
    ("Mexico", "America/Mexico_City"),
    ("Morocco", "Africa/Casablanca"),
    ("Ontario", "America/Toronto"),
    ("British Columbia", "America/Vancouver"),
    ("Queensland", "Australia/Brisbane"),
    ("Bavaria", "Europe/Berlin"),
    ("HST", "Pacific/Honolulu"),
    ("EET", "Europe/Athens"),
    ("MSK", "Europe/Moscow"),
    ("SGT", "Asia/Singapore"),
    ("SAST", "Africa/Johannesburg"),
    ("NZST", "Pacific/Auckland"),
    ("PT", "America/Los_Angeles"),
    ("UTC +5:30", "Asia/Kolkata"),
    ("GMT+0530", "Asia/Kolkata"),
    ("utc-8", "Etc/GMT+8"),
    ("+3", "Etc/GMT-3"),
    ("GMT +9", "Etc/GMT-9"),
    ("pacific/auckland", "Pacific/Auckland"),
    ("Central European Time", "Europe/Berlin"),
    ("Berlin, Germany", "Europe/Berlin"),
    ("London, UK", "Europe/London"),
]
# Inputs from the lists above that are still not understood (they count against the rate).
KNOWN_MISSES = {"Bavaria"}  # German states are not in the data set

# What a member types → the time of day that must be saved.
TIMES: list[tuple[str, time]] = [
    ("20:00", time(20, 0)),
    ("8:05", time(8, 5)),
    ("09:30", time(9, 30)),
    ("0:15", time(0, 15)),
    ("23:59", time(23, 59)),
    ("7pm", time(19, 0)),
    ("7 pm", time(19, 0)),
    ("7PM", time(19, 0)),
    ("7:30 PM", time(19, 30)),
    ("7:30pm", time(19, 30)),
    ("7.30pm", time(19, 30)),
    ("7 p.m.", time(19, 0)),
    ("9am", time(9, 0)),
    ("9 AM", time(9, 0)),
    ("9:15 a.m.", time(9, 15)),
    ("11:45pm", time(23, 45)),
    ("12am", time(0, 0)),
    ("12pm", time(12, 0)),
    ("12:30am", time(0, 30)),
    ("12:30 pm", time(12, 30)),
    ("noon", time(12, 0)),
    ("Midnight", time(0, 0)),
    ("midday", time(12, 0)),
    ("21h30", time(21, 30)),
    ("21h", time(21, 0)),
    ("8.30", time(8, 30)),
    ("20.15", time(20, 15)),
    ("0830", time(8, 30)),
    ("2000", time(20, 0)),
    ("18", time(18, 0)),
    ("19:00pm", time(19, 0)),
    ("20:00:00", time(20, 0)),
    ("  7:30 pm  ", time(19, 30)),
    ("8:30 AM", time(8, 30)),
    ("7:30", time(7, 30)),
    ("19h", time(19, 0)),
    ("7.30 PM", time(19, 30)),
    ("7:30p", time(19, 30)),
    ("07:30PM", time(19, 30)),
    ("1930", time(19, 30)),
    ("12 noon", time(12, 0)),
    ("noon.", time(12, 0)),
    ("8:00 a.m.", time(8, 0)),
    ("17.45", time(17, 45)),
    ("5:45pm", time(17, 45)),
    ("3 PM", time(15, 0)),
    ("6 a.m", time(6, 0)),
    ("11p", time(23, 0)),
    ("at 7pm", time(19, 0)),
    ("20h00", time(20, 0)),
    ("8h30", time(8, 30)),
    ("20 h 30", time(20, 30)),
    ("0700", time(7, 0)),
]


def _saved_zone(text: str) -> str | None:
    try:
        return resolve_zone(text).zone
    except UserError:
        return None


def _saved_time(text: str) -> time | None:
    try:
        return parse_time_of_day(text)
    except UserError:
        return None


def test_natural_inputs_are_understood() -> None:
    zone_misses = [(t, z, _saved_zone(t)) for t, z in ZONES if _saved_zone(t) != z]
    time_misses = [(t, v, _saved_time(t)) for t, v in TIMES if _saved_time(t) != v]
    total = len(ZONES) + len(TIMES)
    rate = 1 - (len(zone_misses) + len(time_misses)) / total
    assert len(ZONES) >= 60 and len(TIMES) >= 30
    assert rate >= UNDERSTOOD_AT_LEAST, (rate, zone_misses, time_misses)
    assert {t for t, _, _ in zone_misses} == KNOWN_MISSES and not time_misses


@pytest.mark.parametrize(
    ("text", "zone"),
    [
        pytest.param(t, z, marks=pytest.mark.xfail(strict=True)) if t in KNOWN_MISSES else (t, z)
        for t, z in ZONES
    ],
)
def test_each_zone(text: str, zone: str) -> None:
    assert _saved_zone(text) == zone


@pytest.mark.parametrize(("text", "value"), TIMES)
def test_each_time(text: str, value: time) -> None:
    assert _saved_time(text) == value


# -- times: what is refused, and how -------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("25:00", "hours go from 00 to 23"),
        ("24:00", "hours go from 00 to 23"),
        ("7:75pm", "minutes go from 00 to 59"),
        ("12:60", "minutes go from 00 to 59"),
        ("13pm", ""),  # 13pm is read as 13:00 (pm is redundant), see below
        ("0am", "with am/pm the hour goes from 1 to 12"),
        ("14am", "with am/pm the hour goes from 1 to 12"),
        ("7", "morning or evening? Type 7am or 7pm"),
        ("soon", "is not a time of day"),
        ("", "is not a time of day"),
        ("7:5", "two digits"),
        ("20:", "missing its minutes"),
    ],
)
def test_nonsense_times_get_a_sentence(text: str, says: str) -> None:
    if not says:
        assert parse_time_of_day(text) == time(13, 0)
        return
    with pytest.raises(UserError) as error:
        parse_time_of_day(text)
    assert says in str(error.value)


def test_stored_times_still_parse() -> None:
    assert parse_hhmm("09:30") == time(9, 30)
    assert parse_hhmm("7pm") == time(19, 0)


# -- timezones: stated choices, ambiguity, offsets ------------------------------------------


def test_offsets_keep_their_offset_all_year() -> None:
    for text, hours in [("UTC+2", 2), ("UTC-3", -3), ("GMT+8", 8), ("+05:30", 5.5)]:
        zone = resolve_timezone(text)
        for month in (1, 7):
            at = datetime(2026, month, 15, tzinfo=UTC)
            offset = at.astimezone(ZoneInfo(zone)).utcoffset()
            assert offset is not None and offset.total_seconds() == hours * 3600, (text, zone)


def test_offsets_that_no_zone_keeps_are_refused() -> None:
    with pytest.raises(UserError, match="No timezone keeps UTC\\+10:30"):
        resolve_zone("UTC+10:30")
    with pytest.raises(UserError, match="UTC−12 to UTC\\+14"):
        resolve_zone("UTC+15")


def test_ist_picks_india_and_says_so() -> None:
    match = resolve_zone("IST")
    assert match.zone == "Asia/Kolkata"
    assert match.note is not None and "Israel" in match.note and "India" in match.note


def test_georgia_is_ambiguous_and_says_so() -> None:
    match = resolve_zone("Georgia")
    assert match.ambiguous
    assert {o.zone for o in match.alternatives} == {"Asia/Tbilisi", "America/New_York"}
    assert match.note is not None and "US state" in match.note
    with pytest.raises(UserError, match="more than one place"):
        match.require()


def test_countries_with_several_zones_state_the_choice() -> None:
    for country, main, other in [
        ("US", "America/New_York", "America/Los_Angeles"),
        ("Russia", "Europe/Moscow", "Asia/Vladivostok"),
        ("Brazil", "America/Sao_Paulo", "America/Manaus"),
        ("Australia", "Australia/Sydney", "Australia/Perth"),
        ("Canada", "America/Toronto", "America/Vancouver"),
    ]:
        match = resolve_zone(country)
        assert match.zone == main
        assert match.note is not None and "several timezones" in match.note
        assert other in {o.zone for o in match.alternatives}


def test_result_says_what_was_understood() -> None:
    assert resolve_zone("new york").summary() == "New York City, New York, US → America/New_York"
    assert resolve_zone("europe/berlin").summary() == "Europe/Berlin"
    assert resolve_zone("UTC+2").summary() == "UTC+02:00 → Etc/GMT-2"
    assert "I read “new yrok” as New York City" in (resolve_zone("new yrok").note or "")


def test_unknown_input_gets_a_sentence_and_no_wild_guess() -> None:
    with pytest.raises(UserError) as error:
        resolve_zone("xyzzy")
    assert "is not a timezone I know" in str(error.value)
    assert "Did you mean" not in str(error.value)
    with pytest.raises(UserError, match="Type a city"):
        resolve_zone("   ")


def test_autocomplete_names_what_will_be_saved() -> None:
    january = datetime(2026, 1, 15, tzinfo=UTC)
    options = suggest_zones("new york", at=january)
    assert options[0].zone == "America/New_York"
    assert options[0].label == "New York City, New York, US → America/New_York (UTC−05:00)"
    assert suggest_zones("utc+2", at=january)[0].label == "UTC+02:00 → Etc/GMT-2 (UTC+02:00)"
    assert {o.zone for o in suggest_zones("georgia")} >= {"Asia/Tbilisi", "America/New_York"}
    assert all(len(o.label) <= 100 and len(o.zone) <= 100 for o in suggest_zones("a"))
    assert len(suggest_zones("")) > 3
    assert offset_text("Asia/Kolkata", january) == "UTC+05:30"
