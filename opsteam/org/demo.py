"""The demo organisation: an e-commerce operations department of about 60 people.

``build_demo()`` loads, in one transaction and with an audit entry for every row it writes
(source "system", no actor):

- the company (code ``HQ``), the e-commerce operations department with five teams (store,
  content, user ops / customer service, data, promotion) and a small HR department;
- role families, job levels (P1–P5 professional track, M1–M3 management track), skills and
  15 positions, each with a complete bilingual, published job description; three positions
  also have a superseded version 1 (so history and diff are demoable) and one has an open
  draft (so "edit a draft and publish it" is demoable);
- five processes with a RACI matrix that carries three deliberate findings: two Accountable
  positions on 活动方案审批 (campaign plan approval), nobody Responsible for 竞品监控
  (competitor monitoring), and one person whose main and concurrent positions overload them;
- 60 staff with assignment history (promotions, a transfer), a few on probation, two leavers;
  everyone's gender is recorded (from the given name, so the fairness review has data);
- seven logins (``admin``, ``hr``, ``manager``, ``director``, ``operator``, ``operator2``,
  ``auditor``), all with the password ``opsteam-demo``.

``build_demo(staff=10000)`` adds regional operations centres of ~50 teams of 10 people each,
inserted in batches, for benchmarks. Both modes are idempotent: rows are keyed by code,
employee number or username and only missing ones are created.

The org services refuse ``actor=None`` (the permission policy knows no system actor), so this
module writes through the ORM and records audit entries with ``audit.build_entry`` /
``audit.record_many`` inside ``audit.context(source="system")``; logins and role grants go
through ``accounts.services``, which accept the system actor.
"""

from __future__ import annotations

import datetime as dt
import random
import time
import zlib
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from opsteam.accounts import services as account_services
from opsteam.accounts.models import User
from opsteam.core import audit
from opsteam.core.choices import AuditAction, AuditSource, Role
from opsteam.core.models import AuditEntry
from opsteam.org.choices import (
    AssignmentReason,
    Gender,
    JobDescriptionStatus,
    LevelTrack,
    RaciRole,
    RelationKind,
    SkillCategory,
    StaffStatus,
    UnitKind,
)
from opsteam.org.models import (
    Activity,
    Assignment,
    JobDescription,
    JobDuty,
    JobLevel,
    JobRelation,
    JobSkillRequirement,
    OrgUnit,
    Position,
    Process,
    RaciAssignment,
    RoleFamily,
    Skill,
    Staff,
)

DEMO_PASSWORD = "opsteam-demo"  # noqa: S105 - the published demo password
SOP_BASE = "https://wiki.example.com/sop/"
BASE_SIZE = 60
ProgressCallback = Callable[[str, int, int], None]

# ---------------------------------------------------------------------------------------------
# Structure
# ---------------------------------------------------------------------------------------------

COMPANY = ("HQ", "示例优品电商有限公司", "Example Goods E-commerce Co., Ltd.")
OPS_DEPT = ("OPS", "电商运营部", "E-commerce Operations")
HR_DEPT = ("HR", "人力资源部", "Human Resources")
# code, name, English name, description (zh)
TEAMS = [
    (
        "OPS-STORE",
        "店铺运营组",
        "Store Operations",
        "天猫、京东、抖音小店的商品、价格与平台活动运营",
    ),
    ("OPS-CONTENT", "内容运营组", "Content Operations", "详情页与活动素材、新媒体账号与店铺直播"),
    (
        "OPS-USER",
        "用户运营组（客服）",
        "User Operations & Customer Service",
        "售前售后客服、会员与私域社群",
    ),
    ("OPS-DATA", "数据分析组", "Data Analytics", "经营报表、指标口径、BI 看板与专项分析"),
    ("OPS-MKT", "推广组", "Promotion & Marketing", "大促策划、站内外推广与广告投放"),
]

FAMILIES = [
    ("management", "运营管理", "Operations management", "部门与团队负责人"),
    ("store_ops", "店铺运营", "Store operations", "商品、价格、活动与店铺日常经营"),
    ("content_ops", "内容运营", "Content operations", "商品内容、新媒体与直播"),
    ("user_ops", "用户运营/客服", "User operations & customer service", "客服、会员与私域"),
    ("data_analysis", "数据分析", "Data analysis", "报表、分析与数据产品"),
    ("marketing", "推广营销", "Promotion & marketing", "活动策划、推广与广告投放"),
    ("hr", "人力资源", "Human resources", "招聘、岗位体系、绩效与员工发展"),
]

# code, name, English name, track, rank
LEVELS = [
    ("P1", "初级运营专员", "Junior Operator", LevelTrack.PROFESSIONAL, 1),
    ("P2", "运营专员", "Operator", LevelTrack.PROFESSIONAL, 2),
    ("P3", "高级运营专员", "Senior Operator", LevelTrack.PROFESSIONAL, 3),
    ("P4", "资深运营", "Lead Operator", LevelTrack.PROFESSIONAL, 4),
    ("P5", "运营专家", "Operations Expert", LevelTrack.PROFESSIONAL, 5),
    ("M1", "运营主管/组长", "Team Lead", LevelTrack.MANAGEMENT, 1),
    ("M2", "运营经理", "Operations Manager", LevelTrack.MANAGEMENT, 2),
    ("M3", "运营总监", "Operations Director", LevelTrack.MANAGEMENT, 3),
]

SKILLS = [
    ("SK-PLATFORM", "电商平台后台操作", "E-commerce platform back offices", SkillCategory.TOOL),
    ("SK-LISTING", "商品上架与详情页优化", "Listing and detail-page optimisation", "professional"),
    ("SK-PRICING", "价格与库存管理", "Pricing and stock management", SkillCategory.PROFESSIONAL),
    ("SK-CAMPAIGN", "活动策划与执行", "Campaign planning and execution", "professional"),
    ("SK-COPY", "文案写作", "Copywriting", SkillCategory.PROFESSIONAL),
    ("SK-VISUAL", "视觉与短视频制作", "Visual and short-video production", SkillCategory.TOOL),
    ("SK-SOCIAL", "新媒体平台运营", "Social media platform operations", "professional"),
    ("SK-CS", "客户沟通与投诉处理", "Customer communication and complaints", "professional"),
    ("SK-AFTERSALES", "售后与平台规则", "After-sales and platform rules", SkillCategory.KNOWLEDGE),
    ("SK-CRM", "会员与私域运营", "CRM and private-domain operations", "professional"),
    ("SK-EXCEL", "Excel 数据处理", "Excel data handling", SkillCategory.TOOL),
    ("SK-SQL", "SQL 查询", "SQL", SkillCategory.TOOL),
    ("SK-BI", "BI 报表工具", "BI dashboard tools", SkillCategory.TOOL),
    ("SK-STATS", "统计分析与实验设计", "Statistics and A/B testing", SkillCategory.KNOWLEDGE),
    ("SK-ADS", "广告投放平台（直通车/千川）", "Ad platforms (Direct Train, Qianchuan)", "tool"),
    ("SK-ROI", "投放 ROI 分析", "Advertising ROI analysis", SkillCategory.PROFESSIONAL),
    ("SK-INDUSTRY", "电商行业与品类知识", "E-commerce industry and category", "knowledge"),
    ("SK-COMMS", "沟通协调", "Communication and coordination", SkillCategory.GENERAL),
    ("SK-LEAD", "团队管理与辅导", "Team leadership and coaching", SkillCategory.GENERAL),
    ("SK-PLAN", "经营规划与预算", "Business planning and budgeting", "professional"),
    ("SK-HR", "人力资源政策与劳动法", "HR policy and labour law", SkillCategory.KNOWLEDGE),
    ("SK-TALENT", "招聘与人才发展", "Recruitment and talent development", "professional"),
]

# code, name, English name, family, home unit, lowest level, highest level, planned headcount
POSITIONS = [
    (
        "OPS-DIRECTOR",
        "运营总监",
        "Head of E-commerce Operations",
        "management",
        "OPS",
        "M2",
        "M3",
        1,
    ),
    (
        "STORE-LEAD",
        "店铺运营主管",
        "Store Operations Lead",
        "store_ops",
        "OPS-STORE",
        "M1",
        "M2",
        1,
    ),
    (
        "STORE-SPEC",
        "店铺运营专员",
        "Store Operations Specialist",
        "store_ops",
        "OPS-STORE",
        "P1",
        "P4",
        14,
    ),
    (
        "CONTENT-LEAD",
        "内容运营主管",
        "Content Operations Lead",
        "content_ops",
        "OPS-CONTENT",
        "M1",
        "M2",
        1,
    ),
    ("CONTENT-EDITOR", "内容编辑", "Content Editor", "content_ops", "OPS-CONTENT", "P1", "P4", 5),
    (
        "NEW-MEDIA",
        "新媒体运营",
        "Social Media Operator",
        "content_ops",
        "OPS-CONTENT",
        "P1",
        "P4",
        6,
    ),
    ("CS-LEAD", "客服主管", "Customer Service Lead", "user_ops", "OPS-USER", "M1", "M2", 1),
    ("CS-SPEC", "客服专员", "Customer Service Specialist", "user_ops", "OPS-USER", "P1", "P3", 12),
    (
        "USER-OPS",
        "用户运营专员",
        "User Operations Specialist",
        "user_ops",
        "OPS-USER",
        "P1",
        "P4",
        4,
    ),
    (
        "DATA-LEAD",
        "数据分析主管",
        "Data Analytics Lead",
        "data_analysis",
        "OPS-DATA",
        "M1",
        "M2",
        1,
    ),
    ("DATA-ANALYST", "数据分析师", "Data Analyst", "data_analysis", "OPS-DATA", "P2", "P5", 7),
    ("MKT-LEAD", "推广主管", "Marketing Lead", "marketing", "OPS-MKT", "M1", "M2", 1),
    ("MKT-SPEC", "推广专员", "Promotion Specialist", "marketing", "OPS-MKT", "P1", "P4", 5),
    ("ADS-OPTIMIZER", "投放优化师", "Paid Media Optimizer", "marketing", "OPS-MKT", "P2", "P5", 4),
    ("HRBP", "人力资源业务伙伴", "HR Business Partner", "hr", "HR", "P2", "P4", 1),
]

# ---------------------------------------------------------------------------------------------
# Processes and the RACI matrix
# ---------------------------------------------------------------------------------------------

# code, name, English name, description, owning unit
PROCESSES = [
    ("PR-CAMPAIGN", "大促活动", "Sales campaign", "618、双11 等平台大促从策划到复盘", "OPS-MKT"),
    ("PR-AFTERSALES", "售后服务", "After-sales service", "退款、投诉、差评与服务质检", "OPS-USER"),
    (
        "PR-DAILY",
        "日常运营",
        "Daily store operations",
        "上新、价格库存、内容、会员与推广",
        "OPS-STORE",
    ),
    ("PR-REPORT", "数据报表", "Data reporting", "日报周报、月度经营分析、口径与看板", "OPS-DATA"),
    ("PR-PEOPLE", "岗位与人员管理", "Roles and people", "岗位说明书、招聘与入职培训", "HR"),
]

_R, _A, _C, _I = RaciRole.RESPONSIBLE, RaciRole.ACCOUNTABLE, RaciRole.CONSULTED, RaciRole.INFORMED
_LEADS_C = dict.fromkeys(("STORE-LEAD", "CONTENT-LEAD", "CS-LEAD", "DATA-LEAD", "MKT-LEAD"), _C)

# process, activity code, name, English name, RACI row
ACTIVITIES: list[tuple[str, str, str, str, dict[str, str]]] = [
    ("PR-CAMPAIGN", "CAMP-PLAN", "活动策划", "Campaign planning",
     {"MKT-SPEC": _R, "MKT-LEAD": _A, "STORE-LEAD": _C, "DATA-ANALYST": _C, "CONTENT-LEAD": _C,
      "STORE-SPEC": _C, "ADS-OPTIMIZER": _C, "OPS-DIRECTOR": _I}),
    # Deliberate conflict: the director and the store lead are both Accountable (多头负责).
    ("PR-CAMPAIGN", "CAMP-APPROVE", "活动方案审批", "Campaign plan approval",
     {"MKT-LEAD": _R, "OPS-DIRECTOR": _A, "STORE-LEAD": _A, "DATA-LEAD": _C, "CS-LEAD": _I}),
    ("PR-CAMPAIGN", "CAMP-LISTING", "商品上架", "Product listing",
     {"STORE-SPEC": _R, "STORE-LEAD": _A, "CONTENT-EDITOR": _C, "CS-SPEC": _I}),
    ("PR-CAMPAIGN", "CAMP-CREATIVE", "素材制作", "Creative production",
     {"CONTENT-EDITOR": _R, "CONTENT-LEAD": _A, "MKT-SPEC": _C, "STORE-SPEC": _I}),
    ("PR-CAMPAIGN", "CAMP-ADS", "投放执行", "Paid media execution",
     {"ADS-OPTIMIZER": _R, "MKT-LEAD": _A, "DATA-ANALYST": _C, "STORE-LEAD": _I}),
    ("PR-CAMPAIGN", "CAMP-CS", "大促客服保障", "Campaign customer-service readiness",
     {"CS-SPEC": _R, "CS-LEAD": _A, "STORE-SPEC": _C, "MKT-SPEC": _I}),
    ("PR-CAMPAIGN", "CAMP-REVIEW", "活动复盘", "Campaign review",
     {"DATA-ANALYST": _R, "MKT-LEAD": _A, "STORE-LEAD": _C, "CONTENT-LEAD": _C, "CS-LEAD": _C,
      "ADS-OPTIMIZER": _C, "OPS-DIRECTOR": _I}),
    ("PR-AFTERSALES", "AS-REFUND", "退款审核", "Refund review",
     {"CS-SPEC": _R, "CS-LEAD": _A, "STORE-SPEC": _C, "DATA-ANALYST": _I}),
    ("PR-AFTERSALES", "AS-COMPLAINT", "投诉处理", "Complaint handling",
     {"CS-SPEC": _R, "CS-LEAD": _A, "STORE-LEAD": _C, "OPS-DIRECTOR": _I}),
    ("PR-AFTERSALES", "AS-BADREVIEW", "差评回访与修复", "Negative review follow-up",
     {"USER-OPS": _R, "CS-LEAD": _A, "STORE-SPEC": _C, "CONTENT-EDITOR": _I}),
    ("PR-AFTERSALES", "AS-QA", "客服质检", "Service quality inspection",
     {"CS-LEAD": _R, "OPS-DIRECTOR": _A, "HRBP": _I}),
    ("PR-DAILY", "DAILY-LAUNCH", "日常上新", "New product launch",
     {"STORE-SPEC": _R, "STORE-LEAD": _A, "CONTENT-EDITOR": _C, "DATA-ANALYST": _I}),
    ("PR-DAILY", "DAILY-PRICE", "价格与库存维护", "Price and stock upkeep",
     {"STORE-SPEC": _R, "STORE-LEAD": _A, "DATA-ANALYST": _C, "CS-SPEC": _I}),
    ("PR-DAILY", "DAILY-EVENTS", "平台活动报名", "Platform event sign-up",
     {"STORE-SPEC": _R, "MKT-LEAD": _A, "MKT-SPEC": _C, "STORE-LEAD": _I}),
    ("PR-DAILY", "DAILY-SEO", "标题与关键词优化", "Title and keyword optimisation",
     {"STORE-SPEC": _R, "STORE-LEAD": _A, "ADS-OPTIMIZER": _C}),
    ("PR-DAILY", "DAILY-CONTENT", "内容发布", "Content publishing",
     {"NEW-MEDIA": _R, "CONTENT-LEAD": _A, "CONTENT-EDITOR": _C, "MKT-SPEC": _I}),
    ("PR-DAILY", "DAILY-LIVE", "直播运营", "Live-stream operations",
     {"NEW-MEDIA": _R, "CONTENT-LEAD": _A, "STORE-SPEC": _C, "CS-SPEC": _I}),
    ("PR-DAILY", "DAILY-KOL", "达人合作", "Creator collaboration",
     {"CONTENT-LEAD": _R, "OPS-DIRECTOR": _A, "MKT-LEAD": _C, "NEW-MEDIA": _I}),
    ("PR-DAILY", "DAILY-COMMUNITY", "社群与会员运营", "Community and membership",
     {"USER-OPS": _R, "CS-LEAD": _A, "MKT-SPEC": _C, "NEW-MEDIA": _I}),
    ("PR-DAILY", "DAILY-PROMO", "日常推广", "Always-on promotion",
     {"MKT-SPEC": _R, "MKT-LEAD": _A, "ADS-OPTIMIZER": _C, "STORE-LEAD": _I}),
    ("PR-DAILY", "DAILY-ADS", "日常出价与预算优化", "Daily bid and budget optimisation",
     {"ADS-OPTIMIZER": _R, "MKT-LEAD": _A, "DATA-ANALYST": _C}),
    ("PR-DAILY", "DAILY-AUDIENCE", "人群定向与关键词出价", "Audience targeting and keyword bids",
     {"ADS-OPTIMIZER": _R, "MKT-LEAD": _A, "DATA-ANALYST": _C, "STORE-SPEC": _I}),
    # Deliberate gap: competitor monitoring has an Accountable lead but nobody Responsible.
    ("PR-DAILY", "DAILY-COMPETITOR", "竞品监控", "Competitor monitoring",
     {"STORE-LEAD": _A, "DATA-ANALYST": _C, "MKT-LEAD": _I}),
    ("PR-DAILY", "DAILY-WEEKLY", "店铺经营周会", "Weekly store business review",
     {"STORE-LEAD": _R, "OPS-DIRECTOR": _A, "DATA-ANALYST": _C, "MKT-LEAD": _C, "CS-LEAD": _C}),
    ("PR-REPORT", "RPT-DAILY", "日报与周报", "Daily and weekly reports",
     {"DATA-ANALYST": _R, "DATA-LEAD": _A, "OPS-DIRECTOR": _I, "STORE-LEAD": _I}),
    ("PR-REPORT", "RPT-MONTHLY", "月度经营分析", "Monthly business analysis",
     {"DATA-LEAD": _R, "OPS-DIRECTOR": _A, "STORE-LEAD": _C, "MKT-LEAD": _C, "CS-LEAD": _C}),
    ("PR-REPORT", "RPT-METRICS", "指标口径维护", "Metric definitions upkeep",
     {"DATA-LEAD": _R, "OPS-DIRECTOR": _A, "DATA-ANALYST": _C, "STORE-LEAD": _I}),
    ("PR-REPORT", "RPT-DASHBOARD", "BI 看板建设", "BI dashboard build",
     {"DATA-ANALYST": _R, "DATA-LEAD": _A, "STORE-LEAD": _C, "MKT-LEAD": _C}),
    ("PR-PEOPLE", "PPL-JD", "岗位说明书修订", "Job description revision",
     {"HRBP": _R, "OPS-DIRECTOR": _A, **_LEADS_C}),
    ("PR-PEOPLE", "PPL-HIRING", "招聘与面试", "Recruitment and interviews",
     {"HRBP": _R, "OPS-DIRECTOR": _A, **_LEADS_C}),
    ("PR-PEOPLE", "PPL-ONBOARD", "新人入职培训", "Onboarding training",
     {"HRBP": _R, "OPS-DIRECTOR": _A, "STORE-LEAD": _C, "CS-LEAD": _C}),
]  # fmt: skip

