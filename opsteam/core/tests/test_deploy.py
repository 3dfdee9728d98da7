import os
import subprocess
import sys

import pytest
from django.conf import settings

SECRET = "x9!" + "k3Jq7Lm2Pz8Vw4Rt6Yb1Nc5Hd0Fg" * 3


def _check(env_overrides: dict[str, str]) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("OPSTEAM_")}
    env.update(
        {"OPSTEAM_SECRET_KEY": SECRET, "OPSTEAM_ALLOWED_HOSTS": "ops.example.com", **env_overrides}
    )
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize(
    ("_case", "env"),
    [
        ("https", {"OPSTEAM_HTTPS": "1"}),
        ("plain-http intranet", {"OPSTEAM_HTTPS": "0"}),
    ],
)
def test_deploy_check_is_clean_with_debug_off_and_a_secret_key(_case, env):
    result = _check(env)

    assert result.returncode == 0, result.stdout + result.stderr


def test_production_refuses_to_start_without_a_secret_key():
    env = {k: v for k, v in os.environ.items() if not k.startswith("OPSTEAM_")}

    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode != 0
    assert "OPSTEAM_SECRET_KEY" in result.stderr


def test_api_schema_validates_without_warnings():
    env = {**os.environ, "OPSTEAM_DEBUG": "1"}
    result = subprocess.run(
        [
            sys.executable,
            "manage.py",
            "spectacular",
            "--validate",
            "--fail-on-warn",
            "--file",
            os.devnull,
        ],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode == 0, result.stderr[-3000:]


@pytest.mark.django_db
def test_pages_carry_security_headers(client_as):
    client = client_as("hr")

    response = client.get("/org/staff/")

    assert "default-src 'self'" in response["Content-Security-Policy"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert "no-store" in response["Cache-Control"]
