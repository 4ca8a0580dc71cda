"""A ready fork of Oscar's partner app whose pricing strategy knows our custom-priced lines (see ``pricing``).

Use it in place of ``oscar.apps.partner.apps.PartnerConfig`` when the project has not forked the partner app; a
project with its own fork mixes :class:`wagtail_booking.checkout.pricing.LinePricing` into its strategies instead.
"""
