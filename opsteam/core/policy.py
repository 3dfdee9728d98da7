"""The permission policy: the one place that answers "may this user do X to this row?".

Each model has a declared rule: for every action, which roles may perform it and in which
scope (all rows, the manager's org subtree, or the user's own rows), plus the lookups from the
model to the org unit and to the user the row concerns. UI views, API viewsets, exports, imports
and background jobs all go through ``restrict`` / ``require`` / ``can``.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db.models import Model, Q, QuerySet

from opsteam.core.choices import Role
from opsteam.core.exceptions import NotVisible, PolicyDenied

if TYPE_CHECKING:
    from collections.abc import Mapping


class Scope(enum.Enum):
    ALL = "all"
    SUBTREE = "subtree"  # rows concerning the manager's org subtree (and the manager's own rows)
    SELF = "self"  # rows concerning the user themself


ALL, SUBTREE, SELF = Scope.ALL, Scope.SUBTREE, Scope.SELF
ADMIN, HR, MANAGER, OPERATOR, AUDITOR = (
    Role.ADMIN,
    Role.HR,
    Role.MANAGER,
    Role.OPERATOR,
    Role.AUDITOR,
)
EVERYONE = {ADMIN: ALL, HR: ALL, MANAGER: ALL, OPERATOR: ALL, AUDITOR: ALL}
READERS = {ADMIN: ALL, HR: ALL, AUDITOR: ALL}
EDITORS = {ADMIN: ALL, HR: ALL}
ADMINS = {ADMIN: ALL}


@dataclass(frozen=True)
class Rule:
    """Who may do what to one model.

    ``unit_path`` leads from the model to the ``org.OrgUnit`` that decides manager scope
    ("" = the row is a unit); ``self_path`` leads to the ``accounts.User`` the row concerns.
    """

    actions: Mapping[str, Mapping[Role, Scope]]
    unit_path: str | None = None
    self_path: str | None = None
    # Further people the row concerns as much as ``self_path`` (both sides of a 1:1).
    also_self_paths: tuple[str, ...] = ()
    # Actions for which only these paths make a row the user's own (a meeting is seen by its
    # participants, changed only by its organiser). Paths may cross many-valued relations.
    self_paths_for: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    notes: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


def _reference_data(**overrides: Mapping[Role, Scope]) -> Rule:
    """Org-wide reference data everyone reads and HR/admin maintain (positions, JDs, RACI)."""
    actions: dict[str, Mapping[Role, Scope]] = {
        "view": EVERYONE,
        "add": EDITORS,
        "change": EDITORS,
        "delete": EDITORS,
        "export": EVERYONE,
        "import": EDITORS,
    }
    actions.update(overrides)
    return Rule(actions=actions)


STAFF_READ = {ADMIN: ALL, HR: ALL, AUDITOR: ALL, MANAGER: SUBTREE, OPERATOR: SELF}
OWN_ONLY = {ADMIN: SELF, HR: SELF, AUDITOR: SELF, MANAGER: SELF, OPERATOR: SELF}
# Coaching records (1:1s, improvement plans): like personal data, without org-wide auditors.
COACHING_READ = {ADMIN: ALL, HR: ALL, MANAGER: SUBTREE, OPERATOR: SELF, AUDITOR: SELF}
# Lists and exports of people's rows (operators see only their own through "view").
STAFF_EXPORT = {ADMIN: ALL, HR: ALL, AUDITOR: ALL, MANAGER: SUBTREE}
# Writes a manager makes for their team (assign training, approve, observe), HR for everyone.
TEAM_WRITE = {ADMIN: ALL, HR: ALL, MANAGER: SUBTREE}
# Development plans: managers for their team, and anyone for themself.
DEVELOPMENT_WRITE = {ADMIN: ALL, HR: ALL, MANAGER: SUBTREE, OPERATOR: SELF, AUDITOR: SELF}
# Processes (opsteam/workflow): maintained by HR, administrators and the owning unit's managers;
# their analytics read by those and by auditors.
PROCESS_OWNERS = {ADMIN: ALL, HR: ALL, MANAGER: SUBTREE}
PROCESS_READERS = {ADMIN: ALL, HR: ALL, AUDITOR: ALL, MANAGER: SUBTREE}
# Work items: a team's managers and HR see them all, operators their own (assigned or raised).
WORK_READ = {ADMIN: ALL, HR: ALL, AUDITOR: ALL, MANAGER: SUBTREE, OPERATOR: SELF}

# Meetings (opsteam/collab/models_meetings.py): see their rules below.
MEETING_READ = {ADMIN: ALL, HR: ALL, AUDITOR: ALL, MANAGER: SUBTREE, OPERATOR: SELF}
MEETING_ADD = {ADMIN: ALL, HR: ALL, MANAGER: ALL, OPERATOR: ALL}
MEETING_MANAGE = {ADMIN: ALL, HR: ALL, MANAGER: SUBTREE, OPERATOR: SELF}

RULES: dict[str, Rule] = {
    "core.auditentry": Rule(actions={"view": READERS, "export": READERS}),
    "core.importjob": Rule(actions={"view": READERS, "add": EDITORS}),
    "accounts.user": Rule(
        actions={
            "view": READERS,
            "add": ADMINS,
            "change": ADMINS,
            "delete": ADMINS,
            "export": READERS,
        },
    ),
    "accounts.rolegrant": Rule(
        actions={"view": READERS, "add": ADMINS, "change": ADMINS, "delete": ADMINS}
    ),
    "accounts.apitoken": Rule(
        actions={
            "view": {ADMIN: ALL, HR: SELF, MANAGER: SELF, OPERATOR: SELF, AUDITOR: SELF},
            "add": {ADMIN: SELF, HR: SELF, MANAGER: SELF, OPERATOR: SELF, AUDITOR: SELF},
            "delete": {ADMIN: ALL, HR: SELF, MANAGER: SELF, OPERATOR: SELF, AUDITOR: SELF},
        },
        self_path="user",
    ),
    "org.orgunit": _reference_data(),
    "org.rolefamily": _reference_data(),
    "org.joblevel": _reference_data(),
    "org.position": _reference_data(),
    "org.skill": _reference_data(),
    "org.jobdescription": _reference_data(publish=EDITORS),
    "org.jobduty": _reference_data(),
    "org.jobskillrequirement": _reference_data(),
    "org.jobrelation": _reference_data(),
    "org.process": _reference_data(),
    "org.activity": _reference_data(),
    "org.raciassignment": _reference_data(),
    "org.staff": Rule(
        actions={
            "view": STAFF_READ,
            # Browsing colleagues as a list (operators only ever see themselves: no list).
            "list": {ADMIN: ALL, HR: ALL, AUDITOR: ALL, MANAGER: SUBTREE},
            # Name, position and unit of everyone: the org chart and "who does what".
            "directory": EVERYONE,
            "add": EDITORS,
            "change": EDITORS,
            "delete": EDITORS,
            "export": {ADMIN: ALL, HR: ALL, AUDITOR: ALL, MANAGER: SUBTREE},
            "import": EDITORS,
            # PIPL: everyone may take out their own data; HR and administrators anyone's.
            "export_personal": {ADMIN: ALL, HR: ALL, MANAGER: SELF, OPERATOR: SELF, AUDITOR: SELF},
            "purge": EDITORS,
        },
        unit_path="unit",
        self_path="user",
    ),
    "org.purgerecord": Rule(actions={"view": READERS}),
    # Pay: HR and administrators, and each person their own; reads by anyone but HR are audited.
    "org.compensation": Rule(
        actions={
            "view": {ADMIN: ALL, HR: ALL, MANAGER: SELF, OPERATOR: SELF, AUDITOR: SELF},
            "add": EDITORS,
            "change": EDITORS,
            "export": EDITORS,
        },
        unit_path="staff__unit",
        self_path="staff__user",
    ),
    "performance.kpi": _reference_data(),
    "performance.kpitemplate": _reference_data(),
    "performance.kpitemplateitem": _reference_data(),
    # Raw KPI data is personal: the person, their managers' subtree, HR; HR and admins write.
    "performance.measurement": Rule(
        actions={
            "view": STAFF_READ,
            "add": EDITORS,
            "change": EDITORS,
            "delete": EDITORS,
            "export": {ADMIN: ALL, HR: ALL, AUDITOR: ALL, MANAGER: SUBTREE},
            "import": EDITORS,
        },
        unit_path="staff__unit",
        self_path="staff__user",
    ),
    # Review cycles are announced to everyone; HR and administrators run them.
    "performance.reviewcycle": Rule(actions={"view": EVERYONE, "add": EDITORS, "change": EDITORS}),
    # A review (scorecard, ratings, grade): the person, their managers' subtree, HR, auditors.
    # Reviewees see scores and grades only once published (performance.selectors).
    "performance.review": Rule(
        actions={
            "view": STAFF_READ,
            "list": {ADMIN: ALL, HR: ALL, AUDITOR: ALL, MANAGER: SUBTREE},
            "self_review": OWN_ONLY,
            "manager_review": {ADMIN: ALL, HR: ALL, MANAGER: SUBTREE},
            "calibrate": EDITORS,
            "acknowledge": OWN_ONLY,
            "export": {ADMIN: ALL, HR: ALL, AUDITOR: ALL, MANAGER: SUBTREE},
        },
        unit_path="unit",
        self_path="staff__user",
    ),
    "performance.personaltarget": Rule(
        actions={"view": STAFF_READ}, unit_path="review__unit", self_path="review__staff__user"
    ),
    "performance.gradechange": Rule(
        actions={"view": STAFF_READ}, unit_path="review__unit", self_path="review__staff__user"
    ),
    "performance.appeal": Rule(
        actions={"view": STAFF_READ, "resolve_appeal": EDITORS},
        unit_path="review__unit",
        self_path="review__staff__user",
    ),
    # 1:1s (opsteam/performance/models_coaching.py): both sides, the report's managers and HR
    # read them; only the two sides write into them ("participate"). Auditors: their own only,
    # as with other sensitive personal data.
    "performance.oneonone": Rule(
        actions={
            "view": COACHING_READ,
            "add": {ADMIN: ALL, HR: ALL, MANAGER: SUBTREE},
            "change": {ADMIN: ALL, HR: ALL, MANAGER: SELF, OPERATOR: SELF, AUDITOR: SELF},
            "participate": OWN_ONLY,
        },
        unit_path="report__unit",
        self_path="report__user",
        also_self_paths=("manager__user",),
    ),
    "performance.oneononemeeting": Rule(
        actions={"view": COACHING_READ, "participate": OWN_ONLY},
        unit_path="series__report__unit",
        self_path="series__report__user",
        also_self_paths=("series__manager__user",),
    ),
    "performance.agendaitem": Rule(
        actions={"view": COACHING_READ},
        unit_path="meeting__series__report__unit",
        self_path="meeting__series__report__user",
        also_self_paths=("meeting__series__manager__user",),
    ),
    "performance.actionitem": Rule(
        actions={"view": COACHING_READ, "participate": OWN_ONLY},
        unit_path="meeting__series__report__unit",
        self_path="meeting__series__report__user",
        also_self_paths=("meeting__series__manager__user",),
    ),
    # A private note is its author's alone: no role reads beyond its own rows, not HR, not
    # administrators (a data rule; the audit trail keeps only a fingerprint of the text).
    "performance.privatenote": Rule(
        actions={"view": OWN_ONLY, "change": OWN_ONLY}, self_path="author__user"
    ),
    # Improvement plans: the person, the plan's manager and the managers of the person's
    # subtree, HR and administrators; no peers, no other managers, auditors only their own.
    "performance.improvementplan": Rule(
        actions={
            "view": COACHING_READ,
            "add": {ADMIN: ALL, HR: ALL, MANAGER: SUBTREE},
            "change": {ADMIN: ALL, HR: ALL, MANAGER: SUBTREE},
        },
        unit_path="staff__unit",
        self_path="staff__user",
        also_self_paths=("manager__user",),
    ),
    "performance.plangoal": Rule(
        actions={"view": COACHING_READ},
        unit_path="plan__staff__unit",
        self_path="plan__staff__user",
        also_self_paths=("plan__manager__user",),
    ),
    "performance.plancheckin": Rule(
        actions={"view": COACHING_READ},
        unit_path="plan__staff__unit",
        self_path="plan__staff__user",
        also_self_paths=("plan__manager__user",),
    ),
    "org.assignment": Rule(
        actions={"view": STAFF_READ, "export": {ADMIN: ALL, HR: ALL, AUDITOR: ALL}},
        unit_path="staff__unit",
        self_path="staff__user",
    ),
    # Surveys (360 feedback): HR and admins run campaigns; answers are only ever read through
    # surveys.selectors, which apply the anonymity rule (no role may list answers directly).
    "surveys.questionnaire": Rule(actions={"view": READERS, "add": EDITORS, "change": EDITORS}),
    "surveys.question": Rule(actions={"view": READERS, "add": EDITORS, "change": EDITORS}),
    "surveys.campaign": Rule(
        actions={
            "view": {ADMIN: ALL, HR: ALL, AUDITOR: ALL, MANAGER: ALL},
            "add": EDITORS,
            "change": EDITORS,
            "export": {ADMIN: ALL, HR: ALL, AUDITOR: ALL, MANAGER: ALL},
        }
    ),
    "surveys.subject": Rule(
        actions={
            "view": STAFF_READ,
            "add": EDITORS,
            "change": EDITORS,
            # the reviewee proposes raters for themself, their managers for their subtree
            "nominate": {ADMIN: ALL, HR: ALL, MANAGER: SUBTREE, OPERATOR: SELF},
            "approve": {ADMIN: ALL, HR: ALL, MANAGER: SUBTREE},
            "results": {ADMIN: ALL, HR: ALL, AUDITOR: ALL, MANAGER: SUBTREE, OPERATOR: SELF},
            # raw ratings and each group's leniency adjustment; reviewees see only the result
            "adjustments": EDITORS,
        },
        unit_path="staff__unit",
        self_path="staff__user",
    ),
    "surveys.invitation": Rule(
        actions={
            "view": {ADMIN: ALL, HR: ALL, AUDITOR: ALL, MANAGER: SELF, OPERATOR: SELF},
            "answer": {ADMIN: SELF, HR: SELF, AUDITOR: SELF, MANAGER: SELF, OPERATOR: SELF},
        },
        unit_path="subject__staff__unit",
        self_path="rater__user",
    ),
    "surveys.answer": Rule(actions={}),
    # A person's recorded skill levels: personal, raised by training, read by careers.
    "org.staffskill": Rule(
        actions={"view": STAFF_READ, "change": EDITORS, "export": STAFF_EXPORT},
        unit_path="staff__unit",
        self_path="staff__user",
    ),
    # Training catalogue and plans: everyone browses them, HR and administrators maintain them.
    # The effectiveness report pools trainees' results: HR, administrators and auditors.
    "training.course": _reference_data(report=READERS),
    "training.courseskill": _reference_data(),
    "training.material": _reference_data(),
    "training.trainingplan": _reference_data(),
    "training.plancourse": _reference_data(),
    "training.assignmentrule": _reference_data(view=READERS, export=READERS),
    "training.behaviouritem": _reference_data(),
    # The question bank holds the answers: only those who set and grade exams read it.
    "training.question": _reference_data(view=READERS, export=READERS),
    "training.questionoption": _reference_data(view=READERS, export=READERS),
    "training.rubriccriterion": _reference_data(view=READERS, export=READERS),
    "training.exam": _reference_data(grade=EDITORS),
    "training.session": _reference_data(check_in=EDITORS),
    # A person's learning: themself, their managers' subtree, HR; managers assign to their team.
    "training.planassignment": Rule(
        actions={
            "view": STAFF_READ,
            "add": TEAM_WRITE,
            "change": TEAM_WRITE,
            "export": STAFF_EXPORT,
        },
        unit_path="staff__unit",
        self_path="staff__user",
    ),
    "training.enrolment": Rule(
        actions={
            "view": STAFF_READ,
            "list": STAFF_EXPORT,
            "add": TEAM_WRITE,
            "enrol_self": OWN_ONLY,
            "learn": OWN_ONLY,
            "change": TEAM_WRITE,
            "export": STAFF_EXPORT,
            "import": EDITORS,
        },
        unit_path="staff__unit",
        self_path="staff__user",
    ),
    "training.registration": Rule(
        actions={
            "view": STAFF_READ,
            "approve": TEAM_WRITE,
            "cancel": {**TEAM_WRITE, OPERATOR: SELF, AUDITOR: SELF},
            "export": STAFF_EXPORT,
            "import": EDITORS,  # attendance (imports_attendance.py)
        },
        unit_path="enrolment__staff__unit",
        self_path="enrolment__staff__user",
    ),
    "training.attempt": Rule(
        actions={"view": STAFF_READ, "take": OWN_ONLY, "export": STAFF_EXPORT},
        unit_path="enrolment__staff__unit",
        self_path="enrolment__staff__user",
    ),
    "training.attemptanswer": Rule(
        actions={"view": STAFF_READ},
        unit_path="attempt__enrolment__staff__unit",
        self_path="attempt__enrolment__staff__user",
    ),
    "training.behaviourcheck": Rule(
        actions={"view": COACHING_READ, "observe": TEAM_WRITE},
        unit_path="enrolment__staff__unit",
        self_path="enrolment__staff__user",
    ),
    "training.selflearning": Rule(
        actions={
            "view": STAFF_READ,
            "add": OWN_ONLY,
            "approve": TEAM_WRITE,
            "export": STAFF_EXPORT,
        },
        unit_path="staff__unit",
        self_path="staff__user",
    ),
    "training.certificate": Rule(
        actions={
            "view": STAFF_READ,
            "add": {**OWN_ONLY, ADMIN: ALL, HR: ALL},
            "change": EDITORS,
            "export": STAFF_EXPORT,
        },
        unit_path="staff__unit",
        self_path="staff__user",
    ),
    # Careers (opsteam/careers): ladders and level standards are published to everyone so each
    # person can see what the next level takes; HR and administrators maintain them.
    "org.skillgroup": _reference_data(),
    "org.skillleveldescriptor": _reference_data(),
    "careers.careertrack": _reference_data(),
    "careers.careerstep": _reference_data(),
    "careers.levelstandard": _reference_data(publish=EDITORS),
    "careers.standardcompetency": _reference_data(),
    "careers.standardcourse": _reference_data(),
    "careers.standardcertificate": _reference_data(),
    # Development plans: the person (who may start their own), their managers' subtree, HR;
    # a mentor named on an action sees that action. Auditors only their own, as for coaching.
    "careers.developmentplan": Rule(
        actions={"view": COACHING_READ, "add": DEVELOPMENT_WRITE, "change": DEVELOPMENT_WRITE},
        unit_path="staff__unit",
        self_path="staff__user",
        also_self_paths=("owner__user",),
    ),
    "careers.developmentaction": Rule(
        actions={"view": COACHING_READ},
        unit_path="plan__staff__unit",
        self_path="plan__staff__user",
        also_self_paths=("plan__owner__user", "mentor__user"),
    ),
    "careers.developmentcheckin": Rule(
        actions={"view": COACHING_READ},
        unit_path="plan__staff__unit",
        self_path="plan__staff__user",
        also_self_paths=("plan__owner__user",),
    ),
    "careers.promotionround": Rule(
        actions={"view": EVERYONE, "add": EDITORS, "change": EDITORS, "decide": EDITORS}
    ),
    # A nomination: the nominee, their managers' subtree, HR and auditors; the nominee or the
    # manager nominates (rounds may forbid self-nomination), HR decides.
    "careers.nomination": Rule(
        actions={
            "view": STAFF_READ,
            "list": STAFF_EXPORT,
            "nominate": {ADMIN: ALL, HR: ALL, MANAGER: SUBTREE, OPERATOR: SELF},
            "withdraw": {ADMIN: ALL, HR: ALL, MANAGER: SUBTREE, OPERATOR: SELF},
            "decide": EDITORS,
            "export": STAFF_EXPORT,
        },
        unit_path="unit",
        self_path="staff__user",
    ),
    # Committee scores and comments: the member who wrote them, HR, administrators, auditors;
    # not the nominee, not the nominee's managers.
    "careers.committeereview": Rule(
        actions={"view": {**OWN_ONLY, ADMIN: ALL, HR: ALL, AUDITOR: ALL}, "review": OWN_ONLY},
        unit_path="nomination__unit",
        self_path="reviewer",
    ),
    # Incentives (opsteam/incentives). Bonus policies are published rules; pools and their
    # lines are pay: HR and administrators, the unit's managers (their subtree), each person
    # their own line once approved (incentives.selectors), auditors read-only.
    "incentives.bonuspolicy": _reference_data(),
    "incentives.bonuspool": Rule(
        actions={
            "view": {ADMIN: ALL, HR: ALL, AUDITOR: ALL, MANAGER: SUBTREE},
            "add": EDITORS,
            "change": EDITORS,
            "approve": EDITORS,
            "export": EDITORS,
            # The fairness review: grades, bonuses and promotions compared org-wide.
            "report": READERS,
        },
        unit_path="unit",
    ),
    "incentives.bonusline": Rule(
        actions={"view": STAFF_READ, "export": EDITORS},
        unit_path="unit",
        self_path="staff__user",
    ),
    "incentives.rewardentry": Rule(
        actions={"view": STAFF_READ, "add": TEAM_WRITE, "export": STAFF_EXPORT},
        unit_path="staff__unit",
        self_path="staff__user",
    ),
    "incentives.companyvalue": _reference_data(),
    "incentives.badge": _reference_data(),
    # Recognition is public by design: kudos, commendations and badges show in the feed.
    "incentives.kudos": Rule(
        actions={"view": EVERYONE, "add": EVERYONE, "delete": EDITORS},
        unit_path="recipient__unit",
        self_path="sender__user",
    ),
    "incentives.teamcommendation": Rule(
        actions={"view": EVERYONE, "add": TEAM_WRITE}, unit_path="unit"
    ),
    "incentives.badgeaward": Rule(
        actions={"view": EVERYONE, "add": EDITORS, "delete": EDITORS},
        unit_path="staff__unit",
        self_path="staff__user",
    ),
    "incentives.recognitionsetting": Rule(
        actions={"view": EVERYONE, "change": TEAM_WRITE}, unit_path="unit"
    ),
    # Workflow (opsteam/workflow). Process maps are published to everyone (who does which step,
    # the SOP, the targets); HR, administrators and the managers of the process's owning unit
    # maintain them and read its analytics (which name people: not for operators).
    "workflow.processmap": Rule(
        actions={
            "view": EVERYONE,
            "add": PROCESS_OWNERS,
            "change": PROCESS_OWNERS,
            "publish": PROCESS_OWNERS,
            "analyse": PROCESS_READERS,
            "export": PROCESS_READERS,
        },
        unit_path="process__owner_unit",
    ),
    "workflow.step": Rule(
        actions={"view": EVERYONE, "change": PROCESS_OWNERS},
        unit_path="map__process__owner_unit",
    ),
    "workflow.transition": Rule(
        actions={"view": EVERYONE, "change": PROCESS_OWNERS},
        unit_path="map__process__owner_unit",
    ),
    # Work items: the team's managers and HR see all of a team's items; operators the items
    # assigned to them or that they raised (items may carry customer data).
    "workflow.workitem": Rule(
        actions={
            "view": WORK_READ,
            "list": WORK_READ,
            "add": {**TEAM_WRITE, OPERATOR: ALL},
            "change": {**TEAM_WRITE, OPERATOR: SELF},
            "move": {**TEAM_WRITE, OPERATOR: SELF},
            "comment": {**TEAM_WRITE, OPERATOR: SELF, AUDITOR: SELF},
            "delete": TEAM_WRITE,
            "export": STAFF_EXPORT,
            "workload": {ADMIN: ALL, HR: ALL, AUDITOR: ALL, MANAGER: SUBTREE},
        },
        unit_path="unit",
        self_path="assignee__user",
        also_self_paths=("reporter",),
    ),
    "workflow.workitemcomment": Rule(
        actions={"view": WORK_READ},
        unit_path="item__unit",
        self_path="item__assignee__user",
        also_self_paths=("item__reporter",),
    ),
    "workflow.workitemattachment": Rule(
        actions={"view": WORK_READ},
        unit_path="item__unit",
        self_path="item__assignee__user",
        also_self_paths=("item__reporter",),
    ),
    "workflow.workitemlink": Rule(
        actions={"view": WORK_READ},
        unit_path="source__unit",
        self_path="source__assignee__user",
        also_self_paths=("source__reporter",),
    ),
    # The event log names people and times: process owners and readers only.
    "workflow.eventsource": Rule(
        actions={
            "view": PROCESS_READERS,
            "add": PROCESS_OWNERS,
            "change": PROCESS_OWNERS,
            "import": PROCESS_OWNERS,
        },
        unit_path="process__owner_unit",
    ),
    "workflow.processevent": Rule(
        actions={
            "view": PROCESS_READERS,
            "add": PROCESS_OWNERS,
            "import": PROCESS_OWNERS,
            "export": PROCESS_READERS,
        },
        unit_path="process__owner_unit",
    ),
    "workflow.improvementaction": Rule(
        actions={
            "view": {**PROCESS_READERS, OPERATOR: SELF},
            "add": PROCESS_OWNERS,
            "change": {**PROCESS_OWNERS, OPERATOR: SELF},
            "export": PROCESS_READERS,
        },
        unit_path="process__owner_unit",
        self_path="owner__user",
    ),
    "workflow.automationrule": Rule(
        actions={
            "view": PROCESS_READERS,
            "add": PROCESS_OWNERS,
            "change": PROCESS_OWNERS,
            "delete": PROCESS_OWNERS,
            "run": PROCESS_OWNERS,
        },
        unit_path="process__owner_unit",
    ),
    "workflow.rulerun": Rule(
        actions={"view": PROCESS_READERS}, unit_path="rule__process__owner_unit"
    ),
    # Notifications (opsteam/collab): each person's inbox is their own.
    "collab.notification": Rule(
        actions={"view": OWN_ONLY, "change": OWN_ONLY}, self_path="recipient"
    ),
    "collab.notificationpreference": Rule(
        actions={"view": OWN_ONLY, "change": OWN_ONLY}, self_path="user"
    ),
    "collab.notificationsettings": Rule(
        actions={"view": OWN_ONLY, "change": OWN_ONLY}, self_path="user"
    ),
    # IM channels carry a team's robot: HR and administrators for any unit (and the whole
    # company), managers for their own subtree; auditors read the configuration.
    "collab.imchannel": Rule(
        actions={
            "view": {ADMIN: ALL, HR: ALL, AUDITOR: ALL, MANAGER: SUBTREE},
            "export": {ADMIN: ALL, HR: ALL, AUDITOR: ALL, MANAGER: SUBTREE},
            "add": TEAM_WRITE,
            "change": TEAM_WRITE,
            "delete": TEAM_WRITE,
        },
        unit_path="unit",
    ),
    # The delivery log: channel messages to whoever reads the channel, e-mails to their
    # recipient (and HR, administrators, auditors).
    "collab.delivery": Rule(
        actions={
            "view": {ADMIN: ALL, HR: ALL, AUDITOR: ALL, MANAGER: SUBTREE, OPERATOR: SELF},
            "retry": TEAM_WRITE,
            "export": {ADMIN: ALL, HR: ALL, AUDITOR: ALL, MANAGER: SUBTREE},
        },
        unit_path="channel__unit",
        self_path="recipient",
    ),
    "collab.sentreminder": Rule(actions={}),
    # Announcements (opsteam/collab/models_announcements.py).
    # Managing an announcement: HR and administrators any, managers those scoped inside their
    # subtree (and their own), auditors read them all. Readers reach the announcements
    # addressed to them through their receipts (collab.selectors_announcements), never here.
    # Statistics: the managers' names of who has not acknowledged only through "export".
    "collab.announcement": Rule(
        actions={
            "view": {ADMIN: ALL, HR: ALL, AUDITOR: ALL, MANAGER: SUBTREE},
            "add": TEAM_WRITE,
            "change": TEAM_WRITE,
            "delete": TEAM_WRITE,
            "publish": TEAM_WRITE,
            "archive": TEAM_WRITE,
            "remind": TEAM_WRITE,
            "stats": {ADMIN: ALL, HR: ALL, AUDITOR: ALL, MANAGER: SUBTREE},
            "export": TEAM_WRITE,
        },
        unit_path="unit",
        self_path="author",
    ),
    # Read receipts: each person their own; names of readers to HR, administrators and the
    # managers of the reader's team (subtree), not to auditors (they see the aggregates).
    "collab.announcementreceipt": Rule(
        actions={
            "view": {ADMIN: ALL, HR: ALL, MANAGER: SUBTREE, OPERATOR: SELF, AUDITOR: SELF},
            "export": TEAM_WRITE,
            "acknowledge": OWN_ONLY,
        },
        unit_path="unit",
        self_path="user",
    ),
    # The knowledge base (opsteam/collab/models_knowledge.py).
    # "view" is everyone's here; selectors_knowledge applies the data rule on top: published
    # documents to those they are visible to (company-wide, or the owning unit's subtree),
    # drafts and archived ones to their editors (HR, administrators, the unit's managers),
    # their author and auditors. Editing: HR/admin everywhere, managers in their subtree
    # (company-wide documents: HR/admin), authors only while their document is a draft
    # (the service checks the status). Operators propose: they create drafts for their own
    # unit (SELF "add", checked by the service); publishing is for the unit's editors.
    "collab.document": Rule(
        actions={
            "view": EVERYONE,
            "add": {**TEAM_WRITE, OPERATOR: SELF},
            "change": {**TEAM_WRITE, OPERATOR: SELF},
            "publish": TEAM_WRITE,
            "delete": TEAM_WRITE,
        },
        unit_path="unit",
        self_path="author",
    ),
    "collab.documentversion": Rule(actions={"view": EVERYONE}, unit_path="document__unit"),
    "collab.documentattachment": Rule(actions={"view": EVERYONE}, unit_path="document__unit"),
    # Meetings, action items and the idea board (opsteam/collab/models_meetings.py).
    # A meeting: its organiser and participants, the managers of a team meeting's unit, HR and
    # administrators; auditors read. Participants "participate" (agenda, ideas, votes); only
    # the organiser, the unit's managers, HR and administrators "change" it (minutes,
    # attendance, order). Anyone but auditors schedules; a team meeting needs its unit in scope.
    "collab.meetingseries": Rule(
        actions={
            "view": MEETING_READ,
            "add": MEETING_ADD,
            "change": MEETING_MANAGE,
        },
        unit_path="unit",
        self_path="organiser",
        also_self_paths=("participants",),
        self_paths_for={"change": ("organiser",)},
    ),
    "collab.meeting": Rule(
        actions={
            "view": MEETING_READ,
            "add": MEETING_ADD,
            "change": MEETING_MANAGE,
            "participate": OWN_ONLY,
            "export": MEETING_READ,
        },
        unit_path="unit",
        self_path="organiser",
        also_self_paths=("participants__user",),
        self_paths_for={"change": ("organiser",), "participate": ("participants__user",)},
    ),
    **{
        f"collab.{name}": Rule(
            actions={"view": MEETING_READ},
            unit_path="meeting__unit",
            self_path="meeting__organiser",
            also_self_paths=("meeting__participants__user",),
        )
        for name in ("meetingparticipant", "meetingagendaitem", "decision", "ideagroup", "idea")
    },
    # Votes are counted on the board; who voted for what is each voter's own.
    "collab.ideavote": Rule(actions={"view": OWN_ONLY}, self_path="voter"),
    # Action items: like their meeting, plus their owner, who updates their status.
    "collab.meetingactionitem": Rule(
        actions={
            "view": MEETING_READ,
            "update_status": {**MEETING_MANAGE, AUDITOR: SELF},
            "change": MEETING_MANAGE,
            "export": MEETING_READ,
        },
        unit_path="meeting__unit",
        self_path="owner",
        also_self_paths=("meeting__organiser", "meeting__participants__user"),
        self_paths_for={
            "update_status": ("owner", "meeting__organiser"),
            "change": ("meeting__organiser",),
        },
    ),
    # Work reports and wellbeing check-ins (opsteam/collab/models_reports.py).
    # Report templates: everyone reads them (to write a report); HR and administrators keep
    # the company default and any team's, managers their subtree's.
    "collab.reporttemplate": Rule(
        actions={"view": EVERYONE, "add": TEAM_WRITE, "change": TEAM_WRITE, "delete": TEAM_WRITE},
        unit_path="unit",
    ),
    # Reports are private to the management line: the author, the managers of their subtree,
    # HR and administrators; auditors read. Peers never see each other's reports.
    "collab.workreport": Rule(
        actions={
            "view": STAFF_READ,
            "add": OWN_ONLY,
            "change": OWN_ONLY,
            "submit": OWN_ONLY,
            "comment": {ADMIN: ALL, HR: ALL, MANAGER: SUBTREE, OPERATOR: SELF, AUDITOR: SELF},
            "mark_read": TEAM_WRITE,
            "digest": {ADMIN: ALL, HR: ALL, AUDITOR: ALL, MANAGER: SUBTREE},
            "export": STAFF_EXPORT,
        },
        unit_path="staff__unit",
        self_path="staff__user",
    ),
    "collab.reportcomment": Rule(
        actions={"view": STAFF_READ},
        unit_path="report__staff__unit",
        self_path="report__staff__user",
    ),
    # Wellbeing check-ins: the person and their direct manager (recorded on the check-in) only;
    # no role reads beyond that, not HR, administrators, auditors or skip-level managers.
    # "aggregate" is only ever asked per unit (can_for_unit) by the wellbeing selectors, which
    # release a team's figures at or above the anonymity threshold; it never scopes rows.
    "collab.wellbeingcheckin": Rule(
        actions={
            "view": OWN_ONLY,
            "add": OWN_ONLY,
            "aggregate": {ADMIN: ALL, HR: ALL, MANAGER: SUBTREE},
        },
        unit_path="unit",
        self_path="staff__user",
        also_self_paths=("manager__user",),
    ),
    # The suggestion box (opsteam/collab/models_suggestions.py).
    # Everyone reads every suggestion and its history; everyone but auditors submits, votes,
    # comments and follows; HR and administrators handle any, managers those addressed to
    # their subtree (an unaddressed one is HR's). No self path: a manager's own suggestion is
    # handled like anyone else's.
    "collab.suggestion": Rule(
        actions={
            "view": EVERYONE,
            "export": EVERYONE,
            "add": {ADMIN: ALL, HR: ALL, MANAGER: ALL, OPERATOR: ALL},
            "vote": {ADMIN: ALL, HR: ALL, MANAGER: ALL, OPERATOR: ALL},
            "comment": {ADMIN: ALL, HR: ALL, MANAGER: ALL, OPERATOR: ALL},
            "follow": {ADMIN: ALL, HR: ALL, MANAGER: ALL, OPERATOR: ALL},
            "handle": TEAM_WRITE,
        },
        unit_path="unit",
    ),
    "collab.suggestioncomment": Rule(actions={"view": EVERYONE}, unit_path="suggestion__unit"),
    "collab.suggestionevent": Rule(actions={"view": EVERYONE}, unit_path="suggestion__unit"),
    # Who voted is never shown to anyone; people see their own votes and follows only.
    "collab.suggestionvote": Rule(actions={"view": OWN_ONLY}, self_path="user"),
    "collab.suggestionfollower": Rule(actions={"view": OWN_ONLY}, self_path="user"),
    # Pulse surveys (opsteam/surveys).
    # Pulse surveys (opsteam/surveys/models_pulse.py): HR and administrators run them; everyone
    # sees surveys that are not drafts (surveys.selectors_pulse hides drafts); results are read
    # only through selectors_pulse (managers their subtree, operators company figures when
    # shared, all only at the minimum group size). Responses and answers: no role lists them.
    "surveys.pulsequestion": Rule(
        actions={
            "view": {ADMIN: ALL, HR: ALL, AUDITOR: ALL, MANAGER: ALL},
            "add": EDITORS,
            "change": EDITORS,
        }
    ),
    "surveys.pulsesurvey": Rule(
        actions={
            "view": EVERYONE,
            "add": EDITORS,
            "change": EDITORS,
            "results": EVERYONE,
            "export": {ADMIN: ALL, HR: ALL, AUDITOR: ALL, MANAGER: ALL},
        }
    ),
    "surveys.pulsesurveyquestion": Rule(actions={"view": EVERYONE}),
    "surveys.pulsewave": Rule(actions={"view": EVERYONE, "change": EDITORS}),
    "surveys.pulseparticipation": Rule(
        actions={"view": OWN_ONLY, "respond": OWN_ONLY}, self_path="staff__user"
    ),
    "surveys.pulseresponse": Rule(actions={}),
    "surveys.pulseanswer": Rule(actions={}),
    # The periodic system review (opsteam/insights).
    # Org-wide figures: HR, administrators and auditors read every review, managers read it
    # too (the fairness section only with the fairness review's "report" grant, see
    # insights.selectors); HR and administrators run it (directors too: insights.selectors
    # .can_steer, a manager granted on a company or department unit).
    "insights.systemreview": Rule(
        actions={
            "view": {ADMIN: ALL, HR: ALL, AUDITOR: ALL, MANAGER: ALL},
            "add": EDITORS,
            "change": EDITORS,
            "export": {ADMIN: ALL, HR: ALL, AUDITOR: ALL, MANAGER: ALL},
        }
    ),
}


# Field policy: fields that only some roles may see on rows they can otherwise read. Serializers,
# exports and templates ask ``hidden_fields`` and drop what it names.
SENSITIVE_SELF = {ADMIN: ALL, HR: ALL, MANAGER: SELF, OPERATOR: SELF, AUDITOR: SELF}
FIELD_RULES: dict[str, dict[str, Mapping[Role, Scope]]] = {
    "org.staff": {"id_number": SENSITIVE_SELF, "bank_account": SENSITIVE_SELF},
}


# Values the audit trail records only as fingerprints ("changed", never the amount), because
# auditors and HR read the trail: pay is visible only where the row itself is.
AUDIT_MASKED_FIELDS: dict[str, set[str]] = {
    "org.compensation": {"base_salary"},
    "performance.privatenote": {"body"},  # the author's alone, not even HR reads it
    # Coaching content is visible to the people concerned, their managers and HR; auditors
    # read the trail org-wide, so it records that the text changed, never the text.
    "performance.oneononemeeting": {"shared_notes"},
    "performance.agendaitem": {"text"},
    "performance.actionitem": {"text"},
    "performance.improvementplan": {
        "summary",
        "support_training",
        "support_other",
        "outcome_comment",
    },
    "performance.plangoal": {"description", "measure"},
    "performance.plancheckin": {"notes"},
}


# Personal-data exports (PIPL) gather every row that references a person. References that name
# someone only in a supporting role are not that person's data (a mentor named on somebody
# else's improvement plan), and author-only rows go only to a user who may read them (a
# person's private 1:1 notes are in their own export, never in one HR makes for them).
PERSONAL_EXPORT_SKIPPED: set[str] = {
    "performance.improvementplan.manager",
    "performance.improvementplan.hr_owner",
    "performance.improvementplan.mentor",
    "careers.developmentplan.owner",
    "careers.developmentaction.mentor",
}
PERSONAL_EXPORT_SCOPED: set[str] = {"performance.privatenote"}
# Reference label -> function(rows) -> rows that blanks values the person may not see yet
# (registered by apps in ``ready()``; e.g. a review's grade before publication).
PERSONAL_EXPORT_REDACTIONS: dict[str, Any] = {}


def hidden_fields(user: Any, obj: Model | type[Model]) -> set[str]:
    """Return the sensitive fields of ``obj`` (or of any row, given a class) ``user`` may not see."""
    rules = FIELD_RULES.get(obj._meta.label_lower, {})
    if not rules:
        return set()
    roles = user_roles(user)
    hidden = set()
    for name, allowed in rules.items():
        scopes = {allowed[role] for role in roles if role in allowed}
        if ALL in scopes:
            continue
        if SELF in scopes and not isinstance(obj, type):
            rule = rule_for(obj)
            if any(
                _leads_to(obj, path, user) for path in (rule.self_path or "", *rule.also_self_paths)
            ):
                continue
        hidden.add(name)
    return hidden


def _leads_to(obj: Model, path: str, user: Any) -> bool:
    """Whether following the ``self_path``-style ``path`` from ``obj`` arrives at ``user``."""
    owner: Any = obj
    for part in path.split("__"):
        owner = getattr(owner, part + "_id" if part == "user" else part, None)
        if owner is None:
            return False
    return owner == user.pk or getattr(owner, "pk", None) == user.pk


def rule_for(model: type[Model] | Model) -> Rule:
    """Return the declared rule of ``model``; an undeclared model is a programming error."""
    label = model._meta.label_lower
    try:
        return RULES[label]
    except KeyError as exc:
        raise LookupError(f"No policy rule declared for {label}") from exc


def _join(path: str, lookup: str) -> str:
    return f"{path}__{lookup}" if path else lookup


def user_roles(user: Any) -> dict[Role, list[str]]:
    """Return the user's roles, each with the org-unit paths it is scoped to (managers).

    Cached on the user object for the request; superusers are administrators.
    """
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return {}
    cached = getattr(user, "_opsteam_roles", None)
    if cached is not None:
        return cached
    from opsteam.org import selectors as org_selectors  # the one allowed core -> domain edge

    roles = org_selectors.role_scopes_for_user(user=user)
    if user.is_superuser:
        roles.setdefault(Role.ADMIN, [])
    user._opsteam_roles = roles
    return roles


def _self_paths(rule: Rule, action: str) -> tuple[str, ...]:
    if action in rule.self_paths_for:
        return rule.self_paths_for[action]
    return (*((rule.self_path,) if rule.self_path is not None else ()), *rule.also_self_paths)


def _owned(model: type[Model], path: str, user: Any) -> Q:
    """``path`` leads to ``user``; across a many-valued relation as a subquery (no duplicates)."""
    lookup = {_join(path, "pk"): user.pk}
    current: Any = model
    for part in path.split("__") if path else ():
        relation = current._meta.get_field(part)
        if relation.many_to_many or relation.one_to_many:
            return Q(pk__in=model._base_manager.filter(**lookup).values("pk"))
        current = relation.related_model
    return Q(**lookup)


def _scope_filter(
    rule: Rule,
    scope: Scope,
    user: Any,
    unit_paths: list[str],
    model: type[Model],
    action: str = "view",
) -> Q | None:
    """Return the Q for one role's scope, None for 'everything', Q(pk__in=[]) for nothing."""
    if scope is ALL:
        return None
    nothing = Q(pk__in=[])
    own = nothing
    for path in _self_paths(rule, action):
        own |= _owned(model, path, user)
    if scope is SELF:
        return own
    if rule.unit_path is None or not unit_paths:
        return own
    # The units of the subtrees as a subquery (``unit_id IN (SELECT id ... path LIKE ...)``),
    # not a join on the unit's path: PostgreSQL then checks a hashed id list per row before
    # anything costlier (a search over 10,000 people ran its LIKEs on every row first).
    unit_model = model
    for part in rule.unit_path.split("__") if rule.unit_path else ():
        unit_model = unit_model._meta.get_field(part).related_model
    subtree = Q()
    for path in unit_paths:
        subtree |= Q(path__startswith=path)
    units = unit_model._base_manager.filter(subtree).values("pk")
    return Q(**{_join(rule.unit_path, "in") if rule.unit_path else "pk__in": units}) | own


