"""Pages of bonus policies, bonus pools (allocate, what-if, approve, payroll export) and the
reward ledger (my rewards, the ledger list, non-cash grants)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import TemplateView

from opsteam.core import exports, policy
from opsteam.core.exceptions import InvalidTransition, NotVisible, PolicyDenied, ValidationFailed
from opsteam.core.views import (
    ObjectPostView,
    PolicyMixin,
    ScopedDetailView,
    ScopedListView,
    ServiceFormView,
)
from opsteam.incentives import selectors_pools as selectors
from opsteam.incentives import services
from opsteam.incentives.choices import PoolStatus
from opsteam.incentives.forms_pools import (
    DecideForm,
    LineFilterSet,
    MultiplierFormSet,
    PolicyFilterSet,
    PolicyForm,
    PoolFilterSet,
    PoolForm,
    RewardFilterSet,
    RewardGrantForm,
    WhatIfForm,
    multiplier_rows,
)
from opsteam.incentives.models import BonusPolicy, BonusPool, RewardEntry
from opsteam.incentives.tables_pools import (
    POLICY_TABLE,
    POOL_TABLE,
    REWARD_TABLE,
    cap_text,
    explain_line,
    figure,
    kpi_text,
    money,
)

TEMPLATES = "incentives/pools/"
LINES_PER_PAGE = 50
# The what-if shows everyone up to this many people, else the largest changes.
WHAT_IF_ROWS = 500
LINE_SORTS = {
    "employee_no": ["staff__employee_no"],
    "-employee_no": ["-staff__employee_no"],
    "amount": ["amount", "staff__employee_no"],
    "-amount": ["-amount", "staff__employee_no"],
    "grade": ["grade", "staff__employee_no"],
    "unit": ["unit__path", "staff__employee_no"],
}
STEPS = (PoolStatus.DRAFT, PoolStatus.SUBMITTED, PoolStatus.APPROVED, PoolStatus.EXPORTED)


# Bonus policies -------------------------------------------------------------------------------


class PolicyListView(ScopedListView):
    """Every bonus policy: how a pool is shared, published to everyone."""

    model = BonusPolicy
    table = POLICY_TABLE
    filterset_class = PolicyFilterSet
    title = gettext_lazy("Bonus policies")
    export_stem = "bonus-policies"
    create_url = "incentives:policy_create"
    empty_hint = gettext_lazy(
        "A policy says how a pool is shared: grade multipliers, base, KPI factor, caps and floors."
    )

    def base_queryset(self, action="view"):
        return selectors.policy_list(user=self.request.user, action=action)


class PolicyDetailView(ScopedDetailView):
    model = BonusPolicy
    template_name = TEMPLATES + "policy_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        row, user = self.object, self.request.user
        context.update(
            title=row.display_name,
            multipliers=[
                {"grade": item["grade"], "multiplier": figure(item["multiplier"], 3)}
                for item in multiplier_rows(row.multipliers)
            ],
            cap=cap_text(row),
            kpi=kpi_text(row),
            pools=list(selectors.pool_list(user=user).filter(policy=row)[:20])
            if policy.can(user, "view", BonusPool)
            else [],
        )
        return context


class PolicyEditView(PolicyMixin, View):
    """Create or edit a policy: settings plus the grade multipliers as an inline table."""

    creating = True

    def target(self) -> BonusPolicy | None:
        user = self.request.user
        if self.creating:
            policy.require(user, "add", BonusPolicy)
            return None
        return policy.scoped_get(BonusPolicy.objects.all(), user, "change", pk=self.kwargs["pk"])

    def forms(self, row: BonusPolicy | None, data=None) -> tuple[PolicyForm, Any]:
        if row is None:
            initial: dict[str, Any] = {
                "base_months": Decimal("1"),
                "kpi_factor_min": Decimal("0.8"),
                "kpi_factor_max": Decimal("1.2"),
                "floor_amount": Decimal("0"),
                "rounding_unit": Decimal("1"),
                "is_active": True,
            }
            rows = multiplier_rows(BonusPolicy._meta.get_field("multipliers").get_default())
        else:
            initial = {name: getattr(row, name) for name in PolicyForm.base_fields}
            rows = multiplier_rows(row.multipliers)
        return (
            PolicyForm(data, initial=initial),
            MultiplierFormSet(data, initial=rows, prefix="multipliers"),
        )

    def render(self, row, forms, status=200):
        form, multipliers = forms
        return render(
            self.request,
            TEMPLATES + "policy_form.html",
            {
                "title": _("New bonus policy") if row is None else _("Edit bonus policy"),
                "object": row,
                "form": form,
                "multipliers": multipliers,
                "cancel_url": row.get_absolute_url() if row else reverse("incentives:policy_list"),
            },
            status=status,
        )

    def get(self, request, pk=None):
        row = self.target()
        return self.render(row, self.forms(row))

    def post(self, request, pk=None):
        row = self.target()
        forms = self.forms(row, request.POST)
        form, multipliers = forms
        if form.is_valid() and multipliers.is_valid():
            try:
                saved = services.policy_save(
                    actor=request.user,
                    policy_row=row,
                    multipliers=multipliers.multipliers(),
                    **form.cleaned_data,
                )
            except ValidationFailed as exc:
                if exc.field in form.fields:
                    form.add_error(exc.field, exc.message)
                elif (exc.field or "").startswith("multipliers"):
                    multipliers._non_form_errors = multipliers.error_class([exc.message])
                else:
                    form.add_error(None, exc.message)
            else:
                messages.success(request, _("Bonus policy saved."))
                return redirect(saved.get_absolute_url())
        return self.render(row, forms, status=400)


class PolicyCreateView(PolicyEditView):
    creating = True


class PolicyUpdateView(PolicyEditView):
    creating = False


# Pools ----------------------------------------------------------------------------------------


class PoolListView(ScopedListView):
    """Pools with their status and money: HR and auditors all, managers their subtree's."""

    model = BonusPool
    table = POOL_TABLE
    filterset_class = PoolFilterSet
    title = gettext_lazy("Bonus pools")
    export_stem = "bonus-pools"
    create_url = "incentives:pool_create"
    empty_hint = gettext_lazy(
        "A pool shares a budget among the graded people of a department or team for one cycle."
    )

    def base_queryset(self, action="view"):
        return selectors.pool_list(user=self.request.user, action=action)


