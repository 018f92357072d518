"""Settings come from the environment so that no path or secret lives in the code."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Settings:
    """Where Kinlink keeps its data; every value can be overridden by an environment variable."""

    data_dir: Path
    warehouse_path: Path


def settings_load(environ: dict[str, str] | None = None) -> Settings:
    """Read settings from the environment (``KINLINK_DATA_DIR``, ``KINLINK_WAREHOUSE``).

    >>> settings_load({"KINLINK_DATA_DIR": "council-data"}).warehouse_path.name
    'warehouse.duckdb'
    """
    env = os.environ if environ is None else environ
    data_dir = Path(env.get("KINLINK_DATA_DIR", "data"))
    warehouse = Path(env.get("KINLINK_WAREHOUSE", str(data_dir / "warehouse.duckdb")))
    return Settings(data_dir=data_dir, warehouse_path=warehouse)
