"""The truth names the person behind every slot of every row, once, and nothing else."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

from kinlink.synth import CityConfig, NoiseConfig, generate_city
from kinlink.synth.feeds import FEEDS

from .conftest import City, feed_of

MULTI = {
    "domestic_abuse": ["victim", "perpetrator", *(f"child_{i}" for i in range(1, 5))],
    "housing_benefits": [f"member_{i}" for i in range(1, 7)],
}


def _raw_rows(path) -> list[dict[str, str]]:
    with path.open(encoding=FEEDS[feed_of(path.name)].encoding, newline="") as handle:
        return list(csv.DictReader(handle))


def _filled_slots(feed: str, row: dict[str, str]) -> set[str]:
    if feed not in MULTI:
        return {""}
    return {
        slot for slot in MULTI[feed] if any(v for k, v in row.items() if k.startswith(slot + "_"))
    }


def test_truth_lists_every_person_slot_of_every_non_blank_row_exactly_once(city20k: City) -> None:
    slots = city20k.slots()  # also asserts no (file, row, slot) is listed twice
    seen = set()
    blank = 0
    for path in city20k.feed_files():
        feed = feed_of(path.name)
        for number, row in enumerate(_raw_rows(path), start=1):
            key = (path.name, number)
            if not any(row.values()):
                assert key not in slots, f"blank row listed: {key}"
                blank += 1
                continue
            assert set(slots[key]) == _filled_slots(feed, row), key
            seen.add(key)
    assert seen == set(slots), "truth lists rows that are not in the feeds"
    assert blank > 0


def test_person_slots_name_people_of_the_city(city20k: City) -> None:
    people = city20k.people()
    for person_ids in city20k.slots().values():
        assert set(person_ids.values()) <= people.keys()


def test_duplicate_rows_carry_the_same_people_as_their_original(city20k: City) -> None:
    slots = city20k.slots()
    duplicates = 0
    for path in city20k.feed_files():
        previous = None
        for number, row in enumerate(_raw_rows(path), start=1):
            values = tuple(row.values())
            if any(values) and values == previous:
                duplicates += 1
                assert slots[(path.name, number)] == slots[(path.name, number - 1)]
            previous = values
    assert duplicates == sum(f.duplicate_rows for f in city20k.summary.files) > 0


def test_summary_counts_match_the_files(city2k: City) -> None:
    slots = city2k.slots()
    for f in city2k.summary.files:
        rows = _raw_rows(city2k.out / "feeds" / f.file)
        assert len(rows) == f.rows
        assert sum(len(v) for (file, _), v in slots.items() if file == f.file) == f.person_slots


def test_twins_share_surname_birth_date_and_address(city20k: City) -> None:
    people = city20k.people()
    twins = [p for p in people.values() if p["twin_of"]]
    assert len(twins) >= 20
    homes: dict[str, set[str]] = {}
    for r in city20k.truth("residence.csv"):
        homes.setdefault(r["person_id"], set()).add(r["uprn"])
    for p in twins:
        twin = people[p["twin_of"]]
        assert twin["twin_of"] == p["person_id"]
        assert twin["dob"] == p["dob"]
        assert twin["birth_surname"] == p["birth_surname"]
        assert homes[p["person_id"]] & homes[twin["person_id"]]


def test_people_have_valid_permanent_identifiers(city20k: City) -> None:
    from kinlink.identity import nhs_number_is_valid, uln_is_valid, upn_is_valid

    people = list(city20k.people().values())
    assert all(nhs_number_is_valid(p["nhs_number"]) for p in people)
    assert all(upn_is_valid(p["upn"]) for p in people if p["upn"])
    assert all(uln_is_valid(p["uln"]) for p in people if p["uln"])
    assert len({p["nhs_number"] for p in people}) == len(people)
    upns = [p["upn"] for p in people if p["upn"]]
    assert len(set(upns)) == len(upns)
    assert any(p["former_upn"] and p["former_upn"][-1].isalpha() for p in people)


def test_truth_stays_out_of_the_feeds_folder(city2k: City) -> None:
    assert {p.name for p in (city2k.out / "truth").iterdir()} == {
        "person_slots.csv", "people.csv", "families.csv", "needs.csv", "households.csv",
        "residence.csv", "README.md",
    }  # fmt: skip
    assert (city2k.out / "manifest.json").exists()


def test_a_city_ending_mid_term_with_doubled_noise_is_still_fully_accounted_for(
    tmp_path: Path,
) -> None:
    config = CityConfig(
        people=1_500,
        seed=11,
        end_date=dt.date(2026, 3, 15),
        academic_years=2,
        noise=NoiseConfig().scale(2),
    )
    city = City(tmp_path, generate_city(config, tmp_path))
    names = [p.name for p in city.feed_files()]
    assert "attendance_2025_26_SPR.csv" in names  # the term in progress, to the end date
    assert "attendance_2025_26_SUM.csv" not in names
    assert "school_census_2026_05.csv" not in names
    slots = city.slots()
    for path in city.feed_files():
        for number, row in enumerate(_raw_rows(path), start=1):
            if any(row.values()):
                assert set(slots[(path.name, number)]) == _filled_slots(feed_of(path.name), row)
            else:
                assert (path.name, number) not in slots
    for path in city.feed_files("attendance"):
        for row in city.rows(path):
            if row["as_of_date"]:
                assert row["as_of_date"] <= "2026-03-15"
