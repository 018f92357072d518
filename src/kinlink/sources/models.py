"""Source definitions: how one partner feed's files map onto the warehouse.

A council adds a feed in another layout by writing one of these in YAML, not Python. The
model is strict (unknown keys are errors) so that a typo in a definition is reported when
it is loaded rather than silently ignored.
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from kinlink.warehouse.schema import FACT_TABLES, IDENTITY_FIELDS

ColumnType = Literal["string", "integer", "date", "boolean", "code", "list"]
Sensitivity = Literal[
    "education",
    "early_help",
    "social_care",
    "youth_justice",
    "police",
    "police_intelligence",
    "domestic_abuse",
    "health",
    "exploitation",
    "housing_benefits",
    "employment",
]

_SQL_FOR_TYPE: dict[str, str] = {
    "string": "VARCHAR",
    "code": "VARCHAR",
    "integer": "INTEGER",
    "date": "DATE",
    "boolean": "BOOLEAN",
    "list": "VARCHAR[]",
}

_IDENTIFIER = re.compile(r"^[a-z][a-z0-9_]*$")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ColumnSpec(_Strict):
    """How to read and check one column of the file."""

    type: ColumnType = "string"
    required: bool = Field(False, description="A blank value quarantines the row")
    formats: tuple[str, ...] = Field((), description="strptime formats for dates, tried in order")
    codes: dict[str, str] = Field(
        default_factory=dict, description="Raw value -> canonical code (case-insensitive)"
    )
    allow_unknown_codes: bool = False
    true_values: tuple[str, ...] = ("Y", "YES", "T", "TRUE", "1")
    false_values: tuple[str, ...] = ("N", "NO", "F", "FALSE", "0")
    minimum: int | None = None
    maximum: int | None = None
    pattern: str | None = Field(None, description="Regular expression a string must match")
    separator: str = ";"
    description: str = ""

    @model_validator(mode="after")
    def _type_options_fit(self) -> ColumnSpec:
        if self.type == "date" and not self.formats:
            raise ValueError("a date column needs 'formats', e.g. ['%Y-%m-%d', '%d/%m/%Y']")
        if self.type == "code" and not self.codes:
            raise ValueError("a code column needs 'codes' (raw value -> canonical code)")
        if self.pattern is not None:
            try:
                re.compile(self.pattern)
            except re.error as exc:
                raise ValueError(f"pattern is not a valid regular expression: {exc}") from exc
        return self

    @property
    def sql_type(self) -> str:
        """The DuckDB type values of this column become."""
        return _SQL_FOR_TYPE[self.type]


class PersonSlot(_Strict):
    """One person a row is about: which columns carry their identity."""

    slot: str = Field("", description="'' for single-person rows; victim, child_1, member_3, ...")
    role: str = Field(..., description="The person's role in the row (pupil, victim, ...)")
    source_id_kind: str | None = Field(None, description="Name of the system id, if mapped")
    identity: dict[str, str | tuple[str, ...]] = Field(
        ..., description="Identity field -> column (or columns joined with ', ' for addresses)"
    )

    @field_validator("identity")
    @classmethod
    def _identity_fields_known(
        cls, value: dict[str, str | tuple[str, ...]]
    ) -> dict[str, str | tuple[str, ...]]:
        unknown = sorted(set(value) - set(IDENTITY_FIELDS))
        if unknown:
            raise ValueError(
                f"unknown identity field(s) {unknown}; allowed: {', '.join(IDENTITY_FIELDS)}"
            )
        if not value:
            raise ValueError("a person slot needs at least one identity column")
        return value

    def identity_columns(self) -> tuple[str, ...]:
        """Every file column this slot reads."""
        cols: list[str] = []
        for mapped in self.identity.values():
            cols.extend((mapped,) if isinstance(mapped, str) else mapped)
        return tuple(cols)


class FilesSpec(_Strict):
    """Which files belong to the feed and how they are encoded."""

    patterns: tuple[str, ...] = Field(..., min_length=1, description="Glob patterns on file names")
    format: Literal["auto", "csv", "xlsx", "parquet"] = "auto"
    encodings: tuple[str, ...] = Field(
        ("utf-8",), description="Text encodings to try in order (a BOM always wins)"
    )
    delimiter: str = ","
    sheet: str | None = Field(None, description="Worksheet name for spreadsheets (default first)")
    extract_key: Literal["file_name", "file_stem"] = Field(
        "file_name", description="A later file with the same key replaces the earlier extract"
    )


class Governance(_Strict):
    """Why Kinlink may hold this feed, and for how long."""

    controller: str
    legal_basis: str
    agreement: str = Field(..., description="Data-sharing agreement reference")
    retention_months: int = Field(..., gt=0)
    quarantine_months: int = Field(
        6,
        gt=0,
        description="How long a quarantined row (raw values never loaded) is kept for the "
        "partner to correct and resend, counted from the load of its file",
    )
    purposes: tuple[str, ...] = ()
    contact: str = ""

    @model_validator(mode="after")
    def _quarantine_within_retention(self) -> Governance:
        # Unusable raw data must never outlive the facts the feed may hold.
        if self.quarantine_months > self.retention_months:
            raise ValueError(
                f"quarantine_months ({self.quarantine_months}) is longer than "
                f"retention_months ({self.retention_months})"
            )
        return self


class FeedDefinition(_Strict):
    """A partner feed, declared: files, columns, people, facts and governance."""

    feed: str
    title: str
    version: int = Field(..., ge=1)
    description: str = ""
    source_system: str
    cadence: str
    files: FilesSpec
    target: str = Field(..., description="Warehouse fact table the rows load into")
    sensitivity: Sensitivity
    governance: Governance
    columns: dict[str, ColumnSpec]
    ignore_columns: tuple[str, ...] = Field(
        (), description="Columns that may appear and are deliberately not loaded"
    )
    persons: tuple[PersonSlot, ...] = Field(..., min_length=1)
    facts: dict[str, str] = Field(..., description="Fact field -> column")
    observed_date: str | None = Field(None, description="Column giving the date a row describes")
    quarantine_duplicates: bool = True

    @field_validator("feed")
    @classmethod
    def _feed_is_identifier(cls, value: str) -> str:
        if not _IDENTIFIER.match(value):
            raise ValueError("feed must be lower_snake_case (letters, digits, underscores)")
        return value

    @model_validator(mode="after")
    def _references_resolve(self) -> FeedDefinition:
        problems = self._fact_problems() + self._person_problems()
        if self.observed_date is not None:
            spec = self.columns.get(self.observed_date)
            if spec is None or spec.type != "date":
                problems.append(f"observed_date: '{self.observed_date}' must be a date column")
        overlap = set(self.ignore_columns) & set(self.columns)
        if overlap:
            problems.append(f"ignore_columns: {sorted(overlap)} are also declared in 'columns'")
        if problems:
            raise ValueError("; ".join(problems))
        return self

    def _fact_problems(self) -> list[str]:
        if self.target not in FACT_TABLES:
            return [
                f"target '{self.target}' is not a warehouse fact table "
                f"(one of: {', '.join(FACT_TABLES)})"
            ]
        problems: list[str] = []
        fields = {c.name: c for c in FACT_TABLES[self.target]}
        for field_name, column in self.facts.items():
            if field_name not in fields:
                problems.append(
                    f"facts.{field_name}: '{self.target}' has no field '{field_name}' "
                    f"(fields: {', '.join(fields)})"
                )
            elif column not in self.columns:
                problems.append(f"facts.{field_name}: column '{column}' is not in 'columns'")
            elif fields[field_name].sql_type != self.columns[column].sql_type:
                problems.append(
                    f"facts.{field_name}: field is {fields[field_name].sql_type} but column "
                    f"'{column}' is {self.columns[column].type} ({self.columns[column].sql_type})"
                )
        return problems

    def _person_problems(self) -> list[str]:
        problems: list[str] = []
        slots = [p.slot for p in self.persons]
        if len(set(slots)) != len(slots):
            problems.append("persons: slot names must be unique")
        for person in self.persons:
            label = f"persons[{person.slot or 'single'}]"
            for field_name, mapped in person.identity.items():
                cols = (mapped,) if isinstance(mapped, str) else mapped
                problems.extend(
                    f"{label}.identity.{field_name}: column '{col}' is not in 'columns'"
                    for col in cols
                    if col not in self.columns
                )
            dob = person.identity.get("dob")
            if isinstance(dob, str) and dob in self.columns and self.columns[dob].type != "date":
                problems.append(f"{label}.identity.dob: column '{dob}' must be a date")
        return problems

    def used_columns(self) -> set[str]:
        """Columns whose values are loaded somewhere (facts or identity)."""
        used = set(self.facts.values())
        for person in self.persons:
            used.update(person.identity_columns())
        if self.observed_date:
            used.add(self.observed_date)
        return used
