import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    """Improvement actions raised from a system review: the process becomes optional."""

    dependencies = [
        ("insights", "0001_initial"),
        ("org", "0005_skillgroup_skill_group_skillleveldescriptor"),
        ("workflow", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="improvementaction",
            name="review",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="actions",
                to="insights.systemreview",
                verbose_name="system review",
            ),
        ),
        migrations.AddField(
            model_name="improvementaction",
            name="section",
            field=models.CharField(blank=True, max_length=40, verbose_name="section"),
        ),
        migrations.AlterField(
            model_name="improvementaction",
            name="process",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="improvement_actions",
                to="org.process",
                verbose_name="process",
            ),
        ),
    ]
