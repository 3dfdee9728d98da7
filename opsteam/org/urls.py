from django.urls import path

from opsteam.org import views

app_name = "org"

urlpatterns = [
    path("chart/", views.OrgChartView.as_view(), name="orgchart"),
    path("units/", views.OrgUnitListView.as_view(), name="orgunit_list"),
    path("units/new/", views.OrgUnitCreateView.as_view(), name="orgunit_create"),
    path("units/<int:pk>/", views.OrgUnitDetailView.as_view(), name="orgunit_detail"),
    path("units/<int:pk>/edit/", views.OrgUnitUpdateView.as_view(), name="orgunit_update"),
    path("staff/", views.StaffListView.as_view(), name="staff_list"),
    path("staff/new/", views.StaffCreateView.as_view(), name="staff_create"),
    path("staff/pick/", views.StaffPickView.as_view(), name="staff_pick"),
    path("staff/<int:pk>/", views.StaffDetailView.as_view(), name="staff_detail"),
    path("staff/<int:pk>/edit/", views.StaffUpdateView.as_view(), name="staff_update"),
    path("staff/<int:pk>/reassign/", views.StaffReassignView.as_view(), name="staff_reassign"),
    path(
        "staff/<int:pk>/personal-data/",
        views.PersonalDataExportView.as_view(),
        name="staff_personal_data",
    ),
    path("staff/<int:pk>/erase/", views.StaffPurgeView.as_view(), name="staff_purge"),
    path(
        "staff/<int:pk>/compensation/", views.CompensationAddView.as_view(), name="compensation_add"
    ),
    path("positions/", views.PositionListView.as_view(), name="position_list"),
    path("positions/new/", views.PositionCreateView.as_view(), name="position_create"),
    path("positions/<int:pk>/", views.PositionDetailView.as_view(), name="position_detail"),
    path("positions/<int:pk>/edit/", views.PositionUpdateView.as_view(), name="position_update"),
    path(
        "positions/<int:pk>/new-draft/",
        views.JobDescriptionStartDraftView.as_view(),
        name="jobdescription_start_draft",
    ),
    path("job-descriptions/", views.JobDescriptionListView.as_view(), name="jobdescription_list"),
    path(
        "job-descriptions/<int:pk>/",
        views.JobDescriptionDetailView.as_view(),
        name="jobdescription_detail",
    ),
    path(
        "job-descriptions/<int:pk>/edit/",
        views.JobDescriptionEditView.as_view(),
        name="jobdescription_edit",
    ),
    path(
        "job-descriptions/<int:pk>/publish/",
        views.JobDescriptionPublishView.as_view(),
        name="jobdescription_publish",
    ),
    path(
        "job-descriptions/<int:pk>/diff/",
        views.JobDescriptionDiffView.as_view(),
        name="jobdescription_diff",
    ),
    path(
        "job-descriptions/<int:pk>/docx/",
        views.JobDescriptionExportView.as_view(),
        name="jobdescription_docx",
    ),
    path("raci/", views.RaciMatrixView.as_view(), name="raci_matrix"),
    path(
        "raci/<int:activity_pk>/<int:position_pk>/", views.RaciCellView.as_view(), name="raci_cell"
    ),
    path("raci/analysis/", views.RaciAnalysisView.as_view(), name="raci_analysis"),
    path("who-does-what/", views.WhoDoesWhatView.as_view(), name="who_does_what"),
]
