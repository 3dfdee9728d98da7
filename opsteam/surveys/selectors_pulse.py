"""Reads of pulse surveys: results by team with trends, themes, and the system review's figures.

Every figure goes through ``pulse_scoring.plan_release``, decided once per wave on the whole
organisation's counts (the same decision whoever looks), so that what one viewer sees and
what another sees differ only by whole released groups. Aggregation is set-based: one grouped
query of answer counts per wave, whatever the number of responses.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _

from opsteam.core import policy
from opsteam.core.choices import Role
from opsteam.core.exceptions import NotVisible, PolicyDenied
from opsteam.surveys import pulse_scoring, themes
from opsteam.surveys.choices_pulse import (
    PulseQuestionKind,
    PulseStatus,
    PulseTheme,
    TenureBand,
    WaveStatus,
)
from opsteam.surveys.models_pulse import (
    PulseAnswer,
    PulseParticipation,
    PulseQuestion,
    PulseResponse,
    PulseSurvey,
    PulseSurveyQuestion,
    PulseWave,
)

MAX_COMMENTS = 200
TREND_WAVES = 12
WIDE_ROLES = (Role.ADMIN, Role.HR, Role.AUDITOR)


def is_editor(user: Any) -> bool:
    return policy.can(user, "add", PulseSurvey)


def question_list(*, user: Any) -> QuerySet[PulseQuestion]:
    return PulseQuestion.objects.restrict(user, "view")


def survey_list(*, user: Any, action: str = "view") -> QuerySet[PulseSurvey]:
    """Surveys the user may see; drafts only to those who run surveys."""
    surveys = PulseSurvey.objects.restrict(user, action)
    if not is_editor(user):
        surveys = surveys.exclude(status=PulseStatus.DRAFT)
    return surveys.annotate(wave_count=Count("waves", distinct=True))


def survey_get(*, user: Any, pk: Any) -> PulseSurvey:
    try:
        return survey_list(user=user).get(pk=int(pk))
    except (PulseSurvey.DoesNotExist, ValueError, TypeError, OverflowError) as exc:
        raise NotVisible() from exc


def wave_get(*, user: Any, pk: Any) -> PulseWave:
    try:
        wave = PulseWave.objects.restrict(user, "view").select_related("survey").get(pk=int(pk))
    except (PulseWave.DoesNotExist, ValueError, TypeError, OverflowError) as exc:
        raise NotVisible() from exc
    if wave.survey.status == PulseStatus.DRAFT and not is_editor(user):
        raise NotVisible()
    return wave


def survey_questions(*, survey: PulseSurvey) -> list[PulseQuestion]:
    return [
        item.question
        for item in PulseSurveyQuestion.objects.filter(survey=survey).select_related("question")
    ]


def participation_of(*, user: Any, wave: PulseWave) -> PulseParticipation | None:
    return PulseParticipation.objects.filter(wave=wave, staff__user=user).first()


def pending_waves(*, user: Any) -> QuerySet[PulseParticipation]:
    """The user's open invitations they have not answered yet."""
    return (
        PulseParticipation.objects.filter(
            staff__user_id=getattr(user, "pk", None), responded=False, wave__status=WaveStatus.OPEN
        )
        .select_related("wave__survey")
        .order_by("wave__closes_on")
    )


# Results ------------------------------------------------------------------------------------


def results_scope(*, user: Any, survey: PulseSurvey) -> tuple[str, list[str]]:
    """How much of the results ``user`` sees: ("all", []), ("subtree", paths), ("company", [])
    (the company figure only, when the survey shares it). Raises PolicyDenied otherwise."""
    policy.require(user, "results", survey)
    roles = policy.user_roles(user)
    if any(role in roles for role in WIDE_ROLES):
        return "all", []
    paths = [path for path in roles.get(Role.MANAGER, []) if path]
    if paths:
        return "subtree", paths
    if survey.share_results:
        return "company", []
    raise PolicyDenied(_("The results of this survey are not shared with everyone."))


def _in_scope(path: str, scope: str, paths: list[str]) -> bool:
    return scope == "all" or (scope == "subtree" and any(path.startswith(p) for p in paths))


