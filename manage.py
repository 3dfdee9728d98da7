#!/usr/bin/env python
"""Django's command-line utility; the `opsteam` console script wraps it."""

import os
import secrets
import sys

# Commands that only compare the models with the migration files: they sign and serve nothing,
# so they run without the production secret key (a throwaway one for this process).
KEYLESS_COMMANDS = {"makemigrations", "showmigrations", "sqlmigrate"}


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "opsteam.settings")
    if len(sys.argv) > 1 and sys.argv[1] in KEYLESS_COMMANDS:
        os.environ.setdefault("OPSTEAM_SECRET_KEY", secrets.token_urlsafe(50))
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
