"""Reads of surveys shared by pages, API and exports. Results go only through here.

``subject_results`` / ``campaign_results`` apply the anonymity rule (``anonymity.decide_release``)
before any figure leaves: an anonymous group below the campaign's threshold is withheld with its
comments, and the overall figure across anonymous groups is withheld when it would let someone
work a withheld group out. No result carries a rater's identity.
"""

from __future__ import annotations

import hashlib
import hmac
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from django.conf import settings
from django.db import connection
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from opsteam.core import policy
from opsteam.core.models import localized
from opsteam.surveys import anonymity, leniency
from opsteam.surveys.choices import (
    NAMED_RELATIONSHIPS,
    CampaignStatus,
    InvitationStatus,
    QuestionKind,
    Relationship,
)
from opsteam.surveys.models import Answer, Campaign, Invitation, Questionnaire, Subject

RELATIONSHIP_ORDER = list(Relationship.values)


def questionnaire_list(*, user: Any) -> QuerySet[Questionnaire]:
    return (
        Questionnaire.objects.restrict(user, "view")
        .annotate(question_count=Count("questions", distinct=True))
        .order_by("code", "-version")
    )


def campaign_list(*, user: Any) -> QuerySet[Campaign]:
    return (
        Campaign.objects.restrict(user, "view")
        .select_related("questionnaire")
        .annotate(subject_count=Count("subjects", distinct=True))
    )


def subject_list(*, user: Any, campaign: Campaign | None = None) -> QuerySet[Subject]:
    queryset = Subject.objects.restrict(user, "view").select_related("staff__unit", "campaign")
    if campaign is not None:
        queryset = queryset.filter(campaign=campaign)
    return queryset


def invitations_to_give(*, user: Any) -> QuerySet[Invitation]:
    """ "My feedback to give": the user's own approved invitations in open campaigns."""
    return (
        Invitation.objects.restrict(user, "answer")
        .filter(
            status__in=[InvitationStatus.OPEN, InvitationStatus.SUBMITTED],
            subject__campaign__status=CampaignStatus.OPEN,
        )
        .select_related("subject__staff", "subject__campaign")
        .order_by("status", "subject__campaign__deadline", "pk")
    )


def invitation_form_data(*, invitation: Invitation) -> dict[str, Any]:
    """The questions of the invitation's questionnaire with the rater's saved answers.

    For the invited rater only (callers check ``answer`` on the invitation first).
    """
    questions = list(invitation.subject.campaign.questionnaire.questions.all())
    saved = {a.question_id: a for a in invitation.answers.all()}
    rows = []
    for question in questions:
        answer = saved.get(question.pk)
        rows.append(
            {
                "question": question,
                "rating": answer.rating if answer else None,
                "comment": answer.comment if answer else "",
            }
        )
    return {"questions": rows}


def external_invitation(*, token: str) -> Invitation | None:
    """The external customer's invitation for a link token, or None when the token is wrong
    or the link expired (campaign not open, or past its deadline)."""
    from opsteam.surveys.services import token_hash

    if not token or len(token) > 200:
        return None
    invitation = (
        Invitation.objects.select_related("subject__staff", "subject__campaign__questionnaire")
        .filter(
            token_hash=token_hash(token),
            relationship=Relationship.EXTERNAL_CUSTOMER,
            status__in=[InvitationStatus.OPEN, InvitationStatus.SUBMITTED],
        )
        .first()
    )
    if invitation is None:
        return None
    campaign = invitation.subject.campaign
    if campaign.status != CampaignStatus.OPEN or campaign.deadline <= timezone.now():
        return None
    return invitation


def subject_nominations(*, user: Any, subject: Subject) -> list[dict[str, Any]]:
    """The raters of ``subject`` for the nomination page (who may view the subject).

    Whether a rater has answered is shown only to HR and administrators: the reviewee and
    their manager see "invited", so nobody can match a late comment to a late answerer.
    """
    policy.require(user, "view", subject)
    show_submitted = policy.can(user, "adjustments", subject)
    rows = []
    for invitation in subject.invitations.select_related("rater").order_by("relationship", "pk"):
        status = invitation.status
        if status == InvitationStatus.SUBMITTED and not show_submitted:
            status = InvitationStatus.OPEN
        rows.append(
            {
                "invitation": invitation,
                "rater": invitation.rater_label,
                "relationship": invitation.get_relationship_display(),
                "status": status,
                "status_label": InvitationStatus(status).label,
                "proposed": invitation.status == InvitationStatus.PROPOSED,
            }
        )
    return rows


