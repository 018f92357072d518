"""Loading risk model and feature set definitions: YAML, checked before anything runs.

Feature and label rules are checked by the outcomes framework validator, so a typo in a
feed, field, role or code is an error naming the file and the place in it, never a
feature that silently finds nobody. The validator checks frameworks, so the rules are
wrapped in one (a headline outcome whose needs are the rules) and its messages mapped
back to the feature names.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from kinlink.core.errors import KinlinkError
from kinlink.core.resources import shipped_yaml
from kinlink.outcomes.loader import framework_validate
from kinlink.outcomes.models import Framework, HeadlineOutcome, Need, Rule
from kinlink.risk.features import months_after
from kinlink.risk.models import FeatureSet, ModelDefinition
from kinlink.sources import definitions_load

DEFAULT_FEATURE_SET = "seed-factors"


class RiskDefinitionError(KinlinkError):
    """A model or feature set that cannot be used, with every problem listed."""

    def __init__(self, origin: str, problems: list[str]) -> None:
        self.origin = origin
        self.problems = problems
        super().__init__(f"{origin}: invalid risk definition:\n  - " + "\n  - ".join(problems))


def builtin_definition_paths() -> dict[str, Path]:
    """Shipped definitions (models and feature sets) by name (file stem)."""
    return {p.stem: p for p in shipped_yaml("kinlink.risk", "definitions")}


def builtin_models() -> list[str]:
    """Names of the shipped model definitions."""
    return sorted(
        name for name, path in builtin_definition_paths().items() if "model:" in _head(path)
    )


def _head(path: Path) -> str:
    return "\n".join(
        line for line in path.read_text(encoding="utf-8").splitlines() if not line.startswith("#")
    )[:200]


def _read(name_or_path: str | Path) -> tuple[Path, dict[str, Any]]:
    candidate = Path(name_or_path)
    builtin = builtin_definition_paths()
    if not candidate.is_file():
        if str(name_or_path) not in builtin:
            known = ", ".join(sorted(builtin))
            raise RiskDefinitionError(
                str(name_or_path), [f"no such file or shipped definition ({known})"]
            )
        candidate = builtin[str(name_or_path)]
    try:
        data = yaml.safe_load(candidate.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise RiskDefinitionError(str(name_or_path), [f"not valid YAML: {exc}"]) from exc
    if not isinstance(data, dict):
        raise RiskDefinitionError(str(name_or_path), ["expected a mapping at the top level"])
    return candidate, data


def _format_validation(exc: ValidationError) -> list[str]:
    problems = []
    for err in exc.errors():
        loc = ".".join(str(part) for part in err["loc"] if not str(part).startswith("function-"))
        msg = err["msg"].removeprefix("Value error, ")
        problems.append(f"{loc}: {msg}" if loc else msg)
    return problems


def rules_validate(rules: list[tuple[str, Rule]], sources_dirs: Iterable[Path] = ()) -> list[str]:
    """Problems with the feeds, fields, roles and codes the named rules use."""
    needs = tuple(
        Need(code=f"R{i}", name=where, rule=rule) for i, (where, rule) in enumerate(rules)
    )
    wrapper = Framework(
        framework="risk-rules",
        version="0",
        title="rules of a risk definition",
        headline_outcomes=(HeadlineOutcome(code="RISK", name="risk", needs=needs),),
    )
    problems = framework_validate(wrapper, definitions_load(sources_dirs))
    mapped = []
    for problem in problems:
        for i, (where, _) in reversed(list(enumerate(rules))):
            prefix = f"headline_outcomes.0.needs.{i}.rule"
            if problem.startswith(prefix):
                problem = where + problem[len(prefix) :]
                break
        mapped.append(problem)
    return mapped


def _validated(cls: type[BaseModel], data: dict[str, Any], origin: str) -> Any:
    try:
        return cls.model_validate(data)
    except ValidationError as exc:
        raise RiskDefinitionError(origin, _format_validation(exc)) from exc


def feature_set_load(
    name_or_path: str | Path = DEFAULT_FEATURE_SET, *, sources_dirs: Iterable[Path] = ()
) -> FeatureSet:
    """A shipped feature set by name, or a feature set file, validated."""
    _, data = _read(name_or_path)
    features: FeatureSet = _validated(FeatureSet, data, str(name_or_path))
    problems = rules_validate(
        [(f"features.{f.name}.rule", f.rule) for f in features.features], sources_dirs
    )
    if problems:
        raise RiskDefinitionError(str(name_or_path), problems)
    return features


def model_load(
    name_or_path: str | Path, *, sources_dirs: Iterable[Path] = ()
) -> tuple[ModelDefinition, FeatureSet]:
    """A shipped model by name, or a model file, validated with its feature set."""
    path, data = _read(name_or_path)
    origin = str(name_or_path)
    model: ModelDefinition = _validated(ModelDefinition, data, origin)
    sources_dirs = list(sources_dirs)
    set_ref = model.feature_set
    sibling = path.parent / f"{set_ref}.yaml"
    features = feature_set_load(
        sibling if sibling.is_file() else set_ref, sources_dirs=sources_dirs
    )
    known = {f.name for f in features.features}
    problems = [
        f"features: {name!r} is not a feature of {features.feature_set}"
        for name in model.features
        if name not in known
    ]
    if model.evaluation.simple_rule not in known:
        problems.append(
            f"evaluation.simple_rule: {model.evaluation.simple_rule!r} is not a feature of "
            f"{features.feature_set}"
        )
    latest_train = max(model.evaluation.train_as_of)
    if months_after(latest_train, model.label.horizon_months) > model.evaluation.holdout_as_of:
        problems.append(
            "evaluation.train_as_of: a training label window (as-of date plus "
            f"{model.label.horizon_months} months) runs past holdout_as_of: the hold-out "
            "would not be later than everything the model learnt from"
        )
    problems += rules_validate([("label.rule", model.label.rule)], sources_dirs)
    if problems:
        raise RiskDefinitionError(origin, problems)
    return model, features


def definition_fingerprint(model: ModelDefinition, features: FeatureSet) -> str:
    """SHA-256 (first 16 hex) of the model and the features it uses: versions record it."""
    used = [f.model_dump(mode="json") for f in features.features if f.name in model.features]
    used.append(features.feature(model.evaluation.simple_rule).model_dump(mode="json"))
    text = json.dumps({"model": model.model_dump(mode="json"), "features": used}, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:16]
