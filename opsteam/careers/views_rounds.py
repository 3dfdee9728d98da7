"""Promotion-round pages: rounds, nominating (with live eligibility), nominations and their
decisions, the committee's reviews.

Eligibility (the snapshot kept on a nomination, or the engine's result today) is worded by
``selectors_growth.explained``, so a check reads the same here as on My growth.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import TemplateView

from opsteam.careers import eligibility as engine
from opsteam.careers import selectors, selectors_growth, selectors_rounds, services
from opsteam.careers.choices import NominationStatus, Recommendation, RoundStatus
from opsteam.careers.forms_rounds import (
    CommitteeReviewForm,
    DecideForm,
    NominateForm,
    RoundFilterSet,
    RoundForm,
)
from opsteam.careers.models import CommitteeReview, Nomination, PromotionRound
from opsteam.careers.tables_rounds import NOMINATION_TABLE, ROUND_TABLE
from opsteam.core import exports, policy
from opsteam.core.exceptions import NotVisible, OpsTeamError, PolicyDenied
from opsteam.core.views import (
    ObjectPostView,
    PolicyMixin,
    ScopedDetailView,
    ScopedListView,
    ServiceFormView,
)
from opsteam.org.models import Staff

# Eligibility -------------------------------------------------------------------------------


def eligibility_view(results: list[engine.Eligibility]) -> list[dict[str, Any]]:
    """Each result as the pages show it: ready, met of total, and every check with the
    requirement's name and the sentence explaining it (the wording of My growth)."""
    names = selectors_growth.names_for(results)
    return [
        {
            "ready": result.ready,
            "met": result.met_count,
            "total": result.total,
            "rows": [
                {"met": item.check.met, "kind": item.name, "text": item.text}
                for item in selectors_growth.explained(result, names)
            ],
        }
        for result in results
    ]


def live_eligibility(staff: Any, level: Any, *, defence_score: Any = None) -> engine.Eligibility:
    """The person's eligibility for ``level`` as it stands today, with the committee's mean
    score as the defence score once there is one."""
    scores = {(staff.pk, level.pk): defence_score} if defence_score is not None else None
    [result] = selectors.eligibility_for(
        [staff], target_levels=[level.pk], assessment_scores=scores
    )
    return result


# Rounds -----------------------------------------------------------------------------------


class RoundListView(ScopedListView):
    """Every promotion round, announced to everyone; HR creates them."""

    model = PromotionRound
    table = ROUND_TABLE
    filterset_class = RoundFilterSet
    title = gettext_lazy("Promotion rounds")
    export_stem = "promotion-rounds"
    create_url = "careers:round_create"
    template_name = "careers/rounds/round_list.html"
    empty_hint = gettext_lazy(
        "A round collects nominations, has them scored by a committee, and promotes the people"
        " HR approves on its effective date."
    )

    def base_queryset(self, action="view"):
        return selectors_rounds.round_list(user=self.request.user, action=action)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context["can_nominate"] = policy.can(user, "nominate", Nomination)
        context["open_round_count"] = selectors_rounds.open_rounds().count()
        return context


class RoundCreateView(ServiceFormView):
    form_class = RoundForm
    model = PromotionRound
    policy_action = "add"
    title = gettext_lazy("New promotion round")
    success_message = gettext_lazy(
        "The round is created as a draft: open it for nominations when you are ready."
    )

    def get_initial(self, obj):
        return {"allow_self_nomination": True}

    def context(self, form, obj):
        context = super().context(form, obj)
        context["cancel_url"] = reverse("careers:round_list")
        return context

    def perform(self, form, obj):
        data = dict(form.cleaned_data)
        return services.round_create(
            actor=self.request.user, committee=list(data.pop("committee")), **data
        )


STAGES = (RoundStatus.DRAFT, RoundStatus.NOMINATING, RoundStatus.REVIEWING, RoundStatus.CLOSED)
ADVANCE_HINTS = {
    RoundStatus.NOMINATING: gettext_lazy(
        "Managers, HR and (where allowed) people themselves can then nominate."
    ),
    RoundStatus.REVIEWING: gettext_lazy(
        "Nominations close; every committee member gets a review of each nomination."
    ),
    RoundStatus.CLOSED: gettext_lazy("Possible once every nomination is decided or withdrawn."),
}