# ---------------------------------------------------------------------------------------------
# Job descriptions
# ---------------------------------------------------------------------------------------------


def _duty(
    share: int,
    title: tuple[str, str],
    description: tuple[str, str],
    standard: tuple[str, str],
    sop: str,
    activity: str | None = None,
) -> dict[str, Any]:
    return {
        "time_share": share,
        "title": title[0],
        "title_en": title[1],
        "description": description[0],
        "description_en": description[1],
        "standard": standard[0],
        "standard_en": standard[1],
        "sop_url": SOP_BASE + sop,
        "activity": activity,
    }


def _rel(kind: str, target: str, description: tuple[str, str]) -> dict[str, Any]:
    return {"kind": kind, "target": target, "description": description}


_TEAM_MGMT = _duty(
    15,
    ("团队管理与辅导", "Manage and coach the team"),
    (
        "分配组内工作，做一对一辅导、绩效评价与晋升提名，带教新人。",
        "Assign the team's work, run 1:1s, appraise and nominate for promotion, coach new joiners.",
    ),
    (
        "每月与每位组员一对一面谈至少 1 次；新人 30 天内可独立完成核心工作",
        "At least one 1:1 per team member a month; new joiners work independently within 30 days",
    ),
    "people/one-on-one",
)

JOB_DESCRIPTIONS: dict[str, dict[str, Any]] = {
    "OPS-DIRECTOR": {
        "purpose": (
            "全面负责电商运营部的经营目标与团队建设，统筹店铺、内容、用户、数据与推广各组协同，"
            "确保 GMV、利润与用户满意度目标达成。",
            "Own the e-commerce operations department's results and team: coordinate the store, "
            "content, user, data and promotion teams to deliver GMV, profit and customer "
            "satisfaction targets.",
        ),
        "scope": (
            "天猫、京东、抖音小店等全部线上渠道的运营；部门预算、人员编制与组织架构。",
            "Operations of every online channel (Tmall, JD.com, Douyin store); the department's "
            "budget, headcount and structure.",
        ),
        "authority": (
            "审批大促活动方案与单次 50 万元以内的推广预算；审批部门内招聘、转正、调岗与晋升提名；"
            "制定部门级运营规范与 SOP。",
            "Approves campaign plans and promotion budgets up to CNY 500,000 per campaign; "
            "approves hiring, confirmation, transfers and promotion nominations in the department; "
            "sets department-level operating standards and SOPs.",
        ),
        "objectives": (
            "年度 GMV 目标达成率≥100%；推广费用占 GMV 比例≤12%；店铺 DSR 评分≥4.8；"
            "核心员工年流失率≤10%。",
            "Annual GMV ≥100% of target; promotion spend ≤12% of GMV; store DSR rating ≥4.8; "
            "annual attrition of key staff ≤10%.",
        ),
        "qualifications": (
            "本科及以上学历，8 年以上电商运营经验，其中 3 年以上团队管理经验；熟悉主流电商平台规则"
            "与大促节奏；具备经营分析与预算管理能力。",
            "Bachelor's degree or above; 8+ years in e-commerce operations including 3+ years "
            "managing teams; knows the major platforms' rules and campaign calendar; strong in "
            "business analysis and budgeting.",
        ),
        "duties": [
            _duty(
                30,
                ("制定经营目标与运营策略", "Set business targets and strategy"),
                (
                    "将年度、季度 GMV 与利润目标分解到组，制定渠道与品类策略。",
                    "Break annual and quarterly GMV and profit targets down to teams; set channel "
                    "and category strategy.",
                ),
                (
                    "每季度第一周前发布季度经营计划，目标分解到组到人",
                    "Quarterly plan published before the quarter's first week, broken down to "
                    "team and person",
                ),
                "ops/business-planning",
                "RPT-MONTHLY",
            ),
            _duty(
                20,
                ("审批大促方案与预算", "Approve campaign plans and budgets"),
                (
                    "审核活动目标、节奏、预算与风险预案。",
                    "Review each campaign's goals, timeline, budget and risk plan.",
                ),
                (
                    "收到方案后 2 个工作日内给出审批意见；大促方案须在活动开始前 15 天定稿",
                    "Decision within 2 working days; campaign plans final 15 days before start",
                ),
                "campaign/plan-approval",
                "CAMP-APPROVE",
            ),
            _duty(
                20,
                ("主持经营周会", "Chair the weekly business review"),
                (
                    "复盘上周经营数据，确定本周重点与资源调配。",
                    "Review last week's figures and set this week's priorities and resources.",
                ),
                (
                    "每周一召开，会议纪要与行动项 24 小时内发出",
                    "Every Monday; minutes and action items sent within 24 hours",
                ),
                "ops/weekly-review",
                "DAILY-WEEKLY",
            ),
            _duty(
                20,
                ("团队建设与人才发展", "Build the team and develop people"),
                (
                    "主持招聘、岗位说明书评审、绩效校准与晋升评审。",
                    "Lead hiring, job description reviews, calibration and promotion reviews.",
                ),
                (
                    "关键岗位空缺 30 天内补齐；每半年完成一次岗位说明书评审",
                    "Key vacancies filled within 30 days; job descriptions reviewed every six "
                    "months",
                ),
                "people/talent-review",
                "PPL-JD",
            ),
            _duty(
                10,
                ("跨部门协调", "Coordinate across departments"),
                (
                    "与供应链、财务和品牌方对齐货品、预算与结算。",
                    "Align stock, budgets and settlement with supply chain, finance and brands.",
                ),
                (
                    "重大跨部门问题 48 小时内给出处理方案",
                    "A plan for any major cross-department issue within 48 hours",
                ),
                "ops/cross-department",
            ),
        ],
        "skills": [
            ("SK-PLAN", 5),
            ("SK-LEAD", 5),
            ("SK-INDUSTRY", 5),
            ("SK-CAMPAIGN", 4),
            ("SK-COMMS", 5),
        ],
        "relations": [
            _rel(
                "position",
                "STORE-LEAD",
                (
                    "直接下属；每周汇报店铺经营与大促准备情况",
                    "Direct report; reports store results and campaign readiness weekly",
                ),
            ),
            _rel(
                "unit",
                "HR",
                (
                    "与人力资源部协作招聘、绩效与组织调整",
                    "Works with HR on hiring, appraisal and organisation changes",
                ),
            ),
            _rel(
                "external",
                "品牌方",
                (
                    "季度业务回顾，协商货品与营销资源",
                    "Quarterly business reviews; negotiates stock and marketing resources",
                ),
            ),
        ],
    },
    "STORE-LEAD": {
        "purpose": (
            "带领店铺运营组完成店铺销售目标，保证商品、价格、活动与店铺体验的日常运营质量。",
            "Lead the store operations team to hit store sales targets and keep products, "
            "prices, events and the store experience in good order every day.",
        ),
        "scope": (
            "天猫旗舰店、京东店与抖音小店的店铺运营；店铺运营组 8–15 人的日常管理。",
            "Store operations of the Tmall flagship store, the JD.com store and the Douyin "
            "store; day-to-day management of a store team of 8–15 people.",
        ),
        "authority": (
            "审批商品上下架与日常调价（折扣不低于 8.5 折）；分配组内工作；对组员绩效提出评价与晋升"
            "建议。",
            "Approves listings, delistings and routine price changes (discounts no deeper than "
            "15%); assigns the team's work; appraises team members and proposes promotions.",
        ),
        "objectives": (
            "店铺月度 GMV 达成率≥100%；商品信息准确率≥99.5%；店铺 DSR≥4.8；动销率≥85%。",
            "Monthly store GMV ≥100% of target; product information accuracy ≥99.5%; DSR ≥4.8; "
            "sell-through ≥85% of active SKUs.",
        ),
        "qualifications": (
            "本科及以上学历，5 年以上电商店铺运营经验、2 年以上带团队经验；熟悉天猫/京东后台与平台"
            "规则；对数据敏感。",
            "Bachelor's degree or above; 5+ years of store operations and 2+ years leading a team; "
            "fluent in the Tmall and JD.com back offices and platform rules; data-minded.",
        ),
        "duties": [
            _duty(
                25,
                ("店铺经营目标管理", "Manage store targets"),
                (
                    "拆解月度目标，跟踪每日销售与流量，异常当日分析。",
                    "Break monthly targets down, track daily sales and traffic, analyse "
                    "anomalies the same day.",
                ),
                (
                    "每日 10:00 前完成昨日数据检查；环比下降超过 20% 当日给出原因与对策",
                    "Yesterday's figures checked by 10:00; drops over 20% explained with actions "
                    "the same day",
                ),
                "store/daily-check",
                "DAILY-WEEKLY",
            ),
            _duty(
                25,
                ("商品与价格审核", "Approve products and prices"),
                (
                    "审核上新、调价与活动商品信息。",
                    "Approve launches, price changes and campaign product information.",
                ),
                (
                    "上新与调价当日审核完毕；大促前 48 小时完成全部活动商品核对",
                    "Launches and price changes approved the same day; all campaign products "
                    "checked 48 hours before start",
                ),
                "store/listing-approval",
                "CAMP-LISTING",
            ),
            _duty(
                20,
                ("大促店铺侧准备", "Prepare the store side of campaigns"),
                (
                    "参与活动方案制定，按倒排计划推进商品、库存与页面准备。",
                    "Help shape campaign plans; drive products, stock and pages along the "
                    "countdown plan.",
                ),
                (
                    "关键节点延误不超过 1 天",
                    "No key milestone more than one day late",
                ),
                "campaign/store-readiness",
                "CAMP-APPROVE",
            ),
            _duty(
                15,
                ("竞品与市场监控", "Watch competitors and the market"),
                (
                    "跟踪竞品价格、活动与新品，提出应对策略。",
                    "Track competitors' prices, promotions and new products; propose responses.",
                ),
                (
                    "每周输出竞品动态简报",
                    "A competitor brief every week",
                ),
                "store/competitor-watch",
                "DAILY-COMPETITOR",
            ),
            _TEAM_MGMT,
        ],
        "skills": [
            ("SK-PLATFORM", 5),
            ("SK-LISTING", 4),
            ("SK-PRICING", 4),
            ("SK-CAMPAIGN", 4),
            ("SK-LEAD", 4),
            ("SK-EXCEL", 3),
        ],
        "relations": [
            _rel(
                "position",
                "OPS-DIRECTOR",
                ("汇报对象；周会汇报经营情况", "Reports to; presents results at the weekly review"),
            ),
            _rel(
                "position",
                "MKT-LEAD",
                (
                    "共同制定大促方案与推广节奏",
                    "Shapes campaign plans and promotion timing together",
                ),
            ),
            _rel(
                "external",
                "平台小二（天猫/京东行业运营）",
                (
                    "对接平台活动资源、流量扶持与规则变更",
                    "Liaises on platform event slots, traffic support and rule changes",
                ),
            ),
        ],
    },
    "STORE-SPEC": {
        "purpose": (
            "负责所辖类目的商品上架、价格库存维护与平台活动执行，保证商品信息准确、活动按时上线。",
            "Run listings, price and stock upkeep and platform events for the assigned categories "
            "so product information is accurate and events go live on time.",
        ),
        "scope": (
            "所负责类目（约 200–500 个 SKU）在天猫、京东、抖音小店的商品运营。",
            "Product operations of the assigned categories (about 200–500 SKUs) on Tmall, "
            "JD.com and Douyin.",
        ),
        "authority": (
            "在主管批准的价格带内调整日常价格；提交平台活动报名；发起设计与文案需求。",
            "Adjusts routine prices within the band the lead approved; submits platform event "
            "sign-ups; requests design and copy work.",
        ),
        "objectives": (
            "商品上架信息准确率≥99.5%；负责类目 GMV 达成率≥100%；活动报名通过率≥90%；"
            "库存周转天数≤45 天。",
            "Listing accuracy ≥99.5%; GMV of the assigned categories ≥100% of target; event "
            "sign-up acceptance ≥90%; stock turnover ≤45 days.",
        ),
        "qualifications": (
            "大专及以上学历，1 年以上电商运营经验（P1 可为应届生）；熟练使用商家后台与 Excel；"
            "细心、有责任心。",
            "College degree or above; 1+ year in e-commerce operations (graduates welcome at P1); "
            "fluent in merchant back offices and Excel; careful and reliable.",
        ),
        "duties": [
            _duty(
                30,
                ("商品上架与信息维护", "List products and keep their information right"),
                (
                    "维护标题、主图、SKU、属性与详情页，确保与实物和活动规则一致。",
                    "Maintain titles, main images, SKUs, attributes and detail pages in line with "
                    "the goods and the event rules.",
                ),
                (
                    "商品上架信息准确率≥99.5%，大促前 48 小时完成",
                    "Listing accuracy ≥99.5%; campaign listings done 48 hours before start",
                ),
                "store/product-listing",
                "CAMP-LISTING",
            ),
            _duty(
                20,
                ("日常上新", "Launch new products"),
                (
                    "跟进新品到仓、拍摄与详情页，按计划上线。",
                    "Follow new products from warehouse arrival through photos and pages to "
                    "launch.",
                ),
                (
                    "新品到仓后 3 个工作日内上线",
                    "New products live within 3 working days of reaching the warehouse",
                ),
                "store/new-launch",
                "DAILY-LAUNCH",
            ),
            _duty(
                20,
                ("价格与库存维护", "Keep prices and stock right"),
                (
                    "执行调价，监控库存与安全库存，发起补货。",
                    "Apply price changes, watch stock against safety levels, request "
                    "replenishment.",
                ),
                (
                    "价格错误 0 起；库存低于安全库存当日发起补货",
                    "Zero pricing errors; replenishment requested the day stock falls below "
                    "safety level",
                ),
                "store/price-stock",
                "DAILY-PRICE",
            ),
            _duty(
                15,
                ("平台活动报名与执行", "Sign up for and run platform events"),
                (
                    "筛选商品报名平台活动，活动期间盯价盯库存。",
                    "Choose products for platform events; watch prices and stock while they run.",
                ),
                (
                    "报名截止前 2 天提交；活动通过率≥90%",
                    "Submitted 2 days before the deadline; acceptance ≥90%",
                ),
                "store/platform-events",
                "DAILY-EVENTS",
            ),
            _duty(
                15,
                ("标题与关键词优化", "Optimise titles and keywords"),
                (
                    "根据搜索词数据优化商品标题与属性。",
                    "Tune titles and attributes from search-term data.",
                ),
                (
                    "每月优化 TOP50 商品标题，搜索流量环比提升≥5%",
                    "Top-50 titles reviewed monthly; search traffic up ≥5% month on month",
                ),
                "store/seo",
                "DAILY-SEO",
            ),
        ],
        "skills": [
            ("SK-PLATFORM", 3),
            ("SK-LISTING", 3),
            ("SK-PRICING", 3),
            ("SK-EXCEL", 3),
            ("SK-INDUSTRY", 2),
        ],
        "relations": [
            _rel(
                "position",
                "STORE-LEAD",
                (
                    "汇报对象；价格与活动商品由其审批",
                    "Reports to; prices and event products need their approval",
                ),
            ),
            _rel(
                "position",
                "CONTENT-EDITOR",
                ("提交详情页与主图需求", "Requests detail pages and main images"),
            ),
            _rel(
                "unit",
                "OPS-USER",
                (
                    "同步商品与活动变更，支持客服答疑",
                    "Shares product and event changes so customer service can answer questions",
                ),
            ),
        ],
    },
    "CONTENT-LEAD": {
        "purpose": (
            "统筹商品内容与新媒体阵地，策划选题与直播，提升内容带来的曝光、种草与成交。",
            "Own product content and the social channels: plan topics and live streams to grow "
            "reach, seeding and sales from content.",
        ),
        "scope": (
            "商品详情页与活动素材、小红书/抖音/微信公众号账号、店铺直播间。",
            "Product pages and campaign assets, the Xiaohongshu, Douyin and WeChat accounts, and "
            "the store's live-stream room.",
        ),
        "authority": (
            "审批内容选题与对外发布；审批单笔 5 万元以内的达人合作。",
            "Approves topics and published content; approves creator deals up to CNY 50,000 each.",
        ),
        "objectives": (
            "内容渠道引导成交占比≥15%；账号粉丝月增长≥5%；素材按时交付率≥98%；内容违规 0 起。",
            "Content-led sales ≥15% of GMV; followers up ≥5% a month; assets on time ≥98%; zero "
            "content violations.",
        ),
        "qualifications": (
            "本科及以上学历，4 年以上内容或新媒体运营经验，1 年以上团队管理经验；有爆款内容案例。",
            "Bachelor's degree or above; 4+ years in content or social media operations and 1+ "
            "year leading a team; a record of hit content.",
        ),
        "duties": [
            _duty(
                25,
                ("内容规划与选题", "Plan content and topics"),
                (
                    "制定月度内容日历，协调商品、活动与热点。",
                    "Set the monthly content calendar around products, campaigns and trends.",
                ),
                (
                    "每月 25 日前发布下月内容日历",
                    "Next month's calendar published by the 25th",
                ),
                "content/calendar",
                "DAILY-CONTENT",
            ),
            _duty(
                25,
                ("素材质量把关", "Assure creative quality"),
                (
                    "审核活动素材与详情页的准确性、合规性与表现力。",
                    "Review campaign assets and pages for accuracy, compliance and impact.",
                ),
                (
                    "大促素材活动前 7 天全部定稿；审核一次通过率≥90%",
                    "Campaign assets final 7 days before start; ≥90% approved first time",
                ),
                "content/creative-review",
                "CAMP-CREATIVE",
            ),
            _duty(
                20,
                ("直播运营管理", "Manage live streams"),
                (
                    "制定直播排期、选品与复盘机制。",
                    "Set the live-stream schedule, product selection and reviews.",
                ),
                (
                    "每周直播≥5 场，单场 GMV 达到目标的 90%",
                    "≥5 live streams a week, each reaching 90% of its GMV target",
                ),
                "content/live",
                "DAILY-LIVE",
            ),
            _duty(
                15,
                ("达人与 KOL 合作", "Work with creators and KOLs"),
                (
                    "筛选达人、谈判报价并评估合作效果。",
                    "Select creators, negotiate rates and measure results.",
                ),
                (
                    "合作前完成资质与报价审核，合作 ROI≥1.5",
                    "Credentials and rates checked before signing; deal ROI ≥1.5",
                ),
                "content/kol",
                "DAILY-KOL",
            ),
            _TEAM_MGMT,
        ],
        "skills": [
            ("SK-COPY", 4),
            ("SK-SOCIAL", 5),
            ("SK-VISUAL", 3),
            ("SK-CAMPAIGN", 3),
            ("SK-LEAD", 4),
        ],
        "relations": [
            _rel(
                "position",
                "MKT-LEAD",
                ("对齐大促素材与推广节奏", "Aligns campaign assets with promotion timing"),
            ),
            _rel(
                "unit",
                "OPS-STORE",
                ("承接详情页与活动页需求", "Takes detail-page and event-page requests"),
            ),
            _rel(
                "external",
                "KOL/达人及 MCN 机构",
                ("达人种草与直播合作", "Creator seeding and live-stream partnerships"),
            ),
        ],
    },
    "CONTENT-EDITOR": {
        "purpose": (
            "撰写与制作商品详情、活动素材和品牌文案，保证内容准确、合规、有吸引力。",
            "Write and produce product pages, campaign assets and brand copy that are accurate, "
            "compliant and engaging.",
        ),
        "scope": (
            "全店商品详情页、活动主图与海报、品牌故事与商品卖点文案。",
            "All product detail pages, event main images and posters, brand stories and "
            "selling-point copy.",
        ),
        "authority": (
            "决定文案表达与版式；对不合规或信息不全的需求退回补充。",
            "Decides wording and layout; returns requests that are non-compliant or incomplete.",
        ),
        "objectives": (
            "素材按时交付率≥98%；内容信息差错 0 起；详情页转化率高于类目均值。",
            "Assets on time ≥98%; zero information errors; detail-page conversion above the "
            "category average.",
        ),
        "qualifications": (
            "大专及以上学历，中文、新闻、广告等相关专业优先；文字功底好，会使用 PS/剪映。",
            "College degree or above, ideally in Chinese, journalism or advertising; strong "
            "writing; can use Photoshop and CapCut.",
        ),
        "duties": [
            _duty(
                35,
                ("活动素材制作", "Produce campaign assets"),
                (
                    "按需求单制作活动主图、海报与短视频文案。",
                    "Produce event images, posters and short-video scripts from briefs.",
                ),
                (
                    "按需求单约定时间交付；价格、规格与活动规则 100% 一致",
                    "Delivered by the agreed time; prices, specs and event rules 100% consistent",
                ),
                "content/creative-production",
                "CAMP-CREATIVE",
            ),
            _duty(
                25,
                ("商品详情页文案", "Write product detail pages"),
                (
                    "提炼卖点，撰写与更新详情页。",
                    "Distil selling points; write and refresh detail pages.",
                ),
                (
                    "新品详情页在上新前 2 个工作日交付",
                    "New-product pages delivered 2 working days before launch",
                ),
                "content/detail-page",
                "DAILY-LAUNCH",
            ),
            _duty(
                20,
                ("内容审核与合规", "Check content and compliance"),
                (
                    "对照广告法与平台规范自查，发布前双人校对。",
                    "Self-check against advertising law and platform rules; four-eyes proofing "
                    "before publishing.",
                ),
                (
                    "广告法禁用词 0 出现；发布前双人校对",
                    "Zero banned advertising terms; two people proofread before publishing",
                ),
                "content/compliance",
            ),
            _duty(
                20,
                ("内容素材库维护", "Keep the asset library"),
                (
                    "按商品编码归档图片、视频与文案。",
                    "File images, videos and copy by product code.",
                ),
                (
                    "素材交付后 7 日内归档，可按商品编码检索",
                    "Assets filed within 7 days and findable by product code",
                ),
                "content/asset-library",
            ),
        ],
        "skills": [("SK-COPY", 4), ("SK-VISUAL", 3), ("SK-SOCIAL", 2), ("SK-INDUSTRY", 2)],
        "relations": [
            _rel(
                "position",
                "STORE-SPEC",
                ("接收详情页与主图需求", "Receives detail-page and main-image requests"),
            ),
            _rel(
                "position",
                "MKT-SPEC",
                ("接收推广素材需求", "Receives promotion asset requests"),
            ),
            _rel(
                "external",
                "设计外包供应商",
                ("大促高峰期外包设计的需求与验收", "Briefs and accepts outsourced design at peaks"),
            ),
        ],
    },
    "NEW-MEDIA": {
        "purpose": (
            "运营品牌在小红书、抖音、微信公众号的账号与社区，通过内容种草和直播带动店铺成交。",
            "Run the brand's Xiaohongshu, Douyin and WeChat accounts and communities, turning "
            "content and live streams into store sales.",
        ),
        "scope": (
            "品牌官方新媒体账号、店铺直播间与评论区。",
            "The brand's official social accounts, the store's live-stream room and comments.",
        ),
        "authority": (
            "在内容日历内自主发布内容；直播中按预案调整讲解顺序与福利。",
            "Publishes within the content calendar; adjusts running order and giveaways during "
            "live streams within the plan.",
        ),
        "objectives": (
            "每周发布≥10 条内容，互动率≥3%；直播场均观看≥5000 人次；负面舆情 30 分钟内上报。",
            "≥10 posts a week with ≥3% engagement; ≥5,000 views per live stream; negative "
            "sentiment escalated within 30 minutes.",
        ),
        "qualifications": (
            "大专及以上学历，1 年以上新媒体运营经验；熟悉小红书、抖音平台规则；会拍摄剪辑。",
            "College degree or above; 1+ year in social media operations; knows Xiaohongshu and "
            "Douyin rules; can shoot and edit video.",
        ),
        "duties": [
            _duty(
                35,
                ("内容发布与账号运营", "Publish content and run the accounts"),
                (
                    "按内容日历发布图文与短视频，运营话题与活动。",
                    "Publish posts and short videos along the calendar; run topics and events.",
                ),
                (
                    "每周发布≥10 条内容，互动率≥3%",
                    "≥10 posts a week with ≥3% engagement",
                ),
                "content/social-publishing",
                "DAILY-CONTENT",
            ),
            _duty(
                30,
                ("直播运营", "Run live streams"),
                (
                    "准备直播脚本、商品与库存，直播中控场与复盘。",
                    "Prepare scripts, products and stock; run the room and review each stream.",
                ),
                (
                    "直播前 24 小时完成脚本、商品与库存核对",
                    "Script, products and stock checked 24 hours before each stream",
                ),
                "content/live",
                "DAILY-LIVE",
            ),
            _duty(
                20,
                ("粉丝互动与舆情", "Engage followers and watch sentiment"),
                (
                    "回复评论私信，发现负面舆情及时上报。",
                    "Answer comments and messages; escalate negative sentiment quickly.",
                ),
                (
                    "评论私信 2 小时内回复；负面舆情 30 分钟内上报",
                    "Replies within 2 hours; negative sentiment escalated within 30 minutes",
                ),
                "content/social-listening",
            ),
            _duty(
                15,
                ("内容数据复盘", "Review content data"),
                (
                    "分析阅读、互动与引导成交数据，优化选题。",
                    "Analyse views, engagement and attributed sales to improve topics.",
                ),
                (
                    "每周一输出上周内容数据复盘",
                    "Last week's content review every Monday",
                ),
                "content/weekly-report",
            ),
        ],
        "skills": [("SK-SOCIAL", 4), ("SK-COPY", 3), ("SK-VISUAL", 3), ("SK-EXCEL", 2)],
        "relations": [
            _rel(
                "position",
                "CONTENT-EDITOR",
                ("共享素材与文案", "Shares assets and copy"),
            ),
            _rel(
                "position",
                "CS-SPEC",
                (
                    "直播与评论区中的售后问题转交客服",
                    "Hands after-sales questions from live streams and comments to customer "
                    "service",
                ),
            ),
            _rel(
                "external",
                "平台官方（小红书/抖音）",
                (
                    "平台活动、流量扶持与规则咨询",
                    "Platform events, traffic support and rule questions",
                ),
            ),
        ],
    },
    "CS-LEAD": {
        "purpose": (
            "带领客服与用户运营团队，保障售前售后服务的质量与效率，维护店铺服务评分与用户口碑。",
            "Lead the customer service and user operations team so pre-sales and after-sales "
            "service are fast and good, protecting service ratings and reputation.",
        ),
        "scope": (
            "全渠道在线客服、售后与投诉、会员与私域社群；团队 10–20 人。",
            "Online customer service on every channel, after-sales and complaints, membership "
            "and private-domain communities; a team of 10–20.",
        ),
        "authority": (
            "审批 2000 元以上退款与补偿；制定客服排班与话术；对服务违规提出处理意见。",
            "Approves refunds and compensation above CNY 2,000; sets rosters and scripts; "
            "proposes action on service violations.",
        ),
        "objectives": (
            "平均首次响应≤20 秒；投诉 48 小时结案率≥90%；客服满意度≥95%；DSR 服务分≥4.8。",
            "Average first response ≤20 seconds; ≥90% of complaints closed within 48 hours; "
            "satisfaction ≥95%; DSR service score ≥4.8.",
        ),
        "qualifications": (
            "大专及以上学历，4 年以上电商客服经验，2 年以上团队管理经验；熟悉各平台售后规则。",
            "College degree or above; 4+ years in e-commerce customer service and 2+ years "
            "leading a team; knows every platform's after-sales rules.",
        ),
        "duties": [
            _duty(
                25,
                ("售后与退款管理", "Manage after-sales and refunds"),
                (
                    "制定售后规则，复核大额退款，分析退款原因。",
                    "Set after-sales rules, re-check large refunds and analyse refund reasons.",
                ),
                (
                    "退款申请 24 小时内处理率≥98%；2000 元以上退款由主管复核",
                    "≥98% of refund requests handled within 24 hours; refunds above CNY 2,000 "
                    "re-checked by the lead",
                ),
                "service/refund",
                "AS-REFUND",
            ),
            _duty(
                25,
                ("投诉与纠纷处理", "Resolve complaints and disputes"),
                (
                    "处理升级投诉与平台纠纷，推动商品与流程问题整改。",
                    "Handle escalated complaints and platform disputes; push product and process "
                    "fixes.",
                ),
                (
                    "投诉 24 小时内首次响应率 100%，48 小时内结案率≥90%",
                    "100% first response within 24 hours; ≥90% closed within 48 hours",
                ),
                "service/complaint",
                "AS-COMPLAINT",
            ),
            _duty(
                20,
                ("客服质检", "Inspect service quality"),
                (
                    "抽检会话，反馈问题并组织话术培训。",
                    "Sample conversations, give feedback and run script training.",
                ),
                (
                    "每周抽检会话≥5%，质检合格率≥95%",
                    "≥5% of conversations sampled weekly; ≥95% pass",
                ),
                "service/qa",
                "AS-QA",
            ),
            _duty(
                15,
                ("大促客服保障", "Prepare service for campaigns"),
                (
                    "大促前完成排班、话术与应急预案。",
                    "Rosters, scripts and contingency plans ready before each campaign.",
                ),
                (
                    "大促前 7 天完成排班与话术培训；大促期间首响≤15 秒",
                    "Rosters and script training done 7 days ahead; first response ≤15 seconds "
                    "during the campaign",
                ),
                "service/campaign-readiness",
                "CAMP-CS",
            ),
            _TEAM_MGMT,
        ],
        "skills": [
            ("SK-CS", 5),
            ("SK-AFTERSALES", 5),
            ("SK-CRM", 3),
            ("SK-EXCEL", 3),
            ("SK-LEAD", 4),
        ],
        "relations": [
            _rel(
                "position",
                "STORE-LEAD",
                ("反馈商品质量与描述问题", "Reports product quality and description issues"),
            ),
            _rel(
                "unit",
                "OPS-DATA",
                ("服务数据分析与看板", "Service analytics and dashboards"),
            ),
            _rel(
                "external",
                "物流服务商",
                ("物流异常、破损与理赔处理", "Delivery exceptions, damage and claims"),
            ),
        ],
    },
    "CS-SPEC": {
        "purpose": (
            "通过在线客服解答售前咨询、处理售后与投诉，提升转化与用户满意度。",
            "Answer pre-sales questions and handle after-sales and complaints through online "
            "chat, raising conversion and customer satisfaction.",
        ),
        "scope": (
            "天猫、京东、抖音小店在线客服工作台的咨询与售后工单。",
            "Questions and after-sales tickets in the Tmall, JD.com and Douyin chat workbenches.",
        ),
        "authority": (
            "按售后规则直接同意 2000 元以内退款；按标准发放小额补偿券。",
            "Approves refunds up to CNY 2,000 under the after-sales rules; issues small "
            "compensation coupons by the standard.",
        ),
        "objectives": (
            "平均首次响应≤20 秒；咨询转化率≥35%；满意度≥95%；退款原因标注准确率≥98%。",
            "Average first response ≤20 seconds; pre-sales conversion ≥35%; satisfaction ≥95%; "
            "refund reasons tagged correctly ≥98%.",
        ),
        "qualifications": (
            "中专及以上学历；打字速度≥60 字/分钟；有耐心、表达清晰；有电商客服经验者优先。",
            "Secondary vocational education or above; types ≥60 characters a minute; patient "
            "and clear; e-commerce service experience preferred.",
        ),
        "duties": [
            _duty(
                35,
                ("售前咨询与导购", "Answer pre-sales questions"),
                (
                    "解答商品、活动与物流问题，推荐合适商品。",
                    "Answer product, promotion and delivery questions; recommend suitable items.",
                ),
                (
                    "平均首次响应≤20 秒，咨询转化率≥35%",
                    "Average first response ≤20 seconds; conversion ≥35%",
                ),
                "service/pre-sales",
            ),
            _duty(
                25,
                ("退款与售后处理", "Handle refunds and after-sales"),
                (
                    "审核退款退货申请，标注退款原因。",
                    "Review refund and return requests; tag refund reasons.",
                ),
                (
                    "退款申请 24 小时内处理；退款原因标注准确率≥98%",
                    "Refund requests handled within 24 hours; reasons tagged correctly ≥98%",
                ),
                "service/refund",
                "AS-REFUND",
            ),
            _duty(
                20,
                ("投诉处理", "Handle complaints"),
                (
                    "安抚用户、给出方案，必要时升级主管。",
                    "Calm the customer, offer a resolution and escalate when needed.",
                ),
                (
                    "投诉 24 小时内首次响应",
                    "First response to complaints within 24 hours",
                ),
                "service/complaint",
                "AS-COMPLAINT",
            ),
            _duty(
                10,
                ("大促客服值守", "Staff the campaign shifts"),
                (
                    "按大促排班在岗，执行活动话术。",
                    "Work the campaign roster and use the campaign scripts.",
                ),
                (
                    "按排班在岗，大促期间首响≤15 秒",
                    "On shift as rostered; first response ≤15 seconds during campaigns",
                ),
                "service/campaign-readiness",
                "CAMP-CS",
            ),
            _duty(
                10,
                ("问题反馈与知识库", "Feed back issues and the knowledge base"),
                (
                    "记录新问题，补充知识库，汇总高频问题。",
                    "Record new questions, extend the knowledge base, summarise frequent issues.",
                ),
                (
                    "新问题当日录入知识库；每周汇总 TOP10 问题",
                    "New questions added the same day; top-10 issues summarised weekly",
                ),
                "service/knowledge-base",
            ),
        ],
        "skills": [("SK-CS", 3), ("SK-AFTERSALES", 3), ("SK-PLATFORM", 2), ("SK-COMMS", 3)],
        "relations": [
            _rel(
                "position",
                "CS-LEAD",
                (
                    "汇报对象；大额退款与升级投诉交其处理",
                    "Reports to; large refunds and escalations go to the lead",
                ),
            ),
            _rel(
                "position",
                "STORE-SPEC",
                ("确认商品信息与活动规则", "Checks product information and event rules"),
            ),
            _rel(
                "external",
                "消费者",
                ("售前咨询与售后服务的直接对象", "The customers served before and after sale"),
            ),
        ],
    },
    "USER-OPS": {
        "purpose": (
            "通过会员体系、私域社群与差评修复提升用户留存与复购。",
            "Raise retention and repeat purchase through membership, private-domain "
            "communities and repairing negative reviews.",
        ),
        "scope": (
            "店铺会员、企业微信社群与用户分层触达。",
            "Store membership, WeChat Work communities and segmented outreach.",
        ),
        "authority": (
            "在月度预算内发放会员权益与社群福利；决定召回人群与触达频次。",
            "Grants member benefits and community perks within the monthly budget; decides "
            "recall audiences and contact frequency.",
        ),
        "objectives": (
            "会员复购率季度环比提升≥3%；社群周活跃率≥20%；差评修复率≥30%。",
            "Member repeat rate up ≥3% quarter on quarter; weekly community activity ≥20%; "
            "≥30% of negative reviews repaired.",
        ),
        "qualifications": (
            "大专及以上学历，1 年以上用户运营或私域运营经验；熟悉企业微信/SCRM 工具。",
            "College degree or above; 1+ year in user or private-domain operations; knows WeChat "
            "Work and SCRM tools.",
        ),
        "duties": [
            _duty(
                30,
                ("社群与会员运营", "Run communities and membership"),
                (
                    "策划社群活动与会员日，维护会员权益。",
                    "Plan community events and member days; look after member benefits.",
                ),
                (
                    "社群周活跃率≥20%；会员日活动每月 1 次",
                    "Weekly community activity ≥20%; one member day a month",
                ),
                "user/community",
                "DAILY-COMMUNITY",
            ),
            _duty(
                25,
                ("差评回访与修复", "Follow up negative reviews"),
                (
                    "回访差评用户，解决问题并引导追评。",
                    "Contact customers who left negative reviews, fix the problem, invite a "
                    "follow-up review.",
                ),
                (
                    "差评 48 小时内回访，修复率≥30%",
                    "Contact within 48 hours; ≥30% repaired",
                ),
                "user/bad-review",
                "AS-BADREVIEW",
            ),
            _duty(
                25,
                ("用户分层与召回", "Segment and win back users"),
                (
                    "按 RFM 分层触达沉睡用户。",
                    "Reach dormant users by RFM segment.",
                ),
                (
                    "每月执行≥2 次召回，召回率≥5%",
                    "≥2 recall campaigns a month; ≥5% return",
                ),
                "user/recall",
            ),
            _duty(
                20,
                ("用户声音收集", "Collect the voice of the customer"),
                (
                    "汇总用户反馈与建议，推动改进。",
                    "Gather feedback and suggestions and push for improvements.",
                ),
                (
                    "每月输出用户声音报告",
                    "A voice-of-the-customer report every month",
                ),
                "user/voc",
            ),
        ],
        "skills": [("SK-CRM", 4), ("SK-CS", 3), ("SK-EXCEL", 3), ("SK-COPY", 2)],
        "relations": [
            _rel(
                "position",
                "MKT-SPEC",
                ("会员活动与推广联动", "Links member events with promotions"),
            ),
            _rel(
                "position",
                "DATA-ANALYST",
                ("获取用户分层与召回效果数据", "Gets segmentation and recall results"),
            ),
            _rel(
                "external",
                "SCRM 服务商",
                ("企业微信工具配置与问题处理", "WeChat Work tooling set-up and support"),
            ),
        ],
    },
    "DATA-LEAD": {
        "purpose": (
            "建设运营数据体系，提供经营分析与决策支持，确保指标口径统一、报表准确及时。",
            "Build the operations data system and support decisions with analysis, keeping "
            "metric definitions consistent and reports accurate and on time.",
        ),
        "scope": (
            "运营部全部经营报表、指标体系、BI 看板与分析需求。",
            "All of the department's business reports, metrics, BI dashboards and analysis "
            "requests.",
        ),
        "authority": (
            "确定指标口径与报表标准；决定分析需求优先级；管理数据权限申请。",
            "Decides metric definitions and reporting standards; prioritises analysis requests; "
            "manages data access requests.",
        ),
        "objectives": (
            "日报准时率 100%；报表差错率≤0.5%；需求按期交付率≥95%。",
            "Daily report on time 100%; report error rate ≤0.5%; ≥95% of requests delivered on "
            "time.",
        ),
        "qualifications": (
            "本科及以上学历，统计、数学或计算机相关专业；4 年以上数据分析经验，1 年以上带团队经验；"
            "精通 SQL。",
            "Bachelor's degree or above in statistics, mathematics or computing; 4+ years of "
            "data analysis and 1+ year leading a team; expert SQL.",
        ),
        "duties": [
            _duty(
                30,
                ("月度经营分析", "Monthly business analysis"),
                (
                    "分析 GMV、流量、转化与费用，提出经营建议。",
                    "Analyse GMV, traffic, conversion and spend; recommend actions.",
                ),
                (
                    "每月 5 日前发布上月经营分析报告",
                    "Last month's analysis published by the 5th",
                ),
                "data/monthly-analysis",
                "RPT-MONTHLY",
            ),
            _duty(
                20,
                ("指标口径管理", "Own metric definitions"),
                (
                    "维护指标字典，评审口径变更。",
                    "Keep the metric dictionary; review definition changes.",
                ),
                (
                    "核心指标口径文档化；变更需评审并提前 3 天通知",
                    "Core metrics documented; changes reviewed and announced 3 days ahead",
                ),
                "data/metric-definitions",
                "RPT-METRICS",
            ),
            _duty(
                20,
                ("报表质量审核", "Assure report quality"),
                (
                    "审核日报周报与看板数据质量。",
                    "Check the quality of daily and weekly reports and dashboards.",
                ),
                (
                    "日报 9:30 前发出，数据差错率≤0.5%",
                    "Daily report out by 9:30; error rate ≤0.5%",
                ),
                "data/report-qa",
                "RPT-DAILY",
            ),
            _duty(
                15,
                ("数据需求评审与排期", "Triage data requests"),
                (
                    "评估需求价值与工作量，安排排期。",
                    "Weigh each request's value and effort and schedule it.",
                ),
                (
                    "需求 2 个工作日内完成评估排期",
                    "Requests assessed and scheduled within 2 working days",
                ),
                "data/request-triage",
            ),
            _TEAM_MGMT,
        ],
        "skills": [
            ("SK-SQL", 5),
            ("SK-BI", 4),
            ("SK-STATS", 4),
            ("SK-INDUSTRY", 3),
            ("SK-LEAD", 3),
        ],
        "relations": [
            _rel(
                "position",
                "OPS-DIRECTOR",
                ("汇报经营分析与数据风险", "Reports business analysis and data risks"),
            ),
            _rel(
                "unit",
                "OPS-STORE",
                ("店铺经营数据需求的主要来源", "Main source of store analysis requests"),
            ),
            _rel(
                "external",
                "ERP/BI 系统服务商",
                ("数据接口与系统问题处理", "Data interfaces and system issues"),
            ),
        ],
    },
    "DATA-ANALYST": {
        "purpose": (
            "产出准确及时的运营报表与分析，帮助各组发现问题、评估活动效果。",
            "Deliver accurate, timely operations reports and analysis that help every team find "
            "problems and measure campaign results.",
        ),
        "scope": (
            "日报周报、活动复盘、BI 看板与各组专项分析。",
            "Daily and weekly reports, campaign reviews, BI dashboards and ad-hoc analysis for "
            "the teams.",
        ),
        "authority": (
            "按权限访问业务数据；对口径不清的需求要求澄清后再交付。",
            "Accesses business data as permitted; asks for clarification before delivering "
            "requests with unclear definitions.",
        ),
        "objectives": (
            "日报准时率 100%；复盘报告按期交付；看板数据误差≤0.1%。",
            "Daily report on time 100%; campaign reviews on schedule; dashboard variance ≤0.1%.",
        ),
        "qualifications": (
            "本科及以上学历，统计、数学、计算机等相关专业；熟练使用 SQL 与 Excel，会 Python 者优先。",
            "Bachelor's degree or above in statistics, mathematics, computing or similar; fluent "
            "SQL and Excel, Python a plus.",
        ),
        "duties": [
            _duty(
                30,
                ("日报周报制作", "Produce daily and weekly reports"),
                (
                    "按模板产出经营日报、周报并解读异常。",
                    "Produce the daily and weekly reports and explain anomalies.",
                ),
                (
                    "日报每日 9:30 前发出，周报每周一 12:00 前发出",
                    "Daily report by 9:30; weekly report by 12:00 on Mondays",
                ),
                "data/daily-report",
                "RPT-DAILY",
            ),
            _duty(
                25,
                ("活动复盘分析", "Analyse campaign results"),
                (
                    "分析大促目标达成、流量结构、投放 ROI 与售后指标。",
                    "Analyse target attainment, traffic mix, ad ROI and after-sales figures.",
                ),
                (
                    "大促结束后 3 个工作日内完成复盘报告",
                    "Review report within 3 working days of the campaign's end",
                ),
                "campaign/review",
                "CAMP-REVIEW",
            ),
            _duty(
                25,
                ("BI 看板建设", "Build BI dashboards"),
                (
                    "需求梳理、建模与看板开发维护。",
                    "Gather requirements, model data, build and maintain dashboards.",
                ),
                (
                    "看板需求 10 个工作日内上线，与源系统核对误差≤0.1%",
                    "Dashboards live within 10 working days; ≤0.1% variance from source systems",
                ),
                "data/dashboard",
                "RPT-DASHBOARD",
            ),
            _duty(
                20,
                ("专项分析", "Ad-hoc analysis"),
                (
                    "响应各组专项分析需求。",
                    "Answer the teams' ad-hoc analysis requests.",
                ),
                (
                    "按约定时间交付，结论注明数据来源与口径",
                    "Delivered on the agreed date with sources and definitions stated",
                ),
                "data/ad-hoc",
            ),
        ],
        "skills": [
            ("SK-SQL", 4),
            ("SK-EXCEL", 4),
            ("SK-BI", 3),
            ("SK-STATS", 3),
            ("SK-INDUSTRY", 2),
        ],
        "relations": [
            _rel(
                "position",
                "STORE-LEAD",
                ("提供店铺经营数据与异常预警", "Supplies store figures and anomaly alerts"),
            ),
            _rel(
                "position",
                "ADS-OPTIMIZER",
                ("提供投放效果与人群数据", "Supplies ad results and audience data"),
            ),
        ],
    },
    "MKT-LEAD": {
        "purpose": (
            "统筹站内外推广与大促活动策划，在预算内实现流量与销售目标并控制投产比。",
            "Own on-platform and off-platform promotion and campaign planning, hitting traffic "
            "and sales targets within budget and at a sound return.",
        ),
        "scope": (
            "大促与日常推广、广告投放、平台活动资源；推广组 6–12 人。",
            "Campaigns and always-on promotion, paid media and platform event resources; a "
            "promotion team of 6–12.",
        ),
        "authority": (
            "在部门批准的预算内分配推广费用（单笔 10 万元以内）；审批推广计划与投放策略。",
            "Allocates promotion spend within the approved budget (up to CNY 100,000 per item); "
            "approves promotion plans and bidding strategy.",
        ),
        "objectives": (
            "推广 ROI≥3；月度推广费用偏差≤5%；大促 GMV 达成率≥100%。",
            "Promotion ROI ≥3; monthly spend within 5% of budget; campaign GMV ≥100% of target.",
        ),
        "qualifications": (
            "本科及以上学历，5 年以上电商推广经验，2 年以上带团队经验；精通直通车、引力魔方或千川。",
            "Bachelor's degree or above; 5+ years in e-commerce promotion and 2+ years leading a "
            "team; expert in Direct Train, Magic Cube or Qianchuan.",
        ),
        "duties": [
            _duty(
                25,
                ("大促活动策划统筹", "Lead campaign planning"),
                (
                    "组织制定大促目标、节奏与资源方案。",
                    "Run the setting of campaign goals, timeline and resources.",
                ),
                (
                    "大促方案在活动开始前 20 天提交审批",
                    "Campaign plan submitted for approval 20 days before start",
                ),
                "campaign/planning",
                "CAMP-PLAN",
            ),
            _duty(
                25,
                ("推广预算与 ROI 管理", "Manage promotion budget and ROI"),
                (
                    "分配与监控预算，优化投放结构。",
                    "Allocate and monitor the budget; rebalance the media mix.",
                ),
                (
                    "月度推广费用偏差≤5%，整体 ROI≥3",
                    "Monthly spend within 5% of budget; overall ROI ≥3",
                ),
                "marketing/budget",
                "DAILY-ADS",
            ),
            _duty(
                20,
                ("活动复盘", "Run campaign reviews"),
                (
                    "组织复盘会，沉淀经验与改进项。",
                    "Hold review meetings; capture lessons and improvements.",
                ),
                (
                    "活动结束后 5 个工作日内召开复盘会",
                    "Review meeting within 5 working days of the campaign's end",
                ),
                "campaign/review",
                "CAMP-REVIEW",
            ),
            _duty(
                15,
                ("活动方案提报", "Submit campaign plans"),
                (
                    "汇总各组意见，提报活动方案与预算。",
                    "Collect the teams' input and submit the plan and budget.",
                ),
                (
                    "方案包含目标、节奏、预算、风险预案四要素",
                    "Plans cover goals, timeline, budget and risk plan",
                ),
                "campaign/plan-approval",
                "CAMP-APPROVE",
            ),
            _TEAM_MGMT,
        ],
        "skills": [
            ("SK-CAMPAIGN", 5),
            ("SK-ADS", 4),
            ("SK-ROI", 4),
            ("SK-PLAN", 3),
            ("SK-LEAD", 4),
        ],
        "relations": [
            _rel(
                "position",
                "STORE-LEAD",
                (
                    "共同制定大促方案与商品策略",
                    "Builds campaign plans and product strategy together",
                ),
            ),
            _rel(
                "position",
                "DATA-ANALYST",
                ("获取投放与活动效果分析", "Gets ad and campaign analysis"),
            ),
            _rel(
                "external",
                "广告代理商",
                ("代投账户与创意资源合作", "Managed ad accounts and creative resources"),
            ),
        ],
    },
    "MKT-SPEC": {
        "purpose": (
            "策划并执行大促与日常推广活动，按计划为店铺带来流量与成交。",
            "Plan and run campaigns and always-on promotions that bring the store traffic and "
            "sales as planned.",
        ),
        "scope": (
            "站内活动（优惠券、满减、会员日）与站外推广（短信、社群、合作渠道）。",
            "On-platform promotions (coupons, spend-and-save, member days) and off-platform "
            "promotion (SMS, communities, partner channels).",
        ),
        "authority": (
            "在批准的活动预算内设置优惠券与满减；发起素材需求。",
            "Sets coupons and spend-and-save offers within the approved budget; requests assets.",
        ),
        "objectives": (
            "活动按期上线率 100%；推广计划执行偏差≤10%；活动 GMV 达成率≥100%。",
            "100% of promotions live on schedule; plan deviation ≤10%; promotion GMV ≥100% of "
            "target.",
        ),
        "qualifications": (
            "大专及以上学历，1 年以上电商活动或推广经验；熟悉平台营销工具；逻辑清楚。",
            "College degree or above; 1+ year in e-commerce promotions; knows platform "
            "marketing tools; clear thinker.",
        ),
        "duties": [
            _duty(
                35,
                ("活动策划与执行", "Plan and run promotions"),
                (
                    "撰写活动方案，配置优惠，跟踪执行。",
                    "Write promotion plans, configure offers and track delivery.",
                ),
                (
                    "方案含目标、节奏、预算、风险预案；按排期 100% 上线",
                    "Plans cover goals, timeline, budget and risks; 100% live on schedule",
                ),
                "campaign/planning",
                "CAMP-PLAN",
            ),
            _duty(
                30,
                ("日常推广", "Run always-on promotion"),
                (
                    "执行周推广计划，维护优惠券与会员活动。",
                    "Carry out the weekly promotion plan; maintain coupons and member offers.",
                ),
                (
                    "周推广计划周五前确定，执行偏差≤10%",
                    "Weekly plan fixed by Friday; deviation ≤10%",
                ),
                "marketing/always-on",
                "DAILY-PROMO",
            ),
            _duty(
                20,
                ("平台活动资源对接", "Secure platform event resources"),
                (
                    "收集平台活动信息，协助店铺组报名。",
                    "Collect platform event information and help the store team sign up.",
                ),
                (
                    "平台活动信息 1 个工作日内同步到店铺组",
                    "Platform event news passed to the store team within 1 working day",
                ),
                "store/platform-events",
                "DAILY-EVENTS",
            ),
            _duty(
                15,
                ("推广效果报表", "Report promotion results"),
                (
                    "汇总推广数据，提出优化建议。",
                    "Summarise promotion data and suggest improvements.",
                ),
                (
                    "每周一输出推广周报",
                    "Promotion report every Monday",
                ),
                "marketing/weekly-report",
            ),
        ],
        "skills": [("SK-CAMPAIGN", 3), ("SK-ADS", 2), ("SK-COPY", 2), ("SK-EXCEL", 3)],
        "relations": [
            _rel(
                "position",
                "MKT-LEAD",
                ("汇报对象；活动方案由其审核", "Reports to; promotion plans reviewed by the lead"),
            ),
            _rel(
                "position",
                "CONTENT-EDITOR",
                ("提交推广素材需求", "Requests promotion assets"),
            ),
            _rel(
                "external",
                "平台小二（天猫/京东行业运营）",
                ("获取平台活动资源与报名规则", "Gets platform event slots and sign-up rules"),
            ),
        ],
    },
    "ADS-OPTIMIZER": {
        "purpose": (
            "搭建与优化付费推广计划，以合理成本获取精准流量，保证投放 ROI。",
            "Build and optimise paid media campaigns that buy well-targeted traffic at a sound "
            "cost and return.",
        ),
        "scope": (
            "直通车、引力魔方、京准通、巨量千川等付费推广账户。",
            "Paid media accounts on Direct Train, Magic Cube, JD Jingzhuntong and Qianchuan.",
        ),
        "authority": (
            "在批准预算内调整出价、预算分配与人群；暂停 ROI 持续低于阈值的计划。",
            "Adjusts bids, budget split and audiences within the approved budget; pauses "
            "campaigns whose ROI stays below the threshold.",
        ),
        "objectives": (
            "整体投放 ROI≥3；预算消耗偏差≤5%；点击成本环比不上升。",
            "Overall ad ROI ≥3; spend within 5% of budget; cost per click not rising month on "
            "month.",
        ),
        "qualifications": (
            "大专及以上学历，2 年以上付费推广经验；数据敏感，熟练使用 Excel 透视与公式。",
            "College degree or above; 2+ years in paid media; data-minded, fluent with Excel "
            "pivots and formulas.",
        ),
        "duties": [
            _duty(
                35,
                ("大促投放执行", "Run campaign paid media"),
                (
                    "按大促方案搭建计划、分配预算并实时监控。",
                    "Build campaigns from the plan, split the budget and monitor live.",
                ),
                (
                    "大促投放计划提前 72 小时搭建完成；预算消耗偏差≤5%",
                    "Campaign ads built 72 hours ahead; spend within 5% of budget",
                ),
                "marketing/campaign-ads",
                "CAMP-ADS",
            ),
            _duty(
                30,
                ("日常出价与预算优化", "Optimise bids and budgets daily"),
                (
                    "调整出价与预算，处理低效计划。",
                    "Adjust bids and budgets; deal with under-performing campaigns.",
                ),
                (
                    "每日 2 次调价检查；ROI 低于 1.5 的计划当日调整",
                    "Bids checked twice a day; campaigns with ROI below 1.5 fixed the same day",
                ),
                "marketing/bidding",
                "DAILY-ADS",
            ),
            _duty(
                20,
                ("人群定向与关键词", "Manage audiences and keywords"),
                (
                    "维护人群包、关键词与否定词。",
                    "Maintain audience packs, keywords and negative keywords.",
                ),
                (
                    "每周更新人群包与否定词表",
                    "Audience packs and negative keywords updated weekly",
                ),
                "marketing/audience",
                "DAILY-AUDIENCE",
            ),
            _duty(
                15,
                ("投放数据复盘", "Review ad performance"),
                (
                    "分析 ROI、CPC 与转化率，提出优化建议。",
                    "Analyse ROI, CPC and conversion; propose improvements.",
                ),
                (
                    "每周一出投放周报，含 ROI、CPC、转化率",
                    "Weekly ad report every Monday with ROI, CPC and conversion",
                ),
                "marketing/ads-report",
            ),
        ],
        "skills": [("SK-ADS", 4), ("SK-ROI", 4), ("SK-EXCEL", 3), ("SK-STATS", 2)],
        "relations": [
            _rel(
                "position",
                "MKT-LEAD",
                (
                    "汇报对象；预算与策略由其审批",
                    "Reports to; budget and strategy approved by the lead",
                ),
            ),
            _rel(
                "position",
                "DATA-ANALYST",
                ("获取人群与转化分析", "Gets audience and conversion analysis"),
            ),
            _rel(
                "external",
                "平台投放顾问",
                ("新产品内测与账户诊断", "Beta features and account health checks"),
            ),
        ],
    },
    "HRBP": {
        "purpose": (
            "作为运营部门的人力资源伙伴，支持岗位体系、招聘、绩效、培训与员工关系，推动运营员体系"
            "落地。",
            "Act as the operations department's HR partner: support the role system, hiring, "
            "appraisal, training and employee relations so the operations-staff system works.",
        ),
        "scope": (
            "电商运营部全体员工的人力资源服务。",
            "HR services for everyone in the e-commerce operations department.",
        ),
        "authority": (
            "发布经审批的招聘需求；组织岗位说明书评审与绩效校准；维护员工档案。",
            "Publishes approved requisitions; runs job description reviews and calibration; "
            "keeps employee records.",
        ),
        "objectives": (
            "运营岗位平均招聘周期≤30 天；试用期转正率≥85%；岗位说明书每半年评审覆盖率 100%。",
            "Average time to hire ≤30 days; ≥85% pass probation; 100% of job descriptions "
            "reviewed every six months.",
        ),
        "qualifications": (
            "本科及以上学历，人力资源相关专业；3 年以上 HRBP 或招聘经验；熟悉劳动法。",
            "Bachelor's degree or above in HR or similar; 3+ years as an HRBP or recruiter; knows "
            "labour law.",
        ),
        "duties": [
            _duty(
                30,
                ("招聘与入职", "Recruit and onboard"),
                (
                    "发布职位、筛选简历、组织面试与入职。",
                    "Post openings, screen CVs, arrange interviews and onboarding.",
                ),
                (
                    "运营岗位平均招聘周期≤30 天；入职当天完成入职安排",
                    "Average time to hire ≤30 days; onboarding arranged on day one",
                ),
                "people/hiring",
                "PPL-HIRING",
            ),
            _duty(
                25,
                ("岗位体系与说明书维护", "Maintain roles and job descriptions"),
                (
                    "组织岗位说明书评审、修订与发布。",
                    "Run job description reviews, revisions and publication.",
                ),
                (
                    "每半年组织一次评审，变更后 5 个工作日内发布",
                    "Reviewed every six months; changes published within 5 working days",
                ),
                "people/jd-review",
                "PPL-JD",
            ),
            _duty(
                20,
                ("绩效与晋升流程支持", "Support appraisal and promotion"),
                (
                    "按期启动考核周期，组织校准会与晋升评审。",
                    "Start review cycles on time; organise calibration and promotion panels.",
                ),
                (
                    "考核周期按期启动；校准会纪要 3 日内归档",
                    "Cycles start on time; calibration minutes filed within 3 days",
                ),
                "people/performance",
            ),
            _duty(
                15,
                ("新人入职培训", "Run onboarding training"),
                (
                    "组织文化、制度与岗位流程培训。",
                    "Run culture, policy and process training for new joiners.",
                ),
                (
                    "入职 30 天内完成入职培训与考核",
                    "Onboarding training and test completed within 30 days",
                ),
                "people/onboarding",
                "PPL-ONBOARD",
            ),
            _duty(
                10,
                ("员工关系与关怀", "Look after employee relations"),
                (
                    "定期访谈，关注员工状态与心理健康。",
                    "Hold regular check-ins on workload and wellbeing.",
                ),
                (
                    "每季度完成一次员工状态访谈",
                    "A wellbeing check-in with everyone each quarter",
                ),
                "people/employee-relations",
            ),
        ],
        "skills": [("SK-HR", 4), ("SK-TALENT", 4), ("SK-COMMS", 4), ("SK-EXCEL", 3)],
        "relations": [
            _rel(
                "position",
                "OPS-DIRECTOR",
                ("对接部门人才规划与组织调整", "Partners on talent planning and organisation"),
            ),
            _rel(
                "unit",
                "OPS",
                (
                    "支持各组主管的招聘与绩效工作",
                    "Supports every team lead on hiring and appraisal",
                ),
            ),
            _rel(
                "external",
                "招聘渠道与猎头",
                ("职位发布与候选人推荐", "Job postings and candidate referrals"),
            ),
        ],
    },
}

