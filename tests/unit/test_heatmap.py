"""The study heatmap: fixed size, colour levels, window edges, determinism."""

from __future__ import annotations

import io
from datetime import date, timedelta

import pytest
from PIL import Image

from bot.ui.heatmap import (
    CARD,
    EMPTY,
    HEATMAP_SIZE,
    LEVELS,
    cell_box,
    cell_of,
    heatmap_size,
    level,
    render_heatmap,
)

TODAY = date(2025, 6, 12)  # a Thursday


def decode(png: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(png))
    image.load()
    return image.convert("RGB")


def centre_colour(image: Image.Image, day: date, weeks: int = 26) -> tuple[int, int, int]:
    cell = cell_of(day, TODAY, weeks)
    assert cell is not None
    x0, y0, x1, y1 = cell_box(*cell, weeks)
    return image.getpixel(((x0 + x1) // 2, (y0 + y1) // 2))


@pytest.mark.parametrize("weeks", [1, 26, 53])
def test_size_is_fixed_and_independent_of_data(weeks: int) -> None:
    busy = {TODAY - timedelta(days=i): 30 * (i % 5) for i in range(400)}
    for minutes in ({}, busy):
        png = render_heatmap(minutes, set(minutes), TODAY, weeks=weeks)
        assert png.startswith(b"\x89PNG")
        assert Image.open(io.BytesIO(png)).size == heatmap_size(weeks)
    assert heatmap_size(26) == HEATMAP_SIZE


def test_default_is_26_weeks() -> None:
    image = decode(render_heatmap({}, set(), TODAY))
    assert image.size == HEATMAP_SIZE


def test_levels_by_minutes() -> None:
    assert level(0, active=False) == 0
    assert level(0, active=True) == 1
    by_minutes = {m: level(m, active=True) for m in (1, 14, 15, 44, 45, 89, 90, 600)}
    assert by_minutes == {1: 1, 14: 1, 15: 2, 44: 2, 45: 3, 89: 3, 90: 4, 600: 4}


def test_cell_colours_differ_by_intensity() -> None:
    heavy, light, quiz_only, idle = (TODAY - timedelta(days=d) for d in (1, 2, 3, 4))
    minutes = {heavy: 120, light: 10}
    image = decode(render_heatmap(minutes, {heavy, light, quiz_only}, TODAY))

    assert centre_colour(image, heavy) == LEVELS[3]
    assert centre_colour(image, light) == LEVELS[0]
    assert centre_colour(image, quiz_only) == LEVELS[0]
    assert centre_colour(image, idle) == EMPTY
    assert len({centre_colour(image, d) for d in (heavy, light, idle)}) == 3


def test_minutes_count_as_activity_even_if_not_listed_active() -> None:
    day = TODAY - timedelta(days=10)
    image = decode(render_heatmap({day: 50}, set(), TODAY))
    assert centre_colour(image, day) == LEVELS[2]


def test_today_is_last_column_and_future_days_are_blank() -> None:
    weeks = 26
    assert cell_of(TODAY, TODAY, weeks) == (weeks - 1, TODAY.weekday())
    future = [TODAY + timedelta(days=d) for d in range(1, 7 - TODAY.weekday())]
    assert all(cell_of(d, TODAY, weeks) is None for d in future)

    everything = {TODAY + timedelta(days=d): 120 for d in range(-7, 7)}
    image = decode(render_heatmap(everything, set(everything), TODAY))
    assert centre_colour(image, TODAY) == LEVELS[3]
    for weekday in range(TODAY.weekday() + 1, 7):
        x0, y0, x1, y1 = cell_box(weeks - 1, weekday, weeks)
        assert image.getpixel(((x0 + x1) // 2, (y0 + y1) // 2)) == CARD


def test_days_before_the_window_are_ignored() -> None:
    first = TODAY - timedelta(days=TODAY.weekday() + 7 * 25)
    assert cell_of(first, TODAY, 26) == (0, 0)
    assert cell_of(first - timedelta(days=1), TODAY, 26) is None

    inside = {first: 60, TODAY: 5}
    old = {first - timedelta(days=d): 120 for d in range(1, 60)}
    base = render_heatmap(inside, set(inside), TODAY)
    assert render_heatmap(inside | old, set(inside) | set(old), TODAY) == base
    assert centre_colour(decode(base), first) == LEVELS[2]


def test_output_is_deterministic() -> None:
    minutes = {TODAY - timedelta(days=i): (i * 37) % 130 for i in range(0, 200, 3)}
    active = set(minutes) | {TODAY - timedelta(days=i) for i in range(1, 200, 7)}
    first = render_heatmap(minutes, active, TODAY)
    assert render_heatmap(dict(minutes), set(active), TODAY) == first


def test_corners_are_transparent() -> None:
    image = Image.open(io.BytesIO(render_heatmap({}, set(), TODAY))).convert("RGBA")
    width, height = image.size
    assert image.getpixel((0, 0))[3] == 0
    assert image.getpixel((width // 2, height // 2)) == (*CARD, 255)


@pytest.mark.parametrize("weeks", [0, -1, 1000])
def test_rejects_silly_week_counts(weeks: int) -> None:
    with pytest.raises(ValueError):
        heatmap_size(weeks)
