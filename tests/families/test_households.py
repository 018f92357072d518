"""Hand-made households: who is one family, in which role, with which evidence."""

from __future__ import annotations

from datetime import date

import pytest

from kinlink.families import FamiliesConfig, NoPersonKeys, families_build, family_show
from tests.families.conftest import Town, current, query

OAK = {"uprn": "100000000001", "address": "12 Oak Road, Kinlink", "postcode": "KC1 1AA"}
ELM = {"uprn": "100000000002", "address": "4 Elm Street, Kinlink", "postcode": "KC2 2BB"}
ASH = {"uprn": "100000000003", "address": "9 Ash Close, Kinlink", "postcode": "KC3 3CC"}

SARAH = {"forename": "Sarah", "surname": "Smith", "dob": date(1985, 3, 2), "sex": "F"}
LIAM = {"forename": "Liam", "surname": "Smith", "dob": date(2012, 5, 1), "sex": "M"}
MIA = {"forename": "Mia", "surname": "Smith", "dob": date(2015, 7, 9), "sex": "F"}
DAVE = {"forename": "Dave", "surname": "Jones", "dob": date(1983, 1, 1), "sex": "M"}

CENSUS = (date(2023, 10, 5), date(2024, 10, 3), date(2025, 10, 2))


def _listing(town: Town, when: date, ref: str, at: dict[str, str], members: list[tuple]) -> None:
    """A housing row naming household members (one record per member slot)."""
    town.rows += 1
    for i, (key, person) in enumerate(members, start=1):
        record = town.record(
            key,
            "housing_benefits",
            when,
            role="member",
            slot=f"member_{i}",
            row=town.rows,
            **{k: v for k, v in person.items() if k != "sex"},
            **at,
        )
        town.fact(
            "housing_flag",
            record,
            household_ref=ref,
            flag="WORKLESS",
            flag_date=when,
            household_uprn=at["uprn"],
        )


def _step_family(town: Town) -> None:
    for when in CENSUS:
        town.record("K-LIAM", "school_census", when, role="pupil", **LIAM, **OAK)
        town.record("K-MIA", "school_census", when, role="pupil", **MIA, **OAK)
    town.record(
        "K-SARAH", "health", date(2023, 6, 1), role="patient", postcode=OAK["postcode"], **SARAH
    )
    # the new partner lived alone, then joined the family
    _listing(town, date(2023, 11, 10), "HB1", ELM, [("K-DAVE", DAVE)])
    _listing(
        town,
        date(2025, 11, 10),
        "HB2",
        OAK,
        [("K-DAVE", DAVE), ("K-SARAH", SARAH), ("K-LIAM", LIAM), ("K-MIA", MIA)],
    )
    for key, person, role in (
        ("K-SARAH", SARAH, "PARENT"),
        ("K-DAVE", DAVE, "CARER"),
        ("K-LIAM", LIAM, "CHILD"),
        ("K-MIA", MIA, "CHILD"),
    ):
        record = town.record(
            key, "early_help", date(2025, 6, 1), role="family_member", **person, **OAK
        )
        town.fact(
            "early_help_episode",
            record,
            eh_family_id="EHF1",
            family_role=role,
            episode_id="EHE1",
            episode_start=date(2025, 6, 1),
        )


def test_siblings_mother_and_her_new_partner_are_one_family_with_roles(town: Town):
    _step_family(town)
    warehouse = town.write()
    summary = families_build(warehouse)
    assert summary.as_of == date(2025, 11, 10)  # the latest observed date
    families = current(warehouse)
    assert len({f for f, _ in families.values()}) == 1
    assert {k: r for k, (_, r) in families.items()} == {
        "K-SARAH": "PARENT",
        "K-DAVE": "CARER",
        "K-LIAM": "CHILD",
        "K-MIA": "CHILD",
    }
    edges = {
        (a, b, relation, evidence)
        for a, b, relation, evidence in query(
            warehouse,
            "SELECT person_key_a, person_key_b, relation, evidence FROM family_relationships",
        )
    }
    assert ("K-SARAH", "K-LIAM", "PARENT_CHILD", "early_help") in edges
    assert ("K-DAVE", "K-MIA", "CARER_CHILD", "early_help") in edges
    assert ("K-DAVE", "K-SARAH", "PARTNER", "early_help") in edges
    assert ("K-LIAM", "K-MIA", "SIBLING", "co_residence") in edges
    assert ("K-DAVE", "K-LIAM", "ADULT_CHILD", "housing_benefits") in edges
    # the partner's residence: his own flat, then the family home
    assert query(
        warehouse,
        "SELECT address_id, valid_from, valid_to FROM family_residence_episodes "
        "WHERE person_key = 'K-DAVE' ORDER BY valid_from",
    ) == [
        ("100000000002", date(2023, 11, 10), date(2025, 6, 1)),
        ("100000000001", date(2025, 6, 1), None),
    ]


