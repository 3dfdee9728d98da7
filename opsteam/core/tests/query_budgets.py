"""The shared harness of the query-budget modules (``opsteam/<app>/tests/test_query_budgets.py``).

Each module declares ``ENDPOINTS`` (every list page, export and API list of its app), builds one
dataset of 10 rows of every kind, requests every endpoint, grows the dataset to 500 rows and
requests every endpoint again (``measure``). Each endpoint must stay within the module's budget at
both sizes and take the same number of queries at 500 rows as at 10 (a query per row would show as
a difference of 490): ``assert_within_budget`` and ``assert_constant``.

``test_query_budget_coverage`` fails when a list route (a router ``-list`` route or a UI view
built on Django's ``ListView``) is missing from every module's table.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

SIZES = (10, 500)
EXPORT = {"export": "csv"}
ALL_ROWS = {"page_size": 500}


@dataclass(frozen=True)
class Endpoint:
    """A page, export or API list, requested as ``login`` with ``params``.

    ``kwargs`` fill the URL's arguments; a value in ``kwargs`` or ``params`` that is callable is
    called with the dataset first (``lambda data: data.cycle.pk``). ``rows`` says where every row
    must appear: ``"csv"`` in the downloaded file, ``"api"`` in the JSON page's ``results``.
    """

    url_name: str
    params: dict[str, Any] = field(default_factory=dict)
    login: str = "hr"
    rows: str = ""
    kwargs: dict[str, Any] = field(default_factory=dict)

    def url(self, data: Any) -> str:
        return reverse(self.url_name, kwargs=_resolve(self.kwargs, data) or None)

    def query(self, data: Any) -> dict[str, Any]:
        return _resolve(self.params, data)


def _resolve(values: dict[str, Any], data: Any) -> dict[str, Any]:
    return {key: value(data) if callable(value) else value for key, value in values.items()}


@dataclass
class Measurement:
    status: int = 0
    queries: int = 0
    rows: int | None = None
    error: str = ""


def request_measured(client: Client, url: str, params: dict[str, Any]) -> Measurement:
    """GET ``url``, reading any streamed body inside the capture, and count rows in the answer."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params)
        body = b"".join(response.streaming_content) if response.streaming else response.content
    measured = Measurement(status=response.status_code, queries=len(queries))
    content_type = response.get("Content-Type", "")
    if response.status_code != 200:
        measured.error = body[:300].decode("utf-8", "replace")
    elif content_type.startswith("text/csv"):
        measured.rows = len(body.decode("utf-8-sig").splitlines()) - 1
    elif content_type.startswith("application/json"):
        payload = response.json()
        if isinstance(payload, dict) and "results" in payload:
            measured.rows = len(payload["results"])
    return measured


def measure(
    endpoints: dict[str, Endpoint],
    *,
    clients: dict[str, Client],
    data: Any,
    grow: Callable[[int], None],
    sizes: tuple[int, ...] = SIZES,
) -> dict[str, dict[int, Measurement]]:
    """Grow the dataset to each size in turn and request every endpoint at each.

    The first request of each endpoint (before any growth) is not measured: it saves the session
    and warms per-process caches such as content types.
    """
    results: dict[str, dict[int, Measurement]] = {name: {} for name in endpoints}
    grow(sizes[0])
    for endpoint in endpoints.values():
        clients[endpoint.login].get(endpoint.url(data), endpoint.query(data))
    for size in sizes:
        grow(size)
        for name, endpoint in endpoints.items():
            results[name][size] = request_measured(
                clients[endpoint.login], endpoint.url(data), endpoint.query(data)
            )
    return results


def measured_in_rollback(django_db_blocker, build: Callable[[], dict]) -> dict:
    """Run ``build`` (which creates rows and measures) in a transaction rolled back afterwards.

    For module-scoped fixtures: the measurements are taken once per module.
    """
    with django_db_blocker.unblock(), transaction.atomic():
        results = build()
        transaction.set_rollback(True)
    return results


def logged_in_client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def assert_within_budget(
    measured: dict[str, dict[int, Measurement]],
    endpoints: dict[str, Endpoint],
    name: str,
    size: int,
    budget: int,
) -> None:
    """The endpoint answered 200 within ``budget`` queries and held every row it must."""
    result = measured[name][size]
    endpoint = endpoints[name]
    assert result.status == 200, f"{name} at {size} rows answered {result.status}: {result.error}"
    assert result.queries <= budget, f"{name} at {size} rows: {result.queries} queries"
    if endpoint.rows:
        assert result.rows is not None, f"{name} at {size} rows: no rows found in the answer"
        assert result.rows >= size, f"{name} at {size} rows returned {result.rows} rows"


def assert_constant(measured: dict[str, dict[int, Measurement]], name: str) -> None:
    """The endpoint took as many queries at the largest size as at the smallest."""
    counts = {size: result.queries for size, result in measured[name].items()}
    assert len(set(counts.values())) == 1, f"{name}: {counts}"
