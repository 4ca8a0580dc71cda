"""Upgrading a single-site install: existing rows become the default business's, with nothing to set up."""

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("wagtail_booking", "0007_outbox")]
AFTER = [("wagtail_booking", "0010_sites_required")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def latest():
    executor = MigrationExecutor(connection)
    return executor.loader.graph.leaf_nodes("wagtail_booking")


def test_existing_rows_join_the_default_business_and_staff_keep_their_access(site_root):
    old = migrate(BEFORE)
    try:
        site = old.get_model("wagtailcore", "Site").objects.get(is_default_site=True)
        Service = old.get_model("wagtail_booking", "Service")
        Provider = old.get_model("wagtail_booking", "Provider")
        Booking = old.get_model("wagtail_booking", "Booking")
        Counter = old.get_model("wagtail_booking", "DocumentCounter")
        Group = old.get_model("auth", "Group")
        Permission = old.get_model("auth", "Permission")
        provider = Provider.objects.create(name="Maya", timezone="America/New_York")
        service = Service.objects.create(name="Consultation")
        start = datetime(2027, 4, 5, 14, tzinfo=UTC)
        Booking.objects.create(reference="ABCDEFGH", service=service, provider=provider, start=start,
                               end=start + timedelta(hours=1), blocked_start=start,
                               blocked_end=start + timedelta(hours=1), status="confirmed", client_name="Ann",
                               client_email="ann@example.com", client_timezone="America/New_York")
        Counter.objects.create(series="invoice", last_value=41)
        staff = Group.objects.create(name="Front desk")
        staff.permissions.add(Permission.objects.get(codename="view_booking",
                                                     content_type__app_label="wagtail_booking"))
        Group.objects.create(name="Editors only")

        new = migrate(AFTER)
        for name in ("Service", "Provider", "Booking"):
            assert list(new.get_model("wagtail_booking", name).objects.values_list("site_id", flat=True)) == [
                site.pk]
        # The invoice series carries on for the default business: the next invoice is number 42.
        assert list(new.get_model("wagtail_booking", "DocumentCounter").objects.values_list(
            "series", "last_value")) == [(f"invoice:{site.pk}", 41)]
        granted = new.get_model("wagtailcore", "GroupSitePermission").objects.values_list(
            "group__name", "site_id", "permission__codename")
        assert list(granted) == [("Front desk", site.pk, "access_business")]
    finally:
        migrate(latest())
