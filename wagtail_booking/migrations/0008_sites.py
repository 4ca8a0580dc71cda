"""Every business row names its Wagtail Site; rows that exist already belong to the default site.

Three steps, each its own transaction: the columns are added here (nullable), filled in 0009 and made required in
0010 (PostgreSQL refuses to index or alter a table while the fill's foreign-key checks are still pending).
"""

import django.db.models.deletion
from django.db import migrations, models


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
    ]
