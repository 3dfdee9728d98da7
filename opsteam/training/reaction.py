"""Reaction surveys after each training session (Kirkpatrick level 1), on the surveys app.

A session's reaction survey is a surveys ``Campaign`` (purpose "training_reaction") with one
subject, the session (a topic, not a person), and every attendee invited as an anonymous
``participant``. Trainees answer on the usual surveys answer page ("My feedback to give").

Results go through the one anonymity rule of the product (``surveys.anonymity.decide_release``
via ``surveys.selectors.group_answers``): nothing but the count of answers is shown until the
participants who answered reach the campaign's threshold (at least 3), for one session and for
a course pooled over its sessions alike. Released answers then feed the pure engine
``effectiveness.summarise_reaction`` (item means, overall mean, Net Promoter Score).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from opsteam.core import audit, policy
from opsteam.core.choices import AuditAction
from opsteam.core.exceptions import InvalidTransition, PolicyDenied, ValidationFailed
from opsteam.surveys import selectors as surveys_selectors
from opsteam.surveys import services as surveys_services
from opsteam.surveys.anonymity import effective_threshold
from opsteam.surveys.choices import CampaignStatus, InvitationStatus, Relationship
from opsteam.surveys.models import Campaign, Invitation
from opsteam.training import effectiveness
from opsteam.training.choices import SessionStatus
from opsteam.training.models import Registration, Session

ANSWER_DAYS = 7
ITEMS = surveys_services.REACTION_ITEMS  # satisfaction, relevance, instructor, materials
RECOMMEND = surveys_services.REACTION_RECOMMEND
ITEM_SCALE = (1.0, 5.0)


def item_label(code: str) -> str:
    return {
        "satisfaction": _("Satisfaction"),
        "relevance": _("Relevance to my work"),
        "instructor": _("Instructor"),
        "materials": _("Materials"),
        RECOMMEND: _("Would recommend"),
    }.get(code, code)


# Opening a session's survey


def _require_may_run(actor: Any, session: Session) -> None:
    """HR and administrators (``change`` on the session), or the session's own instructor."""
    if policy.can(actor, "change", session):
        return
    instructor_user = session.instructor.user_id if session.instructor_id else None
    if instructor_user is not None and instructor_user == getattr(actor, "pk", None):
        return
    policy.require(actor, "view", session)  # NotVisible (404) when the session is not visible
    raise PolicyDenied(_("Only HR or the session's instructor can run its reaction survey."))


def _attendees(session: Session) -> list[int]:
    staff_ids = Registration.objects.filter(session=session, attended=True).values_list(
        "enrolment__staff_id", flat=True
    )
    return [pk for pk in dict.fromkeys(staff_ids) if pk != session.instructor_id]


def _topic(course: Any, day: str) -> str:
    """The session as the survey's subject: the course in both languages and the day (a
    subject's topic is one text, read by Chinese- and English-speaking trainees alike)."""
    names = [course.name, *([course.name_en] if course.name_en not in ("", course.name) else [])]
    return f"{' / '.join(names)} · {day}"


def _deadline(session: Session, now: dt.datetime) -> dt.datetime:
    """A week after the session ends; a week from now when the survey opens too late for that
    to leave at least a day."""
    deadline = session.ends_at + dt.timedelta(days=ANSWER_DAYS)
    if deadline < now + dt.timedelta(days=1):
        deadline = now + dt.timedelta(days=ANSWER_DAYS)
    return deadline


@transaction.atomic
def reaction_survey_open(*, actor: Any, session: Session) -> Campaign:
    """Open the session's reaction survey (once) and invite everyone who attended.

    The first call creates the campaign (threshold ``OPSTEAM_ANONYMITY_THRESHOLD``, never below
    3; answers until 7 days after the session ends, or 7 days from now when opened later than
    6 days after it), links it
    to the session and invites every attendee as an anonymous participant. Later calls invite
    only people marked as attended since (idempotent). HR, administrators or the session's
    instructor. Audit: the survey's creation, the session's update, each invitation batch.
    """
    session = (
        Session.objects.select_for_update(of=("self",))
        .select_related("course", "instructor", "reaction_campaign")
        .get(pk=session.pk)
    )
    _require_may_run(actor, session)
    if session.status == SessionStatus.CANCELLED:
        raise InvalidTransition(_("The session was cancelled."))
    now = timezone.now()
    if session.starts_at > now:
        raise InvalidTransition(_("The reaction survey opens once the session has started."))
    attendees = _attendees(session)
    campaign = session.reaction_campaign
    if campaign is None:
        if not attendees:
            raise ValidationFailed(
                _("Record attendance first: nobody is marked as attended."), field="session"
            )
        day = timezone.localtime(session.starts_at).date().isoformat()
        course = session.course
        campaign = surveys_services.reaction_campaign_create(
            actor=actor,
            name=f"培训反应评估：{course.name} {day}",
            name_en=f"Reaction survey: {course.name_en or course.name} {day}",
            topic=_topic(course, day),
            deadline=_deadline(session, now),
        )
        before = audit.snapshot(session)
        session.reaction_campaign = campaign
        session.save(update_fields=["reaction_campaign", "updated_at"])
        audit.record(actor=actor, action=AuditAction.UPDATE, obj=session, before=before)
    elif campaign.status == CampaignStatus.CLOSED:
        invited = set(
            Invitation.objects.filter(subject__campaign=campaign).values_list("rater_id", flat=True)
        )
        if set(attendees) - invited:
            raise InvalidTransition(_("The reaction survey is closed; nobody can be added."))
        return campaign
    surveys_services.participants_invite(actor=actor, campaign=campaign, staff_ids=attendees)
    return campaign