# Older published versions (now superseded) for positions whose job description was revised:
# field overrides of version 1 relative to the current (version 2) content.
JD_HISTORY: dict[str, dict[str, Any]] = {
    "STORE-SPEC": {
        "change_note": "上架准确率标准由 99% 提高到 99.5%，大促上架提前到 48 小时完成；新增标题与"
        "关键词优化职责",
        "v1": {
            "objectives": (
                "商品上架信息准确率≥99%；负责类目 GMV 达成率≥100%；活动报名通过率≥85%。",
                "Listing accuracy ≥99%; GMV of the assigned categories ≥100% of target; event "
                "sign-up acceptance ≥85%.",
            ),
            "duty_changes": {
                0: {
                    "time_share": 35,
                    "standard": "商品上架信息准确率≥99%，大促前 24 小时完成",
                    "standard_en": "Listing accuracy ≥99%; campaign listings done 24 hours "
                    "before start",
                },
                1: {
                    "time_share": 25,
                    "standard": "新品到仓后 5 个工作日内上线",
                    "standard_en": "New products live within 5 working days",
                },
                2: {"time_share": 25},
                3: {"time_share": 15},
            },
            "drop_duties": [4],
            "drop_skills": ["SK-INDUSTRY"],
        },
    },
    "CS-SPEC": {
        "change_note": "首次响应标准从 30 秒提高到 20 秒；退款处理时限缩短到 24 小时；新增大促值守职责",
        "v1": {
            "objectives": (
                "平均首次响应≤30 秒；咨询转化率≥30%；满意度≥93%。",
                "Average first response ≤30 seconds; pre-sales conversion ≥30%; satisfaction ≥93%.",
            ),
            "duty_changes": {
                0: {
                    "time_share": 40,
                    "standard": "平均首次响应≤30 秒，咨询转化率≥30%",
                    "standard_en": "Average first response ≤30 seconds; conversion ≥30%",
                },
                1: {
                    "time_share": 30,
                    "standard": "退款申请 48 小时内处理",
                    "standard_en": "Refund requests handled within 48 hours",
                },
                2: {"time_share": 20},
                4: {"time_share": 10},
            },
            "drop_duties": [3],
            "drop_skills": [],
        },
    },
    "ADS-OPTIMIZER": {
        "change_note": "关键词管理扩展为人群定向与关键词；大促投放提前到 72 小时搭建；调整 ROI 阈值为 "
        "1.5；新增统计分析技能要求",
        "v1": {
            "objectives": (
                "整体投放 ROI≥2.5；预算消耗偏差≤10%。",
                "Overall ad ROI ≥2.5; spend within 10% of budget.",
            ),
            "duty_changes": {
                0: {
                    "time_share": 35,
                    "standard": "大促投放计划提前 48 小时搭建完成",
                    "standard_en": "Campaign ads built 48 hours ahead",
                },
                1: {
                    "time_share": 35,
                    "standard": "每日 1 次调价检查；ROI 低于 1.2 的计划次日调整",
                    "standard_en": "Bids checked daily; campaigns with ROI below 1.2 fixed the "
                    "next day",
                },
                2: {
                    "time_share": 15,
                    "title": "关键词管理",
                    "title_en": "Manage keywords",
                    "description": "维护关键词与否定词。",
                    "description_en": "Maintain keywords and negative keywords.",
                    "standard": "每两周更新否定词表",
                    "standard_en": "Negative keywords updated every two weeks",
                },
                3: {"time_share": 15},
            },
            "drop_duties": [],
            "drop_skills": ["SK-STATS"],
        },
    },
}

