"""What the invoice and report PDFs share: page set-up, styles, tables, the business's details."""

from io import BytesIO

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Table, TableStyle

from ..businesses import default_site
from ..site_settings import BusinessSettings

STYLES = getSampleStyleSheet()
BODY, SMALL, HEADING, TITLE = STYLES["BodyText"], STYLES["Normal"], STYLES["Heading2"], STYLES["Title"]
TABLE_STYLE = TableStyle([
    ("FONT", (0, 0), (-1, 0), "Helvetica-Bold"),
    ("LINEBELOW", (0, 0), (-1, 0), 0.8, colors.black),
    ("ALIGN", (1, 0), (-1, -1), "RIGHT"),
    ("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, colors.HexColor("#f2f2f2")]),
    ("FONTSIZE", (0, 0), (-1, -1), 9),
])


def business(site=None):
    """``site``'s business details (Settings > Booking business details); the default site's when not given."""
    site = site or default_site()
    details = BusinessSettings.for_site(site) if site else BusinessSettings()
    return {"name": details.business_name or (site.site_name if site else "") or "Our business",
            "address": details.address, "email": details.contact_email, "phone": details.contact_phone}


def paragraph(text, style=BODY):
    from xml.sax.saxutils import escape

    return Paragraph(escape(str(text)).replace("\n", "<br/>"), style)


def table(rows, widths=None, bold_last=False):
    result = Table(rows, colWidths=widths, repeatRows=1, hAlign="LEFT")
    result.setStyle(TABLE_STYLE)
    if bold_last:
        result.setStyle(TableStyle([("FONT", (0, -1), (-1, -1), "Helvetica-Bold"),
                                    ("LINEABOVE", (0, -1), (-1, -1), 0.8, colors.black)]))
    return result


def build(flowables, title, author) -> bytes:
    buffer = BytesIO()
    document = SimpleDocTemplate(buffer, pagesize=A4, title=title, author=author, leftMargin=18 * mm,
                                 rightMargin=18 * mm, topMargin=16 * mm, bottomMargin=16 * mm)
    document.build(flowables)
    return buffer.getvalue()
