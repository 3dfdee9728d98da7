"""Demo career data: the competency framework, two career tracks with published standards, a
closed promotion round, an open one, people at different readiness and development plans
(idempotent: nothing is created twice).

What a user would see after ``load_demo``:

- 专业能力 / 通用能力 groups over the demo's skills, each with five level descriptors;
- the professional track P1 → P5 and the management track M1 → M3 (entered from P3), each level
  above the first with a published standard (time in level, competencies, courses, a
  certificate for the expert levels, appraisal rules that fit the demo's one published cycle,
  a defence score for M levels) and a v2 draft of the P3 standard in progress;
- a closed autumn round: two approved promotions (the people are at their new level from the
  round's effective date), one rejection and one deferral, with committee scores and comments;
- the demo manager's team at different readiness: several people ready, some missing one
  standard, the rest missing several;
- an open round taking nominations with one self-nomination (the Playwright journey nominates
  another person), and active development plans generated from the gaps, with check-ins.

Ladders, standards, rounds, reviews, decisions and plans go through the services. History the
services refuse (nominations dated before today's date, onboarding completed before the system
existed, skill levels assessed earlier) is written directly, audited, as an import would.
The demo's appraisal grades come from the performance demo and are not touched: who is ready
is decided from them, so the choices below are computed, not hard-coded.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from django.utils import timezone

from opsteam.careers import eligibility as engine
from opsteam.careers import selectors, services
from opsteam.careers.choices import (
    ActionStatus,
    NominationKind,
    NominationStatus,
    Recommendation,
)
from opsteam.careers.models import (
    CareerStep,
    CareerTrack,
    CommitteeReview,
    DevelopmentCheckIn,
    DevelopmentPlan,
    LevelStandard,
    Nomination,
    PromotionRound,
)
from opsteam.core import audit
from opsteam.core.choices import AuditAction
from opsteam.org.choices import LevelTrack, SkillCategory, SkillSource, StaffStatus
from opsteam.org.models import (
    JobLevel,
    OrgUnit,
    Skill,
    SkillGroup,
    SkillLevelDescriptor,
    Staff,
    StaffSkill,
)
from opsteam.training import services as training
from opsteam.training.choices import AssignmentSource, EnrolmentStatus
from opsteam.training.models import Course, Enrolment

# ---------------------------------------------------------------------------------------------
# Competency framework
# ---------------------------------------------------------------------------------------------

# code, name, English name, order
GROUPS = [
    ("PROFESSIONAL", "专业能力", "Professional competencies", 1),
    ("GENERAL", "通用能力", "General abilities", 2),
]
# Skills that belong to the general abilities besides those of category "general".
GENERAL_SKILLS = {"SK-PLAN"}

# What each level of each demo skill looks like at work: five (中文, English) pairs, 1 to 5.
DESCRIPTORS: dict[str, list[tuple[str, str]]] = {
    "SK-PLATFORM": [
        ("在指导下完成商品上下架、改价等基础后台操作。",
         "Performs basic back-office tasks (listing, delisting, price edits) with guidance."),
        ("独立完成日常后台操作与活动报名，熟悉主要平台规则。",
         "Handles daily back-office work and event sign-ups alone; knows the main rules."),
        ("熟练使用天猫、京东、抖音等多个后台，能批量处理并排查常见异常。",
         "Fluent in several back offices (Tmall, JD, Douyin); works in bulk, fixes errors."),
        ("梳理后台操作 SOP、培训新人，提前应对平台规则变更。",
         "Writes back-office SOPs, trains new joiners, prepares for platform rule changes."),
        ("推动工具与流程自动化，是团队公认的平台规则专家。",
         "Drives tool and process automation; the team's recognised platform-rules expert."),
    ],
    "SK-LISTING": [
        ("按模板上架商品，信息完整无误。",
         "Lists products from a template with complete, correct information."),
        ("独立撰写标题与卖点，按数据反馈调整主图和详情页。",
         "Writes titles and selling points; adjusts images and pages from feedback."),
        ("用搜索词与转化数据持续优化商品页，转化率稳定高于类目均值。",
         "Tunes pages from search and conversion data; conversion beats the category average."),
        ("制定商品页规范与 A/B 测试方案，带教他人优化商品。",
         "Sets product-page standards and A/B tests; coaches others."),
        ("建立全店商品内容策略，打造类目标杆商品页。",
         "Owns the store's product content strategy; builds category-leading pages."),
    ],
    "SK-PRICING": [
        ("按指令执行调价，核对库存数据。", "Applies price changes as instructed; checks stock."),
        ("独立维护日常价格与安全库存，及时发起补货。",
         "Keeps routine prices and safety stock; requests replenishment on time."),
        ("结合竞品与活动节奏制定价格策略，库存周转达标。",
         "Prices from competitors and the campaign calendar; meets stock-turn targets."),
        ("统筹类目价格带与大促备货，平衡毛利与销量。",
         "Plans category price bands and campaign stock, balancing margin and volume."),
        ("建立定价模型与供需预测机制，对全店毛利负责。",
         "Builds pricing models and demand forecasts; accountable for store margin."),
    ],
    "SK-CAMPAIGN": [
        ("协助执行活动，完成分配的报名与上线任务。",
         "Helps run campaigns; completes the sign-ups and go-live tasks given."),
        ("独立执行中小型店铺活动，按时上线并复盘。",
         "Runs small store campaigns alone, on time, with a review."),
        ("独立策划店铺级大促（如 618），拆解目标与节奏并完成复盘。",
         "Plans store-level campaigns (e.g. 618): targets, timing and the review."),
        ("统筹跨组大促项目，协调内容、客服与推广资源，达成 GMV 目标。",
         "Leads cross-team campaigns with content, service and promotion to hit GMV."),
        ("制定年度活动策略，沉淀可复制的大促方法论。",
         "Sets the annual campaign strategy and a repeatable campaign playbook."),
    ],
    "SK-COPY": [
        ("按模板撰写商品描述，无错别字与违规用语。",
         "Writes product copy from templates with no typos or banned terms."),
        ("独立撰写详情页与活动文案，符合品牌调性。",
         "Writes page and campaign copy in the brand's voice."),
        ("按人群与渠道调整表达，文案带来可衡量的点击与转化提升。",
         "Adapts copy to audience and channel with measurable click and conversion gains."),
        ("建立文案规范与选题库，指导他人写作。",
         "Builds copy guidelines and a topic bank; guides others' writing."),
        ("打造品牌叙事与爆款内容，影响全渠道传播。",
         "Shapes the brand narrative and hit content across channels."),
    ],
    "SK-VISUAL": [
        ("能用模板完成简单海报与图片修改。", "Makes simple posters and image edits from templates."),
        ("独立完成主图、海报与短视频剪辑。", "Produces main images, posters and video edits alone."),
        ("策划并制作完整短视频，画面与节奏服务于转化。",
         "Plans and produces full short videos paced for conversion."),
        ("制定视觉规范，统筹大促视觉与外包设计质量。",
         "Sets visual standards; oversees campaign visuals and outsourced design."),
        ("引领品牌视觉风格，打造有行业影响力的内容。",
         "Leads the brand's visual style; creates industry-recognised content."),
    ],
    "SK-SOCIAL": [
        ("按内容日历发布内容并回复评论。", "Publishes to the content calendar; replies to comments."),
        ("独立运营单个账号，掌握平台推荐机制。",
         "Runs one account alone; understands the platform's recommendation logic."),
        ("运营多个平台账号，粉丝与互动稳定增长，能组织直播。",
         "Runs accounts on several platforms with steady growth; organises live streams."),
        ("制定新媒体矩阵策略，管理达人合作与舆情风险。",
         "Sets the social-media mix; manages creator deals and reputation risk."),
        ("打造行业头部账号，构建从内容种草到成交的闭环。",
         "Builds leading accounts; closes the loop from content to sales."),
    ],
    "SK-CS": [
        ("使用标准话术回复常见咨询。", "Answers common questions with standard scripts."),
        ("独立处理售前售后咨询，安抚情绪并按流程解决问题。",
         "Handles enquiries, calms customers and resolves issues by the process."),
        ("妥善处理疑难投诉与差评，满意度稳定达标。",
         "Resolves difficult complaints and bad reviews; satisfaction stays on target."),
        ("分析投诉根因并推动商品与流程改进，带教客服新人。",
         "Finds complaint root causes, drives fixes and coaches new agents."),
        ("建立客户体验体系与服务标准，处理重大客诉与危机。",
         "Builds the customer-experience system; handles major complaints and crises."),
    ],
    "SK-AFTERSALES": [
        ("了解退换货基本流程。", "Knows the basic returns and exchanges process."),
        ("独立处理退款、退换货，熟悉平台售后规则。",
         "Handles refunds and returns; knows the platforms' after-sales rules."),
        ("处理平台介入与纠纷申诉，降低判责率。",
         "Handles platform arbitration and appeals; lowers the liability rate."),
        ("制定售后政策与风控规则，监控退款率异常。",
         "Sets after-sales policy and risk rules; watches refund-rate anomalies."),
        ("对接平台规则制定，预判规则变化的影响。",
         "Engages with platform rule-making; anticipates the impact of rule changes."),
    ],
    "SK-CRM": [
        ("执行会员消息推送与社群日常维护。", "Sends member messages and keeps communities tidy."),
        ("独立策划会员活动与社群促活。", "Plans member events and community activation."),
        ("分层运营会员，提升复购率与会员贡献。",
         "Segments members; raises repeat purchase and member share."),
        ("设计会员体系与私域增长策略，搭建自动化触达。",
         "Designs the membership scheme and automated private-domain journeys."),
        ("建立用户全生命周期运营体系，驱动品牌长期价值。",
         "Builds lifecycle operations that drive long-term brand value."),
    ],
    "SK-EXCEL": [
        ("会基本公式、筛选与排序。", "Uses basic formulas, filters and sorting."),
        ("熟练使用 VLOOKUP、透视表整理日常报表。", "Uses VLOOKUP and pivot tables for daily reports."),
        ("搭建自动化报表模板，用数据定位经营问题。",
         "Builds automated report templates; pinpoints business problems in data."),
        ("建立团队数据模板与口径规范，辅导他人分析。",
         "Sets team templates and metric definitions; coaches others' analysis."),
        ("设计预测、预算等复杂经营模型，支撑管理决策。",
         "Designs forecasting and budget models for management decisions."),
    ],
    "SK-SQL": [
        ("能读懂并修改简单查询。", "Reads and edits simple queries."),
        ("独立编写单表筛选与汇总查询。", "Writes single-table filters and aggregates."),
        ("熟练使用多表关联、窗口函数完成专项取数。",
         "Uses joins and window functions for ad-hoc analysis."),
        ("优化复杂查询性能，设计分析数据表。", "Tunes complex queries; designs analysis tables."),
        ("主导数据仓库模型设计与数据治理。", "Leads data-warehouse modelling and data governance."),
    ],
    "SK-BI": [
        ("会查看与筛选已有看板。", "Reads and filters existing dashboards."),
        ("独立制作简单图表与看板。", "Builds simple charts and dashboards."),
        ("搭建业务看板，指标口径清晰、可下钻。",
         "Builds business dashboards with clear, drillable metrics."),
        ("规划部门级指标体系与看板。", "Plans department-level metric systems and dashboards."),
        ("主导公司级数据产品与自助分析平台建设。",
         "Leads company-wide data products and self-service analytics."),
    ],
    "SK-STATS": [
        ("理解均值、占比、同比环比等基础概念。",
         "Understands means, shares and period-on-period changes."),
        ("能做描述统计与简单对比分析。", "Does descriptive statistics and simple comparisons."),
        ("设计 A/B 测试并判断结果是否显著。", "Designs A/B tests and judges significance."),
        ("运用回归、归因等方法解决业务问题。", "Uses regression and attribution on business questions."),
        ("建立实验与归因体系，指导部门决策。",
         "Builds the experimentation and attribution system behind decisions."),
    ],
    "SK-ADS": [
        ("了解直通车、千川等平台的基本概念。", "Knows the basics of Direct Train and Qianchuan."),
        ("独立搭建投放计划、设置出价与预算。", "Sets up campaigns, bids and budgets alone."),
        ("按数据调整人群、关键词与出价，ROI 稳定达标。",
         "Tunes audiences, keywords and bids from data; ROI stays on target."),
        ("统筹多平台投放策略与大促预算分配。",
         "Plans multi-platform spend and campaign budget allocation."),
        ("探索新流量渠道，建立团队投放方法论。",
         "Opens new traffic sources and builds the team's paid-media playbook."),
    ],
    "SK-ROI": [
        ("会查看投放报表中的花费与成交。", "Reads spend and sales in ad reports."),
        ("计算 ROI、CPC、转化率并按日跟踪。", "Calculates ROI, CPC and conversion; tracks them daily."),
        ("拆解 ROI 波动原因并提出优化方案。", "Explains ROI swings and proposes fixes."),
        ("建立投放效果评估与归因口径。", "Sets measurement and attribution rules for paid media."),
        ("构建全渠道营销效果模型，指导预算决策。",
         "Builds cross-channel marketing-mix models behind budget decisions."),
    ],
    "SK-INDUSTRY": [
        ("了解公司主营品类与主要平台。", "Knows the company's categories and main platforms."),
        ("熟悉品类卖点、季节性与主要竞品。",
         "Knows category selling points, seasonality and main competitors."),
        ("分析行业趋势与竞品动态，提出应对建议。",
         "Analyses trends and competitor moves; proposes responses."),
        ("对品类发展有前瞻判断，参与制定品类策略。",
         "Anticipates category developments; helps set category strategy."),
        ("行业资深专家，对外代表公司发声。", "A recognised industry expert who speaks for the company."),
    ],
    "SK-COMMS": [
        ("清楚表达自己的工作进展与问题。", "States own progress and problems clearly."),
        ("主动同步信息，与组内同事顺畅协作。",
         "Shares information proactively; works smoothly within the team."),
        ("推动跨组协作，能化解一般分歧。",
         "Drives cross-team work and resolves ordinary disagreements."),
        ("协调跨部门与外部伙伴资源，推动复杂事项落地。",
         "Coordinates other departments and partners to land complex work."),
        ("在公司层面建立协作机制，影响高层决策。",
         "Builds company-wide collaboration; influences senior decisions."),
    ],
    "SK-LEAD": [
        ("乐于分享经验，帮助新同事上手。", "Shares experience and helps new colleagues start."),
        ("带教 1–2 名新人，安排小任务并给出反馈。",
         "Mentors one or two new joiners; sets small tasks and gives feedback."),
        ("带领 3–8 人小组完成目标，做一对一辅导与绩效反馈。",
         "Leads a group of 3–8 to its targets; runs 1:1s and performance feedback."),
        ("管理多个小组或 10 人以上团队，培养骨干与接班人。",
         "Manages several groups or 10+ people; develops key people and successors."),
        ("打造高绩效组织与管理梯队，塑造团队文化。",
         "Builds a high-performing organisation and bench; shapes the culture."),
    ],
    "SK-PLAN": [
        ("了解团队目标与个人指标的关系。", "Understands how own targets roll up to the team's."),
        ("能按目标制定个人工作计划。", "Plans own work to targets."),
        ("制定小组季度计划与费用预算并跟踪执行。",
         "Sets a group's quarterly plan and budget and tracks them."),
        ("负责部门经营计划、预算与资源配置。",
         "Owns the department's business plan, budget and resourcing."),
        ("参与公司战略制定，对经营结果全面负责。",
         "Shapes company strategy; fully accountable for business results."),
    ],
    "SK-HR": [
        ("了解公司基本人事制度。", "Knows the company's basic HR policies."),
        ("熟悉入转调离流程与劳动合同基本规定。",
         "Knows hire-to-exit processes and basic employment-contract rules."),
        ("独立处理员工关系与常见劳动法问题。",
         "Handles employee relations and common labour-law questions alone."),
        ("制定与修订人事制度，防范用工风险。", "Writes and revises HR policy; manages employment risk."),
        ("搭建合规的人力资源管理体系，处理重大劳动争议。",
         "Builds a compliant HR system; handles major labour disputes."),
    ],
    "SK-TALENT": [
        ("协助安排面试与入职手续。", "Helps schedule interviews and onboarding."),
        ("独立完成岗位招聘全流程。", "Runs a hiring process end to end."),
        ("设计面试评估与培训项目，提升招聘质量。",
         "Designs interview scorecards and training; improves hiring quality."),
        ("搭建人才盘点、职业通道与继任计划。",
         "Builds talent reviews, career tracks and succession plans."),
        ("构建公司人才战略与雇主品牌。", "Builds the company's talent strategy and employer brand."),
    ],
}  # fmt: skip

# ---------------------------------------------------------------------------------------------
# Ladders and standards
# ---------------------------------------------------------------------------------------------

# The demo organisation's levels (created only where missing): code, name, English, track, rank.
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

# code, name, English name, kind, levels (lowest first), description, English description
TRACKS = [
    (
        "OPS-PRO",
        "运营专业通道",
        "Operations professional track",
        LevelTrack.PROFESSIONAL,
        ["P1", "P2", "P3", "P4", "P5"],
        "从初级运营专员到运营专家：凭专业深度与业务结果晋升。",
        "From junior operator to operations expert: promotion on professional depth and results.",
    ),
    (
        "OPS-MGT",
        "运营管理通道",
        "Operations management track",
        LevelTrack.MANAGEMENT,
        ["M1", "M2", "M3"],
        "从组长到运营总监：凭团队成果与人才培养晋升；高级运营专员（P3）可转入组长。",
        "From team lead to operations director: promotion on team results and developing people; "
        "senior operators (P3) may move to team lead.",
    ),
]
MANAGEMENT_ENTRY = {"M1": ["P3"]}


def _standard(
    level: str,
    months: int,
    competencies: list[tuple[str, int]],
    courses: list[str],
    appraisal: tuple[int, str, str],
    notes: tuple[str, str],
    certificates: Sequence[tuple[str | None, str]] = (),
    defence: int | None = None,
) -> dict[str, Any]:
    min_count, at_least, none_below = appraisal
    return {
        "level": level,
        "fields": {
            "min_months_in_level": months,
            "appraisal_window": 4,
            "appraisal_min_count": min_count,
            "appraisal_at_least": at_least,
            "appraisal_none_below": none_below,
            "min_assessment_score": Decimal(defence) if defence is not None else None,
            "notes": notes[0],
            "notes_en": notes[1],
        },
        "competencies": competencies,
        "courses": courses,
        "certificates": list(certificates),
    }


# The demo has one published appraisal cycle, so the rules ask for at most one good grade where
# a person can be ready today, and two (not reachable yet) for the expert and senior manager
# levels: "at least two A or better and none below B in the last four cycles".
STANDARDS = [
    _standard(
        "P2", 6, [("SK-PLATFORM", 2), ("SK-EXCEL", 2)], ["ONB-TOOLS", "ONB-DUTIES"],
        (0, "", "C"),
        ("独立完成日常运营：在岗满 6 个月，完成入职必修课，近四期考核无 D。",
         "Runs routine operations alone: 6 months in level, the onboarding courses done, no D "
         "in the last four cycles."),
    ),
    _standard(
        "P3", 12, [("SK-EXCEL", 3), ("SK-CAMPAIGN", 3), ("SK-INDUSTRY", 3)],
        ["STORE-201", "CAREER-101"], (1, "A", "C"),
        ("能独立策划店铺活动、用数据复盘：在岗满 12 个月，近四期至少一次 A 及以上且无 D。",
         "Plans store campaigns and reviews them with data: 12 months in level, at least one "
         "A or better and no D in the last four cycles."),
    ),
    _standard(
        "P4", 18, [("SK-CAMPAIGN", 4), ("SK-SQL", 3), ("SK-COMMS", 3)], ["MKT-201"],
        (1, "A", "B"),
        ("统筹跨组大促、持有数据分析证书：在岗满 18 个月，近四期至少一次 A 且无 C 及以下。",
         "Leads cross-team campaigns and holds the data-analysis certificate: 18 months in "
         "level, at least one A and nothing below B in the last four cycles."),
        certificates=[("DATA-101", "")],
    ),
    _standard(
        "P5", 24, [("SK-PLAN", 4), ("SK-STATS", 3), ("SK-INDUSTRY", 4), ("SK-LEAD", 3)],
        ["MKT-201", "LEAD-101"], (2, "A", "B"),
        ("领域专家：在岗满 24 个月，持 CDA 二级证书，近四期至少两次 A 且无 C 及以下。",
         "Domain expert: 24 months in level, the CDA level II certificate, at least two A and "
         "nothing below B in the last four cycles."),
        certificates=[(None, "CDA 数据分析师（二级）")],
    ),
    _standard(
        "M1", 24, [("SK-LEAD", 3), ("SK-COMMS", 4), ("SK-PLAN", 2)], ["LEAD-101", "CAREER-101"],
        (1, "A", "B"),
        ("带领小组达成目标：在现职级满 24 个月，近四期至少一次 A 且无 C，答辩不低于 75 分。",
         "Leads a group to its targets: 24 months in level, at least one A and nothing below B "
         "in the last four cycles, a defence score of 75 or more."),
        defence=75,
    ),
    _standard(
        "M2", 24, [("SK-LEAD", 4), ("SK-PLAN", 4), ("SK-COMMS", 4)], ["LEAD-101"], (2, "A", "B"),
        ("管理多个小组并培养接班人：在岗满 24 个月，近四期至少两次 A 且无 C，答辩不低于 80 分。",
         "Manages several groups and develops successors: 24 months in level, at least two A "
         "and nothing below B in the last four cycles, a defence score of 80 or more."),
        defence=80,
    ),
    _standard(
        "M3", 36, [("SK-LEAD", 5), ("SK-PLAN", 5), ("SK-INDUSTRY", 5)], ["LEAD-101"],
        (2, "A", "B"),
        ("对部门经营结果负责：在岗满 36 个月，近四期至少两次 A 且无 C，答辩不低于 85 分。",
         "Accountable for the department's results: 36 months in level, at least two A and "
         "nothing below B in the last four cycles, a defence score of 85 or more."),
        defence=85,
    ),
]  # fmt: skip
# The P3 standard's next version, being drafted by HR.
DRAFT = {
    "level": "P3",
    "competencies": [("SK-EXCEL", 3), ("SK-CAMPAIGN", 3), ("SK-INDUSTRY", 3), ("SK-SQL", 2)],
    "notes": "2027 版修订草案：增加 SQL 查询（2 级）要求，其余不变。征求各组长意见中。",
    "notes_en": "Draft of the 2027 version: adds SQL (level 2); the rest is unchanged. Team leads "
    "are being consulted.",
}

# ---------------------------------------------------------------------------------------------
# Promotion rounds, readiness and plans
# ---------------------------------------------------------------------------------------------

PAST_ROUND = ("2026 年秋季晋升评审", "2026 autumn promotion round")
OPEN_ROUND = ("2027 年春季晋升评审", "2027 spring promotion round")
PAST_EFFECTIVE = dt.date(2026, 11, 1)
OPEN_EFFECTIVE = dt.date(2027, 1, 1)
DEMO_REF = "careers-demo"  # source_ref of the skill levels this demo records
ONBOARDING = ("ONB-CULTURE", "ONB-DUTIES", "ONB-TOOLS")  # the onboarding plan's courses
FIXED_KINDS = {
    engine.TIME_IN_LEVEL,
    engine.APPRAISAL_COUNT,
    engine.APPRAISAL_FLOOR,
    engine.ASSESSMENT,
}
READY_PEOPLE, ONE_SHORT_PEOPLE = 3, 2  # in the demo manager's team, besides the operator

JUSTIFICATIONS = {
    NominationKind.MANAGER: [
        "连续承担大促核心任务，复盘扎实，已具备下一职级的独立工作能力。",
        "数据意识强，主动优化转化漏斗，带动组内同事提升。",
    ],
    NominationKind.SELF: ["希望承担更多活动策划工作，已完成相关课程，申请晋升评审。"],
}
REVIEW_COMMENTS = {
    Recommendation.APPROVE: [
        "案例扎实，数据复盘清晰，同意晋升。",
        "业绩与能力均达到标准，建议通过。",
        "答辩表现稳定，对下一职级职责理解到位。",
    ],
    Recommendation.REJECT: [
        "近期绩效未达标准，建议先提升业绩表现。",
        "案例深度不足，暂不建议晋升。",
    ],
    Recommendation.DEFER: [
        "能力有潜力，但在岗时间不足，建议下一轮再议。",
        "方向正确，需要更多独立负责的项目积累。",
    ],
}
DECISION_NOTES = {
    Recommendation.APPROVE: "委员会一致同意，自生效日起调整职级。",
    Recommendation.REJECT: "近期考核结果未达到该职级的绩效要求；请与主管制定发展计划后再申请。",
    Recommendation.DEFER: "部分标准尚未满足（见提名时的资格快照），暂缓；下一轮评审优先考虑。",
}
CHECKIN_NOTES = [
    "已和主管对齐目标，先补齐课程，下周开始带教。",
    "课程进行中，活动复盘文档已完成初稿。",
    "带教进展顺利，下月争取独立负责一次店铺活动。",
]


def _today() -> dt.date:
    return timezone.localdate()


def build(*, actor: Any, rng: random.Random, today: dt.date | None = None) -> dict[str, int]:
    """Create the missing demo career data; return what was created by kind."""
    today = today or _today()
    created: Counter[str] = Counter()
    actors = _actors(actor)
    levels = _levels(created)
    _framework(actors["hr"], created)
    _tracks(actors["hr"], levels, created)
    _standards(actors["hr"], levels, created)
    if not PromotionRound.objects.filter(name=PAST_ROUND[0]).exists():
        _onboarding_history(actors["hr"], today, created)
        _past_round(actors, rng, levels, today, created)
        team = _team_readiness(actors, today, created)
        _plans(actors, rng, team, today, created)
    if not PromotionRound.objects.filter(name=OPEN_ROUND[0]).exists():
        _open_round(actors, today, created)
    return {kind: count for kind, count in created.items() if count}


def _actors(admin: Any) -> dict[str, Any]:
    """The demo logins who act (HR, the store team's manager, the director, the operators)."""
    from opsteam.accounts.models import User

    users = {
        user.username: user
        for user in User.objects.filter(
            username__in=["hr", "manager", "director", "operator", "operator2"]
        ).select_related("staff")
    }
    return {
        "admin": admin,
        "hr": users.get("hr", admin),
        "manager": users.get("manager", admin),
        "director": users.get("director", admin),
        "operator": users.get("operator"),
        "operator2": users.get("operator2"),
    }


def _levels(created: Counter[str]) -> dict[str, JobLevel]:
    levels = {level.code: level for level in JobLevel.objects.all()}
    for code, name, name_en, track, rank in LEVELS:
        if code not in levels:
            levels[code] = JobLevel.objects.create(
                code=code, name=name, name_en=name_en, track=track, rank=rank
            )
            audit.record(actor=None, action=AuditAction.CREATE, obj=levels[code])
            created["levels"] += 1
    return levels


# Competency framework --------------------------------------------------------------------------


def _framework(actor: Any, created: Counter[str]) -> None:
    """Competency groups and the level descriptors of the demo's skills (missing ones only:
    a group or a descriptor HR has already set is kept)."""
    from opsteam.careers import services_framework as framework

    groups = {group.code: group for group in SkillGroup.objects.all()}
    for code, name, name_en, order in GROUPS:
        if code not in groups:
            groups[code] = framework.skill_group_create(
                actor=actor, code=code, name=name, name_en=name_en, order=order
            )
            created["skill_groups"] += 1
    held: dict[int, dict[int, tuple[str, str]]] = {}
    for skill_id, level, text, text_en in SkillLevelDescriptor.objects.values_list(
        "skill_id", "level", "description", "description_en"
    ):
        held.setdefault(skill_id, {})[level] = (text, text_en)
    skills = Skill.objects.filter(code__in=list(DESCRIPTORS)).select_related("group")
    for skill in skills.order_by("code"):
        own = held.get(skill.pk, {})
        if skill.group_id is not None and len(own) == len(DESCRIPTORS[skill.code]):
            continue
        general = skill.category == SkillCategory.GENERAL or skill.code in GENERAL_SKILLS
        descriptors = dict(enumerate(DESCRIPTORS[skill.code], start=1)) | own
        framework.skill_framework_update(
            actor=actor,
            skill=skill,
            group=skill.group or groups["GENERAL" if general else "PROFESSIONAL"],
            descriptors=descriptors,
        )
        created["level_descriptors"] += len(descriptors) - len(own)


# Ladders and standards -------------------------------------------------------------------------


def _tracks(actor: Any, levels: dict[str, JobLevel], created: Counter[str]) -> None:
    existing = set(CareerTrack.objects.values_list("code", flat=True))
    for code, name, name_en, kind, codes, text, text_en in TRACKS:
        if code in existing:
            continue
        services.track_save(
            actor=actor,
            levels=[levels[c] for c in codes],
            code=code,
            name=name,
            name_en=name_en,
            kind=kind,
            description=text,
            description_en=text_en,
        )
        created["tracks"] += 1
        for target, sources in MANAGEMENT_ENTRY.items():
            step = CareerStep.objects.filter(track__code=code, level=levels[target]).first()
            if step is not None:
                services.step_entries_set(
                    actor=actor, step=step, entry_levels=[levels[s] for s in sources]
                )


def _standards(actor: Any, levels: dict[str, JobLevel], created: Counter[str]) -> None:
    """A published v1 for each level above the first, and a v2 draft of P3's."""
    has_standard = set(LevelStandard.objects.values_list("level__code", flat=True))
    skills = {skill.code: skill for skill in Skill.objects.all()}
    courses = {course.code: course for course in Course.objects.all()}
    for spec in STANDARDS:
        if spec["level"] in has_standard:
            continue
        draft = services.standard_start_draft(actor=actor, level=levels[spec["level"]])
        services.standard_update(
            actor=actor,
            standard=draft,
            competencies=[(skills[c], n) for c, n in spec["competencies"] if c in skills],
            courses=[courses[c] for c in spec["courses"] if c in courses],
            certificates=[
                (courses.get(course) if course else None, name)
                for course, name in spec["certificates"]
                if course is None or course in courses
            ],
            **spec["fields"],
        )
        services.standard_publish(actor=actor, standard=draft)
        created["standards"] += 1
        if spec["level"] == DRAFT["level"]:
            new = services.standard_start_draft(actor=actor, level=levels[DRAFT["level"]])
            services.standard_update(
                actor=actor,
                standard=new,
                competencies=[(skills[c], n) for c, n in DRAFT["competencies"] if c in skills],
                notes=DRAFT["notes"],
                notes_en=DRAFT["notes_en"],
            )
            created["standard_drafts"] += 1


# People: history, readiness, rounds, plans -----------------------------------------------------


def _base_staff() -> Any:
    """The demo company's own people (not the generated regional centres of scale mode)."""
    from opsteam.org.demo import COMPANY, SCALE_PREFIX

    company = OrgUnit.objects.filter(code=COMPANY[0]).first()
    if company is None:
        return Staff.objects.none()
    return Staff.objects.filter(unit__path__startswith=company.path).exclude(
        unit__code__startswith=SCALE_PREFIX
    )


def _onboarding_history(actor: Any, today: dt.date, created: Counter[str]) -> None:
    """This year's confirmed hires finished the onboarding plan (imported history: the culture
    course's exam and session predate the system). The tools course raises their skill as it
    would have then."""
    courses = {c.code: c for c in Course.objects.filter(code__in=ONBOARDING)}
    if len(courses) != len(ONBOARDING):
        return
    people = list(
        _base_staff()
        .filter(status=StaffStatus.ACTIVE, hire_date__gte=today - dt.timedelta(days=365))
        .exclude(user__username="operator")
        .order_by("employee_no")
    )
    taken = set(
        Enrolment.objects.filter(staff__in=people, course__in=courses.values()).values_list(
            "staff_id", "course_id"
        )
    )
    for person in people:
        for offset, code in zip((7, 14, 30), ONBOARDING, strict=True):
            course = courses[code]
            if (person.pk, course.pk) in taken:
                continue
            done = min(person.hire_date + dt.timedelta(days=offset), today)
            enrolment = Enrolment.objects.create(
                staff=person,
                course=course,
                source=AssignmentSource.RULE,
                status=EnrolmentStatus.COMPLETED,
                started_on=person.hire_date,
                due_on=done,
                completed_on=done,
            )
            audit.record(
                actor=actor, action=AuditAction.CREATE, obj=enrolment, note="onboarding history"
            )
            training.skills_raise(actor=actor, enrolment=enrolment)
            created["courses_completed"] += 1


def _primary(
    results: Iterable[engine.Eligibility], level_id: int | None, levels_by_id: dict[int, JobLevel]
) -> engine.Eligibility | None:
    """A person's main next level: the next one on their own track, else the first."""
    results = list(results)
    current = levels_by_id.get(level_id) if level_id is not None else None
    for result in results:
        target = levels_by_id.get(result.level_id)
        if current is not None and target is not None and current.track == target.track:
            return result
    return results[0] if results else None


def _fixed_missed(result: engine.Eligibility) -> int:
    """Standards the demo cannot (and must not) change: time, grades, the defence."""
    return sum(1 for check in result.missing() if check.kind in FIXED_KINDS)


def _completable(course: Course) -> bool:
    """A course completed by hand (no post-test, no sessions): the demo may record it done."""
    return not training.completion_requirements(Enrolment(course=course))


def _grant(
    actor: Any,
    person: Staff,
    result: engine.Eligibility,
    on: dt.date,
    created: Counter[str],
    *,
    keep: int = 0,
) -> None:
    """Meet the missed competencies and courses of ``result`` as of ``on``, leaving ``keep`` of
    them missed (courses before competencies, courses already assigned first); a course left
    to do is assigned, due soon."""
    missed = [c for c in result.missing() if c.kind in (engine.COURSE, engine.COMPETENCY)]
    open_courses = set(
        Enrolment.objects.filter(
            staff=person, status__in=[EnrolmentStatus.ASSIGNED, EnrolmentStatus.IN_PROGRESS]
        ).values_list("course_id", flat=True)
    )
    missed.sort(key=lambda c: (c.kind == engine.COURSE, c.key in open_courses))
    left = missed[-keep:] if keep else []  # a course if one is missed, else a competency
    courses = Course.objects.in_bulk([c.key for c in missed if c.kind == engine.COURSE])
    for check in missed:
        if check.kind != engine.COURSE or not _completable(courses[check.key]):
            continue
        if check in left:
            if check.key not in open_courses:
                training.enrolment_assign(
                    actor=actor,
                    staff=person,
                    course=courses[check.key],
                    due_on=_today() + dt.timedelta(days=30),
                )
            continue
        enrolment = training.enrolment_assign(actor=actor, staff=person, course=courses[check.key])
        training.enrolment_complete(actor=actor, enrolment=enrolment, on=on)
        created["courses_completed"] += 1
    held = {row.skill_id: row for row in StaffSkill.objects.filter(staff=person)}
    for check in missed:
        if check.kind != engine.COMPETENCY or check in left:
            continue
        row = held.get(check.key)
        if row is not None and row.level >= check.required:
            continue  # a course just raised it
        _assess(actor, person, check.key, check.required, on, row)
        created["skills_assessed"] += 1


def _assess(
    actor: Any, person: Staff, skill_id: int, level: int, on: dt.date, row: StaffSkill | None
) -> None:
    """Record a skill level from the manager's assessment (audited, like an import)."""
    if row is None:
        row = StaffSkill.objects.create(
            staff=person,
            skill_id=skill_id,
            level=level,
            source=SkillSource.ASSESSMENT,
            source_ref=DEMO_REF,
            recorded_on=on,
        )
        audit.record(actor=actor, action=AuditAction.CREATE, obj=row)
        return
    before = audit.snapshot(row)
    row.level, row.source, row.source_ref, row.recorded_on = (
        level,
        SkillSource.ASSESSMENT,
        DEMO_REF,
        on,
    )
    row.save(update_fields=["level", "source", "source_ref", "recorded_on"])
    audit.record(actor=actor, action=AuditAction.UPDATE, obj=row, before=before)


def _past_dates(today: dt.date) -> tuple[dt.date, dt.date, dt.date]:
    """Nomination day, nominations close and effective date of the closed round."""
    effective = min(PAST_EFFECTIVE, today - dt.timedelta(days=7))
    close = effective - dt.timedelta(days=16)
    return close - dt.timedelta(days=6), close, effective


def _past_round(
    actors: dict[str, Any],
    rng: random.Random,
    levels: dict[str, JobLevel],
    today: dt.date,
    created: Counter[str],
) -> None:
    """The autumn round: two people ready at nomination approved, one rejected on their
    grades, one self-nomination deferred; the round is closed and the promotions in effect."""
    from opsteam.org.demo import UNIT_LEADS

    hr, director, manager = actors["hr"], actors["director"], actors["manager"]
    nominated_on, close, effective = _past_dates(today)
    levels_by_id = {level.pk: level for level in levels.values()}
    leads = set(UNIT_LEADS.values())
    people = [
        person
        for person in _base_staff()
        .filter(status=StaffStatus.ACTIVE, unit__code__startswith="OPS-", hire_date__lt=close)
        .select_related("unit", "level", "user")
        .order_by("employee_no")
        if person.employee_no not in leads
    ]
    if not people:
        return
    primary = _primaries(people, nominated_on, levels_by_id)
    store = getattr(getattr(manager, "staff", None), "unit_id", None)
    special = {actors[name].pk for name in ("operator", "operator2") if actors[name] is not None}
    # Approved: the first people of the other teams meeting the time and grade standards, for
    # two different levels where possible; they are made ready (courses, assessed skills).
    approved: list[tuple[Staff, engine.Eligibility]] = []
    for person in people:
        result = primary.get(person.pk)
        if (
            result is None
            or person.unit_id == store
            or person.user_id in special
            or _fixed_missed(result)
            or any(r.level_id == result.level_id for _p, r in approved)
        ):
            continue
        approved.append((person, result))
        if len(approved) == 2:
            break
    for person, result in approved:
        _grant(hr, person, result, nominated_on - dt.timedelta(days=20), created)
    # Rejected: someone of the store team whose recent grades fall short.
    rejected = next(
        (
            (person, primary[person.pk])
            for person in people
            if person.unit_id == store
            and person.user_id not in special
            and person.pk in primary
            and any(
                c.kind in (engine.APPRAISAL_COUNT, engine.APPRAISAL_FLOOR)
                for c in primary[person.pk].missing()
            )
        ),
        None,
    )
    deferred = next(
        ((p, primary[p.pk]) for p in people if p.user_id == getattr(actors["operator2"], "pk", 0)),
        None,
    )
    promotion_round = services.round_create(
        actor=hr,
        committee=[user for user in (hr, director) if user is not None],
        name=PAST_ROUND[0],
        name_en=PAST_ROUND[1],
        nominations_close=close,
        effective_date=effective,
        allow_self_nomination=True,
    )
    created["rounds"] += 1
    services.round_advance(actor=hr, promotion_round=promotion_round)
    plan = [(p, r, director, NominationKind.MANAGER, Recommendation.APPROVE) for p, r in approved]
    if rejected is not None:
        plan.append((*rejected, manager, NominationKind.MANAGER, Recommendation.REJECT))
    if deferred is not None:
        plan.append((*deferred, actors["operator2"], NominationKind.SELF, Recommendation.DEFER))
    outcomes = {}
    when = timezone.make_aware(dt.datetime.combine(nominated_on, dt.time(10, 0)))
    for person, _result, nominator, kind, outcome in plan:
        # Re-evaluated after the grants, as of the nomination day (the snapshot kept).
        result = selectors.eligibility_for(
            [person], today=nominated_on, target_levels=[_result.level_id]
        )[0]
        nomination = Nomination.objects.create(
            round=promotion_round,
            staff=person,
            unit_id=person.unit_id,
            from_level_id=person.level_id,
            target_level_id=result.level_id,
            standard=selectors.published_standards().get(result.level_id),
            kind=kind,
            nominated_by=nominator,
            justification=rng.choice(JUSTIFICATIONS[kind]),
            eligibility=services.eligibility_snapshot(result),
            ready_at_nomination=result.ready,
            created_at=when,
        )
        audit.record(actor=nominator, action=AuditAction.CREATE, obj=nomination, note="history")
        outcomes[nomination.pk] = outcome
        created["nominations"] += 1
    services.round_advance(actor=hr, promotion_round=promotion_round)
    reviewed_at = timezone.make_aware(dt.datetime.combine(close, dt.time(15, 0)))
    scores = {
        Recommendation.APPROVE: (82, 94),
        Recommendation.REJECT: (55, 68),
        Recommendation.DEFER: (68, 78),
    }
    reviews = CommitteeReview.objects.filter(nomination__round=promotion_round).select_related(
        "nomination", "reviewer"
    )
    for review in reviews.order_by("nomination__staff__employee_no", "reviewer__username"):
        outcome = outcomes[review.nomination_id]
        services.committee_review_submit(
            actor=review.reviewer,
            review=review,
            score=Decimal(rng.randint(*scores[outcome])),
            recommendation=outcome,
            comment=rng.choice(REVIEW_COMMENTS[outcome]),
        )
        created["committee_reviews"] += 1
    reviews.update(submitted_at=reviewed_at)
    for nomination in Nomination.objects.filter(round=promotion_round).order_by("pk"):
        services.nomination_decide(
            actor=hr,
            nomination=nomination,
            decision=outcomes[nomination.pk],
            note=DECISION_NOTES[outcomes[nomination.pk]],
        )
    Nomination.objects.filter(round=promotion_round).update(
        decided_at=reviewed_at + dt.timedelta(days=3)
    )
    services.round_advance(actor=hr, promotion_round=promotion_round)


def _primaries(
    people: Sequence[Staff], today: dt.date, levels_by_id: dict[int, JobLevel]
) -> dict[int, engine.Eligibility]:
    by_person: dict[int, list[engine.Eligibility]] = {}
    for result in selectors.eligibility_for(people, today=today):
        by_person.setdefault(result.staff_id, []).append(result)
    current = {person.pk: person.level_id for person in people}
    return {
        staff_id: result
        for staff_id, results in by_person.items()
        if (result := _primary(results, current[staff_id], levels_by_id)) is not None
    }


def _team(actors: dict[str, Any]) -> list[Staff]:
    """The demo manager's team (their unit's subtree, without them), current staff only."""
    boss = getattr(actors["manager"], "staff", None)
    if boss is None:
        return []
    return list(
        Staff.objects.filter(unit__path__startswith=boss.unit.path)
        .exclude(pk=boss.pk)
        .exclude(status=StaffStatus.LEFT)
        .select_related("unit", "level", "user")
        .order_by("employee_no")
    )


def _team_readiness(
    actors: dict[str, Any], today: dt.date, created: Counter[str]
) -> dict[str, list[tuple[Staff, engine.Eligibility]]]:
    """Several of the manager's people ready, some one standard short, the rest several short.

    Only what the demo owns is changed: completed courses and assessed skill levels. Who can be
    ready depends on the grades and dates the other demos made, so it is computed here.
    """
    hr = actors["hr"]
    team = _team(actors)
    levels_by_id = selectors.levels_by_id()
    primary = _primaries(team, today, levels_by_id)
    operator = getattr(actors["operator"], "pk", None)
    candidates = [(p, primary[p.pk]) for p in team if p.pk in primary and p.user_id != operator]
    # Time in level and grades already fit / one of them does not.
    pool = [(p, r) for p, r in candidates if not _fixed_missed(r)]
    near = [(p, r) for p, r in candidates if _fixed_missed(r) == 1]
    ready = pool[:READY_PEOPLE]
    one_short = (near + pool[READY_PEOPLE:])[:ONE_SHORT_PEOPLE]
    while len(one_short) < ONE_SHORT_PEOPLE and len(ready) > 1:
        one_short.append(ready.pop())  # fewer ready, but some one course short
    on = today - dt.timedelta(days=10)
    for person, result in ready:
        _grant(hr, person, result, on, created)
    for person, result in one_short:
        # One standard left: a course still to do if the grades already fit, else the grades.
        _grant(hr, person, result, on, created, keep=0 if _fixed_missed(result) else 1)
    operator_row = next(((p, primary[p.pk]) for p in team if p.user_id == operator), None)
    if operator_row is not None and operator_row[0].pk in primary:
        # The operator login: everything but the career course assigned to them, due soon.
        _grant(hr, *operator_row, on, created, keep=1)
        one_short.append(operator_row)
    return {"ready": ready, "one_short": one_short, "team": [(p, None) for p in team]}


def _plans(
    actors: dict[str, Any],
    rng: random.Random,
    team: dict[str, list[tuple[Staff, Any]]],
    today: dt.date,
    created: Counter[str],
) -> None:
    """Active development plans from the gap: the operator's own, and the manager's for the
    person the committee turned down and for a colleague far from the next level."""
    manager, operator = actors["manager"], actors["operator"]
    levels_by_id = selectors.levels_by_id()
    people = []
    for person, _result in team["one_short"]:
        if operator is not None and person.user_id == operator.pk:
            people.append((person, operator))
    rejected = (
        Nomination.objects.filter(round__name=PAST_ROUND[0], status=NominationStatus.REJECTED)
        .select_related("staff")
        .first()
    )
    if rejected is not None:
        people.append((rejected.staff, manager))
    # And a confirmed colleague still far from the next level: the plan has the most to do.
    near = {p.pk for p, _r in team["ready"] + team["one_short"] + people}
    others = [p for p, _r in team["team"] if p.pk not in near and p.status == StaffStatus.ACTIVE]
    if others:
        people.append((others[0], manager))
    start = today - dt.timedelta(days=28)
    for person, author in people[:3]:
        results = selectors.eligibility_for([person], today=today)
        result = _primary(results, person.level_id, levels_by_id)
        if result is None:
            continue
        target = levels_by_id[result.level_id]
        plan = services.development_plan_create(
            actor=author,
            staff=person,
            target_level=target,
            title=f"晋升{target.name}发展计划",
            goals="补齐与下一职级标准的差距：课程、能力与业绩。",
            end_date=today + dt.timedelta(days=90),
        )
        created["development_plans"] += 1
        DevelopmentPlan.objects.filter(pk=plan.pk).update(start_date=start)
        first = services.development_checkin_add(
            actor=manager, plan=plan, notes=CHECKIN_NOTES[0], progress=0
        )
        DevelopmentCheckIn.objects.filter(pk=first.pk).update(date=today - dt.timedelta(days=14))
        action = plan.actions.order_by("order").first()
        if action is not None:
            services.development_action_save(
                actor=manager,
                plan=plan,
                action=action,
                status=ActionStatus.IN_PROGRESS,
                progress=rng.choice([40, 50, 60]),
            )
        services.development_checkin_add(actor=manager, plan=plan, notes=rng.choice(CHECKIN_NOTES))
        created["development_checkins"] += 2


def _open_round(actors: dict[str, Any], today: dt.date, created: Counter[str]) -> None:
    """The spring round takes nominations; the operator has put themself forward."""
    hr, director, operator = actors["hr"], actors["director"], actors["operator"]
    close = max(today + dt.timedelta(days=21), OPEN_EFFECTIVE - dt.timedelta(days=21))
    effective = max(OPEN_EFFECTIVE, close + dt.timedelta(days=10))
    promotion_round = services.round_create(
        actor=hr,
        committee=[user for user in (hr, director) if user is not None],
        name=OPEN_ROUND[0],
        name_en=OPEN_ROUND[1],
        nominations_close=close,
        effective_date=effective,
        allow_self_nomination=True,
    )
    services.round_advance(actor=hr, promotion_round=promotion_round)
    created["rounds"] += 1
    person = getattr(operator, "staff", None)
    if person is None:
        return
    targets = selectors.next_levels_map().get(person.level_id, [])
    if not targets:
        return
    services.nominate(
        actor=operator,
        promotion_round=promotion_round,
        staff=person,
        target_level=JobLevel.objects.get(pk=targets[0]),
        justification=JUSTIFICATIONS[NominationKind.SELF][0],
    )
    created["nominations"] += 1


def build_careers_demo(seed: int = 7) -> dict[str, int]:
    """Load the career demo in one transaction, audited as the system (idempotent)."""
    from django.db import transaction

    from opsteam.accounts.models import User
    from opsteam.core.choices import AuditSource

    with transaction.atomic(), audit.context(source=AuditSource.SYSTEM):
        admin = User.objects.get(username="admin")
        return build(actor=admin, rng=random.Random(seed))  # noqa: S311 - demo data
