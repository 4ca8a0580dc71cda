"""The site column becomes required; invoices are numbered per business and monthly reports made per business."""

import django.db.models.deletion
from django.db import migrations, models

import wagtail_booking.businesses


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
        migrations.RemoveConstraint(model_name="invoice", name="wb_invoice_sequence_unique"),
        migrations.RemoveConstraint(model_name="revenuereport", name="wb_one_monthly_report_per_period"),
        migrations.AlterField(
            model_name="booking", name="site",
            field=models.ForeignKey(default=wagtail_booking.businesses.default_site_id, editable=False, 
                                    on_delete=django.db.models.deletion.PROTECT, related_name="+",
                                    to="wagtailcore.site", verbose_name="business"),
        ),
        migrations.AlterField(
            model_name="cancellationpolicy", name="site",
            field=models.ForeignKey(default=wagtail_booking.businesses.default_site_id,
                                    on_delete=django.db.models.deletion.PROTECT, related_name="+",
                                    to="wagtailcore.site", verbose_name="business"),
        ),
        migrations.AlterField(
            model_name="intakeform", name="site",
            field=models.ForeignKey(default=wagtail_booking.businesses.default_site_id,
                                    on_delete=django.db.models.deletion.PROTECT, related_name="+",
                                    to="wagtailcore.site", verbose_name="business"),
        ),
        migrations.AlterField(
            model_name="invoice", name="site",
            field=models.ForeignKey(default=wagtail_booking.businesses.default_site_id, editable=False, 
                                    on_delete=django.db.models.deletion.PROTECT, related_name="+",
                                    to="wagtailcore.site", verbose_name="business"),
        ),
        migrations.AlterField(
            model_name="provider", name="site",
            field=models.ForeignKey(default=wagtail_booking.businesses.default_site_id,
                                    on_delete=django.db.models.deletion.PROTECT, related_name="+",
                                    to="wagtailcore.site", verbose_name="business"),
        ),
        migrations.AlterField(
            model_name="revenuereport", name="site",
            field=models.ForeignKey(default=wagtail_booking.businesses.default_site_id,
                                    on_delete=django.db.models.deletion.PROTECT, related_name="+",
                                    to="wagtailcore.site", verbose_name="business"),
        ),
        migrations.AlterField(
            model_name="service", name="site",
            field=models.ForeignKey(default=wagtail_booking.businesses.default_site_id,
                                    on_delete=django.db.models.deletion.PROTECT, related_name="+",
                                    to="wagtailcore.site", verbose_name="business"),
        ),
        migrations.AlterField(
            model_name="invoice", name="number",
            field=models.CharField(editable=False, max_length=32, verbose_name="number"),
        ),
        migrations.AddConstraint(
            model_name="invoice",
            constraint=models.UniqueConstraint(fields=("site", "kind", "sequence"), name="wb_invoice_sequence_unique"),
        ),
        migrations.AddConstraint(
            model_name="invoice",
            constraint=models.UniqueConstraint(fields=("site", "number"), name="wb_invoice_number_unique"),
        ),
        migrations.AddConstraint(
            model_name="revenuereport",
            constraint=models.UniqueConstraint(condition=models.Q(("monthly", True)),
                                               fields=("site", "first_day", "last_day"),
                                               name="wb_one_monthly_report_per_period"),
        ),
        migrations.AlterModelOptions(
            name="businesssettings",
            options={"permissions": [("access_business", "Can work in this business's bookings")],
                     "verbose_name": "booking business details"},
        ),
        migrations.RunPython(grant_default_business, migrations.RunPython.noop),
    ]
