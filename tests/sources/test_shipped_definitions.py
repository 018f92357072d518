"""The shipped reference definitions: one per feed, complete, and faithful to the layouts."""

from __future__ import annotations

import pytest

from kinlink.sources import (
    ColumnSpec,
    FeedDefinition,
    builtin_definition_paths,
    definition_load,
    definitions_load,
)
from kinlink.warehouse.schema import FACT_TABLES

from .feed_layouts import (
    DA_SLOTS,
    DECLARED_NOT_LOADED,
    HOUSING_SLOTS,
    REFERENCE_LAYOUTS,
    REFERENCE_STYLE,
    REQUIRED_IDENTITY,
    SENSITIVITY,
    SOURCE_IDS,
    TARGETS,
)

FEEDS = sorted(REFERENCE_LAYOUTS)
ISO, UK = "%Y-%m-%d", "%d/%m/%Y"
SHARED_ADDRESS = {"address": "address", "postcode": "postcode", "uprn": "uprn"}


@pytest.fixture(scope="module")
def shipped() -> dict[str, FeedDefinition]:
    return definitions_load()


def code_of(spec: ColumnSpec, raw: str) -> str | None:
    """The canonical code for ``raw``: code maps match case-insensitively, spaces collapsed."""
    key = " ".join(raw.upper().split())
    for known, canonical in spec.codes.items():
        if " ".join(known.upper().split()) == key:
            return canonical
    return None


def identity_columns(definition: FeedDefinition) -> set[str]:
    return {col for slot in definition.persons for col in slot.identity_columns()}


def test_exactly_one_shipped_definition_per_reference_feed():
    paths = builtin_definition_paths()
    assert sorted(p.stem for p in paths) == FEEDS
    for path in paths:
        assert definition_load(path).feed == path.stem, f"{path.name} declares another feed"


def test_every_shipped_definition_loads_and_validates(shipped):
    assert sorted(shipped) == FEEDS
    for feed, definition in shipped.items():
        assert definition.target == TARGETS[feed]
        assert definition.sensitivity == SENSITIVITY[feed]
        assert definition.version >= 1
        assert definition.title
        assert definition.description
        assert definition.source_system


@pytest.mark.parametrize("feed", FEEDS)
def test_every_reference_column_is_declared_and_nothing_else(shipped, feed):
    definition = shipped[feed]
    declared = set(definition.columns)
    layout = set(REFERENCE_LAYOUTS[feed])
    assert sorted(layout - declared) == [], "reference columns missing from the definition"
    assert sorted(declared - layout - set(definition.ignore_columns)) == [], (
        "declared columns that are not in the reference layout"
    )


@pytest.mark.parametrize("feed", FEEDS)
def test_every_declared_column_is_loaded_or_deliberately_listed(shipped, feed):
    definition = shipped[feed]
    unused = set(definition.columns) - definition.used_columns()
    assert unused == DECLARED_NOT_LOADED.get(feed, set())


@pytest.mark.parametrize("feed", FEEDS)
def test_every_fact_field_of_the_target_table_is_filled(shipped, feed):
    definition = shipped[feed]
    fields = {c.name for c in FACT_TABLES[definition.target]}
    assert set(definition.facts) == fields


@pytest.mark.parametrize("feed", FEEDS)
def test_dates_accept_the_reference_format_and_the_other_common_one(shipped, feed):
    definition = shipped[feed]
    encoding, date_format = REFERENCE_STYLE[feed]
    assert encoding in definition.files.encodings
    # UTF-8 first: it refuses Windows-1252 bytes, so each file falls to the right decoder,
    # whereas Windows-1252 first would silently garble a UTF-8 file's accented names.
    assert definition.files.encodings[:2] == ("utf-8", "cp1252")
    dates = [c for c, s in definition.columns.items() if s.type == "date"]
    assert dates, "every feed has at least one date"
    for column in dates:
        formats = definition.columns[column].formats
        assert formats[0] == date_format, f"{column}: the feed's own format is tried first"
        assert {ISO, UK} <= set(formats), f"{column} accepts only {formats}"
    assert definition.observed_date in dates


def test_year_only_dates_of_birth_are_accepted_where_police_intelligence_gives_them(shipped):
    assert "%Y" in shipped["police_intelligence"].columns["subject_dob"].formats


@pytest.mark.parametrize("feed", FEEDS)
def test_identity_columns_are_lenient(shipped, feed):
    """Identifiers carry no pattern (a failed check is flagged, not quarantined) and are
    optional except where they are the only way to tell who the row is about."""
    definition = shipped[feed]
    for column in identity_columns(definition):
        spec = definition.columns[column]
        assert spec.pattern is None, f"{column}: no pattern on identity columns"
        if spec.required:
            assert column in REQUIRED_IDENTITY.get(feed, set()), f"{column} must not be required"
    for column in REQUIRED_IDENTITY.get(feed, set()):
        assert definition.columns[column].required


