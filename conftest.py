"""Root pytest configuration: settings for tests, the audit-trigger escape for flushes,
role fixtures and a small org tree every suite can use."""

import os
import shutil
from dataclasses import dataclass

import pytest


def pytest_configure(config):
    # Flushing tables between transactional tests must be able to empty the append-only
    # audit table: wrap Django's flush in the audit maintenance switch (tests only).
    from django.core.management.commands import flush
    from django.db import connections

    from opsteam.core import audit

    original_handle = flush.Command.handle
    if getattr(original_handle, "_opsteam_wrapped", False):
        return

    def handle(self, **options):
        connection = connections[options.get("database") or "default"]
        with audit.maintenance(connection):
            return original_handle(self, **options)

    handle._opsteam_wrapped = True
    flush.Command.handle = handle
    _serialise_live_server_on_shared_sqlite()


def _serialise_live_server_on_shared_sqlite():
    """On in-memory SQLite the live server's request threads share one connection (and its
    transaction state), so two requests at once (a browser's speculative prefetch beside a
    click, two tabs) can tangle each other's savepoints. Serve one request at a time there;
    PostgreSQL keeps the threaded server with a connection per thread."""
    import threading

    from django.core.servers.basehttp import ThreadedWSGIServer
    from django.test.testcases import LiveServerThread

    class SerialisedOnSharedConnection(ThreadedWSGIServer):
        def set_app(self, application):
            if not self.connections_override:
                return super().set_app(application)
            lock = threading.Lock()

            def serialised(environ, start_response):
                with lock:
                    # Drain and close the body inside the lock: streamed responses read the
                    # database too, and closing sends request_finished.
                    response = application(environ, start_response)
                    try:
                        return list(response)
                    finally:
                        if hasattr(response, "close"):
                            response.close()

            return super().set_app(serialised)

    LiveServerThread.server_class = SerialisedOnSharedConnection


def pytest_collection_modifyitems(config, items):
    """Skip browser tests plainly where Chromium is absent, unless CI requires it."""
    chromium = shutil.which("chromium") or os.path.exists("/usr/bin/chromium")
    required = os.environ.get("OPSTEAM_REQUIRE_BROWSER") == "1"
    if chromium or required:
        return
    skip = pytest.mark.skip(
        reason="Chromium is not installed (apt-get install chromium); browser tests skipped"
    )
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    skipped = [
        r for r in terminalreporter.stats.get("skipped", []) if "Chromium" in str(r.longrepr)
    ]
    if skipped:
        terminalreporter.write_line(
            f"NOTE: {len(skipped)} browser test(s) skipped because Chromium is not installed.",
            yellow=True,
        )


@pytest.fixture(autouse=True)
def english_messages(settings):
    """Tests read messages in English; the Chinese catalogue has tests of its own
    (core/tests/test_i18n.py), which switch the default back to zh-hans."""
    from django.utils import translation

    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@dataclass
class OrgTree:
    """company > D1 (T1, T2), D2 (T3): own team, sibling team, other department."""

    company: object
    d1: object
    d2: object
    t1: object
    t2: object
    t3: object


@pytest.fixture
def org_tree(db):
    from opsteam.org.tests.factories import OrgUnitFactory

    company = OrgUnitFactory(code="CO", name="公司", name_en="Company", kind="company")
    d1 = OrgUnitFactory(
        code="D1", name="电商运营部", name_en="E-commerce Ops", kind="department", parent=company
    )
    d2 = OrgUnitFactory(
        code="D2", name="财务部", name_en="Finance", kind="department", parent=company
    )
    t1 = OrgUnitFactory(code="T1", name="店铺运营组", name_en="Store Ops", parent=d1)
    t2 = OrgUnitFactory(code="T2", name="内容运营组", name_en="Content Ops", parent=d1)
    t3 = OrgUnitFactory(code="T3", name="结算组", name_en="Settlement", parent=d2)
    return OrgTree(company, d1, d2, t1, t2, t3)


@pytest.fixture
def user_as(db, org_tree):
    """Return a factory: ``user_as("manager", unit=org_tree.t1)`` -> a user with that role and
    a staff record in ``unit`` (team T1 by default)."""
    from opsteam.accounts.tests.factories import RoleGrantFactory, UserFactory
    from opsteam.org.tests.factories import StaffFactory

    counter = {"n": 0}

    def make(role, unit=None, username=None, **staff_fields):
        counter["n"] += 1
        unit = unit or org_tree.t1
        user = UserFactory(username=username or f"{role}{counter['n']}")
        RoleGrantFactory(user=user, role=role, unit=unit if role == "manager" else None)
        StaffFactory(user=user, unit=unit, **staff_fields)
        return user

    return make


@pytest.fixture
def client_as(client, user_as):
    """Return a factory giving a Django test client logged in with the given role."""

    def make(role, unit=None, **kwargs):
        user = user_as(role, unit=unit, **kwargs)
        client.force_login(user)
        client.user = user
        return client

    return make


@pytest.fixture
def api_client_as(user_as):
    """Return a factory giving a DRF APIClient authenticated with the given role."""
    from rest_framework.test import APIClient

    def make(role, unit=None, **kwargs):
        user = user_as(role, unit=unit, **kwargs)
        api = APIClient()
        api.force_authenticate(user)
        api.user = user
        return api

    return make


@pytest.fixture(scope="session")
def live_server_sessions_closed(django_db_setup, django_db_blocker):
    """Browser tests request this: at the very end of the run (not after each test, which
    would cut the connections later tests and the shared live server still use), end the
    database sessions the live server's request threads left open, so PostgreSQL can drop
    the test database."""
    yield
    from django.db import connection

    with django_db_blocker.unblock():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )
