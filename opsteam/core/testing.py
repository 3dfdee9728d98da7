"""Pytest plugin loaded with ``-p`` (pyproject addopts) before Django starts: test settings."""

import os

os.environ.setdefault("OPSTEAM_TESTING", "1")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "opsteam.settings")
