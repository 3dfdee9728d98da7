"""Demo data of collab: knowledge base (idempotent; called by load_demo).

Real-looking documents with a history: the store team's listing SOP (two versions, linked to
the listing process's steps and the store positions, with an attachment), the after-sales
refund playbook, the campaign on-duty playbook (three versions, company-wide), the store
team's weekly meeting notes (visible to the team only) and an operator's proposed FAQ draft.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction

from opsteam.collab import services_knowledge as services
from opsteam.collab.models_knowledge import (
    Document,
    DocumentCategory,
    DocumentStatus,
    DocumentVisibility,
)
from opsteam.core import audit
from opsteam.core.choices import AuditSource

_NAMES = ("admin", "hr", "manager", "director", "operator", "operator2")

LISTING_V1 = """# 店铺上新 SOP

适用于店铺运营组所有新品上架，目标：**提报到上架不超过 3 个工作日**。

## 1. 选品提报
- 专员在系统中提报新品，附竞品链接、预估售价和首批库存。
- 主管当天审核，不通过的写明原因。

## 2. 详情页制作
- 内容组按《详情页规范》制作主图 5 张、详情长图 1 套。
- 卖点文案不超过 3 条，禁止使用“最”“第一”等极限词。

## 3. 上架
- 核对价格、库存、运费模板后上架。
- 上架后 1 小时内自查前台展示。
"""

LISTING_V2 = """# 店铺上新 SOP

适用于店铺运营组所有新品上架，目标：**提报到上架不超过 2 个工作日**。

## 1. 选品提报
- 专员在系统中提报新品，附竞品链接、预估售价和首批库存。
- 主管当天审核，不通过的写明原因。

## 2. 详情页制作
- 内容组按《详情页规范》制作主图 5 张、详情长图 1 套。
- 主图须通过审核：白底图 1 张，尺寸 800×800，文字不超过画面 20%。
- 卖点文案不超过 3 条，禁止使用“最”“第一”等极限词。

## 3. 上架
- 核对价格、库存、运费模板后上架。
- 上架后 1 小时内自查前台展示，并在群里同步链接。

| 检查项 | 负责人 | 时限 |
| --- | --- | --- |
| 价格与库存 | 店铺运营专员 | 上架前 |
| 前台展示 | 店铺运营专员 | 上架后 1 小时 |
"""

REFUND_V1 = """# 售后退款处理手册

## 受理
- 48 小时内响应买家退款申请；仅退款金额 ≤ 50 元的，客服可直接同意。

## 审核
- 金额 > 50 元或疑似恶意退款的，转客服主管审核。
- 审核时核对物流轨迹、聊天记录与商品照片。

## 回访
- 退款完成后 3 天内回访，记录原因标签（质量、尺码、物流、其他）。
"""

REFUND_V2 = (
    REFUND_V1.replace(
        "仅退款金额 ≤ 50 元的，客服可直接同意。",
        "仅退款金额 ≤ 100 元且买家信誉良好的，客服可直接同意。",
    )
    + "\n## 升级\n- 同一买家 30 天内第 3 次退款，自动升级给客服主管。\n"
)

DUTY_V1 = """# 大促值班手册（618 / 双11）

## 值班安排
- 大促当天 0:00–2:00 为峰值，店铺、客服、推广各 2 人在线。
- 值班表由各组主管在大促前 3 天提交。

## 应急
- 页面打不开：先截图，再找技术值班。
- 库存超卖：立即下架，客服统一话术安抚。
"""

DUTY_V2 = DUTY_V1.replace("各 2 人在线", "各 3 人在线") + (
    "\n## 复盘\n- 大促结束后 2 个工作日内完成复盘，数据组提供 GMV、转化率与客单价对比。\n"
)

DUTY_V3 = DUTY_V2.replace(
    "- 页面打不开：先截图，再找技术值班。",
    "- 页面打不开：先截图，再在“大促作战群”@技术值班，5 分钟无响应电话联系。",
)

WEEKLY_V1 = """# 店铺运营组周会纪要（第 47 周）

**参会**：王晓雯、李昊然、马俊杰等 8 人

## 上周回顾
- 上新 12 款，平均上架时长 2.6 天，高于目标。
- 差评率 0.8%，主要集中在尺码问题。

## 本周计划
- 尺码表统一改版（李昊然，周三前）。
"""

WEEKLY_V2 = WEEKLY_V1 + "- 主图审核标准写入《店铺上新 SOP》（王晓雯，周五前）。\n"

FAQ_V1 = """# 直播间常见问题话术

- **问：什么时候发货？** 答：付款后 48 小时内发货，大促期间 72 小时内。
- **问：尺码怎么选？** 答：参考详情页尺码表，偏瘦选小一码。
"""


def load(seed: int = 7) -> dict[str, int]:
    """Load this area's demo data; returns created counts by kind."""
    from opsteam.accounts.models import User

    with transaction.atomic(), audit.context(source=AuditSource.SYSTEM):
        users = {user.username: user for user in User.objects.filter(username__in=_NAMES)}
        if "hr" not in users or "manager" not in users:
            return {}
        return build(users=users)


