"""Reads of the promotion-round pages and API: rounds, nominations, committee reviews.

Every read starts from the policy (``restrict``): the round list is announced to everyone,
nominations are scoped to the people a user may see (HR all, a manager their subtree, an
operator their own), committee reviews to their author plus HR, administrators and auditors.
A committee member reads the nomination behind each of their reviews through the review row,
whatever their role (``CommitteeReview``'s docstring).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from opsteam.careers import eligibility as engine
from opsteam.careers import selectors
from opsteam.careers.choices import NominationStatus, RoundStatus
from opsteam.careers.models import CommitteeReview, Nomination, PromotionRound
from opsteam.core import policy
from opsteam.org.choices import StaffStatus
from opsteam.org.models import JobLevel, Staff

NOMINATION_RELATED = ("staff", "unit", "from_level", "target_level", "nominated_by", "round")


def _count_subquery(queryset: QuerySet, outer: str) -> Coalesce:
    """``COUNT(*)`` of ``queryset`` rows pointing at the outer row, as an annotation."""
    counted = (
        queryset.filter(**{outer: OuterRef("pk")})
        .order_by()
        .values(outer)
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def round_list(*, user: Any, action: str = "view") -> QuerySet[PromotionRound]:
    """Rounds the user may see, each with its nomination count (withdrawn ones left out) and
    committee size, in two subqueries rather than a join per relation."""
    nominations = Nomination.objects.exclude(status=NominationStatus.WITHDRAWN)
    members = PromotionRound.committee.through.objects.all()
    return PromotionRound.objects.restrict(user, action).annotate(
        nomination_count=_count_subquery(nominations, "round"),
        committee_size=_count_subquery(members, "promotionround"),
    )


def open_rounds() -> QuerySet[PromotionRound]:
    """Rounds taking nominations today (open and not past their closing day)."""
    return PromotionRound.objects.filter(
        status=RoundStatus.NOMINATING, nominations_close__gte=timezone.localdate()
    ).order_by("nominations_close", "pk")


def round_nominations(*, user: Any, promotion_round: PromotionRound) -> QuerySet[Nomination]:
    """The round's nominations the user may see, with everything a table row shows."""
    return (
        Nomination.objects.restrict(user, "view")
        .filter(round=promotion_round)
        .select_related(*NOMINATION_RELATED)
        .order_by("status", "staff__employee_no", "pk")
    )


@dataclass(frozen=True)
class RoundSummary:
    """Counts behind the round page's charts, over the nominations the user may see."""

    by_status: dict[str, int]
    ready: int
    not_ready: int
    reviews_total: int = 0
    reviews_submitted: int = 0

    @property
    def total(self) -> int:
        return sum(self.by_status.values())


def round_summary(*, user: Any, promotion_round: PromotionRound) -> RoundSummary:
    """Nominations by status and ready-at-nomination vs not (withdrawn ones left out of the
    readiness split), plus the committee's progress over the reviews the user may see."""
    visible = Nomination.objects.restrict(user, "view").filter(round=promotion_round)
    by_status = {
        row["status"]: row["n"]
        for row in visible.order_by().values("status").annotate(n=Count("pk"))
    }
    readiness = visible.exclude(status=NominationStatus.WITHDRAWN).aggregate(
        ready=Count("pk", filter=Q(ready_at_nomination=True)),
        not_ready=Count("pk", filter=Q(ready_at_nomination=False)),
    )
    reviews = (
        CommitteeReview.objects.restrict(user)
        .filter(nomination__round=promotion_round)
        .aggregate(total=Count("pk"), submitted=Count("pk", filter=Q(submitted_at__isnull=False)))
    )
    return RoundSummary(
        by_status=by_status,
        ready=readiness["ready"],
        not_ready=readiness["not_ready"],
        reviews_total=reviews["total"],
        reviews_submitted=reviews["submitted"],
    )


def my_open_reviews(*, user: Any, promotion_round: PromotionRound) -> int:
    """How many of the user's own committee reviews in the round are still to do."""
    return (
        CommitteeReview.objects.restrict(user)
        .filter(
            reviewer=user,
            nomination__round=promotion_round,
            submitted_at__isnull=True,
            nomination__status=NominationStatus.NOMINATED,
        )
        .count()
    )


def nominable_staff(*, user: Any) -> QuerySet[Staff]:
    """People the user may put forward: HR everyone, a manager their subtree (and themself),
    an operator themself. Leavers are left out."""
    return (
        Staff.objects.restrict(user, "view")
        .exclude(status=StaffStatus.LEFT)
        .select_related("unit", "level")
        .order_by("employee_no")
    )


def target_levels_for(staff: Staff | None) -> QuerySet[JobLevel]:
    """The levels ``staff`` may be proposed for: the next levels of their level on the ladders
    (``selectors.next_levels_map``); anyone without a level may be proposed for any level."""
    if staff is None:
        return JobLevel.objects.none()
    if staff.level_id is None:
        return JobLevel.objects.order_by("track", "rank")
    following = selectors.next_levels_map().get(staff.level_id, [])
    return JobLevel.objects.filter(pk__in=following).order_by("track", "rank")


def nomination_reviews(*, user: Any, nomination: Nomination) -> QuerySet[CommitteeReview]:
    """The committee reviews of ``nomination`` the user may read (never the nominee's or their
    manager's: the policy on ``CommitteeReview`` decides)."""
    return (
        CommitteeReview.objects.restrict(user)
        .filter(nomination=nomination)
        .select_related("reviewer")
        .order_by("reviewer__username", "pk")
    )


def committee_reviews(*, user: Any) -> QuerySet[CommitteeReview]:
    """The user's own committee reviews (to do first, then done), with the nomination each is
    about."""
    return (
        CommitteeReview.objects.restrict(user)
        .filter(reviewer=user)
        .select_related(*(f"nomination__{name}" for name in NOMINATION_RELATED))
        .order_by("submitted_at", "-nomination__round__effective_date", "pk")
    )


def committee_review_get(*, user: Any, pk: int) -> CommitteeReview:
    """One committee review the user may read (404 otherwise), with its nomination."""
    return policy.scoped_get(
        CommitteeReview.objects.select_related(
            "reviewer", *(f"nomination__{name}" for name in NOMINATION_RELATED)
        ),
        user,
        pk=pk,
    )


def _tupled(value: Any) -> Any:
    """JSON lists back into the tuples the engine uses (certificate keys, cycle evidence)."""
    if isinstance(value, list):
        return tuple(_tupled(item) for item in value)
    return value


def snapshot_eligibility(nomination: Nomination) -> engine.Eligibility:
    """The eligibility kept at nomination (``services.eligibility_snapshot``) as the engine's
    result again, so it is explained with the same wording as a live one. Dates and scores
    stay the ISO strings they were stored as."""
    checks = tuple(
        engine.Check(
            kind=check.get("kind", ""),
            key=_tupled(check.get("key")),
            met=bool(check.get("met")),
            required=check.get("required"),
            actual=check.get("actual"),
            gap=float(check.get("gap") or 0),
            evidence=_tupled(check.get("evidence") or []),
            reason=check.get("reason", ""),
            params={name: _tupled(value) for name, value in (check.get("params") or {}).items()},
        )
        for check in (nomination.eligibility or {}).get("checks") or []
    )
    return engine.Eligibility(nomination.staff_id, nomination.target_level_id, checks)
