"""Spreadsheet exports that cannot run formulas: every CSV export of the package goes through here.

A cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is read as a formula by Excel,
LibreOffice and Google Sheets, so a client named ``=HYPERLINK(...)`` (anyone can book through the public API)
would run in the owner's spreadsheet. As OWASP advises, such text is prefixed with ``'``, which spreadsheets show
as text. Numbers and dates are left alone (a negative amount is a number, not a formula). XLSX needs no help:
Wagtail already writes every cell there as text or a number, never as a formula.
"""

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value):
    """``value`` made safe for a CSV cell: text starting like a formula gets a leading ``'``."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


class SafeCsvExportMixin:
    """For views built on Wagtail's ``SpreadsheetExportMixin`` (index views, snippet listings, ``ReportView``):
    put it first in the bases, so every CSV row is neutralised once Wagtail's own preprocessing has turned each
    value into what is written (headings are ours, not data)."""

    def write_csv_row(self, writer, row_dict):
        return writer.writerow({
            field: neutralise(self.preprocess_field_value(field, value, self.FORMAT_CSV))
            for field, value in row_dict.items()
        })
