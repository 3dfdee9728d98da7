"""Knowledge base: versions, the reading rule, search, attachments, links, pages and API."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from opsteam.collab import selectors_knowledge as selectors
from opsteam.collab import services_knowledge as services
from opsteam.collab.models_knowledge import Document, DocumentAttachment, DocumentVersion
from opsteam.core.exceptions import InvalidTransition, PolicyDenied, ValidationFailed
from opsteam.core.models import AuditEntry

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def sop(actor, unit, **fields):
    data = {
        "title": "店铺上新 SOP",
        "body": "# 上新\n提报后 3 天内上架。\n主图 5 张。",
        "tags": "上新, 商品",
        "unit": unit,
        "status": "published",
    }
    data.update(fields)
    return services.document_create(actor=actor, **data)


# Versions ----------------------------------------------------------------------------------


def test_each_text_change_is_a_new_immutable_version_and_restore_adds_one(user_as, org_tree):
    manager = user_as("manager")
    document = sop(manager, org_tree.t1)

    services.document_update(
        actor=manager, document=document, body="# 上新\n提报后 2 天内上架。", change_note="缩短时限"
    )
    services.document_update(actor=manager, document=document, tags="上新")  # no text change
    services.document_restore(actor=manager, document=document, number=1)

    document.refresh_from_db()
    versions = list(document.versions.order_by("number"))
    assert [v.number for v in versions] == [1, 2, 3]
    assert versions[1].change_note == "缩短时限"
    assert versions[2].restored_from == 1
    assert versions[2].body == versions[0].body
    assert document.version == 3
    assert document.body == versions[0].body
    assert document.tag_list == ["上新"]
    with pytest.raises(InvalidTransition):
        services.document_restore(actor=manager, document=document, number=3)
    actions = AuditEntry.objects.filter(object_type="collab.document").values_list(
        "action", flat=True
    )
    assert list(actions).count("update") == 3


def test_saving_the_same_text_writes_no_version_and_no_audit(user_as, org_tree):
    manager = user_as("manager")
    document = sop(manager, org_tree.t1)
    entries = AuditEntry.objects.count()

    services.document_update(actor=manager, document=document, body=document.body)

    assert DocumentVersion.objects.filter(document=document).count() == 1
    assert AuditEntry.objects.count() == entries


# Who may write ------------------------------------------------------------------------------


def test_operator_proposes_drafts_for_their_own_unit_only(user_as, org_tree):
    operator = user_as("operator")

    draft = services.document_create(
        actor=operator, title="直播话术", body="问答", unit=org_tree.t1
    )
    assert draft.status == "draft"
    assert draft.author == operator
    with pytest.raises(ValidationFailed):
        services.document_create(
            actor=operator, title="直播话术", unit=org_tree.t1, status="published"
        )
    with pytest.raises(PolicyDenied):
        services.document_create(actor=operator, title="结算", unit=org_tree.t3)
    with pytest.raises(PolicyDenied):
        services.document_create(actor=operator, title="全公司", unit=None)
    with pytest.raises(PolicyDenied):
        services.document_publish(actor=operator, document=draft)

    services.document_update(actor=operator, document=draft, body="问答 v2")  # own draft
    manager = user_as("manager")
    services.document_publish(actor=manager, document=draft)
    with pytest.raises(PolicyDenied):
        services.document_update(actor=operator, document=draft, body="改已发布的")


def test_managers_write_in_their_subtree_and_hr_company_wide(user_as, org_tree):
    manager = user_as("manager")
    hr = user_as("hr")

    with pytest.raises(PolicyDenied):
        sop(manager, org_tree.t3)
    with pytest.raises(PolicyDenied):
        sop(manager, None)
    document = sop(manager, org_tree.t1)
    with pytest.raises(PolicyDenied):
        services.document_update(actor=manager, document=document, unit=org_tree.t3)
    assert sop(hr, None).unit is None
    with pytest.raises(PolicyDenied):
        services.document_create(actor=user_as("auditor"), title="x", unit=None)


def test_bad_fields_are_refused_with_the_field_named(user_as, org_tree):
    hr = user_as("hr")
    with pytest.raises(ValidationFailed) as blank:
        services.document_create(actor=hr, title="   ")
    with pytest.raises(ValidationFailed) as category:
        services.document_create(actor=hr, title="x", category="novel")
    assert blank.value.field == "title"
    assert category.value.field == "category"


# Who may read -------------------------------------------------------------------------------


def test_reading_rule_published_visibility_drafts_and_archive(user_as, org_tree):
    hr = user_as("hr")
    team_only = sop(hr, org_tree.t1, title="组内周会纪要", visibility="unit")
    dept_wide = sop(hr, org_tree.d1, title="部门手册", visibility="unit")
    everyone = sop(hr, org_tree.t3, title="结算 FAQ")
    draft = sop(hr, org_tree.t1, title="草稿", status="draft")
    archived = sop(hr, org_tree.t1, title="旧版")
    services.document_archive(actor=hr, document=archived)

    def titles(user):
        return set(selectors.document_list(user=user).values_list("title", flat=True))

    t1_operator = user_as("operator")
    t3_operator = user_as("operator", unit=org_tree.t3)
    t2_manager = user_as("manager", unit=org_tree.t2)
    assert titles(t1_operator) == {team_only.title, dept_wide.title, everyone.title}
    assert titles(t3_operator) == {everyone.title}
    assert titles(t2_manager) == {dept_wide.title, everyone.title}
    assert titles(user_as("manager")) == {
        team_only.title,
        dept_wide.title,
        everyone.title,
        draft.title,
        archived.title,
    }
    assert len(titles(user_as("auditor"))) == 5


def test_hidden_documents_answer_404_on_pages_and_api(client_as, api_client_as, org_tree, user_as):
    hr = user_as("hr")
    secret = sop(hr, org_tree.t1, title="组内机密纪要", visibility="unit")
    page = client_as("operator", unit=org_tree.t3).get(secret.get_absolute_url())
    api = api_client_as("operator", unit=org_tree.t3).get(
        reverse("collab-document-detail", args=[secret.pk])
    )
    assert page.status_code == 404
    assert "组内机密纪要" not in page.content.decode()
    assert api.status_code == 404
    assert "组内机密纪要" not in api.content.decode()


# Search -------------------------------------------------------------------------------------


def test_search_matches_title_tags_and_text_with_highlighted_snippets(client_as, org_tree, user_as):
    hr = user_as("hr")
    sop(hr, None, title="售后退款处理手册", body="退款金额 ≤ 100 元可直接同意。", tags="售后")
    sop(hr, None, title="大促值班手册", body="峰值 3 人在线", tags="大促, 值班")
    client = client_as("operator")

    by_text = client.get(reverse("collab:document_list"), {"q": "直接同意"})
    by_tag = client.get(reverse("collab:document_list"), {"tag": "值班"})
    nothing = client.get(reverse("collab:document_list"), {"q": "不存在的词"})

    html = by_text.content.decode()
    assert "售后退款处理手册" in html
    assert "大促值班手册" not in html
    assert "<mark>直接同意</mark>" in html
    assert "大促值班手册" in by_tag.content.decode()
    assert "售后退款处理手册" not in by_tag.content.decode()
    assert "No document matches" in nothing.content.decode()


def test_search_partial_for_htmx_and_bad_filters_do_not_fail(client_as, org_tree, user_as):
    sop(user_as("hr"), None)
    client = client_as("operator")
    response = client.get(
        reverse("collab:document_list"),
        {"q": "上新", "unit": "99999999999999999999", "category": "novel"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert "<html" not in response.content.decode()


# Attachments --------------------------------------------------------------------------------


def test_attachment_is_served_only_through_the_checked_view_under_its_name(
    client_as, org_tree, user_as
):
    manager = user_as("manager")
    document = sop(manager, org_tree.t1, visibility="unit")
    upload = SimpleUploadedFile("主图规范.txt", "白底图 800×800".encode(), "text/plain")
    attachment = services.attachment_add(actor=manager, document=document, file=upload)

    assert "主图规范" not in attachment.file.name  # a random stored name
    response = client_as("operator").get(attachment.get_absolute_url())
    assert response.status_code == 200
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment")
    assert quote("主图规范") in disposition
    assert b"".join(response.streaming_content).decode() == "白底图 800×800"
    from django.test import Client

    outsider = Client()
    outsider.force_login(user_as("operator", unit=org_tree.t3))
    assert outsider.get(attachment.get_absolute_url()).status_code == 404


def test_attachment_kind_and_size_are_checked(user_as, org_tree, settings):
    settings.OPSTEAM_KNOWLEDGE_MAX_UPLOAD_BYTES = 10
    manager = user_as("manager")
    document = sop(manager, org_tree.t1)
    with pytest.raises(ValidationFailed):
        services.attachment_add(
            actor=manager, document=document, file=SimpleUploadedFile("x.exe", b"MZ")
        )
    with pytest.raises(ValidationFailed):
        services.attachment_add(
            actor=manager, document=document, file=SimpleUploadedFile("x.txt", b"a" * 11)
        )
    assert not DocumentAttachment.objects.exists()


def test_upload_and_delete_from_the_page(client_as, org_tree, user_as):
    client = client_as("manager")
    document = sop(client.user, org_tree.t1)
    upload = SimpleUploadedFile("值班表.txt", "张三".encode())
    client.post(reverse("collab:document_attach", args=[document.pk]), {"file": upload})
    attachment = DocumentAttachment.objects.get()
    assert "值班表.txt" in client.get(document.get_absolute_url()).content.decode()

    client.post(reverse("collab:document_attachment_delete", args=[attachment.pk]))
    assert not DocumentAttachment.objects.exists()


# Pages --------------------------------------------------------------------------------------


def test_edit_page_makes_a_version_and_the_diff_marks_changed_characters(client_as, org_tree):
    client = client_as("manager")
    document = sop(client.user, org_tree.t1)
    response = client.post(
        reverse("collab:document_edit", args=[document.pk]),
        {
            "title": document.title,
            "category": "sop",
            "unit": org_tree.t1.pk,
            "visibility": "everyone",
            "tags": "上新",
            "body": "# 上新\n提报后 2 天内上架。\n主图 5 张。",
            "change_note": "缩短时限",
        },
    )
    assert response.status_code == 302
    document.refresh_from_db()
    assert document.version == 2

    diff = client.get(reverse("collab:document_diff", args=[document.pk]), {"a": 1, "b": 2})
    html = diff.content.decode()
    assert "<del>3</del>" in html
    assert "<ins>2</ins>" in html
    unified = client.get(reverse("collab:document_diff", args=[document.pk]), {"mode": "unified"})
    assert "-提报后 3 天内上架。" in unified.content.decode()
    missing = client.get(reverse("collab:document_diff", args=[document.pk]), {"a": 9})
    assert missing.status_code == 404


def test_edit_form_shows_inline_errors(client_as, org_tree):
    client = client_as("manager")
    document = sop(client.user, org_tree.t1)
    response = client.post(
        reverse("collab:document_edit", args=[document.pk]),
        {"title": "", "category": "sop", "unit": org_tree.t1.pk, "visibility": "everyone"},
    )
    assert response.status_code == 400
    assert "invalid-feedback" in response.content.decode()


def test_restore_from_the_version_page(client_as, org_tree):
    client = client_as("manager")
    document = sop(client.user, org_tree.t1)
    services.document_update(actor=client.user, document=document, body="新版")
    page = client.get(reverse("collab:document_version", args=[document.pk, 1]))
    assert "Restore this version" in page.content.decode()

    client.post(reverse("collab:document_restore", args=[document.pk, 1]))

    document.refresh_from_db()
    assert document.version == 3
    assert "提报后 3 天" in document.body


def test_operator_sees_no_edit_button_on_a_published_document(client_as, org_tree, user_as):
    document = sop(user_as("manager"), org_tree.t1)
    client = client_as("operator")
    html = client.get(document.get_absolute_url()).content.decode()
    assert 'id="document-edit"' not in html
    assert client.get(reverse("collab:document_edit", args=[document.pk])).status_code == 403


def test_job_description_and_step_pages_show_related_documents(client_as, org_tree, user_as):
    from opsteam.org.tests.factories import JobDescriptionFactory, PositionFactory
    from opsteam.workflow.tests.factories import ProcessMapFactory, StepFactory

    position = PositionFactory()
    jd = JobDescriptionFactory(position=position, version=1, status="published")
    step = StepFactory(code="publish")
    next_map = ProcessMapFactory(process=step.map.process, version=2, status="draft")
    same_step_next_version = StepFactory(map=next_map, code="publish")
    sop(user_as("hr"), None, title="上架 SOP", positions=[position], steps=[step])
    client = client_as("operator")

    jd_page = client.get(jd.get_absolute_url()).content.decode()
    step_page = client.get(reverse("workflow:step_sop", args=[step.pk])).content.decode()
    next_page = client.get(
        reverse("workflow:step_sop", args=[same_step_next_version.pk])
    ).content.decode()
    assert "Related documents" in jd_page
    assert "上架 SOP" in jd_page
    assert "上架 SOP" in step_page
    assert "上架 SOP" in next_page
    map_page = client.get(reverse("workflow:map_detail", args=[step.map.pk])).content.decode()
    assert "上架 SOP" in map_page.split('id="related-documents"')[1]


# API ----------------------------------------------------------------------------------------


def test_api_create_edit_versions_restore_and_search(api_client_as, org_tree):
    api = api_client_as("manager")
    created = api.post(
        reverse("collab-document-list"),
        {"title": "周会纪要", "body": "议题一", "unit": org_tree.t1.pk, "tags": ["周会"]},
        format="json",
    )
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    assert created.json()["status"] == "draft"
    assert created.json()["tags"] == ["周会"]

    patched = api.patch(
        reverse("collab-document-detail", args=[pk]),
        {"body": "议题一\n议题二", "change_note": "补充"},
        format="json",
    )
    assert patched.json()["version"] == 2
    versions = api.get(reverse("collab-document-versions", args=[pk])).json()["results"]
    assert [v["number"] for v in versions] == [2, 1]
    one = api.get(reverse("collab-document-version", args=[pk, 1])).json()
    assert one["body"] == "议题一"
    restored = api.post(reverse("collab-document-restore", args=[pk, 1]), {}, format="json")
    assert restored.json()["version"] == 3
    published = api.post(reverse("collab-document-publish", args=[pk]))
    assert published.json()["status"] == "published"
    found = api.get(reverse("collab-document-search"), {"q": "议题"}).json()["results"]
    assert found[0]["id"] == pk
    assert "<mark>议题</mark>" in found[0]["snippet"]


def test_api_rejects_bad_input_with_400(api_client_as, org_tree):
    api = api_client_as("hr")
    url = reverse("collab-document-list")
    for payload in (
        {"title": "x", "unit": 2**70},
        {"title": "x", "positions": [999999]},
        {"title": "x", "tags": "not-a-list"},
        {"title": ["x"]},
        {"title": "x", "status": "archived"},
    ):
        assert api.post(url, payload, format="json").status_code == 400, payload
    assert api.get(url, {"unit": "abc"}).status_code == 400
    assert api.get(url, {"unit": 2**70}).status_code == 400
    assert not Document.objects.exists()


def test_api_attachments_upload_list_download_delete(api_client_as, org_tree):
    api = api_client_as("manager")
    document = sop(api.user, org_tree.t1)
    url = reverse("collab-document-attachments", args=[document.pk])
    upload = api.post(url, {"file": SimpleUploadedFile("清单.txt", b"ok")}, format="multipart")
    assert upload.status_code == 201, upload.content
    listed = api.get(url).json()["results"]
    assert listed[0]["name"] == "清单.txt"
    item = reverse("collab-document-attachment", args=[document.pk, listed[0]["id"]])
    assert b"".join(api.get(item).streaming_content) == b"ok"
    assert api.delete(item).status_code == 204
    assert api.get(item).status_code == 404


# Home page and demo -----------------------------------------------------------------------


def test_home_section_lists_recent_documents_of_my_position(user_as, org_tree):
    operator = user_as("operator")
    assert selectors.home_sections(user=operator) == []
    sop(user_as("hr"), org_tree.t3, title="岗位 SOP", positions=[operator.staff.position])
    sop(user_as("hr"), org_tree.t3, title="别人的 SOP")

    sections = selectors.home_sections(user=operator)

    assert [item["title"] for item in sections[0]["items"]] == ["岗位 SOP"]
    assert sections[0]["key"] == "knowledge-updated"


def test_home_section_runs_a_bounded_number_of_queries(
    user_as, org_tree, django_assert_max_num_queries
):
    operator = user_as("operator")
    hr = user_as("hr")
    for number in range(12):
        sop(hr, org_tree.t1, title=f"SOP {number}", positions=[operator.staff.position])
    operator = type(operator).objects.get(pk=operator.pk)  # no cached roles

    with django_assert_max_num_queries(6):
        sections = selectors.home_sections(user=operator)

    assert sections[0]["count"] == 12
    assert len(sections[0]["items"]) == 5


def test_demo_is_idempotent(user_as, org_tree):
    from opsteam.collab import demo_knowledge

    users = {
        name: user_as(role, username=name)
        for name, role in (
            ("hr", "hr"),
            ("manager", "manager"),
            ("operator", "operator"),
            ("admin", "admin"),
        )
    }
    first = demo_knowledge.build(users=users)
    counts = (Document.objects.count(), DocumentVersion.objects.count())
    second = demo_knowledge.build(users=users)

    assert first["collab.document"] >= 4
    assert first["collab.documentversion"] >= 9
    assert second == {}
    assert (Document.objects.count(), DocumentVersion.objects.count()) == counts
