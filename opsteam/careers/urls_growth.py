"""Pages of this area (being built)."""

urlpatterns: list = []
