"""Access-matrix rows of the suggestion box (pages and API). Walked by
core/tests/test_permission_matrix.py.

Objects: a suggestion addressed to T1 (the manager's team), one addressed to T3 (another
department), and the private follow token of an anonymous one. Everyone reads all of them;
everyone but auditors submits, votes, comments and follows; HR and administrators handle any
suggestion, the manager only T1's. The follow link's token alone decides.
"""

from __future__ import annotations

from typing import Any

from opsteam.core.tests.matrix_support import Check, _all, _roles

NOT_AUDITOR = _roles(200, auditor=403)
NOT_AUDITOR_302 = _roles(302, auditor=403)
NOT_AUDITOR_400 = _roles(400, auditor=403)
HANDLE_OWN_400 = _roles(403, admin=400, hr=400, manager=400)
HANDLE_OTHER_400 = _roles(403, admin=400, hr=400)

EXPECTED: dict[str, list[Check]] = {
    "collab:suggestion_list": [
        Check(_all(200)),
        Check(_all(200), query="status=received&sort=-votes"),
        Check(_all(200), query="mine=1&owner=me&overdue=1"),
    ],
    "collab:suggestion_create": [
        Check(NOT_AUDITOR),
        Check(NOT_AUDITOR_400, method="post", data={"title": "x"}),
    ],
    "collab:suggestion_detail": [
        Check(_all(200), obj="own_suggestion"),
        Check(_all(200), obj="other_suggestion"),
        Check(_all(200), obj="anonymous_suggestion"),
    ],
    "collab:suggestion_vote": [Check(NOT_AUDITOR_302, method="post", obj="other_suggestion")],
    "collab:suggestion_follow_toggle": [
        Check(NOT_AUDITOR_302, method="post", obj="other_suggestion")
    ],
    "collab:suggestion_comment": [
        Check(NOT_AUDITOR_302, method="post", obj="other_suggestion"),
    ],
    "collab:suggestion_transition": [
        Check(_all(302), obj="own_suggestion"),
        Check(HANDLE_OWN_400, method="post", obj="own_suggestion"),
        Check(HANDLE_OTHER_400, method="post", obj="other_suggestion"),
    ],
    "collab:suggestion_plan": [
        Check(_all(302), obj="own_suggestion"),
        Check(HANDLE_OWN_400, method="post", obj="own_suggestion"),
        Check(HANDLE_OTHER_400, method="post", obj="other_suggestion"),
    ],
    "collab:suggestion_follow": [
        Check(_all(200), obj="follow_token", kwarg="token"),
        Check(_all(404), obj="wrong_token", kwarg="token"),
        Check(_all(400), method="post", obj="follow_token", kwarg="token"),
    ],
    "collab-suggestion-list": [
        Check(_all(200)),
        Check(_all(200), query="ordering=-vote_count&category=tools"),
        Check(NOT_AUDITOR_400, method="post"),
    ],
    "collab-suggestion-detail": [
        Check(_all(200), obj="own_suggestion"),
        Check(_all(200), obj="anonymous_suggestion"),
    ],
    "collab-suggestion-vote": [Check(NOT_AUDITOR, method="post", obj="other_suggestion")],
    "collab-suggestion-unvote": [Check(NOT_AUDITOR, method="post", obj="other_suggestion")],
    "collab-suggestion-follow": [Check(NOT_AUDITOR, method="post", obj="other_suggestion")],
    "collab-suggestion-comments": [
        Check(_all(200), obj="other_suggestion"),
        Check(NOT_AUDITOR_400, method="post", obj="other_suggestion"),
    ],
    "collab-suggestion-history": [Check(_all(200), obj="anonymous_suggestion")],
    "collab-suggestion-transition": [
        Check(HANDLE_OWN_400, method="post", obj="own_suggestion"),
        Check(HANDLE_OTHER_400, method="post", obj="other_suggestion"),
    ],
    "collab-suggestion-plan": [
        Check(HANDLE_OWN_400, method="post", obj="own_suggestion"),
        Check(HANDLE_OTHER_400, method="post", obj="other_suggestion"),
    ],
    "collab-suggestion-follow-token": [
        Check(_all(200), obj="follow_token", kwarg="token"),
        Check(_all(404), obj="wrong_token", kwarg="token"),
        Check(_all(400), method="post", obj="follow_token", kwarg="token"),
    ],
}

GUARDED = (
    "collab.Suggestion",
    "collab.SuggestionVote",
    "collab.SuggestionComment",
    "collab.SuggestionEvent",
    "collab.SuggestionFollower",
)


def objects(objects: dict[str, Any], users: dict[str, Any], user: Any) -> dict[str, Any]:
    """Suggestions addressed to T1 and T3 (named, by the HR user) and an anonymous one."""
    from opsteam.collab import services_suggestions as services

    def make(unit: Any, title: str, anonymous: bool = False) -> tuple[Any, str | None]:
        return services.suggestion_create(
            actor=users["operator"],
            title=title,
            body="建议内容",
            category="process",
            unit=unit,
            anonymous=anonymous,
        )

    own, _token = make(objects["t1"], "交接单")
    other, _token = make(objects["t3"], "对账模板")
    anonymous, token = make(None, "匿名建议", anonymous=True)
    return {
        "own_suggestion": own,
        "other_suggestion": other,
        "anonymous_suggestion": anonymous,
        "follow_token": token,
        "wrong_token": "x" * 32,
    }