class PoolCreateView(ServiceFormView):
    form_class = PoolForm
    model = BonusPool
    policy_action = "add"
    title = gettext_lazy("New bonus pool")

    def get_initial(self, obj):
        return {"currency": "CNY"}

    def context(self, form, obj):
        context = super().context(form, obj)
        context["cancel_url"] = reverse("incentives:pool_list")
        return context

    def perform(self, form, obj):
        return services.pool_create(actor=self.request.user, **form.cleaned_data)


def _float(value: Any) -> float:
    return float(value or 0)


def _bar_chart(groups: list[selectors.GroupTotal], name: str, *, horizontal: bool = False):
    if not groups:
        return None
    labels = [group.label for group in groups]
    data = [
        {"value": _float(group.amount), "people": group.people, "text": money(group.amount)}
        for group in groups
    ]
    category = {"type": "category", "data": labels}
    value = {"type": "value", "splitNumber": 3}
    if horizontal:
        labels.reverse()
        data.reverse()
    return {
        "tooltip": {"trigger": "axis"},
        "grid": {"containLabel": True, "left": 8, "right": 16, "top": 16, "bottom": 8},
        "xAxis": value if horizontal else category,
        "yAxis": category if horizontal else value,
        "series": [{"name": name, "type": "bar", "data": data}],
    }


def _distribution_chart(amounts: list[Decimal], name: str, bins: int = 10):
    """Histogram of the amounts: how many people fall in each band."""
    if not amounts:
        return None
    low, high = min(amounts), max(amounts)
    count = 1 if low == high else min(bins, len(amounts))
    width = (high - low) / count if count > 1 else Decimal(1)
    counts = [0] * count
    for amount in amounts:
        index = count - 1 if count == 1 else min(int((amount - low) / width), count - 1)
        counts[index] += 1
    labels = (
        [money(low)]
        if count == 1
        else [
            f"{money(round(low + width * i))}–{money(round(low + width * (i + 1)))}"
            for i in range(count)
        ]
    )
    return {
        "tooltip": {"trigger": "axis"},
        "grid": {"containLabel": True, "left": 8, "right": 16, "top": 16, "bottom": 8},
        "xAxis": {"type": "category", "data": labels, "axisLabel": {"rotate": 30}},
        "yAxis": {"type": "value", "minInterval": 1},
        "series": [{"name": name, "type": "bar", "data": counts}],
    }


