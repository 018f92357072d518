"""Evaluation against a hand-made truth whose answers are worked out by hand."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kinlink.linkage import evaluate
from kinlink.linkage.keys import tables_create
from kinlink.warehouse import warehouse_connect
from tests.linkage.conftest import insert, person

# truth: A = r1 r2 r3, B = r4 r5, C = r6 (A and B are twins)
# keys:  K1 = r1 r2, K2 = r3 r4 r5, K3 = r6
RECORDS = [
    ("r1", "health", 1, "", "A", "K1"),
    ("r2", "neet", 1, "", "A", "K1"),
    ("r3", "health", 2, "", "A", "K2"),
    ("r4", "health", 3, "", "B", "K2"),
    ("r5", "neet", 2, "", "B", "K2"),
    ("r6", "domestic_abuse", 1, "child_1", "C", "K3"),
]


@pytest.fixture
def evaluated(tmp_path: Path):
    warehouse = tmp_path / "wh.duckdb"
    insert(
        warehouse,
        [
            person(rid, feed, row_number=row, slot=slot, forename="X", file_name=f"{feed}.csv")
            for rid, feed, row, slot, _, _ in RECORDS
        ],
    )
    con = warehouse_connect(warehouse)
    tables_create(con)
    con.executemany(
        "INSERT INTO person_key_members VALUES (?, ?, 'run')",
        [(rid, key) for rid, *_, key in RECORDS],
    )
    con.close()
    truth = tmp_path / "truth"
    truth.mkdir()
    lines = ["feed,file,row_number,slot,person_id"]
    lines += [f"{feed},{feed}.csv,{row},{slot},{p}" for _, feed, row, slot, p, _ in RECORDS]
    lines.append("neet,neet.csv,3,,C")  # a row that was quarantined: never loaded
    (truth / "person_slots.csv").write_text("\n".join(lines) + "\n")
    (truth / "people.csv").write_text("person_id,twin_of\nA,B\nB,A\nC,\n")
    return evaluate(warehouse, truth)


def test_pairwise_precision_and_recall_match_a_hand_count(evaluated):
    o = evaluated.overall
    assert (o.true_pairs, o.predicted_pairs, o.correct_pairs) == (4, 4, 2)
    assert o.precision == pytest.approx(0.5)
    assert o.recall == pytest.approx(0.5)
    assert o.f1 == pytest.approx(0.5)


def test_bcubed_and_error_counts_match_a_hand_count(evaluated):
    o = evaluated.overall
    assert o.bcubed_precision == pytest.approx(14 / 18)
    assert o.bcubed_recall == pytest.approx(14 / 18)
    assert (o.people_split, o.keys_merging_people, o.twins_merged) == (1, 1, 1)
    assert (o.records, o.people, o.keys) == (6, 3, 3)


def test_per_feed_counts_pairs_with_a_record_from_that_feed(evaluated):
    health = next(m for m in evaluated.by_feed if m.scope == "health")
    assert (health.true_pairs, health.predicted_pairs, health.correct_pairs) == (4, 4, 2)
    assert health.bcubed_precision == pytest.approx(2 / 3)
    assert health.bcubed_recall == pytest.approx(2 / 3)
    abuse = next(m for m in evaluated.by_feed if m.scope == "domestic_abuse")
    assert (abuse.records, abuse.precision, abuse.recall, abuse.twins_merged) == (1, 1.0, 1.0, 0)


def test_report_accounts_for_every_truth_slot_and_is_json(evaluated):
    assert evaluated.truth_slots == 7
    assert evaluated.truth_slots_not_loaded == 1
    assert evaluated.records_without_truth == 0
    assert json.loads(json.dumps(evaluated.as_dict()))["overall"]["correct_pairs"] == 2
