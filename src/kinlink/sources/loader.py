"""Loading source definitions from YAML with errors that say exactly what is wrong where."""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable
from pathlib import Path

import yaml
from pydantic import ValidationError

from kinlink.core.errors import KinlinkError
from kinlink.core.resources import shipped_yaml
from kinlink.sources.models import FeedDefinition


class DefinitionError(KinlinkError):
    """A source definition that cannot be used, with every problem listed."""

    def __init__(self, path: str, problems: list[str]) -> None:
        self.path = path
        self.problems = problems
        super().__init__(f"{path}: invalid source definition:\n  - " + "\n  - ".join(problems))


def _format_validation(exc: ValidationError) -> list[str]:
    problems = []
    for err in exc.errors():
        loc = ".".join(str(part) for part in err["loc"])
        msg = err["msg"].removeprefix("Value error, ")
        problems.append(f"{loc}: {msg}" if loc else msg)
    return problems


def definition_parse(text: str, *, origin: str) -> FeedDefinition:
    """Parse and validate a definition from YAML text; ``origin`` names it in errors."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise DefinitionError(origin, [f"not valid YAML: {exc}"]) from exc
    if not isinstance(data, dict):
        raise DefinitionError(origin, ["expected a mapping at the top level"])
    try:
        return FeedDefinition.model_validate(data)
    except ValidationError as exc:
        raise DefinitionError(origin, _format_validation(exc)) from exc


def definition_load(path: Path) -> FeedDefinition:
    """Load one definition file."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise DefinitionError(str(path), ["file not found"]) from exc
    return definition_parse(text, origin=str(path))


def builtin_definition_paths() -> list[Path]:
    """The reference definitions shipped with Kinlink, one per reference feed."""
    return shipped_yaml("kinlink.sources", "definitions")


def definitions_load(extra_dirs: Iterable[Path] = ()) -> dict[str, FeedDefinition]:
    """Shipped definitions plus a council's own; a council's definition of a feed wins."""
    paths = builtin_definition_paths()
    for folder in extra_dirs:
        paths.extend(sorted(folder.glob("*.y*ml")))
    found: dict[str, FeedDefinition] = {}
    for path in paths:
        definition = definition_load(path)
        found[definition.feed] = definition
    return found


def definition_for_file(
    file_name: str, definitions: dict[str, FeedDefinition]
) -> FeedDefinition | None:
    """The definition whose file patterns match ``file_name`` (most specific pattern wins)."""
    best: tuple[int, FeedDefinition] | None = None
    for definition in definitions.values():
        for pattern in definition.files.patterns:
            if fnmatch.fnmatchcase(file_name.lower(), pattern.lower()):
                score = len(pattern.replace("*", ""))
                if best is None or score > best[0]:
                    best = (score, definition)
    return best[1] if best else None
