"""``python -m kinlink.portal audit verify``: check the audit log's hash chain."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kinlink.portal.audit import audit_verify


class Command(BaseCommand):
    help = "Audit log tools: 'verify' checks the hash chain end to end."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["verify"])

    def handle(self, *args: Any, **options: Any) -> None:
        result = audit_verify()
        if not result.ok:
            raise CommandError(f"audit chain broken at event {result.first_bad}: {result.problem}")
        self.stdout.write(f"audit chain intact: {result.events} events")
