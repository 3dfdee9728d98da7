from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("collab", "0005_reports_wellbeing"),
    ]

    operations = []
