"""Loading frameworks: YAML, local plans that extend a national framework, and validation.

A framework is checked against the source definitions when it is loaded, so a typo in a
feed, field or code name is an error naming the file and the place in it, never a rule
that silently finds nobody. A local plan (``extends:``) may refine the national
framework's needs (same code: replaced), add needs under the ten headline outcomes, drop
needs and change the counting rule; it may not invent an eleventh headline outcome.
"""

from __future__ import annotations

import copy
import hashlib
import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from kinlink.core.errors import KinlinkError
from kinlink.core.resources import shipped_yaml
from kinlink.outcomes.models import (
    WINDOW_PATTERN,
    AllOf,
    AnyOf,
    EpisodesRule,
    EventsRule,
    FeedRule,
    Framework,
    LatestRule,
    RatioRule,
    Rule,
)
from kinlink.sources import definitions_load
from kinlink.sources.models import FeedDefinition
from kinlink.warehouse.schema import FACT_TABLES, fact_table_columns

DEFAULT_FRAMEWORK = "supporting-families-2022"


class FrameworkError(KinlinkError):
    """A framework that cannot be used, with every problem listed."""

    def __init__(self, origin: str, problems: list[str]) -> None:
        self.origin = origin
        self.problems = problems
        super().__init__(f"{origin}: invalid outcomes framework:\n  - " + "\n  - ".join(problems))


def builtin_framework_paths() -> dict[str, Path]:
    """Shipped frameworks by name (file stem)."""
    return {p.stem: p for p in shipped_yaml("kinlink.outcomes", "frameworks")}


def _read(path: Path) -> dict[str, Any]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise FrameworkError(str(path), ["file not found"]) from exc
    except yaml.YAMLError as exc:
        raise FrameworkError(str(path), [f"not valid YAML: {exc}"]) from exc
    if not isinstance(data, dict):
        raise FrameworkError(str(path), ["expected a mapping at the top level"])
    return data


def _resolve(name_or_path: str, relative_to: Path | None = None) -> Path:
    candidate = Path(name_or_path)
    if relative_to is not None and not candidate.is_absolute():
        sibling = relative_to.parent / name_or_path
        if sibling.is_file():
            return sibling
    if candidate.is_file():
        return candidate
    builtin = builtin_framework_paths()
    stem = candidate.stem if candidate.suffix in (".yaml", ".yml") else name_or_path
    if stem in builtin:
        return builtin[stem]
    known = ", ".join(sorted(builtin))
    raise FrameworkError(name_or_path, [f"no such framework file or shipped framework ({known})"])


def _merge(base: dict[str, Any], plan: dict[str, Any], origin: str) -> dict[str, Any]:
    """The base framework refined by a local plan, as plain data (validated afterwards)."""
    merged = copy.deepcopy(base)
    problems: list[str] = []
    for key, value in plan.items():
        if key in ("eligibility", "ages", "calendar", "claims") and isinstance(value, dict):
            merged[key] = {**merged.get(key, {}), **value}
        elif key not in ("headline_outcomes", "drop_needs", "extends"):
            merged[key] = value
    headlines = {h.get("code"): h for h in merged.get("headline_outcomes", [])}
    for i, local in enumerate(plan.get("headline_outcomes", []) or []):
        code = local.get("code") if isinstance(local, dict) else None
        if code not in headlines:
            problems.append(
                f"headline_outcomes.{i}.code: {code!r} is not a headline outcome of the "
                f"framework it extends ({', '.join(str(c) for c in headlines)})"
            )
            continue
        target = headlines[code]
        for key in ("name", "aliases"):
            if key in local:
                target[key] = local[key]
        needs = {n.get("code"): n for n in target.get("needs", [])}
        for need in local.get("needs", []) or []:
            needs[need.get("code")] = need
        target["needs"] = list(needs.values())
    dropped = set(plan.get("drop_needs", []) or [])
    known = {n.get("code") for h in headlines.values() for n in h.get("needs", [])}
    for code in sorted(dropped - known):
        problems.append(f"drop_needs: {code!r} is not a need of the framework")
    for h in headlines.values():
        h["needs"] = [n for n in h.get("needs", []) if n.get("code") not in dropped]
    merged["headline_outcomes"] = list(headlines.values())
    merged["extends"] = plan.get("extends")
    if problems:
        raise FrameworkError(origin, problems)
    return merged


