"""A booking made in Spanish, in headless Chromium: the block on /es/services/, the payment page, the confirmation,
then the confirmation email and text message and the manage page, all in Spanish with Spanish money and dates.

The sandbox's demo data on the live server with the loopback Stripe fake (as test_paid_booking_e2e.py); text
messages through the locmem SMS backend (the same path as Twilio's, without the network) with SMS switched on for
the business; emails in Django's locmem outbox. The booking stores its language, ``es``, and the messages sent
after the request (Huey tasks, run after the commit) are written in it.
"""

import re
import time
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.utils import translation
from django.utils.formats import date_format

from wagtail_booking.notifications.sms import locmem

from .axe import assert_accessible
from .support import (
    BROWSER_MARKS,
    PHONE,
    assert_no_horizontal_scroll,
    booking_summary,
    check_times_are_in,
    field,
    in_thread,
    offered_times,
    pick_index,
    screenshot,
    summary_list,
    watch,
)
from .test_paid_booking_e2e import GOOD_CARD, SERVICE, enter_card

pytestmark = BROWSER_MARKS

sync_api = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")
expect = sync_api.expect

ZONE = "Europe/Madrid"
EMAIL, MOBILE = "lucia.garcia@example.com", "+34612345678"
EUROS_OF_DOLLARS = r"18,00\sUS\$"  # babel's Spanish: the amount, a no-break space, the currency
DESKTOP = {"viewport": {"width": 1280, "height": 900}}


@pytest.fixture
def texting(demo_site, settings):
    """SMS on for the demo business, into the locmem outbox (before the browser starts: the ORM refuses to run
    beside Playwright's event loop)."""
    from wagtail.models import Site

    from wagtail_booking.site_settings import BusinessSettings

    settings.WAGTAIL_BOOKING = {**settings.WAGTAIL_BOOKING,
                                "SMS_BACKEND": {"BACKEND": "wagtail_booking.notifications.sms.locmem.LocmemBackend"}}
    config = BusinessSettings.for_site(Site.objects.get(is_default_site=True))
    config.sms_enabled = True
    config.save()
    locmem.outbox.clear()
    mail.outbox.clear()
    return config.business_name or Site.objects.get(is_default_site=True).site_name


def spanish(moment, fmt):
    """``moment`` in Madrid, written as Django writes it in Spanish (lunes 15 marzo 2027)."""
    with translation.override("es"):
        return date_format(moment.astimezone(ZoneInfo(ZONE)), fmt)