class PoolDetailView(ScopedDetailView):
    """A pool: its lines with their explanations, totals by grade and team, the status flow."""

    model = BonusPool
    template_name = TEMPLATES + "pool_detail.html"

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .select_related("cycle", "unit", "policy", "submitted_by", "decided_by")
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        pool, user = self.object, self.request.user
        readable = selectors.line_list(user=user)
        breakdown = selectors.pool_breakdown(pool=pool, lines=readable)
        lines = readable.filter(pool=pool)
        filters = LineFilterSet(self.request.GET or None, queryset=lines, request=self.request)
        if filters.is_bound and filters.is_valid():
            lines = filters.qs
        sort = self.request.GET.get("sort", "")
        lines = lines.order_by(*LINE_SORTS.get(sort, ["unit__path", "staff__employee_no"]))
        page = Paginator(lines, LINES_PER_PAGE).get_page(self.request.GET.get("page"))
        shown = selectors.bonus_lines_read(user=user, lines=page.object_list)
        query = self.request.GET.copy()
        query.pop("page", None)
        query.pop("sort", None)
        status = pool.status
        editable = status in (PoolStatus.DRAFT, PoolStatus.REJECTED)
        can_change = context["can_change"]
        current_step = PoolStatus.DRAFT if status == PoolStatus.REJECTED else status
        context.update(
            title=pool.name,
            breakdown=breakdown,
            rows=[(line, explain_line(line.explanation, line.amount)) for line in shown],
            page_obj=page,
            line_filters={
                "q": self.request.GET.get("q", ""),
                "grade": self.request.GET.get("grade", ""),
                "unit": self.request.GET.get("unit", ""),
            },
            sort=sort,
            querystring_base=query.urlencode(),
            steps=[
                {
                    "label": PoolStatus(step).label,
                    "current": step == current_step,
                }
                for step in STEPS
            ],
            can_allocate=can_change and editable,
            can_submit=can_change and editable and pool.allocated_at is not None,
            can_simulate=can_change,
            can_decide=status == PoolStatus.SUBMITTED and policy.can(user, "approve", pool),
            is_submitter=pool.submitted_by_id == user.pk,
            can_export=status in selectors.RELEASED and policy.can(user, "export", pool),
            decide_form=DecideForm(),
            graded_people=selectors.pool_people_count(pool=pool)
            if pool.allocated_at is None
            else None,
            grade_chart=_bar_chart(breakdown.by_grade, _("Amount")),
            unit_chart=_bar_chart(breakdown.by_unit, _("Amount"), horizontal=True),
            distribution_chart=_distribution_chart(breakdown.amounts, _("People")),
        )
        return context


class PoolAllocateView(ObjectPostView):
    model = BonusPool
    permission = "change"

    def perform(self, obj, data):
        allocation = services.pool_allocate(actor=self.request.user, pool=obj)
        message = _("{amount} allocated to {count} people.").format(
            amount=money(allocation.allocated), count=len(allocation.lines)
        )
        if allocation.unallocated:
            message += " " + _("{amount} stays unallocated: everyone is at their cap.").format(
                amount=money(allocation.unallocated)
            )
        return message


class PoolSubmitView(ObjectPostView):
    model = BonusPool
    permission = "change"

    def perform(self, obj, data):
        services.pool_submit(actor=self.request.user, pool=obj)
        return _("Submitted for approval: someone other than you approves it.")


class PoolDecideView(ObjectPostView):
    model = BonusPool
    permission = "approve"
    form_class = DecideForm

    def perform(self, obj, data):
        approve = data["decision"] == "approve"
        services.pool_decide(actor=self.request.user, pool=obj, approve=approve, note=data["note"])
        if approve:
            return _("Approved: each person's bonus is in their reward history.")
        return _("Sent back: the pool can be changed and submitted again.")


