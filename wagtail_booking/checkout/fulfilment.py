"""What a paid purchase gives the buyer: one function per Oscar product class, called once per order line.

Products sold through the checkout without a booking behind them (packages of sessions, gift cards, ...) register
their product class here, from their app's ``ready()`` or the module that defines them::

    from wagtail_booking.checkout import fulfilment

    fulfilment.register("package", grant_credits, thanks_url=lambda order: reverse("...", args=[order.number]))

A basket whose every line is of a registered class is a *purchase*: the payment page takes the card for it
(``BookingPayment`` with ``booking=None`` and ``kind="purchase"``, captured at once), and once the order is placed
the registered function is called for each of its lines, inside the transaction that placed the order, exactly once
(the payment row is locked and an order is placed only once per payment). A line of a registered class in a basket
that also holds an appointment is fulfilled the same way when that basket's order is placed.
"""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Registration:
    """One product class's hooks.

    ``function(order, line, payment)`` is called once per order line of the class, after the order is placed and
    the money is captured, in the order's transaction (raising rolls the order back; Stripe's redelivered webhook
    or the client's return tries again). ``payment`` is the ``BookingPayment``, or None when nothing was charged
    (a voucher covered the whole basket). Its return value is ignored.

    ``thanks_url(order)`` (optional) returns where the buyer goes after paying (for instance a page listing what
    they bought); None falls back to Oscar's thank-you page. It is asked for the first registered line's class.
    """

    product_class_slug: str
    function: Callable
    thanks_url: Callable | None = None


_registry: dict[str, Registration] = {}


def register(product_class_slug: str, function: Callable, thanks_url: Callable | None = None) -> None:
    """Sell ``product_class_slug`` through the checkout without a booking; registering again replaces the hooks."""
    _registry[product_class_slug] = Registration(product_class_slug, function, thanks_url)


def is_registered(product_class_slug: str) -> bool:
    """Whether lines of this product class are fulfilled here (a product's page uses it to offer "buy")."""
    return product_class_slug in _registry


def is_purchase_only(basket) -> bool:
    """The basket holds only registered products: it is paid as a purchase, no appointment behind it."""
    lines = basket.all_lines()
    return bool(lines) and all(is_registered(line.product.product_class.slug) for line in lines)


def fulfil(order, payment) -> int:
    """Call each registered line's function once; returns how many lines were fulfilled.

    Called by the facade inside the transaction that placed ``order`` (and by the payment step for an order that
    needed no card). Never call it twice for one order: it has no memory of its own.
    """
    done = 0
    for line in order.lines.select_related("product__product_class"):
        registration = _registry.get(line.product.product_class.slug) if line.product_id else None
        if registration is not None:
            registration.function(order, line, payment)
            done += 1
    return done


def thanks_url(order) -> str | None:
    """Where the buyer of ``order`` goes after paying, as the first registered line's class says (or None)."""
    for line in order.lines.select_related("product__product_class"):
        registration = _registry.get(line.product.product_class.slug) if line.product_id else None
        if registration is not None and registration.thanks_url is not None:
            return registration.thanks_url(order)
    return None
