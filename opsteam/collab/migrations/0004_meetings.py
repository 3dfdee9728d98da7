from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("collab", "0003_announcements_knowledge"),
    ]

    operations = []
