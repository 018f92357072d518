"""Hard cases of matching: twins stay apart; nicknames, moves and new surnames still link."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest

from kinlink.identity import nhs_number_make, upn_make
from kinlink.linkage import LinkageConfig, linkage_run
from tests.linkage.conftest import insert, person

Link = Callable[[Path], dict[str, str]]
DOB = date(2014, 3, 9)
HOME = {"address": "12 Brewery Close, Fernlea", "postcode": "KC6 7RA", "uprn": "104360848897"}


def test_twins_stay_apart_even_with_similar_names_and_a_shared_household(
    city_copy: Path, link: Link
):
    wh = city_copy
    jack, jake = {"forename": "Jack"}, {"forename": "Jake"}
    common = {"surname": "Heathby", "dob": DOB, "sex": "M", **HOME}
    insert(
        wh,
        [
            # school census: each twin under his own UPN, three censuses each
            *[
                person(f"school_census:{n}", "school_census", upn=upn_make(999, 2001, 14, 1),
                       **jack, **common)
                for n in (1, 2, 3)
            ],
            *[
                person(f"school_census:{n}", "school_census", upn=upn_make(999, 2001, 14, 2),
                       **jake, **common)
                for n in (4, 5, 6)
            ],
            # health: each twin under his own NHS number
            person("health:1", "health", nhs_number=nhs_number_make(11), **jack, **common),
            person("health:2", "health", nhs_number=nhs_number_make(12), **jake, **common),
            # housing: both twins on one household row (two slots of one row)
            person("housing_benefits:7:member_3", "housing_benefits", slot="member_3",
                   row_number=7, **jack, **common),
            person("housing_benefits:7:member_4", "housing_benefits", slot="member_4",
                   row_number=7, **jake, **common),
            # police: no identifiers at all, one arrest each
            person("police_arrests:1", "police_arrests", **jack, **common),
            person("police_arrests:2", "police_arrests", **jake, **common),
        ],
    )  # fmt: skip
    keys = link(wh)
    jack_keys = {keys[r] for r in keys if r in JACK}
    jake_keys = {keys[r] for r in keys if r in JAKE}
    assert len(jack_keys) == 1, "Jack's records form one person"
    assert len(jake_keys) == 1, "Jake's records form one person"
    assert jack_keys != jake_keys, "twins must never share a key"


JACK = {
    "school_census:1", "school_census:2", "school_census:3", "health:1",
    "housing_benefits:7:member_3", "police_arrests:1",
}  # fmt: skip
JAKE = {
    "school_census:4", "school_census:5", "school_census:6", "health:2",
    "housing_benefits:7:member_4", "police_arrests:2",
}  # fmt: skip


def test_twins_without_any_identifier_stay_apart(city_copy: Path, link: Link):
    wh = city_copy
    common = {"surname": "Okafor", "dob": DOB, **HOME}
    insert(
        wh,
        [
            person("domestic_abuse:3:child_1", "domestic_abuse", slot="child_1", row_number=3,
                   forename="Lily", **common),
            person("domestic_abuse:3:child_2", "domestic_abuse", slot="child_2", row_number=3,
                   forename="Lola", **common),
            person("housing_benefits:9:member_2", "housing_benefits", slot="member_2",
                   row_number=9, forename="Lily", **common),
            person("police_intelligence:4", "police_intelligence", forename="Lola",
                   surname="Okafor", dob=DOB.year),
        ],
    )  # fmt: skip
    keys = link(wh)
    assert keys["domestic_abuse:3:child_1"] != keys["domestic_abuse:3:child_2"]
    assert keys["housing_benefits:9:member_2"] == keys["domestic_abuse:3:child_1"]


def test_nickname_moved_house_and_new_surname_still_link(city_copy: Path, link: Link):
    wh = city_copy
    insert(
        wh,
        [
            # the census knows him as Robert Smith, preferred surname Jones (step-father's)
            person("school_census:1", "school_census", forename="Robert", surname="Smith",
                   preferred_surname="Jones", dob=DOB, sex="M",
                   upn=upn_make(999, 2001, 14, 7), **HOME),
            # after a move the health service has "Bobby Jones" at the new address
            person("health:1", "health", forename="Bobby", surname="Jones", dob=DOB, sex="M",
                   nhs_number=nhs_number_make(77), postcode="KC9 2AB"),
            # and housing lists him with a double-barrelled surname at the new address
            person("housing_benefits:4:member_2", "housing_benefits", slot="member_2",
                   row_number=4, forename="Rob", surname="Smith-Jones", dob=DOB,
                   address="3 Linnet Avenue, Alder Rise", postcode="KC9 2AB"),
            # a different boy with the same date of birth and surname stays apart
            person("police_arrests:1", "police_arrests", forename="Kyle", surname="Jones",
                   dob=DOB, sex="M", postcode="KC9 2AB"),
        ],
    )  # fmt: skip
    keys = link(wh)
    assert keys["health:1"] == keys["school_census:1"]
    assert keys["housing_benefits:4:member_2"] == keys["school_census:1"]
    assert keys["police_arrests:1"] != keys["school_census:1"]


def test_a_record_without_date_of_birth_does_not_chain_two_namesakes(city_copy: Path, link: Link):
    wh = city_copy
    name = {"forename": "Szymon", "surname": "Petrauskas"}
    insert(
        wh,
        [
            person("health:1", "health", dob=date(1964, 11, 30), postcode="KC1 8AT",
                   nhs_number=nhs_number_make(5), **name),
            person("health:2", "health", dob=date(1978, 10, 13), postcode="KC14 9PW",
                   nhs_number=nhs_number_make(6), **name),
            person("housing_benefits:2:member_1", "housing_benefits", slot="member_1",
                   row_number=2, postcode="KC14 9PW", **name),
        ],
    )  # fmt: skip
    keys = link(wh)
    assert keys["health:1"] != keys["health:2"]
    assert keys["housing_benefits:2:member_1"] == keys["health:2"], "the address decides"


def test_names_one_letter_apart_on_one_household_row_are_two_people(city_copy: Path, link: Link):
    wh = city_copy
    common = {"surname": "Begum", **HOME}
    toddler = date(2022, 10, 13)
    insert(
        wh,
        [
            # two household rows list both twins; each row has only one of them dated
            person("housing_benefits:110:member_3", "housing_benefits", slot="member_3",
                   row_number=110, forename="Leo", dob=toddler, **common),
            person("housing_benefits:110:member_4", "housing_benefits", slot="member_4",
                   row_number=110, forename="Leon", **common),
            person("housing_benefits:123:member_3", "housing_benefits", slot="member_3",
                   row_number=123, forename="Leo", **common),
            person("housing_benefits:123:member_4", "housing_benefits", slot="member_4",
                   row_number=123, forename="Leon", dob=toddler, **common),
        ],
    )  # fmt: skip
    keys = link(wh)
    leo = {keys["housing_benefits:110:member_3"], keys["housing_benefits:123:member_3"]}
    leon = {keys["housing_benefits:110:member_4"], keys["housing_benefits:123:member_4"]}
    assert not leo & leon, "Leo and Leon share a row, so no key may hold both"


def test_data_too_thin_to_train_on_gives_a_clear_error_not_a_crash(tmp_path):
    from kinlink.linkage.training import ModelError

    warehouse = tmp_path / "w.duckdb"
    names = [("Ann", "Lee"), ("Bob", "Khan"), ("Cara", "Shaw"), ("Dan", "Ng"), ("Eve", "Hart")]
    # five different people, nothing shared: no pair to learn from, with or without ids
    records = [
        person(f"police_arrests:t:{i}", forename=f, surname=s, dob=date(1990, 1, 1 + i))
        for i, (f, s) in enumerate(names, start=1)
    ]
    insert(warehouse, records)
    with pytest.raises(ModelError, match="cannot train the person model"):
        linkage_run(warehouse, LinkageConfig(model_path=tmp_path / "m.json", retrain=True))
