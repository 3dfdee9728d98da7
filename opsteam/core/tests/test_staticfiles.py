"""Production static files: only the vendor files the pages use, from node_modules, and the
hashed manifest builds (a missing source map or asset would fail here, not at deploy)."""

from django.contrib.staticfiles import finders
from django.core.management import call_command
from django.test import override_settings

from opsteam.core.staticfiles import VENDOR_FILES


def test_every_vendor_file_the_pages_use_is_found():
    for url in VENDOR_FILES:
        assert finders.find(url), url


def test_manifest_collectstatic_succeeds_and_stays_small(tmp_path):
    storages = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"},
    }
    with override_settings(STATIC_ROOT=tmp_path, STORAGES=storages):
        call_command("collectstatic", interactive=False, verbosity=0)

    manifest = (tmp_path / "staticfiles.json").read_text()
    assert "vendor/echarts/echarts.min.js" in manifest
    assert "vendor/tabler/css/tabler.min.css" in manifest
    assert not (tmp_path / "vendor" / "tabler" / "libs").exists()
    files = [path for path in tmp_path.rglob("*") if path.is_file()]
    assert len(files) < 600


def test_no_template_uses_inline_event_handlers():
    """The CSP forbids inline script, so onclick/onsubmit/onchange would silently do nothing:
    behaviour is wired in static/opsteam/app.js by data attributes instead."""
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    handler = re.compile(r"\son[a-z]+\s*=\s*[\"']", re.IGNORECASE)
    offenders = [
        f"{path.relative_to(root)}:{number}"
        for path in root.rglob("templates/**/*.html")
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if handler.search(line)
    ]

    assert not offenders, offenders