# Results


@dataclass(frozen=True)
class ReactionItem:
    code: str
    label: str
    mean: float | None
    count: int


@dataclass(frozen=True)
class ReactionResult:
    """Level 1 of one session or of a course pooled over its sessions.

    Always: ``responses`` (answers submitted), ``invited``, ``threshold``, ``sessions`` (surveys
    pooled) and ``released``. Only when released: the item means, overall mean, NPS inputs,
    the comments (shuffled), the engine's ``summary`` and the raw per-response ``scores``
    (responses x ``ITEMS``) and ``recommend`` (0..10) arrays. Never a rater's identity.
    """

    released: bool
    responses: int
    invited: int
    threshold: int
    sessions: int
    items: tuple[ReactionItem, ...] = ()
    overall_mean: float | None = None
    nps: float | None = None
    promoters: int = 0
    passives: int = 0
    detractors: int = 0
    recommend_answers: int = 0
    comments: tuple[dict[str, str], ...] = ()
    summary: effectiveness.Reaction | None = field(default=None, repr=False, compare=False)
    scores: np.ndarray | None = field(default=None, repr=False, compare=False)
    recommend: np.ndarray | None = field(default=None, repr=False, compare=False)

    @property
    def needed(self) -> int:
        return max(0, self.threshold - self.responses)

    @property
    def status_text(self) -> str:
        """What a page says about the figures, in the reader's language."""
        if not self.sessions:
            return _("No reaction survey yet.")
        if self.released:
            return _("{n} answers from {m} invited.").format(n=self.responses, m=self.invited)
        return _(
            "{n} of the {m} answers needed: results are shown only once at least {m} "
            "participants have answered, so nobody's answer can be singled out."
        ).format(n=self.responses, m=self.threshold)

    def as_dict(self) -> dict[str, Any]:
        """Plain values for the API and exports (no arrays)."""
        data: dict[str, Any] = {
            "released": self.released,
            "responses": self.responses,
            "invited": self.invited,
            "threshold": self.threshold,
            "needed": self.needed,
            "sessions": self.sessions,
            "status": self.status_text,
        }
        if self.released:
            data.update(
                items=[
                    {"code": i.code, "label": i.label, "mean": i.mean, "count": i.count}
                    for i in self.items
                ],
                overall_mean=self.overall_mean,
                nps=self.nps,
                promoters=self.promoters,
                passives=self.passives,
                detractors=self.detractors,
                recommend_answers=self.recommend_answers,
                comments=list(self.comments),
            )
        return data


def _round(value: float | None) -> float | None:
    return None if value is None or np.isnan(value) else round(float(value), 2)


def _result(
    *, subject_ids: list[int], thresholds: list[int], invited: int, sessions: int
) -> ReactionResult:
    threshold = effective_threshold(max(thresholds, default=None))
    group = surveys_selectors.group_answers(
        subject_ids=subject_ids, relationship=Relationship.PARTICIPANT, threshold=threshold
    )
    base = {
        "responses": group.responses,
        "invited": invited,
        "threshold": group.threshold,
        "sessions": sessions,
    }
    if not group.released:
        return ReactionResult(released=False, **base)
    scores = np.array(
        [[float(row.get(code, np.nan)) for code in ITEMS] for row in group.rows], dtype=float
    ).reshape(len(group.rows), len(ITEMS))
    recommend = np.array([float(row.get(RECOMMEND, np.nan)) for row in group.rows], dtype=float)
    summary = effectiveness.summarise_reaction(scores, recommend, scale=ITEM_SCALE)
    items = tuple(
        ReactionItem(
            code=code,
            label=item_label(code),
            mean=_round(summary.item_means[index]),
            count=int(summary.item_counts[index]),
        )
        for index, code in enumerate(ITEMS)
    )
    return ReactionResult(
        released=True,
        **base,
        items=items,
        overall_mean=_round(summary.overall_mean),
        nps=_round(summary.nps),
        promoters=summary.promoters,
        passives=summary.passives,
        detractors=summary.detractors,
        recommend_answers=summary.recommend_answers,
        comments=tuple(group.comments),
        summary=summary,
        scores=scores,
        recommend=recommend,
    )


