"""Pages of collab: work reports and wellbeing check-ins (included by collab/urls.py under the
"collab" namespace)."""

from django.urls import path

from opsteam.collab import views_reports as reports
from opsteam.collab import views_wellbeing as wellbeing

urlpatterns: list = [
    path("reports/", reports.ReportListView.as_view(), name="report_list"),
    path("reports/write/", reports.ReportWriteView.as_view(), name="report_write"),
    path("reports/digest/", reports.DigestView.as_view(), name="report_digest"),
    path("reports/<int:pk>/", reports.ReportDetailView.as_view(), name="report_detail"),
    path("reports/<int:pk>/submit/", reports.ReportSubmitView.as_view(), name="report_submit"),
    path("reports/<int:pk>/read/", reports.ReportMarkReadView.as_view(), name="report_mark_read"),
    path("reports/<int:pk>/comment/", reports.ReportCommentView.as_view(), name="report_comment"),
    path("reports/templates/", reports.TemplateListView.as_view(), name="reporttemplate_list"),
    path(
        "reports/templates/new/",
        reports.TemplateCreateView.as_view(),
        name="reporttemplate_create",
    ),
    path(
        "reports/templates/<int:pk>/edit/",
        reports.TemplateEditView.as_view(),
        name="reporttemplate_edit",
    ),
    path(
        "reports/templates/<int:pk>/delete/",
        reports.TemplateDeleteView.as_view(),
        name="reporttemplate_delete",
    ),
    path("wellbeing/", wellbeing.CheckInView.as_view(), name="wellbeing_checkin"),
    path("wellbeing/team/", wellbeing.TeamView.as_view(), name="wellbeing_team"),
    path(
        "wellbeing/people/<int:staff_pk>/", wellbeing.PersonView.as_view(), name="wellbeing_person"
    ),
    path("wellbeing/aggregates/", wellbeing.AggregatesView.as_view(), name="wellbeing_aggregates"),
]
