"""Honest evaluation of a model definition on datasets already built (no I/O here).

Two views, both against the same two baselines:

* **cross-validation** over the training rows, folds grouped by person (one person at
  several as-of dates never sits in both the training and the test part of a fold) and
  stratified so each fold sees positives;
* **temporal hold-out**: the stored model (fitted on the earlier as-of dates) scores the
  later as-of date's rows from its JSON, exactly as it would in use.

Baselines: *majority* always answers the training data's majority class (its score is the
training prevalence); the *simple rule* flags everyone with one named factor (its score
is the training outcome rate with and without it). The verdict uses the hold-out: the
model is fit for use only when the 95% interval of (model - baseline) on the fitness
metric lies wholly above zero for every baseline it must beat.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import numpy as np
from sklearn.model_selection import StratifiedGroupKFold

from kinlink.risk import algorithms
from kinlink.risk.features import Dataset
from kinlink.risk.metrics import (
    Confusion,
    Interval,
    Predictions,
    beats,
    brier,
    calibration,
    group_rates,
    metric_interval,
    paired_difference,
    roc_points,
)
from kinlink.risk.models import ModelDefinition

FIT = "fit for use"
NOT_FIT = "not fit for use"


def _arrays(data: Dataset) -> tuple[np.ndarray, np.ndarray]:
    """Feature matrix (every column of the dataset) and labels."""
    x = np.asarray(data.values, dtype=int).reshape(len(data), len(data.feature_names))
    y = np.asarray([int(v or 0) for v in data.labels], dtype=int)
    return x, y


def baselines(
    train_y: np.ndarray, train_rule: np.ndarray, test_rule: np.ndarray
) -> dict[str, Predictions]:
    """The majority-class and simple-rule predictors, learnt from the training rows."""
    prevalence = float(train_y.mean()) if len(train_y) else 0.0
    majority = int(prevalence > 0.5)
    n = len(test_rule)
    with_rule = train_y[train_rule == 1]
    without = train_y[train_rule == 0]
    rate_with = float(with_rule.mean()) if len(with_rule) else prevalence
    rate_without = float(without.mean()) if len(without) else prevalence
    return {
        "majority": Predictions("majority", np.full(n, majority), np.full(n, prevalence)),
        "simple_rule": Predictions(
            "simple_rule",
            test_rule.astype(int),
            np.where(test_rule == 1, rate_with, rate_without),
        ),
    }


def _figures(
    y: np.ndarray, p: Predictions, reference: float, rounds: int, seed: int
) -> dict[str, Any]:
    rates = Confusion.of(y.tolist(), p.flags.tolist()).rates()
    out: dict[str, Any] = {k: rates[k].as_dict() for k in ("accuracy", "precision", "recall")}
    for name in ("balanced_accuracy", "auc", "brier_skill"):
        out[name] = metric_interval(name, y, p, reference, rounds, seed).as_dict()
    out["brier"] = round(brier(y.tolist(), p.scores.tolist()), 4) if len(y) else None
    confusion = Confusion.of(y.tolist(), p.flags.tolist())
    out["confusion"] = {
        "tp": confusion.tp, "fp": confusion.fp, "tn": confusion.tn, "fn": confusion.fn
    }  # fmt: skip
    return out


def cross_validate(
    model: ModelDefinition, train: Dataset, rule_index: int, persons: list[str]
) -> dict[str, Any]:
    """Out-of-fold predictions over the training rows, folds grouped by person."""
    ev = model.evaluation
    x, y = _arrays(train)
    n_model = len(model.features)
    positives = int(y.sum())
    folds = min(ev.cv_folds, positives, len(y) - positives)
    if folds < 2:
        return {"folds": 0, "note": "too few positives or negatives to cross-validate"}
    scores = np.zeros(len(y))
    flags = np.zeros(len(y), dtype=int)
    base_scores = {k: np.zeros(len(y)) for k in ("majority", "simple_rule")}
    base_flags = {k: np.zeros(len(y), dtype=int) for k in ("majority", "simple_rule")}
    splitter = StratifiedGroupKFold(n_splits=folds, shuffle=True, random_state=ev.seed)
    for fit_rows, test_rows in splitter.split(x, y, groups=persons):
        params = algorithms.fit(
            model.algorithm, x[fit_rows, :n_model].tolist(), y[fit_rows].tolist(),
            train.feature_names[:n_model], ev.seed,
        )  # fmt: skip
        fold_scores = algorithms.scores(params, x[test_rows, :n_model].tolist())
        scores[test_rows] = fold_scores
        flags[test_rows] = [int(algorithms.flagged(params, s)) for s in fold_scores]
        for name, p in baselines(
            y[fit_rows], x[fit_rows, rule_index], x[test_rows, rule_index]
        ).items():
            base_scores[name][test_rows] = p.scores
            base_flags[name][test_rows] = p.flags
    reference = float(y.mean())
    predictors = [Predictions("model", flags, scores)] + [
        Predictions(k, base_flags[k], base_scores[k]) for k in base_scores
    ]
    return {
        "folds": folds,
        "grouped_by": "person",
        "rows": len(y),
        "positives": positives,
        "figures": {p.name: _figures(y, p, reference, ev.bootstrap, ev.seed) for p in predictors},
    }


def holdout_evaluate(
    model: ModelDefinition,
    train: Dataset,
    holdout: Dataset,
    params: algorithms.Params,
    rule_index: int,
) -> dict[str, Any]:
    """The stored model on the later as-of date, against the baselines, with a verdict."""
    ev = model.evaluation
    x_train, y_train = _arrays(train)
    x, y = _arrays(holdout)
    scores = np.asarray(
        algorithms.scores(params, x[:, : len(model.features)].tolist()), dtype=float
    )
    flags = np.asarray([int(algorithms.flagged(params, s)) for s in scores], dtype=int)
    mine = Predictions("model", flags, scores)
    base = baselines(y_train, x_train[:, rule_index], x[:, rule_index])
    reference = float(y_train.mean()) if len(y_train) else 0.0
    figures = {
        p.name: _figures(y, p, reference, ev.bootstrap, ev.seed) for p in (mine, *base.values())
    }
    comparisons: dict[str, Any] = {}
    fit = len(y) > 0
    for name, predictor in base.items():
        difference: Interval = paired_difference(
            ev.fitness_metric, y, mine, predictor, reference, ev.bootstrap, ev.seed
        )
        better = beats(difference)
        comparisons[name] = {
            "metric": ev.fitness_metric,
            "difference": difference.as_dict(),
            "beats": better,
            "required": name in ev.must_beat,
        }
        if name in ev.must_beat and not better:
            fit = False
    return {
        "as_of": ev.holdout_as_of.isoformat(),
        "rows": len(y),
        "positives": int(y.sum()),
        "figures": figures,
        "comparisons": comparisons,
        "calibration": calibration(y.tolist(), scores.tolist()),
        "roc": {
            "model": roc_points(y.tolist(), scores.tolist()),
            "simple_rule": roc_points(y.tolist(), base["simple_rule"].scores.tolist()),
        },
        "groups": group_rates(y.tolist(), flags.tolist(), holdout.groups, ev.min_group_size),
        "verdict": _verdict(model, comparisons, fit, len(y)),
    }


def _verdict(
    model: ModelDefinition, comparisons: dict[str, Any], fit: bool, rows: int
) -> dict[str, Any]:
    ev = model.evaluation
    names = {"majority": "always answering the majority class", "simple_rule": (
        f"the simple rule (flag everyone with '{ev.simple_rule}')")}  # fmt: skip
    lines = []
    for name, c in comparisons.items():
        d = c["difference"]
        if d["low"] is None:
            lines.append(f"Against {names[name]}: the difference cannot be measured on these rows.")
            continue
        verb = "beats" if c["beats"] else "does not beat"
        lines.append(
            f"Against {names[name]}: the model {verb} it on {c['metric']} "
            f"(difference {d['value']:+.3f}, 95% interval {d['low']:+.3f} to {d['high']:+.3f})."
        )
    if rows == 0:
        lines.append("The hold-out has no rows: nothing can be shown.")
    return {
        "fit_for_use": fit,
        "status": FIT if fit else NOT_FIT,
        "metric": ev.fitness_metric,
        "must_beat": list(ev.must_beat),
        "statement": (
            f"The model is {FIT if fit else NOT_FIT}: "
            + (
                "the 95% interval of its advantage is above zero against every required baseline."
                if fit
                else "it is not shown to beat every required baseline (the 95% interval of "
                "its advantage reaches zero or below), so it cannot be published without a "
                "recorded override."
            )
        ),
        "details": lines,
    }


def population_summary(data: Dataset) -> dict[str, Any]:
    """Rows and positives per as-of date."""
    rows = Counter(d for _, d in data.keys)
    positives = Counter(d for (_, d), y in zip(data.keys, data.labels, strict=True) if y)
    return {
        "rows": len(data),
        "positives": sum(positives.values()),
        "people": len({k for k, _ in data.keys}),
        "by_as_of": [
            {"as_of": d.isoformat(), "rows": rows[d], "positives": positives[d]}
            for d in sorted(rows)
        ],
    }


def feature_rates(data: Dataset) -> list[dict[str, Any]]:
    """How often each feature holds and the outcome rate with it (a first sanity check)."""
    x, y = _arrays(data)
    out = []
    for i, name in enumerate(data.feature_names):
        has = x[:, i] == 1
        out.append(
            {
                "feature": name,
                "rows": int(has.sum()),
                "outcome_rate_with": round(float(y[has].mean()), 4) if has.any() else None,
                "outcome_rate_without": round(float(y[~has].mean()), 4) if (~has).any() else None,
            }
        )
    return out


def pilot_reproduce(
    model: ModelDefinition,
    data: Dataset,
    *,
    sample: int,
    positives: int,
    holdout: int,
    seed: int,
) -> dict[str, Any]:
    """The seed pilot's design on these data: a retrospective sample of ``sample`` people
    (``positives`` of them positive), a tree trained on all but ``holdout`` of them and its
    accuracy on those, set against always answering the majority class.

    Says what that design can and cannot show: the interval of the hold-out accuracy, the
    interval of the majority guess, and how large a hold-out would have to be.
    """
    from kinlink.risk.metrics import required_sample, sample_size_table, wilson

    x, y = _arrays(data)
    n_model = len(model.features)
    rng = np.random.default_rng(seed)
    # one row per person: their latest as-of date (a person is not sampled twice)
    latest: dict[str, int] = {}
    for i, (key, _) in enumerate(data.keys):
        latest[key] = i
    rows = np.asarray(sorted(latest.values()), dtype=int)
    pos_rows, neg_rows = rows[y[rows] == 1], rows[y[rows] == 0]
    if len(pos_rows) < positives or len(neg_rows) < sample - positives:
        raise ValueError(
            f"the data have {len(pos_rows)} positive and {len(neg_rows)} negative people; the "
            f"design needs {positives} and {sample - positives}: use a larger city"
        )
    chosen = np.concatenate(
        [rng.choice(pos_rows, positives, replace=False),
         rng.choice(neg_rows, sample - positives, replace=False)]
    )  # fmt: skip
    rng.shuffle(chosen)
    test, fit_rows = chosen[:holdout], chosen[holdout:]
    params = algorithms.fit(
        model.algorithm.model_copy(update={"threshold": 0.5}),
        x[fit_rows, :n_model].tolist(), y[fit_rows].tolist(), data.feature_names[:n_model], seed,
    )  # fmt: skip
    flags = np.asarray(
        [
            int(algorithms.flagged(params, s))
            for s in algorithms.scores(params, x[test, :n_model].tolist())
        ]
    )
    y_test = y[test]
    correct = int((flags == y_test).sum())
    accuracy = wilson(correct, len(test))
    majority = int(y[fit_rows].mean() > 0.5)
    base = wilson(int((y_test == majority).sum()), len(test))
    base_rate = 1 - positives / sample
    acc = accuracy.value or 0.0
    overlaps = accuracy.low is not None and accuracy.low <= base_rate
    return {
        "design": {"sample": sample, "positives": positives, "holdout": holdout, "seed": seed},
        "holdout_accuracy": accuracy.as_dict(),
        "majority_accuracy": base.as_dict(),
        "majority_rate_of_design": round(base_rate, 4),
        "sample_sizes": sample_size_table(acc, base_rate, [holdout, 200, 500, 1000, 2000]),
        "holdout_needed": required_sample(acc, base_rate),
        "params": params,
        "statement": (
            f"On {len(test)} held-out people the tree was right {correct} times "
            f"({acc:.0%}, 95% interval {accuracy.low:.0%}–{accuracy.high:.0%}); always answering "
            f"the majority class scores {base_rate:.0%} on this mix. "
            + (
                "The interval includes the majority guess: this sample cannot show the model "
                "beats it."
                if overlaps
                else "The interval lies above the majority guess."
            )
            + (
                f" To show an accuracy of {acc:.0%} beats {base_rate:.0%} (95%, 80% power) "
                f"needs about {required_sample(acc, base_rate)} held-out people."
                if acc > base_rate
                else " The observed accuracy is not above the majority guess at all."
            )
        ),
    }
