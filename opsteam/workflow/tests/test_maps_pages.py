"""Process-map pages: the process list, the map with its flowchart, RACI check and versions,
the SOP page, and the draft editors."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from opsteam.org.tests.factories import (
    ActivityFactory,
    PositionFactory,
    ProcessFactory,
    RaciAssignmentFactory,
)
from opsteam.workflow.choices import MapStatus
from opsteam.workflow.models import ProcessMap, Step, Transition
from opsteam.workflow.tests.factories import (
    ProcessMapFactory,
    StepFactory,
    TransitionFactory,
    WorkItemFactory,
)
from opsteam.workflow.views_maps import render_sop

pytestmark = pytest.mark.django_db


@pytest.fixture
def process(org_tree):
    return ProcessFactory(
        code="AFTER", name="售后处理", name_en="After-sales", owner_unit=org_tree.t1
    )


@pytest.fixture
def published(process):
    process_map = ProcessMapFactory(process=process, version=1, change_note="首版")
    intake = StepFactory(
        map=process_map, code="intake", name="受理", order=0, sop="# 目的\n\n- 核对订单"
    )
    review = StepFactory(map=process_map, code="review", name="审核", order=1)
    TransitionFactory(map=process_map, source=intake, target=review, handoff_target_minutes=45)
    return process_map


def _chart(response, element_id="map-chart"):
    html = response.content.decode()
    start = html.index(f'id="{element_id}"')
    start = html.index(">", start) + 1
    return json.loads(html[start : html.index("</script>", start)])


def test_process_list_shows_published_version_steps_and_open_items(client_as, process, published):
    client = client_as("operator")
    WorkItemFactory(process=process, step=published.steps.first(), unit=process.owner_unit)
    ProcessFactory(code="EMPTY", name="无图流程")

    response = client.get(reverse("workflow:process_list"))

    assert response.status_code == 200
    rows = {row.code: row for row in response.context["object_list"]}
    assert (rows["AFTER"].published_version, rows["AFTER"].steps_count) == (1, 2)
    assert rows["EMPTY"].published_version is None
    # operators count only the items they may see (none of these is theirs)
    assert rows["AFTER"].open_items == 0
    assert "After-sales" in response.content.decode()


def test_process_list_counts_open_items_for_hr(client_as, process, published):
    client = client_as("hr")
    WorkItemFactory(process=process, unit=process.owner_unit)
    WorkItemFactory(process=process, unit=process.owner_unit, status="done")

    response = client.get(reverse("workflow:process_list"), {"published": "true"})

    rows = {row.code: row for row in response.context["object_list"]}
    assert rows["AFTER"].open_items == 1


def test_process_list_exports_csv(client_as, process, published):
    client = client_as("auditor")

    response = client.get(reverse("workflow:process_list"), {"export": "csv"})

    body = b"".join(response.streaming_content).decode("utf-8-sig")
    assert "AFTER" in body
    assert "v1" in body


def test_hr_creates_a_process_with_a_first_draft(client_as, org_tree):
    client = client_as("hr")

    response = client.post(
        reverse("workflow:process_create"),
        {"code": "LISTING", "name": "商品上架", "owner_unit": org_tree.t1.pk},
    )

    draft = ProcessMap.objects.get(process__code="LISTING")
    assert response.status_code == 302
    assert response["Location"] == draft.get_absolute_url()
    assert draft.status == MapStatus.DRAFT


def test_process_create_duplicate_code_is_an_inline_error(client_as, process):
    client = client_as("hr")

    response = client.post(reverse("workflow:process_create"), {"code": "AFTER", "name": "x"})

    assert response.status_code == 400
    assert response.context["form"].errors["code"]


def test_map_page_draws_the_flowchart_with_positions_and_targets(client_as, published):
    client = client_as("operator")

    response = client.get(reverse("workflow:process_detail", args=[published.process_id]))

    assert response.status_code == 200
    assert response.context["object"] == published
    series = _chart(response)["series"][0]
    assert len(series["data"]) == 2
    assert series["draggable"] is False
    assert "45" in series["links"][0]["label"]["formatter"]
    html = response.content.decode()
    assert "workflow/flowchart.js" in html
    assert "<script>" not in html.replace('<script type="application/json"', "")
    assert reverse("workflow:map_new_version", args=[published.process_id]) not in html


def test_map_page_flags_raci_disagreements(client_as, published):
    client = client_as("hr")
    step = published.steps.get(code="review")
    activity = ActivityFactory(process=published.process)
    RaciAssignmentFactory(activity=activity, position=PositionFactory(), role="R")
    Step.objects.filter(pk=step.pk).update(activity=activity)

    response = client.get(reverse("workflow:map_detail", args=[published.pk]))

    kinds = {p["step"].code: p["kind"] for p in response.context["disagreements"]}
    assert kinds == {"intake": "no_activity", "review": "not_responsible"}
    assert 'data-raci-kind="not_responsible"' in response.content.decode()


def test_process_without_map_offers_the_first_version(client_as, process):
    client = client_as("manager")

    page = client.get(reverse("workflow:process_detail", args=[process.pk]))
    created = client.post(reverse("workflow:map_new_version", args=[process.pk]))

    assert page.status_code == 200
    assert reverse("workflow:map_new_version", args=[process.pk]) in page.content.decode()
    draft = ProcessMap.objects.get(process=process)
    assert created["Location"] == draft.get_absolute_url()


def test_editing_journey_new_draft_step_handoff_layout_publish(client_as, published):
    # given a manager of the owning team
    client = client_as("manager")
    process = published.process

    # when they open a draft, add a step and a handoff, move it and publish
    client.post(reverse("workflow:map_new_version", args=[process.pk]))
    draft = ProcessMap.objects.get(process=process, status=MapStatus.DRAFT)
    review = draft.steps.get(code="review")
    added = client.post(
        reverse("workflow:step_create", args=[draft.pk]),
        {"code": "ship", "name": "发货", "target_minutes": 30, "sop": "<b>打包</b>"},
    )
    ship = draft.steps.get(code="ship")
    linked = client.post(
        reverse("workflow:transition_create", args=[draft.pk]),
        {"source": review.pk, "target": ship.pk, "handoff_target_minutes": 10},
    )
    layout = client.post(
        reverse("workflow:map_layout", args=[draft.pk]),
        json.dumps({"positions": {str(ship.pk): [480, 60]}}),
        content_type="application/json",
    )
    page = client.get(draft.get_absolute_url())
    published_response = client.post(reverse("workflow:map_publish", args=[draft.pk]))

    # then the new version is published with the step, handoff and layout
    assert added.status_code == 302
    assert linked.status_code == 302
    assert layout.json() == {"moved": 1}
    assert _chart(page)["series"][0]["draggable"] is True
    assert published_response.status_code == 302
    draft.refresh_from_db()
    published.refresh_from_db()
    assert (draft.status, published.status) == (MapStatus.PUBLISHED, MapStatus.ARCHIVED)
    ship.refresh_from_db()
    assert (ship.x, ship.y, ship.order) == (480.0, 60.0, 2)
    assert Transition.objects.filter(map=draft, source=review, target=ship).exists()


def test_step_form_rejects_a_duplicate_code_inline(client_as, process):
    client = client_as("hr")
    draft = ProcessMapFactory(process=process, status=MapStatus.DRAFT)
    StepFactory(map=draft, code="intake")

    response = client.post(
        reverse("workflow:step_create", args=[draft.pk]), {"code": "intake", "name": "重复"}
    )

    assert response.status_code == 400
    assert response.context["form"].errors["code"]


def test_transition_form_offers_steps_of_the_same_version_only(client_as, published):
    client = client_as("hr")
    draft = ProcessMapFactory(process=published.process, version=2, status=MapStatus.DRAFT)
    own = StepFactory(map=draft, code="a")
    StepFactory(map=draft, code="b")

    response = client.post(
        reverse("workflow:transition_create", args=[draft.pk]),
        {"source": own.pk, "target": published.steps.first().pk},
    )

    assert response.status_code == 400
    assert response.context["form"].errors["target"]


def test_layout_of_a_published_map_is_refused(client_as, published):
    client = client_as("hr")
    step = published.steps.first()

    response = client.post(
        reverse("workflow:map_layout", args=[published.pk]),
        json.dumps({"positions": {str(step.pk): [1, 2]}}),
        content_type="application/json",
    )

    assert response.status_code == 409
    step.refresh_from_db()
    assert step.x is None


def test_sop_page_escapes_html(client_as, process):
    client = client_as("operator")
    step = StepFactory(
        map=ProcessMapFactory(process=process),
        sop="# 步骤\n\n1. 打开<script>alert(1)</script>\n2. 核对\n\n普通段落\n第二行",
        sop_url="https://wiki.example.com/sop",
    )

    response = client.get(reverse("workflow:step_sop", args=[step.pk]))

    html = response.content.decode()
    assert response.status_code == 200
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<ol><li>打开" in html
    assert "<p>普通段落<br>第二行</p>" in html
    assert "https://wiki.example.com/sop" in html


def test_render_sop_builds_lists_headings_and_paragraphs():
    html = render_sop("# Title\n\n- one\n- <two>\n\npara & more")

    assert html == "<h4>Title</h4><ul><li>one</li><li>&lt;two&gt;</li></ul><p>para &amp; more</p>"


def test_discarding_a_draft_returns_to_the_process(client_as, published):
    client = client_as("hr")
    draft = ProcessMapFactory(process=published.process, version=2, status=MapStatus.DRAFT)

    response = client.post(reverse("workflow:map_discard", args=[draft.pk]))

    assert response["Location"] == reverse("workflow:process_detail", args=[published.process_id])
    assert not ProcessMap.objects.filter(pk=draft.pk).exists()


def test_publishing_an_empty_draft_says_why(client_as, process):
    client = client_as("hr")
    draft = ProcessMapFactory(process=process, status=MapStatus.DRAFT)

    response = client.post(reverse("workflow:map_publish", args=[draft.pk]), follow=True)

    draft.refresh_from_db()
    assert draft.status == MapStatus.DRAFT
    assert any("step" in str(m).lower() or "环节" in str(m) for m in response.context["messages"])


def test_editor_of_a_published_version_is_not_found(client_as, published):
    client = client_as("hr")

    response = client.get(reverse("workflow:step_edit", args=[published.steps.first().pk]))

    assert response.status_code == 404
