"""Job level pages as people use them: HR adds, edits and deletes levels from the product,
reached from the ladder pages and the menu; everyone else reads them."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse

from opsteam.careers.tests.factories import CareerStepFactory, CareerTrackFactory
from opsteam.core.models import AuditEntry
from opsteam.org.models import JobLevel
from opsteam.org.tests.factories import JobLevelFactory, StaffFactory

pytestmark = pytest.mark.django_db

LEVEL = {"code": "P5", "name": "首席运营专家", "name_en": "Principal", "track": "professional"}


def entries(**lookup):
    return AuditEntry.objects.filter(object_type="org.joblevel", **lookup)


@pytest.fixture
def hr(client, user_as):
    client.force_login(user_as("hr"))
    return client


def test_hr_adds_a_level_from_the_levels_page(hr):
    response = hr.post(reverse("careers:level_create"), {**LEVEL, "rank": "5"})

    level = JobLevel.objects.get(code="P5")
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('careers:level_list')}#level-{level.pk}"
    assert (level.name, level.name_en, level.track, level.rank) == (
        "首席运营专家",
        "Principal",
        "professional",
        5,
    )
    assert entries(object_id=str(level.pk), action="create").exists()
    page = hr.get(reverse("careers:level_list")).content.decode()
    assert f'id="level-{level.pk}"' in page
    assert "首席运营专家" in page


def test_a_code_already_used_in_another_case_is_refused_on_the_code_field(hr):
    JobLevelFactory(code="P5", name="原有级别")
    audit_before = AuditEntry.objects.count()

    response = hr.post(reverse("careers:level_create"), {**LEVEL, "code": " p5 ", "rank": "5"})

    assert response.status_code == 400
    assert response.context["form"].errors["code"] == [
        "The code p5 is already used by another level."
    ]
    assert JobLevel.objects.filter(code__iexact="p5").count() == 1
    assert AuditEntry.objects.count() == audit_before


def test_a_missing_name_and_a_negative_rank_are_shown_on_their_fields(hr):
    response = hr.post(reverse("careers:level_create"), {"code": "P9", "rank": "-1"})

    assert response.status_code == 400
    errors = response.context["form"].errors
    assert {"name", "rank", "track"} <= set(errors)
    assert not JobLevel.objects.filter(code="P9").exists()


def test_hr_renames_and_reranks_a_level_with_an_audited_before_and_after(hr):
    level = JobLevelFactory(code="P3", name="高级运营", name_en="Senior", rank=3)
    edit = reverse("careers:level_edit", args=[level.pk])
    assert hr.get(edit).context["form"].initial["name"] == "高级运营"

    response = hr.post(
        edit,
        {
            "code": "P3",
            "name": "资深运营",
            "name_en": "Senior",
            "track": "professional",
            "rank": "4",
        },
    )

    assert response.status_code == 302
    level.refresh_from_db()
    assert (level.name, level.rank) == ("资深运营", 4)
    entry = entries(object_id=str(level.pk), action="update").get()
    assert (entry.before["name"], entry.after["name"]) == ("高级运营", "资深运营")
    assert (entry.before["rank"], entry.after["rank"]) == (3, 4)


def test_a_level_in_use_is_kept_and_the_message_says_what_uses_it(hr, org_tree):
    level = JobLevelFactory(code="P3", name="高级运营", rank=3)
    StaffFactory(unit=org_tree.t1, level=level)
    CareerStepFactory(track=CareerTrackFactory(code="PRO"), level=level, order=1)
    audit_before = AuditEntry.objects.count()

    response = hr.post(reverse("careers:level_delete", args=[level.pk]), follow=True)

    assert JobLevel.objects.filter(pk=level.pk).exists()
    assert AuditEntry.objects.count() == audit_before
    [message] = [str(m) for m in response.context["messages"]]
    assert message.startswith("P3 is still used (")
    assert "staff: 1" in message
    assert "career steps: 1" in message


def test_hr_deletes_a_level_nothing_uses(hr):
    level = JobLevelFactory(code="X9", name="误建级别", rank=9)

    response = hr.post(reverse("careers:level_delete", args=[level.pk]), follow=True)

    assert not JobLevel.objects.filter(pk=level.pk).exists()
    assert [str(m) for m in response.context["messages"]] == ["Job level X9 is deleted."]
    assert entries(object_id=str(level.pk), action="delete").get().before["code"] == "X9"


@pytest.mark.parametrize("role", ["manager", "operator", "auditor"])
def test_other_roles_read_the_levels_but_cannot_change_them(client, user_as, role):
    level = JobLevelFactory(code="X9", name="误建级别", rank=9)
    client.force_login(user_as(role))

    page = client.get(reverse("careers:level_list"))

    assert page.status_code == 200
    html = page.content.decode()
    assert "误建级别" in html
    assert reverse("careers:level_edit", args=[level.pk]) not in html
    assert reverse("careers:level_create") not in html
    assert client.get(reverse("careers:level_create")).status_code == 403
    assert client.post(reverse("careers:level_create"), {**LEVEL, "rank": "5"}).status_code == 403
    assert client.post(reverse("careers:level_delete", args=[level.pk])).status_code == 403
    edit = client.post(reverse("careers:level_edit", args=[level.pk]), {**LEVEL, "rank": "5"})
    assert edit.status_code == 403
    level.refresh_from_db()
    assert level.code == "X9"
    assert not JobLevel.objects.filter(code="P5").exists()


def test_levels_are_listed_by_track_with_people_and_ladders_and_filtered(hr, org_tree):
    JobLevelFactory(code="P2", rank=2)
    m1 = JobLevelFactory(code="M1", name="组长", track="management", rank=3)
    StaffFactory(unit=org_tree.t1, level=m1)
    StaffFactory(unit=org_tree.t1, level=m1, status="left")
    CareerStepFactory(track=CareerTrackFactory(code="MGT", kind="management"), level=m1, order=1)

    rows = {
        level.code: level for level in hr.get(reverse("careers:level_list")).context["object_list"]
    }
    managers = hr.get(reverse("careers:level_list"), {"track": "management"})
    export = hr.get(reverse("careers:level_list"), {"export": "csv"})

    assert rows["M1"].people == 1  # the person who left does not count
    assert set(rows) >= {"P2", "M1"}
    assert [level.code for level in managers.context["object_list"]] == ["M1"]
    body = b"".join(export.streaming_content).decode("utf-8-sig")
    table = list(csv.reader(io.StringIO(body)))
    m1_row = next(row for row in table if row[0] == "M1")
    assert m1_row[5:] == ["1", "MGT"]


def test_ladder_pages_and_the_menu_lead_to_the_levels(hr):
    track = CareerTrackFactory(code="PRO")
    levels_url = reverse("careers:level_list")

    ladders = hr.get(reverse("careers:track_list")).content.decode()
    editor = hr.get(reverse("careers:track_edit", args=[track.pk])).content.decode()
    home = hr.get(reverse("insights:home")).content.decode()

    assert f'href="{levels_url}" id="job-levels-link"' in ladders
    assert f'href="{levels_url}"' in editor
    assert f'href="{levels_url}"' in home