@pytest.mark.parametrize("feed", FEEDS)
def test_dob_and_sex_columns_are_typed(shipped, feed):
    for slot in shipped[feed].persons:
        if "dob" in slot.identity:
            assert shipped[feed].columns[slot.identity["dob"]].type == "date"
        if "sex" in slot.identity:
            spec = shipped[feed].columns[slot.identity["sex"]]
            assert spec.type == "code"
            for raw, want in {"M": "M", "Male": "M", "f": "F", "FEMALE": "F", "X": "U"}.items():
                assert code_of(spec, raw) == want


@pytest.mark.parametrize("feed", FEEDS)
def test_code_maps_are_consistent(shipped, feed):
    """Canonical codes map to themselves (a re-exported file loads) and no two spellings
    that match the same raw value disagree."""
    for column, spec in shipped[feed].columns.items():
        if spec.type != "code":
            continue
        seen: dict[str, str] = {}
        for raw, canonical in spec.codes.items():
            key = " ".join(raw.upper().split())
            assert seen.setdefault(key, canonical) == canonical, f"{column}: '{raw}' is ambiguous"
        for canonical in set(spec.codes.values()):
            assert code_of(spec, canonical) == canonical, f"{column}: {canonical} not idempotent"


@pytest.mark.parametrize("feed", FEEDS)
def test_source_ids(shipped, feed):
    slots = shipped[feed].persons
    if feed not in SOURCE_IDS:
        assert all("source_person_id" not in s.identity for s in slots)
        return
    column, kind = SOURCE_IDS[feed]
    (slot,) = slots
    assert slot.identity["source_person_id"] == column
    assert slot.source_id_kind == kind


def test_social_care_child_id_is_both_identity_and_source_id(shipped):
    identity = shipped["social_care"].persons[0].identity
    assert identity["la_child_id"] == "la_child_id" == identity["source_person_id"]


def test_school_census_identity(shipped):
    census = shipped["school_census"]
    (pupil,) = census.persons
    assert pupil.role == "pupil"
    assert pupil.source_id_kind is None
    assert "source_person_id" not in pupil.identity
    assert pupil.identity == {
        "upn": "upn",
        "former_upn": "former_upn",
        "uln": "uln",
        "forename": "legal_forename",
        "surname": "legal_surname",
        "middle_names": "middle_names",
        "preferred_forename": "preferred_forename",
        "preferred_surname": "preferred_surname",
        "dob": "dob",
        "sex": "gender",
        "address": ("address_line1", "address_line2", "town"),
        "postcode": "postcode",
        "uprn": "uprn",
    }


@pytest.mark.parametrize(
    ("feed", "slots", "roles"),
    [
        (
            "domestic_abuse",
            DA_SLOTS,
            ["victim", "perpetrator"] + ["child_present"] * 4,
        ),
        ("housing_benefits", HOUSING_SLOTS, ["member"] * 6),
    ],
)
def test_multi_person_rows_have_a_slot_per_column_group(shipped, feed, slots, roles):
    persons = shipped[feed].persons
    assert [p.slot for p in persons] == slots
    assert [p.role for p in persons] == roles
    for person in persons:
        assert person.identity == {
            "forename": f"{person.slot}_forename",
            "surname": f"{person.slot}_surname",
            "dob": f"{person.slot}_dob",
            **SHARED_ADDRESS,
        }


def test_single_person_feeds_have_one_unnamed_slot(shipped):
    for feed, definition in shipped.items():
        if feed in ("domestic_abuse", "housing_benefits"):
            continue
        assert [p.slot for p in definition.persons] == [""], feed


