"""``python -m kinlink.portal publish``: the same service as ``kinlink publish``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from kinlink.core.settings import settings_load
from kinlink.portal.publish import publish_run


class Command(BaseCommand):
    help = "Publish the linked, assessed warehouse into the portal database."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--warehouse", type=Path, default=None)
        parser.add_argument("--force", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        result = publish_run(
            warehouse=options["warehouse"] or settings_load().warehouse_path,
            force=options["force"],
        )
        self.stdout.write(f"publish {result.run_id}: skipped={result.skipped} {result.counts}")
