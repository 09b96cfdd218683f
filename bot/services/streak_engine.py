"""The streak rules as a pure state machine over calendar days.

Rules (shared by the incremental cache and the rebuild from the log):

- A day with any activity extends the streak by one.
- Every 7 active days within a streak earn a freeze; at most 2 are held.
- A day without activity, once it is over, uses a freeze if one is held (the streak
  survives, without growing); with no freeze left, that day ends the streak.
- Today never counts as missed: it is not over yet.
- A *bridged* day (skipped only because the member moved their timezone east) is
  neither active nor missed.
"""

from __future__ import annotations

from collections.abc import Set
from dataclasses import dataclass, field, replace
from datetime import date, timedelta

FREEZE_EVERY = 7
MAX_FREEZES = 2


@dataclass(frozen=True)
class StreakEvent:
    """Something the member is told about: a freeze earned or used, a streak ended."""

    day: date
    kind: str  # "freeze_earned" | "freeze_used" | "ended"


@dataclass(frozen=True)
class StreakState:
    """The streak after processing every day up to and including ``through``."""

    current: int = 0
    best: int = 0
    freezes: int = 0
    progress: int = 0
    through: date | None = None


@dataclass
class Advance:
    """The state reached by ``advance`` and the events that happened on the way."""

    state: StreakState
    events: list[StreakEvent] = field(default_factory=list)


def advance(
    state: StreakState,
    *,
    active: Set[date],
    bridged: Set[date],
    today: date,
) -> Advance:
    """Process the days after ``state.through`` up to ``today`` (today only if active)."""
    out = Advance(state)
    if state.through is None:
        if not active:
            return out
        day = min(active)
    else:
        day = state.through + timedelta(days=1)
    current, best, freezes, progress = state.current, state.best, state.freezes, state.progress
    through = state.through
    while day <= today:
        if day in active:
            current += 1
            best = max(best, current)
            progress += 1
            if progress >= FREEZE_EVERY:
                progress = 0
                if freezes < MAX_FREEZES:
                    freezes += 1
                    out.events.append(StreakEvent(day, "freeze_earned"))
        elif day == today:
            break
        elif day in bridged or current == 0:
            pass
        elif freezes > 0:
            freezes -= 1
            out.events.append(StreakEvent(day, "freeze_used"))
        else:
            current, progress = 0, 0
            out.events.append(StreakEvent(day, "ended"))
        through = day
        day += timedelta(days=1)
    out.state = replace(
        state, current=current, best=best, freezes=freezes, progress=progress, through=through
    )
    return out


def rebuild(active: Set[date], bridged: Set[date], today: date) -> Advance:
    """The streak computed from scratch from the whole log."""
    return advance(StreakState(), active=active, bridged=bridged, today=today)


def at_risk(state: StreakState, today: date) -> bool:
    """True when the streak is alive but today has no activity yet."""
    return state.current > 0 and state.through is not None and state.through < today
