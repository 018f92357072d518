"""Linkage: which records are the same person, with keys that stay stable across runs.

Records that share a trustworthy system id are joined first (pre-collapse); the rest are
scored with a Splink model tuned for English council data, clustered best link first
without chaining through households or twins, and mapped onto a registry of person keys
that survives re-linking. See ``docs/linkage.md``.
"""

from kinlink.linkage.evaluation import EvaluationReport, Metrics
from kinlink.linkage.explain import ComparisonExplained, Explanation
from kinlink.linkage.export import LinksExport
from kinlink.linkage.models import LinkageConfig, RunSummary
from kinlink.linkage.services import (
    LevelRow,
    ModelView,
    NothingToLink,
    evaluate,
    explain,
    export_links,
    linkage_run,
    model_show,
    review_decide,
    review_queue_list,
    summary_dict,
)

__all__ = [
    "ComparisonExplained",
    "EvaluationReport",
    "Explanation",
    "LevelRow",
    "LinkageConfig",
    "LinksExport",
    "Metrics",
    "ModelView",
    "NothingToLink",
    "RunSummary",
    "evaluate",
    "explain",
    "export_links",
    "linkage_run",
    "model_show",
    "review_decide",
    "review_queue_list",
    "summary_dict",
]