# The one open draft: the next version of the social media operator's description.
JD_DRAFT: dict[str, dict[str, Any]] = {
    "NEW-MEDIA": {
        "change_note": "草稿：新增达人合作执行职责；直播准备时间提前到 48 小时",
        "duty_changes": {
            0: {"time_share": 30},
            1: {
                "time_share": 30,
                "standard": "直播前 48 小时完成脚本、商品与库存核对",
                "standard_en": "Script, products and stock checked 48 hours before each stream",
            },
            2: {"time_share": 15},
            3: {"time_share": 10},
        },
        "add_duties": [
            _duty(
                15,
                ("达人合作执行", "Run creator collaborations"),
                (
                    "对接达人排期、寄样与内容审核，跟踪合作效果。",
                    "Schedule creators, send samples, review their content and track results.",
                ),
                (
                    "寄样 3 个工作日内完成；合作内容发布前 100% 审核",
                    "Samples sent within 3 working days; every post reviewed before it goes live",
                ),
                "content/kol",
                "DAILY-KOL",
            )
        ],
    }
}

# ---------------------------------------------------------------------------------------------
# People
# ---------------------------------------------------------------------------------------------

SURNAMES = [
    ("王", "Wang"), ("李", "Li"), ("张", "Zhang"), ("刘", "Liu"), ("陈", "Chen"), ("杨", "Yang"),
    ("黄", "Huang"), ("赵", "Zhao"), ("吴", "Wu"), ("周", "Zhou"), ("徐", "Xu"), ("孙", "Sun"),
    ("马", "Ma"), ("朱", "Zhu"), ("胡", "Hu"), ("郭", "Guo"), ("何", "He"), ("林", "Lin"),
    ("高", "Gao"), ("罗", "Luo"), ("郑", "Zheng"), ("梁", "Liang"), ("谢", "Xie"), ("宋", "Song"),
    ("唐", "Tang"), ("韩", "Han"), ("冯", "Feng"), ("邓", "Deng"), ("曹", "Cao"), ("彭", "Peng"),
    ("曾", "Zeng"), ("肖", "Xiao"), ("田", "Tian"), ("董", "Dong"), ("潘", "Pan"), ("袁", "Yuan"),
    ("蒋", "Jiang"), ("蔡", "Cai"), ("余", "Yu"), ("杜", "Du"), ("叶", "Ye"), ("程", "Cheng"),
    ("魏", "Wei"), ("苏", "Su"), ("吕", "Lyu"), ("丁", "Ding"), ("沈", "Shen"), ("姚", "Yao"),
]  # fmt: skip
GIVEN = [
    ("子", "zi"), ("涵", "han"), ("浩", "hao"), ("宇", "yu"), ("欣", "xin"), ("怡", "yi"),
    ("梓", "zi"), ("轩", "xuan"), ("雨", "yu"), ("晨", "chen"), ("思", "si"), ("佳", "jia"),
    ("嘉", "jia"), ("诺", "nuo"), ("博", "bo"), ("文", "wen"), ("俊", "jun"), ("杰", "jie"),
    ("婷", "ting"), ("静", "jing"), ("雪", "xue"), ("丽", "li"), ("敏", "min"), ("伟", "wei"),
    ("磊", "lei"), ("强", "qiang"), ("洋", "yang"), ("鹏", "peng"), ("飞", "fei"), ("琳", "lin"),
    ("瑶", "yao"), ("萱", "xuan"), ("悦", "yue"), ("晓", "xiao"), ("明", "ming"), ("华", "hua"),
    ("芳", "fang"), ("颖", "ying"), ("琪", "qi"), ("泽", "ze"), ("然", "ran"), ("昊", "hao"),
    ("辰", "chen"), ("逸", "yi"), ("安", "an"), ("宁", "ning"), ("清", "qing"), ("可", "ke"),
    ("馨", "xin"), ("蕾", "lei"), ("凯", "kai"), ("帆", "fan"), ("航", "hang"), ("睿", "rui"),
    ("彤", "tong"), ("倩", "qian"), ("楠", "nan"), ("阳", "yang"), ("超", "chao"), ("瑞", "rui"),
]  # fmt: skip


