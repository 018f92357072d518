"""Pipeline packages never import Django or the portal; nothing imports the CLI."""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src" / "kinlink"
PIPELINE = [
    "core", "sources", "identity", "ingest", "warehouse", "synth", "linkage", "families", "returns",
]  # fmt: skip


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_pipeline_packages_do_not_import_django_portal_or_cli():
    offenders = []
    for package in PIPELINE:
        for path in (SRC / package).rglob("*.py"):
            for name in _imports(path):
                if name.split(".")[0] == "django" or name.startswith(
                    ("kinlink.portal", "kinlink.cli")
                ):
                    offenders.append(f"{path.relative_to(SRC)} imports {name}")
    assert offenders == []


def test_identity_is_pure():
    for path in (SRC / "identity").rglob("*.py"):
        for name in _imports(path):
            assert name.split(".")[0] not in {"duckdb", "polars", "pyarrow", "os", "pathlib"}, (
                f"{path.name} imports {name}: identity must stay pure"
            )
