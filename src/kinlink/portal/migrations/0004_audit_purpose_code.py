"""Every audit row carries the session's purpose code (from the governance registry).

On SQLite, adding a column may rebuild the table, which drops its triggers: the
append-only triggers are created again (``IF NOT EXISTS``) afterwards.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

from django.db import migrations, models


def triggers_again(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "sqlite":
        append_only = import_module("kinlink.portal.migrations.0002_audit_append_only")
        for statement in append_only.SQLITE:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("portal", "0003_profile_may_export")]

    operations = [
        migrations.AddField(
            model_name="auditevent",
            name="purpose_code",
            field=models.CharField(
                blank=True, db_default="", db_index=True, default="", max_length=60
            ),
        ),
        migrations.RunPython(triggers_again, migrations.RunPython.noop),
    ]
