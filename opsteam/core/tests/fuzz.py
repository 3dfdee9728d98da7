"""Schema fuzzing of the API with schemathesis: shared by the test suite and the bench.

``populate()`` builds an org with two operators and two managers of disjoint teams (the
object-level authorisation peers), an HR user and data behind every endpoint; ``serve()``
serves the application on a loopback port from a thread; ``run_fuzz()`` loads ``/api/schema/``
from it and runs schemathesis' engine (examples, coverage, fuzzing and stateful phases) with
the gate checks and one worker, and returns a ``FuzzReport`` listing every failure.

The server thread has its own database connection, so the data must be committed: the test
uses ``transactional_db``; the bench runs in a fresh migrated database.

Not collected as tests (the name does not start with ``test_``).
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import io
import json
import os
import socket
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

DEFAULT_CASES = 25
DEFAULT_SEED = 20240611
SCHEMA_PATH = "/api/schema/?format=json"

# The gate: these checks and no others.
CHECKS = (
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_schema_conformance",
    "ignored_auth",
    "object_level_authorization",
)

# Identities in the WFC document, in the order the engine tries them on each operation: the
# peers first (managers before operators, so a manager's subtree reads are the ones replayed
# as the other peers), then HR, which is not a peer and only unlocks the operations no peer
# may call (audit, imports, writes), so their success responses are checked too.
PEERS = ("manager_t1", "manager_t3", "operator_t1", "operator_t3")
OTHERS = ("hr",)


def cases_per_operation() -> int:
    """25 by default (CI); ``OPSTEAM_FUZZ_CASES=100`` in the bench run."""
    return int(os.environ.get("OPSTEAM_FUZZ_CASES") or DEFAULT_CASES)


def seed() -> int:
    """Deterministic by default; ``OPSTEAM_FUZZ_SEED`` overrides (``random`` for a fresh one)."""
    value = os.environ.get("OPSTEAM_FUZZ_SEED", "")
    if value == "random":
        import random

        return random.getrandbits(64)
    return int(value) if value else DEFAULT_SEED


# Data


@dataclass
class FuzzWorld:
    """What ``populate`` created: the API token secret of each identity, and the examples
    that teach schemathesis real ids: ``path_ids`` maps "METHOD /path/{id}/" to an id, and
    ``bodies`` maps "METHOD /path/" to a valid request body (the examples phase sends each)."""

    secrets: dict[str, str]
    path_ids: dict[str, int] = field(default_factory=dict)
    bodies: dict[str, dict[str, Any]] = field(default_factory=dict)


def _tree():
    """Return the units CO > D1 (T1, T2), D2 (T3), creating them if the database has none."""
    from opsteam.org.models import OrgUnit
    from opsteam.org.tests.factories import OrgUnitFactory

    units = {unit.code: unit for unit in OrgUnit.objects.filter(code__in=["CO", "D1", "D2"])}
    if len(units) == 3:
        units.update({u.code: u for u in OrgUnit.objects.filter(code__in=["T1", "T2", "T3"])})
        return units
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
    return {"CO": company, "D1": d1, "D2": d2, "T1": t1, "T2": t2, "T3": t3}


def populate() -> FuzzWorld:
    """Create users, tokens and data behind every endpoint; return the token secrets."""
    from opsteam.accounts.services import api_token_create
    from opsteam.accounts.tests.factories import RoleGrantFactory, UserFactory
    from opsteam.core import imports
    from opsteam.core.choices import AuditSource
    from opsteam.core.exceptions import ImportRejected
    from opsteam.org import services
    from opsteam.org.imports import OrgUnitImport
    from opsteam.org.models import JobLevel, RoleFamily, Skill
    from opsteam.org.tests.factories import StaffFactory

    units = _tree()
    family = RoleFamily.objects.create(code="ops", name="运营", name_en="Operations")
    RoleFamily.objects.create(code="fin", name="财务", name_en="Finance", sort_order=1)
    p2 = JobLevel.objects.create(
        code="P2", name="专员", name_en="Specialist", track="professional", rank=2
    )
    p3 = JobLevel.objects.create(
        code="P3", name="高级专员", name_en="Senior", track="professional", rank=3
    )
    m1 = JobLevel.objects.create(code="M1", name="主管", name_en="Lead", track="management", rank=1)
    skill = Skill.objects.create(
        code="SK-XL", name="表格", name_en="Spreadsheets", category="professional"
    )

    from opsteam.org import services as org_services

    hr = UserFactory(username="fuzz-hr")
    RoleGrantFactory(user=hr, role="hr")

    def position(code: str, unit: str | None, **extra: Any):
        values = {"min_level": p2, "max_level": p3, "headcount_plan": 3, **extra}
        return org_services.position_create(
            actor=hr,
            code=code,
            name=f"岗位 {code}",
            name_en=f"Position {code}",
            family=family,
            unit=units[unit] if unit else None,
            **values,
        )

    lead = position("LEAD", None, min_level=m1, max_level=None)
    store_op = position("STORE-OP", "T1")
    content_op = position("CONTENT-OP", "T2")
    settle_op = position("SETTLE-OP", "T3")

    def user(name: str, role: str, unit: str, staff_position, manager=None, level=p2):
        account = UserFactory(username=f"fuzz-{name}")
        RoleGrantFactory(user=account, role=role, unit=units[unit] if role == "manager" else None)
        staff = StaffFactory(
            user=account,
            unit=units[unit],
            position=staff_position,
            level=level,
            manager=manager,
            name=f"员工 {name}",
            name_en=f"Staff {name}",
        )
        return account, staff

    manager_t1, lead_t1 = user("manager_t1", "manager", "T1", lead, level=m1)
    manager_t3, lead_t3 = user("manager_t3", "manager", "T3", lead, level=m1)
    operator_t1, _ = user("operator_t1", "operator", "T1", store_op, manager=lead_t1)
    operator_t3, _ = user("operator_t3", "operator", "T3", settle_op, manager=lead_t3)

    # Colleagues without accounts, in each team, created and moved through the services so
    # that assignments and audit entries are real.
    colleagues = []
    for index, (unit, pos, manager) in enumerate(
        [
            ("T1", store_op, lead_t1),
            ("T1", store_op, lead_t1),
            ("T2", content_op, None),
            ("T3", settle_op, lead_t3),
        ]
    ):
        colleagues.append(
            services.staff_create(
                actor=hr,
                employee_no=f"F{index:04d}",
                name=f"同事{index}",
                hire_date=dt.date(2023, 3, 1),
                unit=units[unit],
                position=pos,
                level=p2,
                manager=manager,
                name_en=f"Colleague {index}",
                # One without an address and phone: empty values must match the schema too.
                email=f"colleague{index}@example.com" if index else "",
                phone="" if index == 0 else f"+86 10 5555 000{index}",
            )
        )
    services.staff_reassign(
        actor=hr,
        staff=colleagues[1],
        effective_date=dt.date(2024, 1, 1),
        reason="promotion",
        note="fuzz",
        level=p3,
    )

    # Job descriptions: a published version 1 and a draft version 2 (what `diff` compares).
    for target in (store_op, settle_op):
        draft = services.job_description_start_draft(actor=hr, position=target)
        services.job_description_update(
            actor=hr,
            job_description=draft,
            purpose="负责日常运营",
            purpose_en="Run daily operations",
            change_note="first version",
            duties=[{"title": "巡店", "title_en": "Store checks", "time_share": 40}],
            skills=[{"skill": skill, "level": 3, "is_required": True}],
            relations=[
                {"kind": "position", "position": lead, "description": "reports to"},
                {"kind": "unit", "unit": units["D2"], "description": "settles with"},
                {"kind": "external", "external_party": "Marketplace", "description": "support"},
            ],
        )
        services.job_description_publish(actor=hr, job_description=draft)
    draft = services.job_description_start_draft(actor=hr, position=store_op)
    services.job_description_update(
        actor=hr, job_description=draft, purpose="负责店铺运营", change_note="second version"
    )
    # A first draft of its own for `publish`, so that publishing leaves `draft` editable.
    to_publish = services.job_description_start_draft(actor=hr, position=content_op)

    # Processes, activities and RACI cells.
    process = services.process_create(
        actor=hr, code="PR-ORDER", name="订单处理", name_en="Order handling", owner_unit=units["D1"]
    )
    activities = [
        services.activity_create(
            actor=hr, process=process, code=f"ACT-{i}", name=f"活动{i}", name_en=f"Activity {i}"
        )
        for i in range(3)
    ]
    for activity, cells in zip(
        activities,
        [{store_op: "R", lead: "A"}, {store_op: "R", content_op: "R"}, {settle_op: "C"}],
        strict=True,
    ):
        for target, role in cells.items():
            services.raci_set(actor=hr, activity=activity, position=target, role=role)

    # Import history: one accepted file and one rejected with row errors.
    def units_file(rows: list[list[str]]) -> io.BytesIO:
        buffer = io.StringIO()
        csv.writer(buffer).writerows([["code", "name", "name_en", "kind", "parent_code"], *rows])
        return io.BytesIO(buffer.getvalue().encode("utf-8"))

    imports.run_import(
        actor=hr,
        spec_class=OrgUnitImport,
        handle=units_file([["T4", "客服组", "Service", "team", "D2"]]),
        filename="units.csv",
        source=AuditSource.API,
    )
    with contextlib.suppress(ImportRejected):
        imports.run_import(
            actor=hr,
            spec_class=OrgUnitImport,
            handle=units_file([["", "无编码", "", "nope", "NOPE"]]),
            filename="bad-units.csv",
            source=AuditSource.API,
        )

    secrets: dict[str, str] = {}
    world = FuzzWorld(secrets=secrets)
    _examples(world, units, colleagues, draft, to_publish, settle_op, activities)
    for name, account in [
        ("manager_t1", manager_t1),
        ("manager_t3", manager_t3),
        ("operator_t1", operator_t1),
        ("operator_t3", operator_t3),
        ("hr", hr),
    ]:
        _token, secret = api_token_create(actor=account, name="fuzz")
        secrets[name] = secret
    return world


def _examples(world: FuzzWorld, units, colleagues, draft, to_publish, settle_op, activities):
    """Real ids for every detail route and a valid body for every write (seen by manager T1
    or HR, the identities those operations run as)."""
    from opsteam.core.models import AuditEntry, ImportJob
    from opsteam.org.models import JobLevel, Process, RaciAssignment, RoleFamily

    store_op, family = draft.position, draft.position.family
    colleague = colleagues[0]
    p3 = JobLevel.objects.get(code="P3")
    world.path_ids = {
        "GET /api/audit/{id}/": AuditEntry.objects.order_by("pk").first().pk,
        "GET /api/imports/{id}/": ImportJob.objects.order_by("pk").first().pk,
        "GET /api/org/activities/{id}/": activities[0].pk,
        "GET /api/org/assignments/{id}/": colleague.assignments.order_by("pk").first().pk,
        "GET /api/org/job-descriptions/{id}/": draft.pk,
        "PATCH /api/org/job-descriptions/{id}/": draft.pk,
        "GET /api/org/job-descriptions/{id}/diff/": draft.pk,
        "POST /api/org/job-descriptions/{id}/publish/": to_publish.pk,
        "GET /api/org/levels/{id}/": p3.pk,
        "GET /api/org/positions/{id}/": store_op.pk,
        "PATCH /api/org/positions/{id}/": store_op.pk,
        "POST /api/org/positions/{id}/start-draft/": settle_op.pk,
        "GET /api/org/processes/{id}/": Process.objects.order_by("pk").first().pk,
        "GET /api/org/raci/{id}/": RaciAssignment.objects.order_by("pk").first().pk,
        "GET /api/org/role-families/{id}/": family.pk,
        "GET /api/org/staff/{id}/": colleague.pk,
        "PATCH /api/org/staff/{id}/": colleague.pk,
        "POST /api/org/staff/{id}/reassign/": colleagues[1].pk,
        "GET /api/org/units/{id}/": units["T1"].pk,
        "PATCH /api/org/units/{id}/": units["T2"].pk,
    }
    world.bodies = {
        "POST /api/org/units/": {
            "code": "FZ-UNIT",
            "name": "模糊测试组",
            "kind": "team",
            "parent": units["D1"].pk,
        },
        "PATCH /api/org/units/{id}/": {"name_en": "Content operations"},
        "POST /api/org/positions/": {
            "code": "FZ-POS",
            "name": "模糊测试岗",
            "family": RoleFamily.objects.get(code="fin").pk,
            "unit": units["T3"].pk,
            "headcount_plan": 1,
        },
        "PATCH /api/org/positions/{id}/": {"headcount_plan": 4},
        "POST /api/org/staff/": {
            "employee_no": "FZ-0001",
            "name": "新同事",
            "hire_date": "2024-05-01",
            "unit": units["T1"].pk,
            "position": store_op.pk,
        },
        "PATCH /api/org/staff/{id}/": {"phone": "+86 10 5555 0100"},
        "POST /api/org/staff/{id}/reassign/": {
            "effective_date": "2025-01-01",
            "reason": "promotion",
            "note": "fuzz example",
            "level": p3.pk,
        },
        "PATCH /api/org/job-descriptions/{id}/": {
            "purpose": "负责店铺运营与巡店",
            "duties": [{"title": "巡店", "time_share": 30, "activity": activities[0].pk}],
        },
        "POST /api/org/raci/set/": {
            "activity": activities[2].pk,
            "position": store_op.pk,
            "role": "I",
        },
    }


# Running


@dataclass(frozen=True)
class FuzzFailure:
    operation: str
    check: str
    title: str
    message: str
    reproduction: str
    identity: str = "-"

    def format(self, count: int = 1) -> str:
        times = f" (x{count})" if count > 1 else ""
        return (
            f"- {self.operation} [{self.check}] {self.title}{times}, as {self.identity}\n"
            f"  {self.message.strip().replace(chr(10), chr(10) + '  ')}\n"
            f"  Reproduce:\n    {self.reproduction.strip().replace(chr(10), chr(10) + '    ')}"
        )


@dataclass
class FuzzReport:
    seed: int
    cases_per_operation: int
    operations: int = 0
    operations_tested: int = 0
    cases: int = 0
    seconds: float = 0.0
    # One entry per (operation, check, title, first line of the message), with how often.
    failures: dict[tuple[str, str, str, str], FuzzFailure] = field(default_factory=dict)
    counts: Counter = field(default_factory=Counter)
    errors: list[str] = field(default_factory=list)
    statuses: Counter = field(default_factory=Counter)
    # Requests by identity, and the replays the auth checks sent: a peer re-reading another
    # peer's object (object_level_authorization) and credential-less or invalid-credential
    # probes (ignored_auth, and object_level_authorization's anonymous replay).
    identities: Counter = field(default_factory=Counter)
    peer_replays: int = 0
    auth_probes: int = 0

    @property
    def ok(self) -> bool:
        return not self.failures and not self.errors

    @property
    def without_success(self) -> list[str]:
        """Operations that never answered 2xx (their success responses went unchecked)."""
        succeeded = {label for (label, status) in self.statuses if 200 <= status < 300}
        return sorted({label for (label, _status) in self.statuses} - succeeded)

    def add(self, failure: FuzzFailure) -> None:
        first_line = failure.message.strip().split("\n", 1)[0]
        key = (failure.operation, failure.check, failure.title, first_line)
        self.failures.setdefault(key, failure)
        self.counts[key] += 1

    def summary(self) -> str:
        lines = [
            f"schemathesis: {self.operations_tested}/{self.operations} operations, "
            f"{self.cases} cases, {len(self.failures)} distinct failures, {len(self.errors)} "
            f"errors in {self.seconds:.1f} s (seed {self.seed}, {self.cases_per_operation} "
            "cases per operation; OPSTEAM_FUZZ_SEED to change)",
            f"  requests by identity: {dict(sorted(self.identities.items()))}; "
            f"peer replays: {self.peer_replays}; no/invalid-auth probes: {self.auth_probes}",
            f"  operations that never answered 2xx: {', '.join(self.without_success) or 'none'}",
        ]
        for key in sorted(self.failures):
            lines.append(self.failures[key].format(self.counts[key]))
        lines.extend(f"- ERROR {error}" for error in self.errors)
        return "\n".join(lines)


def _config(*, wfc_path: Path, cases: int, seed_value: int, base_url: str):
    from schemathesis.config import SchemathesisConfig

    return SchemathesisConfig.from_dict(
        {
            "base-url": base_url.rstrip("/"),
            "seed": seed_value,
            # A slow shared CI machine must not turn into a failure of the gate.
            "suppress-health-check": ["too_slow"],
            "workers": 1,  # several workers crash CPython 3.11 (see the security notes)
            "auth": {"wfc": {"path": str(wfc_path), "peers": list(PEERS)}},
            "checks": {"enabled": False, **{name: {"enabled": True} for name in CHECKS}},
            "generation": {"max-examples": cases, "database": "none"},
            "phases": {
                "examples": {"enabled": True},
                "coverage": {"enabled": True},
                "fuzzing": {"enabled": True},
                "stateful": {"enabled": True, "max-steps": cases},
            },
            "cache": {"enabled": False},
        }
    )


def _wfc_document(world: FuzzWorld, directory: Path) -> Path:
    path = directory / "auth.json"
    path.write_text(
        json.dumps(
            {
                "auth": [
                    {
                        "name": name,
                        "fixedHeaders": [
                            {"name": "Authorization", "value": f"Token {world.secrets[name]}"}
                        ],
                    }
                    for name in (*PEERS, *OTHERS)
                ]
            }
        ),
        encoding="utf-8",
    )
    return path


def _with_examples(raw: dict[str, Any], world: FuzzWorld) -> dict[str, Any]:
    """Add the world's ids and bodies to the schema as examples (ids differ between runs)."""
    for path, methods in raw["paths"].items():
        for method, operation in methods.items():
            key = f"{method.upper()} {path}"
            if key in world.path_ids:
                for parameter in operation.get("parameters", []):
                    if parameter["in"] == "path" and parameter["name"] == "id":
                        parameter["example"] = world.path_ids[key]
            if key in world.bodies:
                content = operation.get("requestBody", {}).get("content", {})
                if "application/json" in content:
                    content["application/json"]["example"] = world.bodies[key]
    missing = {*world.path_ids, *world.bodies} - {
        f"{method.upper()} {path}" for path, methods in raw["paths"].items() for method in methods
    }
    assert not missing, f"examples for operations the schema does not have: {sorted(missing)}"
    return raw


