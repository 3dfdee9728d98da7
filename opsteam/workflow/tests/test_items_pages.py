"""Work-item pages: list with filters and export, create and edit, the item page and its
forms, the board with its move forms, My work, team workload, attachment downloads."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from opsteam.org.tests.factories import StaffFactory
from opsteam.workflow import services_items
from opsteam.workflow.models import ProcessEvent, WorkItem
from opsteam.workflow.tests.factories_items import make_flow

pytestmark = pytest.mark.django_db


@pytest.fixture
def flow(org_tree):
    return make_flow(owner_unit=org_tree.d1, code="AS")


def _item(actor, flow, **kwargs):
    return services_items.item_create(
        actor=actor, process=flow.process, title=kwargs.pop("title", "退款申请"), **kwargs
    )


def test_list_filters_by_priority_and_overdue(client_as, flow):
    client = client_as("manager")
    manager = client.user
    urgent = _item(manager, flow, priority="urgent", title="紧急工单")
    late = _item(manager, flow, due_date=timezone.localdate() - dt.timedelta(days=2))
    _item(manager, flow, title="普通工单")

    by_priority = client.get(reverse("workflow:item_list"), {"priority": "urgent"})
    overdue = client.get(reverse("workflow:item_list"), {"overdue": "true"})
    searched = client.get(reverse("workflow:item_list"), {"q": "紧急"})

    assert list(by_priority.context["object_list"]) == [urgent]
    assert list(overdue.context["object_list"]) == [late]
    assert list(searched.context["object_list"]) == [urgent]


def test_export_escapes_formulas(client_as, flow):
    client = client_as("hr")
    _item(client.user, flow, title='=HYPERLINK("http://x")')

    response = client.get(reverse("workflow:item_list"), {"export": "csv"})

    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert rows[1][1].startswith("'=")


def test_create_page_raises_an_item_in_the_first_step(client_as, flow):
    client = client_as("operator")

    response = client.post(
        reverse("workflow:item_create"),
        {
            "process": flow.process.pk,
            "title": "客户投诉",
            "kind": "ticket",
            "priority": "high",
            "assignee": client.user.staff.pk,
        },
    )

    item = WorkItem.objects.get()
    assert response.status_code == 302
    assert response.url == item.get_absolute_url()
    assert (item.reference, item.step, item.assignee) == ("AS-1", flow.intake, client.user.staff)


def test_create_page_lists_only_people_the_user_can_see(client_as, org_tree, flow):
    client = client_as("operator")
    StaffFactory(unit=org_tree.t1, name="同事甲")

    page = client.get(reverse("workflow:item_create"))

    assert list(page.context["form"].fields["assignee"].queryset) == [client.user.staff]


def test_edit_page_changes_the_fields(client_as, flow):
    client = client_as("operator")
    item = _item(client.user, flow, assignee=client.user.staff)

    response = client.post(
        reverse("workflow:item_update", args=[item.pk]),
        {"title": "改过的标题", "kind": "task", "priority": "low", "description": ""},
    )

    item.refresh_from_db()
    assert response.status_code == 302
    assert (item.title, item.priority) == ("改过的标题", "low")


def test_item_page_shows_history_and_offers_the_next_steps(client_as, flow):
    client = client_as("operator")
    item = _item(client.user, flow, assignee=client.user.staff)
    services_items.item_move(actor=client.user, item=item, to_step=flow.handle)
    services_items.item_comment(actor=client.user, item=item, body="已联系客户")

    page = client.get(item.get_absolute_url())

    assert page.status_code == 200
    assert [event.step for event in page.context["events"]] == [flow.intake]
    assert page.context["move_targets"] == [flow.review]
    assert "已联系客户" in page.content.decode()


def test_moving_from_the_item_page_writes_the_event(client_as, flow):
    client = client_as("operator")
    item = _item(client.user, flow, assignee=client.user.staff)

    response = client.post(
        reverse("workflow:item_move", args=[item.pk]), {"to_step": flow.handle.pk}
    )
    refused = client.post(
        reverse("workflow:item_move", args=[item.pk]), {"to_step": flow.close.pk}, follow=True
    )

    item.refresh_from_db()
    assert response.status_code == 302
    assert item.step == flow.handle
    assert ProcessEvent.objects.count() == 1
    assert "No transition leads" in refused.content.decode()


def test_board_move_returns_to_the_board(client_as, flow):
    client = client_as("manager")
    item = _item(client.user, flow, assignee=StaffFactory(unit=client.user.staff.unit))
    board_url = reverse("workflow:board", args=[flow.process.pk])

    board = client.get(board_url, {"priority": "normal"})
    moved = client.post(
        reverse("workflow:item_move", args=[item.pk]),
        {"to_step": flow.review.pk, "next": board_url + "?priority=normal"},
    )
    offsite = client.post(
        reverse("workflow:item_move", args=[item.pk]),
        {"to_step": flow.handle.pk, "next": "https://evil.example.com/"},
    )

    assert board.status_code == 200
    columns = {column.step.code: column for column in board.context["board"].columns}
    assert [card.item for card in columns["intake"].cards] == [item]
    assert 'data-item="AS-1"' in board.content.decode()
    assert moved.url == board_url + "?priority=normal"
    assert offsite.url == item.get_absolute_url()


def test_board_without_published_map_says_so(client_as):
    from opsteam.org.tests.factories import ProcessFactory

    client = client_as("manager")

    page = client.get(reverse("workflow:board", args=[ProcessFactory().pk]))

    assert page.status_code == 200
    assert "no published map" in page.content.decode()


def test_status_form_closes_the_item(client_as, flow):
    client = client_as("operator")
    item = _item(client.user, flow, assignee=client.user.staff)

    client.post(reverse("workflow:item_status", args=[item.pk]), {"status": "done"})

    item.refresh_from_db()
    assert item.status == "done"
    assert item.closed_at is not None


def test_attachment_downloads_only_for_those_who_see_the_item(
    client_as, user_as, flow, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    client = client_as("operator")
    item = _item(client.user, flow, assignee=client.user.staff)
    client.post(
        reverse("workflow:item_attach", args=[item.pk]),
        {"file": SimpleUploadedFile("截图.png", b"\x89PNG data")},
    )
    attachment = item.attachments.get()
    outsider = user_as("operator")

    own = client.get(reverse("workflow:item_attachment", args=[attachment.pk]))
    client.force_login(outsider)
    denied = client.get(reverse("workflow:item_attachment", args=[attachment.pk]))

    assert own.status_code == 200
    assert b"".join(own.streaming_content) == b"\x89PNG data"
    assert denied.status_code == 404


def test_link_form_links_by_reference(client_as, flow):
    client = client_as("hr")
    first, second = _item(client.user, flow), _item(client.user, flow)

    client.post(
        reverse("workflow:item_link", args=[first.pk]),
        {"reference": second.reference, "kind": "blocks"},
    )

    assert first.links_out.get().target == second


def test_my_work_page(client_as, user_as, flow):
    client = client_as("operator")
    hr = user_as("hr")
    _item(hr, flow, assignee=client.user.staff, due_date=timezone.localdate(), title="今天到期")

    page = client.get(reverse("workflow:my_work"))

    assert page.status_code == 200
    assert [item.title for item in page.context["work"].today] == ["今天到期"]
    assert "今天到期" in page.content.decode()


def test_workload_page_draws_the_heatmap(client_as, org_tree, flow):
    client = client_as("manager")
    _item(client.user, flow, assignee=StaffFactory(unit=org_tree.t1, name_en="Wang Wu"))

    page = client.get(reverse("workflow:workload"))
    team = client.get(reverse("workflow:workload"), {"unit": org_tree.t1.pk})

    body = page.content.decode()
    assert 'data-chart="workload-heatmap"' in body
    assert "Wang Wu" in body
    assert team.status_code == 200
    assert client.get(reverse("workflow:workload"), {"unit": "x"}).status_code == 404