def test_every_edge_names_its_records_and_dates(town: Town):
    _step_family(town)
    warehouse = town.write()
    families_build(warehouse)
    rows = query(
        warehouse,
        "SELECT evidence, feeds, record_ids, valid_from, valid_to FROM family_relationships "
        "WHERE person_key_a = 'K-SARAH' AND person_key_b = 'K-LIAM' ORDER BY evidence",
    )
    by_evidence = {r[0]: r for r in rows}
    _, feeds, records, start, end = by_evidence["early_help"]
    assert feeds == ["early_help"]
    assert len(records) == 2
    assert all(r.startswith("early_help:") for r in records)
    assert (start, end) == (date(2025, 6, 1), None)
    _, feeds, records, start, _ = by_evidence["housing_benefits"]
    assert records
    assert all(r.startswith("housing_benefits:") for r in records)
    assert start == date(2025, 11, 10)


def _child_moves(town: Town) -> None:
    anna = {"forename": "Anna", "surname": "Brown", "dob": date(1984, 2, 2)}
    mark = {"forename": "Mark", "surname": "Green", "dob": date(1982, 8, 8)}
    ella = {"forename": "Ella", "surname": "Green", "dob": date(2013, 4, 4)}
    for when in (date(2023, 10, 5), date(2024, 1, 18), date(2024, 10, 3)):
        town.record("K-ELLA", "school_census", when, role="pupil", sex="F", **ella, **ASH)
    for when in (date(2025, 1, 16), date(2025, 10, 2)):
        town.record("K-ELLA", "school_census", when, role="pupil", sex="F", **ella, **ELM)
    _listing(town, date(2023, 11, 1), "HB-A", ASH, [("K-ANNA", anna), ("K-ELLA", ella)])
    _listing(town, date(2025, 11, 1), "HB-A", ASH, [("K-ANNA", anna)])
    _listing(town, date(2023, 12, 1), "HB-M", ELM, [("K-MARK", mark)])
    _listing(town, date(2025, 12, 1), "HB-M", ELM, [("K-MARK", mark), ("K-ELLA", ella)])


def test_a_child_who_moves_between_parents_has_one_current_family_and_history(town: Town):
    _child_moves(town)
    warehouse = town.write()
    families_build(warehouse, as_of=date(2024, 12, 31))
    before = current(warehouse)
    assert before["K-ELLA"][0] == before["K-ANNA"][0]
    assert before["K-ELLA"][0] != before["K-MARK"][0]
    mothers = before["K-ANNA"][0]

    families_build(warehouse)  # as of the latest date: she lives with her father now
    after = current(warehouse)
    assert after["K-ELLA"] == (after["K-MARK"][0], "CHILD")
    assert after["K-MARK"][1] == "PARENT"
    assert after["K-ANNA"][0] == mothers  # the mother keeps her family's key
    rows = query(
        warehouse,
        "SELECT family_key, role, valid_from, valid_to, basis FROM family_key_members "
        "WHERE person_key = 'K-ELLA' ORDER BY valid_from, basis",
    )
    assert [r for r in rows if r[4] == "current"] == [
        (after["K-MARK"][0], "CHILD", date(2025, 1, 16), None, "current")
    ]
    history = {(r[0], r[4]) for r in rows if r[4] != "current"}
    assert (mothers, "closed") in history  # ended between the two runs
    assert (mothers, "moved") in history  # and seen in her residence history
    moved = [r for r in rows if r[4] == "moved"]
    assert moved == [(mothers, "CHILD", date(2023, 10, 5), date(2025, 1, 16), "moved")]
    view = family_show(warehouse, mothers)
    assert [m.person_key for m in view.members] == ["K-ANNA"]
    assert after["K-ANNA"][1] == "OTHER_ADULT"  # no child at home any more
    assert {(m.person_key, m.role, m.basis) for m in view.history} == {
        ("K-ELLA", "CHILD", "closed"),
        ("K-ELLA", "CHILD", "moved"),
        ("K-ANNA", "PARENT", "closed"),
    }