# Given-name characters read as female or male; a name with neither (or both equally) gets a
# gender from its employee number, 55 % female (e-commerce operations teams lean female).
FEMALE_GIVEN = set("涵欣怡雨思佳婷静雪丽敏琳瑶萱悦芳颖琪馨蕾彤倩楠雯娜")
MALE_GIVEN = set("浩宇轩博俊杰伟磊强洋鹏飞泽昊凯帆航睿超阳辰远鸣豪")


def demo_gender(name: str, employee_no: str) -> str:
    """A plausible gender for a demo person (deterministic; draws nothing from the demo's rng,
    so every other generated value stays as it was)."""
    given = name[1:]
    female = sum(char in FEMALE_GIVEN for char in given)
    male = sum(char in MALE_GIVEN for char in given)
    if female != male:
        return Gender.FEMALE if female > male else Gender.MALE
    return Gender.FEMALE if zlib.crc32(employee_no.encode()) % 100 < 55 else Gender.MALE


@dataclass(frozen=True)
class Person:
    """One member of the base demo roster."""

    employee_no: str
    name: str
    name_en: str
    email: str
    unit: str
    position: str
    level: str
    status: str = StaffStatus.ACTIVE
    login: str | None = None
    history: str = ""  # "promoted", "lead", "transfer" or ""


