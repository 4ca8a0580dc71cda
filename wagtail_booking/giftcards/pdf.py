"""The gift card as a one-page PDF (reportlab): business, amount, code, from/to/message, in the buyer's language."""

from io import BytesIO
from xml.sax.saxutils import escape

from django.utils.translation import gettext as _
from django.utils.translation import override
from reportlab.lib import colors
from reportlab.lib.pagesizes import A5, landscape
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from ..formats import money
from ..site_settings import BusinessSettings
from . import codes

STYLES = getSampleStyleSheet()
BIG = ParagraphStyle("wb-gift-big", parent=STYLES["Title"], fontSize=28, leading=34)
CODE = ParagraphStyle("wb-gift-code", parent=STYLES["Title"], fontName="Courier-Bold", fontSize=20, leading=26)


def business_name(card) -> str:
    details = BusinessSettings.for_site(card.site) if card.site_id else BusinessSettings()
    return details.business_name or card.site.site_name or "Gift card"


def _p(text, style=STYLES["BodyText"]):
    return Paragraph(escape(str(text)).replace("\n", "<br/>"), style)


def render(card, code: str) -> bytes:
    """The PDF for ``card`` showing ``code`` (which only the caller knows: the database has its HMAC)."""
    with override(card.language or None):
        name = business_name(card)
        rows = [[_("From"), card.from_name or "—"], [_("To"), card.to_name or "—"]]
        story = [_p(name, STYLES["Heading2"]), _p(_("Gift card"), STYLES["Heading1"]),
                 _p(money(card.initial_value, card.currency), BIG), Spacer(1, 4 * mm),
                 Table(rows, colWidths=[30 * mm, 120 * mm], hAlign="LEFT",
                       style=TableStyle([("FONT", (0, 0), (0, -1), "Helvetica-Bold")]))]
        if card.message:
            story += [Spacer(1, 3 * mm), _p(card.message, STYLES["Italic"])]
        story += [Spacer(1, 6 * mm), _p(_("Your code"), STYLES["Heading3"]), _p(codes.grouped(code), CODE),
                  _p(_("Type this code in the “Gift card” box when you pay for a booking. What you do not spend "
                       "stays on the card for next time."))]
        if card.expires_at:
            story.append(_p(_("Valid until %(date)s.") % {"date": card.expires_at.date().isoformat()}))
        buffer = BytesIO()
        document = SimpleDocTemplate(buffer, pagesize=landscape(A5), title=_("Gift card"), author=name,
                                     leftMargin=14 * mm, rightMargin=14 * mm, topMargin=12 * mm, bottomMargin=12 * mm)
        document.build(story, onFirstPage=_frame)
    return buffer.getvalue()


def _frame(canvas, document):
    canvas.saveState()
    canvas.setStrokeColor(colors.HexColor("#8a5a9e"))
    canvas.setLineWidth(2)
    width, height = document.pagesize
    canvas.roundRect(7 * mm, 7 * mm, width - 14 * mm, height - 14 * mm, 6 * mm)
    canvas.restoreState()