def _read_chunked(stream, limit: int = 64 * 1024 * 1024) -> bytes:
    """Read an HTTP/1.1 chunked body (RFC 9112 section 7.1) from ``stream``."""
    body = bytearray()
    while True:
        size = int(stream.readline(1024).split(b";", 1)[0].strip() or b"0", 16)
        if size == 0:
            while stream.readline(65537) not in (b"\r\n", b"\n", b""):
                pass  # trailer fields
            return bytes(body)
        if len(body) + size > limit:
            raise ValueError("chunked request body too large")
        body += stream.read(size)
        stream.readline(3)  # the CRLF after the chunk


@contextlib.contextmanager
def serve() -> Iterator[str]:
    """Serve the application on a free loopback port in a thread; yield its base URL.

    Like pytest-django's ``live_server`` (an in-memory SQLite test database is shared with
    the server thread), but with Nagle's algorithm off: the development server writes headers
    and body separately, and with keep-alive each request would otherwise wait ~40 ms for a
    delayed ACK, which made the run five times slower.
    """
    from django.core.servers.basehttp import ServerHandler, ThreadedWSGIServer
    from django.db import connections
    from django.test.testcases import LiveServerThread, QuietWSGIRequestHandler

    class Handler(QuietWSGIRequestHandler):
        disable_nagle_algorithm = True

        def handle_one_request(self):
            """Django's, plus chunked request bodies (requests sends an empty form that way).

            The development server leaves a chunked body unread, so on a keep-alive
            connection its last chunk was parsed as the next request line. Production
            servers decode it; so does this one.
            """
            self.raw_requestline = self.rfile.readline(65537)
            if len(self.raw_requestline) > 65536:
                self.requestline = self.request_version = self.command = ""
                self.send_error(414)
                return
            if not self.parse_request():
                return
            environ, stdin = self.get_environ(), self.rfile
            if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
                stdin = io.BytesIO(_read_chunked(self.rfile))
                environ["CONTENT_LENGTH"] = str(len(stdin.getvalue()))
            handler = ServerHandler(stdin, self.wfile, self.get_stderr(), environ)
            handler.request_handler = self
            handler.run(self.server.get_app())

    class Server(ThreadedWSGIServer):
        # Closing ends the clients' idle keep-alive connections and joins the request threads,
        # so none of them touches the shared connection after it is released.
        daemon_threads = False
        block_on_close = True

        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.open_sockets = set()

        def process_request(self, request, client_address):
            self.open_sockets.add(request)
            super().process_request(request, client_address)

        def shutdown_request(self, request):
            self.open_sockets.discard(request)
            super().shutdown_request(request)

        def server_close(self):
            for request in list(self.open_sockets):
                with contextlib.suppress(OSError):
                    request.shutdown(socket.SHUT_RDWR)
            super().server_close()

    class Thread(LiveServerThread):
        server_class = Server

        def _create_server(self, connections_override=None):
            return self.server_class(
                (self.host, self.port),
                Handler,
                allow_reuse_address=False,
                connections_override=connections_override,
            )

    shared = {}
    for connection in connections.all():
        if connection.vendor == "sqlite" and connection.is_in_memory_db():
            shared[connection.alias] = connection
            connection.inc_thread_sharing()
    thread = Thread("127.0.0.1", lambda handler: handler, connections_override=shared)
    thread.daemon = True
    thread.start()
    thread.is_ready.wait()
    try:
        if thread.error:
            raise thread.error
        yield f"http://127.0.0.1:{thread.port}"
    finally:
        thread.terminate()
        for connection in shared.values():
            connection.dec_thread_sharing()


