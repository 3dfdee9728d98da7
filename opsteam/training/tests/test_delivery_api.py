"""Delivery API: sessions, registration flow, attendance, self-learning, certificates."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from opsteam.org.tests.factories import StaffFactory
from opsteam.training import services_delivery as services
from opsteam.training.choices import RegistrationStatus
from opsteam.training.models import Certificate, Registration
from opsteam.training.tests.factories import (
    CourseFactory,
    EnrolmentFactory,
    SelfLearningFactory,
    SessionFactory,
)


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()


def test_hr_creates_a_session_and_the_list_shows_seat_counts(api_client_as):
    api = api_client_as("hr")
    course = CourseFactory()
    start = timezone.now() + dt.timedelta(days=2)

    created = api.post(
        reverse("training-session-list"),
        {
            "course": course.pk,
            "starts_at": start.isoformat(),
            "ends_at": (start + dt.timedelta(hours=2)).isoformat(),
            "external_instructor": "王老师",
            "location": "培训室 A",
            "capacity": 2,
        },
        format="json",
    )
    listed = api.get(reverse("training-session-list"), {"when": "upcoming"})

    assert created.status_code == 201, created.json()
    assert created.json()["registered"] == 0
    assert [row["id"] for row in listed.json()["results"]] == [created.json()["id"]]


def test_session_without_place_is_a_400_naming_the_field(api_client_as):
    api = api_client_as("hr")
    start = timezone.now() + dt.timedelta(days=2)

    response = api.post(
        reverse("training-session-list"),
        {
            "course": CourseFactory().pk,
            "starts_at": start.isoformat(),
            "ends_at": (start + dt.timedelta(hours=2)).isoformat(),
            "external_instructor": "王老师",
        },
        format="json",
    )

    assert response.status_code == 400
    assert response.json()["errors"][0]["attr"] == "location"


def test_register_waitlist_and_promotion_through_the_api(api_client_as):
    first, second = api_client_as("operator"), api_client_as("operator")
    session = SessionFactory(capacity=1)
    url = reverse("training-session-register", args=[session.pk])

    seat = first.post(url, {}, format="json").json()
    wait = second.post(url, {}, format="json").json()
    again = second.post(url, {}, format="json")
    first.post(reverse("training-registration-cancel", args=[seat["id"]]))

    assert (seat["status"], wait["status"]) == ("registered", "waitlisted")
    assert again.status_code == 409
    assert Registration.objects.get(pk=wait["id"]).status == RegistrationStatus.REGISTERED


def test_manager_approves_a_pending_registration(api_client_as, org_tree):
    manager = api_client_as("manager")
    member = api_client_as("operator")
    session = SessionFactory(course=CourseFactory(requires_approval=True))
    pending = member.post(
        reverse("training-session-register", args=[session.pk]), {}, format="json"
    ).json()

    listed = manager.get(reverse("training-registration-list"), {"status": "pending"})
    approved = manager.post(reverse("training-registration-approve", args=[pending["id"]]))

    assert pending["status"] == "pending"
    assert [row["id"] for row in listed.json()["results"]] == [pending["id"]]
    assert approved.json()["status"] == "registered"


def test_operator_sees_only_their_own_registrations(api_client_as, org_tree):
    api = api_client_as("operator")
    session = SessionFactory()
    mine = services.registration_request(actor=api.user, session=session)
    colleague = EnrolmentFactory(staff=StaffFactory(unit=org_tree.t1), course=session.course)
    theirs = Registration.objects.create(session=session, enrolment=colleague)

    listed = api.get(reverse("training-registration-list"))
    hidden = api.get(reverse("training-registration-detail", args=[theirs.pk]))

    assert [row["id"] for row in listed.json()["results"]] == [mine.pk]
    assert hidden.status_code == 404


def test_attendance_and_self_check_in(api_client_as):
    hr = api_client_as("hr")
    trainee = api_client_as("operator")
    session = SessionFactory()
    seat = services.registration_request(actor=trainee.user, session=session)
    session.starts_at = timezone.now() - dt.timedelta(minutes=1)
    session.save(update_fields=["starts_at"])

    wrong = trainee.post(
        reverse("training-session-check-in", args=[session.pk]), {"code": "ZZZZZZ"}, format="json"
    )
    right = trainee.post(
        reverse("training-session-check-in", args=[session.pk]),
        {"code": services.session_check_in_code(session)},
        format="json",
    )
    corrected = hr.post(
        reverse("training-session-attendance", args=[session.pk]),
        {"attendance": [{"registration": seat.pk, "attended": False}]},
        format="json",
    )

    assert wrong.status_code == 400
    assert right.json()["attended"] is True
    assert corrected.json()[0]["attended"] is False


def test_session_ics_action_returns_a_calendar(api_client_as):
    api = api_client_as("auditor")
    session = SessionFactory()

    response = api.get(reverse("training-session-ics", args=[session.pk]))

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    assert b"BEGIN:VEVENT" in response.content


def test_self_learning_submitted_with_evidence_and_rejected_with_a_note(api_client_as, org_tree):
    operator = api_client_as("operator")
    manager = api_client_as("manager")

    created = operator.post(
        reverse("training-selflearning-list"),
        {
            "kind": "conference",
            "title": "运营大会",
            "hours": "7.5",
            "completed_on": timezone.localdate().isoformat(),
            "evidence": SimpleUploadedFile("agenda.pdf", b"%PDF-1.4"),
        },
        format="multipart",
    )
    record_id = created.json()["id"]
    no_note = manager.post(reverse("training-selflearning-reject", args=[record_id]), {})
    rejected = manager.post(
        reverse("training-selflearning-reject", args=[record_id]), {"note": "缺少证明"}
    )

    assert created.status_code == 201, created.json()
    assert created.json()["has_evidence_file"] is True
    assert no_note.status_code == 400
    assert rejected.json()["status"] == "rejected"


def test_unknown_self_learning_kind_is_a_400(api_client_as):
    api = api_client_as("operator")

    response = api.post(
        reverse("training-selflearning-list"),
        {"kind": "nap", "title": "x", "hours": "1", "completed_on": "2026-01-05", "summary": "x"},
        format="json",
    )

    assert response.status_code == 400
    assert response.json()["errors"][0]["attr"] == "kind"


def test_operator_uploads_own_certificate_but_not_for_others(api_client_as, org_tree):
    api = api_client_as("operator")
    colleague = StaffFactory(unit=org_tree.t1)
    today = timezone.localdate().isoformat()

    mine = api.post(
        reverse("training-certificate-list"),
        {"name": "PMP", "issued_on": today, "file": SimpleUploadedFile("c.pdf", b"%PDF")},
        format="multipart",
    )
    theirs = api.post(
        reverse("training-certificate-list"),
        {"name": "PMP", "issued_on": today, "staff": colleague.pk},
        format="json",
    )

    assert mine.status_code == 201
    assert mine.json()["has_file"] is True
    assert theirs.status_code == 404
    assert Certificate.objects.count() == 1


@pytest.mark.parametrize(
    ("_case", "url_name", "make"),
    [
        ("sessions", "training-session-list", lambda unit: SessionFactory()),
        (
            "registrations",
            "training-registration-list",
            lambda unit: Registration.objects.create(
                session=SessionFactory(), enrolment=EnrolmentFactory(staff=StaffFactory(unit=unit))
            ),
        ),
        (
            "self-learning",
            "training-selflearning-list",
            lambda unit: SelfLearningFactory(staff=StaffFactory(unit=unit)),
        ),
        (
            "certificates",
            "training-certificate-list",
            lambda unit: Certificate.objects.create(
                staff=StaffFactory(unit=unit),
                source="external",
                name="x",
                issued_on=timezone.localdate(),
            ),
        ),
    ],
)
def test_api_lists_run_a_fixed_number_of_queries(
    api_client_as, org_tree, django_assert_max_num_queries, _case, url_name, make
):
    api = api_client_as("manager")
    make(org_tree.t1)
    with django_assert_max_num_queries(12) as few:
        assert api.get(reverse(url_name)).status_code == 200
    for _n in range(20):
        make(org_tree.t1)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = api.get(reverse(url_name))
    assert response.json()["count"] >= 1