@pytest.mark.parametrize(
    ("feed", "column", "raw", "want"),
    [
        ("exclusions", "category", "PERM", "PERM"),
        ("exclusions", "category", "permanent", "PERM"),
        ("exclusions", "category", "FIXD", "SUSP"),
        ("exclusions", "category", "Fixed  Term", "SUSP"),
        ("exclusions", "category", "Suspension", "SUSP"),
        ("exclusions", "category", "LUNCHTIME", "LNCH"),
        ("exclusions", "reason_1", "ow", "OW"),
        ("school_census", "sen_provision", "S", "E"),
        ("school_census", "sen_provision", "A", "K"),
        ("school_census", "sen_provision", "P", "K"),
        ("school_census", "sen_provision", "e", "E"),
        ("school_census", "ncyear", "R", "R"),
        ("school_census", "ncyear", "13", "13"),
        ("school_census", "ncyear", "n2", "N2"),
        ("school_census", "sen_primary_need", "BESD", "SEMH"),
        ("early_help", "role", "Sibling", "SIBLING"),
        ("social_care", "episode_type", "CLA", "LAC"),
        ("social_care", "cp_category", "Neglect", "NEG"),
        ("social_care", "referral_source", "5d", "5D"),
        ("social_care", "closure_reason", "RC9", "RC9"),
        ("youth_justice", "outcome", "Community Resolution", "COMMUNITY_RESOLUTION"),
        ("youth_justice", "outcome", "Youth Caution", "YOUTH_CAUTION"),
        ("youth_justice", "outcome", "Youth Conditional Caution", "YOUTH_CONDITIONAL_CAUTION"),
        ("youth_justice", "outcome", "Referral Order", "REFERRAL_ORDER"),
        ("youth_justice", "outcome", "Youth Rehabilitation Order", "YOUTH_REHABILITATION_ORDER"),
        ("youth_justice", "outcome", "Custody", "CUSTODY"),
        ("police_arrests", "outcome", "NFA", "NFA"),
        ("police_arrests", "outcome", "Charged", "CHARGED"),
        ("police_arrests", "outcome", "Cautioned", "CAUTIONED"),
        ("police_arrests", "outcome", "RUI", "RUI"),
        ("police_intelligence", "category", "County Lines", "COUNTY_LINES"),
        ("police_intelligence", "category", "DRUG_SUPPLY", "DRUG_SUPPLY"),
        ("domestic_abuse", "dash_risk", "High", "HIGH"),
        ("health", "flag", "CAMHS_REFERRAL", "CAMHS_REFERRAL"),
        ("exploitation", "category", "Criminally", "CRIMINAL"),
        ("exploitation", "category", "Sexually", "SEXUAL"),
        ("exploitation", "risk_level", "medium", "MEDIUM"),
        ("neet", "status", "NOT_KNOWN", "NOT_KNOWN"),
        ("housing_benefits", "flag", "TEMP_ACCOMMODATION", "TEMP_ACCOMMODATION"),
    ],
)
def test_partner_spellings_normalise_to_canonical_codes(shipped, feed, column, raw, want):
    assert code_of(shipped[feed].columns[column], raw) == want


@pytest.mark.parametrize(
    ("feed", "column", "raw"),
    [
        ("exclusions", "category", "PERMX"),
        ("exclusions", "reason_2", "ZZ"),
        ("school_census", "sen_provision", "Q"),
        ("social_care", "episode_type", "CIM"),
        ("youth_justice", "outcome", "Youth Cation"),
        ("police_arrests", "outcome", "Chargd"),
        ("police_intelligence", "category", "GANK"),
        ("health", "flag", "DIAGNOSIS"),
        ("neet", "status", "NEEET"),
        ("housing_benefits", "flag", "RENT"),
    ],
)
def test_closed_vocabularies_are_strict(shipped, feed, column, raw):
    spec = shipped[feed].columns[column]
    assert not spec.allow_unknown_codes
    assert code_of(spec, raw) is None


def test_booleans_read_the_feeds_values(shipped):
    fsm = shipped["school_census"].columns["fsm_eligible"]
    da = shipped["police_arrests"].columns["domestic_abuse"]
    assert fsm.type == da.type == "boolean"
    assert {"T", "Y"} <= set(fsm.true_values)
    assert {"F", "N"} <= set(fsm.false_values)
    assert {"Y", "T"} <= set(da.true_values)
    assert {"N", "F"} <= set(da.false_values)


def test_assessment_factors_are_a_semicolon_list(shipped):
    spec = shipped["social_care"].columns["assessment_factors"]
    assert (spec.type, spec.separator) == ("list", ";")


@pytest.mark.parametrize("feed", FEEDS)
def test_governance_is_complete(shipped, feed):
    gov = shipped[feed].governance
    assert gov.controller
    assert gov.contact
    assert gov.purposes
    assert gov.agreement.startswith("DSA-")
    assert "6(1)(e)" in gov.legal_basis
    assert 12 <= gov.retention_months <= 120
    if feed in ("health", "police_arrests", "police_intelligence", "domestic_abuse"):
        assert "Sch.1" in gov.legal_basis, "special category / criminal offence condition"
    if feed.startswith("police") or feed == "domestic_abuse":
        assert "s.115" in gov.legal_basis
        assert "Part 3" in gov.legal_basis


def test_agreements_are_distinct(shipped):
    agreements = [d.governance.agreement for d in shipped.values()]
    assert len(set(agreements)) == len(agreements)
