"""Walk every UI URL and API route as every role against a declared expectation table.

A route that exists but is missing from ``EXPECTED`` fails the suite, so every new page or
endpoint must declare who may use it. Objects come in four relations to the requesting user:
their own record, their team's (T1), a sibling team's (T2) and another department's (T3).
Denied reads answer 404 (outside the view scope) or 403 (visible, not allowed); denied writes
change nothing and write no audit entry.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.db import transaction
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from opsteam.accounts.models import ApiToken
from opsteam.accounts.tests.factories import UserFactory
from opsteam.core.models import AuditEntry, ImportJob
from opsteam.org import services
from opsteam.org.tests.factories import (
    ActivityFactory,
    JobDescriptionFactory,
    JobDutyFactory,
    RaciAssignmentFactory,
    StaffFactory,
)

ROLES = ("admin", "hr", "manager", "operator", "auditor")


def _all(status: int) -> dict[str, int]:
    return dict.fromkeys(ROLES, status)


def _roles(default: int, **overrides: int) -> dict[str, int]:
    return {**_all(default), **overrides}


EVERYONE = _all(200)
READERS = _roles(403, admin=200, hr=200, auditor=200)  # org-wide readers (list pages)
READERS_404 = _roles(404, admin=200, hr=200, auditor=200)  # their objects: invisible to others
EDITORS = _roles(403, admin=200, hr=200)
ADMIN_ONLY = _roles(403, admin=200)


@dataclass(frozen=True)
class Check:
    """One request: ``obj`` names the object whose pk fills the URL (see ``_objects``)."""

    expected: dict[str, int]
    method: str = "get"
    obj: str | None = None
    kwarg: str = "pk"
    data: dict[str, Any] = field(default_factory=dict)
    extra_kwargs: tuple[tuple[str, str], ...] = ()
    query: str = ""
    multipart: bool = False  # API uploads are multipart; other API writes send JSON


# Staff objects by relation: own record, same team T1, sibling team T2, other department T3.
STAFF_OWN = EVERYONE
STAFF_TEAM = _roles(200, operator=404)
STAFF_SIBLING = _roles(200, manager=404, operator=404)
STAFF_OTHER = _roles(200, manager=404, operator=404)
CHANGE_STAFF_TEAM = _roles(403, admin=200, hr=200, operator=404)
CHANGE_STAFF_OTHER = _roles(403, admin=200, hr=200, manager=404, operator=404)

EXPECTED: dict[str, list[Check]] = {
    # UI: home, accounts
    "insights:home": [Check(EVERYONE)],
    "accounts:login": [Check(_all(302))],
    "accounts:logout": [Check(_all(405))],
    "accounts:password_change": [Check(EVERYONE)],
    "accounts:preferences": [Check(EVERYONE)],
    "accounts:token_list": [Check(EVERYONE)],
    "accounts:token_revoke": [
        Check(_all(302), method="post", obj="own_token"),
        Check(_roles(404, admin=302), method="post", obj="other_token"),
    ],
    "accounts:user_list": [Check(READERS)],
    "accounts:user_detail": [Check(READERS_404, obj="other_user")],
    "accounts:rolegrant_add": [
        Check(
            _roles(403, admin=302, manager=404, operator=404),
            method="post",
            obj="other_user",
            data={"role": "auditor"},
        )
    ],
    "accounts:rolegrant_revoke": [
        Check(
            _roles(403, admin=302, manager=404, operator=404),
            method="post",
            obj="other_user",
            extra_kwargs=(("grant_pk", "other_grant"),),
        )
    ],
    "set_language": [Check(_all(302))],
    "health": [Check(EVERYONE)],
    # UI: org
    "org:orgchart": [Check(EVERYONE)],
    "org:orgunit_list": [Check(EVERYONE)],
    "org:orgunit_create": [Check(EDITORS)],
    "org:orgunit_detail": [Check(EVERYONE, obj="t3")],
    "org:orgunit_update": [Check(EDITORS, obj="t1")],
    "org:staff_list": [Check(_roles(200, operator=302))],
    "org:staff_create": [Check(EDITORS)],
    "org:staff_detail": [
        Check(STAFF_OWN, obj="own_staff"),
        Check(STAFF_TEAM, obj="team_staff"),
        Check(STAFF_SIBLING, obj="sibling_staff"),
        Check(STAFF_OTHER, obj="other_staff"),
    ],
    "org:staff_update": [
        Check(_roles(403, admin=200, hr=200), obj="own_staff"),
        Check(CHANGE_STAFF_TEAM, obj="team_staff"),
        Check(CHANGE_STAFF_OTHER, obj="other_staff"),
    ],
    "org:compensation_add": [
        Check(_roles(403, admin=200, hr=200), obj="own_staff"),
        Check(_roles(403, admin=200, hr=200, manager=404, operator=404), obj="other_staff"),
    ],
    "org:staff_personal_data": [
        Check(EVERYONE, obj="own_staff"),
        Check(_roles(200, manager=403, operator=404, auditor=403), obj="team_staff"),
    ],
    "org:staff_purge": [
        Check(_roles(403, admin=302, hr=302, operator=404), method="post", obj="team_staff")
    ],
    "org:staff_reassign": [
        Check(CHANGE_STAFF_TEAM, obj="team_staff"),
        Check(CHANGE_STAFF_OTHER, obj="sibling_staff"),
    ],
    "org:position_list": [Check(EVERYONE)],
    "org:position_create": [Check(EDITORS)],
    "org:position_detail": [Check(EVERYONE, obj="position")],
    "org:position_update": [Check(EDITORS, obj="position")],
    "org:jobdescription_start_draft": [
        Check(_roles(403, admin=302, hr=302), method="post", obj="position")
    ],
    "org:jobdescription_list": [Check(EVERYONE)],
    "org:jobdescription_detail": [Check(EVERYONE, obj="jd_published")],
    "org:jobdescription_edit": [Check(EDITORS, obj="jd_draft")],
    "org:jobdescription_publish": [
        Check(_roles(403, admin=302, hr=302), method="post", obj="jd_draft")
    ],
    "org:jobdescription_diff": [Check(EVERYONE, obj="jd_published")],
    "org:jobdescription_docx": [Check(EVERYONE, obj="jd_published")],
    "org:raci_matrix": [Check(EVERYONE)],
    "org:raci_cell": [
        Check(
            _roles(403, admin=200, hr=200),
            method="post",
            obj="activity",
            kwarg="activity_pk",
            extra_kwargs=(("position_pk", "position"),),
            data={"role": "C"},
        )
    ],
    "org:raci_analysis": [Check(EVERYONE)],
    "org:who_does_what": [Check(EVERYONE)],
    # UI: data
    "core:audit_list": [Check(READERS)],
    "core:audit_detail": [Check(READERS_404, obj="audit_entry")],
    "core:import_list": [Check(READERS)],
    "core:import_detail": [Check(READERS_404, obj="import_job")],
    "core:import_upload": [Check(EDITORS, obj="staff", kwarg="kind")],
    "core:import_template": [Check(EDITORS, obj="staff", kwarg="kind")],
    # API: schema and docs
    "api-schema": [Check(EVERYONE)],
    "api-docs": [Check(EVERYONE)],
    "accounts-me": [Check(EVERYONE)],
    # API: audit and imports
    "audit-entry-list": [Check(READERS)],
    "audit-entry-detail": [Check(READERS_404, obj="audit_entry")],
    "audit-entry-export": [Check(READERS)],
    "import-job-list": [Check(READERS)],
    "import-job-detail": [Check(READERS_404, obj="import_job")],
    "import-job-run": [
        Check(
            _roles(403, admin=400, hr=400), method="post", obj="staff", kwarg="kind", multipart=True
        )
    ],
    # API: org
    "org-unit-list": [Check(EVERYONE), Check(_roles(403, admin=400, hr=400), method="post")],
    "org-unit-detail": [
        Check(EVERYONE, obj="t3"),
        Check(EDITORS, method="patch", obj="t3", data={"name": "新名称"}),
    ],
    "org-unit-chart": [Check(EVERYONE)],
    "org-role-family-list": [Check(EVERYONE)],
    "org-role-family-detail": [Check(EVERYONE, obj="family")],
    "org-level-list": [Check(EVERYONE)],
    "org-level-detail": [Check(EVERYONE, obj="level")],
    "org-position-list": [Check(EVERYONE), Check(_roles(403, admin=400, hr=400), method="post")],
    "org-position-detail": [
        Check(EVERYONE, obj="position"),
        Check(EDITORS, method="patch", obj="position", data={"headcount_plan": 9}),
    ],
    "org-position-start-draft": [
        Check(_roles(403, admin=201, hr=201), method="post", obj="position")
    ],
    "org-staff-list": [Check(EVERYONE), Check(_roles(403, admin=400, hr=400), method="post")],
    "org-staff-detail": [
        Check(STAFF_OWN, obj="own_staff"),
        Check(STAFF_TEAM, obj="team_staff"),
        Check(STAFF_SIBLING, obj="sibling_staff"),
        Check(STAFF_OTHER, obj="other_staff"),
        Check(CHANGE_STAFF_TEAM, method="patch", obj="team_staff", data={"phone": "123"}),
        Check(CHANGE_STAFF_OTHER, method="patch", obj="other_staff", data={"phone": "123"}),
        Check(_roles(403, admin=200, hr=200), method="patch", obj="own_staff", data={"phone": "1"}),
    ],
    "org-staff-reassign": [
        Check(_roles(403, admin=400, hr=400, operator=404), method="post", obj="team_staff"),
        Check(
            _roles(403, admin=400, hr=400, manager=404, operator=404),
            method="post",
            obj="other_staff",
        ),
    ],
    "org-staff-export": [Check(_roles(200, operator=403))],
    "org-assignment-list": [Check(EVERYONE)],
    "org-assignment-detail": [
        Check(STAFF_TEAM, obj="team_assignment"),
        Check(STAFF_OTHER, obj="other_assignment"),
    ],
    "org-job-description-list": [Check(EVERYONE)],
    "org-job-description-detail": [
        Check(EVERYONE, obj="jd_published"),
        Check(EDITORS, method="patch", obj="jd_draft", data={"change_note": "更新"}),
    ],
    "org-job-description-publish": [Check(EDITORS, method="post", obj="jd_draft")],
    "org-job-description-diff": [Check(EVERYONE, obj="jd_published")],
    "org-process-list": [Check(EVERYONE)],
    "org-process-detail": [Check(EVERYONE, obj="process")],
    "org-activity-list": [Check(EVERYONE)],
    "org-activity-detail": [Check(EVERYONE, obj="activity")],
    "org-raci-list": [Check(EVERYONE)],
    "org-raci-detail": [Check(EVERYONE, obj="raci_cell")],
    "org-raci-set-cell": [Check(_roles(403, admin=400, hr=400), method="post")],
    "org-raci-analysis": [Check(EVERYONE)],
    "org-who-does-what": [Check(EVERYONE)],
}

# Every response of a signed-in user carries these (personnel pages must never be cached).
REQUIRED_HEADERS = {
    "Content-Security-Policy": "default-src 'self'",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}

# Django's own admin is for superusers' emergencies, not the product; it has its own checks.
EXCLUDED_NAMESPACES = {"admin"}


def _walk(patterns: list, namespace: str = "") -> set[str]:
    names: set[str] = set()
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace in EXCLUDED_NAMESPACES:
                continue
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            names |= _walk(pattern.url_patterns, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            names.add(f"{namespace}{pattern.name}")
    return names


def test_every_route_is_declared_in_the_table():
    routes = _walk(get_resolver().url_patterns)

    missing = sorted(routes - EXPECTED.keys())
    stale = sorted(EXPECTED.keys() - routes)

    assert not missing, f"routes missing from the permission table: {missing}"
    assert not stale, f"table entries for routes that no longer exist: {stale}"


def _objects(org_tree, users: dict[str, Any]) -> dict[str, Any]:
    team_staff = StaffFactory(unit=org_tree.t1)
    sibling_staff = StaffFactory(unit=org_tree.t2)
    other_staff = StaffFactory(unit=org_tree.t3)
    position = team_staff.position
    v1 = JobDescriptionFactory(
        position=position, version=1, status="superseded", purpose="旧版说明"
    )
    published = JobDescriptionFactory(position=position, version=2, status="published")
    JobDutyFactory(job_description=published)
    draft = JobDescriptionFactory(position=position, version=3, status="draft", purpose="草稿")
    JobDutyFactory(job_description=draft)
    activity = ActivityFactory()
    raci_cell = RaciAssignmentFactory(activity=activity, position=position, role="R")
    other_user = UserFactory(username="someone-else")
    from opsteam.accounts.models import RoleGrant

    other_grant = RoleGrant.objects.create(user=other_user, role="auditor")
    other_token = ApiToken.objects.create(
        user=other_user, name="x", prefix="abcd1234", key_hash="0" * 64
    )
    hr_user = users["hr"]
    services.position_update(actor=hr_user, position=position, headcount_plan=3)
    entry = AuditEntry.objects.order_by("-id").first()
    job = ImportJob.objects.create(kind="staff", file_name="staff.xlsx", status="rejected")
    return {
        "t1": org_tree.t1,
        "t3": org_tree.t3,
        "team_staff": team_staff,
        "sibling_staff": sibling_staff,
        "other_staff": other_staff,
        "team_assignment": team_staff.assignments.get(),
        "other_assignment": other_staff.assignments.get(),
        "position": position,
        "family": position.family,
        "level": team_staff.level,
        "jd_published": published,
        "jd_v1": v1,
        "jd_draft": draft,
        "activity": activity,
        "process": activity.process,
        "raci_cell": raci_cell,
        "other_user": other_user,
        "other_grant": other_grant,
        "other_token": other_token,
        "audit_entry": entry,
        "import_job": job,
        "staff": "staff",
    }


def _url(name: str, check: Check, objects: dict[str, Any]) -> str:
    kwargs: dict[str, Any] = {}
    if check.obj is not None:
        value = objects[check.obj]
        kwargs[check.kwarg] = getattr(value, "pk", value)
    for key, obj_name in check.extra_kwargs:
        kwargs[key] = objects[obj_name].pk
    return reverse(name, kwargs=kwargs) + (f"?{check.query}" if check.query else "")


# Tables a denied write could touch; their full content is compared before and after.
GUARDED_MODELS = (
    "org.Staff",
    "org.OrgUnit",
    "org.Position",
    "org.JobDescription",
    "org.JobDuty",
    "org.RaciAssignment",
    "org.Assignment",
    "org.Compensation",
    "accounts.User",
    "accounts.RoleGrant",
    "accounts.ApiToken",
    "core.ImportJob",
    "performance.Kpi",
    "performance.KpiTemplate",
    "performance.Measurement",
)


def _data_digest() -> int:
    """A fingerprint of every row of the guarded tables (small test data: cheap)."""
    from django.apps import apps

    values = []
    for label in GUARDED_MODELS:
        model = apps.get_model(label)
        fields = [f.attname for f in model._meta.concrete_fields]
        values.append(tuple(model._base_manager.order_by("pk").values_list(*fields)))
    return hash(repr(values))


class _Rollback(Exception):
    pass


@pytest.mark.parametrize("role", ROLES)
def test_every_route_answers_each_role_as_declared(client, org_tree, user_as, role):
    # given one user per role, each with a staff record in team T1 (the manager manages T1)
    users = {r: user_as(r) for r in ROLES}
    user = users[role]
    objects = _objects(org_tree, users)
    objects["own_staff"] = user.staff
    objects["own_token"] = ApiToken.objects.create(
        user=user, name="mine", prefix=f"own{role[:5]}", key_hash=f"{role:0>64}"[-64:]
    )
    client.force_login(user)
    surprises = []

    # when every declared request is made, each inside a rolled-back savepoint
    for name, checks in sorted(EXPECTED.items()):
        for check in checks:
            url = _url(name, check, objects)
            audit_before = AuditEntry.objects.count()
            rows_before = _data_digest() if check.method != "get" else None
            try:
                with transaction.atomic():
                    request = getattr(client, check.method)
                    if check.method == "get":
                        response = request(url)
                    else:
                        as_json = url.startswith("/api/") and not check.multipart
                        response = (
                            request(url, check.data, content_type="application/json")
                            if as_json
                            else request(url, check.data)
                        )
                    status = response.status_code
                    wrote = AuditEntry.objects.count() != audit_before
                    changed = rows_before is not None and _data_digest() != rows_before
                    raise _Rollback
            except _Rollback:
                pass
            missing = [
                header
                for header, value in REQUIRED_HEADERS.items()
                if value not in response.headers.get(header, "")
            ]
            if missing:
                surprises.append(f"{url} as {role}: security headers missing {missing}")
            expected = check.expected[role]
            if status != expected:
                surprises.append(
                    f"{check.method.upper()} {url} ({name}) as {role}: "
                    f"expected {expected}, got {status}"
                )
            if check.method != "get" and status >= 400 and changed:
                surprises.append(
                    f"{check.method.upper()} {url} as {role} was denied but changed rows"
                )
            if check.method != "get" and status >= 400 and wrote:
                surprises.append(
                    f"{check.method.upper()} {url} as {role} was denied but wrote an audit entry"
                )
            if status == 404 and url.startswith("/api/"):
                body = response.json()
                if body.get("type") != "client_error":
                    surprises.append(f"{url} as {role}: 404 without the API error body")

    # then nothing surprised us
    assert not surprises, "\n".join(surprises)


def test_denied_read_leaks_no_text(client_as, org_tree):
    other = StaffFactory(unit=org_tree.t3, name="保密的名字")
    client = client_as("operator")

    page = client.get(reverse("org:staff_detail", args=[other.pk]))
    api = client.get(reverse("org-staff-detail", args=[other.pk]))

    assert page.status_code == 404
    assert "保密的名字" not in page.content.decode()
    assert api.status_code == 404
    assert "保密的名字" not in api.content.decode()


def test_assignment_on_date_answers_what_position_was_held(api_client_as, org_tree):
    api = api_client_as("hr")
    staff = StaffFactory(unit=org_tree.t1, hire_date=dt.date(2022, 1, 1))
    old_position = staff.position
    from opsteam.org.tests.factories import PositionFactory

    services.staff_reassign(
        actor=api.user,
        staff=staff,
        effective_date=dt.date(2024, 7, 1),
        reason="promotion",
        position=PositionFactory(),
    )

    before = api.get(reverse("org-assignment-list"), {"staff": staff.pk, "on": "2024-06-30"}).json()
    after = api.get(reverse("org-assignment-list"), {"staff": staff.pk, "on": "2024-07-01"}).json()

    assert [row["position"] for row in before["results"]] == [old_position.pk]
    assert [row["position"] for row in after["results"]] == [staff.position_id]
