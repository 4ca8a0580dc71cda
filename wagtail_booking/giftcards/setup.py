"""Plug gift cards into the checkout; called once from the app's ``ready()``."""

from ..checkout import fulfilment, tenders
from . import fulfil, refunds, selling, tender


def connect():
    fulfilment.register(selling.PRODUCT_CLASS_SLUG, fulfil.fulfil_line)
    tenders.register(tender.GiftCardTender())
    refunds.connect()
