import datetime

import django.core.validators
import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

import opsteam.collab.models_reports


class Migration(migrations.Migration):
    dependencies = [
        ("collab", "0004_meetings"),
        ("org", "0005_skillgroup_skill_group_skillleveldescriptor"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="ReportTemplate",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "kind",
                    models.CharField(
                        choices=[("daily", "Daily report"), ("weekly", "Weekly report")],
                        max_length=10,
                        verbose_name="kind",
                    ),
                ),
                ("name", models.CharField(max_length=120, verbose_name="name")),
                (
                    "sections",
                    models.JSONField(
                        default=opsteam.collab.models_reports.default_sections,
                        verbose_name="sections",
                    ),
                ),
                ("metrics", models.JSONField(blank=True, default=list, verbose_name="key numbers")),
                (
                    "due_time",
                    models.TimeField(default=datetime.time(18, 0), verbose_name="due time"),
                ),
                (
                    "due_weekday",
                    models.PositiveSmallIntegerField(
                        default=4,
                        validators=[django.core.validators.MaxValueValidator(6)],
                        verbose_name="due weekday",
                    ),
                ),
                (
                    "created_at",
                    models.DateTimeField(
                        default=django.utils.timezone.now, editable=False, verbose_name="created at"
                    ),
                ),
                ("updated_at", models.DateTimeField(auto_now=True, verbose_name="updated at")),
                (
                    "unit",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="report_templates",
                        to="org.orgunit",
                        verbose_name="team",
                    ),
                ),
            ],
            options={
                "verbose_name": "report template",
                "verbose_name_plural": "report templates",
                "ordering": ["kind", "unit__code", "id"],
            },
        ),
        migrations.CreateModel(
            name="WellbeingCheckIn",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("week_start", models.DateField(verbose_name="week")),
                (
                    "mood",
                    models.PositiveSmallIntegerField(
                        validators=[
                            django.core.validators.MinValueValidator(1),
                            django.core.validators.MaxValueValidator(5),
                        ],
                        verbose_name="mood",
                    ),
                ),
                (
                    "workload",
                    models.PositiveSmallIntegerField(
                        validators=[
                            django.core.validators.MinValueValidator(1),
                            django.core.validators.MaxValueValidator(5),
                        ],
                        verbose_name="workload",
                    ),
                ),
                (
                    "blockers",
                    models.TextField(blank=True, max_length=2000, verbose_name="blockers"),
                ),
                (
                    "wants_to_talk",
                    models.BooleanField(default=False, verbose_name="I'd like to talk"),
                ),
                (
                    "created_at",
                    models.DateTimeField(
                        default=django.utils.timezone.now, editable=False, verbose_name="created at"
                    ),
                ),
                ("updated_at", models.DateTimeField(auto_now=True, verbose_name="updated at")),
                (
                    "manager",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="org.staff",
                        verbose_name="manager",
                    ),
                ),
                (
                    "staff",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="wellbeing_checkins",
                        to="org.staff",
                        verbose_name="staff member",
                    ),
                ),
                (
                    "unit",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="org.orgunit",
                        verbose_name="team",
                    ),
                ),
            ],
            options={
                "verbose_name": "wellbeing check-in",
                "verbose_name_plural": "wellbeing check-ins",
                "ordering": ["-week_start", "-id"],
            },
        ),
        migrations.CreateModel(
            name="WorkReport",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "kind",
                    models.CharField(
                        choices=[("daily", "Daily report"), ("weekly", "Weekly report")],
                        max_length=10,
                        verbose_name="kind",
                    ),
                ),
                ("period_start", models.DateField(verbose_name="period")),
                (
                    "status",
                    models.CharField(
                        choices=[("draft", "Draft"), ("submitted", "Submitted")],
                        default="draft",
                        max_length=10,
                        verbose_name="status",
                    ),
                ),
                ("sections", models.JSONField(blank=True, default=dict, verbose_name="sections")),
                ("metrics", models.JSONField(blank=True, default=dict, verbose_name="key numbers")),
                ("search_text", models.TextField(blank=True, default="", editable=False)),
                ("has_blockers", models.BooleanField(default=False, verbose_name="has blockers")),
                ("due_at", models.DateTimeField(verbose_name="due")),
                (
                    "submitted_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="submitted at"),
                ),
                ("is_late", models.BooleanField(default=False, verbose_name="late")),
                ("read_at", models.DateTimeField(blank=True, null=True, verbose_name="read at")),
                (
                    "created_at",
                    models.DateTimeField(
                        default=django.utils.timezone.now, editable=False, verbose_name="created at"
                    ),
                ),
                ("updated_at", models.DateTimeField(auto_now=True, verbose_name="updated at")),
                (
                    "read_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="read by",
                    ),
                ),
                (
                    "staff",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="work_reports",
                        to="org.staff",
                        verbose_name="staff member",
                    ),
                ),
                (
                    "template",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="reports",
                        to="collab.reporttemplate",
                        verbose_name="template",
                    ),
                ),
            ],
            options={
                "verbose_name": "work report",
                "verbose_name_plural": "work reports",
                "ordering": ["-period_start", "-id"],
            },
        ),
        migrations.CreateModel(
            name="ReportComment",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("body", models.TextField(max_length=2000, verbose_name="comment")),
                (
                    "created_at",
                    models.DateTimeField(
                        default=django.utils.timezone.now, editable=False, verbose_name="created at"
                    ),
                ),
                (
                    "author",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="author",
                    ),
                ),
                (
                    "parent",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="replies",
                        to="collab.reportcomment",
                        verbose_name="reply to",
                    ),
                ),
                (
                    "report",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="comments",
                        to="collab.workreport",
                        verbose_name="report",
                    ),
                ),
            ],
            options={
                "verbose_name": "report comment",
                "verbose_name_plural": "report comments",
                "ordering": ["created_at", "id"],
            },
        ),
        migrations.AddConstraint(
            model_name="reporttemplate",
            constraint=models.UniqueConstraint(
                fields=("unit", "kind"), name="collab_reporttemplate_unique_per_team"
            ),
        ),
        migrations.AddConstraint(
            model_name="reporttemplate",
            constraint=models.UniqueConstraint(
                condition=models.Q(("unit__isnull", True)),
                fields=("kind",),
                name="collab_reporttemplate_unique_default",
            ),
        ),
        migrations.AddIndex(
            model_name="wellbeingcheckin",
            index=models.Index(fields=["unit", "week_start"], name="collab_checkin_unit_week"),
        ),
        migrations.AddConstraint(
            model_name="wellbeingcheckin",
            constraint=models.UniqueConstraint(
                fields=("staff", "week_start"), name="collab_wellbeingcheckin_one_per_week"
            ),
        ),
        migrations.AddIndex(
            model_name="workreport",
            index=models.Index(fields=["kind", "period_start"], name="collab_workreport_period"),
        ),
        migrations.AddConstraint(
            model_name="workreport",
            constraint=models.UniqueConstraint(
                fields=("staff", "kind", "period_start"), name="collab_workreport_one_per_period"
            ),
        ),
    ]