def _summary(questions: list[PulseQuestion], counts: dict[tuple[int, int], int]) -> dict[str, Any]:
    """Figures of one released group from its answer counts {(question, value): n}."""
    rows = []
    theme_counts: dict[str, list[int]] = defaultdict(lambda: [0] * 5)
    enps_value = None
    for question in questions:
        if question.kind == PulseQuestionKind.TEXT:
            continue
        if question.kind == PulseQuestionKind.ENPS:
            dist = [counts.get((question.pk, v), 0) for v in range(11)]
            score = pulse_scoring.enps_from_counts(dist)
            enps_value = score.score if enps_value is None else enps_value
            rows.append(
                {
                    "id": question.pk,
                    "text": question.display_text,
                    "kind": question.kind,
                    "theme": question.theme,
                    "answers": score.answers,
                    "enps": score.score,
                    "promoters": score.promoters,
                    "passives": score.passives,
                    "detractors": score.detractors,
                    "distribution": dist,
                }
            )
            continue
        dist = [counts.get((question.pk, v), 0) for v in range(1, 6)]
        figures = pulse_scoring.agreement_from_counts(dist)
        for i, n in enumerate(dist):
            theme_counts[question.theme][i] += n
        rows.append(
            {
                "id": question.pk,
                "text": question.display_text,
                "kind": question.kind,
                "theme": question.theme,
                "answers": figures.answers,
                "average": figures.average,
                "favourable": figures.favourable,
                "unfavourable": figures.unfavourable,
                "distribution": dist,
            }
        )
    labels = dict(PulseTheme.choices)
    by_theme = [
        {
            "theme": theme,
            "label": str(labels.get(theme, theme)),
            "favourable": pulse_scoring.agreement_from_counts(dist).favourable,
        }
        for theme, dist in theme_counts.items()
    ]
    all_agree = [sum(dist[i] for dist in theme_counts.values()) for i in range(5)]
    return {
        "enps": enps_value,
        "favourable": pulse_scoring.agreement_from_counts(all_agree).favourable,
        "themes": by_theme,
        "questions": rows,
    }


def _add(target: dict, source: dict) -> None:
    for key, n in source.items():
        target[key] = target.get(key, 0) + n


def _reason(code: str, threshold: int) -> str:
    if code == "subtraction":
        return _("Withheld so that a smaller team cannot be worked out by subtraction.")
    if code == "none":
        return _("No responses yet.")
    return _("Fewer than %(n)s responses: withheld to protect anonymity.") % {"n": threshold}


