"""Smoke test of the linkage comparison: both systems score a tiny city, Kinlink no worse."""

from __future__ import annotations

from pathlib import Path

import pytest
from benchmarks.linkage_compare import compare

pytestmark = pytest.mark.slow

#: Measured on an 800-person city (seed 42): Kinlink F1 0.999, plain Splink 0.475 over all
#: records (its configuration cannot use the UPN, so name-less attendance and exclusion
#: rows stay apart); on records with a name or date of birth 0.999 against 0.996. The
#: tolerance only absorbs small changes in either system.
TOLERANCE = 0.02


def test_compare_small_city(tmp_path: Path) -> None:
    report = compare(800, febrl=False, workdir=tmp_path)
    rows = report["results"]
    assert isinstance(rows, list)
    assert len(rows) == 4  # the whole city, and its records with a name or date of birth
    for r in rows:
        for metric in ("precision", "recall", "f1"):
            assert 0.0 <= r[metric] <= 1.0
    results = {r["system"]: r for r in rows if not r["dataset"].endswith("named")}
    named = {r["system"]: r for r in rows if r["dataset"].endswith("named")}
    assert set(results) == set(named) == {"kinlink", "plain splink"}
    assert named["kinlink"]["f1"] >= named["plain splink"]["f1"] - TOLERANCE
    for r in results.values():
        for metric in ("precision", "recall", "f1"):
            assert 0.0 <= r[metric] <= 1.0
        assert r["records"] > 0
        assert r["true_pairs"] > 0
        assert r["predicted_pairs"] > 0
    assert results["kinlink"]["records"] == results["plain splink"]["records"]
    assert results["kinlink"]["f1"] >= results["plain splink"]["f1"] - TOLERANCE
