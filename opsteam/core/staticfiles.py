"""Serve exactly the front-end files the pages use from node_modules (installed by npm from
package-lock.json at set-up): never a CDN, never a copy in the repository, and not the
thousands of other files the packages ship (collectstatic stays small and fast)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.staticfiles.finders import BaseFinder
from django.core.checks import Error
from django.core.files.storage import FileSystemStorage

# URL path under STATIC_URL -> path inside node_modules
VENDOR_FILES: dict[str, str] = {
    "vendor/htmx/htmx.min.js": "htmx.org/dist/htmx.min.js",
    "vendor/echarts/echarts.min.js": "echarts/dist/echarts.min.js",
    "vendor/tabler/css/tabler.min.css": "@tabler/core/dist/css/tabler.min.css",
    "vendor/tabler/js/tabler.min.js": "@tabler/core/dist/js/tabler.min.js",
    "vendor/swagger-ui/swagger-ui.css": "swagger-ui-dist/swagger-ui.css",
    "vendor/swagger-ui/swagger-ui-bundle.js": "swagger-ui-dist/swagger-ui-bundle.js",
    "vendor/swagger-ui/swagger-ui-standalone-preset.js": "swagger-ui-dist/swagger-ui-standalone-preset.js",
}


def _files() -> dict[str, Path]:
    """Every served file, with the source maps the listed files point at."""
    root = Path(settings.NODE_MODULES)
    files: dict[str, Path] = {}
    for url, source in VENDOR_FILES.items():
        files[url] = root / source
        source_map = root / f"{source}.map"
        if source_map.exists():
            files[f"{url}.map"] = source_map
    return files


class _SingleFileStorage(FileSystemStorage):
    """A storage that exposes one file under a chosen name (what collectstatic copies)."""

    def __init__(self, name: str, path: Path) -> None:
        super().__init__(location=str(path.parent))
        self._name, self._file = name, path.name

    def path(self, name: str) -> str:
        return super().path(self._file if name == self._name else name)


class VendorFinder(BaseFinder):
    """Find the listed npm files under their ``vendor/...`` URL paths."""

    def check(self, **kwargs: Any) -> list[Error]:
        missing = [str(path) for path in _files().values() if not path.exists()]
        if not missing:
            return []
        return [
            Error(
                "Front-end assets are missing; run `npm ci` (make setup does).",
                hint=", ".join(missing[:3]),
                id="opsteam.E001",
            )
        ]

    def find(self, path: str, find_all: bool = False, **kwargs: Any) -> str | list[str]:
        source = _files().get(path.replace(os.sep, "/"))
        if source is None or not source.exists():
            return [] if find_all else None
        return [str(source)] if find_all else str(source)

    def list(self, ignore_patterns: Any) -> Iterator[tuple[str, FileSystemStorage]]:
        for url, source in _files().items():
            if source.exists():
                yield url, _SingleFileStorage(url, source)
