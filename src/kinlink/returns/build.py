"""Building a return: rows in DuckDB, degradation, validation, then the files.

The rows are built by SQL from one assessment run, degraded as the spec says when the
return leaves the council, and validated field by field *before* anything is written: a
return with any problem writes no file at all. Problems name the row, the field and what
is wrong, never the value, because the value may be personal data.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import duckdb

from kinlink.core.errors import KinlinkError
from kinlink.families.tables import table_exists
from kinlink.outcomes.tables import RUNS
from kinlink.returns.models import ReturnField, ReturnSpec
from kinlink.returns.sources import (
    ROW_SOURCES,
    RunContext,
    identity_prepare,
    need_headlines_prepare,
)


class NoAssessment(KinlinkError):
    """The warehouse has no assessment run (or not the one asked for)."""


@dataclass(frozen=True)
class Problem:
    """One validation failure: where, and what kind; never the value."""

    row: int
    field: str
    problem: str

    def __str__(self) -> str:
        return f"row {self.row}, field '{self.field}': {self.problem}"


class ReturnInvalid(KinlinkError):
    """A return that failed validation; nothing was written."""

    def __init__(self, spec: ReturnSpec, problems: list[Problem]) -> None:
        self.spec = spec
        self.problems = problems
        super().__init__(
            f"{spec.label}: {len(problems):,} problem(s); nothing was written:\n  - "
            + "\n  - ".join(str(p) for p in problems)
        )


@dataclass
class BuiltReturn:
    """A validated return: each row's values as text (as the CSV carries them)."""

    spec: ReturnSpec
    run: RunContext
    rows: list[tuple[str | None, ...]] = field(default_factory=list)

    @property
    def columns(self) -> list[str]:
        """Field names, in spec order."""
        return [f.name for f in self.spec.fields]


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _lit(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


_POSTCODE = r"'^[A-Z]{1,2}[0-9][A-Z0-9]? [0-9][A-Z]{2}$'"


def degraded_sql(expression: str, degrade: str | None) -> str:
    """SQL that carries ``expression`` degraded (an unrecognisable postcode becomes blank)."""
    match degrade:
        case "month":
            return f"strftime(CAST({expression} AS DATE), '%Y-%m')"
        case "year":
            return f"year(CAST({expression} AS DATE))"
        case "sector":
            return (
                f"CASE WHEN regexp_matches({expression}, {_POSTCODE}) "
                f"THEN left({expression}, length({expression}) - 2) END"
            )
        case "district":
            return (
                f"CASE WHEN regexp_matches({expression}, {_POSTCODE}) "
                f"THEN split_part({expression}, ' ', 1) END"
            )
        case "initial":
            return f"nullif(upper(left(trim({expression}), 1)), '')"
        case _:
            return expression


def _text_sql(expression: str) -> str:
    """A value as the text the CSV carries: ISO dates, true/false, plain numbers."""
    return f"CAST({expression} AS VARCHAR)"


_TYPE_CHECKS = {
    "integer": ("regexp_full_match(v, '-?[0-9]+')", "not a whole number"),
    "decimal": (
        "regexp_full_match(v, '-?[0-9]+(\\.[0-9]+)?')",
        "not a decimal number",
    ),
    "date": (
        "regexp_full_match(v, '[0-9]{4}-[0-9]{2}-[0-9]{2}') AND TRY_CAST(v AS DATE) IS NOT NULL",
        "not a date (YYYY-MM-DD)",
    ),
    "boolean": ("v IN ('true', 'false')", "not true or false"),
}


def _checks(spec_field: ReturnField) -> list[tuple[str, str]]:
    """(SQL condition that marks a problem on text ``v``, what is wrong), for one field."""
    blank = "(v IS NULL OR trim(v) = '')"
    checks = []
    if spec_field.required:
        checks.append((blank, "required but blank"))
    present = f"NOT {blank}"
    if spec_field.type in _TYPE_CHECKS:
        ok, message = _TYPE_CHECKS[spec_field.type]
        checks.append((f"{present} AND NOT coalesce({ok}, FALSE)", message))
    if spec_field.max_length is not None:
        checks.append(
            (
                f"{present} AND length(v) > {spec_field.max_length}",
                f"longer than {spec_field.max_length} characters",
            )
        )
    if spec_field.codes:
        codes = "[" + ", ".join(_lit(c) for c in spec_field.codes) + "]"
        if spec_field.multiple:
            condition = f"{present} AND NOT list_has_all({codes}, string_split(v, ';'))"
            checks.append((condition, "has a value that is not an allowed code"))
        else:
            checks.append((f"{present} AND NOT list_contains({codes}, v)", "not an allowed code"))
    if spec_field.pattern is not None:
        checks.append(
            (
                f"{present} AND NOT regexp_full_match(v, {_lit(spec_field.pattern)})",
                "does not match the field's pattern",
            )
        )
    return checks


def run_resolve(con: duckdb.DuckDBPyConnection, run_id: str | None = None) -> RunContext:
    """The assessment run asked for, or the latest one."""
    if not table_exists(con, RUNS):
        raise NoAssessment("no assessment run in this warehouse yet: assess the families first")
    if run_id is None:
        found = con.execute(
            f"SELECT run_id, as_of FROM {RUNS} ORDER BY finished_at DESC, run_id DESC LIMIT 1"
        ).fetchone()
        if found is None:
            raise NoAssessment("no assessment run in this warehouse yet: assess the families first")
    else:
        found = con.execute(
            f"SELECT run_id, as_of FROM {RUNS} WHERE run_id = ?", [run_id]
        ).fetchone()
        if found is None:
            raise NoAssessment(f"no assessment run '{run_id}' in this warehouse")
    run_found, as_of = found
    return RunContext(
        run_id=str(run_found),
        as_of=as_of if isinstance(as_of, date) else date.fromisoformat(str(as_of)),
    )


def rows_build(con: duckdb.DuckDBPyConnection, spec: ReturnSpec, run: RunContext) -> None:
    """Build ``_rt_out`` (``_row`` plus each field as text) for ``spec`` from ``run``."""
    source = ROW_SOURCES[spec.rows]
    need_headlines_prepare(con, run)
    if source.identity_scope is not None:
        identity_prepare(con, source.identity_scope(run))
    selects = []
    for spec_field in spec.fields:
        value = f"s.{_quote(spec_field.source)}"
        if spec.leaves_council:
            value = degraded_sql(value, spec_field.degrade)
        selects.append(f"{_text_sql(value)} AS {_quote(spec_field.name)}")
    order = ", ".join(f"s.{_quote(c)}" for c in source.order_by)
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE _rt_out AS
        SELECT row_number() OVER (ORDER BY {order}) AS _row, {", ".join(selects)}
        FROM ({source.sql(run)}) s"""
    )


def rows_validate(con: duckdb.DuckDBPyConnection, spec: ReturnSpec) -> list[Problem]:
    """Every problem in ``_rt_out``, by row then field order."""
    parts = []
    for index, spec_field in enumerate(spec.fields):
        for check_index, (condition, message) in enumerate(_checks(spec_field)):
            parts.append(
                f"SELECT _row, {index} AS field_order, {check_index} AS check_order, "
                f"{_lit(spec_field.name)} AS field, {_lit(message)} AS problem "
                f"FROM (SELECT _row, {_quote(spec_field.name)} AS v FROM _rt_out) WHERE {condition}"
            )
    if not parts:
        return []
    found = con.execute(
        "SELECT _row, field, problem FROM (" + " UNION ALL ".join(parts) + ") "
        "ORDER BY _row, field_order, check_order"
    ).fetchall()
    return [Problem(int(r), str(f), str(p)) for r, f, p in found]


def return_build(
    con: duckdb.DuckDBPyConnection, spec: ReturnSpec, run_id: str | None = None
) -> BuiltReturn:
    """Build and validate a return; raises ``ReturnInvalid`` listing every problem."""
    run = run_resolve(con, run_id)
    rows_build(con, spec, run)
    problems = rows_validate(con, spec)
    if problems:
        raise ReturnInvalid(spec, problems)
    columns = ", ".join(_quote(f.name) for f in spec.fields)
    rows = con.execute(f"SELECT {columns} FROM _rt_out ORDER BY _row").fetchall()
    return BuiltReturn(spec=spec, run=run, rows=[tuple(r) for r in rows])