def _invited_counts(campaign_ids: list[int]) -> dict[int, int]:
    counts: dict[int, int] = {}
    for campaign_id in (
        Invitation.objects.filter(
            subject__campaign_id__in=campaign_ids,
            relationship=Relationship.PARTICIPANT,
            status__in=[InvitationStatus.OPEN, InvitationStatus.SUBMITTED],
        )
        .values_list("subject__campaign_id", flat=True)
        .order_by()
    ):
        counts[campaign_id] = counts.get(campaign_id, 0) + 1
    return counts


def _empty() -> ReactionResult:
    return ReactionResult(
        released=False, responses=0, invited=0, threshold=effective_threshold(None), sessions=0
    )


def reaction_results(
    *, session: Session | None = None, campaign: Campaign | None = None
) -> ReactionResult:
    """The reaction of one session (or its campaign): released only when at least the
    campaign's threshold of participants answered; below it, counts only.

    No permission check: callers (pages, API, the effectiveness report) check that the reader
    may see the session's report first.
    """
    if campaign is None:
        if session is None:
            raise TypeError("reaction_results needs a session or a campaign")
        if session.reaction_campaign_id is None:
            return _empty()
        campaign = session.reaction_campaign
    subject_ids = list(campaign.subjects.values_list("pk", flat=True))
    return _result(
        subject_ids=subject_ids,
        thresholds=[campaign.anonymity_threshold],
        invited=_invited_counts([campaign.pk]).get(campaign.pk, 0),
        sessions=1,
    )


def course_reaction(course_ids: list[int]) -> dict[int, ReactionResult]:
    """Per course, the reaction pooled over the reaction surveys of all its sessions.

    The pooled participants must themselves reach the threshold (the highest of the pooled
    campaigns'); pooling never releases a session's answers on their own, since only pooled
    figures come out. Courses without any survey get an empty, unreleased result. Callers
    check permissions (as ``reaction_results``).
    """
    course_ids = list(dict.fromkeys(course_ids))
    rows = list(
        Session.objects.filter(course_id__in=course_ids, reaction_campaign__isnull=False)
        .values_list(
            "course_id",
            "reaction_campaign_id",
            "reaction_campaign__anonymity_threshold",
            "reaction_campaign__subjects",
        )
        .order_by()
    )
    invited = _invited_counts([row[1] for row in rows])
    per_course: dict[int, dict[str, Any]] = {}
    for course_id, campaign_id, threshold, subject_id in rows:
        entry = per_course.setdefault(course_id, {"campaigns": {}, "subjects": []})
        entry["campaigns"][campaign_id] = threshold
        if subject_id is not None:
            entry["subjects"].append(subject_id)
    results = {}
    for course_id in course_ids:
        entry = per_course.get(course_id)
        if entry is None:
            results[course_id] = _empty()
            continue
        results[course_id] = _result(
            subject_ids=entry["subjects"],
            thresholds=list(entry["campaigns"].values()),
            invited=sum(invited.get(pk, 0) for pk in entry["campaigns"]),
            sessions=len(entry["campaigns"]),
        )
    return results


def report_reaction(*, course: Any, session: Session | None = None) -> dict[str, Any]:
    """Level 1 for the effectiveness report (page and API): one session's survey, or the course
    pooled over its sessions, as plain values.

    Keys: those of ``ReactionResult.as_dict`` (``released``, ``responses``, ``invited``,
    ``threshold``, ``needed``, ``sessions``, ``status``; when released also ``items``,
    ``overall_mean``, ``nps``, ``promoters``, ``passives``, ``detractors``,
    ``recommend_answers``), plus ``answers`` (answers so far; None when no survey was run),
    ``comments`` (texts only, shuffled; released only), ``chart`` (ECharts option of the item
    means; released only) and ``summary`` (the engine's ``Reaction``; released only). Nothing
    but counts is present below the anonymity threshold.
    """
    if session is not None:
        result = reaction_results(session=session)
    else:
        result = course_reaction([course.pk])[course.pk]
    data = result.as_dict()
    data["answers"] = result.responses if result.sessions else None
    data["comments"] = [c["text"] for c in result.comments] if result.released else []
    data["summary"] = result.summary
    data["chart"] = _chart(result) if result.released else None
    return data


def _chart(result: ReactionResult) -> dict[str, Any]:
    return {
        "tooltip": {"trigger": "axis"},
        "xAxis": {
            "type": "category",
            "data": [item.label for item in result.items],
            "axisLabel": {"interval": 0},
        },
        "yAxis": {"type": "value", "min": ITEM_SCALE[0], "max": ITEM_SCALE[1]},
        "series": [
            {
                "name": _("Mean"),
                "type": "bar",
                "data": [item.mean for item in result.items],
            }
        ],
    }
