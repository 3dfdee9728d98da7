"""Access-matrix rows of the knowledge base (pages and API). Walked by
core/tests/test_permission_matrix.py.

Objects (all written by HR): a published document of team T1 visible to that unit's subtree
(two versions, an attachment), a published T3 document visible to T3 only (with an
attachment) and a T1 draft. Every requester works in T1 (the manager manages T1). Everyone
reads what is visible to them; HR and administrators edit everything, the manager T1's
documents; operators and auditors change nothing here (operators only propose their own).
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from opsteam.core.tests.matrix_support import Check, _all, _roles

ATTACHMENT_FILE = "knowledge/matrix/checklist.txt"

TEAM_READ = _all(200)
OTHER_READ = _roles(200, manager=404, operator=404)
DRAFT_READ = _roles(200, operator=404)
TEAM_WRITE_PAGE = _roles(302, operator=403, auditor=403)
OTHER_WRITE_PAGE = _roles(302, manager=404, operator=404, auditor=403)
TEAM_WRITE_API = _roles(200, operator=403, auditor=403)
OTHER_WRITE_API = _roles(200, manager=404, operator=404, auditor=403)
WRITERS_400 = _roles(400, auditor=403)

EXPECTED: dict[str, list[Check]] = {
    "collab:document_list": [
        Check(_all(200)),
        Check(_all(200), query="q=上新&category=sop&tag=上新"),
        Check(_all(200), query="unit=99999999999999999999999&status=bogus"),
    ],
    "collab:document_create": [
        Check(_roles(200, auditor=403)),
        Check(WRITERS_400, method="post", data={"title": ""}),
    ],
    "collab:document_detail": [
        Check(TEAM_READ, obj="team_doc"),
        Check(OTHER_READ, obj="other_doc"),
        Check(DRAFT_READ, obj="t1_document_draft"),
    ],
    "collab:document_edit": [
        Check(_roles(200, operator=403, auditor=403), obj="team_doc"),
        Check(_roles(200, manager=404, operator=404, auditor=403), obj="other_doc"),
        Check(_roles(400, operator=403, auditor=403), method="post", obj="team_doc"),
    ],
    "collab:document_publish": [
        Check(_roles(302, operator=404, auditor=403), method="post", obj="t1_document_draft"),
    ],
    "collab:document_archive": [
        Check(TEAM_WRITE_PAGE, method="post", obj="team_doc"),
        Check(OTHER_WRITE_PAGE, method="post", obj="other_doc"),
    ],
    "collab:document_delete": [
        Check(TEAM_WRITE_PAGE, method="post", obj="team_doc"),
        Check(OTHER_WRITE_PAGE, method="post", obj="other_doc"),
    ],
    "collab:document_history": [
        Check(TEAM_READ, obj="team_doc"),
        Check(OTHER_READ, obj="other_doc"),
    ],
    "collab:document_diff": [
        Check(TEAM_READ, obj="team_doc"),
        Check(TEAM_READ, obj="team_doc", query="a=1&b=2&mode=unified"),
        Check(_all(404), obj="team_doc", query="a=7"),
        Check(OTHER_READ, obj="other_doc"),
    ],
    "collab:document_version": [
        Check(TEAM_READ, obj="team_doc", extra_kwargs=(("number", "v1"),)),
        Check(OTHER_READ, obj="other_doc", extra_kwargs=(("number", "v1"),)),
    ],
    "collab:document_restore": [
        Check(TEAM_WRITE_PAGE, method="post", obj="team_doc", extra_kwargs=(("number", "v1"),)),
    ],
    "collab:document_attach": [
        Check(TEAM_WRITE_PAGE, method="post", obj="team_doc"),
        Check(OTHER_WRITE_PAGE, method="post", obj="other_doc"),
    ],
    "collab:document_attachment": [
        Check(TEAM_READ, obj="team_attachment"),
        Check(OTHER_READ, obj="t3_document_attachment"),
    ],
    "collab:document_attachment_delete": [
        Check(TEAM_WRITE_PAGE, method="post", obj="team_attachment"),
        Check(OTHER_WRITE_PAGE, method="post", obj="t3_document_attachment"),
    ],
    "collab-document-list": [
        Check(_all(200)),
        Check(_all(200), query="q=上新&status=published"),
        Check(_all(400), query="unit=abc"),
        Check(WRITERS_400, method="post", data={"title": ""}),
    ],
    "collab-document-search": [Check(_all(200), query="q=上新")],
    "collab-document-detail": [
        Check(TEAM_READ, obj="team_doc"),
        Check(OTHER_READ, obj="other_doc"),
        Check(DRAFT_READ, obj="t1_document_draft"),
        Check(TEAM_WRITE_API, method="patch", obj="team_doc", data={"title": "改名"}),
        Check(OTHER_WRITE_API, method="patch", obj="other_doc", data={"title": "改名"}),
        Check(_roles(204, operator=403, auditor=403), method="delete", obj="team_doc"),
    ],
    "collab-document-publish": [
        Check(_roles(200, operator=404, auditor=403), method="post", obj="t1_document_draft"),
    ],
    "collab-document-archive": [
        Check(TEAM_WRITE_API, method="post", obj="team_doc"),
        Check(OTHER_WRITE_API, method="post", obj="other_doc"),
    ],
    "collab-document-versions": [
        Check(TEAM_READ, obj="team_doc"),
        Check(OTHER_READ, obj="other_doc"),
    ],
    "collab-document-version": [
        Check(TEAM_READ, obj="team_doc", extra_kwargs=(("number", "v1"),)),
        Check(OTHER_READ, obj="other_doc", extra_kwargs=(("number", "v1"),)),
    ],
    "collab-document-restore": [
        Check(TEAM_WRITE_API, method="post", obj="team_doc", extra_kwargs=(("number", "v1"),)),
    ],
    "collab-document-attachments": [
        Check(TEAM_READ, obj="team_doc"),
        Check(
            _roles(400, operator=403, auditor=403), method="post", obj="team_doc", multipart=True
        ),
    ],
    "collab-document-attachment": [
        Check(TEAM_READ, obj="team_doc", extra_kwargs=(("attachment_id", "team_attachment"),)),
        Check(
            OTHER_READ, obj="other_doc", extra_kwargs=(("attachment_id", "t3_document_attachment"),)
        ),
        Check(
            _roles(204, operator=403, auditor=403),
            method="delete",
            obj="team_doc",
            extra_kwargs=(("attachment_id", "team_attachment"),),
        ),
    ],
}

GUARDED = ("collab.Document", "collab.DocumentVersion", "collab.DocumentAttachment")


def objects(objects: dict[str, Any], users: dict[str, Any], user: Any) -> dict[str, Any]:
    """HR's T1 document (two versions, an attachment), T3 document and T1 draft."""
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    from opsteam.collab import services_knowledge as services
    from opsteam.collab.models_knowledge import DocumentAttachment

    hr = users["hr"]
    if not default_storage.exists(ATTACHMENT_FILE):
        default_storage.save(ATTACHMENT_FILE, ContentFile("上架检查表".encode()))

    def document(unit: Any, title: str, status: str = "published") -> Any:
        return services.document_create(
            actor=hr,
            title=title,
            body="# 上新\n提报后 3 天内上架。",
            tags="上新",
            unit=unit,
            visibility="unit",
            status=status,
        )

    def attachment(on: Any) -> Any:
        return DocumentAttachment.objects.create(
            document=on, file=ATTACHMENT_FILE, name="上架检查表.txt", size=15
        )

    team_doc = document(objects["t1"], "店铺上新 SOP")
    services.document_update(actor=hr, document=team_doc, body="# 上新\n提报后 2 天内上架。")
    other_doc = document(objects["t3"], "结算对账 SOP")
    return {
        "team_doc": team_doc,
        "other_doc": other_doc,
        "t1_document_draft": document(objects["t1"], "直播话术（草稿）", status="draft"),
        "team_attachment": attachment(team_doc),
        "t3_document_attachment": attachment(other_doc),
        "v1": SimpleNamespace(pk=1),
    }
