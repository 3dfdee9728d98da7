from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("collab", "0002_notification_delivery"),
    ]

    operations = []
