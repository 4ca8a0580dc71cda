"""The revenue report PDF for a period: the same figures as the admin reports, from the same queries."""

from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import Spacer

from ..formats import money
from . import activity, revenue, summary
from .charts import tick_labels
from .pdf import HEADING, SMALL, TITLE, build, business, paragraph, table
from .periods import Period


def interval_for(period: Period) -> str:
    days = (period.last - period.first).days + 1
    return "day" if days <= 31 else "week" if days <= 92 else "month"


def render_report(period: Period, site) -> bytes:
    """The report of one business (``site``): its figures only, under its name."""
    filters = revenue.Filters(period, interval=interval_for(period), sites=frozenset({site.pk}))
    seller = business(site)
    title = f"Revenue report {period}"
    flow = [paragraph(seller["name"], TITLE), paragraph(title, HEADING),
            paragraph(f"Local dates in {period.zone}. Money taken = card captures; refunds by the date they were "
                      "made; net = taken - refunds (Oscar's Stripe payment transactions of appointment orders: "
                      "deposits, balances, fees).", SMALL),
            Spacer(1, 4 * mm)]
    totals = revenue.totals(filters)
    flow.append(table([["Currency", "Taken", "Refunded", "Net", "Payments", "Refunds"]]
                      + [[row.currency, row.taken_money, row.refunded_money, row.net_money,
                          row.payments, row.refunds] for row in totals] if totals else [["No payments"]]))
    flow += summary_tables(filters)
    over_time = revenue.over_time(filters)
    for currency in sorted({row.currency for row in over_time}):
        rows = [row for row in over_time if row.currency == currency]
        flow += [Spacer(1, 4 * mm), paragraph(f"By {filters.interval}, {currency}", HEADING),
                 chart(rows, currency, filters.interval),
                 money_table(rows, "Period")]
    for dimension in ("service", "provider"):
        rows = revenue.by_dimension(filters, dimension)
        if rows:
            flow += [Spacer(1, 4 * mm), paragraph(f"By {dimension}", HEADING), money_table(rows, dimension.title())]
    cancellations = activity.cancellations(filters)
    if cancellations:
        flow += [Spacer(1, 4 * mm), paragraph("Cancellations and no-shows (appointments in the period)", HEADING),
                 table([["Service", "Bookings", "Cancelled", "%", "Late", "%", "No-shows", "%"]]
                       + [[row.label, row.booked, row.cancelled, row.cancellation_percent, row.late_cancelled,
                           row.late_cancellation_percent, row.no_shows, row.no_show_percent]
                          for row in cancellations])]
    return build(flow, title=title, author=seller["name"])


def summary_tables(filters) -> list:
    """Every kind of money, one column per currency (``summary``: what each line counts)."""
    rows = summary.summary(filters)
    if not rows:
        return []
    lines = [[str(label), *[getattr(row, f"{name}_money") for row in rows]] for name, label in summary.LABELS.items()]
    return [Spacer(1, 4 * mm), paragraph("Money summary: earned, received in advance, and Stripe", HEADING),
            paragraph("Revenue = card net - tips + paid by gift cards + package credits used. Gift cards and "
                      "packages sold are received in advance (a liability) until spent or used. Stripe's net = card "
                      "net + sold in advance net.", SMALL),
            table([["", *[row.currency for row in rows]], *lines])]


def money_table(rows, first_heading):
    return table([[first_heading, "Currency", "Taken", "Refunded", "Net"]]
                 + [[row.label, row.currency, row.taken_money, row.refunded_money, row.net_money] for row in rows])


def chart(rows, currency, interval) -> Drawing:
    drawing = Drawing(170 * mm, 60 * mm)
    bars = VerticalBarChart()
    bars.x, bars.y, bars.width, bars.height = 15 * mm, 10 * mm, 150 * mm, 45 * mm
    bars.data = [[float(row.taken) for row in rows], [float(row.refunded) for row in rows]]
    # The same ticks as the admin's chart (charts.tick_labels): about one label per 12 mm, never overlapping.
    bars.categoryAxis.categoryNames = tick_labels([row.key for row in rows], interval, 12)
    bars.categoryAxis.labels.fontSize = 6
    bars.categoryAxis.labels.boxAnchor = "n"
    bars.valueAxis.valueMin = 0
    bars.valueAxis.labels.fontSize = 7
    bars.valueAxis.labelTextFormat = lambda value: money(value, currency)
    bars.bars[0].fillColor = colors.HexColor("#007d7e")
    bars.bars[1].fillColor = colors.HexColor("#cd4444")
    drawing.add(bars)
    drawing.add(String(15 * mm, 57 * mm, f"Taken (teal) and refunded (red), {currency}", fontSize=7))
    return drawing
