"""Fitting small, explainable models and scoring them from plain JSON.

A fitted model is stored as JSON (the tree's nodes, or the coefficients), never pickled:
a score can be recomputed "as at" its date from the registry alone, by anyone, with no
Python object from the training run, and the JSON is the explanation. scikit-learn fits;
scoring and explaining read only the JSON.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.tree import DecisionTreeClassifier

from kinlink.risk.models import Algorithm

Params = dict[str, Any]


def fit(
    algorithm: Algorithm,
    values: Sequence[Sequence[int]],
    labels: Sequence[int],
    feature_names: Sequence[str],
    seed: int,
) -> Params:
    """Fit the algorithm; the result is JSON-ready and is all scoring needs."""
    x = np.asarray(values, dtype=float).reshape(len(values), len(feature_names))
    y = np.asarray(labels, dtype=int)
    prevalence = float(y.mean()) if len(y) else 0.0
    threshold = prevalence if algorithm.threshold == "training_prevalence" else algorithm.threshold
    common: Params = {
        "kind": algorithm.kind,
        "features": list(feature_names),
        "threshold": threshold,
        "training_rows": len(y),
        "training_positives": int(y.sum()),
    }
    if len(set(y.tolist())) < 2:  # one class only: the model is that class's share
        return {**common, "kind": "constant", "probability": prevalence}
    if algorithm.kind == "logistic_regression":
        lr = LogisticRegression(C=algorithm.c, max_iter=1000)
        lr.fit(x, y)
        return {
            **common,
            "intercept": float(lr.intercept_[0]),
            "coefficients": {n: float(c) for n, c in zip(feature_names, lr.coef_[0], strict=True)},
        }
    tree = DecisionTreeClassifier(
        max_depth=algorithm.max_depth,
        min_samples_leaf=algorithm.min_samples_leaf,
        random_state=seed,
    )
    tree.fit(x, y)
    return {**common, "nodes": _tree_nodes(tree, x, y, feature_names)}


def _tree_nodes(
    tree: DecisionTreeClassifier, x: np.ndarray, y: np.ndarray, names: Sequence[str]
) -> list[dict[str, Any]]:
    """The fitted tree as a list of nodes with the training counts that reach each."""
    t = tree.tree_
    reach = tree.decision_path(x)
    nodes = []
    for i in range(t.node_count):
        rows = reach[:, i].nonzero()[0]
        samples, positives = len(rows), int(y[rows].sum())
        leaf = t.children_left[i] == t.children_right[i]
        nodes.append(
            {
                "id": i,
                "feature": None if leaf else names[t.feature[i]],
                "threshold": None if leaf else float(t.threshold[i]),
                "if_no": None if leaf else int(t.children_left[i]),
                "if_yes": None if leaf else int(t.children_right[i]),
                "samples": samples,
                "positives": positives,
                "probability": positives / samples if samples else 0.0,
            }
        )
    return nodes


def _row(params: Params, row: Sequence[int] | dict[str, int]) -> dict[str, int]:
    if isinstance(row, dict):
        return row
    return dict(zip(params["features"], row, strict=True))


def score(params: Params, row: Sequence[int] | dict[str, int]) -> float:
    """Probability-like score of one row, from the stored JSON alone."""
    return explain(params, row)["score"]  # type: ignore[no-any-return]


def scores(params: Params, rows: Sequence[Sequence[int]]) -> list[float]:
    """Scores of many rows."""
    return [score(params, r) for r in rows]


def explain(params: Params, row: Sequence[int] | dict[str, int]) -> dict[str, Any]:
    """The score and what produced it: the tree's path, or each factor's contribution."""
    values = _row(params, row)
    if params["kind"] == "constant":
        return {"score": params["probability"], "kind": "constant", "steps": []}
    if params["kind"] == "logistic_regression":
        contributions = [
            {"feature": n, "value": int(values[n]), "contribution": c * values[n]}
            for n, c in params["coefficients"].items()
        ]
        logit = params["intercept"] + sum(s["contribution"] for s in contributions)
        contributions.sort(key=lambda s: -abs(s["contribution"]))
        return {
            "score": 1 / (1 + math.exp(-logit)),
            "kind": "logistic_regression",
            "intercept": params["intercept"],
            "steps": [s for s in contributions if s["value"]],
        }
    nodes = {n["id"]: n for n in params["nodes"]}
    node, steps = nodes[0], []
    while node["feature"] is not None:
        has = int(values[node["feature"]]) > node["threshold"]
        steps.append({"feature": node["feature"], "value": int(has)})
        node = nodes[node["if_yes"] if has else node["if_no"]]
    steps.append({"leaf": node["id"], "samples": node["samples"], "positives": node["positives"]})
    return {"score": node["probability"], "kind": "decision_tree", "steps": steps}


def flagged(params: Params, value: float) -> bool:
    """Whether a score reaches the model's review threshold."""
    return value >= params["threshold"] and value > 0
