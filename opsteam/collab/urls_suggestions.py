"""Pages of collab: suggestions (included by collab/urls.py under the "collab" namespace)."""

from django.urls import path  # noqa: F401

urlpatterns: list = []
