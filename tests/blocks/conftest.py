"""The booking block on a page: a page whose body holds one booking block."""

import json

import pytest
from home.models import ContentPage
from wagtail.models import Site


@pytest.fixture
def page(service, intake_form, site_root):
    service.intake_form = intake_form
    service.save()
    page = site_root.add_child(instance=ContentPage(title="Book", slug="book-test", body=json.dumps([
        {"type": "booking", "value": {"service": service.pk, "provider": None, "heading": "Book a consultation",
                                     "intro": "<p>Hello</p>"}}])))
    Site.objects.update_or_create(is_default_site=True, defaults={"root_page": page, "hostname": "testserver",
                                                                  "port": 80})
    return page