# The people logins attach to, plus the department's leads; everyone else is generated.
KEY_PEOPLE = [
    ("陈思远", "Siyuan Chen", "OPS", "OPS-DIRECTOR", "M3", "director", "promoted"),
    ("刘佳琪", "Jiaqi Liu", "HR", "HRBP", "P3", "hr", ""),
    ("王晓雯", "Xiaowen Wang", "OPS-STORE", "STORE-LEAD", "M1", "manager", "lead"),
    ("赵一鸣", "Yiming Zhao", "OPS-CONTENT", "CONTENT-LEAD", "M1", None, "lead"),
    ("孙丽娜", "Lina Sun", "OPS-USER", "CS-LEAD", "M1", None, "lead"),
    ("周子豪", "Zihao Zhou", "OPS-DATA", "DATA-LEAD", "M1", None, "lead"),
    ("吴婷", "Ting Wu", "OPS-MKT", "MKT-LEAD", "M1", None, "lead"),
    ("李昊然", "Haoran Li", "OPS-STORE", "STORE-SPEC", "P2", "operator", ""),
    ("张雨桐", "Yutong Zhang", "OPS-CONTENT", "CONTENT-EDITOR", "P2", "operator2", "transfer"),
    # A senior store specialist who also runs promotion and paid media (一人多岗): the RACI
    # load check flags this person as overloaded.
    ("马俊杰", "Junjie Ma", "OPS-STORE", "STORE-SPEC", "P3", None, "promoted"),
]
OVERLOADED_EMPLOYEE_NO = "E10010"
OVERLOADED_CONCURRENT = ("ADS-OPTIMIZER", "MKT-SPEC")

# Generated members per team: (position, level, status)
_P, _L = StaffStatus.PROBATION, StaffStatus.LEFT
TEAM_MEMBERS: dict[str, list[tuple[str, str, str]]] = {
    "OPS-STORE": [
        ("STORE-SPEC", "P4", ""), ("STORE-SPEC", "P3", ""), ("STORE-SPEC", "P3", ""),
        ("STORE-SPEC", "P2", ""), ("STORE-SPEC", "P2", ""), ("STORE-SPEC", "P2", ""),
        ("STORE-SPEC", "P2", ""), ("STORE-SPEC", "P1", ""), ("STORE-SPEC", "P1", ""),
        ("STORE-SPEC", "P1", _P), ("STORE-SPEC", "P2", _L),
    ],
    "OPS-CONTENT": [
        ("CONTENT-EDITOR", "P3", ""), ("CONTENT-EDITOR", "P2", ""), ("CONTENT-EDITOR", "P1", _P),
        ("NEW-MEDIA", "P3", ""), ("NEW-MEDIA", "P2", ""), ("NEW-MEDIA", "P2", ""),
        ("NEW-MEDIA", "P2", ""), ("NEW-MEDIA", "P1", ""), ("CONTENT-EDITOR", "P2", ""),
    ],
    "OPS-USER": [
        ("CS-SPEC", "P3", ""), ("CS-SPEC", "P3", ""), ("CS-SPEC", "P2", ""), ("CS-SPEC", "P2", ""),
        ("CS-SPEC", "P2", ""), ("CS-SPEC", "P2", ""), ("CS-SPEC", "P2", ""), ("CS-SPEC", "P1", ""),
        ("CS-SPEC", "P1", ""), ("CS-SPEC", "P1", _P), ("CS-SPEC", "P2", _L),
        ("USER-OPS", "P3", ""), ("USER-OPS", "P2", ""), ("USER-OPS", "P2", ""),
        ("USER-OPS", "P1", ""),
    ],
    "OPS-DATA": [
        ("DATA-ANALYST", "P5", ""), ("DATA-ANALYST", "P4", ""), ("DATA-ANALYST", "P3", ""),
        ("DATA-ANALYST", "P3", ""), ("DATA-ANALYST", "P2", ""), ("DATA-ANALYST", "P2", ""),
    ],
    "OPS-MKT": [
        ("MKT-SPEC", "P3", ""), ("MKT-SPEC", "P2", ""), ("MKT-SPEC", "P2", ""),
        ("MKT-SPEC", "P2", ""), ("MKT-SPEC", "P1", ""), ("ADS-OPTIMIZER", "P4", ""),
        ("ADS-OPTIMIZER", "P3", ""), ("ADS-OPTIMIZER", "P2", ""), ("ADS-OPTIMIZER", "P2", ""),
    ],
}  # fmt: skip
LEAD_OF = {
    "OPS": "OPS-DIRECTOR",
    "OPS-STORE": "STORE-LEAD",
    "OPS-CONTENT": "CONTENT-LEAD",
    "OPS-USER": "CS-LEAD",
    "OPS-DATA": "DATA-LEAD",
    "OPS-MKT": "MKT-LEAD",
    "HR": "HRBP",
}
UNIT_LEADS = {
    "HQ": "E10001",
    "OPS": "E10001",
    "HR": "E10002",
    "OPS-STORE": "E10003",
    "OPS-CONTENT": "E10004",
    "OPS-USER": "E10005",
    "OPS-DATA": "E10006",
    "OPS-MKT": "E10007",
}
# The specialist position a team lead held before being promoted to lead.
LEAD_PROMOTED_FROM = {
    "STORE-LEAD": "STORE-SPEC",
    "CONTENT-LEAD": "CONTENT-EDITOR",
    "CS-LEAD": "CS-SPEC",
    "DATA-LEAD": "DATA-ANALYST",
    "MKT-LEAD": "MKT-SPEC",
}


@dataclass(frozen=True)
class DemoLogin:
    username: str
    role: str
    role_label: str  # bilingual, for the printed table
    scope: str  # bilingual
    employee_no: str | None
    display_name: str
    is_superuser: bool = False


LOGINS = [
    DemoLogin("admin", Role.ADMIN, "系统管理员 Administrator", "全部 All", None, "系统管理员",
              is_superuser=True),
    DemoLogin("hr", Role.HR, "HR 伙伴 HR partner", "全部 All", "E10002", "刘佳琪 (HR)"),
    DemoLogin("manager", Role.MANAGER, "主管 Manager", "店铺运营组 Store Ops", "E10003", "王晓雯"),
    DemoLogin("director", Role.MANAGER, "主管 Manager", "电商运营部 E-com Ops", "E10001", "陈思远"),
    DemoLogin("operator", Role.OPERATOR, "运营员 Operator", "本人 Self", "E10008", "李昊然"),
    DemoLogin("operator2", Role.OPERATOR, "运营员 Operator", "本人 Self", "E10009", "张雨桐"),
    DemoLogin("auditor", Role.AUDITOR, "审计员 Auditor", "只读 Read-only", None, "郑文博（审计）"),
]  # fmt: skip
MANAGER_GRANT_UNIT = {"manager": "OPS-STORE", "director": "OPS"}

# ---------------------------------------------------------------------------------------------
# Scale mode
# ---------------------------------------------------------------------------------------------

SCALE_TEAM_SIZE = 10
SCALE_TEAMS_PER_DEPT = 50
SCALE_DEPT_SIZE = 1 + SCALE_TEAMS_PER_DEPT * SCALE_TEAM_SIZE
SCALE_PREFIX = "SC"
# team kind: name, English name, lead position, member positions (cycled)
SCALE_TEAM_KINDS = [
    ("店铺运营", "Store Ops", "STORE-LEAD", ["STORE-SPEC"]),
    ("内容运营", "Content Ops", "CONTENT-LEAD", ["CONTENT-EDITOR", "NEW-MEDIA"]),
    ("用户运营", "User Ops", "CS-LEAD", ["CS-SPEC", "CS-SPEC", "USER-OPS"]),
    ("数据分析", "Data", "DATA-LEAD", ["DATA-ANALYST"]),
    ("推广", "Marketing", "MKT-LEAD", ["MKT-SPEC", "ADS-OPTIMIZER"]),
]

# ---------------------------------------------------------------------------------------------
# Building
# ---------------------------------------------------------------------------------------------


