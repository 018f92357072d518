"""Honest figures: metrics with 95% intervals, baselines and error rates by group.

Pure functions over lists of labels (0/1), flags (0/1) and scores; no I/O. Proportions
(accuracy, precision, recall, error rates) get Wilson intervals, which stay sensible for
small samples and rates near 0 or 1; AUC, Brier and the difference between a model and a
baseline get percentile bootstrap intervals, the difference *paired* (the same resampled
people scored by both), which is what "beats the baseline" must mean.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.stats import rankdata
from sklearn.metrics import roc_curve

Z95 = 1.959963984540054
METRICS = ("accuracy", "balanced_accuracy", "brier_skill", "auc")


@dataclass(frozen=True)
class Interval:
    """A figure with its 95% interval (``None`` when it cannot be computed)."""

    value: float | None
    low: float | None
    high: float | None
    n: int

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready, rounded."""
        return {k: _round(getattr(self, k)) for k in ("value", "low", "high")} | {"n": self.n}


def _round(x: float | None) -> float | None:
    return None if x is None or math.isnan(x) else round(float(x), 4)


def wilson(successes: int, n: int, z: float = Z95) -> Interval:
    """Wilson score interval of a proportion."""
    if n == 0:
        return Interval(None, None, None, 0)
    p = successes / n
    denominator = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denominator
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denominator
    return Interval(p, max(0.0, centre - half), min(1.0, centre + half), n)


@dataclass(frozen=True)
class Confusion:
    """Counts of a yes/no prediction against the truth."""

    tp: int
    fp: int
    tn: int
    fn: int

    @classmethod
    def of(cls, labels: Sequence[int], flags: Sequence[int]) -> Confusion:
        y, f = np.asarray(labels, dtype=int), np.asarray(flags, dtype=int)
        return cls(
            tp=int(((y == 1) & (f == 1)).sum()),
            fp=int(((y == 0) & (f == 1)).sum()),
            tn=int(((y == 0) & (f == 0)).sum()),
            fn=int(((y == 1) & (f == 0)).sum()),
        )

    @property
    def n(self) -> int:
        return self.tp + self.fp + self.tn + self.fn

    def rates(self) -> dict[str, Interval]:
        """Accuracy, precision, recall, specificity, error rates and flag rate, with CIs."""
        return {
            "accuracy": wilson(self.tp + self.tn, self.n),
            "precision": wilson(self.tp, self.tp + self.fp),
            "recall": wilson(self.tp, self.tp + self.fn),
            "specificity": wilson(self.tn, self.tn + self.fp),
            "false_positive_rate": wilson(self.fp, self.fp + self.tn),
            "false_negative_rate": wilson(self.fn, self.fn + self.tp),
            "flag_rate": wilson(self.tp + self.fp, self.n),
        }


def metric(
    name: str,
    labels: np.ndarray,
    flags: np.ndarray,
    scores: np.ndarray,
    reference_rate: float,
) -> float:
    """One figure where higher is better; NaN when it is undefined on these rows."""
    if len(labels) == 0:
        return math.nan
    if name == "accuracy":
        return float((labels == flags).mean())
    if name == "balanced_accuracy":
        positives, negatives = labels == 1, labels == 0
        if not positives.any() or not negatives.any():
            return math.nan
        return float(((flags[positives] == 1).mean() + (flags[negatives] == 0).mean()) / 2)
    if name == "brier_skill":
        reference = float(((labels - reference_rate) ** 2).mean())
        brier = float(((labels - scores) ** 2).mean())
        return math.nan if reference == 0 else 1 - brier / reference
    if name == "auc":
        if labels.min() == labels.max():
            return math.nan
        return auc(labels, scores)
    raise ValueError(name)


def auc(labels: np.ndarray, scores: np.ndarray) -> float:
    """Area under the ROC curve (Mann-Whitney, ties count half): fast enough to bootstrap."""
    positives = labels == 1
    n1 = int(positives.sum())
    n0 = len(labels) - n1
    ranks = rankdata(scores)
    return float((ranks[positives].sum() - n1 * (n1 + 1) / 2) / (n1 * n0))


def brier(labels: Sequence[int], scores: Sequence[float]) -> float:
    """Mean squared difference between score and outcome (0 is perfect)."""
    y, s = np.asarray(labels, dtype=float), np.asarray(scores, dtype=float)
    return float(((y - s) ** 2).mean()) if len(y) else math.nan


def bootstrap(
    statistic: Callable[[np.ndarray], float], n_rows: int, rounds: int, seed: int
) -> tuple[float | None, float | None]:
    """Percentile 95% interval of ``statistic(indices)`` over resampled row indices."""
    rng = np.random.default_rng(seed)
    values = []
    for _ in range(rounds):
        found = statistic(rng.integers(0, n_rows, n_rows))
        if not math.isnan(found):
            values.append(found)
    if len(values) < rounds / 2:  # mostly undefined (e.g. resamples with one class)
        return None, None
    return float(np.percentile(values, 2.5)), float(np.percentile(values, 97.5))


@dataclass(frozen=True)
class Predictions:
    """One predictor's flags and scores on a set of rows."""

    name: str
    flags: np.ndarray
    scores: np.ndarray


