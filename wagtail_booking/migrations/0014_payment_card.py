from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("wagtail_booking", "0013_api_keys")]

    operations = [
        migrations.AddField(model_name="bookingpayment", name="card_brand",
                            field=models.CharField(blank=True, default="", max_length=20)),
        migrations.AddField(model_name="bookingpayment", name="card_last4",
                            field=models.CharField(blank=True, default="", max_length=4)),
    ]
