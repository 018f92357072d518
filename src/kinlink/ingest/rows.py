"""From a decoded file to typed rows: header check, per-row typing, quarantine decisions.

Shared by ``kinlink ingest`` (which writes the result) and ``kinlink sources check`` (which
only reports it), so that a definition that checks clean is one that loads clean.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from kinlink.ingest.converters import Converter, converter_for
from kinlink.ingest.identity_fields import person_fields, slot_own_columns, slot_present
from kinlink.ingest.models import RawTable, RowProblem
from kinlink.sources.models import FeedDefinition, PersonSlot


@dataclass
class HeaderMap:
    """Where each declared column sits in the file, and what does not fit."""

    index: dict[str, int]
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def header_map(definition: FeedDefinition, header: list[str]) -> HeaderMap:
    """Match the file's header to the definition's columns (case-insensitive, any order)."""
    declared = {c.lower(): c for c in definition.columns}
    ignored = {c.lower() for c in definition.ignore_columns}
    index: dict[str, int] = {}
    problems: list[str] = []
    warnings: list[str] = []
    seen: set[str] = set()
    for position, name in enumerate(header):
        key = name.lower()
        if key in seen:
            problems.append(f"column '{name}' appears more than once in the header")
            continue
        seen.add(key)
        if key in declared:
            index[declared[key]] = position
        elif key not in ignored:
            problems.append(
                f"unknown column '{name}' (position {position + 1}): not declared in the "
                f"'{definition.feed}' definition; declare it in 'columns' or 'ignore_columns'"
            )
    for column, spec in definition.columns.items():
        if column in index:
            continue
        if spec.required:
            problems.append(f"missing required column '{column}'")
        else:
            warnings.append(f"column '{column}' is absent; its values are treated as blank")
    return HeaderMap(index, problems, warnings)


@dataclass
class TypedRow:
    """A row that loads: typed values by column and the person slots present in it."""

    row_number: int
    row_hash: str
    values: dict[str, Any]
    persons: list[tuple[PersonSlot, dict[str, Any]]]


@dataclass
class RejectedRow:
    """A row that goes to quarantine, with every problem found in it."""

    row_number: int
    row_hash: str
    cells: list[str]
    problems: list[RowProblem]


def row_hash(cells: list[str]) -> str:
    """Stable hash of a row's raw values (lineage, and exact-duplicate detection)."""
    return hashlib.sha256("\x1f".join(cells).encode("utf-8")).hexdigest()[:32]


class RowTyper:
    """Types the rows of one file against one definition."""

    def __init__(self, definition: FeedDefinition, table: RawTable, headers: HeaderMap) -> None:
        self.definition = definition
        self.table = table
        self.width = len(table.header)
        self.columns: list[tuple[str, int | None, bool, Converter]] = [
            (
                column,
                headers.index.get(column),
                spec.required,
                converter_for(column, spec, typed_source=table.typed_source),
            )
            for column, spec in definition.columns.items()
        ]
        self._first_seen: dict[str, int] = {}
        self._own_columns = slot_own_columns(definition.persons)

    def rows(self) -> Iterator[TypedRow | RejectedRow]:
        """Every data row, in order, as typed or rejected; nothing is skipped."""
        for number, cells in enumerate(self.table.records, start=1):
            yield self._row(number, cells)

    def _row(self, number: int, cells: list[str]) -> TypedRow | RejectedRow:
        digest = row_hash(cells)
        problem = self._shape_problem(number, digest, cells)
        if problem is not None:
            return RejectedRow(number, digest, cells, [problem])
        values, raw_by_column, problems = self._typed_values(cells)
        persons: list[tuple[PersonSlot, dict[str, Any]]] = []
        if not problems:
            for slot in self.definition.persons:
                if not slot_present(self._own_columns[slot.slot], raw_by_column):
                    continue
                fields, slot_problem = person_fields(slot, values)
                if slot_problem is not None:
                    problems.append(slot_problem)
                persons.append((slot, fields))
            if not persons and not problems:
                problems.append(
                    RowProblem(None, "no_person", "no identity column has a value in this row")
                )
        if problems:
            return RejectedRow(number, digest, cells, problems)
        return TypedRow(number, digest, values, persons)

    def _shape_problem(self, number: int, digest: str, cells: list[str]) -> RowProblem | None:
        """Whole-row problems: blank, wrong number of fields, exact duplicate."""
        if not any(c.strip() for c in cells):
            return RowProblem(None, "blank_row", "row is blank")
        if len(cells) != self.width:
            return RowProblem(
                None, "field_count", f"row has {len(cells)} fields but the header has {self.width}"
            )
        if self.definition.quarantine_duplicates:
            first = self._first_seen.setdefault(digest, number)
            if first != number:
                return RowProblem(None, "duplicate_row", f"identical to row {first} of this file")
        return None

    def _typed_values(
        self, cells: list[str]
    ) -> tuple[dict[str, Any], dict[str, str], list[RowProblem]]:
        values: dict[str, Any] = {}
        raw_by_column: dict[str, str] = {}
        problems: list[RowProblem] = []
        for column, position, required, convert in self.columns:
            raw = cells[position].strip() if position is not None else ""
            raw_by_column[column] = raw
            if not raw:
                values[column] = None
                if required:
                    problems.append(
                        RowProblem(column, "missing_value", f"required '{column}' is blank")
                    )
                continue
            value, problem = convert(raw)
            values[column] = value
            if problem is not None:
                problems.append(problem)
        return values, raw_by_column, problems
