"""The demo organisation loader: contents, idempotency, RACI findings, logins, scale mode."""

from io import StringIO

import pytest
from django.core.management import call_command

from opsteam.accounts.models import RoleGrant, User
from opsteam.core.models import AuditEntry
from opsteam.org import selectors, services
from opsteam.org.choices import JobDescriptionStatus, StaffStatus, UnitKind
from opsteam.org.demo import DEMO_PASSWORD, OVERLOADED_EMPLOYEE_NO, build_demo
from opsteam.org.models import (
    Assignment,
    JobDescription,
    OrgUnit,
    Position,
    RaciAssignment,
    Staff,
)

COUNTED = (OrgUnit, Position, Staff, Assignment, JobDescription, RaciAssignment, User, RoleGrant)


def load(**options):
    out = StringIO()
    call_command("load_demo", stdout=out, **options)
    return out.getvalue()


def counts():
    return {model.__name__: model.objects.count() for model in (*COUNTED, AuditEntry)}


@pytest.mark.django_db
def test_demo_loads_about_sixty_staff_in_five_teams_under_one_department():
    load()

    company = OrgUnit.objects.get(code="HQ", kind=UnitKind.COMPANY)
    department = OrgUnit.objects.get(code="OPS", kind=UnitKind.DEPARTMENT, parent=company)
    teams = OrgUnit.objects.filter(kind=UnitKind.TEAM, parent=department)
    assert 5 <= teams.count() <= 6
    assert 55 <= Staff.objects.count() <= 65
    assert not OrgUnit.objects.filter(lead__isnull=True).exists()
    assert not OrgUnit.objects.filter(name_en="").exists()
    head = department.lead
    assert {t.lead.manager_id for t in teams} == {head.pk}
    assert Staff.objects.filter(status=StaffStatus.PROBATION).count() >= 2
    for leaver in Staff.objects.filter(status=StaffStatus.LEFT):
        assert leaver.leave_date is not None
        assert not leaver.assignments.filter(end_date__isnull=True).exists()
    assert not Staff.objects.filter(name_en="").exists()
    assert not Staff.objects.exclude(email__endswith="@example.com").exists()
    assert Assignment.objects.filter(reason="promotion").exists()


@pytest.mark.django_db
def test_running_the_demo_twice_creates_nothing_new():
    load()
    before = counts()

    output = load()

    assert counts() == before
    assert "nothing changed" in output


@pytest.mark.django_db
def test_every_position_has_a_complete_bilingual_published_job_description():
    load()

    for position in Position.objects.all():
        jd = position.job_descriptions.get(status=JobDescriptionStatus.PUBLISHED)
        for name in JobDescription.TEXT_FIELDS:
            assert getattr(jd, name), (position.code, name)
            assert getattr(jd, f"{name}_en"), (position.code, name)
        duties = list(jd.duties.all())
        assert 4 <= len(duties) <= 6
        assert sum(d.time_share for d in duties) <= 100
        assert all(
            d.standard and d.standard_en and d.sop_url.startswith("https://") for d in duties
        )
        assert 3 <= jd.skill_requirements.count() <= 6
        assert 2 <= jd.relations.count() <= 3
    assert JobDescription.objects.filter(status=JobDescriptionStatus.SUPERSEDED).count() >= 2
    drafts = JobDescription.objects.filter(status=JobDescriptionStatus.DRAFT)
    assert drafts.count() == 1
    assert drafts.get().version == drafts.get().position.job_descriptions.count()


@pytest.mark.django_db
def test_the_open_draft_can_be_published_and_supersedes_the_current_version():
    load()
    draft = JobDescription.objects.get(status=JobDescriptionStatus.DRAFT)
    previous = draft.position.job_descriptions.get(status=JobDescriptionStatus.PUBLISHED)

    services.job_description_publish(actor=User.objects.get(username="hr"), job_description=draft)

    previous.refresh_from_db()
    assert previous.status == JobDescriptionStatus.SUPERSEDED
    assert selectors.job_description_diff(old=previous, new=draft)