def restrict(queryset: QuerySet, user: Any, action: str = "view") -> QuerySet:
    """Return ``queryset`` limited to the rows ``user`` may perform ``action`` on."""
    rule = rule_for(queryset.model)
    allowed = rule.actions.get(action, {})
    combined: Q | None = None
    granted = False
    for role, unit_paths in user_roles(user).items():
        scope = allowed.get(role)
        if scope is None:
            continue
        granted = True
        condition = _scope_filter(rule, scope, user, unit_paths, queryset.model, action)
        if condition is None:
            return queryset
        combined = condition if combined is None else combined | condition
    if not granted or combined is None:
        return queryset.none()
    return queryset.filter(combined)


def can(user: Any, action: str, target: Model | type[Model]) -> bool:
    """Return whether ``user`` may ``action`` the object (or any row, given a model class)."""
    if isinstance(target, type):
        rule = rule_for(target)
        allowed = rule.actions.get(action, {})
        return any(role in allowed for role in user_roles(user))
    if target.pk is None:
        return can(user, action, type(target))
    manager = type(target)._base_manager
    return restrict(manager.filter(pk=target.pk), user, action).exists()


def require(user: Any, action: str, target: Model | type[Model]) -> None:
    """Raise unless ``user`` may ``action`` the target.

    Objects the user may not even view raise ``NotVisible`` (answered 404, so their existence
    does not leak); visible objects raise ``PolicyDenied`` (403).
    """
    if isinstance(target, type) or target.pk is None:
        if not can(user, action, target):
            raise PolicyDenied()
        return
    if can(user, action, target):
        return
    if action == "view" or not can(user, "view", target):
        raise NotVisible()
    raise PolicyDenied()