# Results


def _round(value: float) -> float | None:
    return None if value is None or np.isnan(value) else round(float(value), 2)


def _shuffle_key(subject_id: int, answer_id: int) -> str:
    """A per-subject order of comments that is stable but unrelated to submission order."""
    key = settings.SECRET_KEY.encode()
    return hmac.new(
        key, f"survey-comment:{subject_id}:{answer_id}".encode(), hashlib.sha256
    ).hexdigest()


def _figures(
    rows: list[tuple[int, float, float]], questions: list, responses: int, *, adjustments: bool
) -> dict[str, Any]:
    """Per-question and per-competency means of (question_id, raw, normalised) rows."""
    by_question: dict[int, list[tuple[float, float]]] = defaultdict(list)
    for question_id, raw, normalised in rows:
        by_question[question_id].append((raw, normalised))
    per_question, by_competency = [], defaultdict(list)
    for question in questions:
        values = by_question.get(question.pk, [])
        by_competency[question.competency].extend(values)
        per_question.append(
            _figure(
                question.pk,
                values,
                adjustments,
                text=question.display_text,
                competency=question.competency,
            )
        )
    competencies = []
    seen = []
    for question in questions:
        if question.competency in seen:
            continue
        seen.append(question.competency)
        values = by_competency[question.competency]
        item = _figure(
            None,
            values,
            adjustments,
            competency=question.competency,
            name=question.display_competency,
        )
        item.pop("question_id")
        competencies.append(item)
    # The overall mean stays on one scale: questions on another (a 0-10 "would recommend" in a
    # training reaction survey) have their own figure but are left out of it.
    primary = (questions[0].scale_min, questions[0].scale_max) if questions else None
    every = [
        value
        for question in questions
        if (question.scale_min, question.scale_max) == primary
        for value in by_question.get(question.pk, [])
    ]
    overall = _figure(None, every, adjustments)
    overall.pop("question_id")
    return {
        "responses": responses,
        "questions": per_question,
        "competencies": competencies,
        "mean": overall["mean"],
        **(
            {"raw_mean": overall["raw_mean"], "adjustment": overall["adjustment"]}
            if adjustments
            else {}
        ),
    }


def _figure(question_id, values, adjustments: bool, **labels: Any) -> dict[str, Any]:
    raw = np.array([v[0] for v in values], dtype=float)
    normalised = np.array([v[1] for v in values], dtype=float)
    mean = float(normalised.mean()) if values else float("nan")
    item = {"question_id": question_id, **labels, "count": len(values), "mean": _round(mean)}
    if adjustments:
        raw_mean = float(raw.mean()) if values else float("nan")
        item["raw_mean"] = _round(raw_mean)
        item["adjustment"] = _round(mean - raw_mean) if values else None
    return item


def _submitted_counts(where: Q) -> dict[int, dict[str, int]]:
    """Submitted invitations per subject and relationship."""
    counts: dict[int, dict[str, int]] = defaultdict(dict)
    for row in (
        Invitation.objects.filter(where, status=InvitationStatus.SUBMITTED)
        .values("subject_id", "relationship")
        .annotate(n=Count("id"))
        .order_by()
    ):
        counts[row["subject_id"]][row["relationship"]] = row["n"]
    return counts


def _rows(queryset: QuerySet) -> list[tuple]:
    """The rows of a ``values_list`` queryset through a plain cursor: the ORM builds the SQL,
    nothing is done per row (330,000 ratings of a 10,000-person 360 in a fraction of a second)."""
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