@pytest.mark.django_db
def test_raci_analysis_flags_the_seeded_findings():
    load()

    findings = selectors.raci_analysis()["findings"]

    [conflict] = findings["multiple_accountable"]
    assert conflict["activity"].name_en == "Campaign plan approval"
    assert len(conflict["positions"]) == 2
    assert [f["activity"].code for f in findings["no_responsible"]] == ["DAILY-COMPETITOR"]
    assert "no_accountable" not in findings
    assert "duplicate_duties" not in findings
    [overloaded] = findings["overloaded_staff"]
    assert overloaded["staff"].employee_no == OVERLOADED_EMPLOYEE_NO


@pytest.mark.django_db
def test_demo_logins_exist_with_their_roles_and_operators_are_linked_to_staff():
    output = load()

    expected = {
        "admin": ("admin", None),
        "hr": ("hr", None),
        "manager": ("manager", "OPS-STORE"),
        "director": ("manager", "OPS"),
        "operator": ("operator", None),
        "operator2": ("operator", None),
        "auditor": ("auditor", None),
    }
    for username, (role, unit_code) in expected.items():
        user = User.objects.get(username=username)
        assert user.check_password(DEMO_PASSWORD)
        assert user.display_name
        grant = RoleGrant.objects.get(user=user)
        assert (grant.role, grant.unit.code if grant.unit else None) == (role, unit_code)
        assert username in output
    assert User.objects.get(username="admin").is_superuser
    assert User.objects.get(username="operator").staff.unit.code == "OPS-STORE"
    assert User.objects.get(username="operator2").staff.unit.code == "OPS-CONTENT"
    assert User.objects.get(username="manager").staff == OrgUnit.objects.get(code="OPS-STORE").lead
    assert User.objects.get(username="director").staff == OrgUnit.objects.get(code="OPS").lead
    assert User.objects.get(username="hr").staff.unit.code == "HR"
    assert DEMO_PASSWORD in output


@pytest.mark.django_db
def test_demo_writes_are_audited_as_system():
    load()

    entries = AuditEntry.objects.all()
    assert entries.filter(object_type="org.staff").count() >= Staff.objects.count()
    assert set(entries.values_list("source", flat=True)) == {"system"}
    # The organisation is written by the loader itself. The later demos act through the real
    # services as the demo people: the training demo completes courses as the administrator
    # (which raises skill levels), the careers demo has HR maintain the competency framework and
    # approve promotions (a level change of the people promoted), the incentives demo has HR
    # record salaries, the workflow demo adds a process with its RACI. Nothing else in the organisation is written by a person.
    org_entries = entries.filter(object_type__startswith="org.")
    by_people = org_entries.exclude(actor_label="system")
    assert set(by_people.values_list("object_type", flat=True)) <= {
        "org.staffskill",
        "org.skill",
        "org.skillgroup",
        "org.skillleveldescriptor",
        "org.compensation",
        "org.staff",
        # the workflow demo has the administrator add the listing process, its activities and
        # their RACI cells through the org services
        "org.process",
        "org.activity",
        "org.raciassignment",
    }
    staff_changes = by_people.filter(object_type="org.staff")
    assert all(
        note.startswith("promotion") for note in staff_changes.values_list("note", flat=True)
    )
    assert not staff_changes.exclude(action="update").exists()
    # (the workflow demo's RACI cells for its new process are the administrator's, above)
    structure = org_entries.filter(
        object_type__in=["org.orgunit", "org.position", "org.jobdescription"]
    )
    assert set(structure.values_list("actor_label", flat=True)) == {"system"}


@pytest.mark.django_db
def test_scale_mode_builds_at_least_the_requested_staff_quickly_and_once():
    # The organisation's own build is what must stay quick; the other modules' demo data that
    # load_demo adds on top is timed by their own tests and benches.
    summary = build_demo(staff=300)

    assert Staff.objects.count() >= 300
    assert summary.seconds < 10
    assert (
        Assignment.objects.filter(end_date__isnull=True).count()
        == Staff.objects.exclude(status=StaffStatus.LEFT).count()
    )
    assert (
        not Staff.objects.filter(manager__isnull=True)
        .exclude(unit__code="HR")
        .exclude(employee_no="E10001")
        .exists()
    )
    before = counts()
    assert build_demo(staff=300).created_total == 0
    assert counts() == before
    load(staff=300)
    assert Staff.objects.count() == before["Staff"]
