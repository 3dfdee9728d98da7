"""UI pages of the appraisal domain: KPI library, templates, measurements, cycles, 1:1s, plans."""

from django.urls import path

app_name = "performance"

urlpatterns: list = []

from opsteam.performance import views as kpi_views  # noqa: E402  (KPI library, templates, data)

urlpatterns += [
    path("kpis/", kpi_views.KpiListView.as_view(), name="kpi_list"),
    path("kpis/new/", kpi_views.KpiCreateView.as_view(), name="kpi_create"),
    path("kpis/<int:pk>/", kpi_views.KpiDetailView.as_view(), name="kpi_detail"),
    path("kpis/<int:pk>/edit/", kpi_views.KpiUpdateView.as_view(), name="kpi_update"),
    path("kpi-templates/", kpi_views.KpiTemplateListView.as_view(), name="kpitemplate_list"),
    path("kpi-templates/new/", kpi_views.KpiTemplateEditView.as_view(), name="kpitemplate_create"),
    path(
        "kpi-templates/<int:pk>/",
        kpi_views.KpiTemplateDetailView.as_view(),
        name="kpitemplate_detail",
    ),
    path(
        "kpi-templates/<int:pk>/edit/",
        kpi_views.KpiTemplateEditView.as_view(),
        name="kpitemplate_edit",
    ),
    path(
        "kpi-templates/<int:pk>/activate/",
        kpi_views.KpiTemplateActivateView.as_view(),
        name="kpitemplate_activate",
    ),
    path("measurements/", kpi_views.MeasurementListView.as_view(), name="measurement_list"),
    path(
        "measurements/new/",
        kpi_views.MeasurementCreateView.as_view(),
        name="measurement_create",
    ),
]

from opsteam.performance.urls_cycles import urlpatterns as cycle_urlpatterns  # noqa: E402

urlpatterns += cycle_urlpatterns

from opsteam.performance import views_coaching as coaching  # noqa: E402  (1:1s and plans)

urlpatterns += [
    path("coaching/", coaching.CoachingHomeView.as_view(), name="coaching_home"),
    path("one-on-ones/", coaching.OneOnOneListView.as_view(), name="oneonone_list"),
    path("one-on-ones/new/", coaching.OneOnOneCreateView.as_view(), name="oneonone_create"),
    path("one-on-ones/<int:pk>/", coaching.OneOnOneDetailView.as_view(), name="oneonone_detail"),
    path(
        "one-on-ones/<int:pk>/cadence/",
        coaching.OneOnOneUpdateView.as_view(),
        name="oneonone_update",
    ),
    path(
        "one-on-ones/<int:pk>/meetings/",
        coaching.MeetingCreateView.as_view(),
        name="meeting_create",
    ),
    path("meetings/<int:pk>/", coaching.MeetingDetailView.as_view(), name="meeting_detail"),
    path("meetings/<int:pk>/notes/", coaching.MeetingNotesView.as_view(), name="meeting_notes"),
    path(
        "meetings/<int:pk>/private-note/",
        coaching.MeetingPrivateNoteView.as_view(),
        name="meeting_private_note",
    ),
    path("meetings/<int:pk>/agenda/", coaching.AgendaItemAddView.as_view(), name="agendaitem_add"),
    path("meetings/<int:pk>/actions/", coaching.ActionItemAddView.as_view(), name="actionitem_add"),
    path(
        "actions/<int:pk>/status/",
        coaching.ActionItemStatusView.as_view(),
        name="actionitem_status",
    ),
    path("plans/", coaching.PlanListView.as_view(), name="plan_list"),
    path("plans/new/", coaching.PlanCreateView.as_view(), name="plan_create"),
    path("plans/<int:pk>/", coaching.PlanDetailView.as_view(), name="plan_detail"),
    path("plans/<int:pk>/edit/", coaching.PlanUpdateView.as_view(), name="plan_update"),
    path("plans/<int:pk>/goals/", coaching.PlanGoalAddView.as_view(), name="plangoal_add"),
    path(
        "plan-goals/<int:pk>/status/",
        coaching.PlanGoalStatusView.as_view(),
        name="plangoal_status",
    ),
    path(
        "plans/<int:pk>/check-ins/",
        coaching.PlanCheckInAddView.as_view(),
        name="plancheckin_add",
    ),
    path(
        "plan-check-ins/<int:pk>/",
        coaching.PlanCheckInRecordView.as_view(),
        name="plancheckin_record",
    ),
    path("plans/<int:pk>/start/", coaching.PlanActivateView.as_view(), name="plan_activate"),
    path("plans/<int:pk>/close/", coaching.PlanCloseView.as_view(), name="plan_close"),
]
