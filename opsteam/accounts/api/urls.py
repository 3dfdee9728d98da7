from django.urls import path

from opsteam.accounts.api import views

urlpatterns = [path("me/", views.MeView.as_view(), name="accounts-me")]
