"""Services of training delivery: seats, waiting list, approval, attendance, cancellation."""

from __future__ import annotations

import datetime as dt
import threading
from decimal import Decimal

import pytest
from django.core import mail
from django.core.cache import cache
from django.db import close_old_connections, connection
from django.utils import timezone

from opsteam.core.exceptions import InvalidTransition, NotVisible, PolicyDenied, ValidationFailed
from opsteam.core.models import AuditEntry
from opsteam.org.tests.factories import StaffFactory
from opsteam.training import selectors_delivery as selectors
from opsteam.training import services_delivery as services
from opsteam.training.choices import (
    ApprovalStatus,
    EnrolmentStatus,
    RegistrationStatus,
    SessionStatus,
)
from opsteam.training.models import Enrolment, Registration
from opsteam.training.tests.factories import (
    CourseFactory,
    EnrolmentFactory,
    ExamFactory,
    SelfLearningFactory,
    SessionFactory,
)


def _person(user_as, role="operator", unit=None, email=None):
    user = user_as(role, unit=unit)
    if email is not None:
        user.staff.email = email
        user.staff.save(update_fields=["email"])
    return user


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Check-in failures are counted in the cache; ids repeat between tests."""
    cache.clear()


@pytest.fixture
def hr(user_as):
    return user_as("hr")


def test_self_registration_enrols_in_an_open_course_and_starts_it(user_as):
    user = _person(user_as)
    session = SessionFactory(course=CourseFactory(is_open=True), capacity=2)

    registration = services.registration_request(actor=user, session=session)

    assert registration.status == RegistrationStatus.REGISTERED
    enrolment = Enrolment.objects.get(staff=user.staff, course=session.course)
    assert enrolment.status == EnrolmentStatus.IN_PROGRESS
    assert AuditEntry.objects.filter(
        object_type="training.registration", object_id=str(registration.pk)
    ).exists()


def test_closed_course_needs_an_assignment_before_self_registration(user_as):
    user = _person(user_as)
    session = SessionFactory(course=CourseFactory(is_open=False))

    with pytest.raises(InvalidTransition):
        services.registration_request(actor=user, session=session)

    EnrolmentFactory(staff=user.staff, course=session.course)
    registration = services.registration_request(actor=user, session=session)
    assert registration.status == RegistrationStatus.REGISTERED


def test_full_session_waitlists_and_a_cancelled_seat_promotes_the_first_in_line(
    user_as, django_capture_on_commit_callbacks
):
    session = SessionFactory(capacity=1)
    first, second, third = (_person(user_as, email=f"p{i}@example.com") for i in range(3))
    seat = services.registration_request(actor=first, session=session)
    wait_1 = services.registration_request(actor=second, session=session)
    wait_2 = services.registration_request(actor=third, session=session)
    assert [seat.status, wait_1.status, wait_2.status] == [
        RegistrationStatus.REGISTERED,
        RegistrationStatus.WAITLISTED,
        RegistrationStatus.WAITLISTED,
    ]
    assert selectors.waitlist_position(wait_2) == 2
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        services.registration_cancel(actor=first, registration=seat)

    wait_1.refresh_from_db()
    wait_2.refresh_from_db()
    assert wait_1.status == RegistrationStatus.REGISTERED
    assert wait_2.status == RegistrationStatus.WAITLISTED
    recipients = sorted(m.to[0] for m in mail.outbox)
    assert recipients == ["p0@example.com", "p1@example.com"]
    cancel = next(m for m in mail.outbox if m.to == ["p0@example.com"])
    promoted = next(m for m in mail.outbox if m.to == ["p1@example.com"])
    assert "METHOD:CANCEL" in cancel.attachments[0][1].decode()
    assert "METHOD:REQUEST" in promoted.attachments[0][1].decode()


def test_registering_twice_for_the_same_session_is_refused(user_as):
    user = _person(user_as)
    session = SessionFactory()
    services.registration_request(actor=user, session=session)

    with pytest.raises(InvalidTransition):
        services.registration_request(actor=user, session=session)


def test_cancelled_place_can_be_taken_again_at_the_end_of_the_line(user_as):
    session = SessionFactory(capacity=1)
    holder, waiter = _person(user_as), _person(user_as)
    services.registration_request(actor=holder, session=session)
    mine = services.registration_request(actor=waiter, session=session)
    services.registration_cancel(actor=waiter, registration=mine)

    again = services.registration_request(actor=waiter, session=session)

    assert again.pk == mine.pk
    assert again.status == RegistrationStatus.WAITLISTED


def test_capacity_is_never_exceeded_whatever_the_order_of_requests(user_as):
    session = SessionFactory(capacity=3)
    people = [_person(user_as) for _ in range(7)]
    registrations = [services.registration_request(actor=p, session=session) for p in people]

    for person, registration in list(zip(people, registrations, strict=True))[:2]:
        services.registration_cancel(actor=person, registration=registration)

    seats = selectors.session_seats(session)
    assert seats == {"registered": 3, "waitlisted": 2, "pending": 0, "free": 0}


@pytest.mark.django_db(transaction=True)
def test_concurrent_requests_for_the_last_seat_never_overbook(org_tree, user_as):
    if connection.vendor == "sqlite":
        pytest.skip("row locks need PostgreSQL; SQLite serialises writers anyway")
    session = SessionFactory(capacity=1)
    people = [_person(user_as) for _ in range(4)]
    barrier = threading.Barrier(len(people))
    errors: list[Exception] = []

    def book(user):
        try:
            barrier.wait()
            services.registration_request(actor=user, session=session)
        except Exception as exc:
            errors.append(exc)
        finally:
            close_old_connections()

    threads = [threading.Thread(target=book, args=(p,)) for p in people]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert not errors
    statuses = sorted(Registration.objects.filter(session=session).values_list("status", flat=True))
    assert statuses.count(RegistrationStatus.REGISTERED) == 1
    assert statuses.count(RegistrationStatus.WAITLISTED) == 3


def test_course_needing_approval_waits_for_the_manager(user_as):
    manager = user_as("manager")
    user = _person(user_as, email="me@example.com")
    session = SessionFactory(course=CourseFactory(requires_approval=True), capacity=1)

    registration = services.registration_request(actor=user, session=session)
    assert registration.status == RegistrationStatus.PENDING
    assert selectors.session_seats(session)["registered"] == 0
    with pytest.raises(PolicyDenied):
        services.registration_approve(actor=user, registration=registration)

    services.registration_approve(actor=manager, registration=registration)

    registration.refresh_from_db()
    assert registration.status == RegistrationStatus.REGISTERED
    assert registration.decided_by == manager


def test_manager_cannot_approve_their_own_registration(user_as):
    manager = user_as("manager")
    session = SessionFactory(course=CourseFactory(requires_approval=True))
    registration = services.registration_request(actor=manager, session=session)

    with pytest.raises(PolicyDenied):
        services.registration_approve(actor=manager, registration=registration)


def test_manager_outside_the_subtree_cannot_approve(org_tree, user_as):
    other_manager = user_as("manager", unit=org_tree.t3)
    user = _person(user_as)
    session = SessionFactory(course=CourseFactory(requires_approval=True))
    registration = services.registration_request(actor=user, session=session)

    with pytest.raises(NotVisible):
        services.registration_approve(actor=other_manager, registration=registration)


def test_rejection_tells_the_person(user_as, hr, django_capture_on_commit_callbacks):
    user = _person(user_as, email="me@example.com")
    session = SessionFactory(course=CourseFactory(requires_approval=True))
    registration = services.registration_request(actor=user, session=session)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        services.registration_reject(actor=hr, registration=registration, note="名额留给新人")

    registration.refresh_from_db()
    assert registration.status == RegistrationStatus.REJECTED
    assert "名额留给新人" in mail.outbox[0].body


def test_manager_registers_a_team_member_without_separate_approval(org_tree, user_as):
    manager = user_as("manager")
    member = StaffFactory(unit=org_tree.t1)
    session = SessionFactory(course=CourseFactory(requires_approval=True, is_open=False))

    registration = services.registration_request(actor=manager, session=session, staff=member)

    assert registration.status == RegistrationStatus.REGISTERED
    assert registration.enrolment.staff == member


def test_manager_cannot_register_someone_outside_their_subtree(org_tree, user_as):
    manager = user_as("manager")
    outsider = StaffFactory(unit=org_tree.t3)
    session = SessionFactory()

    with pytest.raises(NotVisible):
        services.registration_request(actor=manager, session=session, staff=outsider)
    assert not Enrolment.objects.filter(staff=outsider).exists()


def test_operator_cannot_register_a_colleague(org_tree, user_as):
    user = _person(user_as)
    colleague = StaffFactory(unit=org_tree.t1)

    with pytest.raises(NotVisible):
        services.registration_request(actor=user, session=SessionFactory(), staff=colleague)


def test_started_session_takes_no_registration(user_as):
    user = _person(user_as)
    session = SessionFactory(
        starts_at=timezone.now() - dt.timedelta(minutes=5),
        ends_at=timezone.now() + dt.timedelta(hours=1),
    )

    with pytest.raises(InvalidTransition):
        services.registration_request(actor=user, session=session)


def test_check_in_completes_a_course_without_post_test(user_as, hr):
    user = _person(user_as)
    session = SessionFactory()
    registration = services.registration_request(actor=user, session=session)
    session.starts_at = timezone.now() - dt.timedelta(minutes=10)
    session.save(update_fields=["starts_at"])

    services.attendance_record(actor=hr, session=session, attended={registration.pk: True})

    enrolment = Enrolment.objects.get(pk=registration.enrolment_id)
    assert enrolment.status == EnrolmentStatus.COMPLETED
    registration.refresh_from_db()
    assert registration.attended is True
    assert registration.checked_in_at is not None


def test_check_in_leaves_a_course_with_post_test_open(user_as, hr):
    user = _person(user_as)
    course = CourseFactory()
    ExamFactory(course=course)
    session = SessionFactory(course=course)
    registration = services.registration_request(actor=user, session=session)
    session.starts_at = timezone.now() - dt.timedelta(minutes=10)
    session.save(update_fields=["starts_at"])

    services.attendance_record(actor=hr, session=session, attended={registration.pk: True})

    assert Enrolment.objects.get(pk=registration.enrolment_id).status == EnrolmentStatus.IN_PROGRESS


def test_instructor_takes_attendance_but_a_colleague_may_not(user_as):
    instructor = user_as("operator")
    colleague = user_as("operator")
    trainee = _person(user_as)
    session = SessionFactory(instructor=instructor.staff)
    registration = services.registration_request(actor=trainee, session=session)
    session.starts_at = timezone.now() - dt.timedelta(minutes=1)
    session.save(update_fields=["starts_at"])

    with pytest.raises(PolicyDenied):
        services.attendance_record(
            actor=colleague, session=session, attended={registration.pk: True}
        )
    services.attendance_record(actor=instructor, session=session, attended={registration.pk: True})

    registration.refresh_from_db()
    assert registration.attended is True


def test_self_check_in_needs_the_code_and_the_window(user_as):
    user = _person(user_as)
    session = SessionFactory()
    registration = services.registration_request(actor=user, session=session)
    code = services.session_check_in_code(session)

    with pytest.raises(InvalidTransition):  # a week early
        services.self_check_in(actor=user, session=session, code=code)
    session.starts_at = timezone.now() - dt.timedelta(minutes=5)
    session.save(update_fields=["starts_at"])
    code = services.session_check_in_code(session)
    with pytest.raises(ValidationFailed):
        services.self_check_in(actor=user, session=session, code="WRONG1")

    services.self_check_in(actor=user, session=session, code=code.lower())

    registration.refresh_from_db()
    assert registration.attended is True
    assert len(code) == 6


def test_repeated_wrong_codes_lock_self_check_in(user_as):
    user = _person(user_as)
    session = SessionFactory()
    services.registration_request(actor=user, session=session)
    session.starts_at = timezone.now() - dt.timedelta(minutes=5)
    session.save(update_fields=["starts_at"])
    for _attempt in range(services.CHECK_IN_MAX_FAILURES):
        with pytest.raises(ValidationFailed):
            services.self_check_in(actor=user, session=session, code="ZZZZZZ")

    with pytest.raises(InvalidTransition):
        services.self_check_in(
            actor=user, session=session, code=services.session_check_in_code(session)
        )


def test_closing_a_session_records_absentees(user_as, hr):
    present, absent = _person(user_as), _person(user_as)
    session = SessionFactory(capacity=5)
    here = services.registration_request(actor=present, session=session)
    away = services.registration_request(actor=absent, session=session)
    session.starts_at = timezone.now() - dt.timedelta(hours=3)
    session.ends_at = timezone.now() - dt.timedelta(hours=1)
    session.save(update_fields=["starts_at", "ends_at"])
    services.attendance_record(actor=hr, session=session, attended={here.pk: True})

    services.session_close(actor=hr, session=session)

    away.refresh_from_db()
    session.refresh_from_db()
    assert session.status == SessionStatus.COMPLETED
    assert away.attended is False


def test_cancelling_a_session_cancels_seats_and_notifies_everyone(
    user_as, hr, django_capture_on_commit_callbacks
):
    people = [_person(user_as, email=f"x{i}@example.com") for i in range(3)]
    session = SessionFactory(capacity=2)
    for person in people:
        services.registration_request(actor=person, session=session)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        services.session_cancel(actor=hr, session=session, reason="讲师生病")

    assert set(Registration.objects.filter(session=session).values_list("status", flat=True)) == {
        RegistrationStatus.CANCELLED
    }
    assert sorted(m.to[0] for m in mail.outbox) == [f"x{i}@example.com" for i in range(3)]
    assert all("讲师生病" in m.body for m in mail.outbox)
    assert all("METHOD:CANCEL" in m.attachments[0][1].decode() for m in mail.outbox)


def test_operator_cannot_create_or_cancel_sessions(user_as):
    user = _person(user_as)
    session = SessionFactory()

    with pytest.raises(PolicyDenied):
        services.session_cancel(actor=user, session=session)
    with pytest.raises(PolicyDenied):
        services.session_create(
            actor=user,
            course=session.course,
            starts_at=session.starts_at,
            ends_at=session.ends_at,
            external_instructor="x",
            location="A",
        )


def test_session_needs_an_instructor_a_place_and_a_future_start(hr):
    course = CourseFactory()
    start = timezone.now() + dt.timedelta(days=1)
    base = {
        "actor": hr,
        "course": course,
        "starts_at": start,
        "ends_at": start + dt.timedelta(hours=1),
    }

    with pytest.raises(ValidationFailed) as no_place:
        services.session_create(**base, external_instructor="王老师")
    with pytest.raises(ValidationFailed) as no_instructor:
        services.session_create(**base, location="A")
    with pytest.raises(ValidationFailed) as past:
        services.session_create(
            **{**base, "starts_at": start - dt.timedelta(days=2)},
            external_instructor="王老师",
            location="A",
        )

    assert no_place.value.field == "location"
    assert no_instructor.value.field == "instructor"
    assert past.value.field == "starts_at"


def test_more_seats_promote_the_waiting_list_and_fewer_than_registered_are_refused(user_as, hr):
    session = SessionFactory(capacity=1)
    services.registration_request(actor=_person(user_as), session=session)
    waiting = services.registration_request(actor=_person(user_as), session=session)

    with pytest.raises(ValidationFailed):
        services.session_update(actor=hr, session=session, capacity=0)
    services.session_update(actor=hr, session=session, capacity=2)

    waiting.refresh_from_db()
    assert waiting.status == RegistrationStatus.REGISTERED


def test_self_learning_is_approved_by_the_manager_not_by_oneself(user_as):
    manager = user_as("manager")
    user = _person(user_as)
    record = services.selflearning_submit(
        actor=user,
        kind="book",
        title="《用户体验要素》",
        hours=Decimal("8"),
        completed_on=timezone.localdate(),
        summary="读书笔记",
    )
    with pytest.raises(PolicyDenied):
        services.selflearning_decide(actor=user, record=record, approve=True)
    with pytest.raises(ValidationFailed):
        services.selflearning_decide(actor=manager, record=record, approve=False)

    services.selflearning_decide(actor=manager, record=record, approve=True)

    record.refresh_from_db()
    assert record.status == ApprovalStatus.APPROVED


def test_self_learning_refuses_files_outside_the_allow_list(user_as):
    from django.core.files.uploadedfile import SimpleUploadedFile

    user = _person(user_as)
    with pytest.raises(ValidationFailed) as error:
        services.selflearning_submit(
            actor=user,
            kind="book",
            title="x",
            hours=Decimal("1"),
            completed_on=timezone.localdate(),
            evidence=SimpleUploadedFile("run.exe", b"MZ"),
        )
    assert error.value.field == "evidence"


def test_learning_hours_add_completed_courses_and_approved_self_learning(org_tree):
    staff, other = StaffFactory(unit=org_tree.t1), StaffFactory(unit=org_tree.t1)
    this_year = timezone.localdate().year
    on = dt.date(this_year, 3, 1)
    EnrolmentFactory(
        staff=staff,
        course=CourseFactory(duration_hours=Decimal("3")),
        status=EnrolmentStatus.COMPLETED,
        completed_on=on,
    )
    EnrolmentFactory(
        staff=staff,
        course=CourseFactory(duration_hours=Decimal("5")),
        status=EnrolmentStatus.COMPLETED,
        completed_on=dt.date(this_year - 1, 12, 31),
    )
    EnrolmentFactory(staff=staff, course=CourseFactory(duration_hours=Decimal("7")))
    SelfLearningFactory(staff=staff, hours=Decimal("2.5"), status="approved", completed_on=on)
    SelfLearningFactory(staff=staff, hours=Decimal("9"), status="submitted", completed_on=on)
    SelfLearningFactory(staff=other, hours=Decimal("1"), status="approved", completed_on=on)

    hours = selectors.learning_hours([staff.pk, other.pk], this_year)

    assert hours == {staff.pk: Decimal("5.5"), other.pk: Decimal("1")}


def test_learning_hours_run_two_queries(org_tree, django_assert_num_queries):
    people = [StaffFactory(unit=org_tree.t1) for _ in range(5)]
    with django_assert_num_queries(2):
        selectors.learning_hours([p.pk for p in people], 2026)


def test_external_certificate_for_oneself_or_by_hr_only(org_tree, user_as, hr):
    user = _person(user_as)
    colleague = StaffFactory(unit=org_tree.t1)
    today = timezone.localdate()

    mine = services.certificate_upload(actor=user, name="PMP", issued_on=today)
    with pytest.raises(NotVisible):
        services.certificate_upload(actor=user, name="PMP", issued_on=today, staff=colleague)
    theirs = services.certificate_upload(actor=hr, name="CPA", issued_on=today, staff=colleague)

    assert mine.staff == user.staff
    assert theirs.staff == colleague
    assert mine.source == "external"
