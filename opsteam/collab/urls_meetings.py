"""Pages of collab: meetings (included by collab/urls.py under the "collab" namespace)."""

from django.urls import path

from opsteam.collab import views_meetings as views

urlpatterns: list = [
    path("meetings/", views.MeetingListView.as_view(), name="meeting_list"),
    path("meetings/new/", views.MeetingCreateView.as_view(), name="meeting_create"),
    path("meetings/my-actions/", views.MyActionItemsView.as_view(), name="my_action_items"),
    path("meetings/<int:pk>/", views.MeetingDetailView.as_view(), name="meeting_detail"),
    path("meetings/<int:pk>/edit/", views.MeetingEditView.as_view(), name="meeting_edit"),
    path("meetings/<int:pk>/cancel/", views.MeetingCancelView.as_view(), name="meeting_cancel"),
    path("meetings/<int:pk>/invite.ics", views.MeetingIcsView.as_view(), name="meeting_ics"),
    path("meetings/<int:pk>/agenda/", views.AgendaAddView.as_view(), name="meeting_agenda_add"),
    path(
        "meetings/<int:pk>/attendance/",
        views.AttendanceView.as_view(),
        name="meeting_attendance",
    ),
    path("meetings/<int:pk>/minutes/", views.MinutesView.as_view(), name="meeting_minutes"),
    path(
        "meetings/<int:pk>/decisions/",
        views.DecisionAddView.as_view(),
        name="meeting_decision_add",
    ),
    path(
        "meetings/<int:pk>/actions/",
        views.ActionItemAddView.as_view(),
        name="meeting_action_add",
    ),
    path("meetings/<int:pk>/ideas/", views.IdeaAddView.as_view(), name="meeting_idea_add"),
    path(
        "meetings/<int:pk>/idea-groups/",
        views.IdeaGroupAddView.as_view(),
        name="meeting_idea_group_add",
    ),
    path(
        "meetings/agenda/<int:pk>/move/",
        views.AgendaMoveView.as_view(),
        name="meeting_agenda_move",
    ),
    path(
        "meetings/agenda/<int:pk>/delete/",
        views.AgendaDeleteView.as_view(),
        name="meeting_agenda_delete",
    ),
    path(
        "meetings/decisions/<int:pk>/delete/",
        views.DecisionDeleteView.as_view(),
        name="meeting_decision_delete",
    ),
    path(
        "meetings/actions/<int:pk>/status/",
        views.ActionItemStatusView.as_view(),
        name="meeting_action_status",
    ),
    path("meetings/ideas/<int:pk>/vote/", views.IdeaVoteView.as_view(), name="meeting_idea_vote"),
    path("meetings/ideas/<int:pk>/move/", views.IdeaMoveView.as_view(), name="meeting_idea_move"),
    path(
        "meetings/ideas/<int:pk>/to-action/",
        views.IdeaToActionView.as_view(),
        name="meeting_idea_to_action",
    ),
    path("meetings/series/new/", views.SeriesCreateView.as_view(), name="meeting_series_create"),
    path(
        "meetings/series/<int:pk>/",
        views.SeriesDetailView.as_view(),
        name="meeting_series_detail",
    ),
    path(
        "meetings/series/<int:pk>/end/",
        views.SeriesEndView.as_view(),
        name="meeting_series_end",
    ),
    path(
        "meetings/series/<int:pk>/invite.ics",
        views.SeriesIcsView.as_view(),
        name="meeting_series_ics",
    ),
]
