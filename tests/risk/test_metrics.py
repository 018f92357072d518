"""Baselines, intervals and the verdict on small hand-made data."""

from __future__ import annotations

import math
from datetime import date

import numpy as np
import pytest

from kinlink.risk import algorithms
from kinlink.risk.evaluation import baselines, holdout_evaluate, pilot_reproduce
from kinlink.risk.features import Dataset
from kinlink.risk.loader import model_load
from kinlink.risk.metrics import (
    Confusion,
    Predictions,
    beats,
    metric,
    paired_difference,
    required_sample,
    wilson,
)

MODEL, _ = model_load("dv-profile")


def test_wilson_interval_matches_its_formula_and_stays_inside_zero_one() -> None:
    found = wilson(7, 10)
    z = 1.959963984540054
    centre = (0.7 + z * z / 20) / (1 + z * z / 10)
    half = z * math.sqrt(0.7 * 0.3 / 10 + z * z / 400) / (1 + z * z / 10)
    assert found.low == pytest.approx(centre - half)
    assert found.high == pytest.approx(centre + half)
    assert wilson(0, 5).low == 0.0
    assert wilson(5, 5).high == 1.0
    assert wilson(0, 0).value is None


def test_the_pilot_figure_at_82_people_does_not_exclude_the_60_percent_baseline() -> None:
    seventy = wilson(57, 82)  # 69.5% correct on 82 unseen people
    assert seventy.low < 0.60 < seventy.high
    assert 0.58 < seventy.low < 0.60
    assert 0.78 < seventy.high < 0.80
    assert required_sample(0.70, 0.60) > 82


def test_majority_baseline_answers_the_training_majority_and_scores_its_prevalence() -> None:
    train_y = np.array([0, 0, 0, 1])
    rule_train = np.array([0, 0, 1, 1])
    rule_test = np.array([1, 0, 0])
    found = baselines(train_y, rule_train, rule_test)
    assert found["majority"].flags.tolist() == [0, 0, 0]
    assert found["majority"].scores.tolist() == [0.25, 0.25, 0.25]
    assert found["simple_rule"].flags.tolist() == [1, 0, 0]
    assert found["simple_rule"].scores.tolist() == [0.5, 0.0, 0.0]
    mostly_yes = baselines(np.array([1, 1, 0]), rule_train[:3], rule_test)
    assert mostly_yes["majority"].flags.tolist() == [1, 1, 1]


def test_confusion_and_balanced_accuracy_on_hand_counted_rows() -> None:
    y = np.array([1, 1, 0, 0, 0])
    flags = np.array([1, 0, 1, 0, 0])
    c = Confusion.of(y.tolist(), flags.tolist())
    assert (c.tp, c.fn, c.fp, c.tn) == (1, 1, 1, 2)
    assert metric("accuracy", y, flags, flags.astype(float), 0.4) == pytest.approx(0.6)
    assert metric("balanced_accuracy", y, flags, flags.astype(float), 0.4) == pytest.approx(
        (1 / 2 + 2 / 3) / 2
    )
    # any constant answer has balanced accuracy one half
    assert metric("balanced_accuracy", y, np.zeros(5, int), np.zeros(5), 0.4) == 0.5


def test_a_perfect_predictor_beats_the_majority_and_a_useless_one_does_not() -> None:
    rng = np.random.default_rng(3)
    y = (rng.random(400) < 0.3).astype(int)
    majority = Predictions("majority", np.zeros(400, int), np.full(400, y.mean()))
    perfect = Predictions("model", y.copy(), y.astype(float))
    noise = rng.integers(0, 2, 400)
    useless = Predictions("model", noise, noise.astype(float))
    args = ("balanced_accuracy", y)
    assert beats(paired_difference(*args, perfect, majority, y.mean(), 300, 1))
    assert not beats(paired_difference(*args, useless, majority, y.mean(), 300, 1))


