"""UI pages of the training domain under /training/, one module per area."""

from opsteam.training import urls_catalogue, urls_delivery, urls_exams, urls_learning

app_name = "training"

urlpatterns = [
    *urls_learning.urlpatterns,
    *urls_catalogue.urlpatterns,
    *urls_delivery.urlpatterns,
    *urls_exams.urlpatterns,
]
