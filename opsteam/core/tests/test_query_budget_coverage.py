"""Every list page and API list is measured at 10 and at 500 rows by some app's budget module.

A list route is a router ``-list`` route, a route named ``*_list``, a UI view built on Django's
``ListView`` or one of ``OTHER_LISTS``. Each app's
``tests/test_query_budgets*.py`` declares ``ENDPOINTS``; a list route named in none of them fails
here, so a new list cannot ship without its query budget.
"""

from __future__ import annotations

import importlib
import importlib.util
import pkgutil

from django.urls import URLPattern, URLResolver, get_resolver
from django.views.generic import ListView

APPS = (
    "org",
    "performance",
    "surveys",
    "training",
    "careers",
    "incentives",
    "workflow",
    "collab",
    "insights",
)


def _budget_modules(app: str) -> list:
    """The app's ``tests/test_query_budgets*.py`` modules (none when it has no tests package)."""
    if importlib.util.find_spec(f"opsteam.{app}.tests") is None:
        return []
    package = importlib.import_module(f"opsteam.{app}.tests")
    return [
        importlib.import_module(f"opsteam.{app}.tests.{module.name}")
        for module in sorted(pkgutil.iter_modules(package.__path__), key=lambda m: m.name)
        if module.name.startswith("test_query_budgets")
    ]


BUDGET_MODULES = [module for app in APPS for module in _budget_modules(app)]
EXCLUDED_NAMESPACES = {"admin"}
# Pages and API views that list rows without being a ``ListView`` or a router list route.
OTHER_LISTS = {
    "insights:home",
    "performance:dashboard",
    "surveys:subject_results",
    "survey-subject-results",
    "training:team",
    "training:overview",
    "training:grading_queue",
    "training:exam_results",
    "training-overview",
    "training-team-learning",
}


def _list_routes(patterns: list, namespace: str = "") -> set[str]:
    names: set[str] = set()
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace in EXCLUDED_NAMESPACES:
                continue
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            names |= _list_routes(pattern.url_patterns, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            view_class = getattr(pattern.callback, "view_class", None)
            is_ui_list = isinstance(view_class, type) and issubclass(view_class, ListView)
            is_named_list = pattern.name.endswith(("-list", "_list"))
            if is_named_list or is_ui_list:
                names.add(f"{namespace}{pattern.name}")
    return names


def test_every_list_route_has_a_query_budget():
    measured = {
        endpoint.url_name for module in BUDGET_MODULES for endpoint in module.ENDPOINTS.values()
    }

    routes = _list_routes(get_resolver().url_patterns) | OTHER_LISTS

    missing = sorted(routes - measured)

    assert not missing, f"list routes without a 10/500-row query budget: {missing}"