def wave_results(*, user: Any, wave: PulseWave, band: str | None = None) -> dict[str, Any]:
    """Released figures of one wave for ``user``: overall, by team, comment themes.

    ``band`` (a tenure band) narrows every figure to that band; cells below the minimum, or
    that would let the team's other bands be worked out, are withheld the same way.
    """
    from opsteam.org.models import OrgUnit

    survey = wave.survey
    scope, paths = results_scope(user=user, survey=survey)
    if band not in (None, "") and band not in TenureBand.values:
        band = None
    band = band or None
    questions = survey_questions(survey=survey)
    team_counts: dict[int, int] = defaultdict(int)
    cell_counts: dict[tuple[int, str], int] = {}
    for unit_id, tenure, n in (
        PulseResponse.objects.filter(wave=wave)
        .values_list("unit_id", "tenure_band")
        .annotate(n=Count("id"))
        .order_by()
    ):
        team_counts[unit_id] += n
        cell_counts[(unit_id, tenure)] = n
    plan = pulse_scoring.plan_release(
        dict(team_counts), threshold=survey.min_group_size, cell_counts=cell_counts
    )
    invited = dict(
        PulseParticipation.objects.filter(wave=wave)
        .values_list("unit_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    units = {
        unit.pk: unit
        for unit in OrgUnit.objects.filter(pk__in=set(invited) | set(team_counts)).only(
            "pk", "name", "name_en", "path"
        )
    }
    # answer counts per (unit, band) atom: one grouped query
    answers: dict[tuple[int, str], dict[tuple[int, int], int]] = defaultdict(dict)
    for unit_id, tenure, question_id, value, n in (
        PulseAnswer.objects.filter(response__wave=wave, value__isnull=False)
        .values_list("response__unit_id", "response__tenure_band", "question_id", "value")
        .annotate(n=Count("id"))
        .order_by()
    ):
        answers[(unit_id, tenure)][(question_id, value)] = n

    def counts_of(unit_id: int) -> tuple[int, dict]:
        if band is None:
            merged: dict = {}
            for tenure in TenureBand.values:
                _add(merged, answers.get((unit_id, tenure), {}))
            return team_counts.get(unit_id, 0), merged
        if (unit_id, band) not in plan.cells:
            return 0, {}
        return cell_counts[(unit_id, band)], dict(answers.get((unit_id, band), {}))

    teams, withheld = [], []
    overall_counts: dict = {}
    overall_n = 0
    released_units: list[int] = []
    visible_units = sorted(
        (pk for pk in units if _in_scope(units[pk].path, scope, paths)),
        key=lambda pk: units[pk].path,
    )
    for unit_id in visible_units:
        unit = units[unit_id]
        name = unit.display_name
        if unit_id in plan.teams:
            n, counts = counts_of(unit_id)
            if band is not None and n == 0:
                withheld.append(
                    {"unit_id": unit_id, "name": name, "reason": _reason("small", plan.threshold)}
                )
                continue
            released_units.append(unit_id)
            teams.append(
                {
                    "unit_id": unit_id,
                    "name": name,
                    "invited": invited.get(unit_id, 0),
                    "responses": n,
                    "rate": round(100 * team_counts[unit_id] / invited[unit_id])
                    if invited.get(unit_id)
                    else None,
                    **_summary(questions, counts),
                }
            )
            _add(overall_counts, counts)
            overall_n += n
        elif team_counts.get(unit_id):
            code = plan.reasons.get(unit_id, "small")
            withheld.append(
                {"unit_id": unit_id, "name": name, "reason": _reason(code, plan.threshold)}
            )
        else:
            withheld.append({"unit_id": unit_id, "name": name, "reason": _("No responses yet.")})
    overall = None
    overall_reason = None
    comment_units: list[int] = released_units
    if scope in ("all", "company") and band is None:
        # the whole organisation: released teams plus the pool of withheld ones (when large
        # enough), as one figure
        if plan.overall_released:
            overall_counts, overall_n = {}, sum(team_counts.values())
            for value in answers.values():
                _add(overall_counts, value)
            comment_units = list(team_counts) if plan.pool_released else released_units
        else:
            overall_counts, overall_n = {}, 0
            overall_reason = _reason(
                "subtraction" if sum(team_counts.values()) >= plan.threshold else "small",
                plan.threshold,
            )
    if scope == "company":
        teams, withheld = [], []
        if not plan.overall_released:
            comment_units = []
    if overall_n >= plan.threshold and overall_counts:
        overall = {"responses": overall_n, **_summary(questions, overall_counts)}
    elif overall_reason is None:
        overall_reason = _reason("small", plan.threshold)
    comments: list[str] = []
    if overall is not None and comment_units:
        filters = Q(response__wave=wave, response__unit_id__in=comment_units) & ~Q(comment="")
        if band is not None:
            filters &= Q(response__tenure_band=band)
            filters &= Q(
                response__unit_id__in=[u for u in comment_units if (u, band) in plan.cells]
            )
        comments = sorted(
            PulseAnswer.objects.filter(filters).values_list("comment", flat=True)[:MAX_COMMENTS]
        )
    theme_labels = dict(PulseTheme.choices)
    invited_total = sum(invited.get(u, 0) for u in units if _in_scope(units[u].path, scope, paths))
    responded_total = sum(
        team_counts.get(u, 0) for u in units if _in_scope(units[u].path, scope, paths)
    )
    if scope == "company":
        invited_total, responded_total = wave.invited, sum(team_counts.values())
    return {
        "wave": {
            "id": wave.pk,
            "number": wave.number,
            "opens_on": wave.opens_on,
            "closes_on": wave.closes_on,
            "status": wave.status,
        },
        "scope": scope,
        "band": band,
        "threshold": plan.threshold,
        "invited": invited_total,
        "responded": responded_total,
        "rate": round(100 * responded_total / invited_total) if invited_total else None,
        "overall": overall,
        "overall_reason": overall_reason,
        "teams": teams,
        "withheld": withheld,
        "comment_themes": [
            {
                "theme": row.theme,
                "label": str(theme_labels.get(row.theme, row.theme)),
                "comments": row.comments,
                "share": row.share,
            }
            for row in themes.theme_counts(comments)
        ],
        "terms": [{"term": t, "count": n} for t, n in themes.frequent_terms(comments)],
        "comments": comments,
    }


def survey_trend(*, user: Any, survey: PulseSurvey) -> list[dict[str, Any]]:
    """Overall eNPS, favourable % and response rate per wave (released figures only)."""
    rows = []
    waves = list(survey.waves.order_by("-number")[:TREND_WAVES])
    for wave in reversed(waves):
        wave.survey = survey
        result = wave_results(user=user, wave=wave)
        overall = result["overall"] or {}
        rows.append(
            {
                "wave": wave.number,
                "opens_on": wave.opens_on,
                "enps": overall.get("enps"),
                "favourable": overall.get("favourable"),
                "rate": result["rate"],
            }
        )
    previous = None
    for row in rows:
        row["enps_trend"] = pulse_scoring.trend(
            row["enps"], previous["enps"] if previous else None
        ).direction
        row["favourable_trend"] = pulse_scoring.trend(
            row["favourable"], previous["favourable"] if previous else None
        ).direction
        previous = row
    return rows


def review_section(*, start: Any, end: Any) -> dict[str, Any] | None:
    """Engagement (pulse results, eNPS) for the periodic system review (see insights), or None.

    The latest closed wave in [start, end] of each survey, pooled as the whole organisation
    sees it (only released figures); the trend compares with the wave before it.
    """
    waves = list(
        PulseWave.objects.filter(status=WaveStatus.CLOSED, opens_on__gte=start, opens_on__lte=end)
        .select_related("survey")
        .order_by("-opens_on")[:1]
    )
    if not waves:
        return None
    wave = waves[0]
    system = _SystemViewer()
    current = wave_results(user=system, wave=wave)
    before = (
        PulseWave.objects.filter(survey=wave.survey, number__lt=wave.number)
        .order_by("-number")
        .first()
    )
    previous = wave_results(user=system, wave=before) if before else None
    now, then = current["overall"] or {}, (previous or {}).get("overall") or {}
    return {
        "survey": wave.survey.display_name,
        "wave": wave.number,
        "response_rate": current["rate"],
        "enps": now.get("enps"),
        "favourable": now.get("favourable"),
        "favourable_by_theme": {row["theme"]: row["favourable"] for row in now.get("themes", [])},
        "enps_trend": pulse_scoring.trend(now.get("enps"), then.get("enps")).delta,
        "favourable_trend": pulse_scoring.trend(
            now.get("favourable"), then.get("favourable")
        ).delta,
        "withheld_overall": current["overall"] is None,
        "url": reverse("surveys:pulse_results", args=[wave.survey_id]),
    }


class _SystemViewer:
    """The system review reads as an org-wide reader (released figures only)."""

    is_authenticated = True
    is_active = True
    is_superuser = True
    pk = None
    _opsteam_roles = {Role.AUDITOR: []}


def home_sections(*, user: Any) -> list[dict[str, Any]]:
    """Pulse surveys waiting for the user's answer (one query)."""
    pending = list(pending_waves(user=user)[:6])
    if not pending:
        return []
    items = [
        {
            "title": part.wave.survey.display_name,
            "url": reverse("surveys:pulse_respond", args=[part.wave_id]),
            "due": part.wave.closes_on,
            "meta": _("Anonymous"),
        }
        for part in pending[:5]
    ]
    return [
        {
            "key": "pulse-to-answer",
            "title": _("Pulse surveys to answer"),
            "count": len(pending),
            "items": items,
            "more_url": reverse("surveys:pulse_list"),
        }
    ]


def wave_status_counts(*, wave: PulseWave) -> dict[str, int]:
    done = PulseParticipation.objects.filter(wave=wave, responded=True).count()
    return {"invited": wave.invited, "responded": done}


def today() -> dt.date:
    from django.utils import timezone

    return timezone.localdate()
