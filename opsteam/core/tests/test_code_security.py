"""Static security gate: ruff's security rules (bandit's checks) find nothing outside tests,
and every suppression says why."""

import json
import re
import subprocess
import sys
from pathlib import Path

from django.conf import settings

ROOT = Path(settings.BASE_DIR)
SUPPRESSION = re.compile(r"#\s*noqa:\s*(S\d{3}(?:\s*,\s*S\d{3})*)(?P<reason>.*)$")


def test_no_security_findings_outside_tests():
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "ruff",
            "check",
            "--select",
            "S",
            "--output-format",
            "json",
            "--exclude",
            "**/tests/**,conftest.py",
            "opsteam",
            "bench",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )

    findings = json.loads(result.stdout or "[]")
    assert not findings, [
        (f["filename"], f["location"]["row"], f["code"], f["message"]) for f in findings
    ]


def test_every_security_suppression_gives_its_reason():
    unexplained = []
    sources = [ROOT.joinpath(folder).rglob("*.py") for folder in ("opsteam", "bench", "scripts")]
    for path in (path for folder in sources for path in folder):
        if "tests" in path.parts:
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            match = SUPPRESSION.search(line)
            if match and len(match["reason"].strip(" -()")) < 8:
                unexplained.append(f"{path.relative_to(ROOT)}:{number}")

    assert not unexplained, unexplained
