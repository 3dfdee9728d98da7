"""Automation-rule pages under /workflow/rules/."""

from django.urls import path

from opsteam.workflow import views_rules as views

urlpatterns = [
    path("rules/", views.RuleListView.as_view(), name="rule_list"),
    path("rules/new/", views.RuleFormView.as_view(), name="rule_create"),
    path("rules/<int:pk>/", views.RuleDetailView.as_view(), name="rule_detail"),
    path("rules/<int:pk>/edit/", views.RuleFormView.as_view(), name="rule_edit"),
    path("rules/<int:pk>/toggle/", views.RuleToggleView.as_view(), name="rule_toggle"),
    path("rules/<int:pk>/run/", views.RuleRunView.as_view(), name="rule_run"),
    path("rules/<int:pk>/test/", views.RuleTestView.as_view(), name="rule_test"),
    path("rules/<int:pk>/delete/", views.RuleDeleteView.as_view(), name="rule_delete"),
]
