from django.db import migrations, models


class Migration(migrations.Migration):
    """The language a client booked in (and asked for their "my bookings" link in): later messages use it.
    Rows made before have none, and their messages go out in settings.LANGUAGE_CODE, as they did."""

    dependencies = [
        ('wagtail_booking', '0016_business_zone'),
    ]

    operations = [
        migrations.AddField(
            model_name='booking',
            name='language',
            field=models.CharField(blank=True, default='', max_length=15, verbose_name='language'),
        ),
        migrations.AddField(
            model_name='clientaccesslink',
            name='language',
            field=models.CharField(blank=True, default='', max_length=15, verbose_name='language'),
        ),
    ]