def _format_validation(exc: ValidationError) -> list[str]:
    problems = []
    for err in exc.errors():
        loc = ".".join(str(part) for part in err["loc"] if not str(part).startswith("function-"))
        msg = err["msg"].removeprefix("Value error, ")
        problems.append(f"{loc}: {msg}" if loc else msg)
    return problems


class _Fields:
    """Field-name checks against one feed's fact table."""

    def __init__(self, checker: _Checker, where: str, definition: FeedDefinition) -> None:
        self.checker = checker
        self.where = where
        self.definition = definition
        self.columns = {c.name: c for c in fact_table_columns(definition.target)}

    def check(self, name: str | None, label: str, kinds: tuple[str, ...] = ()) -> bool:
        """Whether ``name`` is a field of the feed (of one of ``kinds``); records why not."""
        if name is None:
            return False
        column = self.columns.get(name)
        if column is None:
            known = ", ".join(c for c in self.columns if c in self.definition.facts)
            self.checker.problems.append(
                f"{self.where}.{label}: {self.definition.feed!r} has no field {name!r} "
                f"(fields: {known})"
            )
            return False
        if kinds and column.sql_type not in kinds:
            self.checker.problems.append(
                f"{self.where}.{label}: field {name!r} is {column.sql_type}, not "
                + " or ".join(kinds)
            )
            return False
        return True


class _Checker:
    """Checks names in rules against the source definitions and the warehouse contract."""

    def __init__(self, definitions: dict[str, FeedDefinition]) -> None:
        self.definitions = definitions
        self.problems: list[str] = []

    def feed(self, where: str, rule: FeedRule, *, success: bool) -> None:
        definition = self.definitions.get(rule.feed)
        if definition is None:
            known = ", ".join(sorted(self.definitions))
            self.problems.append(f"{where}.feed: unknown feed {rule.feed!r} (known: {known})")
            return
        if definition.target not in FACT_TABLES:
            self.problems.append(f"{where}.feed: feed {rule.feed!r} loads no fact table")
            return
        fields = _Fields(self, where, definition)
        for name, codes in rule.where.items():
            if not fields.check(name, f"where.{name}"):
                continue
            if isinstance(codes, bool):
                fields.check(name, f"where.{name}", ("BOOLEAN",))
            else:
                self._codes(where, definition, name, codes)
        roles = {slot.role for slot in definition.persons}
        for role in rule.roles:
            if role not in roles:
                self.problems.append(
                    f"{where}.roles: {rule.feed!r} has no person role {role!r} "
                    f"(roles: {', '.join(sorted(roles))})"
                )
        if rule.window == "since closure" and not success:
            self.problems.append(f"{where}.window: 'since closure' only applies to success rules")
        self._kind_fields(where, rule, definition, fields)

    def _kind_fields(
        self, where: str, rule: FeedRule, definition: FeedDefinition, fields: _Fields
    ) -> None:
        numbers = ("INTEGER", "BIGINT", "DOUBLE")
        for name in getattr(rule, "distinct_on", ()):
            fields.check(name, "distinct_on")
        if isinstance(rule, EventsRule):
            fields.check(rule.date, "date", ("DATE",))
            if rule.date is None and observed_field(definition) is None:
                self.problems.append(f"{where}.date: {rule.feed!r} has no observed date; name one")
        elif isinstance(rule, EpisodesRule):
            fields.check(rule.start, "start", ("DATE",))
            fields.check(rule.end, "end", ("DATE",))
        elif isinstance(rule, RatioRule):
            for name in rule.numerator:
                fields.check(name, "numerator", numbers)
            fields.check(rule.denominator, "denominator", numbers)
            fields.check(rule.year_field, "year_field", ("VARCHAR",))
            fields.check(rule.term_field, "term_field", ("VARCHAR",))
            fields.check(rule.date, "date", ("DATE",))
            match = WINDOW_PATTERN.match(rule.window)
            if match and match.group(2) and not match.group(2).startswith("term"):
                self.problems.append(f"{where}.window: a ratio rule's window is in terms")
        elif isinstance(rule, LatestRule):
            fields.check(rule.date, "date", ("DATE",))
            if fields.check(rule.field, "field"):
                self._codes(where, definition, rule.field, rule.values)

    def _codes(
        self, where: str, definition: FeedDefinition, field: str, codes: Iterable[str]
    ) -> None:
        source_column = definition.facts.get(field)
        spec = definition.columns.get(source_column) if source_column else None
        if spec is None or spec.type != "code" or spec.allow_unknown_codes:
            return  # an open list: `kinlink outcomes check` reports codes never seen in data
        allowed = set(spec.codes.values())
        for code in codes:
            if code not in allowed:
                self.problems.append(
                    f"{where}.where.{field}: {code!r} is not a code of {definition.feed}.{field} "
                    f"(codes: {', '.join(sorted(allowed))})"
                )

    def rule(self, where: str, rule: Rule, *, success: bool) -> None:
        if isinstance(rule, AnyOf):
            for i, part in enumerate(rule.any_of):
                self.rule(f"{where}.any_of.{i}", part, success=success)
        elif isinstance(rule, AllOf):
            for i, part in enumerate(rule.all_of):
                self.rule(f"{where}.all_of.{i}", part, success=success)
        else:
            self.feed(where, rule, success=success)
            bound = getattr(rule, "at_most", None)
            if not success and bound is not None:
                self.problems.append(
                    f"{where}.at_most: a need is evidenced by what happened; at_most belongs "
                    "in success measures"
                )


