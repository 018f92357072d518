"""Plain data types of the ingest stage: what was read, what was wrong, what was loaded."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

FileStatus = Literal["loaded", "replaced", "unchanged"]


@dataclass(frozen=True)
class RowProblem:
    """Why a row cannot be loaded: the column at fault and a machine-readable reason."""

    field: str | None
    reason: str
    message: str


@dataclass
class RawTable:
    """A decoded file: its header and its data records as strings (row n is ``records[n-1]``)."""

    path: Path
    file_hash: str
    file_bytes: int
    encoding: str
    header: list[str]
    records: list[list[str]]
    typed_source: bool = False
    warnings: list[str] = field(default_factory=list)


@dataclass
class FileReport:
    """Per-file outcome: read = loaded + quarantined, always."""

    feed: str
    file_name: str
    file_hash: str
    status: FileStatus
    rows_read: int = 0
    rows_loaded: int = 0
    rows_quarantined: int = 0
    person_records: int = 0
    replaced_batch: str | None = None
    warnings: list[str] = field(default_factory=list)
    problems_by_reason: dict[str, int] = field(default_factory=dict)

    @property
    def balanced(self) -> bool:
        """Every row read is accounted for."""
        return self.rows_read == self.rows_loaded + self.rows_quarantined


@dataclass
class IngestReport:
    """The outcome of one ``kinlink ingest`` run."""

    files: list[FileReport] = field(default_factory=list)

    def totals(self) -> dict[str, int]:
        """Sums over the files actually loaded in this run."""
        return {
            "rows_read": sum(f.rows_read for f in self.files),
            "rows_loaded": sum(f.rows_loaded for f in self.files),
            "rows_quarantined": sum(f.rows_quarantined for f in self.files),
            "person_records": sum(f.person_records for f in self.files),
        }


@dataclass
class CheckReport:
    """What ``kinlink sources check`` found: header problems and row problems by kind."""

    feed: str
    file_name: str
    encoding: str | None = None
    rows_read: int = 0
    rows_ok: int = 0
    header_problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    problems_by_field: dict[tuple[str, str], list[int]] = field(default_factory=dict)
    samples: dict[tuple[str, str], str] = field(default_factory=dict)

    @property
    def fits(self) -> bool:
        """The definition reads this file with no header problem and no quarantined row."""
        return not self.header_problems and self.rows_ok == self.rows_read
