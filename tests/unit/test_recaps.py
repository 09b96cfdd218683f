"""Recap and timer helpers: one-off occurrences, batch windows, streak milestones."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.delivery.cadence import once
from bot.services.recaps import BATCH, streak_milestone, window_start


def test_a_one_off_occurrence_is_keyed_by_its_instant_in_ten_characters() -> None:
    at = datetime(2026, 3, 10, 8, 25, 30, tzinfo=UTC)
    occurrence = once(at, timedelta(hours=12))
    assert occurrence.key == str(int(at.timestamp())) and len(occurrence.key) == 10
    assert occurrence.due_at == at and occurrence.ends_at == at + timedelta(hours=12)
    assert once(at, timedelta(0), label="s12").key == "s12"


def test_batch_windows_are_aligned_and_milestones_are_the_highest_reached() -> None:
    at = datetime(2026, 3, 10, 8, 27, 59, tzinfo=UTC)
    start = window_start(at)
    assert start == datetime(2026, 3, 10, 8, 20, tzinfo=UTC)
    assert window_start(start + BATCH) == start + BATCH
    assert [streak_milestone(v) for v in (0, 6, 7, 29, 30, 99, 100, 365, 900)] == [
        None,
        None,
        7,
        7,
        30,
        30,
        100,
        365,
        365,
    ]
