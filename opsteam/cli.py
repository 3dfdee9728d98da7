"""The ``opsteam`` console script: ``opsteam <command> [args]`` runs a management command.

``opsteam import staff file.xlsx`` and ``opsteam demo --staff 10000`` read naturally; any
Django command (``opsteam migrate``) works too.
"""

import os
import sys

ALIASES = {
    # "opsteam import <kind> <file>" -> the import command
    "import": "import_data",
    "export": "export_data",
    "demo": "load_demo",
}


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "opsteam.settings")
    args = list(sys.argv if argv is None else argv)
    if len(args) > 1:
        command = args[1].replace("-", "_") if args[1] not in ALIASES else ALIASES[args[1]]
        args[1] = command
    from django.core.management import execute_from_command_line

    execute_from_command_line(args)


if __name__ == "__main__":
    main()
