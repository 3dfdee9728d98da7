import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from opsteam.insights import services
from opsteam.insights.models import SystemReview
from opsteam.org.models import Staff
from opsteam.training.tests.factories import CourseFactory, EnrolmentFactory
from opsteam.workflow.models import ImprovementAction

pytestmark = pytest.mark.django_db


def _page(client, name, *args, **query):
    response = client.get(reverse(name, args=args), query)
    return response, response.content.decode()


# The home page ---------------------------------------------------------------------------------


def test_home_loads_its_panels_with_htmx(client_as):
    response, page = _page(client_as("operator"), "insights:home")

    assert response.status_code == 200
    assert reverse("insights:home_owed") in page
    assert reverse("insights:home_watch") in page


def contributed(*, user):
    """A collaboration area's section, as insights/home.py describes it."""
    return [
        {
            "key": "announcements-to-ack",
            "title": "Announcements to acknowledge",
            "count": 7,
            "items": [{"title": "双十一排班通知", "url": "/collab/", "due": None, "meta": ""}],
            "more_url": "/collab/",
        }
    ]


def broken(*, user):
    raise RuntimeError("another area's bug")


def test_nothing_owed_says_well_done(client_as, monkeypatch):
    monkeypatch.setattr("opsteam.insights.home.SECTION_SOURCES", ())

    response, page = _page(client_as("auditor"), "insights:home_owed")

    assert response.status_code == 200
    assert "Nothing due, well done" in page


def test_other_areas_sections_show_and_a_broken_one_is_skipped(client_as, monkeypatch):
    monkeypatch.setattr(
        "opsteam.insights.home.SECTION_SOURCES",
        (f"{__name__}.broken", f"{__name__}.contributed"),
    )

    response, page = _page(client_as("operator"), "insights:home_owed")

    assert response.status_code == 200
    assert 'id="home-announcements-to-ack"' in page
    assert "双十一排班通知" in page
    assert ">7<" in page


def test_operator_sees_training_due_and_the_actions_they_own(client_as, user_as, quarter_review):
    client = client_as("operator")
    me = Staff.objects.get(user=client.user)
    today = timezone.localdate()
    course = CourseFactory(name="直播间话术", name_en="Live-room scripts")
    EnrolmentFactory(staff=me, course=course, due_on=today - dt.timedelta(days=2))
    services.review_action_create(
        actor=user_as("hr"),
        review=quarter_review,
        section="training",
        title="整理新人手册",
        owner=me,
    )

    _response, page = _page(client, "insights:home_owed")

    assert 'id="home-training-due"' in page
    assert str(course) in page
    assert "overdue" in page
    assert 'id="home-pdca-actions"' in page
    assert "整理新人手册" in page
    assert "Nothing due" not in page


def test_operator_has_no_team_panel(client_as):
    _response, page = _page(client_as("operator"), "insights:home_watch")

    assert "home-watch-team" not in page


def test_manager_sees_the_team_status_and_hr_the_organisation(client_as, org_tree, quarter_review):
    from opsteam.org.tests.factories import StaffFactory

    person = StaffFactory(unit=org_tree.t1)
    EnrolmentFactory(staff=person, due_on=timezone.localdate() - dt.timedelta(days=5))
    EnrolmentFactory(
        staff=StaffFactory(unit=org_tree.t3), due_on=timezone.localdate() - dt.timedelta(days=5)
    )

    _r, manager_page = _page(client_as("manager"), "insights:home_watch")
    assert 'id="home-watch-team"' in manager_page
    assert "home-watch-hr" not in manager_page
    # only the team's overdue enrolment, not T3's
    assert 'data-figure="training-overdue"' in manager_page
    block = manager_page.split('data-figure="training-overdue"')[1][:600]
    assert ">1</div>" in block

    _r, hr_page = _page(client_as("hr"), "insights:home_watch")
    assert 'id="home-watch-hr"' in hr_page
    assert 'id="home-watch-system-review"' in hr_page
    assert quarter_review.title in hr_page


# The review pages -------------------------------------------------------------------------------


