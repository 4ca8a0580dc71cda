"""A server-rendered SVG bar chart: no JavaScript, no CDN, and a text alternative on every bar.

The x-axis is labelled at sensible intervals, never one label per bar when they would collide: every day, every
other day, Mondays, every other Monday, the first of each month, every quarter or every year, whichever is the
finest that fits, each written as the active language writes short dates (``formats.short_date``).
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from ..formats import money, short_date

WIDTH, HEIGHT, LEFT, BOTTOM, TOP, RIGHT = 760, 260, 86, 40, 16, 10
LABEL_WIDTH = 72  # room for one x-axis label ("10 Mar", "Mar 2027") at 11px, with a gap


@dataclass(frozen=True)
class Bar:
    day: date  # the first local date of the bar's period
    label: str  # the period in words, for the bar's description
    taken: Decimal
    refunded: Decimal


# Ways to pick labelled bars, finest first: (keeps a bar's date, skeleton of its label).
DAILY = [(lambda day, index: True, "MMMd"), (lambda day, index: index % 2 == 0, "MMMd"),
         (lambda day, index: day.weekday() == 0, "MMMd"), (lambda day, index: day.weekday() == 0 and
                                                           (day.toordinal() // 7) % 2 == 0, "MMMd")]
MONTHLY = [(lambda day, index: True, "yMMM"), (lambda day, index: day.month % 3 == 1, "yMMM"),
           (lambda day, index: day.month == 1, "y")]
STEPS = {
    "day": DAILY + [(lambda day, index: day.day == 1, "yMMM")] + MONTHLY[1:],
    "week": [(lambda day, index: True, "MMMd"), (lambda day, index: index % 2 == 0, "MMMd"),
             (lambda day, index: day.day <= 7, "yMMM")] + MONTHLY[1:],
    "month": MONTHLY,
}


def tick_labels(days: list[date], interval: str, room: int) -> list[str]:
    """One label per bar ("" for unlabelled bars): the finest step of ``interval`` whose labels fit ``room``
    labels, and at least the first bar labelled when nothing finer fits."""
    steps = STEPS.get(interval, STEPS["day"])
    for keep, skeleton in steps:
        picked = [keep(day, index) for index, day in enumerate(days)]
        if sum(picked) <= room:
            return [short_date(day, skeleton) if chosen else "" for day, chosen in zip(days, picked, strict=True)]
    keep, skeleton = steps[-1]
    every = -(-len(days) // max(room, 1))
    return [short_date(day, skeleton) if index % every == 0 else "" for index, day in enumerate(days)]


def bar_chart(bars: list[Bar], interval: str, title: str, currency: str) -> str:
    """Money taken (up) and refunded (down) per period, as inline SVG with a title and per-bar descriptions."""
    if not bars:
        return ""
    top = max([bar.taken for bar in bars] + [Decimal("1")])
    bottom = max([bar.refunded for bar in bars] + [Decimal("0")])
    scale = (HEIGHT - BOTTOM - TOP) / float(top + bottom)
    zero_y = TOP + float(top) * scale
    plot = WIDTH - LEFT - RIGHT
    slot = plot / len(bars)
    width = max(2.0, slot * 0.7)
    shapes = []
    for index, bar in enumerate(bars):
        x = LEFT + index * slot + (slot - width) / 2
        description = _("%(period)s: taken %(taken)s, refunded %(refunded)s") % {
            "period": bar.label, "taken": money(bar.taken, currency), "refunded": money(bar.refunded, currency)}
        taken_h, refunded_h = float(bar.taken) * scale, float(bar.refunded) * scale
        shapes.append(format_html(
            '<g><title>{}</title><rect x="{}" y="{}" width="{}" height="{}" fill="#007d7e"/>'
            '<rect x="{}" y="{}" width="{}" height="{}" fill="#cd4444"/></g>',
            description, *(f"{value:.1f}" for value in (x, zero_y - taken_h, width, taken_h, x, zero_y, width,
                                                         refunded_h))))
    labels = tick_labels([bar.day for bar in bars], interval, max(1, int(plot // LABEL_WIDTH)))
    ticks = format_html_join("", '<line x1="{0}" y1="{1}" x2="{0}" y2="{2}" stroke="#333"/>'
                                 '<text x="{0}" y="{3}" font-size="11" text-anchor="middle">{4}</text>', (
        (f"{LEFT + index * slot + slot / 2:.1f}", HEIGHT - BOTTOM + 2, HEIGHT - BOTTOM + 6, HEIGHT - BOTTOM + 18,
         label) for index, label in enumerate(labels) if label))
    axis = format_html(
        '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="#333"/>'
        '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="#333"/>'
        '<text x="{}" y="{}" font-size="11" text-anchor="end">{}</text>'
        '<text x="{}" y="{}" font-size="11" text-anchor="end">{}</text>',
        LEFT, f"{zero_y:.1f}", WIDTH - RIGHT, f"{zero_y:.1f}",
        LEFT, HEIGHT - BOTTOM + 2, WIDTH - RIGHT, HEIGHT - BOTTOM + 2,
        LEFT - 6, TOP + 10, money(top, currency), LEFT - 6, f"{zero_y + 4:.1f}", money(0, currency))
    return format_html(
        '<svg role="img" aria-labelledby="{id}-title" viewBox="0 0 {w} {h}" width="100%" '
        'style="max-width:{w}px" xmlns="http://www.w3.org/2000/svg"><title id="{id}-title">{title}</title>'
        '{axis}{shapes}{ticks}</svg>',
        id=f"wb-chart-{currency.lower()}", w=WIDTH, h=HEIGHT, title=title, axis=axis,
        shapes=mark_safe("".join(shapes)), ticks=ticks)  # noqa: S308 - each shape is built with format_html
