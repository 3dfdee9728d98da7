"""The anonymity rule for every survey (360 feedback, training reactions, pulse surveys).

Pure (no Django). A rater group's results are released only when at least ``threshold``
people answered (never fewer than 3, whatever is configured). An overall figure across groups
is withheld too when it would let someone work out a withheld group by subtraction: when the
released groups plus the overall would expose the answers of fewer than ``threshold`` people.
Named groups (self, the manager) are not anonymous and never count as hidden.
"""

from __future__ import annotations

from dataclasses import dataclass

MINIMUM_THRESHOLD = 3


class AnonymityInputError(ValueError):
    """Malformed input; the message names the offending group."""


@dataclass(frozen=True, slots=True)
class GroupCount:
    group: str  # e.g. "peer", "direct_report", "internal_customer", "self", "manager"
    responses: int
    named: bool = False  # self and manager answers are attributed, not anonymous


@dataclass(frozen=True, slots=True)
class Release:
    released: frozenset[str]  # groups whose results may be shown
    withheld: frozenset[str]  # anonymous groups below the threshold
    overall_released: bool  # whether a figure across all anonymous groups may be shown
    threshold: int
    reasons: dict[str, str]  # group (or "overall") -> why it is withheld


def effective_threshold(configured: int | None) -> int:
    """The configured threshold, but never below three."""
    return max(MINIMUM_THRESHOLD, int(configured or MINIMUM_THRESHOLD))


def decide_release(groups: list[GroupCount], *, threshold: int | None = None) -> Release:
    """Decide which groups (and whether an overall figure) may be released."""
    limit = effective_threshold(threshold)
    seen = set()
    for group in groups:
        if group.responses < 0:
            raise AnonymityInputError(f"{group.group}: negative response count")
        if group.group in seen:
            raise AnonymityInputError(f"{group.group}: listed twice")
        seen.add(group.group)
    released, withheld, reasons = set(), set(), {}
    for group in groups:
        if group.named:
            if group.responses:
                released.add(group.group)
        elif group.responses >= limit:
            released.add(group.group)
        elif group.responses > 0:
            withheld.add(group.group)
            reasons[group.group] = f"{group.responses} of the {limit} answers needed"
    hidden_total = sum(g.responses for g in groups if g.group in withheld)
    anonymous_total = sum(g.responses for g in groups if not g.named)
    # The overall figure minus the released groups reveals the withheld answers, unless
    # enough of them are pooled that no small group stands out.
    overall = anonymous_total >= limit and (hidden_total == 0 or hidden_total >= limit)
    if not overall and anonymous_total:
        reasons["overall"] = (
            "would reveal a withheld group by subtraction"
            if anonymous_total >= limit
            else f"{anonymous_total} of the {limit} answers needed"
        )
    return Release(frozenset(released), frozenset(withheld), overall, limit, reasons)