def metric_interval(
    name: str,
    labels: np.ndarray,
    predictions: Predictions,
    reference_rate: float,
    rounds: int,
    seed: int,
) -> Interval:
    """A metric with its bootstrap interval (Wilson for accuracy)."""
    if name == "accuracy":
        return wilson(int((labels == predictions.flags).sum()), len(labels))
    value = metric(name, labels, predictions.flags, predictions.scores, reference_rate)

    def on(idx: np.ndarray) -> float:
        return metric(
            name, labels[idx], predictions.flags[idx], predictions.scores[idx], reference_rate
        )

    low, high = bootstrap(on, len(labels), rounds, seed)
    return Interval(None if math.isnan(value) else value, low, high, len(labels))


def paired_difference(
    name: str,
    labels: np.ndarray,
    model: Predictions,
    baseline: Predictions,
    reference_rate: float,
    rounds: int,
    seed: int,
) -> Interval:
    """Model minus baseline on one metric, with a paired bootstrap interval."""

    def diff(idx: np.ndarray) -> float:
        y = labels[idx]
        return metric(name, y, model.flags[idx], model.scores[idx], reference_rate) - metric(
            name, y, baseline.flags[idx], baseline.scores[idx], reference_rate
        )

    value = diff(np.arange(len(labels)))
    low, high = bootstrap(diff, len(labels), rounds, seed)
    return Interval(None if math.isnan(value) else value, low, high, len(labels))


def beats(difference: Interval) -> bool:
    """The model beats a baseline only when the whole interval of the difference is above 0."""
    return difference.low is not None and difference.low > 0


def calibration(
    labels: Sequence[int], scores: Sequence[float], bins: int = 10
) -> list[dict[str, Any]]:
    """Observed rate against mean score, per distinct score (a tree) or per score band."""
    y, s = np.asarray(labels, dtype=int), np.asarray(scores, dtype=float)
    distinct = np.unique(s)
    if len(distinct) <= bins:
        keys = np.searchsorted(distinct, s)
    else:
        edges = np.linspace(0, 1, bins + 1)[1:-1]
        keys = np.searchsorted(edges, s, side="right")
    out = []
    for key in np.unique(keys):
        rows = keys == key
        observed = wilson(int(y[rows].sum()), int(rows.sum()))
        out.append(
            {
                "mean_score": _round(float(s[rows].mean())),
                "observed": observed.as_dict(),
            }
        )
    return out


def roc_points(labels: Sequence[int], scores: Sequence[float]) -> list[tuple[float, float]]:
    """(false positive rate, true positive rate) along the ROC curve."""
    y = np.asarray(labels, dtype=int)
    if len(y) == 0 or y.min() == y.max():
        return []
    fpr, tpr, _ = roc_curve(y, np.asarray(scores, dtype=float))
    return [(float(a), float(b)) for a, b in zip(fpr, tpr, strict=True)]


def group_rates(
    labels: Sequence[int],
    flags: Sequence[int],
    groups: Sequence[dict[str, str]],
    min_size: int,
) -> dict[str, list[dict[str, Any]]]:
    """Error rates by each group kind and value; small groups are listed but not rated."""
    out: dict[str, list[dict[str, Any]]] = {}
    kinds = sorted({k for g in groups for k in g})
    for kind in kinds:
        rows: list[dict[str, Any]] = []
        for value in sorted({g.get(kind, "not recorded") for g in groups}):
            idx = [i for i, g in enumerate(groups) if g.get(kind, "not recorded") == value]
            y = [labels[i] for i in idx]
            f = [flags[i] for i in idx]
            entry: dict[str, Any] = {"group": value, "n": len(idx), "positives": int(sum(y))}
            if len(idx) < min_size:
                entry["suppressed"] = True
            else:
                confusion = Confusion.of(y, f)
                rates = confusion.rates()
                for key in ("false_positive_rate", "false_negative_rate", "flag_rate", "accuracy"):
                    entry[key] = rates[key].as_dict()
            rows.append(entry)
        out[kind] = rows
    return out


def sample_size_table(
    accuracy: float, baseline: float, sizes: Sequence[int]
) -> list[dict[str, Any]]:
    """What a hold-out of each size can show: the interval of an observed accuracy, and
    whether it would exclude the baseline's accuracy."""
    rows = []
    for n in sizes:
        interval = wilson(round(accuracy * n), n)
        rows.append(
            {
                "n": n,
                "accuracy": interval.as_dict(),
                "excludes_baseline": interval.low is not None and interval.low > baseline,
            }
        )
    return rows


def required_sample(accuracy: float, baseline: float, power_z: float = 0.8416) -> int:
    """Hold-out size for an accuracy this much above the baseline to be shown at 95% with
    80% power (one-sample test of a proportion against the baseline)."""
    gap = accuracy - baseline
    if gap <= 0:
        return 0
    numerator = Z95 * math.sqrt(baseline * (1 - baseline)) + power_z * math.sqrt(
        accuracy * (1 - accuracy)
    )
    return math.ceil((numerator / gap) ** 2)
