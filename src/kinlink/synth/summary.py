"""What a run produced: counts per file and overall, and how long each part took."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field


@dataclass
class FileCount:
    """Rows and person slots of one output file."""

    feed: str
    file: str
    rows: int
    person_slots: int
    blank_rows: int = 0
    duplicate_rows: int = 0


@dataclass
class CitySummary:
    """Returned by ``generate_city`` and written into the manifest."""

    people: int = 0
    households: int = 0
    families: int = 0
    families_with_children: int = 0
    families_eligible_3_needs: int = 0
    twins: int = 0
    files: list[FileCount] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    peak_rss_mib: float = 0.0

    @property
    def share_eligible(self) -> float:
        """Families with three or more derived needs, as a share of families with children."""
        return (
            self.families_eligible_3_needs / self.families_with_children
            if self.families_with_children
            else 0.0
        )

    @property
    def total_rows(self) -> int:
        return sum(f.rows for f in self.files)

    def to_dict(self) -> dict[str, object]:
        """Plain data: ``files`` keyed by file name, plus the derived figures."""
        out = asdict(self)
        out["files"] = {
            f.file: {k: v for k, v in asdict(f).items() if k != "file"} for f in self.files
        }
        out["share_eligible"] = round(self.share_eligible, 4)
        out["total_rows"] = self.total_rows
        return out

    def to_json(self) -> str:
        """The summary as indented JSON."""
        return json.dumps(self.to_dict(), indent=2)
