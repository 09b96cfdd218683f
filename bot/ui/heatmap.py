"""Contribution-calendar heatmap of study activity, rendered to PNG in memory.

Theme choice: the heatmap is drawn on an opaque, rounded, mid-dark card (Discord's own
embed grey, ``#2B2D31``) with transparent corners. Discord's dark theme shows it as a
native-looking panel and the light theme as a dark inset card, so one fixed palette
keeps its contrast on both; colours picked for a white *and* a black page would leave
the low levels washed out on one of them.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Set
from datetime import date, timedelta
from functools import lru_cache

from PIL import Image, ImageDraw, ImageFont

CELL = 16
GAP = 4
PITCH = CELL + GAP
CELL_RADIUS = 3
PADDING = 20
CARD_RADIUS = 14
DAY_LABEL_WIDTH = 38
MONTH_LABEL_HEIGHT = 22
LEGEND_GAP = 12
LEGEND_HEIGHT = CELL
LEGEND_WIDTH = 200
FONT_SIZE = 13
MAX_WEEKS = 106

RGB = tuple[int, int, int]
CARD: RGB = (0x2B, 0x2D, 0x31)
TEXT: RGB = (0xB5, 0xBA, 0xC1)
EMPTY: RGB = (0x3C, 0x3F, 0x45)
LEVELS: tuple[RGB, ...] = (
    (0x1B, 0x5E, 0x37),
    (0x1F, 0x8A, 0x47),
    (0x2E, 0xB8, 0x5C),
    (0x5A, 0xE6, 0x7F),
)
# Lower bound in minutes for levels 2..4; anything active below the first is level 1.
LEVEL_MINUTES = (15, 45, 90)
WEEKDAY_LABELS = {0: "Mon", 2: "Wed", 4: "Fri"}
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def _check_weeks(weeks: int) -> None:
    if not 1 <= weeks <= MAX_WEEKS:
        raise ValueError(f"weeks must be between 1 and {MAX_WEEKS}, got {weeks}")


def heatmap_size(weeks: int) -> tuple[int, int]:
    """Exact ``(width, height)`` in pixels of a heatmap of ``weeks`` columns."""
    _check_weeks(weeks)
    grid_w = weeks * PITCH - GAP
    width = 2 * PADDING + DAY_LABEL_WIDTH + max(grid_w, LEGEND_WIDTH)
    height = 2 * PADDING + MONTH_LABEL_HEIGHT + 7 * PITCH - GAP + LEGEND_GAP + LEGEND_HEIGHT
    return width, height


HEATMAP_SIZE: tuple[int, int] = heatmap_size(26)


def cell_box(week_index: int, weekday: int, weeks: int) -> tuple[int, int, int, int]:
    """Inclusive pixel box of a cell: column ``week_index`` (0 = oldest), row ``weekday``."""
    _check_weeks(weeks)
    if not (0 <= week_index < weeks and 0 <= weekday < 7):
        raise IndexError(f"no cell ({week_index}, {weekday}) in a {weeks}-week heatmap")
    x0 = PADDING + DAY_LABEL_WIDTH + week_index * PITCH
    y0 = PADDING + MONTH_LABEL_HEIGHT + weekday * PITCH
    return x0, y0, x0 + CELL - 1, y0 + CELL - 1


def cell_of(day: date, today: date, weeks: int) -> tuple[int, int] | None:
    """``(week_index, weekday)`` of ``day`` in the window ending at ``today``, or None."""
    start = _window_start(today, weeks)
    if not start <= day <= today:
        return None
    return (day - start).days // 7, day.weekday()


def level(minutes: int, active: bool) -> int:
    """Intensity 0..4: 0 is no activity; activity without minutes is level 1."""
    if minutes <= 0:
        return 1 if active else 0
    return 1 + sum(minutes >= bound for bound in LEVEL_MINUTES)


def _window_start(today: date, weeks: int) -> date:
    _check_weeks(weeks)
    return today - timedelta(days=today.weekday() + 7 * (weeks - 1))


@lru_cache(maxsize=1)
def _font() -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    return ImageFont.load_default(size=FONT_SIZE)


@lru_cache(maxsize=4)
def _card_mask(width: int, height: int) -> Image.Image:
    """Alpha of the rounded card, drawn at 4x and downsampled for smooth corners."""
    big = Image.new("L", (width * 4, height * 4), 0)
    ImageDraw.Draw(big).rounded_rectangle(
        (0, 0, width * 4 - 1, height * 4 - 1), CARD_RADIUS * 4, fill=255
    )
    return big.resize((width, height), Image.Resampling.BOX)


def _month_starting(monday: date, *, first_column: bool) -> int | None:
    """Month whose 1st falls in this week; the first column also names a mostly-shown month."""
    for offset in range(7):
        day = monday + timedelta(days=offset)
        if day.day == 1:
            return day.month
    return monday.month if first_column and monday.day <= 14 else None


def _colour(lvl: int) -> RGB:
    return EMPTY if lvl == 0 else LEVELS[lvl - 1]


def render_heatmap(
    minutes_by_day: Mapping[date, int],
    active_days: Set[date],
    today: date,
    *,
    weeks: int = 26,
) -> bytes:
    """PNG of the last ``weeks`` weeks ending at ``today`` (Monday-start columns).

    A day counts as active when it is in ``active_days`` or has minutes; days outside
    the window and the current week's future days are not drawn.
    """
    start = _window_start(today, weeks)
    width, height = heatmap_size(weeks)
    image = Image.new("RGB", (width, height), CARD)
    draw = ImageDraw.Draw(image)
    font = _font()
    top = PADDING + MONTH_LABEL_HEIGHT
    left = PADDING + DAY_LABEL_WIDTH

    for weekday, label in WEEKDAY_LABELS.items():
        y = top + weekday * PITCH + CELL // 2
        draw.text((PADDING, y), label, fill=TEXT, font=font, anchor="lm")

    label_end = -1
    for week in range(weeks):
        monday = start + timedelta(weeks=week)
        for weekday in range(7):
            day = monday + timedelta(days=weekday)
            if day > today:
                break
            lvl = level(minutes_by_day.get(day, 0), day in active_days)
            box = cell_box(week, weekday, weeks)
            draw.rounded_rectangle(box, CELL_RADIUS, fill=_colour(lvl))
        month = _month_starting(monday, first_column=week == 0)
        if month is None:
            continue
        label = MONTHS[month - 1]
        x = left + week * PITCH
        right = x + draw.textlength(label, font=font)
        if x > label_end and right <= width - PADDING // 2:
            draw.text((x, top - GAP), label, fill=TEXT, font=font, anchor="ld")
            label_end = int(right) + GAP

    _draw_legend(draw, font, right=width - PADDING, y=height - PADDING - LEGEND_HEIGHT)
    image.putalpha(_card_mask(width, height))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=False)
    return buffer.getvalue()


def _draw_legend(
    draw: ImageDraw.ImageDraw,
    font: ImageFont.FreeTypeFont | ImageFont.ImageFont,
    *,
    right: int,
    y: int,
) -> None:
    """``Less ▢▢▢▢▢ More`` right-aligned at ``right``, cells starting at row ``y``."""
    mid = y + LEGEND_HEIGHT // 2
    x = right - draw.textlength("More", font=font)
    draw.text((x, mid), "More", fill=TEXT, font=font, anchor="lm")
    x -= GAP * 2 + len(LEVELS) * PITCH + CELL
    draw.text((x - GAP * 2, mid), "Less", fill=TEXT, font=font, anchor="rm")
    for lvl in range(len(LEVELS) + 1):
        x0 = int(x) + lvl * PITCH
        draw.rounded_rectangle((x0, y, x0 + CELL - 1, y + CELL - 1), CELL_RADIUS, fill=_colour(lvl))
