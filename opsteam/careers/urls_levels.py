"""Job level pages: list, add, edit, delete (HR and administrators write)."""

from django.urls import path

from opsteam.careers import views_levels as views

urlpatterns = [
    path("levels/", views.LevelListView.as_view(), name="level_list"),
    path("levels/new/", views.LevelCreateView.as_view(), name="level_create"),
    path("levels/<int:pk>/edit/", views.LevelEditView.as_view(), name="level_edit"),
    path("levels/<int:pk>/delete/", views.LevelDeleteView.as_view(), name="level_delete"),
]