def test_a_domestic_abuse_incident_links_victim_perpetrator_and_children(town: Town):
    kim = {"forename": "Kim", "surname": "Hall", "dob": date(1990, 1, 1)}
    tom = {"forename": "Tom", "surname": "Reed", "dob": date(1988, 5, 5)}
    ava = {"forename": "Ava", "surname": "Hall", "dob": date(2016, 6, 6)}
    leo = {"forename": "Leo", "surname": "Hall", "dob": date(2018, 8, 8)}
    incident = date(2024, 4, 29)
    slots = [
        ("K-KIM", kim, "victim", "victim"),
        ("K-TOM", tom, "perpetrator", "perpetrator"),
        ("K-AVA", ava, "child_present", "child_1"),
        ("K-LEO", leo, "child_present", "child_2"),
    ]
    records = {}
    for key, person, role, slot in slots:
        records[key] = town.record(
            key, "domestic_abuse", incident, role=role, slot=slot, row=1, **person, **OAK
        )
        town.fact(
            "domestic_abuse_incident",
            records[key],
            incident_ref="DA24-000001",
            incident_date=incident,
            incident_uprn=OAK["uprn"],
        )
    town.rows = 1
    for key, person in (("K-AVA", ava), ("K-LEO", leo)):
        town.record(key, "school_census", date(2024, 10, 3), role="pupil", **person, **OAK)
    warehouse = town.write()
    families_build(warehouse)
    edges = {
        (a, b, relation): (ref, records_, start, end)
        for a, b, relation, ref, records_, start, end in query(
            warehouse,
            "SELECT person_key_a, person_key_b, relation, evidence_ref, record_ids, valid_from, "
            "valid_to FROM family_relationships WHERE evidence = 'domestic_abuse'",
        )
    }
    assert set(edges) == {
        ("K-TOM", "K-KIM", "PERPETRATOR_VICTIM"),
        ("K-KIM", "K-AVA", "ADULT_CHILD"),
        ("K-KIM", "K-LEO", "ADULT_CHILD"),
        ("K-TOM", "K-AVA", "ADULT_CHILD"),
        ("K-TOM", "K-LEO", "ADULT_CHILD"),
        ("K-AVA", "K-LEO", "SIBLING"),
    }
    ref, evidence, start, end = edges[("K-TOM", "K-KIM", "PERPETRATOR_VICTIM")]
    assert ref == "DA24-000001"
    assert sorted(evidence) == sorted([records["K-TOM"], records["K-KIM"]])
    assert start == end == incident
    families = current(warehouse)
    assert families["K-KIM"][0] == families["K-AVA"][0] == families["K-LEO"][0]
    assert families["K-KIM"][1] == "PARENT"
    # the incident address is where it happened, not proof the perpetrator lives there
    assert query(
        warehouse,
        "SELECT precision FROM family_residence_episodes WHERE person_key = 'K-TOM'",
    ) == [("incident",)]


def test_a_shared_house_is_a_family_per_resident_unless_related(town: Town):
    sharers = [
        ("K-A", {"forename": "Amy", "surname": "Cole", "dob": date(2001, 1, 1)}),
        ("K-B", {"forename": "Ben", "surname": "Okafor", "dob": date(1999, 2, 2)}),
        ("K-C", {"forename": "Cara", "surname": "Nowak", "dob": date(2003, 3, 3)}),
        ("K-D", {"forename": "Dan", "surname": "Nowak", "dob": date(2004, 4, 4)}),
    ]
    _listing(town, date(2025, 11, 1), "HB-S", OAK, sharers)
    # a couple of the same ages next door stays together
    couple = [
        ("K-E", {"forename": "Emma", "surname": "Price", "dob": date(2000, 5, 5), "sex": "F"}),
        ("K-F", {"forename": "Fred", "surname": "Lowe", "dob": date(1999, 6, 6), "sex": "M"}),
    ]
    for key, person in couple:
        town.record(key, "health", date(2025, 10, 1), role="patient", **person, **ELM)
    warehouse = town.write()
    summary = families_build(warehouse)
    families = current(warehouse)
    assert summary.shared_houses_split == 1
    assert len({families[k][0] for k in ("K-A", "K-B", "K-C")}) == 3
    assert families["K-C"][0] == families["K-D"][0]  # siblings sharing with friends
    assert families["K-E"][0] == families["K-F"][0]
    roles = {k: r for k, (_, r) in families.items()}
    assert roles == {
        "K-A": "YOUNG_ADULT",
        "K-B": "OTHER_ADULT",  # 26
        "K-C": "YOUNG_ADULT",
        "K-D": "YOUNG_ADULT",
        "K-E": "OTHER_ADULT",  # a couple
        "K-F": "OTHER_ADULT",
    }


