import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("collab", "0002_notification_delivery"),
        ("org", "0005_skillgroup_skill_group_skillleveldescriptor"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="Announcement",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("title", models.CharField(max_length=200, verbose_name="title")),
                (
                    "body",
                    models.TextField(
                        blank=True,
                        help_text="Markdown: **bold**, lists, links.",
                        verbose_name="text",
                    ),
                ),
                (
                    "importance",
                    models.CharField(
                        choices=[("normal", "Normal"), ("important", "Important")],
                        default="normal",
                        max_length=10,
                        verbose_name="importance",
                    ),
                ),
                (
                    "requires_acknowledgement",
                    models.BooleanField(
                        default=False,
                        help_text="Each reader confirms “I have read and understood”.",
                        verbose_name="requires acknowledgement",
                    ),
                ),
                ("pinned", models.BooleanField(default=False, verbose_name="pinned")),
                ("everyone", models.BooleanField(default=False, verbose_name="everyone")),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("draft", "Draft"),
                            ("scheduled", "Scheduled"),
                            ("published", "Published"),
                            ("archived", "Archived"),
                        ],
                        default="draft",
                        max_length=10,
                        verbose_name="status",
                    ),
                ),
                (
                    "publish_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="publish at"),
                ),
                (
                    "published_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="published at"),
                ),
                (
                    "expires_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="expires at"),
                ),
                (
                    "archived_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="archived at"),
                ),
                (
                    "content_updated_at",
                    models.DateTimeField(
                        blank=True, null=True, verbose_name="updated after publication"
                    ),
                ),
                ("audience_size", models.PositiveIntegerField(default=0, verbose_name="audience")),
                (
                    "last_reminded_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="last reminded"),
                ),
                (
                    "created_at",
                    models.DateTimeField(
                        default=django.utils.timezone.now, editable=False, verbose_name="created at"
                    ),
                ),
                ("updated_at", models.DateTimeField(auto_now=True, verbose_name="updated at")),
                (
                    "author",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="author",
                    ),
                ),
                (
                    "positions",
                    models.ManyToManyField(
                        blank=True, related_name="+", to="org.position", verbose_name="positions"
                    ),
                ),
                (
                    "unit",
                    models.ForeignKey(
                        blank=True,
                        editable=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="org.orgunit",
                        verbose_name="scope",
                    ),
                ),
                (
                    "units",
                    models.ManyToManyField(
                        blank=True,
                        help_text="Including their sub-teams.",
                        related_name="+",
                        to="org.orgunit",
                        verbose_name="departments and teams",
                    ),
                ),
            ],
            options={
                "verbose_name": "announcement",
                "verbose_name_plural": "announcements",
                "ordering": ["-pinned", "-published_at", "-created_at", "-id"],
            },
        ),
        migrations.CreateModel(
            name="AnnouncementReceipt",
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
                        default=django.utils.timezone.now,
                        editable=False,
                        verbose_name="received at",
                    ),
                ),
                ("read_at", models.DateTimeField(blank=True, null=True, verbose_name="read at")),
                (
                    "acknowledged_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="acknowledged at"),
                ),
                (
                    "announcement",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="receipts",
                        to="collab.announcement",
                        verbose_name="announcement",
                    ),
                ),
                (
                    "unit",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="org.orgunit",
                        verbose_name="team",
                    ),
                ),
                (
                    "user",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="announcement_receipts",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="reader",
                    ),
                ),
            ],
            options={
                "verbose_name": "read receipt",
                "verbose_name_plural": "read receipts",
                "ordering": ["announcement", "id"],
            },
        ),
        migrations.AddIndex(
            model_name="announcement",
            index=models.Index(fields=["status", "publish_at"], name="collab_announcement_due"),
        ),
        migrations.AddIndex(
            model_name="announcementreceipt",
            index=models.Index(fields=["user", "acknowledged_at"], name="collab_receipt_person"),
        ),
        migrations.AddIndex(
            model_name="announcementreceipt",
            index=models.Index(fields=["announcement", "unit"], name="collab_receipt_team"),
        ),
        migrations.AddConstraint(
            model_name="announcementreceipt",
            constraint=models.UniqueConstraint(
                fields=("announcement", "user"), name="collab_receipt_unique"
            ),
        ),
    ]
