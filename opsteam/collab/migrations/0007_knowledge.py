from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("collab", "0006_suggestions"),
    ]

    operations = []