def test_a_household_listing_that_leaves_someone_out_means_they_left(town: Town):
    sam = {"forename": "Sam", "surname": "Smith", "dob": date(2004, 2, 2)}
    _listing(town, date(2023, 11, 1), "HB1", OAK, [("K-SARAH", SARAH), ("K-SAM", sam)])
    _listing(town, date(2025, 11, 1), "HB1", OAK, [("K-SARAH", SARAH)])
    warehouse = town.write()
    families_build(warehouse)
    families = current(warehouse)
    assert families["K-SAM"][0] != families["K-SARAH"][0]
    placed = dict(
        query(
            warehouse,
            "SELECT person_key, placed_by FROM family_key_members WHERE basis = 'current'",
        )
    )
    assert placed["K-SAM"] == "left: not in a later household listing"

    # a council whose housing rows name only the claimant can switch the rule off
    families_build(warehouse, config=FamiliesConfig(listing_feeds=("early_help",)))
    families = current(warehouse)
    assert families["K-SAM"][0] == families["K-SARAH"][0]


def test_a_parent_last_seen_at_the_old_home_moves_with_the_children(town: Town):
    for when in CENSUS[:2]:
        town.record("K-LIAM", "school_census", when, role="pupil", **LIAM, **OAK)
        town.record("K-MIA", "school_census", when, role="pupil", **MIA, **OAK)
    town.record("K-LIAM", "school_census", CENSUS[2], role="pupil", **LIAM, **ELM)
    town.record("K-MIA", "school_census", CENSUS[2], role="pupil", **MIA, **ELM)
    _listing(town, date(2024, 11, 1), "HB1", OAK, [("K-SARAH", SARAH), ("K-LIAM", LIAM)])
    warehouse = town.write()
    families_build(warehouse)
    families = current(warehouse)
    assert families["K-SARAH"][0] == families["K-LIAM"][0] == families["K-MIA"][0]
    placed = dict(
        query(
            warehouse,
            "SELECT person_key, placed_by FROM family_key_members WHERE basis = 'current'",
        )
    )
    assert placed["K-SARAH"] == "moved with household"


def test_families_need_person_keys(town: Town):
    warehouse = town.write()
    with pytest.raises(NoPersonKeys):
        families_build(warehouse)


def _placed(warehouse) -> dict[str, str]:
    return dict(
        query(
            warehouse,
            "SELECT person_key, placed_by FROM family_key_members WHERE basis = 'current'",
        )
    )


@pytest.mark.parametrize("adult_seen_after", [False, True])
def test_a_child_still_reported_at_the_old_home_follows_the_brother_who_moved(
    town: Town, adult_seen_after: bool
):
    for when in CENSUS[:2]:
        town.record("K-LIAM", "school_census", when, role="pupil", **LIAM, **OAK)
        town.record("K-MIA", "school_census", when, role="pupil", **MIA, **OAK)
    town.record("K-LIAM", "school_census", CENSUS[2], role="pupil", **LIAM, **ELM)
    # Mia's school never picked up the move
    town.record("K-MIA", "school_census", date(2026, 1, 15), role="pupil", **MIA, **OAK)
    _listing(town, date(2024, 11, 1), "HB1", OAK, [("K-SARAH", SARAH), ("K-MIA", MIA)])
    if adult_seen_after:
        town.record("K-DAVE", "police_arrests", date(2026, 2, 1), role="arrestee", **DAVE, **OAK)
    warehouse = town.write()
    families_build(warehouse)
    families = current(warehouse)
    if adult_seen_after:  # someone still lives there: Mia may well live with him
        assert families["K-MIA"][0] == families["K-DAVE"][0] != families["K-LIAM"][0]
        return
    assert families["K-SARAH"][0] == families["K-LIAM"][0] == families["K-MIA"][0]
    placed = _placed(warehouse)
    assert placed["K-MIA"] == placed["K-SARAH"] == "moved with household"


