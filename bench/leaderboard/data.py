"""The benchmark's data: two guilds, their ledgers and boards, and what each page must show.

Deterministic for a given seed. Guild A (Europe/Berlin, the one measured) has
``members`` members, 80 % of whom ever earned points and 3 % of whom have left;
``ledger_rows`` ledger rows spread evenly over the 183 days before 2026-11-21 12:00 UTC
(weeks, months and two seasons, one closed on 2026-09-01, all have keys of their own),
with skewed activity (weight ~ 1/(rank+50)^0.8). Guild B (America/New_York) has a tenth
of both, on user ids of its own, with values ten times larger, so a missing guild filter
would top guild A's pages. Board totals are computed from the events exactly as
``points.move_board`` keeps them (keys from ``points.period_keys`` in the guild's
timezone; ``reached_at`` is the last positive change, or the first change if none was).
"""

from __future__ import annotations

import bisect
import itertools
import random
from array import array
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from bot.services import points

NOW = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)
SPAN = timedelta(days=183)
START = NOW - SPAN
SEASON_SPLIT = datetime(2026, 9, 1, tzinfo=UTC)
NOW_T = int(NOW.timestamp())
START_T = int(START.timestamp())
SPLIT_T = int(SEASON_SPLIT.timestamp())

GUILD_A = 1_100_000_000_000_000_001
GUILD_B = 1_100_000_000_000_000_002
TZ_A = "Europe/Berlin"
TZ_B = "America/New_York"
USER_BASE_A = 500_000_000_000_000_000
USER_BASE_B = 700_000_000_000_000_000
# (id, guild, number, name, started_at, ended_at)
SEASONS = [
    (1, GUILD_A, 1, "Season 1", START - timedelta(days=30), SEASON_SPLIT),
    (2, GUILD_A, 2, "Season 2", SEASON_SPLIT, None),
    (3, GUILD_B, 1, "Season 1", START - timedelta(days=30), None),
]

REASONS = ("daily", "practice", "study", "challenge", "adjust")
STUDY = 2
BOARDS = ("points", "study", "streak")
PERIODS = ("week", "month", "season", "all")
EARNER_SHARE = 0.80
LEFT_SHARE = 0.03
BUCKET = 900  # period keys are computed once per 15 minutes of UTC time


class CheckFailed(AssertionError):
    """A page was wrong: the benchmark stops."""


@dataclass
class Totals:
    """One board's totals for one period key: member index -> [value, last_positive_t, first_t]."""

    period: str
    key: str
    rows: dict[int, list[int]] = field(default_factory=dict)


@dataclass
class GuildData:
    guild_id: int
    timezone: str
    user_base: int
    members: int
    first_ledger_id: int
    seasons: tuple[int, int]  # before / after SEASON_SPLIT
    left: set[int]
    streaks: list[int]
    uidx: array
    times: array
    reasons: array
    amounts: array
    boards: dict[str, list[Totals]]

    def user_id(self, index: int) -> int:
        return self.user_base + index


def _period_dicts(combos: list[tuple[str, str, str]], board: list[Totals]) -> list[list[dict]]:
    """For every combination of keys, the four Totals dicts (week, month, season, all) it feeds."""
    by_key: dict[tuple[str, str], dict] = {(t.period, t.key): t.rows for t in board}
    out = []
    for week, month, season in combos:
        feeds = []
        for period, key in (("week", week), ("month", month), ("season", season), ("all", "all")):
            if (period, key) not in by_key:
                totals = Totals(period, key)
                board.append(totals)
                by_key[(period, key)] = totals.rows
            feeds.append(by_key[(period, key)])
        out.append(feeds)
    return out


def _roll_up(
    per_combo: dict[int, list[int]], combos: list[tuple[str, str, str]], board: list[Totals]
) -> None:
    """Fold totals per (member, key combination) into totals per period key."""
    feeds = _period_dicts(combos, board)
    for packed, (value, last_pos, first) in per_combo.items():
        member = packed >> 16
        for rows in feeds[packed & 0xFFFF]:
            entry = rows.get(member)
            if entry is None:
                rows[member] = [value, last_pos, first]
            else:
                entry[0] += value
                if last_pos > entry[1]:
                    entry[1] = last_pos
                if first < entry[2]:
                    entry[2] = first


