"""Configuration files shipped inside Kinlink's packages (definitions, frameworks, specs)."""

from __future__ import annotations

from importlib import resources
from pathlib import Path


def shipped_yaml(package: str, folder: str) -> list[Path]:
    """The YAML files in a package's folder, sorted, as paths."""
    root = resources.files(package) / folder
    return sorted(Path(str(p)) for p in root.iterdir() if p.name.endswith((".yaml", ".yml")))
