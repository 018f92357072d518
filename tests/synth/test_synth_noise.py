"""With noise off the feeds say exactly what the truth says; with it on, they differ."""

from __future__ import annotations

from kinlink.identity import postcode_parse
from kinlink.synth.feeds import FEEDS
from kinlink.synth.names import cp1252_safe

from .conftest import City

NAME_COLUMNS = {
    "school_census": [("legal_forename", "legal_surname", "dob")],
    "health": [("forename", "surname", "dob")],
    "police_arrests": [("forename", "surname", "dob")],
    "neet": [("forename", "surname", "dob")],
    "early_help": [("forename", "surname", "dob")],
    "domestic_abuse": [("victim_forename", "victim_surname", "victim_dob")],
}


def _name_pairs(city: City):
    slots, people = city.slots(), city.people()
    for feed, groups in NAME_COLUMNS.items():
        for path in city.feed_files(feed):
            for number, row in enumerate(city.rows(path), start=1):
                if not any(row.values()):
                    continue
                person_ids = slots[(path.name, number)]
                person = people[person_ids.get("victim", person_ids.get(""))]
                for forename, surname, dob in groups:
                    yield feed, row[forename], row[surname], row[dob], person


def test_clean_feeds_carry_true_names_birth_dates_and_postcodes(clean2k: City) -> None:
    checked = 0
    for feed, forename, surname, dob, person in _name_pairs(clean2k):
        holdable = cp1252_safe if FEEDS[feed].encoding == "cp1252" else str
        assert forename == holdable(person["forename"]), feed
        assert surname == holdable(person["surname"]), feed
        day = "-".join(reversed(dob.split("/"))) if "/" in dob else dob
        assert day == person["dob"], feed
        checked += 1
    assert checked > 3_000
    for f in clean2k.summary.files:
        assert f.blank_rows == f.duplicate_rows == 0
    for path in clean2k.feed_files("school_census"):
        for row in clean2k.rows(path):
            assert postcode_parse(row["postcode"]).canonical == row["postcode"]
            assert row["preferred_forename"] == row["legal_forename"]
            assert not row["former_upn"]


def test_noisy_feeds_differ_from_the_truth_now_and_then(city20k: City) -> None:
    rows = differ_forename = differ_dob = 0
    for feed, forename, _surname, dob, person in _name_pairs(city20k):
        if feed in ("police_arrests", "domestic_abuse"):
            rows += 1
            differ_forename += forename.strip() != person["forename"]
            if dob:
                day = "-".join(reversed(dob.split("/")))
                differ_dob += day != person["dob"]
    assert rows > 500
    assert 0.03 < differ_forename / rows < 0.2  # nicknames, typos, swaps, accents
    assert 0.003 < differ_dob / rows < 0.05  # day/month swaps and wrong years


def test_noisy_postcodes_include_unspaced_lower_case_and_stale_ones(city20k: City) -> None:
    slots = city20k.slots()
    residence: dict[str, list[tuple[str, str, str]]] = {}
    for r in city20k.truth("residence.csv"):
        residence.setdefault(r["person_id"], []).append(
            (r["from_date"], r["to_date"] or "9999", r["postcode"])
        )
    odd_format = stale = rows = 0
    for path in city20k.feed_files("health"):
        for number, row in enumerate(city20k.rows(path), start=1):
            if not row["postcode"]:
                continue
            rows += 1
            canonical = postcode_parse(row["postcode"]).canonical
            odd_format += canonical != row["postcode"]
            history = residence[slots[(path.name, number)][""]]
            assert canonical in {pc for _, _, pc in history}  # a real address of theirs
            current = {pc for start, stop, pc in history if start <= row["flag_date"] < stop}
            stale += canonical not in current
    assert 0.03 < odd_format / rows < 0.2
    assert 0 < stale / rows < 0.05
