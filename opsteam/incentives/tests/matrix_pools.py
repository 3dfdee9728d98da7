"""Access-matrix rows of the bonus pages and API (policies, pools, lines, the reward ledger).
Walked by core/tests/test_permission_matrix.py.

Every role's user works in team T1 (the manager manages T1). Pools: a draft T1 pool, an
allocated one, one submitted by another HR partner, an approved one, and a draft T3 pool (another
department). Lines: the user's own in the approved pool (everyone reads it) and in the allocated
pool (operators do not: their bonus is not decided yet), a T1 colleague's and a T3 person's.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from opsteam.core.tests.matrix_support import EDITORS, EVERYONE, Check, _roles

POOL_READ = _roles(200, operator=404)
OUTSIDE_READ = _roles(200, manager=404, operator=404)
POOL_WRITE_PAGE = _roles(403, admin=302, hr=302, operator=404)
POOL_WRITE_API = _roles(403, admin=200, hr=200, operator=404)
HR_ONLY_ON_POOL = _roles(403, admin=200, hr=200, operator=404)
EDITORS_POST_400 = _roles(403, admin=400, hr=400)
GRANTEE = "MATRIX-GRANT"

EXPECTED: dict[str, list[Check]] = {
    "incentives:policy_list": [Check(EVERYONE)],
    "incentives:policy_detail": [Check(EVERYONE, obj="bonus_policy")],
    "incentives:policy_create": [Check(EDITORS), Check(EDITORS_POST_400, method="post")],
    "incentives:policy_edit": [
        Check(EDITORS, obj="bonus_policy"),
        Check(EDITORS_POST_400, method="post", obj="bonus_policy"),
    ],
    "incentives:pool_list": [Check(_roles(200, operator=403))],
    "incentives:pool_create": [Check(EDITORS), Check(EDITORS_POST_400, method="post")],
    "incentives:pool_detail": [
        Check(POOL_READ, obj="team_pool"),
        Check(POOL_READ, obj="approved_pool"),
        Check(OUTSIDE_READ, obj="other_pool"),
    ],
    "incentives:pool_allocate": [
        Check(POOL_WRITE_PAGE, method="post", obj="team_pool"),
        Check(
            _roles(403, admin=302, hr=302, manager=404, operator=404),
            method="post",
            obj="other_pool",
        ),
    ],
    "incentives:pool_submit": [Check(POOL_WRITE_PAGE, method="post", obj="allocated_pool")],
    "incentives:pool_decide": [
        Check(POOL_WRITE_PAGE, method="post", obj="submitted_pool", data={"decision": "approve"}),
        Check(
            POOL_WRITE_PAGE,
            method="post",
            obj="submitted_pool",
            data={"decision": "send_back", "note": "请复核T1的封顶"},
        ),
    ],
    "incentives:pool_export": [
        Check(HR_ONLY_ON_POOL, obj="approved_pool", query="file_format=csv"),
    ],
    "incentives:pool_simulate": [
        Check(HR_ONLY_ON_POOL, obj="team_pool"),
        Check(HR_ONLY_ON_POOL, obj="team_pool", query="budget=60000&m_A=2"),
    ],
    "incentives:my_rewards": [Check(EVERYONE)],
    "incentives:reward_list": [Check(_roles(200, operator=302))],
    "incentives:reward_grant": [
        Check(_roles(403, admin=200, hr=200, manager=200)),
        Check(
            _roles(403, admin=302, hr=302, manager=302),
            method="post",
            data={"staff": GRANTEE, "kind": "training_place", "title": "数据分析训练营"},
        ),
    ],
    "incentives-policy-list": [Check(EVERYONE), Check(EDITORS_POST_400, method="post")],
    "incentives-policy-detail": [
        Check(EVERYONE, obj="bonus_policy"),
        Check(EDITORS, method="patch", obj="bonus_policy", data={"name": "年终奖新方案"}),
    ],
    "incentives-pool-list": [
        Check(_roles(200, operator=403)),
        Check(EDITORS_POST_400, method="post"),
    ],
    "incentives-pool-detail": [
        Check(POOL_READ, obj="team_pool"),
        Check(OUTSIDE_READ, obj="other_pool"),
    ],
    "incentives-pool-allocate": [Check(POOL_WRITE_API, method="post", obj="team_pool")],
    "incentives-pool-simulate": [
        Check(POOL_WRITE_API, method="post", obj="team_pool", data={"budget": "60000"})
    ],
    "incentives-pool-submit": [Check(POOL_WRITE_API, method="post", obj="allocated_pool")],
    "incentives-pool-decide": [
        Check(POOL_WRITE_API, method="post", obj="submitted_pool", data={"approve": True})
    ],
    "incentives-pool-export": [Check(HR_ONLY_ON_POOL, obj="approved_pool")],
    "incentives-line-list": [Check(EVERYONE), Check(EVERYONE, query="capped=false")],
    "incentives-line-detail": [
        Check(EVERYONE, obj="own_line_released"),
        Check(POOL_READ, obj="own_line_draft"),
        Check(POOL_READ, obj="team_line"),
        Check(OUTSIDE_READ, obj="other_line"),
    ],
    "incentives-reward-list": [
        Check(EVERYONE),
        Check(_roles(403, admin=400, hr=400, manager=400), method="post"),
    ],
    "incentives-reward-detail": [
        Check(EVERYONE, obj="own_reward"),
        Check(POOL_READ, obj="team_reward"),
        Check(OUTSIDE_READ, obj="other_reward"),
    ],
}

GUARDED = (
    "incentives.BonusPolicy",
    "incentives.BonusPool",
    "incentives.BonusLine",
    "incentives.RewardEntry",
)


def objects(objects: dict[str, Any], users: dict[str, Any], user: Any) -> dict[str, Any]:
    """Four cycles graded for T1 (one pool each, in each state) and a T3 pool; ledger rows of
    the user, a T1 and a T3 person."""
    from opsteam.accounts.tests.factories import RoleGrantFactory, UserFactory
    from opsteam.incentives import services
    from opsteam.incentives.models import BonusLine
    from opsteam.incentives.tests.factories import (
        BonusPolicyFactory,
        CompensationFactory,
        ReviewCycleFactory,
        ReviewFactory,
        RewardEntryFactory,
    )
    from opsteam.org.tests.factories import StaffFactory

    hr = users["hr"]
    submitter = UserFactory(username="matrix-pool-submitter")
    RoleGrantFactory(user=submitter, role="hr")
    team = objects["team_staff"]
    other = objects["other_staff"]
    t1 = team.unit
    grantee = StaffFactory(unit=t1, employee_no=GRANTEE)
    t1_people = [team, grantee, *(u.staff for u in users.values())]
    for person in [*t1_people, other]:
        CompensationFactory(staff=person, effective_from=dt.date(2025, 1, 1))
    bonus_policy = BonusPolicyFactory(code="MATRIX-BP")

    def pool(unit, people):
        cycle = ReviewCycleFactory()
        for k, person in enumerate(people):
            ReviewFactory(cycle=cycle, staff=person, grade="AB"[k % 2])
        return services.pool_create(
            actor=hr, cycle=cycle, unit=unit, policy_row=bonus_policy, budget=Decimal("60000")
        )

    team_pool = pool(t1, t1_people)
    allocated = pool(t1, t1_people)
    submitted = pool(t1, t1_people)
    approved = pool(t1, t1_people)
    other_pool = pool(other.unit, [other])
    for row in (allocated, submitted, approved, other_pool):
        services.pool_allocate(actor=hr, pool=row)
    for row in (submitted, approved):
        services.pool_submit(actor=submitter, pool=row)
    services.pool_decide(actor=hr, pool=approved, approve=True)
    return {
        "bonus_policy": bonus_policy,
        "team_pool": team_pool,
        "allocated_pool": allocated,
        "submitted_pool": submitted,
        "approved_pool": approved,
        "other_pool": other_pool,
        "own_line_released": BonusLine.objects.get(pool=approved, staff=user.staff),
        "own_line_draft": BonusLine.objects.get(pool=allocated, staff=user.staff),
        "team_line": BonusLine.objects.get(pool=allocated, staff=team),
        "other_line": BonusLine.objects.get(pool=other_pool, staff=other),
        "own_reward": RewardEntryFactory(staff=user.staff, kind="training_place"),
        "team_reward": RewardEntryFactory(staff=team, kind="conference", amount=Decimal(3000)),
        "other_reward": RewardEntryFactory(staff=other, kind="promotion_priority"),
    }