def observed_field(definition: FeedDefinition) -> str | None:
    """The fact field that holds the date a row describes, if the feed declares one."""
    if definition.observed_date is None:
        return None
    for fact, column in definition.facts.items():
        if column == definition.observed_date:
            return fact
    return None


def framework_validate(framework: Framework, definitions: dict[str, FeedDefinition]) -> list[str]:
    """Every problem with the names a framework uses; empty when it can run."""
    checker = _Checker(definitions)
    seen: dict[str, str] = {}
    aliases: dict[str, str] = {}
    for h_index, headline in enumerate(framework.headline_outcomes):
        for alias in (headline.code, *headline.aliases):
            key = alias.casefold()
            if key in aliases and aliases[key] != headline.code:
                checker.problems.append(
                    f"headline_outcomes.{h_index}.aliases: {alias!r} already names {aliases[key]}"
                )
            aliases[key] = headline.code
        for n_index, need in enumerate(headline.needs):
            where = f"headline_outcomes.{h_index}.needs.{n_index}"
            if need.code in seen:
                checker.problems.append(
                    f"{where}.code: {need.code} is already a need under {seen[need.code]}"
                )
            seen[need.code] = headline.code
            checker.rule(f"{where}.rule", need.rule, success=False)
            if need.success is not None:
                checker.rule(f"{where}.success", need.success, success=True)
    if framework.eligibility.expectant_parent is not None:
        checker.rule("eligibility.expectant_parent", framework.eligibility.expectant_parent,
                     success=False)  # fmt: skip
    if framework.claims.episode_feed not in definitions:
        checker.problems.append(
            f"claims.episode_feed: unknown feed {framework.claims.episode_feed!r}"
        )
    if not seen:
        checker.problems.append("headline_outcomes: the framework defines no needs")
    return checker.problems


def _framework_data(path: Path, origin: str, seen: tuple[Path, ...]) -> dict[str, Any]:
    data = _read(path)
    if not data.get("extends"):
        return data
    base_path = _resolve(str(data["extends"]), relative_to=path)
    if base_path in seen:
        raise FrameworkError(origin, [f"extends: {data['extends']!r} leads back to itself"])
    base = _framework_data(base_path, origin, (*seen, base_path))
    return _merge(base, data, origin)


def framework_load(
    name_or_path: str | Path = DEFAULT_FRAMEWORK, *, sources_dirs: Iterable[Path] = ()
) -> Framework:
    """A shipped framework by name, or a framework / local plan file, validated."""
    path = _resolve(str(name_or_path))
    origin = str(name_or_path)
    data = _framework_data(path, origin, (path,))
    try:
        framework = Framework.model_validate(data)
    except ValidationError as exc:
        raise FrameworkError(origin, _format_validation(exc)) from exc
    problems = framework_validate(framework, definitions_load(sources_dirs))
    if problems:
        raise FrameworkError(origin, problems)
    return framework


def framework_fingerprint(framework: Framework) -> str:
    """SHA-256 (first 16 hex) of the resolved framework: runs record it."""
    text = json.dumps(framework.model_dump(mode="json"), sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:16]
