"""Reads of announcements, shared by pages, API, exports, reminders and the home page.

Two ways in: the people an announcement is addressed to reach it through their own receipt
(only once it is published), those who manage it (HR, administrators, the managers of its
scope, its author; auditors read) through the policy. Nobody else sees it.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Case, Count, IntegerField, OuterRef, Q, QuerySet, Subquery, When
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from opsteam.collab.models import (
    Announcement,
    AnnouncementReceipt,
    AnnouncementStatus,
)
from opsteam.core import policy
from opsteam.core.exceptions import NotVisible

LIVE = (AnnouncementStatus.PUBLISHED, AnnouncementStatus.ARCHIVED)
NAMES_SHOWN = 100


def _addressed(user: Any) -> QuerySet:
    return AnnouncementReceipt.objects.filter(
        user_id=getattr(user, "pk", None), announcement__status__in=LIVE
    ).values("announcement_id")


def announcement_visible(*, user: Any) -> QuerySet[Announcement]:
    """Every announcement the user may open: addressed to them (published or archived), or
    managed/read by them under the policy. Subqueries, so no row repeats."""
    if not getattr(user, "is_authenticated", False):
        return Announcement.objects.none()
    managed = Announcement.objects.restrict(user, "view").values("pk")
    return Announcement.objects.filter(Q(pk__in=managed) | Q(pk__in=_addressed(user)))


def with_my_receipt(queryset: QuerySet[Announcement], *, user: Any) -> QuerySet[Announcement]:
    """Annotate ``my_read_at`` / ``my_acknowledged_at`` / ``my_receipt`` (None: not a reader)."""
    mine = AnnouncementReceipt.objects.filter(
        announcement=OuterRef("pk"), user_id=getattr(user, "pk", None)
    )
    return queryset.annotate(
        my_receipt=Subquery(mine.values("pk")[:1]),
        my_read_at=Subquery(mine.values("read_at")[:1]),
        my_acknowledged_at=Subquery(mine.values("acknowledged_at")[:1]),
    )


def announcement_get(*, user: Any, pk: Any) -> Announcement:
    """One announcement the user may open (``NotVisible`` otherwise, answered 404)."""
    try:
        pk = int(pk)
    except (TypeError, ValueError) as exc:
        raise NotVisible() from exc
    announcement = (
        with_my_receipt(announcement_visible(user=user), user=user)
        .select_related("author", "unit")
        .filter(pk=pk)
        .first()
    )
    if announcement is None:
        raise NotVisible()
    return announcement


def my_receipts(
    *, user: Any, show: str = "current", query: str = ""
) -> QuerySet[AnnouncementReceipt]:
    """The user's own announcements: pinned on top, then those waiting for their
    acknowledgement, then unread, newest first. ``show``: "current" (published, not expired),
    "unacknowledged", "unread" or "all" (archived and expired too)."""
    now = timezone.now()
    receipts = AnnouncementReceipt.objects.filter(
        user_id=getattr(user, "pk", None), announcement__status__in=LIVE
    )
    if show != "all":
        receipts = receipts.filter(announcement__status=AnnouncementStatus.PUBLISHED).filter(
            Q(announcement__expires_at__isnull=True) | Q(announcement__expires_at__gt=now)
        )
    if show == "unacknowledged":
        receipts = receipts.filter(
            announcement__requires_acknowledgement=True, acknowledged_at__isnull=True
        )
    elif show == "unread":
        receipts = receipts.filter(read_at__isnull=True)
    if query:
        receipts = receipts.filter(
            Q(announcement__title__icontains=query) | Q(announcement__body__icontains=query)
        )
    return receipts.select_related("announcement", "announcement__author").order_by(
        "-announcement__pinned",
        Case(
            When(
                announcement__requires_acknowledgement=True,
                acknowledged_at__isnull=True,
                then=0,
            ),
            default=1,
            output_field=IntegerField(),
        ),
        Case(When(read_at__isnull=True, then=0), default=1, output_field=IntegerField()),
        "-announcement__published_at",
        "-id",
    )


def announcement_manage_list(*, user: Any, action: str = "view") -> QuerySet[Announcement]:
    """The announcements the user manages (or reads, auditors), with read/acknowledged counts."""
    return (
        Announcement.objects.restrict(user, action)
        .select_related("author", "unit")
        .annotate(
            read_count=Count("receipts", filter=Q(receipts__read_at__isnull=False)),
            ack_count=Count("receipts", filter=Q(receipts__acknowledged_at__isnull=False)),
        )
    )


def _rate(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def announcement_stats(*, user: Any, announcement: Announcement) -> dict[str, Any]:
    """Audience size, read and acknowledged counts and rates, the per-team breakdown, and
    (for HR, administrators and the managers of the readers' teams) who has not acknowledged
    yet. A bounded number of queries whatever the audience size."""
    from opsteam.org.models import OrgUnit

    policy.require(user, "stats", announcement)
    receipts = AnnouncementReceipt.objects.filter(announcement=announcement)
    totals = receipts.aggregate(
        total=Count("pk"),
        read=Count("pk", filter=Q(read_at__isnull=False)),
        acked=Count("pk", filter=Q(acknowledged_at__isnull=False)),
    )
    rows = list(
        receipts.values("unit_id").annotate(
            total=Count("pk"),
            read=Count("pk", filter=Q(read_at__isnull=False)),
            acked=Count("pk", filter=Q(acknowledged_at__isnull=False)),
        )
    )
    units = OrgUnit.objects.in_bulk([row["unit_id"] for row in rows if row["unit_id"]])
    teams = []
    for row in rows:
        unit = units.get(row["unit_id"])
        teams.append(
            {
                "unit": unit,
                "name": unit.display_name if unit else _("No team"),
                "total": row["total"],
                "read": row["read"],
                "acked": row["acked"],
                "read_rate": _rate(row["read"], row["total"]),
                "ack_rate": _rate(row["acked"], row["total"]),
            }
        )
    key = "ack_rate" if announcement.requires_acknowledgement else "read_rate"
    teams.sort(key=lambda team: (team[key] or 0, str(team["name"])))
    can_name = policy.can(user, "export", AnnouncementReceipt) and policy.can(
        user, "export", announcement
    )
    pending: list[AnnouncementReceipt] = []
    pending_count = 0
    if can_name:
        waiting = pending_receipts(user=user, announcement=announcement)
        pending_count = waiting.count()
        pending = list(waiting[:NAMES_SHOWN])
    total = totals["total"]
    return {
        "total": total,
        "read": totals["read"],
        "acked": totals["acked"],
        "read_rate": _rate(totals["read"], total),
        "ack_rate": _rate(totals["acked"], total),
        "teams": teams,
        "can_name": can_name,
        "pending": pending,
        "pending_count": pending_count,
    }


def pending_receipts(*, user: Any, announcement: Announcement) -> QuerySet[AnnouncementReceipt]:
    """Readers who have not acknowledged (or, without acknowledgement, not read) yet, among
    those the user may name (HR/admin: all; managers: their subtree)."""
    waiting = (
        Q(acknowledged_at__isnull=True)
        if announcement.requires_acknowledgement
        else Q(read_at__isnull=True)
    )
    return (
        AnnouncementReceipt.objects.restrict(user, "export")
        .filter(waiting, announcement=announcement)
        .select_related("user", "user__staff", "unit")
        .order_by("unit__path", "user__staff__name", "user__username")
    )


def receipts_for_export(*, user: Any, announcement: Announcement) -> QuerySet:
    """Every receipt the user may name, for the xlsx/csv export and the API."""
    return (
        AnnouncementReceipt.objects.restrict(user, "export")
        .filter(announcement=announcement)
        .select_related("user", "user__staff", "unit")
        .order_by("unit__path", "user__staff__name", "user__username", "pk")
    )


def reader_name(receipt: AnnouncementReceipt) -> str:
    staff = getattr(receipt.user, "staff", None)
    return staff.display_name if staff else receipt.user.get_username()


def home_sections(*, user: Any) -> list[dict[str, Any]]:
    """Announcements waiting for the user's acknowledgement, and unread important ones."""
    if not getattr(user, "is_authenticated", False):
        return []
    base = reverse("collab:announcement_list")
    sections = []
    to_ack = my_receipts(user=user, show="unacknowledged")
    count = to_ack.count()
    if count:
        sections.append(
            {
                "key": "announcements-to-ack",
                "title": _("Announcements to acknowledge"),
                "count": count,
                "items": [_item(receipt) for receipt in to_ack[:5]],
                "more_url": f"{base}?show=unacknowledged",
            }
        )
    important = my_receipts(user=user, show="unread").filter(
        announcement__importance="important", announcement__requires_acknowledgement=False
    )
    count = important.count()
    if count:
        sections.append(
            {
                "key": "announcements-important",
                "title": _("Important announcements to read"),
                "count": count,
                "items": [_item(receipt) for receipt in important[:5]],
                "more_url": f"{base}?show=unread",
            }
        )
    return sections


def _item(receipt: AnnouncementReceipt) -> dict[str, Any]:
    announcement = receipt.announcement
    published = announcement.published_at
    return {
        "title": announcement.title,
        "url": announcement.get_absolute_url(),
        "due": None,
        "meta": timezone.localtime(published).strftime("%Y-%m-%d") if published else "",
    }