def _dataset(rows: list[tuple[list[int], int]]) -> Dataset:
    names = list(MODEL.features)
    data = Dataset(names)
    for i, (values, label) in enumerate(rows):
        data.keys.append((f"p{i}", date(2024, 1, 1)))
        data.values.append(values)
        data.labels.append(label)
        data.groups.append({"sex": "F" if i % 2 else "M"})
    return data


def test_a_model_worse_than_the_baseline_is_not_fit_for_use() -> None:
    width = len(MODEL.features)
    rule = MODEL.features.index(MODEL.evaluation.simple_rule)

    def row(has_rule: int, other: int) -> list[int]:
        values = [0] * width
        values[rule] = has_rule
        values[0 if rule else 1] = other
        return values

    # the outcome follows the simple rule; the other factor is noise
    train = _dataset([(row(r, o), r) for r in (0, 1) for o in (0, 1) for _ in range(60)])
    holdout = _dataset([(row(r, o), r) for r in (0, 1) for o in (0, 1) for _ in range(40)])
    other = MODEL.features[0 if rule else 1]
    wrong = {  # a stored tree that looks at the noise factor only
        "kind": "decision_tree", "features": list(MODEL.features), "threshold": 0.5,
        "nodes": [
            {"id": 0, "feature": other, "threshold": 0.5, "if_no": 1, "if_yes": 2,
             "samples": 240, "positives": 120, "probability": 0.5},
            {"id": 1, "feature": None, "threshold": None, "if_no": None, "if_yes": None,
             "samples": 120, "positives": 40, "probability": 0.33},
            {"id": 2, "feature": None, "threshold": None, "if_no": None, "if_yes": None,
             "samples": 120, "positives": 80, "probability": 0.67},
        ],
    }  # fmt: skip
    result = holdout_evaluate(MODEL, train, holdout, wrong, rule)
    assert result["verdict"]["fit_for_use"] is False
    assert result["comparisons"]["simple_rule"]["beats"] is False
    fitted = algorithms.fit(
        MODEL.algorithm, [v for v in train.values], [int(y or 0) for y in train.labels],
        list(MODEL.features), 1,
    )  # fmt: skip
    right = holdout_evaluate(MODEL, train, holdout, fitted, rule)
    assert right["comparisons"]["majority"]["beats"] is True
    assert right["comparisons"]["simple_rule"]["beats"] is False  # equal is not better


def test_a_stored_tree_scores_and_explains_from_its_json_alone() -> None:
    rows = [[1, 0], [1, 1], [0, 0], [0, 1]] * 30
    labels = [1, 1, 0, 0] * 30
    algorithm = MODEL.algorithm.model_copy(update={"min_samples_leaf": 1})
    params = algorithms.fit(algorithm, rows, labels, ["a", "b"], 0)
    import json

    again = json.loads(json.dumps(params))
    assert algorithms.score(again, [1, 0]) == 1.0
    assert algorithms.score(again, [0, 1]) == 0.0
    path = algorithms.explain(again, {"a": 1, "b": 1})
    assert path["steps"][0] == {"feature": "a", "value": 1}
    assert path["steps"][-1]["positives"] == 60


def test_the_pilot_design_needs_enough_positives_and_reports_its_interval() -> None:
    rule = MODEL.features.index(MODEL.evaluation.simple_rule)
    rng = np.random.default_rng(5)
    rows = []
    for _ in range(700):
        values = [int(v) for v in rng.random(len(MODEL.features)) < 0.3]
        label = int(rng.random() < (0.7 if values[rule] else 0.25))
        rows.append((values, label))
    data = _dataset(rows)
    result = pilot_reproduce(MODEL, data, sample=300, positives=120, holdout=82, seed=1)
    accuracy = result["holdout_accuracy"]
    assert accuracy["n"] == 82
    assert accuracy["low"] < accuracy["value"] < accuracy["high"]
    assert result["majority_rate_of_design"] == pytest.approx(0.6)
    with pytest.raises(ValueError, match="positive"):
        pilot_reproduce(MODEL, data, sample=600, positives=400, holdout=82, seed=1)