@dataclass
class DemoSummary:
    """What ``build_demo`` did."""

    created: dict[str, int] = field(default_factory=dict)
    already_present: bool = False
    staff_total: int = 0
    unit_total: int = 0
    audit_entries: int = 0
    seconds: float = 0.0
    logins: list[DemoLogin] = field(default_factory=lambda: list(LOGINS))
    password: str = DEMO_PASSWORD

    @property
    def created_total(self) -> int:
        return sum(self.created.values())


class _Recorder:
    """Collects audit entries for bulk insertion and counts what was created."""

    def __init__(self) -> None:
        self.entries: list[Any] = []
        self.created: Counter[str] = Counter()

    def created_obj(self, obj: Any, *, after: dict[str, Any] | None = None) -> None:
        self.entries.append(
            audit.build_entry(actor=None, action=AuditAction.CREATE, obj=obj, after=after)
        )
        self.created[obj._meta.label] += 1

    def count(self, model: Any, n: int) -> None:
        self.created[model._meta.label] += n

    def log(self, action: str, obj: Any, **kwargs: Any) -> None:
        self.entries.append(audit.build_entry(actor=None, action=action, obj=obj, **kwargs))

    def flush(self) -> None:
        audit.record_many(self.entries)
        self.entries = []


def _report(progress: ProgressCallback | None, stage: str, done: int, total: int) -> None:
    if progress is not None:
        progress(stage, done, total)


def demo_exists() -> bool:
    """Return whether the base demo organisation is fully loaded."""
    employee_nos = [f"E{10001 + i}" for i in range(BASE_SIZE)]
    return (
        OrgUnit.objects.filter(code=COMPANY[0]).exists()
        and Staff.objects.filter(employee_no__in=employee_nos).count() == BASE_SIZE
        and User.objects.filter(username__in=[login.username for login in LOGINS]).count()
        == len(LOGINS)
    )


def build_demo(
    staff: int = BASE_SIZE, seed: int = 7, progress: ProgressCallback | None = None
) -> DemoSummary:
    """Load the demo organisation (and, with ``staff`` > 60, a large one) idempotently.

    Everything happens in one transaction; every object written is audited (source "system";
    duties, skills and relations inside their job description's entry, as the services do).
    ``progress(stage, done, total)`` is called as work advances.
    """
    started = time.perf_counter()
    summary = DemoSummary()
    recorder = _Recorder()
    audit_before = AuditEntry.objects.count()
    with transaction.atomic(), audit.context(source=AuditSource.SYSTEM):
        summary.already_present = demo_exists()
        if not summary.already_present:
            _report(progress, "基础组织 Base organisation", 0, 1)
            _build_base(recorder, random.Random(seed))  # noqa: S311 - demo data
            recorder.flush()
            _report(progress, "基础组织 Base organisation", 1, 1)
        if staff > BASE_SIZE:
            _build_scale(recorder, staff, seed, progress)
            recorder.flush()
        _record_genders(recorder)
        recorder.flush()
    summary.created = {label: n for label, n in recorder.created.items() if n}
    summary.audit_entries = AuditEntry.objects.count() - audit_before
    summary.staff_total = Staff.objects.count()
    summary.unit_total = OrgUnit.objects.count()
    summary.seconds = time.perf_counter() - started
    return summary


def _record_genders(recorder: _Recorder) -> None:
    """Record a gender for demo people loaded before the field existed (only blanks; audited)."""
    base = [f"E{10001 + i}" for i in range(BASE_SIZE)]
    missing = Staff.objects.filter(gender="").filter(
        Q(employee_no__in=base) | Q(employee_no__startswith=SCALE_PREFIX)
    )
    batch: list[Staff] = []
    for member in missing.only("pk", "name", "name_en", "employee_no", "gender").iterator(
        chunk_size=2000
    ):
        member.gender = demo_gender(member.name, member.employee_no)
        recorder.log(
            AuditAction.UPDATE, member, before={"gender": ""}, after={"gender": member.gender}
        )
        batch.append(member)
    Staff.objects.bulk_update(batch, ["gender"], batch_size=1000)


# Base organisation ----------------------------------------------------------------------------


def _upsert(
    model: Any, key: str, rows: Iterable[dict[str, Any]], recorder: _Recorder
) -> dict[str, Any]:
    """Create the rows whose ``key`` is missing; return every row by key."""
    rows = list(rows)
    existing = {
        getattr(obj, key): obj
        for obj in model.objects.filter(**{f"{key}__in": [row[key] for row in rows]})
    }
    for row in rows:
        if row[key] in existing:
            continue
        obj = model.objects.create(**row)
        recorder.created_obj(obj)
        existing[row[key]] = obj
    return existing


def _build_base(recorder: _Recorder, rng: random.Random) -> None:
    today = timezone.localdate()
    units, new_units = _build_units()
    families = _upsert(
        RoleFamily,
        "code",
        (
            {"code": c, "name": n, "name_en": e, "description": d, "sort_order": i}
            for i, (c, n, e, d) in enumerate(FAMILIES)
        ),
        recorder,
    )
    levels = _upsert(
        JobLevel,
        "code",
        ({"code": c, "name": n, "name_en": e, "track": t, "rank": r} for c, n, e, t, r in LEVELS),
        recorder,
    )
    skills = _upsert(
        Skill,
        "code",
        ({"code": c, "name": n, "name_en": e, "category": k} for c, n, e, k in SKILLS),
        recorder,
    )
    positions = _upsert(
        Position,
        "code",
        (
            {
                "code": code,
                "name": name,
                "name_en": name_en,
                "family": families[family],
                "unit": units[unit],
                "min_level": levels[low],
                "max_level": levels[high],
                "headcount_plan": headcount,
            }
            for code, name, name_en, family, unit, low, high, headcount in POSITIONS
        ),
        recorder,
    )
    activities = _build_raci(recorder, units, positions)
    _build_job_descriptions(recorder, today, units, positions, skills, activities)
    people = _roster(rng)
    users = _build_logins(recorder, people)
    staff = _build_staff(recorder, rng, today, people, units, positions, levels, users)
    # Unit leads, then the units' audit entries (created units carry their lead already).
    for code, employee_no in UNIT_LEADS.items():
        unit, lead = units[code], staff.get(employee_no)
        if lead is None or unit.lead_id is not None:
            continue
        before = audit.snapshot(unit)
        unit.lead = lead
        unit.save(update_fields=["lead", "updated_at"])
        if unit.pk not in new_units:
            recorder.log(AuditAction.UPDATE, unit, before=before)
    for unit in units.values():
        if unit.pk in new_units:
            recorder.created_obj(unit)
    _grant_roles(users, units)
    _set_concurrent(recorder, staff, positions)


def _new_unit(
    code: str, name: str, name_en: str, kind: str, parent: OrgUnit | None, desc: str
) -> OrgUnit:
    unit = OrgUnit(code=code, name=name, name_en=name_en, kind=kind, parent=parent)
    unit.description = desc
    unit.save()
    unit.path = (parent.path if parent else "") + OrgUnit.path_segment(unit.pk)
    unit.depth = parent.depth + 1 if parent else 0
    unit.save(update_fields=["path", "depth"])
    return unit


def _build_units() -> tuple[dict[str, OrgUnit], set[int]]:
    wanted = [
        (*COMPANY, UnitKind.COMPANY, None, "示例公司：电商自营品牌"),
        (
            *OPS_DEPT,
            UnitKind.DEPARTMENT,
            "HQ",
            "负责全部线上渠道的店铺、内容、用户、数据与推广运营",
        ),
        (*HR_DEPT, UnitKind.DEPARTMENT, "HQ", "招聘、岗位体系、绩效与员工发展"),
        *((code, n, e, UnitKind.TEAM, "OPS", d) for code, n, e, d in TEAMS),
    ]
    units = {u.code: u for u in OrgUnit.objects.filter(code__in=[w[0] for w in wanted])}
    new: set[int] = set()
    for code, name, name_en, kind, parent, desc in wanted:
        if code not in units:
            unit = _new_unit(code, name, name_en, kind, units.get(parent) if parent else None, desc)
            units[code] = unit
            new.add(unit.pk)
    return units, new


def _build_raci(
    recorder: _Recorder, units: dict[str, OrgUnit], positions: dict[str, Position]
) -> dict[str, Activity]:
    processes = _upsert(
        Process,
        "code",
        (
            {"code": c, "name": n, "name_en": e, "description": d, "owner_unit": units[u]}
            for c, n, e, d, u in PROCESSES
        ),
        recorder,
    )
    order: Counter[str] = Counter()
    rows = []
    for process, code, name, name_en, _row in ACTIVITIES:
        order[process] += 1
        rows.append(
            {
                "process": processes[process],
                "code": code,
                "name": name,
                "name_en": name_en,
                "order": order[process] * 10,
            }
        )
    activities = _upsert(Activity, "code", rows, recorder)
    filled = set(
        RaciAssignment.objects.filter(activity__in=activities.values()).values_list(
            "activity_id", flat=True
        )
    )
    cells = [
        RaciAssignment(activity=activities[code], position=positions[p], role=role)
        for _process, code, _n, _e, row in ACTIVITIES
        if activities[code].pk not in filled
        for p, role in row.items()
    ]
    for cell in RaciAssignment.objects.bulk_create(cells):
        recorder.created_obj(cell)
    return activities


def _jd_content(code: str, version: str) -> dict[str, Any]:
    """Return the content of a job description version: "current", "v1" or "draft"."""
    base = JOB_DESCRIPTIONS[code]
    content = {name: base[name] for name in JobDescription.TEXT_FIELDS}
    duties = [dict(d) for d in base["duties"]]
    skills = list(base["skills"])
    relations = list(base["relations"])
    change_note = ""
    if version == "v1":
        old = JD_HISTORY[code]["v1"]
        for name in JobDescription.TEXT_FIELDS:
            if name in old:
                content[name] = old[name]
        for index, changes in old["duty_changes"].items():
            duties[index].update(changes)
        duties = [d for i, d in enumerate(duties) if i not in old["drop_duties"]]
        skills = [s for s in skills if s[0] not in old["drop_skills"]]
        change_note = "首版 Initial version"
    elif version == "draft":
        draft = JD_DRAFT[code]
        for index, changes in draft["duty_changes"].items():
            duties[index].update(changes)
        duties += [dict(d) for d in draft["add_duties"]]
        change_note = draft["change_note"]
    elif code in JD_HISTORY:
        change_note = JD_HISTORY[code]["change_note"]
    return {
        "text": content,
        "duties": duties,
        "skills": skills,
        "relations": relations,
        "change_note": change_note,
    }


def _jd_snapshot(jd: JobDescription) -> dict[str, Any]:
    data = audit.snapshot(jd)
    data["duties"] = [audit.snapshot(d, exclude=("id", "job_description")) for d in jd.duties.all()]
    data["skills"] = [
        audit.snapshot(s, exclude=("id", "job_description")) for s in jd.skill_requirements.all()
    ]
    data["relations"] = [
        audit.snapshot(r, exclude=("id", "job_description")) for r in jd.relations.all()
    ]
    return data


def _write_jd(
    recorder: _Recorder,
    position: Position,
    version: int,
    status: str,
    content: dict[str, Any],
    effective: dt.date | None,
    lookups: dict[str, Any],
) -> JobDescription:
    jd = JobDescription(position=position, version=version, status=JobDescriptionStatus.DRAFT)
    for name, (zh, en) in content["text"].items():
        setattr(jd, name, zh)
        setattr(jd, f"{name}_en", en)
    jd.change_note = content["change_note"][:300]
    jd.save()
    JobDuty.objects.bulk_create(
        JobDuty(
            job_description=jd,
            order=index,
            activity=lookups["activities"].get(duty["activity"]),
            **{k: v for k, v in duty.items() if k != "activity"},
        )
        for index, duty in enumerate(content["duties"])
    )
    JobSkillRequirement.objects.bulk_create(
        JobSkillRequirement(job_description=jd, skill=lookups["skills"][code], level=level)
        for code, level in content["skills"]
    )
    JobRelation.objects.bulk_create(
        JobRelation(
            job_description=jd,
            kind=rel["kind"],
            position=lookups["positions"][rel["target"]] if rel["kind"] == "position" else None,
            unit=lookups["units"][rel["target"]] if rel["kind"] == RelationKind.UNIT else None,
            external_party=rel["target"] if rel["kind"] == RelationKind.EXTERNAL else "",
            description=rel["description"][0],
            description_en=rel["description"][1],
        )
        for rel in content["relations"]
    )
    recorder.count(JobDuty, len(content["duties"]))
    recorder.count(JobSkillRequirement, len(content["skills"]))
    recorder.count(JobRelation, len(content["relations"]))
    recorder.created_obj(jd, after=_jd_snapshot(jd))
    if status != JobDescriptionStatus.DRAFT:
        before = audit.snapshot(jd)
        jd.status = JobDescriptionStatus.PUBLISHED
        jd.effective_from = effective
        jd.published_at = timezone.make_aware(dt.datetime.combine(effective, dt.time(10, 0)))
        jd.save()
        recorder.log(AuditAction.PUBLISH, jd, before=before)
    return jd


def _build_job_descriptions(
    recorder: _Recorder,
    today: dt.date,
    units: dict[str, OrgUnit],
    positions: dict[str, Position],
    skills: dict[str, Skill],
    activities: dict[str, Activity],
) -> None:
    lookups = {"units": units, "positions": positions, "skills": skills, "activities": activities}
    has_jd = set(
        JobDescription.objects.filter(position__in=positions.values()).values_list(
            "position_id", flat=True
        )
    )
    first_published = dt.date(today.year - 2, 3, 1)
    revised = dt.date(today.year - 1, 9, 1)
    published = JobDescriptionStatus.PUBLISHED
    for code, *_rest in POSITIONS:
        position = positions[code]
        if position.pk in has_jd:
            continue
        if code in JD_HISTORY:
            old = _write_jd(
                recorder, position, 1, published, _jd_content(code, "v1"), first_published, lookups
            )
            before = audit.snapshot(old)
            old.status = JobDescriptionStatus.SUPERSEDED
            old.save(update_fields=["status", "updated_at"])
            recorder.log(AuditAction.UPDATE, old, before=before)
            version, effective = 2, revised
        else:
            version, effective = 1, first_published
        current = _jd_content(code, "current")
        _write_jd(recorder, position, version, published, current, effective, lookups)
        if code in JD_DRAFT:
            draft = _jd_content(code, "draft")
            _write_jd(recorder, position, version + 1, "draft", draft, None, lookups)


# People ---------------------------------------------------------------------------------------


class _Names:
    """Unique Chinese names with pinyin English names and example.com emails."""

    def __init__(self, rng: random.Random, taken: Iterable[str] = ()) -> None:
        self.rng = rng
        self.names = set(taken)
        self.emails: set[str] = set()

    def email(self, name_en: str, suffix: str = "") -> str:
        given, _, family = name_en.partition(" ")
        local = f"{given}.{family}".lower() + suffix
        candidate, n = local, 1
        while candidate in self.emails:
            n += 1
            candidate = f"{local}{n}"
        self.emails.add(candidate)
        return f"{candidate}@example.com"

    def new(self, *, unique: bool = True) -> tuple[str, str]:
        while True:
            surname, surname_py = self.rng.choice(SURNAMES)
            parts = self.rng.sample(GIVEN, 2 if self.rng.random() < 0.8 else 1)
            name = surname + "".join(c for c, _ in parts)
            if unique and name in self.names:
                continue
            self.names.add(name)
            given = "".join(p for _, p in parts).capitalize()
            return name, f"{given} {surname_py}"


