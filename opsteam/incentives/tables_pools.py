"""Columns of the bonus policy, pool and reward lists (pages and exports share them), and the
wording of a bonus line's explanation (the engine keeps numbers only)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from opsteam.core.models import localized
from opsteam.core.tables import Column, Table
from opsteam.incentives.models import BonusPolicy


def _decimal(value: Any) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


def money(value: Any) -> str:
    """A sum as people read it: grouped, cents only when there are any (12,000 / 12,000.50)."""
    amount = _decimal(value)
    if amount is None:
        return "—"
    places = 0 if amount == amount.to_integral_value() else 2
    return number_format(amount, decimal_pos=places, use_l10n=True, force_grouping=True)


def figure(value: Any, places: int = 2) -> str:
    """A factor or weight: at most ``places`` decimals, trailing zeros dropped (1.5, 1.08)."""
    number = _decimal(value)
    if number is None:
        return "—"
    rounded = round(number, places).normalize()
    if rounded == rounded.to_integral_value():
        rounded = rounded.quantize(Decimal(1))
    return number_format(rounded, use_l10n=True, force_grouping=True)


def multipliers_text(multipliers: dict[str, Any]) -> str:
    """``S 2 · A 1.5 · B 1 · C 0.5 · D 0``: best grade first."""
    from opsteam.incentives.selectors_pools import grade_order

    order = grade_order(multipliers)
    return " · ".join(
        f"{grade} {figure(multipliers[grade])}" for grade in sorted(multipliers, key=order.get)
    )


def cap_text(row: BonusPolicy) -> str:
    """The policy's cap in words: times the base, an amount, the lower of both, or none."""
    parts = []
    if row.cap_multiple is not None:
        parts.append(_("{times} × base").format(times=figure(row.cap_multiple)))
    if row.cap_amount is not None:
        parts.append(money(row.cap_amount))
    if not parts:
        return _("no cap")
    return (
        _("the lower of {a} and {b}").format(a=parts[0], b=parts[1]) if len(parts) > 1 else parts[0]
    )


def kpi_text(row: BonusPolicy) -> str:
    if not row.use_kpi_factor:
        return _("off")
    return _("on, held to {low}–{high}").format(
        low=figure(row.kpi_factor_min), high=figure(row.kpi_factor_max)
    )


def explain_line(explanation: dict[str, Any], amount: Any) -> str:
    """Word a line's explanation: the factors, the weight, its share, cap or floor, rounding.

    "base 12,000 × A 1.5 × KPI 1.08 × 90/90 days = weight 19,440; 32.4% of the pool's
    weight; capped at 36,000 → 36,000".
    """
    if not explanation:
        return ""
    factors = [
        _("base {base}").format(base=money(explanation.get("base"))),
        "{grade} {multiplier}".format(
            grade=explanation.get("grade") or "—", multiplier=figure(explanation.get("multiplier"))
        ),
    ]
    given = _decimal(explanation.get("kpi_factor_given"))
    used = _decimal(explanation.get("kpi_factor"))
    if given is not None:
        if used is not None and used != given:
            factors.append(
                _("KPI {given} (held to {used})").format(
                    given=figure(given, 3), used=figure(used, 3)
                )
            )
        else:
            factors.append(_("KPI {factor}").format(factor=figure(used, 3)))
    factors.append(
        _("{days}/{period} days").format(
            days=explanation.get("days", "—"), period=explanation.get("period_days", "—")
        )
    )
    text = " × ".join(factors)
    weight = _decimal(explanation.get("weight"))
    if not weight:
        return _("{factors}: no weight, no share.").format(factors=text)
    share = _decimal(explanation.get("weight_share")) or Decimal(0)
    parts = [
        _("{factors} = weight {weight}").format(factors=text, weight=figure(weight)),
        # Translators: {percent} is a number; the sign after it is a literal percent sign.
        # xgettext:no-python-format
        _("{percent}% of the pool's weight").format(percent=figure(share * 100, 2)),
    ]
    if explanation.get("capped"):
        parts.append(_("capped at {cap}").format(cap=money(explanation.get("cap"))))
    elif explanation.get("floored"):
        parts.append(_("raised to the floor {floor}").format(floor=money(explanation.get("floor"))))
    else:
        rounding = _decimal(explanation.get("rounding")) or Decimal(0)
        if rounding:
            parts.append(
                _("rounded by {amount}").format(
                    amount=("+" if rounding > 0 else "") + figure(rounding, 4)
                )
            )
    return "; ".join(parts) + " → " + money(amount)


POLICY_TABLE = Table(
    columns=(
        Column("code", gettext_lazy("Code"), order_by="code", link=True),
        Column("name", gettext_lazy("Name"), accessor="display_name", order_by="name"),
        Column(
            "multipliers",
            gettext_lazy("Grade multipliers"),
            accessor=lambda row: multipliers_text(row.multipliers),
        ),
        Column("base_months", gettext_lazy("Base (months)"), order_by="base_months"),
        Column("kpi", gettext_lazy("KPI factor"), accessor=kpi_text),
        Column("cap", gettext_lazy("Cap"), accessor=cap_text),
        Column("floor_amount", gettext_lazy("Floor"), order_by="floor_amount"),
        Column("rounding_unit", gettext_lazy("Rounded to")),
        Column("is_active", gettext_lazy("Active")),
        Column("name_en", gettext_lazy("English name"), css="d-none"),
    ),
    default_order="code",
)

POOL_TABLE = Table(
    columns=(
        Column("name", gettext_lazy("Pool"), order_by="name", link=True),
        Column(
            "cycle",
            gettext_lazy("Review cycle"),
            accessor=lambda pool: localized(pool.cycle, "name"),
            order_by="cycle__period_end",
        ),
        Column("unit", gettext_lazy("Unit"), accessor="unit.display_name", order_by="unit__path"),
        Column("policy", gettext_lazy("Policy"), accessor="policy.display_name"),
        Column("status", gettext_lazy("Status"), accessor="get_status_display", order_by="status"),
        Column("budget", gettext_lazy("Budget"), order_by="budget", css="text-end"),
        Column("allocated", gettext_lazy("Allocated"), order_by="allocated", css="text-end"),
        Column("unallocated", gettext_lazy("Unallocated"), order_by="unallocated", css="text-end"),
        Column("currency", gettext_lazy("Currency")),
        Column("allocated_at", gettext_lazy("Allocated at"), order_by="allocated_at"),
    ),
    default_order="-cycle__period_end",
)

REWARD_TABLE = Table(
    columns=(
        Column("granted_on", gettext_lazy("Granted on"), order_by="granted_on"),
        Column(
            "employee_no",
            gettext_lazy("Employee number"),
            accessor="staff.employee_no",
            order_by="staff__employee_no",
        ),
        Column("staff", gettext_lazy("Staff member"), accessor="staff.display_name"),
        Column("unit", gettext_lazy("Unit"), accessor="staff.unit.display_name"),
        Column("kind", gettext_lazy("Kind"), accessor="get_kind_display", order_by="kind"),
        Column("title", gettext_lazy("Reward"), order_by="title"),
        Column("amount", gettext_lazy("Amount"), order_by="amount", css="text-end"),
        Column("currency", gettext_lazy("Currency")),
        Column("points", gettext_lazy("Points"), order_by="points", css="text-end"),
        Column("granted_by", gettext_lazy("Granted by"), accessor="granted_by"),
        Column("source", gettext_lazy("Source"), css="d-none"),
        Column("note", gettext_lazy("Note"), css="d-none"),
    ),
    default_order="-granted_on",
)
