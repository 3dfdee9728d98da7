"""The navigation menu, by domain area; each entry is shown only to roles that may use it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from opsteam.core import policy


@dataclass(frozen=True)
class NavItem:
    label: Any
    url_name: str
    model: str  # "app_label.Model" whose `action` permission shows the entry
    action: str = "view"


@dataclass(frozen=True)
class NavArea:
    label: Any
    icon: str
    items: tuple[NavItem, ...]


AREAS: tuple[NavArea, ...] = (
    NavArea(
        _("Organisation"),
        "org",
        (
            NavItem(_("Org chart"), "org:orgchart", "org.OrgUnit"),
            NavItem(_("Departments and teams"), "org:orgunit_list", "org.OrgUnit"),
            NavItem(_("Staff"), "org:staff_list", "org.Staff", action="list"),
        ),
    ),
    NavArea(
        _("Roles and responsibilities"),
        "roles",
        (
            NavItem(_("Positions"), "org:position_list", "org.Position"),
            NavItem(_("Job descriptions"), "org:jobdescription_list", "org.JobDescription"),
            NavItem(_("RACI matrix"), "org:raci_matrix", "org.RaciAssignment"),
            NavItem(_("RACI analysis"), "org:raci_analysis", "org.RaciAssignment"),
            NavItem(_("Who does what"), "org:who_does_what", "org.Activity"),
        ),
    ),
    NavArea(
        _("Feedback"),
        "feedback",
        (
            NavItem(
                _("My feedback to give"),
                "surveys:invitation_list",
                "surveys.Invitation",
                action="answer",
            ),
            NavItem(_("Feedback campaigns"), "surveys:campaign_list", "surveys.Campaign"),
            NavItem(_("Questionnaires"), "surveys:questionnaire_list", "surveys.Questionnaire"),
        ),
    ),
    NavArea(
        _("Performance"),
        "performance",
        (
            NavItem(_("My reviews"), "performance:my_reviews", "performance.ReviewCycle"),
            NavItem(_("My 1:1s"), "performance:coaching_home", "performance.OneOnOne"),
            NavItem(_("Improvement plans"), "performance:plan_list", "performance.ImprovementPlan"),
            NavItem(_("Review cycles"), "performance:cycle_list", "performance.ReviewCycle"),
            NavItem(_("KPI library"), "performance:kpi_list", "performance.Kpi"),
            NavItem(_("KPI templates"), "performance:kpitemplate_list", "performance.KpiTemplate"),
            NavItem(
                _("KPI measurements"), "performance:measurement_list", "performance.Measurement"
            ),
            NavItem(
                _("Appraisal dashboard"), "performance:dashboard", "performance.Review", "list"
            ),
        ),
    ),
    NavArea(
        _("Training"),
        "training",
        (
            NavItem(_("My learning"), "training:my_learning", "training.Course"),
            NavItem(_("Course catalogue"), "training:course_list", "training.Course"),
            NavItem(_("Sessions"), "training:session_list", "training.Session"),
            NavItem(_("Self-learning"), "training:selflearning_list", "training.SelfLearning"),
            NavItem(_("Certificates"), "training:certificate_list", "training.Certificate"),
            NavItem(_("My team's learning"), "training:team", "training.Enrolment", "list"),
            NavItem(_("Training plans"), "training:plan_list", "training.TrainingPlan"),
            NavItem(_("Exams"), "training:exam_list", "training.Exam"),
            NavItem(_("Grading"), "training:grading_queue", "training.Exam", "grade"),
            NavItem(_("Training overview"), "training:overview", "training.Course", "report"),
        ),
    ),
    NavArea(
        _("Career development"),
        "careers",
        (
            NavItem(_("My growth"), "careers:my_growth", "careers.CareerTrack"),
            NavItem(_("Development plans"), "careers:plan_list", "careers.DevelopmentPlan"),
            NavItem(_("Team readiness"), "careers:team_readiness", "org.Staff", "list"),
            NavItem(_("Promotion rounds"), "careers:round_list", "careers.PromotionRound"),
            NavItem(_("My committee reviews"), "careers:committee", "careers.CommitteeReview"),
            NavItem(_("Career ladders"), "careers:track_list", "careers.CareerTrack"),
            NavItem(_("Job levels"), "careers:level_list", "org.JobLevel"),
            NavItem(_("Competency framework"), "careers:competency_list", "org.Skill"),
        ),
    ),
    NavArea(
        _("Incentives"),
        "incentives",
        (
            NavItem(_("My rewards"), "incentives:my_rewards", "incentives.RewardEntry"),
            NavItem(_("Bonus pools"), "incentives:pool_list", "incentives.BonusPool"),
            NavItem(_("Bonus policies"), "incentives:policy_list", "incentives.BonusPolicy"),
            NavItem(
                _("Reward ledger"), "incentives:reward_list", "incentives.RewardEntry", "export"
            ),
            NavItem(_("Recognition"), "incentives:recognition", "incentives.Kudos"),
            NavItem(_("Badges"), "incentives:badge_list", "incentives.Badge"),
            NavItem(
                _("Team commendations"),
                "incentives:commendation_list",
                "incentives.TeamCommendation",
            ),
            NavItem(_("Company values"), "incentives:value_list", "incentives.CompanyValue"),
            NavItem(_("Fairness review"), "incentives:fairness", "incentives.BonusPool", "report"),
        ),
    ),
    NavArea(
        _("Workflow"),
        "workflow",
        (
            NavItem(_("My work"), "workflow:my_work", "workflow.WorkItem", "add"),
            NavItem(_("Processes"), "workflow:process_list", "workflow.ProcessMap"),
            NavItem(_("Work items"), "workflow:item_list", "workflow.WorkItem", "list"),
            NavItem(_("Team workload"), "workflow:workload", "workflow.WorkItem", "workload"),
            NavItem(_("Improvement actions"), "workflow:action_list", "workflow.ImprovementAction"),
            NavItem(_("Automation rules"), "workflow:rule_list", "workflow.AutomationRule"),
        ),
    ),
    NavArea(
        _("Communication"),
        "collab",
        (
            NavItem(_("Notifications"), "collab:inbox", "collab.Notification"),
            NavItem(
                _("Notification preferences"), "collab:preferences", "collab.NotificationPreference"
            ),
            NavItem(_("IM channels"), "collab:channel_list", "collab.ImChannel"),
            NavItem(_("Delivery log"), "collab:delivery_list", "collab.Delivery"),
            # announcements
            NavItem(_("Announcements"), "collab:announcement_list", "collab.AnnouncementReceipt"),
            NavItem(_("Manage announcements"), "collab:announcement_manage", "collab.Announcement"),
            # knowledge base
            NavItem(_("Knowledge base"), "collab:document_list", "collab.Document"),
            # meetings
            NavItem(
                pgettext_lazy("group meetings", "Meetings"), "collab:meeting_list", "collab.Meeting"
            ),
            NavItem(_("My action items"), "collab:my_action_items", "collab.MeetingActionItem"),
            # work reports and wellbeing
            NavItem(_("Work reports"), "collab:report_list", "collab.WorkReport"),
            NavItem(_("Team digest"), "collab:report_digest", "collab.WorkReport", "digest"),
            NavItem(
                _("Report templates"),
                "collab:reporttemplate_list",
                "collab.ReportTemplate",
                "change",
            ),
            NavItem(
                _("Wellbeing check-in"),
                "collab:wellbeing_checkin",
                "collab.WellbeingCheckIn",
                "add",
            ),
            NavItem(
                _("Team wellbeing"),
                "collab:wellbeing_aggregates",
                "collab.WellbeingCheckIn",
                "aggregate",
            ),
            # suggestions
            NavItem(_("Suggestion box"), "collab:suggestion_list", "collab.Suggestion"),
            # pulse surveys
            NavItem(_("Pulse surveys"), "surveys:pulse_list", "surveys.PulseSurvey"),
            NavItem(_("Pulse question library"), "surveys:pulse_library", "surveys.PulseQuestion"),
            # system review
            NavItem(_("System reviews"), "insights:review_list", "insights.SystemReview"),
        ),
    ),
    NavArea(
        _("Data"),
        "data",
        (
            NavItem(_("Imports"), "core:import_list", "core.ImportJob"),
            NavItem(_("Audit trail"), "core:audit_list", "core.AuditEntry"),
        ),
    ),
    NavArea(
        _("Administration"),
        "admin",
        (NavItem(_("Users and roles"), "accounts:user_list", "accounts.User"),),
    ),
)


def menu_for(user: Any, current_path: str = "") -> list[dict[str, Any]]:
    """Return the areas and entries ``user`` may open, marking the active one."""
    menu = []
    for area in AREAS:
        items = []
        for item in area.items:
            model = apps.get_model(item.model)
            if not policy.can(user, item.action, model):
                continue
            url = reverse(item.url_name)
            items.append({"label": item.label, "url": url, "active": current_path.startswith(url)})
        if items:
            menu.append(
                {
                    "label": area.label,
                    "icon": area.icon,
                    "items": items,
                    "active": any(entry["active"] for entry in items),
                }
            )
    return menu
