"""The review queue and reviewers' decisions, enforced on every run."""

from __future__ import annotations

from pathlib import Path

from kinlink.linkage import LinkageConfig, linkage_run, review_decide, review_queue_list
from kinlink.warehouse import warehouse_connect
from tests.linkage.conftest import FAST, TrainedCity, insert, keys_of, person


def _pupil(warehouse: Path) -> tuple[str, str, str, object, str, str]:
    con = warehouse_connect(warehouse, read_only=True)
    try:
        row = con.execute(
            "SELECT record_id, forename, surname, dob, sex, postcode FROM person_records "
            "WHERE feed = 'school_census' AND dob IS NOT NULL AND postcode IS NOT NULL "
            "ORDER BY record_id LIMIT 1"
        ).fetchone()
    finally:
        con.close()
    assert row is not None
    return row  # type: ignore[return-value]


def test_cannot_link_separates_a_pair_the_model_links_and_survives_retrain(
    city_copy: Path, trained_city: TrainedCity
):
    pupil = _pupil(city_copy)
    insert(
        city_copy,
        [person("police_arrests:rv:1", forename=pupil[1], surname=pupil[2], dob=pupil[3],
                sex=pupil[4], postcode=pupil[5])],
    )  # fmt: skip
    config = LinkageConfig(model_path=trained_city.model)
    assert linkage_run(city_copy, config).clusters.cannot_links == 0
    assert keys_of(city_copy)["police_arrests:rv:1"] == keys_of(city_copy)[pupil[0]]
    review_decide(city_copy, pupil[0], "police_arrests:rv:1", False, "A Reviewer", "checked")
    summary = linkage_run(city_copy, config)
    assert summary.clusters.cannot_links == 1
    keys = keys_of(city_copy)
    assert keys["police_arrests:rv:1"] != keys[pupil[0]]
    model = city_copy.parent / "retrained.json"
    linkage_run(city_copy, LinkageConfig(model_path=model, retrain=True, **FAST))
    keys = keys_of(city_copy)
    assert keys["police_arrests:rv:1"] != keys[pupil[0]]


def test_must_link_joins_a_pair_the_model_keeps_apart(city_copy: Path, trained_city: TrainedCity):
    pupil = _pupil(city_copy)
    insert(city_copy, [person("police_arrests:rv:2", forename="Zebedee", surname="Quorn")])
    config = LinkageConfig(model_path=trained_city.model)
    linkage_run(city_copy, config)
    assert keys_of(city_copy)["police_arrests:rv:2"] != keys_of(city_copy)[pupil[0]]
    review_decide(city_copy, "police_arrests:rv:2", pupil[0], True, "A Reviewer", "same child")
    summary = linkage_run(city_copy, config)
    assert summary.clusters.must_links == 1
    assert keys_of(city_copy)["police_arrests:rv:2"] == keys_of(city_copy)[pupil[0]]


def test_the_queue_lists_band_pairs_and_a_decided_pair_leaves_it(
    city_copy: Path, trained_city: TrainedCity
):
    config = LinkageConfig(model_path=trained_city.model, review_low=0.05, review_high=0.99)
    summary = linkage_run(city_copy, config)
    items = review_queue_list(city_copy)
    assert summary.clusters.review_queued == len(items) > 0
    keys = keys_of(city_copy)
    for item in items:
        assert 0.05 <= item.match_probability < 0.99
        assert keys[item.record_a] != keys[item.record_b], "clustering left them apart"
        assert item.weights.startswith("{")
    assert len(review_queue_list(city_copy, limit=1)) == 1
    first = items[0]
    review_decide(city_copy, first.record_b, first.record_a, False, "A Reviewer", "different")
    remaining = {(i.record_a, i.record_b) for i in review_queue_list(city_copy)}
    assert (first.record_a, first.record_b) not in remaining
    linkage_run(city_copy, config)
    again = {(i.record_a, i.record_b) for i in review_queue_list(city_copy)}
    assert (first.record_a, first.record_b) not in again
    assert len(again) == len(items) - 1
