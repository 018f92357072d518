"""A return as data: a versioned, strictly checked spec of its rows and fields.

A council analyst changes a return by editing YAML, never Python. The schema forbids
unknown keys, so a misspelt key is a load error rather than a field silently ignored.
Where each field comes from is a column of a named *row source* (``sources.py``); the
loader checks those names, so a typo cannot produce an empty column.
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

FieldType = Literal["string", "integer", "date", "boolean", "decimal"]
Audience = Literal["internal", "leaves_council"]
Grain = Literal["family", "person", "need", "claim", "aggregate"]
#: How a field is carried when the return leaves the council.
Degradation = Literal["none", "month", "year", "sector", "district", "initial"]

#: Output type each degradation produces (``none`` keeps the field's own type).
DEGRADED_TYPE: dict[str, FieldType] = {
    "month": "string",
    "year": "integer",
    "sector": "string",
    "district": "string",
    "initial": "string",
}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ReturnField(_Strict):
    """One column of a return: its type, the checks it must pass and where it comes from."""

    name: str = Field(..., pattern=r"^[a-z][a-z0-9_]*$")
    type: FieldType
    source: str = Field(..., description="Column of the spec's row source")
    description: str
    required: bool = False
    codes: tuple[str, ...] = Field(default=(), description="Allowed values (empty: any)")
    multiple: bool = Field(
        default=False, description="Several values separated by ';', each checked against codes"
    )
    max_length: int | None = Field(default=None, ge=1)
    pattern: str | None = Field(default=None, description="Regular expression the value matches")
    degrade: Degradation | None = Field(
        default=None, description="How the field is carried when the return leaves the council"
    )

    @field_validator("pattern")
    @classmethod
    def _pattern_compiles(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                re.compile(value)
            except re.error as exc:
                raise ValueError(f"pattern is not a valid regular expression: {exc}") from exc
        return value

    @model_validator(mode="after")
    def _consistent(self) -> ReturnField:
        if self.multiple and self.type != "string":
            raise ValueError("a multiple-valued field must have type string")
        if self.degrade in DEGRADED_TYPE and DEGRADED_TYPE[self.degrade] != self.type:
            raise ValueError(
                f"degrade '{self.degrade}' gives a {DEGRADED_TYPE[self.degrade]}, "
                f"but the field's type is {self.type}"
            )
        return self


class ReturnSpec(_Strict):
    """A versioned return: what it is for, who receives it, its grain and its fields."""

    name: str = Field(..., pattern=r"^[a-z][a-z0-9_]*$")
    version: str = Field(..., pattern=r"^\d+(\.\d+)*$")
    title: str
    description: str
    audience: Audience
    grain: Grain
    rows: str = Field(..., description="Row source the fields are read from")
    fields: tuple[ReturnField, ...]

    @model_validator(mode="after")
    def _fields_unique_and_degradation_only_for_external(self) -> ReturnSpec:
        if not self.fields:
            raise ValueError("a return needs at least one field")
        names = [f.name for f in self.fields]
        duplicates = sorted({n for n in names if names.count(n) > 1})
        if duplicates:
            raise ValueError(f"field names repeated: {', '.join(duplicates)}")
        if self.audience == "internal":
            degraded = [f.name for f in self.fields if f.degrade is not None]
            if degraded:
                raise ValueError(
                    "degrade applies only to returns that leave the council; "
                    f"remove it from: {', '.join(degraded)}"
                )
        return self

    @property
    def label(self) -> str:
        """``name@version``, as manifests record it."""
        return f"{self.name}@{self.version}"

    @property
    def leaves_council(self) -> bool:
        """True when the return is sent outside the council (degradation applies)."""
        return self.audience == "leaves_council"
