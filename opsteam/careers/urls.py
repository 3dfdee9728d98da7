"""UI pages of the careers domain under /careers/, one module per area."""

from opsteam.careers import urls_growth, urls_levels, urls_rounds

app_name = "careers"

urlpatterns = [*urls_growth.urlpatterns, *urls_levels.urlpatterns, *urls_rounds.urlpatterns]
