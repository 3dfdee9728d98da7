"""The zh-hans catalogue is complete, compiled, and covers every string in the code."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.utils import translation

LOCALE = Path(settings.BASE_DIR) / "opsteam" / "locale"
ZH_PO = LOCALE / "zh_Hans" / "LC_MESSAGES" / "django.po"
ZH_MO = ZH_PO.with_suffix(".mo")


def test_every_entry_is_translated_and_none_is_fuzzy():
    catalogue = polib.pofile(str(ZH_PO))

    untranslated = [entry.msgid for entry in catalogue.untranslated_entries()]
    fuzzy = [entry.msgid for entry in catalogue.fuzzy_entries()]

    assert not untranslated, f"untranslated: {untranslated[:20]}"
    assert not fuzzy, f"fuzzy: {fuzzy[:20]}"


def test_compiled_catalogue_matches_the_source():
    source = {
        (e.msgctxt, e.msgid): (e.msgstr or e.msgstr_plural)
        for e in polib.pofile(str(ZH_PO))
        if not e.obsolete
    }
    compiled = {
        (e.msgctxt, e.msgid): (e.msgstr or e.msgstr_plural)
        for e in polib.mofile(str(ZH_MO))
        if e.msgid
    }

    stale = sorted(str(key[1]) for key in source if compiled.get(key) != source[key])

    assert not stale, f"run `make messages`: the .mo differs for {stale[:10]}"


def test_pages_speak_chinese_by_default_and_english_on_request(client_as, settings):
    settings.LANGUAGE_CODE = "zh-hans"  # the product default (tests otherwise run in English)
    client = client_as("hr")

    chinese = client.get("/org/staff/").content.decode()
    english = client.get("/org/staff/", HTTP_ACCEPT_LANGUAGE="en").content.decode()

    with translation.override("zh-hans"):
        assert translation.gettext("Staff") != "Staff"
        assert translation.gettext("Staff") in chinese
    assert "Staff" in english


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="GNU gettext is not installed")
def test_catalogue_covers_every_translatable_string_in_the_code(tmp_path):
    # given a copy of the package, re-extract the strings the code marks for translation
    copy = tmp_path / "opsteam"
    shutil.copytree(
        Path(settings.BASE_DIR) / "opsteam",
        copy,
        ignore=shutil.ignore_patterns("__pycache__", "*.mo", "tests"),
    )
    env = {
        **os.environ,
        "PYTHONPATH": str(settings.BASE_DIR),
        "OPSTEAM_DEBUG": "1",
        "DJANGO_SETTINGS_MODULE": "opsteam.settings",
    }
    # makemessages writes into LOCALE_PATHS: point it at the copy, never at the real catalogue
    script = (
        "import django, sys; django.setup(); from django.conf import settings; "
        "settings.LOCALE_PATHS = [sys.argv[1]]; from django.core.management import call_command; "
        "call_command('makemessages', locale=['zh_Hans'], no_location=True, ignore_patterns=['tests/*'], verbosity=0)"
    )
    # -P: keep the copy off sys.path, or opsteam/celery.py would shadow the celery package
    result = subprocess.run(
        [sys.executable, "-P", "-c", script, str(copy / "locale")],
        cwd=copy,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr

    # then every extracted string is in the committed catalogue, translated
    fresh = polib.pofile(str(copy / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"))
    committed = {(e.msgctxt, e.msgid): e for e in polib.pofile(str(ZH_PO))}
    missing = sorted(
        e.msgid
        for e in fresh
        if (e.msgctxt, e.msgid) not in committed or not committed[(e.msgctxt, e.msgid)].translated()
    )
    assert not missing, f"run `make messages` and translate: {missing[:20]}"


def test_no_message_is_translated_once_at_import_time():
    """``gettext`` outside a function runs at import, in whatever language is active then,
    and every later user would read that language: module-level messages use gettext_lazy."""
    import ast

    eager_names = {"gettext", "ngettext", "pgettext"}
    found = []
    for path in (Path(settings.BASE_DIR) / "opsteam").rglob("*.py"):
        if "tests" in path.parts or "migrations" in path.parts:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        eager = {
            alias.asname or alias.name
            for node in tree.body
            if isinstance(node, ast.ImportFrom) and node.module == "django.utils.translation"
            for alias in node.names
            if alias.name in eager_names
        }
        pending = [
            n for n in tree.body if not isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)
        ]
        while pending:
            node = pending.pop()
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
                continue
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) in eager:
                found.append(f"{path.name}:{node.lineno}")
            pending.extend(ast.iter_child_nodes(node))
    assert not found, found
