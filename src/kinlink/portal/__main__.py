"""``python -m kinlink.portal <command>``: Django's manage, with dev settings by default."""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kinlink.portal.settings.dev")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["python -m kinlink.portal", *(argv or sys.argv[1:])])


if __name__ == "__main__":
    main()
