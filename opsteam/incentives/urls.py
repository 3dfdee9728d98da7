"""UI pages of the incentives domain under /incentives/, one module per area."""

from opsteam.incentives import urls_pools, urls_recognition

app_name = "incentives"

urlpatterns = [*urls_pools.urlpatterns, *urls_recognition.urlpatterns]
