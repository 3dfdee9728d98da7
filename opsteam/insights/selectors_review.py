"""Reads of the system review (list, report, actions) and of the role home page's panels
(what I owe, what I should see). Every read goes through the policy."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from opsteam.core import policy
from opsteam.core.choices import Role
from opsteam.core.exceptions import PolicyDenied
from opsteam.insights import review as report
from opsteam.insights.choices import ReviewStatus
from opsteam.insights.models import SystemReview

logger = logging.getLogger(__name__)

# Items shown per home section; the count says how many there are (up to COUNT_CAP).
ITEMS = 5
COUNT_CAP = 99
OPEN_ACTION = ("plan", "do", "check", "act")


# Who runs the review --------------------------------------------------------------------------


def is_director(user: Any) -> bool:
    """A manager granted on a company or department unit (a director, 总监): runs the review
    like HR. Team leads are managers of a team and only read it."""
    roles = policy.user_roles(user)
    if Role.MANAGER not in roles:
        return False
    from opsteam.accounts.models import RoleGrant

    return RoleGrant.objects.filter(
        user=user, role=Role.MANAGER, unit__kind__in=("company", "department")
    ).exists()


def can_steer(user: Any, review: SystemReview | None = None) -> bool:
    """Whether ``user`` may create and edit reviews and raise their actions: HR and
    administrators (the policy's "change"), and directors."""
    target = review if review is not None else SystemReview
    return policy.can(user, "change", target) or (
        policy.can(user, "view", target) and is_director(user)
    )


def require_steer(user: Any, review: SystemReview | None = None) -> None:
    """Raise ``NotVisible`` (cannot see the review) or ``PolicyDenied`` unless ``can_steer``."""
    if review is not None:
        policy.require(user, "view", review)
    if not can_steer(user, review):
        raise PolicyDenied()


def can_read_fairness(user: Any) -> bool:
    """Ratings and bonus figures (the fairness section) follow the fairness review's grant."""
    from opsteam.incentives import selectors_fairness

    return selectors_fairness.can_review_fairness(user)


# Reviews ---------------------------------------------------------------------------------------


def review_list(*, user: Any, action: str = "view") -> QuerySet[SystemReview]:
    """Reviews the user may ``action``, latest period first, with open/total action counts."""
    return policy.restrict(SystemReview.objects.all(), user, action).annotate(
        action_count=Count("actions", distinct=True),
        open_action_count=Count(
            "actions", filter=Q(actions__status__in=OPEN_ACTION), distinct=True
        ),
    )


def review_get(*, user: Any, pk: int, action: str = "view") -> SystemReview:
    """One review the user may see (``NotVisible`` otherwise), then ``action`` checked."""
    return policy.scoped_get(SystemReview.objects.select_related("created_by"), user, action, pk=pk)


def previous_review(review: SystemReview) -> SystemReview | None:
    """The latest review whose period ended before this one started."""
    return (
        SystemReview.objects.filter(period_end__lt=review.period_start)
        .order_by("-period_end")
        .first()
    )


def report_for(review: SystemReview) -> dict[str, Any]:
    """The review's figures: frozen when it is closed, else computed now from the providers."""
    if review.is_closed and review.snapshot.get("sections") is not None:
        return review.snapshot
    return report.assemble(start=review.period_start, end=review.period_end)


def visible_sections(
    *, user: Any, figures: dict[str, Any], previous: dict[str, Any] | None = None
) -> list[dict[str, Any]]:
    """The report's sections in order, as the user may see them: the fairness section only
    for roles with the fairness grant; each with its change against ``previous``."""
    fairness = can_read_fairness(user)
    changes = report.compare(figures, previous)
    sections = []
    for source in report.SECTIONS:
        if source.sensitive and not fairness:
            continue
        data = (figures.get("sections") or {}).get(source.key)
        delta = changes.get(source.key, {})
        if data:
            data = {
                **data,
                "figures": [
                    {**figure, "change": delta.get(figure["key"])} for figure in data["figures"]
                ],
            }
        sections.append(
            {
                "key": source.key,
                "title": source.title,
                "data": data,
                "unavailable": source.key in (figures.get("unavailable") or []),
            }
        )
    return sections


def review_actions(*, user: Any, review: SystemReview) -> QuerySet[Any]:
    """The review's improvement actions the user may see, with owner (one query)."""
    from opsteam.workflow.models import ImprovementAction

    return policy.restrict(
        ImprovementAction.objects.filter(review=review).select_related("owner", "process"),
        user,
        "view",
    ).order_by("status", "due_date", "pk")


def section_evidence(figures: dict[str, Any], key: str) -> dict[str, Any]:
    """What an action raised from section ``key`` keeps as its evidence: the section's figures
    and flags at that moment, in words."""
    source = report.source_of(key)
    data = (figures.get("sections") or {}).get(key) or {}
    lines = [
        f"{figure['label']}: {figure['value']}{figure.get('unit') or ''}"
        for figure in data.get("figures", [])
    ]
    lines += list(data.get("flags", []))
    return {
        "section": key,
        "label": str(source.title) if source else key,
        "lines": lines[: report.MAX_LINES],
    }


# The home page's panels ----------------------------------------------------------------------------


def _section(
    key: str, title: str, rows: list[Any], item: Any, more_url: str = ""
) -> dict[str, Any] | None:
    if not rows:
        return None
    return {
        "key": key,
        "title": title,
        "count": min(len(rows), COUNT_CAP),
        "capped": len(rows) > COUNT_CAP,
        "items": [item(row) for row in rows[:ITEMS]],
        "more_url": more_url,
    }


def _staff_of(user: Any) -> Any:
    from opsteam.org.models import Staff

    return Staff.objects.filter(user=user).only("pk", "unit_id", "user_id").first()


def home_owed(*, user: Any, today: dt.date | None = None) -> dict[str, Any]:
    """What the user owes: reviews, training, 1:1 action items, PDCA actions, then the
    collaboration areas' sections (``home.SECTION_SOURCES``). A bounded number of queries."""
    from opsteam.insights import home
    from opsteam.performance import selectors as performance_selectors
    from opsteam.performance import selectors_coaching
    from opsteam.training.models import Enrolment, Registration
    from opsteam.workflow.models import ImprovementAction

    today = today or timezone.localdate()
    staff = _staff_of(user)
    sections: list[dict[str, Any] | None] = []
    owed_reviews = None
    if staff is not None:
        user.staff = staff
        owed = performance_selectors.work_owed(user)
        if any(owed.values()):
            owed_reviews = owed
        enrolments = list(
            Enrolment.objects.filter(staff=staff, status__in=("assigned", "in_progress"))
            .select_related("course")
            .order_by("due_on", "pk")[: COUNT_CAP + 1]
        )
        sections.append(
            _section(
                "training-due",
                _("Training to complete"),
                enrolments,
                lambda row: {
                    "title": str(row.course),
                    "url": row.get_absolute_url(),
                    "due": row.due_on,
                    "overdue": bool(row.due_on and row.due_on < today),
                    "meta": row.get_status_display(),
                },
                reverse("training:my_learning"),
            )
        )
        sessions = list(
            Registration.objects.filter(
                enrolment__staff=staff,
                status="registered",
                session__starts_at__gte=timezone.now(),
            )
            .select_related("session__course")
            .order_by("session__starts_at")[: COUNT_CAP + 1]
        )
        sections.append(
            _section(
                "training-sessions",
                _("Upcoming training sessions"),
                sessions,
                lambda row: {
                    "title": str(row.session.course),
                    "url": row.session.get_absolute_url(),
                    "due": timezone.localtime(row.session.starts_at).date(),
                    "meta": timezone.localtime(row.session.starts_at).strftime("%H:%M"),
                },
            )
        )
        items = list(selectors_coaching.my_open_action_items(user=user)[: COUNT_CAP + 1])
        sections.append(
            _section(
                "one-on-one-actions",
                _("1:1 action items"),
                items,
                lambda row: {
                    "title": row.text,
                    "url": reverse("performance:coaching_home"),
                    "due": row.due_date,
                    "overdue": bool(row.due_date and row.due_date < today),
                    "meta": "",
                },
                reverse("performance:coaching_home"),
            )
        )
        actions = list(
            ImprovementAction.objects.filter(owner=staff, status__in=OPEN_ACTION)
            .select_related("process", "review")
            .order_by("due_date", "pk")[: COUNT_CAP + 1]
        )
        sections.append(
            _section(
                "pdca-actions",
                _("Improvement actions I own"),
                actions,
                lambda row: {
                    "title": row.title,
                    "url": row.get_absolute_url(),
                    "due": row.due_date,
                    "overdue": bool(row.due_date and row.due_date < today),
                    "meta": f"{row.get_status_display()} · "
                    f"{row.process.display_name if row.process_id else row.review}",
                },
                f"{reverse('workflow:action_list')}",
            )
        )
    for path in home.SECTION_SOURCES:
        try:
            contributed = import_string(path)(user=user)
        except Exception:  # another area's bug must not take the home page down
            logger.exception("home section source %s failed", path)
            continue
        sections.extend(section for section in contributed or [] if _valid_section(section))
    return {
        "owed_reviews": owed_reviews,
        "sections": [section for section in sections if section],
    }


def _valid_section(section: Any) -> bool:
    return isinstance(section, dict) and bool(section.get("items") or section.get("count"))


def home_watch(*, user: Any, today: dt.date | None = None) -> list[dict[str, Any]]:
    """What the user should see beyond their own work: their team's status (managers), the
    organisation's (HR, administrators) and the current system review. Bounded queries."""
    from opsteam.incentives.models import BonusPool
    from opsteam.performance.models import Review, ReviewCycle
    from opsteam.training.models import Enrolment, Registration, SelfLearning

    today = today or timezone.localdate()
    roles = policy.user_roles(user)
    panels: list[dict[str, Any]] = []
    team_view = Role.MANAGER in roles or Role.HR in roles or Role.ADMIN in roles
    if not team_view and Role.AUDITOR not in roles:
        return panels
    if team_view:
        reviews = policy.restrict(
            Review.objects.exclude(cycle__stage__in=("draft", "closed")), user, "list"
        ).aggregate(
            total=Count("pk"),
            self_done=Count("pk", filter=Q(self_submitted_at__isnull=False)),
            manager_done=Count("pk", filter=Q(manager_submitted_at__isnull=False)),
        )
        enrolments = policy.restrict(
            Enrolment.objects.filter(status__in=("assigned", "in_progress")), user, "list"
        ).aggregate(open=Count("pk"), overdue=Count("pk", filter=Q(due_on__lt=today)))
        approvals = (
            policy.restrict(Registration.objects.filter(status="pending"), user, "approve")
            .order_by()
            .count()
            + policy.restrict(SelfLearning.objects.filter(status="submitted"), user, "approve")
            .order_by()
            .count()
        )
        figures = []
        if reviews["total"]:
            figures.append(
                {
                    "key": "team-reviews",
                    "label": _("Reviews in open cycles"),
                    "value": reviews["total"],
                    "detail": _("{self} self-reviews, {manager} manager reviews done").format(
                        self=reviews["self_done"], manager=reviews["manager_done"]
                    ),
                    "percent": round(100 * reviews["manager_done"] / reviews["total"]),
                    "url": reverse("performance:cycle_list"),
                }
            )
        figures.append(
            {
                "key": "training-overdue",
                "label": _("Training overdue"),
                "value": enrolments["overdue"],
                "detail": _("of {open} open enrolments").format(open=enrolments["open"]),
                "url": reverse("training:team"),
                "warn": enrolments["overdue"] > 0,
            }
        )
        figures.append(
            {
                "key": "approvals",
                "label": _("Waiting for my approval"),
                "value": approvals,
                "detail": _("training registrations and self-learning"),
                "url": reverse("training:registration_approvals"),
                "warn": approvals > 0,
            }
        )
        alerts = _wellbeing_alerts(user)
        if alerts is not None:
            figures.append(
                {
                    "key": "wellbeing",
                    "label": _("Wellbeing alerts"),
                    "value": alerts,
                    "detail": _("people whose check-ins stay low"),
                    "url": "",
                    "warn": alerts > 0,
                }
            )
        panels.append({"key": "team", "title": _("My team"), "figures": figures})
    if Role.HR in roles or Role.ADMIN in roles:
        cycles = list(
            ReviewCycle.objects.exclude(stage__in=("draft", "closed"))
            .order_by("period_end")
            .values("pk", "name", "stage")[:ITEMS]
        )
        pools = BonusPool.objects.filter(status="submitted").order_by().count()
        panels.append(
            {
                "key": "hr",
                "title": _("Organisation"),
                "figures": [
                    {
                        "key": "cycles",
                        "label": _("Review cycles running"),
                        "value": len(cycles),
                        "detail": ", ".join(row["name"] for row in cycles),
                        "url": reverse("performance:cycle_list"),
                    },
                    {
                        "key": "pools",
                        "label": _("Bonus pools awaiting approval"),
                        "value": pools,
                        "detail": "",
                        "url": reverse("incentives:pool_list"),
                        "warn": pools > 0,
                    },
                ],
            }
        )
    current = (
        policy.restrict(SystemReview.objects.exclude(status=ReviewStatus.CLOSED), user, "view")
        .annotate(
            open_actions=Count("actions", filter=Q(actions__status__in=OPEN_ACTION), distinct=True)
        )
        .order_by("-period_start")
        .first()
    )
    if current is not None:
        panels.append(
            {
                "key": "system-review",
                "title": _("System review"),
                "figures": [
                    {
                        "key": "review",
                        "label": current.title,
                        "value": current.open_actions,
                        "detail": _("{status} · open improvement actions").format(
                            status=current.get_status_display()
                        ),
                        "url": current.get_absolute_url(),
                    }
                ],
            }
        )
    return panels


def _wellbeing_alerts(user: Any) -> int | None:
    """The collaboration area's count of wellbeing alerts the user may see (no names), or None
    while that area offers none."""
    try:
        from opsteam.collab import selectors_reports
    except ImportError:
        return None
    counter = getattr(selectors_reports, "wellbeing_alert_count", None)
    if counter is None:
        return None
    try:
        return int(counter(user=user))
    except Exception:
        logger.exception("wellbeing alert count failed")
        return None
