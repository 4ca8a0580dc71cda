from oscar.apps.partner import apps


class PartnerConfig(apps.PartnerConfig):
    """Oscar's partner app, label ``partner``: its models and receivers, our ``strategy`` module."""

    name = "wagtail_booking.checkout.oscar_partner"

    def ready(self):
        from oscar.apps.partner import receivers  # noqa: F401 - Oscar's stock alerts, as the app it replaces
