import pytest
from django.urls import reverse

from opsteam.core.models import AuditEntry
from opsteam.org.models import JobDescription
from opsteam.org.tests.factories import (
    ActivityFactory,
    JobDescriptionFactory,
    JobDutyFactory,
    RaciAssignmentFactory,
    StaffFactory,
)


@pytest.fixture
def catalogue(org_tree):
    staff = StaffFactory(unit=org_tree.t1)
    jd = JobDescriptionFactory(position=staff.position)
    JobDutyFactory(job_description=jd, title="商品上架", time_share=40)
    activity = ActivityFactory(name="大促方案审批", name_en="Campaign plan approval")
    RaciAssignmentFactory(activity=activity, position=staff.position, role="A")
    RaciAssignmentFactory(activity=activity, role="A")
    return {"staff": staff, "jd": jd, "activity": activity}


@pytest.mark.parametrize(
    "name",
    [
        "insights:home",
        "org:orgchart",
        "org:orgunit_list",
        "org:staff_list",
        "org:position_list",
        "org:jobdescription_list",
        "org:raci_matrix",
        "org:raci_analysis",
        "org:who_does_what",
        "core:import_list",
        "core:audit_list",
        "accounts:user_list",
        "accounts:token_list",
        "accounts:preferences",
        "accounts:password_change",
    ],
)
def test_hr_pages_render(client_as, catalogue, name):
    client = client_as("hr")

    response = client.get(reverse(name))

    assert response.status_code == 200, response.content[:500]


def test_detail_pages_render(client_as, catalogue, org_tree):
    client = client_as("hr")
    for url in [
        catalogue["staff"].get_absolute_url(),
        catalogue["staff"].position.get_absolute_url(),
        catalogue["jd"].get_absolute_url(),
        org_tree.t1.get_absolute_url(),
    ]:
        response = client.get(url)
        assert response.status_code == 200, (url, response.content[:300])


def test_raci_analysis_flags_two_accountable_positions(client_as, catalogue):
    client = client_as("hr")

    response = client.get(reverse("org:raci_analysis"))

    assert "finding-multiple-accountable" in response.content.decode()
    assert "Campaign plan approval" in response.content.decode()


def test_draft_edit_and_publish_through_pages(client_as, catalogue):
    client = client_as("hr")
    position = catalogue["jd"].position

    response = client.post(reverse("org:jobdescription_start_draft", args=[position.pk]))
    draft = JobDescription.objects.get(position=position, status="draft")
    assert response.status_code == 302
    assert draft.version == 2
    assert draft.duties.count() == 1

    form = {
        "purpose": "负责店铺运营与活动执行",
        "change_note": "增加活动职责",
        "duties-TOTAL_FORMS": "2",
        "duties-INITIAL_FORMS": "1",
        "duties-0-title": "商品上架",
        "duties-0-time_share": "40",
        "duties-1-title": "活动执行",
        "duties-1-time_share": "30",
        "skills-TOTAL_FORMS": "0",
        "skills-INITIAL_FORMS": "0",
        "relations-TOTAL_FORMS": "0",
        "relations-INITIAL_FORMS": "0",
        "publish": "1",
    }
    response = client.post(reverse("org:jobdescription_edit", args=[draft.pk]), form)

    assert response.status_code == 302
    draft.refresh_from_db()
    catalogue["jd"].refresh_from_db()
    assert draft.status == "published"
    assert catalogue["jd"].status == "superseded"
    assert list(draft.duties.values_list("title", flat=True)) == ["商品上架", "活动执行"]
    assert AuditEntry.objects.filter(object_type="org.jobdescription", action="publish").exists()
    diff = client.get(reverse("org:jobdescription_diff", args=[draft.pk]))
    assert "活动执行" in diff.content.decode()


def test_duty_shares_over_100_percent_are_refused_inline(client_as, catalogue):
    client = client_as("hr")
    position = catalogue["jd"].position
    client.post(reverse("org:jobdescription_start_draft", args=[position.pk]))
    draft = JobDescription.objects.get(position=position, status="draft")
    form = {
        "purpose": "x",
        "duties-TOTAL_FORMS": "2",
        "duties-INITIAL_FORMS": "0",
        "duties-0-title": "A",
        "duties-0-time_share": "70",
        "duties-1-title": "B",
        "duties-1-time_share": "60",
        "skills-TOTAL_FORMS": "0",
        "skills-INITIAL_FORMS": "0",
        "relations-TOTAL_FORMS": "0",
        "relations-INITIAL_FORMS": "0",
    }

    response = client.post(reverse("org:jobdescription_edit", args=[draft.pk]), form)

    assert response.status_code == 400
    assert "130%" in response.content.decode()
    assert draft.duties.count() == 1


def test_docx_export_is_a_word_document(client_as, catalogue):
    client = client_as("operator")

    response = client.get(reverse("org:jobdescription_docx", args=[catalogue["jd"].pk]))

    assert response.status_code == 200
    assert b"".join(response.streaming_content)[:2] == b"PK"


def test_editing_a_draft_in_the_page_keeps_the_english_texts(client_as, catalogue):
    client = client_as("hr")
    position = catalogue["jd"].position
    duty = catalogue["jd"].duties.get()
    duty.description_en = "List products"
    duty.standard_en = "99.5% accurate"
    duty.save()
    client.post(reverse("org:jobdescription_start_draft", args=[position.pk]))
    draft = JobDescription.objects.get(position=position, status="draft")
    page = client.get(reverse("org:jobdescription_edit", args=[draft.pk])).content.decode()
    assert "99.5% accurate" in page

    form = {
        "purpose": "x",
        "duties-TOTAL_FORMS": "1",
        "duties-INITIAL_FORMS": "1",
        "duties-0-title": duty.title,
        "duties-0-time_share": "40",
        "duties-0-description_en": "List products",
        "duties-0-standard_en": "99.5% accurate",
        "skills-TOTAL_FORMS": "0",
        "skills-INITIAL_FORMS": "0",
        "relations-TOTAL_FORMS": "0",
        "relations-INITIAL_FORMS": "0",
    }
    client.post(reverse("org:jobdescription_edit", args=[draft.pk]), form)

    saved = draft.duties.get()
    assert (saved.description_en, saved.standard_en) == ("List products", "99.5% accurate")


@pytest.mark.parametrize(
    ("name", "sort"),
    [
        ("org:orgunit_list", "headcount"),
        ("org:position_list", "holder_count"),
        ("org:staff_list", "-hire_date"),
    ],
)
def test_exports_sort_by_any_column_the_page_sorts_by(client_as, catalogue, name, sort):
    client = client_as("hr")

    response = client.get(reverse(name), {"export": "csv", "sort": sort})

    assert response.status_code == 200
    assert len(b"".join(response.streaming_content).decode("utf-8-sig").splitlines()) >= 2


def test_unit_filter_offers_departments_but_accepts_any_team(client_as, catalogue, org_tree):
    client = client_as("hr")

    page = client.get(reverse("org:staff_list")).content.decode()
    filtered = client.get(reverse("org:staff_list"), {"unit": org_tree.t1.pk})

    assert f'value="{org_tree.d1.pk}"' in page
    assert f'value="{org_tree.t2.pk}"' not in page
    assert filtered.status_code == 200
    assert catalogue["staff"].employee_no in filtered.content.decode()
    assert f'value="{org_tree.t1.pk}" selected' in filtered.content.decode()
