"""Delivery pages: session list and detail, registration, attendance, check-in, .ics, exports,
self-learning and certificates; query budgets on the lists and the roster."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from opsteam.org.tests.factories import StaffFactory
from opsteam.training import services_delivery as services
from opsteam.training.choices import EnrolmentStatus, RegistrationStatus
from opsteam.training.models import Certificate, Enrolment, Registration, SelfLearning
from opsteam.training.tests.factories import (
    CourseFactory,
    EnrolmentFactory,
    SelfLearningFactory,
    SessionFactory,
)


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()


def _seats(session, count, unit):
    for _n in range(count):
        enrolment = EnrolmentFactory(staff=StaffFactory(unit=unit), course=session.course)
        Registration.objects.create(session=session, enrolment=enrolment)


def _live(session):
    session.starts_at = timezone.now() - dt.timedelta(minutes=5)
    session.ends_at = timezone.now() + dt.timedelta(hours=1)
    session.save(update_fields=["starts_at", "ends_at"])
    return session


def test_session_list_shows_upcoming_sessions_with_seats(client_as):
    client = client_as("operator")
    upcoming = SessionFactory(course=CourseFactory(name="直播运营", name_en="Live streaming"))
    old = SessionFactory(
        starts_at=timezone.now() - dt.timedelta(days=3),
        ends_at=timezone.now() - dt.timedelta(days=3) + dt.timedelta(hours=2),
        course=CourseFactory(name="旧课程", name_en="Old course"),
    )

    page = client.get(reverse("training:session_list"))
    past = client.get(reverse("training:session_list"), {"when": "past"})

    assert page.status_code == 200
    assert "Live streaming" in page.content.decode()
    assert old.get_absolute_url() not in page.content.decode()
    assert "0 / 10" in page.content.decode()
    assert old.get_absolute_url() in past.content.decode()
    assert upcoming.get_absolute_url() in page.content.decode()


def test_session_list_runs_a_fixed_number_of_queries(
    client_as, org_tree, django_assert_max_num_queries
):
    client = client_as("hr")
    for _n in range(2):
        _seats(SessionFactory(), 2, org_tree.t1)
    client.get(reverse("training:session_list"))
    with django_assert_max_num_queries(12) as few:
        client.get(reverse("training:session_list"))
    for _n in range(15):
        _seats(SessionFactory(), 3, org_tree.t1)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(reverse("training:session_list"))
    assert response.status_code == 200


def test_roster_runs_a_fixed_number_of_queries(client_as, org_tree, django_assert_max_num_queries):
    client = client_as("hr")
    session = SessionFactory(capacity=200)
    _seats(session, 2, org_tree.t1)
    url = reverse("training:session_detail", args=[session.pk])
    client.get(url)
    with django_assert_max_num_queries(40) as few:
        client.get(url)
    _seats(session, 40, org_tree.t2)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(url)
    attendance_url = reverse("training:session_attendance", args=[session.pk])
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(attendance_url)
    assert response.content.decode().count("<tr>") >= 42


def test_manager_sees_only_their_people_in_the_roster(client_as, org_tree):
    client = client_as("manager")
    session = SessionFactory()
    mine = StaffFactory(unit=org_tree.t1, name="张三", name_en="Zhang San")
    other = StaffFactory(unit=org_tree.t3, name="李四", name_en="Li Si")
    for person in (mine, other):
        Registration.objects.create(
            session=session, enrolment=EnrolmentFactory(staff=person, course=session.course)
        )

    page = client.get(reverse("training:session_detail", args=[session.pk])).content.decode()

    assert "Zhang San" in page
    assert "Li Si" not in page


def test_operator_registers_and_cancels_from_the_session_page(client_as):
    client = client_as("operator")
    session = SessionFactory(capacity=1)
    url = reverse("training:session_detail", args=[session.pk])

    response = client.post(reverse("training:session_register", args=[session.pk]), follow=True)
    registration = Registration.objects.get(session=session)
    assert registration.status == RegistrationStatus.REGISTERED
    assert "Registered" in response.content.decode()
    assert "cancel-my-place" in client.get(url).content.decode()

    client.post(reverse("training:registration_cancel", args=[registration.pk]))
    registration.refresh_from_db()
    assert registration.status == RegistrationStatus.CANCELLED


def test_manager_registers_a_team_member(client_as, org_tree):
    client = client_as("manager")
    member = StaffFactory(unit=org_tree.t1)
    session = SessionFactory()

    client.post(reverse("training:session_register", args=[session.pk]), {"staff": member.pk})

    assert Registration.objects.get(session=session).enrolment.staff == member


def test_attendance_page_saves_the_check_boxes_and_completes_courses(client_as, org_tree):
    client = client_as("hr")
    session = _live(SessionFactory())
    _seats(session, 2, org_tree.t1)
    here, away = Registration.objects.filter(session=session).order_by("pk")

    page = client.get(reverse("training:session_attendance", args=[session.pk]))
    assert services.session_check_in_code(session) in page.content.decode()
    client.post(
        reverse("training:session_attendance", args=[session.pk]),
        {"registration": [here.pk, away.pk], "attended": [here.pk]},
    )

    here.refresh_from_db()
    away.refresh_from_db()
    assert (here.attended, away.attended) == (True, False)
    assert Enrolment.objects.get(pk=here.enrolment_id).status == EnrolmentStatus.COMPLETED


def test_trainee_checks_in_with_the_code(client_as):
    client = client_as("operator")
    session = SessionFactory()
    registration = services.registration_request(actor=client.user, session=session)
    _live(session)
    url = reverse("training:session_check_in", args=[session.pk])

    wrong = client.post(url, {"code": "ZZZZZZ"})
    right = client.post(url, {"code": services.session_check_in_code(session)})

    assert wrong.status_code == 400
    assert "That code is not right." in wrong.content.decode()
    assert right.status_code == 302
    registration.refresh_from_db()
    assert registration.attended is True


def test_session_ics_download_is_a_valid_calendar(client_as):
    client = client_as("operator")
    session = SessionFactory()

    response = client.get(reverse("training:session_ics", args=[session.pk]))

    assert response["Content-Type"].startswith("text/calendar")
    text = response.content.decode()
    assert text.startswith("BEGIN:VCALENDAR\r\n")
    assert f"UID:training-session-{session.pk}@opsteam" in text


def test_my_sessions_feed_holds_my_registered_sessions_only(client_as):
    client = client_as("operator")
    mine = SessionFactory()
    services.registration_request(actor=client.user, session=mine)
    other = SessionFactory()

    text = client.get(reverse("training:my_sessions_ics")).content.decode()

    assert f"training-session-{mine.pk}@" in text
    assert f"training-session-{other.pk}@" not in text


def test_attendance_export_lists_the_roster(client_as, org_tree):
    client = client_as("hr")
    session = SessionFactory()
    _seats(session, 3, org_tree.t1)

    response = client.get(reverse("training:session_attendance_export", args=[session.pk]))

    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "Employee number"
    assert len(rows) == 4


def test_hr_schedules_a_session(client_as):
    client = client_as("hr")
    course = CourseFactory()
    start = timezone.localtime() + dt.timedelta(days=3)

    response = client.post(
        reverse("training:session_create"),
        {
            "course": course.pk,
            "starts_at": start.strftime("%Y-%m-%dT09:00"),
            "ends_at": start.strftime("%Y-%m-%dT11:00"),
            "external_instructor": "王老师",
            "location": "培训室 B",
            "capacity": 12,
        },
    )

    assert response.status_code == 302
    assert course.sessions.get().capacity == 12


def test_session_form_names_the_missing_place(client_as):
    client = client_as("hr")
    start = timezone.localtime() + dt.timedelta(days=3)

    response = client.post(
        reverse("training:session_create"),
        {
            "course": CourseFactory().pk,
            "starts_at": start.strftime("%Y-%m-%dT09:00"),
            "ends_at": start.strftime("%Y-%m-%dT11:00"),
            "external_instructor": "王老师",
            "capacity": 12,
        },
    )

    assert response.status_code == 400
    assert "Give a place or an online link." in response.content.decode()


def test_self_learning_with_evidence_is_submitted_and_downloaded(client_as):
    client = client_as("operator")

    response = client.post(
        reverse("training:selflearning_create"),
        {
            "kind": "book",
            "title": "《增长黑客》",
            "hours": "6",
            "completed_on": timezone.localdate().isoformat(),
            "evidence": SimpleUploadedFile("笔记.txt", "读书笔记".encode()),
        },
    )

    record = SelfLearning.objects.get()
    assert response.status_code == 302
    download = client.get(reverse("training:selflearning_evidence", args=[record.pk]))
    assert download.status_code == 200
    assert "attachment" in download["Content-Disposition"]
    assert b"".join(download.streaming_content) == "读书笔记".encode()


def test_manager_approves_self_learning_from_the_detail_page(client_as, org_tree):
    client = client_as("manager")
    record = SelfLearningFactory(staff=StaffFactory(unit=org_tree.t1))

    client.post(reverse("training:selflearning_decide", args=[record.pk]), {"decision": "approve"})

    record.refresh_from_db()
    assert record.status == "approved"


def test_self_learning_list_runs_a_fixed_number_of_queries(
    client_as, org_tree, django_assert_max_num_queries
):
    client = client_as("hr")
    SelfLearningFactory(staff=StaffFactory(unit=org_tree.t1))
    with django_assert_max_num_queries(12) as few:
        client.get(reverse("training:selflearning_list"))
    for _n in range(20):
        SelfLearningFactory(staff=StaffFactory(unit=org_tree.t2))
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse("training:selflearning_list"))


def test_certificate_upload_and_expiring_view(client_as):
    client = client_as("hr")
    today = timezone.localdate()

    client.post(
        reverse("training:certificate_create"),
        {
            "name": "数据分析师",
            "issued_on": (today - dt.timedelta(days=300)).isoformat(),
            "expires_on": (today + dt.timedelta(days=20)).isoformat(),
            "file": SimpleUploadedFile("cert.pdf", b"%PDF-1.4"),
        },
    )

    certificate = Certificate.objects.get()
    assert certificate.staff == client.user.staff
    expiring = client.get(reverse("training:certificate_expiring")).content.decode()
    assert "数据分析师" in expiring
    assert (
        client.get(reverse("training:certificate_download", args=[certificate.pk])).status_code
        == 200
    )


def test_certificate_list_runs_a_fixed_number_of_queries(
    client_as, org_tree, django_assert_max_num_queries
):
    client = client_as("hr")
    today = timezone.localdate()

    def make(n):
        for _i in range(n):
            Certificate.objects.create(
                staff=StaffFactory(unit=org_tree.t1), source="external", name="x", issued_on=today
            )

    make(1)
    with django_assert_max_num_queries(12) as few:
        client.get(reverse("training:certificate_list"))
    make(20)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse("training:certificate_list"))