def wait_for(read, timeout=20):
    """Poll ``read`` (run off Playwright's loop) until it returns something true; the messages go out in tasks."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = in_thread(read)
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"nothing from {read.__name__} after {timeout} s")


def stored_booking():
    from wagtail_booking.bookings.models import Booking

    booking = Booking.objects.select_related("provider").get(client_email=EMAIL)
    return booking


def confirmation_email():
    return [message for message in mail.outbox if message.to == [EMAIL]]


def choose_a_day_past_the_cut_off(page, block):
    """Click the first free day at least three days ahead in the calendar (turning to the next month when needed),
    so the booking is outside the policy's 24-hour cut-off whatever the wall clock says, and the manage page quotes
    the refund."""
    earliest = (datetime.now(ZoneInfo(ZONE)) + timedelta(days=3)).date().isoformat()
    for _month in range(3):
        days = [day for day in block.locator(".wb-calendar .wb-day.wb-free").all()
                if day.get_attribute("data-day") >= earliest]
        if days:
            days[0].click()
            expect(days[0]).to_have_attribute("aria-pressed", "true")
            return days[0].get_attribute("data-day")
        block.get_by_role("button", name="Mes siguiente").click()
    raise AssertionError(f"no free day from {earliest} in the demo's calendar")


def confirmation_text():
    return [message for message in locmem.outbox if message["to"] == MOBILE]


def test_a_booking_made_in_spanish_speaks_spanish_to_the_end(texting, stripe, browser, demo_site):
    context = browser.new_context(**PHONE, timezone_id=ZONE, locale="es-ES")
    context.set_default_timeout(15_000)
    page = context.new_page()
    problems = watch(page, demo_site, also=(stripe.url,))

    # The block on the Spanish page.
    page.goto(demo_site + "/es/services/")
    page.wait_for_url(re.compile(r"^[^?]*/es/services/\?.*booking_tz=Europe%2FMadrid"))
    expect(page.locator("html")).to_have_attribute("lang", "es")
    block = page.get_by_role("region", name=SERVICE)
    expect(field(block, "combobox", "Mostrar horas en")).to_have_value(ZONE)
    expect(block.get_by_role("group", name=re.compile(r"^Hora el "))).to_contain_text(f"({ZONE})")
    day = choose_a_day_past_the_cut_off(page, block)
    times = offered_times(page, within=block, legend=r"^Hora el ")
    assert {start.astimezone(ZoneInfo(ZONE)).date().isoformat() for _r, _n, start in times} == {day}
    check_times_are_in(times, ZONE)
    _radio, time_label, start = times[pick_index(times)]
    field(block, "radio", time_label).check()
    field(block, "textbox", "Su nombre").fill("Lucía García")
    field(block, "textbox", "Correo electrónico").fill(EMAIL)
    field(block, "textbox", "Teléfono (opcional)").fill(MOBILE)
    field(block, "checkbox", "Enviarme SMS sobre esta reserva (recordatorios, cambios). Responda STOP para darse "
                             "de baja.").check()
    expect(block.get_by_text(re.compile(rf"^Precio: 90,00\sUS\$\. Para reservar su hora paga ahora un depósito "
                                        rf"de {EUROS_OF_DOLLARS}; el resto se paga en la cita\.$"))).to_be_visible()
    expect(block.get_by_role("heading", name="Política de cancelación")).to_be_visible()
    assert_no_horizontal_scroll(page)
    assert_accessible(page)
    screenshot(page, "es-block-phone.png")
    page.set_viewport_size(DESKTOP["viewport"])
    screenshot(page, "es-block-desktop.png")
    page.set_viewport_size(PHONE["viewport"])
    with page.expect_navigation():
        field(block, "button", "Continuar al pago").click()

    # The payment page, still Spanish (the shop's checkout under /es/ as well).
    page.wait_for_url(re.compile(r"/es/shop/checkout/payment-details/$"))
    expect(page.get_by_role("heading", level=1, name="Pagar el depósito")).to_be_visible()
    bar = page.get_by_role("navigation", name="Pasos de la reserva")
    assert [text.strip() for text in bar.get_by_role("listitem").all_inner_texts()] == ["Datos", "Pago",
                                                                                       "Confirmada"]
    summary = summary_list(page.locator(".wb-payment dl.wb-summary"))
    assert summary["Cuándo"] == f"{spanish(start, 'l j F Y')}, {time_label} ({ZONE})", summary
    assert re.fullmatch(EUROS_OF_DOLLARS, summary["Depósito"]), summary
    assert re.fullmatch(r"72,00\sUS\$", summary["Resto a pagar en la cita"]), summary
    expect(page.locator(".wb-hold-until")).to_have_text(
        re.compile(rf"^Reservada para usted hasta las \d\d:\d\d \({ZONE}\) · quedan \d+ min \d\d s$"))
    pay = page.get_by_role("button", name=re.compile(rf"^Pagar {EUROS_OF_DOLLARS}$"))
    expect(pay).to_be_enabled()
    assert_no_horizontal_scroll(page)
    assert_accessible(page)
    screenshot(page, "es-payment-phone.png")
    page.set_viewport_size(DESKTOP["viewport"])
    screenshot(page, "es-payment-desktop.png")
    page.set_viewport_size(PHONE["viewport"])

    # Paid: the confirmation page.
    enter_card(page, GOOD_CARD)
    with page.expect_navigation(url=re.compile(r"/es/booking/booked/")):
        pay.click()
    expect(page.get_by_role("heading", level=1, name="Reserva hecha")).to_be_visible()
    booked = booking_summary(page)
    assert booked["Estado"] == "Confirmada" and booked["Servicio"] == SERVICE, booked
    assert booked["Cuándo"].startswith(f"{spanish(start, 'l j F Y')}, {time_label}–"), booked
    expect(page.get_by_text(re.compile(rf"^Depósito (pagado|autorizado en su tarjeta): {EUROS_OF_DOLLARS}\. "
                                       r"Resto a pagar en la cita: 72,00\sUS\$\.$"))).to_be_visible()
    expect(page.get_by_text(f"Hemos enviado los detalles a {EMAIL}.")).to_be_visible()
    expect(page.get_by_role("heading", name="Añadir al calendario")).to_be_visible()
    assert_no_horizontal_scroll(page)
    assert_accessible(page)
    screenshot(page, "es-booked-phone.png")
    page.set_viewport_size(DESKTOP["viewport"])
    screenshot(page, "es-booked-desktop.png")
    page.set_viewport_size(PHONE["viewport"])

    # The booking remembers its language; the email and the text that followed are Spanish.
    booking = in_thread(stored_booking)
    assert booking.language == "es" and booking.status == "confirmed", (booking.language, booking.status)
    email = wait_for(confirmation_email)[0]
    when = f"{spanish(start, 'D j M Y, H:i')} ({ZONE})"
    assert email.subject == f"Su reserva está confirmada: {SERVICE}, {when}", email.subject
    assert email.body.startswith("Hola, Lucía García:\n\nSu reserva está confirmada.\n"), email.body
    assert f"Cuándo: {when}" in email.body and "Política de cancelación" in email.body, email.body
    assert re.search(rf"Depósito (pagado|autorizado): {EUROS_OF_DOLLARS} \(tarjeta, Stripe pi_", email.body), \
        email.body
    html = email.alternatives[0][0]
    assert ">Cancelar o cambiar esta reserva</a>" in html and "USD" not in html, html
    manage_path = re.search(r"Para cancelarla o cambiarla: https?://[^/\s]+(/es/booking/manage/\S+/)",
                            email.body).group(1)
    text = wait_for(confirmation_text)[0]["body"]
    assert text.endswith(f"su cita de {SERVICE} con {booking.provider.name} está confirmada para el "
                         f"{spanish(start, 'D j M, H:i')}. Ref. {booking.reference}."), text

    # The manage page from the email's link, in Spanish, with the refund in Spanish money.
    page.goto(demo_site + manage_path)
    expect(page.get_by_role("heading", level=1, name="Su reserva")).to_be_visible()
    expect(page.get_by_role("heading", name="Política de cancelación")).to_be_visible()
    # Three days ahead, outside the 24-hour cut-off: the page quotes the refund before the client cancels.
    expect(page.locator("#wb-refund-quote")).to_have_text(re.compile(
        rf"^Si cancela ahora, se reembolsan {EUROS_OF_DOLLARS} de su depósito de {EUROS_OF_DOLLARS} a su Visa "
        r"terminada en 4242\.$"))
    expect(page.get_by_role("button", name=re.compile("^Cancelar"))).to_be_visible()
    assert_no_horizontal_scroll(page)
    assert_accessible(page)
    screenshot(page, "es-manage-phone.png")
    page.set_viewport_size(DESKTOP["viewport"])
    screenshot(page, "es-manage-desktop.png")
    assert problems == [], "\n".join(problems)
    context.close()