def _roster(rng: random.Random) -> list[Person]:
    names = _Names(rng, taken=[k[0] for k in KEY_PEOPLE])
    people = []
    for index, (name, name_en, unit, position, level, login, history) in enumerate(KEY_PEOPLE):
        people.append(
            Person(
                f"E{10001 + index}",
                name,
                name_en,
                names.email(name_en),
                unit,
                position,
                level,
                login=login,
                history=history,
            )
        )
    for unit, members in TEAM_MEMBERS.items():
        for position, level, status in members:
            name, name_en = names.new()
            history = "promoted" if level in ("P3", "P4", "P5") and not status else ""
            people.append(
                Person(
                    f"E{10001 + len(people)}",
                    name,
                    name_en,
                    names.email(name_en),
                    unit,
                    position,
                    level,
                    status=status or StaffStatus.ACTIVE,
                    history=history,
                )
            )
    return people


def _phone(rng: random.Random) -> str:
    return f"1{rng.choice('3589')}{rng.randint(0, 9)}{rng.randint(0, 99_999_999):08d}"


def _hire_date(rng: random.Random, today: dt.date, level: str, status: str) -> dt.date:
    if status == StaffStatus.PROBATION:
        days = rng.randint(20, 80)
    else:
        low, high = {
            "P1": (150, 500),
            "P2": (300, 1100),
            "P3": (700, 1600),
            "P4": (1000, 1750),
            "P5": (1200, 1800),
            "M1": (1000, 1750),
            "M2": (1200, 1800),
            "M3": (1500, 1800),
        }[level]
        days = rng.randint(low, high)
    return today - dt.timedelta(days=days)


def _build_logins(recorder: _Recorder, people: list[Person]) -> dict[str, User]:
    by_no = {p.employee_no: p for p in people}
    existing = {
        u.username: u for u in User.objects.filter(username__in=[x.username for x in LOGINS])
    }
    users = {}
    for login in LOGINS:
        user = existing.get(login.username)
        if user is None:
            person = by_no.get(login.employee_no or "")
            email = person.email if person else f"{login.username}@example.com"
            user = account_services.user_create(
                actor=None,
                username=login.username,
                password=DEMO_PASSWORD,
                email=email,
                display_name=login.display_name,
                is_superuser=login.is_superuser,
            )
            recorder.count(User, 1)
        users[login.username] = user
    return users


def _grant_roles(users: dict[str, User], units: dict[str, OrgUnit]) -> None:
    for login in LOGINS:
        unit = units[MANAGER_GRANT_UNIT[login.username]] if login.role == Role.MANAGER else None
        account_services.role_grant_add(
            actor=None, user=users[login.username], role=login.role, unit=unit
        )


def _build_staff(
    recorder: _Recorder,
    rng: random.Random,
    today: dt.date,
    people: list[Person],
    units: dict[str, OrgUnit],
    positions: dict[str, Position],
    levels: dict[str, JobLevel],
    users: dict[str, User],
) -> dict[str, Staff]:
    staff = {
        s.employee_no: s
        for s in Staff.objects.filter(employee_no__in=[p.employee_no for p in people])
    }
    linked_users = set(
        Staff.objects.filter(user__in=users.values()).values_list("user_id", flat=True)
    )
    lead_positions = set(LEAD_OF.values())
    lead_no = {p.unit: p.employee_no for p in people if LEAD_OF.get(p.unit) == p.position}
    for person in people:  # leads come before their reports in the roster
        hire = _hire_date(rng, today, person.level, person.status)  # drawn for every person
        user = users.get(person.login or "")
        if person.employee_no in staff:
            _link_login(recorder, staff[person.employee_no], user, linked_users)
            continue
        if person.position == "OPS-DIRECTOR" or person.unit == "HR":
            manager = None
        elif person.position in lead_positions:
            manager = staff.get(lead_no["OPS"])
        else:
            manager = staff.get(lead_no[person.unit])
        member = Staff(
            employee_no=person.employee_no,
            name=person.name,
            name_en=person.name_en,
            email=person.email,
            phone=_phone(rng),
            hire_date=hire,
            gender=demo_gender(person.name, person.employee_no),
            status=person.status,
            unit=units[person.unit],
            position=positions[person.position],
            level=levels[person.level],
            manager=manager,
            user=user if user is not None and user.pk not in linked_users else None,
        )
        leave_date = None
        if person.status == StaffStatus.LEFT:
            leave_date = today - dt.timedelta(days=rng.randint(30, 150))
            member.status = StaffStatus.ACTIVE
        member.save()
        history = _history(member, person, hire, leave_date, rng, units, positions, levels)
        recorder.created_obj(member)
        recorder.count(Assignment, history)
        if member.user_id is not None:
            linked_users.add(member.user_id)
        if leave_date is not None:
            before = audit.snapshot(member)
            member.status = StaffStatus.LEFT
            member.leave_date = leave_date
            member.save(update_fields=["status", "leave_date", "updated_at"])
            recorder.log(AuditAction.UPDATE, member, before=before, note="left the company")
        staff[person.employee_no] = member
    return staff


def _link_login(recorder: _Recorder, member: Staff, user: User | None, linked: set[int]) -> None:
    """Attach a demo login to an existing staff record that has none (partial re-runs)."""
    if user is None or member.user_id is not None or user.pk in linked:
        return
    before = audit.snapshot(member)
    member.user = user
    member.save(update_fields=["user", "updated_at"])
    linked.add(user.pk)
    recorder.log(AuditAction.UPDATE, member, before=before)


def _history(
    member: Staff,
    person: Person,
    hire: dt.date,
    leave_date: dt.date | None,
    rng: random.Random,
    units: dict[str, OrgUnit],
    positions: dict[str, Position],
    levels: dict[str, JobLevel],
) -> int:
    """Write the assignment history: a promotion or transfer for some, one row for the rest."""
    current = {
        "unit": member.unit,
        "position": member.position,
        "level": member.level,
        "manager": member.manager,
    }
    rows: list[tuple[dt.date, dict[str, Any], str, str]] = []
    tenure = (timezone.localdate() - hire).days
    if person.history and tenure > 360:
        change = hire + dt.timedelta(days=int(tenure * rng.uniform(0.4, 0.7)))
        earlier = dict(current)
        if person.history == "lead":
            earlier["position"] = positions[LEAD_PROMOTED_FROM[person.position]]
            earlier["level"] = levels["P4"] if person.position == "DATA-LEAD" else levels["P3"]
            earlier["manager"] = current["manager"]
            reason, note = AssignmentReason.PROMOTION, "晋升为组长 Promoted to team lead"
        elif person.history == "transfer":
            earlier["unit"] = units["OPS-STORE"]
            earlier["position"] = positions["STORE-SPEC"]
            earlier["level"] = levels["P1"]
            earlier["manager"] = Staff.objects.filter(employee_no="E10003").first()
            reason, note = AssignmentReason.TRANSFER, "转岗至内容运营组 Moved to content ops"
        else:
            code = member.level.code
            earlier["level"] = levels[code[0] + str(int(code[1]) - 1)]
            reason, note = AssignmentReason.PROMOTION, f"晋升 Promoted to {code}"
        rows.append((hire, earlier, AssignmentReason.HIRE, ""))
        rows.append((change, current, reason, note))
    else:
        rows.append((hire, current, AssignmentReason.HIRE, ""))
    assignments = []
    for index, (start, fields, reason, note) in enumerate(rows):
        end = rows[index + 1][0] - dt.timedelta(days=1) if index + 1 < len(rows) else leave_date
        assignments.append(
            Assignment(
                staff=member,
                start_date=start,
                end_date=end,
                reason=reason,
                note=note,
                **fields,
            )
        )
    Assignment.objects.bulk_create(assignments)
    return len(assignments)


def _set_concurrent(
    recorder: _Recorder, staff: dict[str, Staff], positions: dict[str, Position]
) -> None:
    member = staff.get(OVERLOADED_EMPLOYEE_NO)
    if member is None or member.concurrent_positions.exists():
        return
    wanted = [positions[code] for code in OVERLOADED_CONCURRENT]
    member.concurrent_positions.set(wanted)
    recorder.log(
        AuditAction.UPDATE,
        member,
        before={"concurrent_positions": []},
        after={"concurrent_positions": sorted(p.pk for p in wanted)},
    )


# Scale mode -----------------------------------------------------------------------------------


def _build_scale(
    recorder: _Recorder, target: int, seed: int, progress: ProgressCallback | None
) -> None:
    """Add regional operations centres until there are ``target`` staff in total."""
    existing_total = Staff.objects.count()
    if existing_total >= target:
        return
    start = Staff.objects.filter(employee_no__startswith=SCALE_PREFIX).count()
    indices = range(start, start + target - existing_total)
    rng = random.Random(f"{seed}-{start}")  # noqa: S311 - demo data
    today = timezone.localdate()
    stage = "大规模组织 Scale organisation"
    total_steps = len(indices) * 3
    _report(progress, stage, 0, total_steps)

    hq = OrgUnit.objects.get(code=COMPANY[0])
    director = Staff.objects.filter(employee_no="E10001").first()
    positions = {p.code: p for p in Position.objects.filter(code__in=[p[0] for p in POSITIONS])}
    levels = {lv.code: lv for lv in JobLevel.objects.all()}

    # Units: departments of 50 teams each.
    def slot(i: int) -> tuple[int, int | None, int]:
        dept, rest = divmod(i, SCALE_DEPT_SIZE)
        if rest == 0:
            return dept, None, 0
        team, position_in_team = divmod(rest - 1, SCALE_TEAM_SIZE)
        return dept, team, position_in_team

    def dept_code(d: int) -> str:
        return f"{SCALE_PREFIX}-D{d + 1:03d}"

    def team_code(d: int, t: int) -> str:
        return f"{dept_code(d)}-T{t + 1:02d}"

    slots = [slot(i) for i in indices]
    dept_codes = {dept_code(d) for d, _t, _p in slots}
    team_codes = {team_code(d, t) for d, t, _p in slots if t is not None}
    units = {u.code: u for u in OrgUnit.objects.filter(code__in=list(dept_codes | team_codes))}
    new_units: list[OrgUnit] = []
    missing_depts = sorted(dept_codes - set(units))
    depts = OrgUnit.objects.bulk_create(
        OrgUnit(
            code=code,
            name=f"区域运营中心{code[-3:]}",
            name_en=f"Regional Operations Centre {code[-3:]}",
            kind=UnitKind.DEPARTMENT,
            parent=hq,
            depth=hq.depth + 1,
        )
        for code in missing_depts
    )
    for unit in depts:
        unit.path = hq.path + OrgUnit.path_segment(unit.pk)
        units[unit.code] = unit
    OrgUnit.objects.bulk_update(depts, ["path"])
    new_units += depts
    teams = []
    for code in sorted(team_codes - set(units)):
        parent = units[code[: len(SCALE_PREFIX) + 5]]
        kind_index = (int(code[-2:]) - 1) % len(SCALE_TEAM_KINDS)
        kind_no = (int(code[-2:]) - 1) // len(SCALE_TEAM_KINDS) + 1
        name, name_en, _lead, _members = SCALE_TEAM_KINDS[kind_index]
        teams.append(
            OrgUnit(
                code=code,
                name=f"{parent.name}·{name}{kind_no}组",
                name_en=f"{name_en} {kind_no} · Centre {code[len(SCALE_PREFIX) + 2 : -4]}",
                kind=UnitKind.TEAM,
                parent=parent,
                depth=parent.depth + 1,
            )
        )
    teams = OrgUnit.objects.bulk_create(teams, batch_size=500)
    for unit in teams:
        unit.path = unit.parent.path + OrgUnit.path_segment(unit.pk)
        units[unit.code] = unit
    OrgUnit.objects.bulk_update(teams, ["path"], batch_size=500)
    new_units += teams

    # Staff in three passes so every manager has a primary key before their reports.
    names = _Names(rng)
    done = 0
    by_no: dict[str, Staff] = {}
    manager_nos = set()
    for d, t, _p in slots:
        if t is not None:
            manager_nos.add(_scale_no(d * SCALE_DEPT_SIZE))
            manager_nos.add(_scale_no(d * SCALE_DEPT_SIZE + 1 + t * SCALE_TEAM_SIZE))
    by_no.update({s.employee_no: s for s in Staff.objects.filter(employee_no__in=manager_nos)})
    passes: list[list[int]] = [[], [], []]
    for i, (_d, t, p) in zip(indices, slots, strict=True):
        passes[0 if t is None else 1 if p == 0 else 2].append(i)
    created_staff: list[Staff] = []
    for group in passes:
        batch: list[Staff] = []
        for i in group:
            d, t, p = slot(i)
            if t is None:
                unit, position, level = units[dept_code(d)], positions["OPS-DIRECTOR"], "M2"
                manager = director
            else:
                _n, _e, lead_code, member_codes = SCALE_TEAM_KINDS[t % len(SCALE_TEAM_KINDS)]
                unit = units[team_code(d, t)]
                if p == 0:
                    position, level = positions[lead_code], "M1"
                    manager = by_no.get(_scale_no(d * SCALE_DEPT_SIZE))
                else:
                    position = positions[member_codes[p % len(member_codes)]]
                    level = rng.choice(["P1", "P2", "P2", "P2", "P3", "P3", "P4"])
                    level = _clamp_level(level, position)
                    manager = by_no.get(_scale_no(d * SCALE_DEPT_SIZE + 1 + t * SCALE_TEAM_SIZE))
            status = StaffStatus.ACTIVE
            roll = rng.random()
            if p and roll < 0.03:
                status = StaffStatus.PROBATION
            elif p and roll < 0.05:
                status = StaffStatus.LEFT
            hire = _hire_date(rng, today, level, status)
            name, name_en = names.new(unique=False)
            employee_no = _scale_no(i)
            member = Staff(
                employee_no=employee_no,
                name=name,
                name_en=name_en,
                email=names.email(name_en, suffix=f".{employee_no.lower()}"),
                phone=_phone(rng),
                hire_date=hire,
                gender=demo_gender(name, employee_no),
                status=status,
                unit=unit,
                position=position,
                level=levels[level],
                manager=manager,
            )
            if status == StaffStatus.LEFT:
                member.leave_date = min(today, hire + dt.timedelta(days=rng.randint(30, 400)))
            batch.append(member)
        for chunk_start in range(0, len(batch), 1000):
            chunk = Staff.objects.bulk_create(batch[chunk_start : chunk_start + 1000])
            for member in chunk:
                by_no[member.employee_no] = member
            created_staff += chunk
            done += len(chunk)
            _report(progress, stage, done, total_steps)

    # Assignments (one open or closed row each), unit leads, audit.
    assignments = [
        Assignment(
            staff=m,
            start_date=m.hire_date,
            end_date=m.leave_date,
            unit_id=m.unit_id,
            position_id=m.position_id,
            level_id=m.level_id,
            manager_id=m.manager_id,
            reason=AssignmentReason.HIRE,
        )
        for m in created_staff
    ]
    for chunk_start in range(0, len(assignments), 2000):
        chunk = assignments[chunk_start : chunk_start + 2000]
        Assignment.objects.bulk_create(chunk)
        done += len(chunk)
        _report(progress, stage, done, total_steps)
    recorder.count(Assignment, len(assignments))

    lead_for_unit = {}
    for member in created_staff:
        if member.position.code in LEAD_OF.values() and member.status != StaffStatus.LEFT:
            lead_for_unit.setdefault(member.unit_id, member)
    to_lead = []
    for unit in units.values():
        if unit.lead_id is None and unit.pk in lead_for_unit:
            unit.lead = lead_for_unit[unit.pk]
            to_lead.append(unit)
    OrgUnit.objects.bulk_update(to_lead, ["lead"], batch_size=500)

    for unit in new_units:
        recorder.created_obj(unit)
    for index, member in enumerate(created_staff, start=1):
        recorder.created_obj(member)
        if index % 2000 == 0:
            recorder.flush()
            done += 2000
            _report(progress, stage, done, total_steps)
    recorder.flush()
    _report(progress, stage, total_steps, total_steps)


def _scale_no(index: int) -> str:
    return f"{SCALE_PREFIX}{index + 1:06d}"


def _clamp_level(level: str, position: Position) -> str:
    low = position.min_level.rank if position.min_level else 1
    high = position.max_level.rank if position.max_level else 5
    return f"P{min(max(int(level[1]), low), high)}"