@dataclass(frozen=True)
class CampaignRatings:
    """Every submitted rating of one campaign as parallel arrays, one entry per rating.

    ``relationship`` indexes ``RELATIONSHIP_ORDER``. ``normalised`` is the leniency-normalised
    rating (``leniency.normalise_leniency``: a rater's leniency is measured over every person
    they rated); self-assessments stay raw (they measure self-perception, not leniency).
    ``released`` says whether the anonymity rule releases the rating's group for its subject
    (named groups with answers, anonymous groups at the threshold; self included here, callers
    that must leave it out do so).
    """

    subject: np.ndarray
    relationship: np.ndarray
    question: np.ndarray
    raw: np.ndarray
    normalised: np.ndarray
    released: np.ndarray


def _released_groups(counts: np.ndarray, threshold: int) -> np.ndarray:
    """(subjects, relationships) boolean: which groups ``anonymity.decide_release`` releases,
    given the submitted answer sets per subject and group. The rule is asked once per distinct
    pattern of counts (a few dozen for 10,000 people), never re-implemented here."""
    if not counts.size:
        return np.zeros(counts.shape, dtype=bool)
    patterns, pattern_of = np.unique(counts, axis=0, return_inverse=True)
    masks = np.zeros(patterns.shape, dtype=bool)
    for row, pattern in enumerate(patterns.tolist()):
        release = anonymity.decide_release(
            [
                anonymity.GroupCount(rel, n, named=rel in NAMED_RELATIONSHIPS)
                for rel, n in zip(RELATIONSHIP_ORDER, pattern, strict=True)
                if n
            ],
            threshold=threshold,
        )
        masks[row] = [rel in release.released for rel in RELATIONSHIP_ORDER]
    return masks[pattern_of.reshape(-1)]


def _campaign_ratings(campaign: Campaign) -> CampaignRatings:
    """Every submitted rating of ``campaign`` with its normalised value and release (two
    queries, set-based). Withheld groups are in it (leniency is measured over them too): only
    this module's readers use it, and they filter on ``released``. No rater identity leaves."""
    invitations = _rows(
        Invitation.objects.filter(subject__campaign=campaign, status=InvitationStatus.SUBMITTED)
        .values_list("pk", "rater_id", "subject_id", "relationship")
        .order_by("pk")
    )
    answers = np.array(
        _rows(
            Answer.objects.filter(
                invitation__subject__campaign=campaign,
                invitation__status=InvitationStatus.SUBMITTED,
                rating__isnull=False,
            )
            .values_list("invitation_id", "question_id", "rating")
            .order_by()
        ),
        dtype=np.int64,
    ).reshape(-1, 3)
    codes = {rel: index for index, rel in enumerate(RELATIONSHIP_ORDER)}
    invitation_ids = np.array([row[0] for row in invitations], dtype=np.int64)
    # External customers have no staff record: each of their invitations is its own rater.
    invitation_raters = np.array(
        [-row[0] if row[1] is None else row[1] for row in invitations], dtype=np.int64
    )
    invitation_subjects = np.array([row[2] for row in invitations], dtype=np.int64)
    invitation_groups = np.array([codes[row[3]] for row in invitations], dtype=np.int64)

    # Submitted answer sets per subject and group decide what is released.
    subject_ids, subject_of = np.unique(invitation_subjects, return_inverse=True)
    counts = np.bincount(
        subject_of * len(RELATIONSHIP_ORDER) + invitation_groups,
        minlength=subject_ids.size * len(RELATIONSHIP_ORDER),
    ).reshape(subject_ids.size, len(RELATIONSHIP_ORDER))
    released_groups = _released_groups(counts, campaign.anonymity_threshold)

    position = np.searchsorted(invitation_ids, answers[:, 0]).clip(
        max=max(0, invitation_ids.size - 1)
    )
    # An answer whose invitation was submitted between the two queries waits for the next read.
    known = invitation_ids[position] == answers[:, 0] if invitation_ids.size else position < 0
    position, answers = position[known], answers[known]
    relationship = invitation_groups[position]
    raw = answers[:, 2].astype(float)
    others = relationship != codes[Relationship.SELF]
    normalised = raw.copy()
    normalised[others] = leniency.normalise_leniency(
        invitation_raters[position][others],
        invitation_subjects[position][others],
        raw[others],
        min_subjects=settings.OPSTEAM_SURVEY_NORMALISE_MIN_SUBJECTS,
    ).normalised
    return CampaignRatings(
        subject=invitation_subjects[position],
        relationship=relationship,
        question=answers[:, 1],
        raw=raw,
        normalised=normalised,
        released=released_groups[subject_of[position], relationship],
    )


