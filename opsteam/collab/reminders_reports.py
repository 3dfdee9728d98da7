"""Reminders of work reports and wellbeing, run hourly by ``collab.reminders_scan`` (see
collab/reminders.py).

- Due reminders: an hour before a report is due, people whose team has a template of that
  kind and who have not submitted yet are told once (daily reports skip weekends; weekly ones
  on their template's due weekday).
- The manager's daily digest: once the daily reports are due, each team's managers get one
  notification with how many submitted, who is missing and how many wrote blockers.
- Wellbeing alerts: this week's and last week's check-ins are run through the alert rule; the
  person's direct manager is told once per person and week.

Every message goes through ``remind_once`` with a key naming the person (or team) and the
period, so the hourly scan never repeats itself.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from opsteam.collab import reminders, services, services_wellbeing, wellbeing
from opsteam.collab.models_reports import ReportKind, ReportStatus, ReportTemplate, WorkReport
from opsteam.collab.selectors_reports import WORKING

LEAD = dt.timedelta(hours=1)


def _zone(name: str | None) -> ZoneInfo:
    try:
        return ZoneInfo(name or settings.TIME_ZONE)
    except (KeyError, ValueError):
        return ZoneInfo(settings.TIME_ZONE)


def _nearest(templates: dict[int | None, ReportTemplate], path: str) -> ReportTemplate | None:
    ids = [int(part) for part in path.split("/") if part]
    for pk in reversed(ids):
        if pk in templates:
            return templates[pk]
    return templates.get(None)


def scan(*, today: dt.date, now: dt.datetime | None = None) -> int:
    """Send what is due today through ``collab.services.remind_once``; returns people notified."""
    now = now or timezone.now()
    told = 0
    for kind in (ReportKind.DAILY, ReportKind.WEEKLY):
        told += _due_reminders(kind=kind, today=today, now=now)
    told += _manager_digests(today=today, now=now)
    told += _wellbeing_alerts(today=today)
    return told


def _people(templates: dict[int | None, ReportTemplate]) -> list[tuple[Any, ...]]:
    from opsteam.org.models import Staff

    if not templates:
        return []
    return list(
        Staff.objects.filter(status__in=WORKING, user__isnull=False, user__is_active=True)
        .values_list("pk", "user_id", "unit__path", "user__language", "user__time_zone")
        .order_by("pk")
    )


def _due_reminders(*, kind: str, today: dt.date, now: dt.datetime) -> int:
    templates = {t.unit_id: t for t in ReportTemplate.objects.filter(kind=kind)}
    people = _people(templates)
    if not people:
        return 0
    from opsteam.collab.services_reports import due_at, period_of

    period = period_of(kind, today)
    submitted = set(
        WorkReport.objects.filter(
            kind=kind, period_start=period, status=ReportStatus.SUBMITTED
        ).values_list("staff_id", flat=True)
    )
    groups: dict[tuple[str, str], list[tuple[str, int]]] = defaultdict(list)
    for staff_id, user_id, path, language, zone in people:
        if staff_id in submitted:
            continue
        template = _nearest(templates, path)
        if template is None:
            continue
        deadline = due_at(template, kind, period, _zone(zone))
        if deadline.date() != today:
            continue  # weekly: only on the due day; daily: today is the period
        if kind == ReportKind.DAILY and today.weekday() >= 5:
            continue
        if not deadline - LEAD <= now <= deadline + dt.timedelta(hours=6):
            continue
        key = f"report-due:{kind}:{staff_id}:{period.isoformat()}"
        groups[(reminders.language_of(language), deadline.strftime("%H:%M"))].append((key, user_id))
    told = 0
    url = reverse("collab:report_write") + ("?kind=weekly" if kind == ReportKind.WEEKLY else "")
    for (language, time), rows in groups.items():
        with translation.override(language):
            title = (
                _("Your daily report is due at {time}")
                if kind == ReportKind.DAILY
                else _("Your weekly report is due at {time}")
            ).format(time=time)
        for key, user_id in rows:
            told += services.remind_once(
                key=key, recipients=[user_id], kind="work-report", title=title, url=url
            )
    return told


def _manager_digests(*, today: dt.date, now: dt.datetime) -> int:
    """One digest per team with a daily template (its own or inherited) and members, to the
    team's managers (role grants on the unit, and its lead), once the reports are due."""
    from opsteam.accounts.models import RoleGrant
    from opsteam.org.models import OrgUnit, Staff

    if today.weekday() >= 5:
        return 0
    templates = {t.unit_id: t for t in ReportTemplate.objects.filter(kind=ReportKind.DAILY)}
    if not templates:
        return 0
    members: dict[int, list[int]] = defaultdict(list)
    for staff_id, unit_id in Staff.objects.filter(status__in=WORKING).values_list("pk", "unit_id"):
        members[unit_id].append(staff_id)
    units = {u.pk: u for u in OrgUnit.objects.filter(pk__in=members, is_active=True)}
    managers: dict[int, set[int]] = defaultdict(set)
    for user_id, unit_id in RoleGrant.objects.filter(role="manager", unit__in=units).values_list(
        "user_id", "unit_id"
    ):
        managers[unit_id].add(user_id)
    leads = dict(
        Staff.objects.filter(pk__in=[u.lead_id for u in units.values() if u.lead_id]).values_list(
            "pk", "user_id"
        )
    )
    for unit in units.values():
        if unit.lead_id and leads.get(unit.lead_id):
            managers[unit.pk].add(leads[unit.lead_id])
    reports = defaultdict(list)
    for staff_id, blockers, late in WorkReport.objects.filter(
        kind=ReportKind.DAILY, period_start=today, status=ReportStatus.SUBMITTED
    ).values_list("staff_id", "has_blockers", "is_late"):
        reports[staff_id].append((blockers, late))
    from django.contrib.auth import get_user_model

    languages = dict(
        get_user_model()
        .objects.filter(pk__in={pk for ids in managers.values() for pk in ids})
        .values_list("pk", "language")
    )
    told = 0
    zone = _zone(None)
    for unit_id, staff_ids in members.items():
        unit = units.get(unit_id)
        template = _nearest(templates, unit.path) if unit else None
        recipients = managers.get(unit_id, set())
        if template is None or not recipients:
            continue
        if now < dt.datetime.combine(today, template.due_time, tzinfo=zone):
            continue
        submitted = [s for s in staff_ids if s in reports]
        blockers = sum(1 for s in submitted if reports[s][0][0])
        url = reverse("collab:report_digest") + f"?unit={unit_id}&period={today.isoformat()}"
        for user_id in recipients:
            with translation.override(reminders.language_of(languages.get(user_id))):
                title = _(
                    "Daily reports of {team}: {done} of {total} submitted, {blockers} with blockers"
                ).format(
                    team=unit.display_name,
                    done=len(submitted),
                    total=len(staff_ids),
                    blockers=blockers,
                )
            told += services.remind_once(
                key=f"report-digest:{unit_id}:{user_id}:{today.isoformat()}",
                recipients=[user_id],
                kind="work-report",
                title=title,
                url=url,
            )
    return told


def _wellbeing_alerts(*, today: dt.date) -> int:
    from django.db.models import Q

    from opsteam.collab.models_reports import WellbeingCheckIn

    week = wellbeing.week_start(today)
    # Only a mood of 3 or less (a drop of 2 from any baseline), the heaviest workload or a
    # wish to talk can raise an alert: the rule runs for those people alone.
    staff_ids = set(
        WellbeingCheckIn.objects.filter(
            Q(mood__lte=3) | Q(workload__gte=wellbeing.HEAVIEST) | Q(wants_to_talk=True),
            week_start__gte=week - dt.timedelta(weeks=1),
            manager__isnull=False,
        ).values_list("staff_id", flat=True)
    )
    return sum(
        services_wellbeing.alert_manager(staff_id=staff_id, as_of=today)
        for staff_id in sorted(staff_ids)
    )