class PoolExportView(PolicyMixin, View):
    """The payroll file of an approved pool (xlsx or csv); the first export marks it exported."""

    def get(self, request, pk):
        user = request.user
        pool = policy.scoped_get(BonusPool.objects.select_related("cycle", "unit"), user, pk=pk)
        file_format = "csv" if request.GET.get("file_format") == "csv" else "xlsx"
        try:
            rows = services.pool_export(actor=user, pool=pool)
        except InvalidTransition as exc:
            messages.error(request, exc.message)
            return redirect(pool.get_absolute_url())
        selectors.bonus_lines_read(
            user=user, lines=selectors.line_list(user=user, action="export").filter(pool=pool)
        )
        return exports.spreadsheet_response(
            stem=f"payroll-{pool.unit.code}-{pool.pk}",
            file_format=file_format,
            header=services.PAYROLL_HEADER,
            rows=rows,
        )


ENGINE_FIELDS = {
    "budget": "budget",
    "floor_amount": "floor_amount",
    "rounding_unit": "rounding_unit",
    "cap_multiple": "cap_multiple",
    "cap_amount": "cap_amount",
    "kpi_factor_min": "use_kpi_factor",
}


def _comparison_chart(comparison: selectors.Comparison) -> dict[str, Any] | None:
    """Current and what-if amounts side by side, per grade."""
    groups = comparison.by_grade
    if not groups:
        return None
    now, then = _("Current"), _("What if")
    return {
        "tooltip": {"trigger": "axis"},
        "legend": {"data": [now, then], "top": 0},
        "grid": {"containLabel": True, "left": 8, "right": 16, "top": 36, "bottom": 8},
        "xAxis": {"type": "category", "data": [group.label for group in groups]},
        "yAxis": {"type": "value"},
        "series": [
            {"name": now, "type": "bar", "data": [_float(group.amount) for group in groups]},
            {"name": then, "type": "bar", "data": [_float(group.other) for group in groups]},
        ],
    }


class PoolSimulateView(PolicyMixin, View):
    """What-if: another budget, policy or multipliers/cap/floor, side by side; writes nothing.

    For those who may change the pool (HR, administrators): it is the tool for setting it up.
    """

    def get(self, request, pk):
        user = request.user
        pool = policy.scoped_get(
            BonusPool.objects.select_related("cycle", "unit", "policy"), user, "change", pk=pk
        )
        chosen = request.GET.get("policy_row", "")
        base = pool.policy
        if chosen.isdigit():
            base = BonusPolicy.objects.filter(pk=int(chosen)).first() or pool.policy
        grades = list(selectors.grade_order({**base.multipliers, **pool.policy.multipliers}))
        form = WhatIfForm(request.GET or None, grades=grades)
        self._placeholders(form, pool, base)
        comparison = None
        if form.is_bound and form.is_valid():
            row = selectors.what_if_policy(
                form.cleaned_data["policy_row"] or pool.policy, form.overrides()
            )
            try:
                current = services.pool_simulate(pool, policies={"current": pool.policy})
                what_if = services.pool_simulate(
                    pool, budget=form.cleaned_data["budget"], policies={"what_if": row}
                )
            except ValidationFailed as exc:
                field = ENGINE_FIELDS.get(exc.field or "")
                form.add_error(field if field in form.fields else None, exc.message)
            else:
                comparison = selectors.compare_allocations(
                    current=current["current"],
                    what_if=what_if["what_if"],
                    people=selectors.pool_people(pool=pool),
                    multipliers=row.multipliers,
                )
        return render(
            request,
            TEMPLATES + "pool_simulate.html",
            {
                "title": _("What if: {pool}").format(pool=pool.name),
                "pool": pool,
                "form": form,
                "comparison": comparison,
                "shown": comparison.lines[:WHAT_IF_ROWS] if comparison else [],
                "limit": WHAT_IF_ROWS,
                "chart": _comparison_chart(comparison) if comparison else None,
            },
            status=400 if form.is_bound and form.errors else 200,
        )

    @staticmethod
    def _placeholders(form: WhatIfForm, pool: BonusPool, base: BonusPolicy) -> None:
        """Show the values an empty field keeps, so the user sees what they change."""
        hints = {
            "budget": pool.budget,
            "cap_multiple": base.cap_multiple,
            "cap_amount": base.cap_amount,
            "floor_amount": base.floor_amount,
            "rounding_unit": base.rounding_unit,
        }
        for grade in form.grades:
            hints[form.grade_field(grade)] = base.multipliers.get(grade)
        for name, value in hints.items():
            if value is not None:
                form.fields[name].widget.attrs["placeholder"] = str(value)
        form.fields["policy_row"].empty_label = str(pool.policy)


