"""Run one bench module in this process against a fresh database (called by bench/__main__)."""

from __future__ import annotations

import importlib
import json
import os
import sys
import tempfile
import uuid
from pathlib import Path


def _fresh_database(backend: str) -> tuple[str, callable]:
    if backend == "sqlite":
        directory = Path(tempfile.mkdtemp(prefix="opsteam-bench-"))
        return f"sqlite:///{directory / 'bench.sqlite3'}", lambda: None
    import psycopg

    admin = os.environ.get("OPSTEAM_BENCH_PG", "postgres://127.0.0.1:5432/postgres")
    name = f"opsteam_bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(admin.replace("postgres://", "postgresql://"), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')

    def drop() -> None:
        from django.db import connections

        connections.close_all()
        with psycopg.connect(
            admin.replace("postgres://", "postgresql://"), autocommit=True
        ) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    return admin.rsplit("/", 1)[0] + "/" + name, drop


def main() -> None:
    module_name, backend = sys.argv[1], sys.argv[2]
    if backend == "none":  # the module declares NEEDS_DATABASE = False
        module = importlib.import_module(f"bench.{module_name}")
        for figure in module.run(backend=backend):
            print("FIGURE " + json.dumps({"backend": backend, **figure}), flush=True)
        return
    url, cleanup = _fresh_database(backend)
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "opsteam.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    try:
        module = importlib.import_module(f"bench.{module_name}")
        for figure in module.run(backend=backend):
            print("FIGURE " + json.dumps({"backend": backend, **figure}), flush=True)
    finally:
        cleanup()


if __name__ == "__main__":
    main()