def generate_guild(
    seed: int,
    *,
    guild_id: int,
    timezone: str,
    user_base: int,
    members: int,
    rows: int,
    first_ledger_id: int,
    seasons: tuple[int, int],
    scale: int,
    with_departures: bool,
) -> GuildData:
    """Members, streaks, ledger rows (in time order) and the board totals they add up to."""
    rng = random.Random(seed)
    order = list(range(members))
    rng.shuffle(order)
    earners = order[: max(1, int(members * EARNER_SHARE))]
    weights = list(itertools.accumulate(1.0 / (r + 50) ** 0.8 for r in range(len(earners))))
    who = rng.choices(earners, cum_weights=weights, k=rows)
    left = set(rng.sample(range(members), int(members * LEFT_SHARE))) if with_departures else set()
    if scale == 1:
        streaks = [
            1 + min(int(rng.expovariate(1 / 15)), 364) if rng.random() < 0.45 else 0
            for _ in range(members)
        ]
    else:
        streaks = [400 + rng.randrange(600) if rng.random() < 0.5 else 0 for _ in range(members)]

    combos: list[tuple[str, str, str]] = []
    combo_index: dict[tuple[str, str, str], int] = {}
    bucket_combo: dict[int, int] = {}

    def combo_of_bucket(bucket: int) -> int:
        at = datetime.fromtimestamp(bucket * BUCKET, UTC)
        season = seasons[0] if bucket * BUCKET < SPLIT_T else seasons[1]
        keys = points.period_keys(at, timezone, season)
        combo = (keys.week, keys.month, keys.season)
        if combo not in combo_index:
            combo_index[combo] = len(combos)
            combos.append(combo)
        return combo_index[combo]

    uidx, times = array("l"), array("q")
    reasons, amounts = array("b"), array("l")
    pts: dict[int, list[int]] = {}
    study: dict[int, list[int]] = {}
    rand = rng.random
    step = (NOW_T - START_T) / rows
    for i in range(rows):
        member = who[i]
        t = START_T + int((i + rand()) * step)
        bucket = t // BUCKET
        combo = bucket_combo.get(bucket)
        if combo is None:
            combo = bucket_combo[bucket] = combo_of_bucket(bucket)
        x = rand()
        minutes = 0
        if x < 0.40:
            code, amount = 0, (10 if x < 0.28 else 3) * scale
        elif x < 0.75:
            code, amount = 1, 2 * scale
        elif x < 0.95:
            code = STUDY
            minutes = (10 + int((x - 0.75) / 0.20 * 171)) * scale
            amount = minutes // 10
        elif x < 0.99:
            code, amount = 3, 25 * scale
        else:
            code = 4
            amount = (int((x - 0.99) / 0.01 * 251) - 50) * scale or 100 * scale
        uidx.append(member)
        times.append(t)
        reasons.append(code)
        amounts.append(amount)
        packed = (member << 16) | combo
        entry = pts.get(packed)
        if entry is None:
            pts[packed] = [amount, t if amount > 0 else -1, t]
        else:
            entry[0] += amount
            if amount > 0:
                entry[1] = t
        if minutes:
            entry = study.get(packed)
            if entry is None:
                study[packed] = [minutes, t, t]
            else:
                entry[0] += minutes
                entry[1] = t
        if i % 49_999 == 0:  # the 15-minute buckets agree with period_keys itself
            season = seasons[0] if t < SPLIT_T else seasons[1]
            keys = points.period_keys(datetime.fromtimestamp(t, UTC), timezone, season)
            if combos[combo] != (keys.week, keys.month, keys.season):
                raise CheckFailed(f"period keys of bucket {bucket} differ from period_keys")
    if len(combos) >= 1 << 16:
        raise CheckFailed("too many key combinations to pack")
    boards: dict[str, list[Totals]] = {"points": [], "study": []}
    _roll_up(pts, combos, boards["points"])
    _roll_up(study, combos, boards["study"])
    return GuildData(
        guild_id,
        timezone,
        user_base,
        members,
        first_ledger_id,
        seasons,
        left,
        streaks,
        uidx,
        times,
        reasons,
        amounts,
        boards,
    )


@dataclass
class Expected:
    """What guild A's boards should show now: ranked user ids and their values, best first."""

    ids: list[int]
    values: list[int]
    negated: list[int]  # -values, ascending, for bisect

    @classmethod
    def of(cls, ranked: list[tuple[int, Any, int]]) -> Expected:
        ranked.sort()
        values = [-r[0] for r in ranked]
        return cls([r[2] for r in ranked], values, [-v for v in values])

    def rank(self, value: int) -> int:
        """Competition rank: one more than the number of strictly greater values."""
        return bisect.bisect_left(self.negated, -value) + 1

    def value_of(self) -> dict[int, int]:
        return dict(zip(self.ids, self.values, strict=True))


def expected_boards(a: GuildData) -> dict[tuple[str, str], Expected]:
    keys = points.period_keys(NOW, a.timezone, a.seasons[1])
    current = {"week": keys.week, "month": keys.month, "season": keys.season, "all": "all"}
    out: dict[tuple[str, str], Expected] = {}
    for board in ("points", "study"):
        for totals in a.boards[board]:
            if totals.key != current[totals.period]:
                continue
            out[(board, totals.period)] = Expected.of(
                [
                    (-value, last_pos if last_pos >= 0 else first, a.user_id(m))
                    for m, (value, last_pos, first) in totals.rows.items()
                    if value > 0 and m not in a.left
                ]
            )
        for period in PERIODS:
            out.setdefault((board, period), Expected([], [], []))
    streak = Expected.of(
        [(-s, 0, a.user_id(m)) for m, s in enumerate(a.streaks) if s > 0 and m not in a.left]
    )
    for period in PERIODS:
        out[("streak", period)] = streak
    return out


def generate_two_guilds(seed: int, members: int, ledger_rows: int) -> tuple[GuildData, GuildData]:
    """Guild A (the one measured) and guild B (ten times larger figures, to catch leaks)."""
    a = generate_guild(
        seed,
        guild_id=GUILD_A,
        timezone=TZ_A,
        user_base=USER_BASE_A,
        members=members,
        rows=ledger_rows,
        first_ledger_id=1,
        seasons=(1, 2),
        scale=1,
        with_departures=True,
    )
    b = generate_guild(
        seed + 1,
        guild_id=GUILD_B,
        timezone=TZ_B,
        user_base=USER_BASE_B,
        members=max(100, members // 10),
        rows=max(1000, ledger_rows // 10),
        first_ledger_id=ledger_rows + 1,
        seasons=(3, 3),
        scale=10,
        with_departures=False,
    )
    return a, b
