from django.urls import path

from opsteam.insights import views

app_name = "insights"

urlpatterns = [path("", views.HomeView.as_view(), name="home")]