def run_fuzz(
    world: FuzzWorld, base_url: str, *, cases: int | None = None, seed_value: int | None = None
) -> FuzzReport:
    """Fuzz every operation of ``/api/schema/`` on the server at ``base_url``.

    Over HTTP rather than schemathesis' WSGI transport: in 4.32 its ``ignored_auth`` probes
    pass ``max_redirects`` on to Werkzeug and crash on every operation.
    """
    import requests
    import schemathesis
    from schemathesis.engine import Status, events, from_schema
    from schemathesis.wfc.escalation import restore_identity_assignments

    cases = cases or cases_per_operation()
    seed_value = seed() if seed_value is None else seed_value
    report = FuzzReport(seed=seed_value, cases_per_operation=cases)
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="opsteam-fuzz-") as directory:
        config = _config(
            wfc_path=_wfc_document(world, Path(directory)),
            cases=cases,
            seed_value=seed_value,
            base_url=base_url,
        )
        raw = requests.get(
            base_url.rstrip("/") + SCHEMA_PATH,
            headers={"Authorization": f"Token {world.secrets[PEERS[0]]}"},
            timeout=60,
        )
        raw.raise_for_status()
        schema = schemathesis.openapi.from_dict(_with_examples(raw.json(), world), config=config)
        # Start each write, and each HR-only read, as HR: the examples phase sends one case
        # per operation, which a peer would spend on a 403. The engine still moves on if the
        # identity is refused (and reads start with the first peer).
        restore_identity_assignments(
            schema,
            {
                operation.label: "hr"
                for operation in (result.ok() for result in schema.get_all_operations())
                if operation.method.upper() != "GET"
                or operation.path.startswith(("/api/audit/", "/api/imports/"))
            },
        )
        report.operations = sum(1 for _ in schema.get_all_operations())
        tested: set[str] = set()
        for event in from_schema(schema).execute():
            if isinstance(event, events.ScenarioFinished):
                _collect(report, event.recorder, tested)
                if event.status == Status.ERROR and not event.recorder.cases:
                    report.errors.append(f"{event.recorder.label}: scenario error")
            elif isinstance(event, events.NonFatalError):
                report.errors.append(f"{event.label}: {event.info.format().strip()}")
            elif isinstance(event, events.FatalError):
                report.errors.append(f"fatal: {event.exception!r}")
            elif isinstance(event, events.EngineFinished):
                for failure in event.failures:
                    report.add(
                        FuzzFailure(
                            failure.operation or "-",
                            "after_run",
                            failure.title,
                            failure.message,
                            "-",
                        )
                    )
        report.operations_tested = len(tested)
    report.seconds = time.perf_counter() - started
    return report