def test_an_adult_who_left_on_their_own_does_not_hold_the_household_back(town: Town):
    sam = {"forename": "Sam", "surname": "Smith", "dob": date(2004, 2, 2)}
    for when in CENSUS[:2]:
        town.record("K-LIAM", "school_census", when, role="pupil", **LIAM, **OAK)
    town.record("K-LIAM", "school_census", CENSUS[2], role="pupil", **LIAM, **ELM)
    _listing(
        town, date(2024, 11, 1), "HB1", OAK, [("K-SARAH", SARAH), ("K-SAM", sam), ("K-LIAM", LIAM)]
    )
    _listing(town, date(2025, 11, 1), "HB2", ASH, [("K-SAM", sam)])
    warehouse = town.write()
    families_build(warehouse)
    families = current(warehouse)
    assert families["K-SARAH"][0] == families["K-LIAM"][0] != families["K-SAM"][0]
    assert _placed(warehouse)["K-SARAH"] == "moved with household"


def test_an_open_early_help_episode_gives_the_address_as_at_the_extract(town: Town):
    _listing(town, date(2024, 3, 1), "HB1", OAK, [("K-SARAH", SARAH)])
    # the episode opened in January and was still open when the extract was taken; its
    # address is where Sarah lived then (another episode in it ended in late August)
    for key, person, role, start, end, at in (
        ("K-SARAH", SARAH, "PARENT", date(2024, 1, 10), None, ELM),
        ("K-DAVE", DAVE, "PARENT", date(2023, 9, 1), date(2024, 8, 20), ASH),
    ):
        record = town.record(key, "early_help", start, role="family_member", **person, **at)
        town.fact(
            "early_help_episode",
            record,
            eh_family_id=f"EHF-{key}",
            family_role=role,
            episode_id=f"EHE-{key}",
            episode_start=start,
            episode_end=end,
        )
    warehouse = town.write()
    families_build(warehouse, as_of=date(2024, 12, 31))
    episodes = query(
        warehouse,
        "SELECT address_id, valid_from, valid_to FROM family_residence_episodes "
        "WHERE person_key = 'K-SARAH' ORDER BY valid_from",
    )
    assert episodes == [
        (OAK["uprn"], date(2024, 3, 1), date(2024, 8, 20)),
        (ELM["uprn"], date(2024, 8, 20), None),
    ]


@pytest.mark.parametrize("child_at_home", [False, True])
def test_a_perpetrator_known_only_by_an_incident_lives_with_a_victim_who_lives_alone(
    town: Town, child_at_home: bool
):
    kim = {"forename": "Kim", "surname": "Hall", "dob": date(1990, 1, 1)}
    tom = {"forename": "Tom", "surname": "Reed", "dob": date(1988, 5, 5)}
    incident = date(2024, 4, 29)
    for key, person, role in (("K-KIM", kim, "victim"), ("K-TOM", tom, "perpetrator")):
        record = town.record(
            key, "domestic_abuse", incident, role=role, slot=role, row=1, **person, **OAK
        )
        town.fact(
            "domestic_abuse_incident",
            record,
            incident_ref="DA24-000001",
            incident_date=incident,
            incident_uprn=OAK["uprn"],
        )
    town.rows = 1
    if child_at_home:
        town.record("K-LIAM", "school_census", CENSUS[1], role="pupil", **LIAM, **OAK)
    warehouse = town.write()
    families_build(warehouse)
    families = current(warehouse)
    if child_at_home:  # more often an ex-partner living elsewhere
        assert families["K-TOM"][0] != families["K-KIM"][0]
        assert _placed(warehouse)["K-TOM"] == "incident only"
        return
    assert families["K-TOM"][0] == families["K-KIM"][0]
    assert _placed(warehouse)["K-TOM"] == "incident and the victim"


