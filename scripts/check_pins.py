#!/usr/bin/env python3
"""Check that every dependency pinned in pyproject.toml is the newest patch release of its series.

A series is the first two parts of the version (5.2 for Django 5.2.19). Versions come from the
package index's JSON API (OPSTEAM_PYPI_URL, default https://pypi.org/pypi). An index that cannot
be reached is a failure, never a pass: silence is not evidence.

    python scripts/check_pins.py          exit 0 when every pin is current, 1 otherwise
"""

from __future__ import annotations

import json
import os
import re
import sys
import tomllib
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
INDEX = os.environ.get("OPSTEAM_PYPI_URL", "https://pypi.org/pypi").rstrip("/")
PIN = re.compile(r"^\s*([A-Za-z0-9_.\-]+)(\[[^\]]*\])?\s*==\s*([0-9][^;\s]*)")
RELEASE = re.compile(r"^\d+(\.\d+)*(\.post\d+)?$")  # final (and post) releases: no a/b/rc/dev


def pins() -> dict[str, str]:
    """Every ``name==version`` requirement of the project and its extras."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    requirements = list(project.get("dependencies", []))
    for extra in project.get("optional-dependencies", {}).values():
        requirements.extend(extra)
    found = {}
    for requirement in requirements:
        match = PIN.match(requirement)
        if match is None:
            raise SystemExit(f"not pinned with ==: {requirement}")
        found[match[1].lower()] = match[3]
    return found


def _key(version: str) -> tuple[int, ...]:
    """Release parts as numbers; a post-release (2.9.0.post0) sorts after its release."""
    release, _, post = version.partition(".post")
    return (*(int(part) for part in release.split(".")), int(post) if post else -1)


def newest_patch(name: str, version: str) -> str:
    """The newest final release sharing the pin's first two version parts."""
    with urllib.request.urlopen(f"{INDEX}/{name}/json", timeout=20) as response:  # noqa: S310 (https index URL from settings)
        releases = json.load(response)["releases"]
    series = _key(version)[:2]
    candidates = [
        v
        for v, files in releases.items()
        if RELEASE.match(v) and _key(v)[:2] == series and any(not f.get("yanked") for f in files)
    ]
    if not candidates:
        raise LookupError(f"{name}: the index lists no release of series {series}")
    return max(candidates, key=_key)


def main() -> int:
    pinned = pins()
    problems = []
    with ThreadPoolExecutor(max_workers=8) as pool:
        futures = {
            name: pool.submit(newest_patch, name, version) for name, version in pinned.items()
        }
    for name, version in sorted(pinned.items()):
        try:
            newest = futures[name].result()
        except Exception as exc:  # the index being unreachable is a failure, not a pass
            problems.append(f"{name}=={version}: could not check ({exc})")
            continue
        if newest != version:
            problems.append(f"{name}=={version}: {newest} is the newest patch of the series")
        else:
            print(f"ok  {name}=={version}")
    for problem in problems:
        print(f"FAIL {problem}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