def _collect(report: FuzzReport, recorder, tested: set[str]) -> None:
    from schemathesis.engine import Status

    for case_id, interaction in recorder.interactions.items():
        report.cases += 1
        node = recorder.cases.get(case_id)
        if interaction.response is None or node is None:
            continue
        case = node.value
        tested.add(case.operation.label)
        report.statuses[(case.operation.label, interaction.response.status_code)] += 1
        report.identities[case.auth_identity or "-"] += 1
        parent = recorder.cases.get(node.parent_id) if node.parent_id else None
        if parent is not None and parent.value.auth_identity in PEERS:
            if case.auth_identity in PEERS and case.auth_identity != parent.value.auth_identity:
                report.peer_replays += 1
            elif case.auth_identity is None or "Authorization" not in interaction.request.headers:
                report.auth_probes += 1
    for case_id, checks in recorder.checks.items():
        for check in checks:
            if check.status != Status.FAILURE or check.failure_info is None:
                continue
            failure = check.failure_info.failure
            node = recorder.cases.get(failure.case_id or case_id) or recorder.cases.get(case_id)
            operation = failure.operation or (node.value.operation.label if node else "-")
            report.add(
                FuzzFailure(
                    operation=operation,
                    check=check.name,
                    title=failure.title,
                    message=failure.message or f"HTTP {_status(recorder, case_id)}",
                    reproduction=check.failure_info.code_sample,
                    identity=(node.value.auth_identity if node else None) or "anonymous",
                )
            )


def _status(recorder, case_id: str) -> str:
    interaction = recorder.interactions.get(case_id)
    if interaction is None or interaction.response is None:
        return "?"
    return str(interaction.response.status_code)