def _pie(title: str, items: list[tuple[str, int]]) -> dict[str, Any] | None:
    data = [{"name": name, "value": value} for name, value in items if value]
    if not data:
        return None
    return {
        "tooltip": {"trigger": "item", "formatter": "{b}: {c} ({d}%)"},
        "legend": {"bottom": 0},
        "series": [
            {
                "name": title,
                "type": "pie",
                "radius": ["40%", "70%"],
                "label": {"formatter": "{b}: {c}"},
                "data": data,
            }
        ],
    }


class RoundDetailView(ScopedDetailView):
    """A round: stage, dates, committee, the nominations the user may see (with readiness at
    nomination, committee mean score and status), charts, and HR's controls. ``?export=csv``
    (or xlsx) downloads the nominations."""

    model = PromotionRound
    template_name = "careers/rounds/round_detail.html"

    def get(self, request, *args, **kwargs):
        file_format = request.GET.get("export")
        if file_format in {"xlsx", "csv"}:
            return self.export(file_format)
        return super().get(request, *args, **kwargs)

    def export(self, file_format: str):
        user = self.request.user
        promotion_round = policy.scoped_get(
            PromotionRound.objects.all(), user, pk=self.kwargs["pk"]
        )
        policy.require(user, "export", Nomination)
        rows = (
            Nomination.objects.restrict(user, "export")
            .filter(round=promotion_round)
            .select_related(*selectors_rounds.NOMINATION_RELATED)
            .order_by("staff__employee_no", "pk")
        )
        header = [str(column.label) for column in NOMINATION_TABLE.export_columns()]
        return exports.spreadsheet_response(
            stem="nominations",
            file_format=file_format,
            header=header,
            rows=NOMINATION_TABLE.rows(rows.iterator(chunk_size=2000)),
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        promotion_round, user = self.object, self.request.user
        summary = selectors_rounds.round_summary(user=user, promotion_round=promotion_round)
        following = services.ROUND_FLOW.get(promotion_round.status)
        status_labels = dict(NominationStatus.choices)
        context.update(
            title=promotion_round.display_name,
            stages=[
                {
                    "label": label,
                    "done": STAGES.index(code) < STAGES.index(promotion_round.status),
                    "current": code == promotion_round.status,
                }
                for code, label in RoundStatus.choices
            ],
            committee=list(promotion_round.committee.order_by("username")),
            nominations=list(
                selectors_rounds.round_nominations(user=user, promotion_round=promotion_round)
            ),
            summary=summary,
            next_status=RoundStatus(following).label if following else None,
            advance_hint=ADVANCE_HINTS.get(following, "") if following else "",
            can_decide=policy.can(user, "decide", Nomination)
            and promotion_round.status == RoundStatus.REVIEWING,
            can_nominate=promotion_round.status == RoundStatus.NOMINATING
            and policy.can(user, "nominate", Nomination),
            can_export=policy.can(user, "export", Nomination),
            my_open_reviews=selectors_rounds.my_open_reviews(
                user=user, promotion_round=promotion_round
            ),
            status_chart=_pie(
                _("Nominations by status"),
                [(str(status_labels[k]), n) for k, n in sorted(summary.by_status.items())],
            ),
            ready_chart=_pie(
                _("Ready at nomination"),
                [(_("Ready"), summary.ready), (_("Not ready"), summary.not_ready)],
            ),
        )
        return context


class RoundAdvanceView(ObjectPostView):
    """Move the round on (HR): open nominations, start the committee review, close."""

    model = PromotionRound
    permission = "change"

    def perform(self, obj, data):
        promotion_round = services.round_advance(actor=self.request.user, promotion_round=obj)
        return _("The round is now at the stage: {stage}.").format(
            stage=promotion_round.get_status_display()
        )


# Nominating -------------------------------------------------------------------------------


class NominateView(PolicyMixin, View):
    """Nominate someone: a manager their team, an operator themself (where the round allows),
    HR anyone. The chosen person's eligibility for the chosen level is shown live (htmx swaps
    the level choices and the checks as the selection changes) before the form is sent."""

    template_name = "careers/rounds/nominate.html"
    partial_template_name = "careers/rounds/partials/nominate_dynamic.html"

    def _round(self, pk: int | None) -> PromotionRound | None:
        if pk is None:
            return None
        return policy.scoped_get(PromotionRound.objects.all(), self.request.user, pk=pk)

    def _initial(self, promotion_round: PromotionRound | None) -> dict[str, Any]:
        query = self.request.GET
        initial: dict[str, Any] = {
            "staff": query.get("staff", ""),
            "level": query.get("level", ""),
        }
        if promotion_round is not None:
            initial["round"] = promotion_round.pk
        elif query.get("round"):
            initial["round"] = query.get("round")
        else:
            rounds = list(selectors_rounds.open_rounds()[:2])
            if len(rounds) == 1:
                initial["round"] = rounds[0].pk
        if not initial["staff"]:
            own = getattr(self.request.user, "staff", None)
            if own is not None and not policy.can(self.request.user, "list", Staff):
                initial["staff"] = own.pk  # an operator can only nominate themself
        return initial

    def _render(self, form: NominateForm, promotion_round: Any, status: int = 200):
        live = {
            "hx-get": self.request.path,
            "hx-trigger": "change",
            "hx-target": "#nominate-level",
            "hx-swap": "outerHTML",
            "hx-include": "#id_round, #id_staff, #id_level",
        }
        for name in ("staff", "level"):
            form.fields[name].widget.attrs.update(live)
        preview = None
        if form.chosen_staff is not None and form.chosen_level is not None:
            [preview] = eligibility_view([live_eligibility(form.chosen_staff, form.chosen_level)])
        context = {
            "title": _("Nominate for promotion"),
            "form": form,
            "round": promotion_round,
            "preview": preview,
            "open_rounds": form.fields["round"].queryset,
            "action_url": self.request.path,
        }
        htmx = getattr(self.request, "htmx", False)
        template = self.partial_template_name if htmx and not htmx.boosted else self.template_name
        return render(self.request, template, context, status=status)

    def get(self, request, pk: int | None = None):
        policy.require(request.user, "nominate", Nomination)
        promotion_round = self._round(pk)
        form = NominateForm(user=request.user, initial=self._initial(promotion_round))
        return self._render(form, promotion_round)

    def post(self, request, pk: int | None = None):
        policy.require(request.user, "nominate", Nomination)
        promotion_round = self._round(pk)
        form = NominateForm(request.POST, user=request.user)
        if form.is_valid():
            data = form.cleaned_data
            try:
                nomination = services.nominate(
                    actor=request.user,
                    promotion_round=data["round"],
                    staff=data["staff"],
                    target_level=data["level"],
                    justification=data["justification"],
                )
            except (NotVisible, PolicyDenied):
                raise
            except OpsTeamError as exc:
                field = {"target_level": "level"}.get(exc.field or "", exc.field)
                form.add_error(field if field in form.fields else None, exc.message)
            else:
                messages.success(
                    request,
                    _("{name} is nominated for {level}.").format(
                        name=nomination.staff.display_name,
                        level=nomination.target_level.display_name,
                    ),
                )
                return redirect(nomination.get_absolute_url())
        return self._render(form, promotion_round, status=400)


# Nominations ------------------------------------------------------------------------------


class NominationDetailView(ScopedDetailView):
    """A nomination: the eligibility kept at nomination next to the eligibility now, the
    justification and status; committee reviews for those the policy lets read them; withdraw
    and (HR, during the review) decide."""

    model = Nomination
    template_name = "careers/rounds/nomination_detail.html"

    def get_queryset(self):
        return super().get_queryset().select_related(*selectors_rounds.NOMINATION_RELATED)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        nomination, user = self.object, self.request.user
        undecided = nomination.status == NominationStatus.NOMINATED
        at_nomination, now = selectors_rounds.snapshot_eligibility(nomination), None
        if undecided:
            # Once decided, "now" would judge the person against the level they may hold.
            now = live_eligibility(
                nomination.staff, nomination.target_level, defence_score=nomination.defence_score
            )
            at_nomination, now = eligibility_view([at_nomination, now])
        else:
            (at_nomination,) = eligibility_view([at_nomination])
        context.update(
            title=_("{name} → {level}").format(
                name=nomination.staff.display_name, level=nomination.target_level.display_name
            ),
            at_nomination=at_nomination,
            now=now,
            reviews=list(selectors_rounds.nomination_reviews(user=user, nomination=nomination)),
            can_withdraw=undecided and policy.can(user, "withdraw", nomination),
            can_decide=undecided
            and nomination.round.status == RoundStatus.REVIEWING
            and policy.can(user, "decide", nomination),
            decide_form=DecideForm(),
            approve=Recommendation.APPROVE,
            defer=Recommendation.DEFER,
            reject=Recommendation.REJECT,
        )
        return context


class NominationWithdrawView(ObjectPostView):
    model = Nomination
    permission = "withdraw"

    def perform(self, obj, data):
        services.nomination_withdraw(actor=self.request.user, nomination=obj)
        return _("The nomination is withdrawn.")


class NominationDecideView(ObjectPostView):
    """HR approves (the person moves to the level on the round's effective date), defers or
    rejects (with a note saying what to work on)."""

    model = Nomination
    permission = "decide"
    form_class = DecideForm

    def perform(self, obj, data):
        nomination = services.nomination_decide(
            actor=self.request.user, nomination=obj, decision=data["decision"], note=data["note"]
        )
        if nomination.status == NominationStatus.APPROVED:
            return _("Approved: {name} moves to {level} on {date}.").format(
                name=nomination.staff.display_name,
                level=nomination.target_level.display_name,
                date=nomination.round.effective_date.isoformat(),
            )
        return _("Decision recorded: {status}.").format(status=nomination.get_status_display())


# Committee --------------------------------------------------------------------------------


class CommitteeView(PolicyMixin, TemplateView):
    """The user's committee reviews: to do, then done."""

    template_name = "careers/rounds/committee.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        reviews = list(selectors_rounds.committee_reviews(user=self.request.user))
        todo = [
            review
            for review in reviews
            if review.submitted_at is None
            and review.nomination.status == NominationStatus.NOMINATED
            and review.nomination.round.status == RoundStatus.REVIEWING
        ]
        todo_ids = {review.pk for review in todo}
        context.update(
            title=_("My committee reviews"),
            todo=todo,
            done=[review for review in reviews if review.pk not in todo_ids],
        )
        return context


class CommitteeReviewView(PolicyMixin, TemplateView):
    """One committee review: the nomination's evidence and the member's score form."""

    template_name = "careers/rounds/committee_review.html"

    def review(self) -> CommitteeReview:
        return selectors_rounds.committee_review_get(user=self.request.user, pk=self.kwargs["pk"])

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        review = kwargs.get("review") or self.review()
        nomination, user = review.nomination, self.request.user
        [at_nomination] = eligibility_view([selectors_rounds.snapshot_eligibility(nomination)])
        can_review = (
            policy.can(user, "review", review)
            and nomination.status == NominationStatus.NOMINATED
            and nomination.round.status == RoundStatus.REVIEWING
        )
        initial = {
            "score": review.score,
            "recommendation": review.recommendation,
            "comment": review.comment,
        }
        context.update(
            title=_("Committee review: {name} → {level}").format(
                name=nomination.staff.display_name, level=nomination.target_level.display_name
            ),
            review=review,
            nomination=nomination,
            at_nomination=at_nomination,
            can_review=can_review,
            form=kwargs.get("form") or CommitteeReviewForm(initial=initial),
        )
        return context


class CommitteeReviewSubmitView(CommitteeReviewView):
    """POST the score, recommendation and comment; errors come back on the form (400)."""

    http_method_names = ["post"]

    def post(self, request, pk):
        review = self.review()
        policy.require(request.user, "review", review)
        form = CommitteeReviewForm(request.POST)
        if form.is_valid():
            try:
                services.committee_review_submit(
                    actor=request.user, review=review, **form.cleaned_data
                )
            except (NotVisible, PolicyDenied):
                raise
            except OpsTeamError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            else:
                messages.success(request, _("Your review is saved."))
                return redirect("careers:committee")
        context = self.get_context_data(review=review, form=form)
        return self.render_to_response(context, status=400)