# The reward ledger ----------------------------------------------------------------------------


class MyRewardsView(PolicyMixin, TemplateView):
    """My reward history from the ledger, totals per kind per year, and my decided bonuses."""

    template_name = TEMPLATES + "my_rewards.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        data = selectors.my_rewards(user=self.request.user)
        years = data.years
        kinds: dict[str, dict[str, Any]] = {}
        for row in data.totals:
            kind = kinds.setdefault(row.kind, {"label": row.label, "cells": {}})
            kind["cells"][row.year] = row
        table = [
            {"label": kind["label"], "cells": [kind["cells"].get(year) for year in years]}
            for kind in kinds.values()
        ]
        money_rows = [row for row in data.totals if row.amount]
        chart = None
        if money_rows:
            ordered_years = sorted({row.year for row in money_rows})
            labels = {row.kind: row.label for row in money_rows}
            chart = {
                "tooltip": {"trigger": "axis"},
                "legend": {"data": list(labels.values()), "top": 0},
                "grid": {"containLabel": True, "left": 8, "right": 16, "top": 36, "bottom": 8},
                "xAxis": {"type": "category", "data": [str(year) for year in ordered_years]},
                "yAxis": {"type": "value"},
                "series": [
                    {
                        "name": label,
                        "type": "bar",
                        "stack": "money",
                        "data": [
                            _float(
                                next(
                                    (
                                        row.amount
                                        for row in money_rows
                                        if row.kind == kind and row.year == year
                                    ),
                                    0,
                                )
                            )
                            for year in ordered_years
                        ],
                    }
                    for kind, label in labels.items()
                ],
            }
        context.update(
            title=_("My rewards"),
            data=data,
            years=years,
            table=table,
            chart=chart,
            lines=[(line, explain_line(line.explanation, line.amount)) for line in data.lines],
        )
        return context


class RewardListView(ScopedListView):
    """The reward ledger: HR everyone's, managers their subtree's; operators go to their own."""

    model = RewardEntry
    table = REWARD_TABLE
    filterset_class = RewardFilterSet
    title = gettext_lazy("Reward ledger")
    export_stem = "rewards"
    create_url = "incentives:reward_grant"
    empty_hint = gettext_lazy(
        "Bonuses appear once their pool is approved; training places, conference budgets and"
        " promotion priority are granted here."
    )

    def base_queryset(self, action="view"):
        return selectors.reward_list(user=self.request.user, action=action)

    def get(self, request, *args, **kwargs):
        # A person without a team sees only their own rewards: that page is "my rewards".
        if not policy.can(request.user, "export", RewardEntry) and "export" not in request.GET:
            return redirect("incentives:my_rewards")
        return super().get(request, *args, **kwargs)


class RewardGrantView(ServiceFormView):
    """Grant a non-cash reward: a training place, a conference budget, promotion priority."""

    form_class = RewardGrantForm
    model = RewardEntry
    policy_action = "add"
    title = gettext_lazy("Grant a reward")
    success_message = gettext_lazy("Reward recorded in the person's history.")

    def form_kwargs(self, obj):
        return {"staff_queryset": selectors.grantable_staff(user=self.request.user)}

    def get_initial(self, obj):
        initial: dict[str, Any] = {}
        staff = self.request.GET.get("staff", "")
        if staff.isdigit():
            person = selectors.grantable_staff(user=self.request.user).filter(pk=int(staff))
            initial["staff"] = person.values_list("employee_no", flat=True).first()
        return initial

    def context(self, form, obj):
        context = super().context(form, obj)
        context["cancel_url"] = reverse("incentives:reward_list")
        return context

    def perform(self, form, obj):
        try:
            return services.reward_grant(actor=self.request.user, **form.cleaned_data)
        except (NotVisible, PolicyDenied):
            # The person was chosen from those the user may grant to; the service agrees
            # unless the org changed in between: say so on the field rather than 404.
            raise ValidationFailed(
                _("You cannot grant rewards to this person."), field="staff"
            ) from None

    def success_url(self, result):
        return reverse("incentives:reward_list") + f"?staff={result.staff_id}"