def test_a_parent_known_by_postcode_is_placed_with_children_whose_surname_is_one_slip_away(
    town: Town,
):
    chen = {"forename": "Ling", "surname": "Cgen", "dob": date(1986, 4, 4), "sex": "F"}
    amy = {"forename": "Amy", "surname": "Chen", "dob": date(2015, 3, 3)}
    next_door = {"uprn": "100000000009", "address": "14 Oak Road, Kinlink", "postcode": "KC1 1AA"}
    town.record("K-AMY", "school_census", CENSUS[2], role="pupil", **amy, **OAK)
    town.record("K-LIAM", "school_census", CENSUS[2], role="pupil", **LIAM, **next_door)
    town.record("K-LING", "health", date(2025, 6, 1), role="patient", postcode="KC1 1AA", **chen)
    warehouse = town.write()
    families_build(warehouse)
    families = current(warehouse)
    assert families["K-LING"][0] == families["K-AMY"][0]
    assert _placed(warehouse)["K-LING"] == "postcode and a known resident"

    families_build(warehouse, config=FamiliesConfig(surname_slip_min_length=5))
    assert _placed(warehouse)["K-LING"] == "postcode only"  # 'chen' is too short now


def test_a_teenager_seen_since_the_move_only_by_postcode_still_carries_the_parent(town: Town):
    jo = {"forename": "Jo", "surname": "Smith", "dob": date(2008, 6, 1), "sex": "F"}
    for when in CENSUS[:2]:
        town.record("K-LIAM", "school_census", when, role="pupil", **LIAM, **OAK)
        town.record("K-JO", "school_census", when, role="pupil", **jo, **OAK)
    town.record("K-LIAM", "school_census", CENSUS[2], role="pupil", **LIAM, **ELM)
    # Jo left school; the careers service has her at the new home's postcode, nothing more
    town.record(
        "K-JO", "neet", date(2025, 4, 20), role="young_person", postcode=ELM["postcode"], **jo
    )
    _listing(town, date(2023, 11, 10), "HB1", OAK, [("K-SARAH", SARAH), ("K-JO", jo)])
    warehouse = town.write()
    families_build(warehouse)
    families = current(warehouse)
    assert families["K-SARAH"][0] == families["K-LIAM"][0] == families["K-JO"][0]
    placed = _placed(warehouse)
    assert placed["K-JO"] == "postcode and a known resident"
    assert placed["K-SARAH"] == "moved with household"


@pytest.mark.parametrize("same_street_elsewhere", [False, True])
def test_an_arrest_address_without_uprn_meets_the_incident_address_without_postcode(
    town: Town, same_street_elsewhere: bool
):
    tower = {"uprn": "100000000010", "address": "Flat 10 Union Tower, Kinlink"}
    kim = {"forename": "Kim", "surname": "Hall", "dob": date(1990, 1, 1)}
    tom = {"forename": "Tom", "surname": "Reed", "dob": date(1988, 5, 5)}
    incident = date(2025, 2, 16)
    # the incident gives the UPRN but no postcode; the arrest the postcode but no UPRN
    for key, person, role in (("K-KIM", kim, "victim"), ("K-TOM", tom, "perpetrator")):
        record = town.record(
            key, "domestic_abuse", incident, role=role, slot=role, row=1, **person, **tower
        )
        town.fact(
            "domestic_abuse_incident",
            record,
            incident_ref="DA25-000001",
            incident_date=incident,
            incident_uprn=tower["uprn"],
        )
    town.rows = 1
    town.record(
        "K-TOM",
        "police_arrests",
        incident,
        role="arrestee",
        address="Flat 10 Union Tower, Kinlink KC4 6EW",
        postcode="KC4 6EW",
        **tom,
    )
    if same_street_elsewhere:  # number and street written with another postcode too
        town.record(
            "K-LIAM",
            "school_census",
            CENSUS[2],
            role="pupil",
            **LIAM,
            address="10 Union Street, Kinlink",
            postcode="KC9 9ZZ",
            uprn="100000000011",
        )
    warehouse = town.write()
    families_build(warehouse)
    families = current(warehouse)
    episodes = query(
        warehouse,
        "SELECT DISTINCT address_id FROM family_residence_episodes WHERE person_key = 'K-TOM'",
    )
    if same_street_elsewhere:  # ambiguous: the arrest keeps its written address
        assert families["K-TOM"][0] != families["K-KIM"][0]
        assert episodes == [("address:KC4 6EW|10|union",)]
        return
    assert families["K-TOM"][0] == families["K-KIM"][0]
    assert episodes == [(tower["uprn"],)]
