"""Existing rows belong to the default business; groups that work with bookings keep working in it."""

from django.db import migrations


def fill_sites(apps, schema_editor):
    Site = apps.get_model("wagtailcore", "Site")
    rows = [apps.get_model("wagtail_booking", name) for name in
            ("Service", "Provider", "IntakeForm", "CancellationPolicy", "Booking", "Invoice", "RevenueReport")]
    if not any(model.objects.exists() for model in rows):
        return
    site = Site.objects.filter(is_default_site=True).first() or Site.objects.order_by("pk").first()
    if site is None:
        root = apps.get_model("wagtailcore", "Page").objects.filter(depth=1).first()
        site = Site.objects.create(hostname="localhost", port=80, root_page=root, is_default_site=True)
    for model in rows:
        model.objects.filter(site__isnull=True).update(site=site)
    # Bookings and documents follow their service and booking (the same site here, but say what is meant).
    Booking = apps.get_model("wagtail_booking", "Booking")
    for service_id, site_id in apps.get_model("wagtail_booking", "Service").objects.values_list("pk", "site_id"):
        Booking.objects.filter(service_id=service_id).update(site_id=site_id)
    Invoice = apps.get_model("wagtail_booking", "Invoice")
    for invoice in Invoice.objects.select_related("booking"):
        Invoice.objects.filter(pk=invoice.pk).update(site_id=invoice.booking.site_id)
    # Invoice numbers are now counted per business: the existing series become the default site's.
    Counter = apps.get_model("wagtail_booking", "DocumentCounter")
    for counter in Counter.objects.filter(series__in=("invoice", "credit_note")):
        counter.series = f"{counter.series}:{site.pk}"
        counter.save(update_fields=["series"])


def grant_default_business(apps, schema_editor):
    """Groups that already work with bookings keep working in the default business once there are several."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    Group = apps.get_model("auth", "Group")
    Site = apps.get_model("wagtailcore", "Site")
    GroupSitePermission = apps.get_model("wagtailcore", "GroupSitePermission")
    site = Site.objects.filter(is_default_site=True).first() or Site.objects.order_by("pk").first()
    groups = Group.objects.filter(permissions__content_type__app_label="wagtail_booking").distinct()
    if site is None or not groups.exists():
        return
    content_type, _ = ContentType.objects.get_or_create(app_label="wagtail_booking", model="businesssettings")
    permission, _ = Permission.objects.get_or_create(
        content_type=content_type, codename="access_business",
        defaults={"name": "Can work in this business's bookings"})
    for group in groups:
        GroupSitePermission.objects.get_or_create(group=group, site=site, permission=permission)


class Migration(migrations.Migration):

    dependencies = [
        ("wagtail_booking", "0008_sites"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [
        migrations.RunPython(fill_sites, migrations.RunPython.noop),
        migrations.RunPython(grant_default_business, migrations.RunPython.noop),
    ]
