"""Pulse surveys: question library, surveys, waves, participations, anonymous responses."""

import uuid

import django.core.validators
import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

import opsteam.core.models


class Migration(migrations.Migration):
    dependencies = [
        ("org", "0005_skillgroup_skill_group_skillleveldescriptor"),
        ("surveys", "0002_campaign_purpose_subject_topic"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="PulseQuestion",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "created_at",
                    models.DateTimeField(
                        default=django.utils.timezone.now, editable=False, verbose_name="created at"
                    ),
                ),
                ("updated_at", models.DateTimeField(auto_now=True, verbose_name="updated at")),
                ("code", models.SlugField(max_length=60, unique=True, verbose_name="code")),
                (
                    "theme",
                    models.CharField(
                        choices=[
                            ("engagement", "Engagement"),
                            ("workload", "Workload"),
                            ("manager", "Manager"),
                            ("growth", "Growth"),
                            ("recognition", "Recognition"),
                            ("wellbeing", "Wellbeing"),
                            ("tools", "Tools and processes"),
                            ("team", "Team"),
                        ],
                        max_length=20,
                        verbose_name="theme",
                    ),
                ),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("agree", "Agreement (1-5)"),
                            ("enps", "eNPS (0-10)"),
                            ("text", "Open text"),
                        ],
                        max_length=10,
                        verbose_name="kind",
                    ),
                ),
                ("text", models.CharField(max_length=300, verbose_name="question")),
                (
                    "text_en",
                    models.CharField(blank=True, max_length=300, verbose_name="question (English)"),
                ),
                ("is_active", models.BooleanField(default=True, verbose_name="in the library")),
                (
                    "is_standard",
                    models.BooleanField(
                        default=False, editable=False, verbose_name="standard question"
                    ),
                ),
            ],
            options={
                "verbose_name": "pulse question",
                "verbose_name_plural": "pulse question library",
                "ordering": ["theme", "code"],
            },
        ),
        migrations.CreateModel(
            name="PulseSurvey",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "created_at",
                    models.DateTimeField(
                        default=django.utils.timezone.now, editable=False, verbose_name="created at"
                    ),
                ),
                ("updated_at", models.DateTimeField(auto_now=True, verbose_name="updated at")),
                ("name", models.CharField(max_length=200, verbose_name="name")),
                (
                    "name_en",
                    models.CharField(blank=True, max_length=200, verbose_name="English name"),
                ),
                ("intro", models.TextField(blank=True, verbose_name="introduction")),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("draft", "Draft"),
                            ("scheduled", "Scheduled"),
                            ("open", "Open"),
                            ("closed", "Closed"),
                        ],
                        default="draft",
                        max_length=20,
                        verbose_name="status",
                    ),
                ),
                ("audience_all", models.BooleanField(default=False, verbose_name="everyone")),
                ("starts_on", models.DateField(verbose_name="first opens on")),
                (
                    "open_days",
                    models.PositiveSmallIntegerField(
                        default=7,
                        validators=[
                            django.core.validators.MinValueValidator(1),
                            django.core.validators.MaxValueValidator(60),
                        ],
                        verbose_name="open for (days)",
                    ),
                ),
                (
                    "repeat_weeks",
                    models.PositiveSmallIntegerField(
                        default=0,
                        help_text="0 for a one-off survey.",
                        validators=[django.core.validators.MaxValueValidator(52)],
                        verbose_name="repeat every (weeks)",
                    ),
                ),
                (
                    "min_group_size",
                    models.PositiveSmallIntegerField(
                        default=5,
                        help_text="Groups with fewer responses are never shown (at least 3).",
                        validators=[
                            django.core.validators.MinValueValidator(3),
                            django.core.validators.MaxValueValidator(50),
                        ],
                        verbose_name="minimum group size",
                    ),
                ),
                (
                    "share_results",
                    models.BooleanField(
                        default=False, verbose_name="share company results with everyone"
                    ),
                ),
                (
                    "audience_units",
                    models.ManyToManyField(
                        blank=True,
                        related_name="pulse_surveys",
                        to="org.orgunit",
                        verbose_name="teams and departments (with their sub-teams)",
                    ),
                ),
                (
                    "created_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "verbose_name": "pulse survey",
                "verbose_name_plural": "pulse surveys",
                "ordering": ["-starts_on", "-pk"],
            },
            bases=(opsteam.core.models.BilingualNameMixin, models.Model),
        ),
        migrations.CreateModel(
            name="PulseSurveyQuestion",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("order", models.PositiveSmallIntegerField(default=0)),
                (
                    "question",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="surveys.pulsequestion",
                    ),
                ),
                (
                    "survey",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="items",
                        to="surveys.pulsesurvey",
                    ),
                ),
            ],
            options={
                "ordering": ["survey", "order", "pk"],
            },
        ),
        migrations.AddField(
            model_name="pulsesurvey",
            name="questions",
            field=models.ManyToManyField(
                related_name="surveys",
                through="surveys.PulseSurveyQuestion",
                to="surveys.pulsequestion",
            ),
        ),
        migrations.CreateModel(
            name="PulseWave",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "created_at",
                    models.DateTimeField(
                        default=django.utils.timezone.now, editable=False, verbose_name="created at"
                    ),
                ),
                ("updated_at", models.DateTimeField(auto_now=True, verbose_name="updated at")),
                ("number", models.PositiveSmallIntegerField(verbose_name="wave")),
                ("opens_on", models.DateField(verbose_name="opens on")),
                ("closes_on", models.DateField(verbose_name="closes on")),
                (
                    "status",
                    models.CharField(
                        choices=[("open", "Open"), ("closed", "Closed")],
                        default="open",
                        max_length=10,
                        verbose_name="status",
                    ),
                ),
                ("invited", models.PositiveIntegerField(default=0, verbose_name="invited")),
                (
                    "survey",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="waves",
                        to="surveys.pulsesurvey",
                    ),
                ),
            ],
            options={
                "verbose_name": "pulse wave",
                "verbose_name_plural": "pulse waves",
                "ordering": ["survey", "number"],
            },
        ),
        migrations.CreateModel(
            name="PulseResponse",
            fields=[
                (
                    "id",
                    models.UUIDField(
                        default=uuid.uuid4, editable=False, primary_key=True, serialize=False
                    ),
                ),
                (
                    "tenure_band",
                    models.CharField(
                        choices=[
                            ("lt1", "Under 1 year"),
                            ("1to3", "1-3 years"),
                            ("gt3", "Over 3 years"),
                        ],
                        max_length=5,
                    ),
                ),
                (
                    "unit",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="org.orgunit",
                    ),
                ),
                (
                    "wave",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="responses",
                        to="surveys.pulsewave",
                    ),
                ),
            ],
            options={
                "verbose_name": "pulse response",
                "verbose_name_plural": "pulse responses",
            },
        ),
        migrations.CreateModel(
            name="PulseParticipation",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "tenure_band",
                    models.CharField(
                        choices=[
                            ("lt1", "Under 1 year"),
                            ("1to3", "1-3 years"),
                            ("gt3", "Over 3 years"),
                        ],
                        max_length=5,
                    ),
                ),
                ("responded", models.BooleanField(default=False, verbose_name="responded")),
                (
                    "staff",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="pulse_participations",
                        to="org.staff",
                    ),
                ),
                (
                    "unit",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="org.orgunit",
                    ),
                ),
                (
                    "wave",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="participations",
                        to="surveys.pulsewave",
                    ),
                ),
            ],
            options={
                "verbose_name": "pulse participation",
                "verbose_name_plural": "pulse participations",
            },
        ),
        migrations.CreateModel(
            name="PulseAnswer",
            fields=[
                (
                    "id",
                    models.UUIDField(
                        default=uuid.uuid4, editable=False, primary_key=True, serialize=False
                    ),
                ),
                ("value", models.PositiveSmallIntegerField(blank=True, null=True)),
                ("comment", models.TextField(blank=True)),
                (
                    "question",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="surveys.pulsequestion",
                    ),
                ),
                (
                    "response",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="answers",
                        to="surveys.pulseresponse",
                    ),
                ),
            ],
            options={
                "verbose_name": "pulse answer",
                "verbose_name_plural": "pulse answers",
                "constraints": [
                    models.UniqueConstraint(
                        fields=("response", "question"), name="surveys_pulse_answer_once"
                    )
                ],
            },
        ),
        migrations.AddConstraint(
            model_name="pulsesurveyquestion",
            constraint=models.UniqueConstraint(
                fields=("survey", "question"), name="surveys_pulse_item_once"
            ),
        ),
        migrations.AddConstraint(
            model_name="pulsesurvey",
            constraint=models.CheckConstraint(
                condition=models.Q(("min_group_size__gte", 3)), name="surveys_pulse_min_group_3"
            ),
        ),
        migrations.AddConstraint(
            model_name="pulsewave",
            constraint=models.UniqueConstraint(
                fields=("survey", "number"), name="surveys_pulse_wave_once"
            ),
        ),
        migrations.AddIndex(
            model_name="pulseresponse",
            index=models.Index(fields=["wave", "unit"], name="surveys_pulse_resp_unit"),
        ),
        migrations.AddIndex(
            model_name="pulseparticipation",
            index=models.Index(fields=["wave", "unit"], name="surveys_pulse_part_unit"),
        ),
        migrations.AddConstraint(
            model_name="pulseparticipation",
            constraint=models.UniqueConstraint(
                fields=("wave", "staff"), name="surveys_pulse_once_per_wave"
            ),
        ),
    ]
