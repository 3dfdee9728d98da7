import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

import opsteam.collab.models_knowledge


class Migration(migrations.Migration):
    dependencies = [
        ("collab", "0006_suggestions"),
        ("org", "0005_skillgroup_skill_group_skillleveldescriptor"),
        ("workflow", "0002_improvement_action_review"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="Document",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("title", models.CharField(max_length=200, verbose_name="title")),
                (
                    "category",
                    models.CharField(
                        choices=[
                            ("sop", "SOP"),
                            ("playbook", "Playbook"),
                            ("meeting_notes", "Meeting notes"),
                            ("faq", "FAQ"),
                            ("policy", "Policy"),
                            ("other", "Other"),
                        ],
                        default="sop",
                        max_length=20,
                        verbose_name="category",
                    ),
                ),
                (
                    "tags",
                    models.CharField(
                        blank=True,
                        help_text="Separated by commas.",
                        max_length=300,
                        verbose_name="tags",
                    ),
                ),
                (
                    "visibility",
                    models.CharField(
                        choices=[
                            ("everyone", "Everyone"),
                            ("unit", "The owning unit and its sub-units"),
                        ],
                        default="everyone",
                        max_length=10,
                        verbose_name="visible to",
                    ),
                ),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("draft", "Draft"),
                            ("published", "Published"),
                            ("archived", "Archived"),
                        ],
                        default="draft",
                        max_length=10,
                        verbose_name="status",
                    ),
                ),
                ("version", models.PositiveIntegerField(default=1, verbose_name="current version")),
                (
                    "body",
                    models.TextField(
                        blank=True,
                        help_text="Markdown: headings, lists, tables.",
                        verbose_name="text",
                    ),
                ),
                (
                    "created_at",
                    models.DateTimeField(
                        default=django.utils.timezone.now, editable=False, verbose_name="created at"
                    ),
                ),
                (
                    "updated_at",
                    models.DateTimeField(
                        default=django.utils.timezone.now, verbose_name="updated at"
                    ),
                ),
                (
                    "published_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="published at"),
                ),
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
                        blank=True,
                        related_name="knowledge_documents",
                        to="org.position",
                        verbose_name="job descriptions (positions)",
                    ),
                ),
                (
                    "steps",
                    models.ManyToManyField(
                        blank=True,
                        related_name="knowledge_documents",
                        to="workflow.step",
                        verbose_name="process steps",
                    ),
                ),
                (
                    "unit",
                    models.ForeignKey(
                        blank=True,
                        help_text="Empty: a company-wide document.",
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="knowledge_documents",
                        to="org.orgunit",
                        verbose_name="owning unit",
                    ),
                ),
                (
                    "updated_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="last edited by",
                    ),
                ),
            ],
            options={
                "verbose_name": "document",
                "verbose_name_plural": "documents",
                "ordering": ["-updated_at", "-id"],
            },
        ),
        migrations.CreateModel(
            name="DocumentAttachment",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "file",
                    models.FileField(
                        max_length=200,
                        upload_to=opsteam.collab.models_knowledge.knowledge_upload_path,
                        verbose_name="file",
                    ),
                ),
                ("name", models.CharField(max_length=200, verbose_name="file name")),
                ("size", models.PositiveIntegerField(default=0, verbose_name="size")),
                (
                    "created_at",
                    models.DateTimeField(
                        default=django.utils.timezone.now,
                        editable=False,
                        verbose_name="uploaded at",
                    ),
                ),
                (
                    "document",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="attachments",
                        to="collab.document",
                        verbose_name="document",
                    ),
                ),
                (
                    "uploaded_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="uploaded by",
                    ),
                ),
            ],
            options={
                "verbose_name": "document attachment",
                "verbose_name_plural": "document attachments",
                "ordering": ["created_at", "id"],
            },
        ),
        migrations.CreateModel(
            name="DocumentVersion",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("number", models.PositiveIntegerField(verbose_name="version")),
                ("title", models.CharField(max_length=200, verbose_name="title")),
                ("body", models.TextField(blank=True, verbose_name="text")),
                (
                    "change_note",
                    models.CharField(blank=True, max_length=300, verbose_name="what changed"),
                ),
                (
                    "restored_from",
                    models.PositiveIntegerField(
                        blank=True, null=True, verbose_name="restored from version"
                    ),
                ),
                (
                    "created_at",
                    models.DateTimeField(
                        default=django.utils.timezone.now, editable=False, verbose_name="saved at"
                    ),
                ),
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
                    "document",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="versions",
                        to="collab.document",
                        verbose_name="document",
                    ),
                ),
            ],
            options={
                "verbose_name": "document version",
                "verbose_name_plural": "document versions",
                "ordering": ["document", "-number"],
            },
        ),
        migrations.AddIndex(
            model_name="document",
            index=models.Index(fields=["status", "-updated_at"], name="collab_document_recent"),
        ),
        migrations.AddConstraint(
            model_name="documentversion",
            constraint=models.UniqueConstraint(
                fields=("document", "number"), name="collab_documentversion_unique"
            ),
        ),
    ]
