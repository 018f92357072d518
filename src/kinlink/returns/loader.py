"""Loading return specs: strict YAML, checked against the row sources when loaded.

A typo (an unknown key, type, row source or field source, a degradation that does not fit
the data) is an error naming the file and every place at fault, never a return that
quietly comes out with an empty column.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from kinlink.core.errors import KinlinkError
from kinlink.core.resources import shipped_yaml
from kinlink.returns.models import ReturnSpec
from kinlink.returns.sources import KIND_DEGRADATIONS, ROW_SOURCES


class SpecError(KinlinkError):
    """A return spec that cannot be used, with every problem listed."""

    def __init__(self, origin: str, problems: list[str]) -> None:
        self.origin = origin
        self.problems = problems
        super().__init__(f"{origin}: invalid return spec:\n  - " + "\n  - ".join(problems))


class UnknownReturn(KinlinkError):
    """No spec of that name."""


def _pydantic_problems(exc: ValidationError, data: dict[str, Any]) -> list[str]:
    problems = []
    for err in exc.errors():
        parts = list(err["loc"])
        # Name a field by its name rather than its index where we can.
        if len(parts) >= 2 and parts[0] == "fields" and isinstance(parts[1], int):
            fields = data.get("fields") or []
            if parts[1] < len(fields) and isinstance(fields[parts[1]], dict):
                parts[1] = f"{parts[1]}({fields[parts[1]].get('name', '?')})"
        loc = ".".join(str(p) for p in parts)
        msg = err["msg"].removeprefix("Value error, ")
        if err["type"] == "literal_error":
            msg = f"{err['input']!r} is not allowed: {msg.lower()}"
        problems.append(f"{loc}: {msg}" if loc else msg)
    return problems


def spec_check(spec: ReturnSpec) -> list[str]:
    """Problems of a schema-valid spec against the row sources (empty when usable)."""
    source = ROW_SOURCES.get(spec.rows)
    if source is None:
        return [f"rows: unknown row source '{spec.rows}' (known: {', '.join(sorted(ROW_SOURCES))})"]
    problems = []
    if source.grain != spec.grain:
        problems.append(
            f"grain: '{spec.grain}' but row source '{source.name}' has one row per {source.grain}"
        )
    for field in spec.fields:
        where = f"fields.{field.name}"
        column = source.column(field.source)
        if column is None:
            known = ", ".join(c.name for c in source.columns)
            problems.append(
                f"{where}.source: '{field.source}' is not a column of '{source.name}' "
                f"(columns: {known})"
            )
            continue
        allowed = KIND_DEGRADATIONS[column.kind]
        if field.degrade is not None and field.degrade not in allowed:
            problems.append(
                f"{where}.degrade: '{field.degrade}' does not apply to '{column.name}' "
                f"(a {column.kind.replace('_', ' ')}; allowed: {', '.join(allowed)})"
            )
        if spec.leaves_council and len(allowed) > 1 and field.degrade is None:
            problems.append(
                f"{where}: carries a {column.kind.replace('_', ' ')} outside the council; say "
                f"how it is degraded (degrade: {', '.join(allowed)})"
            )
    return problems


def spec_parse(text: str, *, origin: str) -> ReturnSpec:
    """Parse and check one spec from YAML text; ``origin`` names it in errors."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise SpecError(origin, [f"not valid YAML: {exc}"]) from exc
    if not isinstance(data, dict):
        raise SpecError(origin, ["expected a mapping at the top level"])
    try:
        spec = ReturnSpec.model_validate(data)
    except ValidationError as exc:
        raise SpecError(origin, _pydantic_problems(exc, data)) from exc
    problems = spec_check(spec)
    if problems:
        raise SpecError(origin, problems)
    return spec


def spec_load(path: Path) -> ReturnSpec:
    """Load one spec file; its ``name`` must be its file name, so it is found by name."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise SpecError(str(path), ["file not found"]) from exc
    spec = spec_parse(text, origin=path.name)
    if spec.name != path.stem:
        raise SpecError(path.name, [f"name: '{spec.name}' must match the file name '{path.stem}'"])
    return spec


def builtin_spec_paths() -> list[Path]:
    """The shipped specs."""
    return shipped_yaml("kinlink.returns", "specs")


def specs_load(extra_dirs: Iterable[Path] = ()) -> dict[str, ReturnSpec]:
    """Shipped specs, then those in ``extra_dirs`` (same name: the later one replaces)."""
    paths = builtin_spec_paths()
    for folder in extra_dirs:
        paths += sorted(p for p in folder.iterdir() if p.suffix in (".yaml", ".yml"))
    specs: dict[str, ReturnSpec] = {}
    for path in paths:
        spec = spec_load(path)
        specs[spec.name] = spec
    return specs


def spec_find(name: str, extra_dirs: Iterable[Path] = ()) -> ReturnSpec:
    """The spec called ``name``."""
    specs = specs_load(extra_dirs)
    if name not in specs:
        raise UnknownReturn(f"no return called '{name}' (known: {', '.join(sorted(specs))})")
    return specs[name]