def test_hr_creates_a_review_from_the_page(client_as):
    client = client_as("hr")

    form = client.get(reverse("insights:review_create"))
    response = client.post(
        reverse("insights:review_create"),
        {"period_start": "2026-04-01", "period_end": "2026-06-30", "title": ""},
    )

    assert form.status_code == 200
    review = SystemReview.objects.get()
    assert response.status_code == 302
    assert response.url == review.get_absolute_url()
    assert review.title == "2026 Q2 system review"


def test_create_form_shows_errors_inline(client_as):
    response = client_as("hr").post(
        reverse("insights:review_create"),
        {"period_start": "2026-06-30", "period_end": "2026-04-01"},
    )

    assert response.status_code == 400
    assert "The end comes before the start." in response.content.decode()
    assert not SystemReview.objects.exists()


def test_report_shows_sections_and_an_empty_engagement(client_as, quarter_review):
    response, page = _page(client_as("hr"), "insights:review_detail", quarter_review.pk)

    assert response.status_code == 200
    for key in ("fairness", "training", "engagement", "suggestions", "process"):
        assert f'id="section-{key}"' in page
    assert "No pulse survey in this period." in page
    assert 'id="review-action-form"' in page


def test_fairness_section_is_hidden_from_managers(client_as, quarter_review):
    _r, page = _page(client_as("manager"), "insights:review_detail", quarter_review.pk)

    assert 'id="section-training"' in page
    assert 'id="section-fairness"' not in page
    assert 'id="review-action-form"' not in page


def test_operators_cannot_open_reviews(client_as, quarter_review):
    client = client_as("operator")

    assert client.get(reverse("insights:review_list")).status_code == 403
    assert (
        client.get(reverse("insights:review_detail", args=[quarter_review.pk])).status_code == 404
    )


def test_raise_an_action_then_close_the_review(client_as, quarter_review):
    client = client_as("hr")
    me = Staff.objects.get(user=client.user)

    client.post(
        reverse("insights:review_action_create", args=[quarter_review.pk]),
        {"section": "training", "title": "培训提醒提前", "owner": me.pk, "due_date": "2026-12-01"},
    )
    client.post(
        reverse("insights:review_edit", args=[quarter_review.pk]),
        {"title": quarter_review.title, "summary": "**稳定**", "conclusions": "继续推进"},
    )
    client.post(reverse("insights:review_start", args=[quarter_review.pk]))
    closed = client.post(reverse("insights:review_close", args=[quarter_review.pk]))
    _r, page = _page(client, "insights:review_detail", quarter_review.pk)

    action = ImprovementAction.objects.get()
    assert action.review == quarter_review
    assert action.owner == me
    assert closed.status_code == 302
    assert SystemReview.objects.get().status == "closed"
    assert "培训提醒提前" in page
    assert "<strong>稳定</strong>" in page
    assert 'id="review-action-form"' not in page


def test_next_review_tracks_open_actions_of_the_previous_one(client_as, quarter_review):
    client = client_as("hr")
    services.review_action_create(
        actor=client.user, review=quarter_review, section="training", title="上季度遗留"
    )
    later = services.system_review_create(
        actor=client.user, period_start=dt.date(2026, 10, 1), period_end=dt.date(2026, 12, 31)
    )

    _r, page = _page(client, "insights:review_detail", later.pk)

    assert 'id="previous-actions"' in page
    assert "上季度遗留" in page


def test_export_and_print(client_as, quarter_review):
    client = client_as("hr")

    export = client.get(reverse("insights:review_export", args=[quarter_review.pk]))
    printable = client.get(reverse("insights:review_print", args=[quarter_review.pk]))

    assert export.status_code == 200
    assert export["Content-Type"].startswith("application/vnd.openxmlformats")
    assert printable.status_code == 200
    assert quarter_review.title in printable.content.decode()


def test_action_page_of_a_review_action_renders(client_as, quarter_review):
    client = client_as("hr")
    action = services.review_action_create(
        actor=client.user, review=quarter_review, section="training", title="流程梳理"
    )

    detail = client.get(action.get_absolute_url())
    listing = client.get(reverse("workflow:action_list"))
    edit = client.get(reverse("workflow:action_edit", args=[action.pk]))

    assert detail.status_code == 200
    assert quarter_review.title in detail.content.decode()
    assert listing.status_code == 200
    assert "流程梳理" in listing.content.decode()
    assert edit.status_code == 200