def can_for_person(user: Any, action: str, model: type[Model], staff: Any) -> bool:
    """Whether ``user`` may ``action`` a new ``model`` row concerning ``staff`` (not yet saved).

    Decided on the person's unit and login only: naming oneself on the row must not widen it.
    """
    allowed = rule_for(model).actions.get(action, {})
    for role, paths in user_roles(user).items():
        scope = allowed.get(role)
        if scope is ALL:
            return True
        if scope is SELF and staff.user_id is not None and staff.user_id == user.pk:
            return True
        if scope is SUBTREE and (
            (staff.user_id is not None and staff.user_id == user.pk)
            or any(staff.unit.path.startswith(path) for path in paths)
        ):
            return True
    return False


def require_for_person(user: Any, action: str, model: type[Model], staff: Any) -> None:
    """Raise unless ``user`` may ``action`` a new ``model`` row concerning ``staff``:
    ``NotVisible`` when the person is outside what the user sees, else ``PolicyDenied``."""
    if can_for_person(user, action, model, staff):
        return
    if not can(user, "view", staff):
        raise NotVisible()
    raise PolicyDenied()


def can_for_unit(user: Any, action: str, model: type[Model], unit: Any | None) -> bool:
    """Whether ``user`` may ``action`` a new ``model`` row belonging to ``unit`` (None: the
    whole organisation, which only roles with ``ALL`` scope may touch)."""
    allowed = rule_for(model).actions.get(action, {})
    for role, paths in user_roles(user).items():
        scope = allowed.get(role)
        if scope is ALL:
            return True
        if scope is SUBTREE and unit is not None and any(unit.path.startswith(p) for p in paths):
            return True
    return False


def require_for_unit(user: Any, action: str, model: type[Model], unit: Any | None) -> None:
    """Raise ``PolicyDenied`` unless ``user`` may ``action`` a new ``model`` row of ``unit``."""
    if not can_for_unit(user, action, model, unit):
        raise PolicyDenied()


def scoped_get(queryset: QuerySet, user: Any, action: str = "view", **lookup: Any) -> Model:
    """Fetch one row the user may see, then check ``action`` on it (404 before 403)."""
    try:
        obj = restrict(queryset, user, "view").get(**lookup)
    except queryset.model.DoesNotExist as exc:
        raise NotVisible() from exc
    if action != "view":
        require(user, action, obj)
    return obj
