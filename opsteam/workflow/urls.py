"""UI pages of the workflow domain under /workflow/, one module per area."""

from opsteam.workflow import urls_analytics, urls_items, urls_log, urls_maps, urls_rules

app_name = "workflow"

urlpatterns = [
    *urls_maps.urlpatterns,
    *urls_items.urlpatterns,
    *urls_log.urlpatterns,
    *urls_analytics.urlpatterns,
    *urls_rules.urlpatterns,
]
