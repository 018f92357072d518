"""Loading the agreements and purposes registry, checked against the source definitions."""

from __future__ import annotations

from collections.abc import Iterable
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from kinlink.core.errors import KinlinkError
from kinlink.governance.models import Agreement, Purpose, Registry
from kinlink.sources.models import FeedDefinition


class RegistryError(KinlinkError):
    """A registry that cannot be used, with every problem listed."""

    def __init__(self, origin: str, problems: list[str]) -> None:
        self.problems = problems
        super().__init__(f"{origin}: invalid governance registry:\n  - " + "\n  - ".join(problems))


def _read(path: Path, key: str) -> list[dict[str, Any]]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise RegistryError(str(path), [f"not valid YAML: {exc}"]) from exc
    if not isinstance(data, dict) or not isinstance(data.get(key), list):
        raise RegistryError(str(path), [f"expected a mapping with a list under '{key}'"])
    return list(data[key])


def _folders(extra: Iterable[Path]) -> list[Path]:
    shipped = Path(str(resources.files("kinlink.governance") / "registry"))
    return [shipped, *extra]


def registry_load(extra_dirs: Iterable[Path] = ()) -> Registry:
    """The shipped registry plus a council's own (same id or code: the council's wins)."""
    agreements: dict[str, Agreement] = {}
    purposes: dict[str, Purpose] = {}
    for folder in _folders(extra_dirs):
        for item in _parsed(folder / "agreements.yaml", "agreements", Agreement):
            assert isinstance(item, Agreement)
            agreements[item.id] = item
        for item in _parsed(folder / "purposes.yaml", "purposes", Purpose):
            assert isinstance(item, Purpose)
            purposes[item.code] = item
    return Registry(agreements=agreements, purposes=purposes)


def _parsed(
    path: Path, key: str, model: type[Agreement] | type[Purpose]
) -> list[Agreement | Purpose]:
    if not path.is_file():
        return []
    problems: list[str] = []
    parsed: list[Agreement | Purpose] = []
    for i, item in enumerate(_read(path, key)):
        try:
            parsed.append(model.model_validate(item))
        except ValidationError as exc:
            problems.extend(
                f"{key}.{i}.{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()
            )
    if problems:
        raise RegistryError(str(path), problems)
    return parsed


def registry_check(registry: Registry, definitions: dict[str, FeedDefinition]) -> list[str]:
    """Every inconsistency between the registry and the source definitions."""
    problems: list[str] = []
    for agreement in registry.agreements.values():
        for purpose in agreement.purposes:
            if purpose not in registry.purposes:
                problems.append(f"agreement {agreement.id}: unknown purpose {purpose!r}")
        for feed in agreement.feeds:
            if feed not in definitions:
                problems.append(f"agreement {agreement.id}: unknown feed {feed!r}")
        if agreement.expires < agreement.signed:
            problems.append(f"agreement {agreement.id}: expires before it was signed")
    for feed, definition in sorted(definitions.items()):
        gov = definition.governance
        covering = registry.agreements.get(gov.agreement)
        if covering is None:
            problems.append(f"feed {feed}: agreement {gov.agreement!r} is not in the registry")
            continue
        if feed not in covering.feeds:
            problems.append(f"feed {feed}: agreement {gov.agreement} does not cover this feed")
        for purpose in gov.purposes:
            if purpose not in covering.purposes:
                problems.append(
                    f"feed {feed}: purpose {purpose!r} is not allowed by agreement {gov.agreement}"
                )
    return problems
