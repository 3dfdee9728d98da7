"""Pages of collab: knowledge base (included by collab/urls.py under the "collab" namespace)."""

from django.urls import path  # noqa: F401

urlpatterns: list = []
