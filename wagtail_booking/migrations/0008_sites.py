"""Every business row names its Wagtail Site; rows that exist already belong to the default site.

Added as nullable here and filled in; made required in 0009 (PostgreSQL refuses to alter a table with the fill's
deferred foreign-key checks still pending in the same transaction).
"""

import django.db.models.deletion
from django.db import migrations, models


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


class Migration(migrations.Migration):

    dependencies = [
        ("wagtail_booking", "0007_outbox"),
        ("wagtailcore", "0098_apitoken"),
    ]

    operations = [
        migrations.AddField(
            model_name="booking", name="site",
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name="+",
                                    to="wagtailcore.site", verbose_name="business"),
        ),
        migrations.AddField(
            model_name="cancellationpolicy", name="site",
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name="+",
                                    to="wagtailcore.site", verbose_name="business"),
        ),
        migrations.AddField(
            model_name="intakeform", name="site",
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name="+",
                                    to="wagtailcore.site", verbose_name="business"),
        ),
        migrations.AddField(
            model_name="invoice", name="site",
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name="+",
                                    to="wagtailcore.site", verbose_name="business"),
        ),
        migrations.AddField(
            model_name="provider", name="site",
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name="+",
                                    to="wagtailcore.site", verbose_name="business"),
        ),
        migrations.AddField(
            model_name="revenuereport", name="site",
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name="+",
                                    to="wagtailcore.site", verbose_name="business"),
        ),
        migrations.AddField(
            model_name="service", name="site",
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name="+",
                                    to="wagtailcore.site", verbose_name="business"),
        ),
        migrations.RunPython(fill_sites, migrations.RunPython.noop),
    ]
