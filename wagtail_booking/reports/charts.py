"""A server-rendered SVG bar chart: no JavaScript, no CDN, and a text alternative on every bar."""

from dataclasses import dataclass
from decimal import Decimal

from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

WIDTH, HEIGHT, LEFT, BOTTOM, TOP = 760, 260, 70, 40, 16


@dataclass(frozen=True)
class Bar:
    label: str
    taken: Decimal
    refunded: Decimal


def bar_chart(bars: list[Bar], title: str, currency: str) -> str:
    """Money taken (up) and refunded (down) per period, as inline SVG with a title and per-bar descriptions."""
    if not bars:
        return ""
    top = max([bar.taken for bar in bars] + [Decimal("1")])
    bottom = max([bar.refunded for bar in bars] + [Decimal("0")])
    scale = (HEIGHT - BOTTOM - TOP) / float(top + bottom)
    zero_y = TOP + float(top) * scale
    slot = (WIDTH - LEFT - 10) / len(bars)
    width = max(2.0, slot * 0.7)
    shapes = []
    for index, bar in enumerate(bars):
        x = LEFT + index * slot + (slot - width) / 2
        description = f"{bar.label}: taken {bar.taken} {currency}, refunded {bar.refunded} {currency}"
        taken_h, refunded_h = float(bar.taken) * scale, float(bar.refunded) * scale
        shapes.append(format_html(
            '<g><title>{}</title><rect x="{}" y="{}" width="{}" height="{}" fill="#007d7e"/>'
            '<rect x="{}" y="{}" width="{}" height="{}" fill="#cd4444"/></g>',
            description, *(f"{value:.1f}" for value in (x, zero_y - taken_h, width, taken_h, x, zero_y, width,
                                                         refunded_h))))
    every = max(1, len(bars) // 12)
    labels = format_html_join("", '<text x="{}" y="{}" font-size="11" text-anchor="middle">{}</text>', (
        (f"{LEFT + index * slot + slot / 2:.1f}", HEIGHT - BOTTOM + 16, bar.label[:12])
        for index, bar in enumerate(bars) if index % every == 0))
    axis = format_html(
        '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="#333"/>'
        '<text x="{}" y="{}" font-size="11" text-anchor="end">{} {}</text>'
        '<text x="{}" y="{}" font-size="11" text-anchor="end">0</text>',
        LEFT, f"{zero_y:.1f}", WIDTH - 10, f"{zero_y:.1f}", LEFT - 6, TOP + 10, top, currency, LEFT - 6,
        f"{zero_y + 4:.1f}")
    return format_html(
        '<svg role="img" aria-labelledby="{id}-title" viewBox="0 0 {w} {h}" width="100%" '
        'style="max-width:{w}px" xmlns="http://www.w3.org/2000/svg"><title id="{id}-title">{title}</title>'
        '{axis}{shapes}{labels}</svg>',
        id=f"wb-chart-{currency.lower()}", w=WIDTH, h=HEIGHT, title=title, axis=axis,
        shapes=mark_safe("".join(shapes)), labels=labels)  # noqa: S308 - each shape is built with format_html
