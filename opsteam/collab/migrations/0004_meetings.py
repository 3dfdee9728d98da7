"""Meetings (会议): recurring team meetings, cross-department meetings and brainstorms, with
agenda, attendance, minutes, decisions, action items and the idea board."""

from __future__ import annotations

import django.core.validators
import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("collab", "0003_announcements_knowledge"),
        ("org", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="IdeaGroup",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("name", models.CharField(max_length=100, verbose_name="name")),
                ("position", models.PositiveIntegerField(default=0, verbose_name="position")),
            ],
            options={
                "verbose_name": "idea group",
                "verbose_name_plural": "idea groups",
                "ordering": ["meeting_id", "position", "id"],
            },
        ),
        migrations.CreateModel(
            name="Idea",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("text", models.CharField(max_length=500, verbose_name="idea")),
                (
                    "created_at",
                    models.DateTimeField(
                        default=django.utils.timezone.now, editable=False, verbose_name="created at"
                    ),
                ),
                (
                    "author",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="author",
                    ),
                ),
                (
                    "group",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="ideas",
                        to="collab.ideagroup",
                        verbose_name="group",
                    ),
                ),
            ],
            options={
                "verbose_name": "idea",
                "verbose_name_plural": "ideas",
                "ordering": ["meeting_id", "id"],
            },
        ),
        migrations.CreateModel(
            name="IdeaVote",
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
                (
                    "idea",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="votes",
                        to="collab.idea",
                        verbose_name="idea",
                    ),
                ),
                (
                    "voter",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="voter",
                    ),
                ),
            ],
            options={
                "verbose_name": "vote",
                "verbose_name_plural": "votes",
            },
        ),
        migrations.CreateModel(
            name="Meeting",
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
                        choices=[
                            ("team", "Team meeting"),
                            ("cross", "Cross-department meeting"),
                            ("brainstorm", "Brainstorm"),
                        ],
                        default="team",
                        max_length=12,
                        verbose_name="kind",
                    ),
                ),
                ("title", models.CharField(max_length=200, verbose_name="title")),
                ("starts_at", models.DateTimeField(db_index=True, verbose_name="starts at")),
                ("ends_at", models.DateTimeField(verbose_name="ends at")),
                (
                    "time_zone",
                    models.CharField(
                        default="Asia/Shanghai", max_length=64, verbose_name="time zone"
                    ),
                ),
                ("location", models.CharField(blank=True, max_length=200, verbose_name="location")),
                (
                    "online_url",
                    models.URLField(blank=True, max_length=500, verbose_name="online meeting link"),
                ),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("scheduled", "Scheduled"),
                            ("held", "Held"),
                            ("cancelled", "Cancelled"),
                        ],
                        default="scheduled",
                        max_length=12,
                        verbose_name="status",
                    ),
                ),
                (
                    "minutes",
                    models.TextField(blank=True, help_text="Markdown.", verbose_name="minutes"),
                ),
                (
                    "minutes_published_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="minutes published"),
                ),
                (
                    "votes_per_person",
                    models.PositiveSmallIntegerField(
                        default=3,
                        validators=[
                            django.core.validators.MinValueValidator(1),
                            django.core.validators.MaxValueValidator(20),
                        ],
                        verbose_name="votes per person",
                    ),
                ),
                (
                    "sequence",
                    models.PositiveIntegerField(
                        default=0, editable=False, verbose_name="invitation version"
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
                    "organiser",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="organiser",
                    ),
                ),
                (
                    "unit",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="org.orgunit",
                        verbose_name="team or department",
                    ),
                ),
            ],
            options={
                "verbose_name": "meeting",
                "verbose_name_plural": "meetings",
                "ordering": ["-starts_at", "-id"],
            },
        ),
        migrations.AddField(
            model_name="ideagroup",
            name="meeting",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="idea_groups",
                to="collab.meeting",
                verbose_name="meeting",
            ),
        ),
        migrations.AddField(
            model_name="idea",
            name="meeting",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="ideas",
                to="collab.meeting",
                verbose_name="meeting",
            ),
        ),
        migrations.CreateModel(
            name="Decision",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("text", models.CharField(max_length=500, verbose_name="decision")),
                (
                    "created_at",
                    models.DateTimeField(
                        default=django.utils.timezone.now, editable=False, verbose_name="created at"
                    ),
                ),
                (
                    "meeting",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="decisions",
                        to="collab.meeting",
                        verbose_name="meeting",
                    ),
                ),
            ],
            options={
                "verbose_name": "decision",
                "verbose_name_plural": "decisions",
                "ordering": ["meeting_id", "id"],
            },
        ),
        migrations.CreateModel(
            name="MeetingActionItem",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("title", models.CharField(max_length=300, verbose_name="title")),
                ("due_date", models.DateField(blank=True, null=True, verbose_name="due date")),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("open", "Open"),
                            ("in_progress", "In progress"),
                            ("done", "Done"),
                            ("cancelled", "Cancelled"),
                        ],
                        default="open",
                        max_length=12,
                        verbose_name="status",
                    ),
                ),
                ("done_at", models.DateTimeField(blank=True, null=True, verbose_name="done at")),
                (
                    "created_at",
                    models.DateTimeField(
                        default=django.utils.timezone.now, editable=False, verbose_name="created at"
                    ),
                ),
                ("updated_at", models.DateTimeField(auto_now=True, verbose_name="updated at")),
                (
                    "created_by",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="created by",
                    ),
                ),
                (
                    "idea",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="collab.idea",
                        verbose_name="from idea",
                    ),
                ),
                (
                    "meeting",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="action_items",
                        to="collab.meeting",
                        verbose_name="meeting",
                    ),
                ),
                (
                    "owner",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="owner",
                    ),
                ),
            ],
            options={
                "verbose_name": "meeting action item",
                "verbose_name_plural": "meeting action items",
                "ordering": ["due_date", "id"],
            },
        ),
        migrations.CreateModel(
            name="MeetingAgendaItem",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("title", models.CharField(max_length=200, verbose_name="title")),
                (
                    "minutes",
                    models.PositiveSmallIntegerField(
                        default=10,
                        validators=[
                            django.core.validators.MinValueValidator(1),
                            django.core.validators.MaxValueValidator(240),
                        ],
                        verbose_name="time (minutes)",
                    ),
                ),
                ("position", models.PositiveIntegerField(default=0, verbose_name="position")),
                (
                    "created_at",
                    models.DateTimeField(
                        default=django.utils.timezone.now, editable=False, verbose_name="created at"
                    ),
                ),
                (
                    "added_by",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="added by",
                    ),
                ),
                (
                    "meeting",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="agenda_items",
                        to="collab.meeting",
                        verbose_name="meeting",
                    ),
                ),
                (
                    "presenter",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="presenter",
                    ),
                ),
            ],
            options={
                "verbose_name": "agenda item",
                "verbose_name_plural": "agenda items",
                "ordering": ["meeting_id", "position", "id"],
            },
        ),
        migrations.CreateModel(
            name="MeetingParticipant",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "attendance",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("", "Not recorded"),
                            ("present", "Present"),
                            ("late", "Late"),
                            ("absent", "Absent"),
                            ("excused", "Excused"),
                        ],
                        default="",
                        max_length=10,
                        verbose_name="attendance",
                    ),
                ),
                (
                    "meeting",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="participants",
                        to="collab.meeting",
                        verbose_name="meeting",
                    ),
                ),
                (
                    "user",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="person",
                    ),
                ),
            ],
            options={
                "verbose_name": "participant",
                "verbose_name_plural": "participants",
                "ordering": ["meeting_id", "id"],
            },
        ),
        migrations.CreateModel(
            name="MeetingSeries",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("title", models.CharField(max_length=200, verbose_name="title")),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("team", "Team meeting"),
                            ("cross", "Cross-department meeting"),
                            ("brainstorm", "Brainstorm"),
                        ],
                        default="team",
                        max_length=12,
                        verbose_name="kind",
                    ),
                ),
                (
                    "frequency",
                    models.CharField(
                        choices=[("weekly", "Every N weeks"), ("monthly", "Monthly on a weekday")],
                        default="weekly",
                        max_length=10,
                        verbose_name="repeats",
                    ),
                ),
                (
                    "interval",
                    models.PositiveSmallIntegerField(
                        default=1,
                        help_text="Weeks between meetings (weekly) or months (monthly).",
                        validators=[
                            django.core.validators.MinValueValidator(1),
                            django.core.validators.MaxValueValidator(12),
                        ],
                        verbose_name="every",
                    ),
                ),
                (
                    "weekday",
                    models.PositiveSmallIntegerField(
                        help_text="0 = Monday … 6 = Sunday",
                        validators=[django.core.validators.MaxValueValidator(6)],
                        verbose_name="weekday",
                    ),
                ),
                (
                    "week_of_month",
                    models.SmallIntegerField(
                        blank=True,
                        help_text="Monthly: 1 to 4 for the first to fourth weekday, -1 for the last.",
                        null=True,
                        validators=[
                            django.core.validators.MinValueValidator(-1),
                            django.core.validators.MaxValueValidator(4),
                        ],
                        verbose_name="week of the month",
                    ),
                ),
                ("start_date", models.DateField(verbose_name="first meeting on or after")),
                ("start_time", models.TimeField(verbose_name="start time")),
                (
                    "duration_minutes",
                    models.PositiveSmallIntegerField(
                        default=60,
                        validators=[
                            django.core.validators.MinValueValidator(5),
                            django.core.validators.MaxValueValidator(720),
                        ],
                        verbose_name="duration (minutes)",
                    ),
                ),
                (
                    "time_zone",
                    models.CharField(
                        default="Asia/Shanghai", max_length=64, verbose_name="time zone"
                    ),
                ),
                ("until", models.DateField(blank=True, null=True, verbose_name="until")),
                (
                    "count",
                    models.PositiveSmallIntegerField(
                        blank=True,
                        null=True,
                        validators=[
                            django.core.validators.MinValueValidator(1),
                            django.core.validators.MaxValueValidator(500),
                        ],
                        verbose_name="number of meetings",
                    ),
                ),
                ("location", models.CharField(blank=True, max_length=200, verbose_name="location")),
                (
                    "online_url",
                    models.URLField(blank=True, max_length=500, verbose_name="online meeting link"),
                ),
                ("active", models.BooleanField(default=True, verbose_name="active")),
                (
                    "created_at",
                    models.DateTimeField(
                        default=django.utils.timezone.now, editable=False, verbose_name="created at"
                    ),
                ),
                ("updated_at", models.DateTimeField(auto_now=True, verbose_name="updated at")),
                (
                    "organiser",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="organiser",
                    ),
                ),
                (
                    "participants",
                    models.ManyToManyField(
                        blank=True,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="participants",
                    ),
                ),
                (
                    "unit",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="org.orgunit",
                        verbose_name="team or department",
                    ),
                ),
            ],
            options={
                "verbose_name": "meeting series",
                "verbose_name_plural": "meeting series",
                "ordering": ["title", "id"],
            },
        ),
        migrations.AddField(
            model_name="meeting",
            name="series",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="meetings",
                to="collab.meetingseries",
                verbose_name="series",
            ),
        ),
        migrations.AddConstraint(
            model_name="ideavote",
            constraint=models.UniqueConstraint(
                fields=("idea", "voter"), name="collab_idea_vote_unique"
            ),
        ),
        migrations.AddIndex(
            model_name="meetingactionitem",
            index=models.Index(
                fields=["owner", "status", "due_date"], name="collab_action_owner_idx"
            ),
        ),
        migrations.AddConstraint(
            model_name="meetingparticipant",
            constraint=models.UniqueConstraint(
                fields=("meeting", "user"), name="collab_participant_unique"
            ),
        ),
        migrations.AddConstraint(
            model_name="meeting",
            constraint=models.UniqueConstraint(
                fields=("series", "starts_at"), name="collab_meeting_occurrence_unique"
            ),
        ),
    ]