def _released_by_subject(campaign: Campaign) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(subject ids, question ids, normalised ratings) of the released ratings that count
    towards results: the manager's and the released anonymous groups'; never self."""
    ratings = _campaign_ratings(campaign)
    keep = ratings.released & (ratings.relationship != RELATIONSHIP_ORDER.index(Relationship.SELF))
    return ratings.subject[keep], ratings.question[keep], ratings.normalised[keep]


def released_ratings(campaign: Campaign) -> dict[int, list[tuple[int, float]]]:
    """Per reviewed person (staff id): (question id, leniency-normalised rating) of the manager
    and of every anonymous group the anonymity rule releases for them. Self-ratings and withheld
    groups never appear, so nothing built on this can reveal a withheld group."""
    staff = dict(campaign.subjects.values_list("pk", "staff_id"))
    subjects, questions, values = _released_by_subject(campaign)
    order = np.argsort(subjects, kind="stable")
    ids, starts = np.unique(subjects[order], return_index=True)
    questions, values = questions[order].tolist(), values[order].tolist()
    bounds = [*starts.tolist(), len(questions)]
    result: dict[int, list[tuple[int, float]]] = defaultdict(list)
    for index, subject_id in enumerate(ids.tolist()):
        start, end = bounds[index], bounds[index + 1]
        result[staff[subject_id]].extend(zip(questions[start:end], values[start:end], strict=True))
    return dict(result)


def competency_scores(campaign: Campaign) -> dict[int, float]:
    """Each reviewed person's competency result on the rating scale, by staff id: the mean of
    their released ratings (``released_ratings``). People with nothing released are absent."""
    staff = dict(campaign.subjects.values_list("pk", "staff_id"))
    subjects, _questions, values = _released_by_subject(campaign)
    ids, subject_of = np.unique(subjects, return_inverse=True)
    sums = np.bincount(subject_of, weights=values, minlength=ids.size)
    counts = np.bincount(subject_of, minlength=ids.size)
    totals: dict[int, list[float]] = {}
    for subject_id, total, count in zip(ids.tolist(), sums.tolist(), counts.tolist(), strict=True):
        entry = totals.setdefault(staff[subject_id], [0.0, 0])
        entry[0] += total
        entry[1] += count
    return {staff_id: total / count for staff_id, (total, count) in totals.items()}


def competency_heatmap(
    campaign: Campaign, groups: dict[int, str], *, min_people: int
) -> dict[str, Any]:
    """Mean released rating per group of people (``groups``: staff id -> e.g. team name) and
    competency. A group is shown only when at least ``min_people`` of its members have released
    results (never below the campaign's anonymity threshold)."""
    questions = dict(
        campaign.questionnaire.questions.filter(kind=QuestionKind.RATING).values_list(
            "pk", "competency"
        )
    )
    names = {
        q.competency: q.display_competency
        for q in campaign.questionnaire.questions.filter(kind=QuestionKind.RATING)
    }
    limit = max(min_people, campaign.anonymity_threshold)
    cells: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    people: dict[str, set[int]] = defaultdict(set)
    for staff_id, values in released_ratings(campaign).items():
        group = groups.get(staff_id)
        if group is None:
            continue
        people[group].add(staff_id)
        per_person: dict[str, list[float]] = defaultdict(list)
        for question_id, value in values:
            per_person[questions.get(question_id, "")].append(value)
        for competency, vals in per_person.items():
            cells[group][competency].append(sum(vals) / len(vals))
    shown = sorted(group for group, members in people.items() if len(members) >= limit)
    competencies = list(names)
    return {
        "groups": shown,
        "competencies": [names[c] for c in competencies],
        "values": [
            [
                round(sum(cells[g][c]) / len(cells[g][c]), 2) if cells[g][c] else None
                for c in competencies
            ]
            for g in shown
        ],
        "withheld": sorted(set(people) - set(shown)),
    }


def _results_for(
    campaign: Campaign, subjects: list[Subject], *, adjustments: bool
) -> dict[int, dict[str, Any]]:
    """Released results for ``subjects`` of one campaign in a fixed number of queries."""
    questions = list(campaign.questionnaire.questions.all())
    rating_questions = [q for q in questions if q.kind == QuestionKind.RATING]
    question_text = {q.pk: q.display_text for q in questions}
    subject_ids = [s.pk for s in subjects]
    counts = _submitted_counts(Q(subject_id__in=subject_ids))
    ratings = _campaign_ratings(campaign)
    wanted = np.isin(ratings.subject, subject_ids)
    grouped: dict[int, dict[str, list]] = defaultdict(lambda: defaultdict(list))
    for subject_id, relationship, question_id, raw, normalised in zip(
        ratings.subject[wanted].tolist(),
        ratings.relationship[wanted].tolist(),
        ratings.question[wanted].tolist(),
        ratings.raw[wanted].tolist(),
        ratings.normalised[wanted].tolist(),
        strict=True,
    ):
        grouped[subject_id][RELATIONSHIP_ORDER[relationship]].append((question_id, raw, normalised))
    comments: dict[int, list[tuple[str, int, str, str]]] = defaultdict(list)
    for answer_id, subject_id, relationship, question_id, text in (
        Answer.objects.filter(
            invitation__subject_id__in=subject_ids,
            invitation__status=InvitationStatus.SUBMITTED,
            question__kind=QuestionKind.COMMENT,
        )
        .exclude(comment="")
        .values_list(
            "id", "invitation__subject_id", "invitation__relationship", "question_id", "comment"
        )
        .order_by()
    ):
        comments[subject_id].append(
            (_shuffle_key(subject_id, answer_id), question_id, relationship, text)
        )

    output = {}
    for subject in subjects:
        group_counts = counts.get(subject.pk, {})
        release = anonymity.decide_release(
            [
                anonymity.GroupCount(rel, n, named=rel in NAMED_RELATIONSHIPS)
                for rel, n in group_counts.items()
            ],
            threshold=campaign.anonymity_threshold,
        )
        groups = []
        for relationship in RELATIONSHIP_ORDER:
            if relationship not in group_counts:
                continue
            named = relationship in NAMED_RELATIONSHIPS
            label = str(Relationship(relationship).label)
            if relationship in release.released:
                figures = _figures(
                    grouped[subject.pk][relationship],
                    rating_questions,
                    group_counts[relationship],
                    adjustments=adjustments,
                )
                groups.append(
                    {
                        "relationship": relationship,
                        "label": label,
                        "named": named,
                        "released": True,
                        **figures,
                    }
                )
            else:
                # No count, no figure, no comment: only that the group is withheld.
                groups.append(
                    {
                        "relationship": relationship,
                        "label": label,
                        "named": named,
                        "released": False,
                    }
                )
        overall = {"released": release.overall_released}
        if release.overall_released:
            anonymous_rows = [
                row
                for rel, rows in grouped[subject.pk].items()
                if rel not in NAMED_RELATIONSHIPS
                for row in rows
            ]
            responses = sum(n for rel, n in group_counts.items() if rel not in NAMED_RELATIONSHIPS)
            overall.update(
                _figures(anonymous_rows, rating_questions, responses, adjustments=adjustments)
            )
        released_comments = [
            {
                "relationship": rel,
                "label": str(Relationship(rel).label),
                "question": question_text.get(question_id, ""),
                "text": text,
            }
            for _key, question_id, rel, text in sorted(comments.get(subject.pk, []))
            if rel in release.released
        ]
        output[subject.pk] = {
            "subject_id": subject.pk,
            "campaign_id": campaign.pk,
            "threshold": release.threshold,
            "groups": groups,
            "overall": overall,
            "comments": released_comments,
            "shows_adjustments": adjustments,
        }
    return output


def subject_results(subject: Subject, viewer: Any) -> dict[str, Any]:
    """The released 360 results of one person for ``viewer``.

    Raises NotVisible (404) unless the viewer may see the subject's results (HR, admins and
    auditors: everyone; managers: their subtree; everyone: themself). Returns a dict:
    ``groups`` (per relationship: ``released``, and when released ``responses``, ``mean``,
    ``questions`` and ``competencies`` with mean and count), ``overall`` across anonymous
    groups (``released`` false when it would reveal a withheld group), ``comments`` (released
    groups only, without names, in a per-subject shuffled order) and ``threshold``. HR and
    administrators also get ``raw_mean`` and ``adjustment`` (rater leniency); others see the
    normalised result only.
    """
    if not policy.can(viewer, "results", subject):
        from opsteam.core.exceptions import NotVisible

        raise NotVisible()
    adjustments = policy.can(viewer, "adjustments", subject)
    return _results_for(subject.campaign, [subject], adjustments=adjustments)[subject.pk]


def campaign_results(*, campaign: Campaign, viewer: Any) -> list[tuple[Subject, dict[str, Any]]]:
    """Released results of every subject of ``campaign`` the viewer may see (exports)."""
    subjects = list(
        Subject.objects.restrict(viewer, "results")
        .filter(campaign=campaign)
        .select_related("staff__unit")
        .order_by("staff__employee_no")
    )
    adjustments = policy.can(viewer, "adjustments", Subject)
    results = _results_for(campaign, subjects, adjustments=adjustments)
    return [(subject, results[subject.pk]) for subject in subjects]


def campaign_export_rows(*, campaign: Campaign, viewer: Any) -> tuple[list[str], list[list]]:
    """Header and rows of the results export: one row per subject, released group and
    competency (plus the overall). Withheld groups appear as withheld, without figures."""
    from django.utils.translation import gettext as _

    adjustments = policy.can(viewer, "adjustments", Subject)
    header = [
        _("Employee number"),
        _("Person reviewed"),
        _("Department or team"),
        _("Rater group"),
        _("Competency"),
        _("Responses"),
        _("Mean"),
    ]
    if adjustments:
        header += [_("Raw mean"), _("Leniency adjustment")]
    rows: list[list] = []
    for subject, result in campaign_results(campaign=campaign, viewer=viewer):
        if subject.staff_id:
            person = [subject.staff.employee_no, str(subject.staff), str(subject.staff.unit)]
        else:
            person = ["", subject.topic, ""]
        blocks = [(g["label"], g) for g in result["groups"]]
        blocks.append((_("Overall (anonymous groups)"), result["overall"]))
        for label, block in blocks:
            if not block["released"]:
                rows.append(
                    [*person, label, _("withheld"), "", ""] + (["", ""] if adjustments else [])
                )
                continue
            for item in block["competencies"]:
                row = [*person, label, item["name"], item["count"], item["mean"]]
                if adjustments:
                    row += [item["raw_mean"], item["adjustment"]]
                rows.append(row)
    return header, rows


def response_rates(*, campaign: Campaign, user: Any) -> dict[str, Any]:
    """Invited, submitted and rate for the campaign and per team (the subject's org unit),
    over the subjects the user may see. Proposed and declined raters are not counted."""
    invited = Q(invitations__status__in=[InvitationStatus.OPEN, InvitationStatus.SUBMITTED])
    submitted = Q(invitations__status=InvitationStatus.SUBMITTED)
    rows = (
        Subject.objects.restrict(user, "view")
        .filter(campaign=campaign)
        .values("staff__unit_id", "staff__unit__name", "staff__unit__name_en")
        .annotate(
            invited=Count("invitations", filter=invited),
            submitted=Count("invitations", filter=submitted),
            subjects=Count("id", distinct=True),
        )
        .order_by("staff__unit__name")
    )
    teams = []
    total_invited = total_submitted = 0
    for row in rows:
        unit = _UnitName(row["staff__unit__name"], row["staff__unit__name_en"])
        teams.append(
            {
                "unit_id": row["staff__unit_id"],
                # subjects that are not people (a training session) have no team
                "unit": localized(unit, "name") if row["staff__unit_id"] else "—",
                "subjects": row["subjects"],
                "invited": row["invited"],
                "submitted": row["submitted"],
                "rate": _rate(row["submitted"], row["invited"]),
            }
        )
        total_invited += row["invited"]
        total_submitted += row["submitted"]
    return {
        "invited": total_invited,
        "submitted": total_submitted,
        "rate": _rate(total_submitted, total_invited),
        "teams": teams,
    }


class _UnitName:
    def __init__(self, name: str, name_en: str) -> None:
        self.name, self.name_en = name or "", name_en or ""


def _rate(part: int, whole: int) -> float | None:
    return round(part / whole, 3) if whole else None


# One anonymous rater group pooled over subjects (training reaction surveys)


@dataclass(frozen=True)
class GroupAnswers:
    """The answers of one anonymous rater group pooled over one or more subjects.

    ``responses`` (submitted answer sets) and ``threshold`` are always given, so a page can say
    "2 of the 3 answers needed". Everything else is empty unless ``released``: ``rows`` is one
    {competency code: rating} per response in a keyed shuffled order (not submission order),
    ``comments`` likewise ({"question", "text"}). No rater identity appears either way.
    """

    relationship: str
    responses: int
    threshold: int
    released: bool
    reason: str = ""
    rows: list[dict[str, int]] = field(default_factory=list)
    comments: list[dict[str, str]] = field(default_factory=list)

    @property
    def needed(self) -> int:
        return max(0, self.threshold - self.responses)


def group_answers(*, subject_ids: list[int], relationship: str, threshold: int) -> GroupAnswers:
    """Pool the submitted answers of the anonymous group ``relationship`` over ``subject_ids``
    (e.g. the sessions of one course) and release them only when the pooled group reaches the
    threshold: ``anonymity.decide_release``, the rule every survey result goes through.

    Named groups (self, manager) are refused: this reader is for anonymous groups. Three
    queries at most, whatever the number of subjects and answers.
    """
    if relationship in NAMED_RELATIONSHIPS:
        raise ValueError(f"{relationship}: a named group is not pooled anonymously")
    subject_ids = sorted(set(subject_ids))
    responses = (
        Invitation.objects.filter(
            subject_id__in=subject_ids,
            relationship=relationship,
            status=InvitationStatus.SUBMITTED,
        ).count()
        if subject_ids
        else 0
    )
    release = anonymity.decide_release(
        [anonymity.GroupCount(relationship, responses)], threshold=threshold
    )
    if relationship not in release.released:
        return GroupAnswers(
            relationship=relationship,
            responses=responses,
            threshold=release.threshold,
            released=False,
            reason=release.reasons.get(relationship, "no answers yet"),
        )
    scope = f"group:{relationship}:{','.join(map(str, subject_ids))}"
    by_invitation: dict[int, dict[str, int]] = defaultdict(dict)
    for invitation_id, competency, rating in (
        Answer.objects.filter(
            invitation__subject_id__in=subject_ids,
            invitation__relationship=relationship,
            invitation__status=InvitationStatus.SUBMITTED,
            rating__isnull=False,
        )
        .values_list("invitation_id", "question__competency", "rating")
        .order_by()
    ):
        by_invitation[invitation_id][competency] = rating
    rows = [
        by_invitation[key]
        for key in sorted(by_invitation, key=lambda pk: _group_key(scope, "row", pk))
    ]
    comments = sorted(
        (
            (_group_key(scope, "comment", answer_id), text_zh, text_en, text)
            for answer_id, text_zh, text_en, text in Answer.objects.filter(
                invitation__subject_id__in=subject_ids,
                invitation__relationship=relationship,
                invitation__status=InvitationStatus.SUBMITTED,
                question__kind=QuestionKind.COMMENT,
            )
            .exclude(comment="")
            .values_list("id", "question__text", "question__text_en", "comment")
            .order_by()
        )
    )
    return GroupAnswers(
        relationship=relationship,
        responses=responses,
        threshold=release.threshold,
        released=True,
        rows=rows,
        comments=[
            {"question": localized(_QuestionText(zh, en), "text"), "text": text}
            for _key, zh, en, text in comments
        ],
    )


def _group_key(scope: str, kind: str, pk: int) -> str:
    """A stable order unrelated to submission order (keyed, so not guessable either)."""
    return hmac.new(
        settings.SECRET_KEY.encode(), f"survey-{kind}:{scope}:{pk}".encode(), hashlib.sha256
    ).hexdigest()


class _QuestionText:
    def __init__(self, text: str, text_en: str) -> None:
        self.text, self.text_en = text or "", text_en or ""
