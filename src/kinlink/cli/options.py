"""Options shared by several commands, declared once so their help reads the same."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from kinlink.core.settings import settings_load

WarehouseOption = Annotated[
    Path | None,
    typer.Option(
        "--warehouse",
        help="DuckDB warehouse file (default: $KINLINK_WAREHOUSE or data/warehouse.duckdb).",
    ),
]


def warehouse_path(path: Path | None) -> Path:
    """The warehouse given on the command line, or the configured one."""
    return path or settings_load().warehouse_path


GovernanceOption = Annotated[
    list[Path] | None,
    typer.Option(
        "--governance",
        help="Folder with the council's agreements.yaml / purposes.yaml (repeatable; "
        "entries with the same id replace the shipped ones).",
    ),
]