def _units_positions_steps() -> tuple[dict[str, Any], dict[str, Any], dict[tuple[str, str], Any]]:
    from opsteam.org.models import OrgUnit, Position
    from opsteam.workflow.models import Step

    units = {unit.code: unit for unit in OrgUnit.objects.filter(code__startswith="OPS")}
    positions = {
        position.code: position
        for position in Position.objects.filter(
            code__in=[
                "STORE-SPEC",
                "STORE-LEAD",
                "CS-SPEC",
                "CS-LEAD",
                "MKT-SPEC",
                "CONTENT-EDITOR",
            ]
        )
    }
    steps = {
        (step.map.process.code, step.code): step
        for step in Step.objects.filter(map__status="published").select_related(
            "map", "map__process"
        )
    }
    return units, positions, steps


def _document(
    created: Counter[str],
    *,
    author: Any,
    editor: Any,
    title: str,
    versions: list[tuple[str, str]],
    publish: bool = True,
    **fields: Any,
) -> Document | None:
    if Document.objects.filter(title=title).exists():
        return None
    first_body, first_note = versions[0]
    document = services.document_create(
        actor=author,
        title=title,
        body=first_body,
        change_note=first_note,
        status=DocumentStatus.PUBLISHED if publish else DocumentStatus.DRAFT,
        **fields,
    )
    created["collab.document"] += 1
    created["collab.documentversion"] += 1
    for body, note in versions[1:]:
        services.document_update(actor=editor, document=document, body=body, change_note=note)
        created["collab.documentversion"] += 1
    return document


def build(*, users: dict[str, Any]) -> dict[str, int]:
    """Create what is missing; return counts by kind."""
    created: Counter[str] = Counter()
    units, positions, steps = _units_positions_steps()
    store, user_ops = units.get("OPS-STORE"), units.get("OPS-USER")
    ops = units.get("OPS")
    hr, manager = users["hr"], users["manager"]

    def pick(*codes: str) -> list[Any]:
        return [positions[code] for code in codes if code in positions]

    def steps_of(*keys: tuple[str, str]) -> list[Any]:
        return [steps[key] for key in keys if key in steps]

    listing = _document(
        created,
        author=manager if store else hr,
        editor=manager if store else hr,
        title="店铺上新 SOP",
        versions=[
            (LISTING_V1, "首版：从提报到上架的三步流程"),
            (LISTING_V2, "增加主图审核标准与上架检查表，时限缩短到 2 个工作日"),
        ],
        category=DocumentCategory.SOP,
        tags="上新, 商品上架, 详情页",
        unit=store,
        positions=pick("STORE-SPEC", "STORE-LEAD", "CONTENT-EDITOR"),
        steps=steps_of(
            ("PR-LISTING", "submit"),
            ("PR-LISTING", "content"),
            ("PR-LISTING", "review"),
            ("PR-LISTING", "publish"),
        ),
    )
    if listing is not None:
        services.attachment_add(
            actor=manager if store else hr,
            document=listing,
            file=ContentFile(
                "主图规范\n1. 白底图 800×800\n2. 文字不超过画面 20%\n3. 禁用极限词\n".encode(),
                name="主图规范.txt",
            ),
        )
        created["collab.documentattachment"] += 1
    _document(
        created,
        author=hr,
        editor=hr,
        title="售后退款处理手册",
        versions=[
            (REFUND_V1, "首版"),
            (REFUND_V2, "客服直接同意的额度提高到 100 元；增加升级规则"),
        ],
        category=DocumentCategory.PLAYBOOK,
        tags="售后, 退款, 客服",
        unit=user_ops,
        positions=pick("CS-SPEC", "CS-LEAD"),
        steps=steps_of(("PR-AFTERSALES", "refund"), ("PR-AFTERSALES", "handle")),
    )
    _document(
        created,
        author=hr,
        editor=hr,
        title="大促值班手册",
        versions=[
            (DUTY_V1, "首版：618 值班安排"),
            (DUTY_V2, "峰值在线人数改为 3 人；增加复盘要求"),
            (DUTY_V3, "应急联系方式改为作战群 + 电话"),
        ],
        category=DocumentCategory.PLAYBOOK,
        tags="大促, 值班, 618, 双11",
        unit=ops,
        positions=pick("STORE-SPEC", "CS-SPEC", "MKT-SPEC"),
    )
    _document(
        created,
        author=manager if store else hr,
        editor=manager if store else hr,
        title="店铺运营组周会纪要（第 47 周）",
        versions=[(WEEKLY_V1, "会后整理"), (WEEKLY_V2, "补充行动项")],
        category=DocumentCategory.MEETING_NOTES,
        tags="周会, 店铺运营组",
        unit=store,
        visibility=DocumentVisibility.UNIT,
    )
    if "operator" in users and store is not None:
        _document(
            created,
            author=users["operator"],
            editor=users["operator"],
            title="直播间常见问题话术",
            versions=[(FAQ_V1, "提议：整理直播间高频问题")],
            publish=False,
            category=DocumentCategory.FAQ,
            tags="直播, 话术",
            unit=store,
        )
    return dict(created)
