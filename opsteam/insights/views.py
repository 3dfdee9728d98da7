from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from opsteam.insights import selectors


class HomeView(TemplateView):
    """The landing page: what matters to this user's roles (HR/admin, manager, operator, auditor)."""

    template_name = "insights/home.html"

    def get_context_data(self, **kwargs):
        return {
            **super().get_context_data(**kwargs),
            "title": _("Home"),
            **selectors.home_summary(user=self.request.user),
        }
