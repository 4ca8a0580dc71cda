"""Every string a client can meet has a Spanish and a French translation (not empty, not fuzzy), read from the
sources themselves: a string added to a client template, email, text or PDF without its translations fails here,
even before anyone runs makemessages. The .mo files are compiled from the .po files in the build (setup.py)."""

from io import BytesIO
from pathlib import Path

import pytest
from babel.messages.extract import extract_python
from babel.messages.pofile import read_po
from django.utils.translation.template import templatize

PACKAGE = Path(__file__).resolve().parents[2] / "wagtail_booking"
LANGUAGES = ("es", "fr")
# What a client meets: the booking pages, checkout, emails, texts and PDFs (the admin's strings are not listed).
CLIENT_TEMPLATES = [path for path in (PACKAGE / "templates").rglob("*")
                    if path.suffix in (".html", ".txt")
                    and not {"admin", "reports"} & set(path.relative_to(PACKAGE / "templates").parts[1:2])
                    # staff emails and the provider's agenda are the business's, like the admin
                    and not path.name.startswith(("staff", "agenda"))]
CLIENT_MODULES = ["blocks/__init__.py", "blocks/forms.py", "blocks/manage.py", "blocks/picker.py",
                  "blocks/views.py", "blocks/embed.py", "blocks/calendar.py", "bookings/models.py",
                  "bookings/services.py", "bookings/holds.py", "bookings/writes.py", "bookings/resources.py",
                  "bookings/sessions.py",
                  "checkout/policy_words.py", "checkout/views.py", "checkout/mixins.py",
                  "clients/views.py", "clients/emails.py", "notifications/emails.py",
                  "notifications/payment_links.py", "reports/invoice_pdf.py",
                  "packages/views.py", "packages/credits.py", "packages/emails.py", "giftcards/ledger.py",
                  "giftcards/views.py", "giftcards/selling.py", "giftcards/pdf.py", "giftcards/fulfil.py",
                  "checkout/balances/forms.py", "checkout/balances/services.py", "notifications/balance.py",
                  "blocks/series.py", "bookings/series.py",
                  "waitlist/lines.py", "waitlist/forms.py", "waitlist/claims.py",
                  "notifications/waitlist.py", "bookings/series_payments.py", "notifications/series_deposits.py",
                  "checkout/series_upfront.py"]
KEYWORDS = {"_": None, "gettext": None, "gettext_lazy": None, "ngettext": (1, 2), "ngettext_lazy": (1, 2),
            "pgettext": ((1, "c"), 2), "pgettext_lazy": ((1, "c"), 2), "npgettext": ((1, "c"), 2, 3)}


def _messages(code: str):
    """(context, msgid) of each gettext call in Python source (or in a template turned into it by templatize)."""
    for _line, function, message, _comments in extract_python(BytesIO(code.encode()), KEYWORDS, [], {}):
        if isinstance(message, str):
            yield None, message
        elif function.startswith(("pgettext", "npgettext")):
            yield message[0], message[1]
        else:
            yield None, message[0]


def client_msgids() -> dict:
    """(context, msgid) -> the first file it is used in."""
    found = {}
    for path in CLIENT_TEMPLATES:
        # templatize writes the template's text as X's around gettext() calls: not Python, but it tokenises
        # once no line is indented (each call is on one line, its strings written with repr)
        code = "\n".join(line.lstrip() for line in templatize(path.read_text(), origin=str(path)).splitlines())
        for message in _messages(code):
            found.setdefault(message, path)
    for name in CLIENT_MODULES:
        for message in _messages((PACKAGE / name).read_text()):
            found.setdefault(message, PACKAGE / name)
    return found


def test_the_client_side_is_found():
    """The extraction itself works: a few strings known to be there are found, in templates and in modules."""
    found = {msgid for _context, msgid in client_msgids()}
    assert "You're booked" in found and "Hello %(name)s," in found  # templates
    assert "Cancelling now refunds %(amount)s of your %(paid)s deposit to %(card)s." in found  # a module
    assert "Please correct the error below:" in found  # the singular of a {% blocktranslate count %}
    assert len(found) > 150


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_client_string_is_translated(language):
    catalogue = read_po((PACKAGE / "locale" / language / "LC_MESSAGES" / "django.po").open("rb"))
    problems = []
    for (context, msgid), path in sorted(client_msgids().items(), key=lambda item: (item[0][1], item[0][0] or "")):
        entry = catalogue.get(msgid, context=context)
        where = path.relative_to(PACKAGE)
        if entry is None:
            problems.append(f"{where}: {msgid!r} is not in {language}/django.po (run makemessages)")
        elif entry.fuzzy:
            problems.append(f"{where}: {msgid!r} is fuzzy in {language}")
        elif not all(entry.string if isinstance(entry.string, tuple) else (entry.string,)):
            problems.append(f"{where}: {msgid!r} has no {language} translation")
    assert not problems, "\n".join(problems)
