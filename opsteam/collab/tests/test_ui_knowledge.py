"""A team lead edits the store's listing SOP in Debian's Chromium (a new version) and reads
what changed; an operator opens the knowledge base from their job description's "Related
documents", finds the SOP by searching for the new rule and reads version 2."""

from __future__ import annotations

import pytest

from opsteam.collab import services_knowledge as services
from opsteam.collab.models_knowledge import Document
from opsteam.performance.tests.test_ui_appraisal import PASSWORD, SHOTS, browser, signed_in

pytestmark = pytest.mark.browser
__all__ = ["browser"]

V1 = "# 店铺上新 SOP\n\n## 详情页制作\n- 主图 5 张。\n\n## 上架\n- 提报后 3 天内上架。"
V2 = (
    "# 店铺上新 SOP\n\n## 详情页制作\n- 主图 5 张，须通过主图审核：白底图 800×800。\n\n"
    "## 上架\n- 提报后 2 天内上架。"
)


def test_manager_edits_an_sop_and_an_operator_finds_it(browser, live_server, org_tree, user_as):
    from opsteam.org.tests.factories import JobDescriptionFactory

    manager = user_as("manager", username="kb-manager")
    operator = user_as("operator", username="kb-operator")
    for user in (manager, operator):
        user.set_password(PASSWORD)
        user.save()
    position = operator.staff.position
    jd = JobDescriptionFactory(position=position, version=1, status="published")
    document = services.document_create(
        actor=user_as("hr"),
        title="店铺上新 SOP",
        body=V1,
        tags="上新, 商品上架",
        unit=org_tree.t1,
        status="published",
        positions=[position],
    )
    base = live_server.url

    lead = signed_in(browser, base, "kb-manager")
    lead.goto(f"{base}{document.get_absolute_url()}")
    lead.click("#document-edit")
    lead.fill("#id_body", V2)
    lead.fill("#id_change_note", "增加主图审核标准，时限缩短到 2 天")
    lead.click("#document-form button[type=submit]")
    lead.wait_for_selector(".alert-success")
    document.refresh_from_db()
    assert document.version == 2
    lead.click("#document-diff-latest")
    lead.wait_for_selector("#diff-table")
    assert "主图审核" in lead.inner_text("#diff-table ins")
    assert lead.locator("#diff-table del").first.inner_text() == "3"
    lead.screenshot(path=str(SHOTS / "knowledge-diff.png"), full_page=True)

    reader = signed_in(browser, base, "kb-operator")
    reader.goto(f"{base}{jd.get_absolute_url()}")
    assert "店铺上新 SOP" in reader.inner_text("#related-documents")
    reader.click("#related-documents .card-actions a")
    reader.wait_for_selector("#knowledge-search")
    reader.fill("#id_q", "主图审核")
    reader.wait_for_selector("#knowledge-list mark")
    assert "主图审核" in reader.inner_text("#knowledge-list mark")
    reader.screenshot(path=str(SHOTS / "knowledge-search.png"), full_page=True)
    reader.click(f"#knowledge-list [data-document='{document.pk}'] a.fw-bold")
    reader.wait_for_selector("#document-body")
    assert "白底图 800×800" in reader.inner_text("#document-body")
    assert reader.locator("#document-edit").count() == 0
    reader.screenshot(path=str(SHOTS / "knowledge-document.png"), full_page=True)
    assert Document.objects.get(pk=document.pk).version == 2
