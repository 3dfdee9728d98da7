"""The flowchart in Debian's Chromium: HR drags a step of a draft map and saves the layout; the
published map opens a step's SOP on click."""

from __future__ import annotations

import pytest

from opsteam.accounts.tests.factories import RoleGrantFactory, UserFactory
from opsteam.org.tests.factories import ProcessFactory, StaffFactory
from opsteam.performance.tests.test_ui_appraisal import PASSWORD, SHOTS, browser, signed_in
from opsteam.workflow.choices import MapStatus
from opsteam.workflow.tests.factories import ProcessMapFactory, StepFactory, TransitionFactory

pytestmark = pytest.mark.browser
__all__ = ["browser"]  # the fixture, shared with the appraisal journey


def _node_pixel(page, index: int) -> tuple[float, float]:
    """Where node ``index`` of the flowchart is drawn, in page pixels."""
    box = page.locator("[data-flowchart]").bounding_box()
    x, y = page.evaluate(
        """(index) => {
            const el = document.querySelector('[data-flowchart]');
            const chart = echarts.getInstanceByDom(el);
            const layout = chart.getModel().getSeriesByIndex(0).getData().getItemLayout(index);
            return chart.convertToPixel({seriesIndex: 0}, layout);
        }""",
        index,
    )
    return box["x"] + x, box["y"] + y


def test_hr_drags_a_step_and_saves_the_layout(browser, live_server, org_tree):
    # given HR and a draft map of three steps
    user = UserFactory(username="maps-hr")
    user.set_password(PASSWORD)
    user.save()
    RoleGrantFactory(user=user, role="hr")
    StaffFactory(user=user, unit=org_tree.t1)
    process = ProcessFactory(name="售后处理", owner_unit=org_tree.t1)
    published = ProcessMapFactory(process=process, version=1, status=MapStatus.PUBLISHED)
    draft = ProcessMapFactory(process=process, version=2, status=MapStatus.DRAFT)
    for process_map in (published, draft):
        a = StepFactory(map=process_map, code="intake", name="受理工单", order=0)
        b = StepFactory(map=process_map, code="review", name="审核退款", order=1)
        c = StepFactory(map=process_map, code="refund", name="退款", order=2, sop="- 核对金额")
        TransitionFactory(map=process_map, source=a, target=b, handoff_target_minutes=30)
        TransitionFactory(map=process_map, source=b, target=c, handoff_target_minutes=120)
        TransitionFactory(map=process_map, source=b, target=a, label="退回")
    page = signed_in(browser, live_server.url, "maps-hr")

    # when HR drags the second step down and saves the layout
    page.goto(f"{live_server.url}{draft.get_absolute_url()}")
    page.wait_for_function("document.querySelector('[data-flowchart]').dataset.rendered === '1'")
    x, y = _node_pixel(page, 1)
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x + 20, y + 60, steps=8)
    page.mouse.move(x + 40, y + 120, steps=8)
    page.mouse.up()
    page.click("#layout-form button[type=submit]")
    page.wait_for_function(
        "document.querySelector('[data-layout-status]').textContent.trim().length > 0"
        " && document.querySelector('#layout-form button').disabled"
    )
    page.screenshot(path=str(SHOTS / "workflow-map-draft.png"), full_page=True)

    # then the dragged step has a stored position below the others
    moved = draft.steps.get(code="review")
    assert moved.y is not None
    assert moved.y > 0
    assert draft.steps.get(code="intake").y is not None

    # and on the published map a click on a step opens its SOP
    page.goto(f"{live_server.url}{published.get_absolute_url()}")
    page.wait_for_function("document.querySelector('[data-flowchart]').dataset.rendered === '1'")
    page.screenshot(path=str(SHOTS / "workflow-map-published.png"), full_page=True)
    x, y = _node_pixel(page, 2)
    page.mouse.click(x, y)
    page.wait_for_url(f"**/workflow/steps/{published.steps.get(code='refund').pk}/")
    assert "核对金额" in page.content()
