"""Edit-form panels of our own: the provider's weekly hours as week grids."""

from django.forms import Media
from wagtail.admin.panels import Panel


class HoursGridPanel(Panel):
    """Draws the provider form's ``hours`` grid (``ProviderForm.hours``); the form parses and saves it."""

    class BoundPanel(Panel.BoundPanel):
        template_name = "wagtail_booking/admin/hours_grid.html"

        def get_context_data(self, parent_context=None):
            context = super().get_context_data(parent_context)
            context["grid"] = self.form.hours
            return context

        @property
        def media(self):
            return Media(js=["wagtail_booking/admin/hours_grid.js"], css={"all": ["wagtail_booking/admin/admin.css"]})
