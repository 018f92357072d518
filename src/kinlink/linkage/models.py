"""Settings and results of a linkage run, as plain frozen data.

A run is fully described by its ``LinkageConfig`` (recorded with the run), so that the
same warehouse and the same config always give the same people and the same keys.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from kinlink.core.settings import settings_load

#: Name and version of the person model. The version changes whenever the comparisons
#: change shape, so a model trained for one version is never scored with another.
MODEL_NAME = "person"
MODEL_VERSION = 2

#: Identifiers whose equal values join records before any probabilistic matching.
#: UPN, NHS number and ULN count only when their check passes.
DEFAULT_TRUSTED_IDS: tuple[str, ...] = (
    "upn",
    "nhs_number",
    "uln",
    "la_child_id",
    "eh_person_id",
    "yjs_id",
    "ccis_id",
)

#: Identifiers of which one person has one: two different valid values mean two people.
#: A system's own person ids are included: two ids in one system are two people in that
#: system's eyes (a council whose systems hold many duplicate records can drop them).
DEFAULT_CONFLICT_IDS: tuple[str, ...] = (
    "upn",
    "nhs_number",
    "uln",
    "la_child_id",
    "eh_person_id",
    "yjs_id",
    "ccis_id",
)


#: Where Splink trains and scores: DuckDB in process, or Spark for inputs too large for one
#: machine (see ``kinlink.linkage.backends``).
BACKEND_NAMES: tuple[str, ...] = ("duckdb", "spark")


def default_model_path() -> Path:
    """Where the trained model lives unless configured: under the data directory."""
    return settings_load().data_dir / "linkage" / "models" / f"{MODEL_NAME}-v{MODEL_VERSION}.json"


@dataclass(frozen=True)
class LinkageConfig:
    """How to link: the threshold, the model file and the knobs of training."""

    threshold: float = 0.95
    model_path: Path = field(default_factory=default_model_path)
    retrain: bool = False
    seed: int = 20240917
    u_max_pairs: float = 2e6
    em_max_pairs: float = 2e6
    trusted_ids: tuple[str, ...] = DEFAULT_TRUSTED_IDS
    conflict_ids: tuple[str, ...] = DEFAULT_CONFLICT_IDS
    # DuckDB memory caps: Splink's scoring database and the warehouse connection. Together
    # they keep a 500,000-person city well under 8 GiB; DuckDB spills to disk beyond them.
    memory_limit: str = "3GB"
    warehouse_memory_limit: str = "3GB"
    threads: int | None = None
    # The review band: pairs scoring at or above review_low (and below the threshold)
    # that clustering left apart go to the review queue. Above the threshold, pairs that
    # a guard refused are queued when they score below review_high.
    review_low: float = 0.5
    review_high: float = 0.95
    # Where Splink trains and scores. Spark uses the active session if there is one,
    # else starts one on spark_master; shuffle partitions suit the input's size (Spark's
    # default of 200 is meant for large clusters and slows a small input badly).
    backend: str = "duckdb"
    spark_master: str = "local[*]"
    spark_shuffle_partitions: int = 8

    def __post_init__(self) -> None:
        if self.backend not in BACKEND_NAMES:
            raise ValueError(f"backend must be one of {', '.join(BACKEND_NAMES)}")
        if not 0.0 < self.threshold < 1.0:
            raise ValueError("threshold must be between 0 and 1 (exclusive)")
        if not 0.0 < self.review_low <= self.review_high < 1.0:
            raise ValueError("review band must satisfy 0 < low <= high < 1")

    @property
    def score_floor(self) -> float:
        """The lowest probability a run keeps: the threshold or the review band's floor."""
        return min(self.threshold, self.review_low)

    def as_dict(self) -> dict[str, object]:
        """A JSON-ready description, recorded with each run."""
        return {
            "threshold": self.threshold,
            "model": f"{MODEL_NAME}-v{MODEL_VERSION}",
            "seed": self.seed,
            "u_max_pairs": self.u_max_pairs,
            "em_max_pairs": self.em_max_pairs,
            "trusted_ids": list(self.trusted_ids),
            "conflict_ids": list(self.conflict_ids),
            "review_band": [self.review_low, self.review_high],
            "backend": self.backend,
        }


@dataclass
class PrecollapseStats:
    """What the deterministic step did."""

    records: int = 0
    entities: int = 0
    variants: int = 0
    id_edges_dropped: int = 0  # an identifier shared with a record whose name/dob contradict
    upn_typos_fixed: int = 0  # identifier-only records joined through a UPN one edit away
    id_only_unlinked: dict[str, int] = field(default_factory=dict)  # by feed


@dataclass
class ClusterStats:
    """What clustering did."""

    pairs_above_threshold: int = 0
    entity_edges: int = 0
    merges: int = 0
    blocked_by_conflict: int = 0
    people: int = 0
    must_links: int = 0  # reviewers' "same person" decisions applied
    cannot_links: int = 0  # reviewers' "different people" decisions applied
    cannot_within_entity: int = 0  # "different people" already joined by a trusted id
    review_queued: int = 0  # band pairs left for a reviewer
    # guards the model lets yield to a link's own score (clustering.guards_yielding)
    guards_yielding: tuple[str, ...] = ()


@dataclass
class KeyStats:
    """How this run's people map onto the keys of the previous run."""

    kept: int = 0
    new: int = 0
    merged: int = 0
    split: int = 0
    retired: int = 0


@dataclass
class RunSummary:
    """Everything ``kinlink link`` reports at the end of a run."""

    run_id: str
    trained: bool
    model_path: Path
    threshold: float
    precollapse: PrecollapseStats
    clusters: ClusterStats
    keys: KeyStats
    seconds: dict[str, float] = field(default_factory=dict)
    records_by_feed: dict[str, int] = field(default_factory=dict)
    incremental: bool = False
    new_records: int = 0  # records scored: all of them, or those no key held (incremental)
