"""Access-matrix rows of the promotion-round pages and API (rounds, nominating, nominations,
decisions, the committee's reviews). Walked by core/tests/test_permission_matrix.py.

Objects: a round open for nominations (the committee is HR's user) and a round in committee
review holding the nominations of the requesting user, a T1 colleague and a T3 person; the
requesting user's own committee review (of the T3 nomination) and someone else's (of the T1
one). Every role's user works in T1, which the manager manages.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from opsteam.core.tests.matrix_support import (
    EDITORS,
    EDITORS_400,
    EVERYONE,
    READERS_404,
    STAFF_OTHER,
    STAFF_TEAM,
    Check,
    _all,
    _roles,
)

NOMINATE_PAGE = _roles(200, auditor=403)
# A nomination form without a person: the roles that may nominate get the form back (400).
NOMINATE_POST = _roles(400, auditor=403)
HR_WRITE_PAGE = _roles(403, admin=302, hr=302)
WITHDRAW_TEAM_PAGE = _roles(302, operator=404, auditor=403)
WITHDRAW_TEAM_API = _roles(200, operator=404, auditor=403)
DECIDE_TEAM_PAGE = _roles(403, admin=302, hr=302, operator=404)
DECIDE_TEAM_API = _roles(403, admin=200, hr=200, operator=404)
DECISION = {"decision": "defer", "note": "再积累半年"}
SCORE = {"score": "80", "recommendation": "approve", "comment": "x"}

EXPECTED: dict[str, list[Check]] = {
    "careers:round_list": [Check(EVERYONE)],
    "careers:round_create": [
        Check(EDITORS),
        Check(EDITORS_400, method="post", data={"name": "x"}),
    ],
    "careers:round_detail": [
        Check(EVERYONE, obj="open_round"),
        Check(EVERYONE, obj="review_round"),
        Check(_roles(200, operator=403), obj="review_round", query="export=csv"),
    ],
    "careers:round_advance": [Check(HR_WRITE_PAGE, method="post", obj="open_round")],
    "careers:nominate": [
        Check(NOMINATE_PAGE),
        Check(NOMINATE_PAGE, obj="open_round"),
        Check(NOMINATE_POST, method="post", obj="open_round", data={"justification": "x"}),
    ],
    "careers:nomination_detail": [
        Check(EVERYONE, obj="own_nomination"),
        Check(STAFF_TEAM, obj="team_nomination"),
        Check(STAFF_OTHER, obj="other_nomination"),
    ],
    "careers:nomination_withdraw": [
        Check(WITHDRAW_TEAM_PAGE, method="post", obj="team_nomination"),
        Check(
            _roles(302, manager=404, operator=404, auditor=403),
            method="post",
            obj="other_nomination",
        ),
    ],
    "careers:nomination_decide": [
        Check(DECIDE_TEAM_PAGE, method="post", obj="team_nomination", data=DECISION),
    ],
    "careers:committee": [Check(EVERYONE)],
    "careers:committee_review": [
        Check(EVERYONE, obj="own_committee_review"),
        Check(READERS_404, obj="other_committee_review"),
    ],
    "careers:committee_review_submit": [
        Check(_all(302), method="post", obj="own_committee_review", data=SCORE),
        Check(
            _roles(404, admin=403, hr=403, auditor=403),
            method="post",
            obj="other_committee_review",
            data=SCORE,
        ),
    ],
    # API: stage-bound refusals answer 409.
    "careers-round-list": [Check(EVERYONE), Check(EDITORS_400, method="post")],
    "careers-round-detail": [Check(EVERYONE, obj="open_round")],
    "careers-round-advance": [
        Check(_roles(403, admin=200, hr=200), method="post", obj="open_round"),
        Check(_roles(403, admin=409, hr=409), method="post", obj="review_round"),
    ],
    "careers-nomination-list": [Check(EVERYONE), Check(NOMINATE_POST, method="post")],
    "careers-nomination-detail": [
        Check(EVERYONE, obj="own_nomination"),
        Check(STAFF_TEAM, obj="team_nomination"),
        Check(STAFF_OTHER, obj="other_nomination"),
    ],
    "careers-nomination-withdraw": [
        Check(WITHDRAW_TEAM_API, method="post", obj="team_nomination"),
    ],
    "careers-nomination-decide": [
        Check(DECIDE_TEAM_API, method="post", obj="team_nomination", data=DECISION),
    ],
    "careers-committee-review-list": [Check(EVERYONE)],
    "careers-committee-review-detail": [
        Check(EVERYONE, obj="own_committee_review"),
        Check(READERS_404, obj="other_committee_review"),
    ],
    "careers-committee-review-submit": [
        Check(_all(200), method="post", obj="own_committee_review", data=SCORE),
        Check(
            _roles(404, admin=403, hr=403, auditor=403),
            method="post",
            obj="other_committee_review",
            data=SCORE,
        ),
    ],
}

GUARDED = (
    "careers.PromotionRound",
    "careers.Nomination",
    "careers.CommitteeReview",
    "incentives.RewardEntry",
)


def objects(objects: dict[str, Any], users: dict[str, Any], user: Any) -> dict[str, Any]:
    """An open round; a round in committee review with the user's own, a T1 and a T3
    nomination; the user's committee review of the T3 nomination and a colleague's of the T1
    one."""
    from django.utils import timezone

    from opsteam.accounts.tests.factories import UserFactory
    from opsteam.careers.choices import RoundStatus
    from opsteam.careers.tests.factories import (
        CommitteeReviewFactory,
        NominationFactory,
        PromotionRoundFactory,
    )
    from opsteam.org.tests.factories import JobLevelFactory

    today = timezone.localdate()
    target = JobLevelFactory(code="RND-P3", name="高级运营", name_en="Senior", rank=3)
    open_round = PromotionRoundFactory(
        status=RoundStatus.NOMINATING,
        nominations_close=today + dt.timedelta(days=7),
        effective_date=today + dt.timedelta(days=30),
        committee=[users["hr"]],
    )
    review_round = PromotionRoundFactory(status=RoundStatus.REVIEWING, effective_date=today)
    colleague = UserFactory(username="committee-colleague")

    def nomination(staff: Any) -> Any:
        return NominationFactory(
            round=review_round,
            staff=staff,
            target_level=target,
            eligibility={"ready": True, "met": 0, "total": 0, "checks": []},
            ready_at_nomination=True,
        )

    own = nomination(user.staff)
    team = nomination(objects["team_staff"])
    other = nomination(objects["other_staff"])
    return {
        "open_round": open_round,
        "review_round": review_round,
        "own_nomination": own,
        "team_nomination": team,
        "other_nomination": other,
        "own_committee_review": CommitteeReviewFactory(nomination=other, reviewer=user),
        "other_committee_review": CommitteeReviewFactory(nomination=team, reviewer=colleague),
    }
