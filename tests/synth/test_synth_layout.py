"""Every file follows the reference layouts in feeds.md: names, columns, encodings, dates."""

from __future__ import annotations

import re

from kinlink.synth.feeds import FEEDS

from .conftest import City, feed_of

# Copied from feeds.md on purpose: a change to the generator's layouts must fail here.
REFERENCE_COLUMNS = {
    "school_census": "census_date urn school_name upn former_upn uln legal_surname legal_forename "
    "middle_names preferred_surname preferred_forename dob gender ethnicity ncyear entry_date "
    "leaving_date address_line1 address_line2 town postcode uprn fsm_eligible sen_provision "
    "sen_primary_need",
    "attendance": "upn urn academic_year term sessions_possible sessions_authorised "
    "sessions_unauthorised as_of_date",
    "exclusions": "upn urn academic_year category start_date sessions reason_1 reason_2 reason_3",
    "early_help": "eh_person_id eh_family_id role forename surname dob gender address postcode "
    "uprn episode_id episode_start episode_end episode_reason end_reason lead_practitioner team",
    "social_care": "la_child_id forename surname dob gender nhs_number upn postcode episode_type "
    "start_date end_date cp_category referral_source assessment_factors closure_reason",
    "youth_justice": "yjs_id forename surname dob gender postcode offence_date offence_category "
    "outcome gravity_score",
    "police_arrests": "custody_ref forename surname aliases dob gender address arrest_date offence "
    "domestic_abuse outcome",
    "police_intelligence": "intel_ref subject_forename subject_surname subject_dob date_recorded "
    "category grading summary",
    "domestic_abuse": "incident_ref incident_date address postcode uprn victim_forename "
    "victim_surname victim_dob perpetrator_forename perpetrator_surname perpetrator_dob "
    + " ".join(f"child_{i}_forename child_{i}_surname child_{i}_dob" for i in range(1, 5))
    + " dash_risk",
    "health": "nhs_number forename surname dob gender postcode gp_practice_code flag flag_date",
    "exploitation": "system_code la_child_id start_date completed_date referral_reason category "
    "risk_level indicators",
    "neet": "ccis_id forename surname dob postcode status status_date",
    "housing_benefits": "household_ref uprn address postcode "
    + " ".join(f"member_{i}_forename member_{i}_surname member_{i}_dob" for i in range(1, 7))
    + " flag flag_date",
}
ISO = re.compile(r"^\d{4}-\d{2}-\d{2}$")
DMY = re.compile(r"^\d{2}/\d{2}/\d{4}$")


def _header(city: City, path) -> list[str]:
    encoding = FEEDS[feed_of(path.name)].encoding
    with path.open(encoding=encoding) as handle:
        return handle.readline().rstrip("\r\n").split(",")


def test_every_file_has_exactly_the_reference_columns(city2k: City) -> None:
    reordered = []
    for path in city2k.feed_files():
        expected = REFERENCE_COLUMNS[feed_of(path.name)].split()
        header = _header(city2k, path)
        assert sorted(header) == sorted(expected), path.name
        if header != expected:
            reordered.append(path.name)
    assert reordered == ["health_2024_25.csv"]  # one file of one feed, on purpose


def test_every_feed_writes_its_files_with_the_period_in_the_name(city2k: City) -> None:
    names = [p.name for p in city2k.feed_files()]
    assert len(names) == 51 < 60
    assert {feed_of(n) for n in names} == set(REFERENCE_COLUMNS)
    assert "school_census_2024_10.csv" in names
    assert "attendance_2024_25_AUT.csv" in names
    assert "exclusions_2024_25.csv" in names
    assert "early_help_2025_08.csv" in names
    assert "police_arrests_2024_25.csv" in names
    assert not list((city2k.out / "feeds").glob("*truth*"))


def test_files_use_their_feeds_encoding(city20k: City) -> None:
    accented = 0
    for path in city20k.feed_files():
        raw = path.read_bytes()
        spec = FEEDS[feed_of(path.name)]
        assert raw.startswith(b"\xef\xbb\xbf") == (spec.encoding == "utf-8-sig"), path.name
        text = raw.decode(spec.encoding)  # strict: fails on a byte the encoding cannot hold
        if spec.encoding == "cp1252":
            assert "\ufffd" not in text
            accented += len(re.findall(r"[À-ÿ]", text))
            assert "ł" not in text
    assert accented > 0, "Windows-1252 feeds should carry names such as Siân or Zoë"


def test_dates_are_written_in_each_feeds_style(city2k: City) -> None:
    checks = {
        "school_census": ("dob", ISO),
        "attendance": ("as_of_date", ISO),
        "exclusions": ("start_date", DMY),
        "early_help": ("episode_start", DMY),
        "youth_justice": ("offence_date", DMY),
        "police_arrests": ("arrest_date", DMY),
        "domestic_abuse": ("incident_date", DMY),
        "health": ("flag_date", ISO),
        "neet": ("status_date", DMY),
        "housing_benefits": ("flag_date", ISO),
    }
    for feed, (column, pattern) in checks.items():
        for path in city2k.feed_files(feed):
            for row in city2k.rows(path):
                if any(row.values()):
                    assert pattern.match(row[column]), (path.name, row[column])
    styles = {"iso": 0, "dmy": 0}
    for path in city2k.feed_files("social_care"):
        for row in city2k.rows(path):
            if row["start_date"]:
                styles["iso" if ISO.match(row["start_date"]) else "dmy"] += 1
    assert styles["iso"] > styles["dmy"] > 0


def test_codes_are_the_reference_codes(city20k: City) -> None:
    allowed = {
        ("school_census", "gender"): {"M", "F"},
        ("school_census", "fsm_eligible"): {"T", "F"},
        ("school_census", "sen_provision"): {"N", "K", "E"},
        ("early_help", "gender"): {"Male", "Female"},
        ("early_help", "role"): {"CHILD", "PARENT", "CARER", "SIBLING", "OTHER"},
        ("social_care", "episode_type"): {"CIN", "CP", "LAC"},
        ("youth_justice", "outcome"): {
            "Community Resolution", "Youth Caution", "Youth Conditional Caution",
            "Referral Order", "Youth Rehabilitation Order", "Custody",
        },
        ("police_arrests", "domestic_abuse"): {"Y", "N"},
        ("police_arrests", "outcome"): {"NFA", "Charged", "Cautioned", "RUI"},
        ("domestic_abuse", "dash_risk"): {"STANDARD", "MEDIUM", "HIGH"},
        ("exploitation", "system_code"): {"LCC_MACE", "CE_ASSES"},
        ("exploitation", "category"): {"Criminally", "Sexually"},
        ("exploitation", "risk_level"): {"LOW", "MEDIUM", "HIGH"},
        ("neet", "status"): {"EET", "NEET", "NOT_KNOWN"},
        ("housing_benefits", "flag"): {
            "WORKLESS", "RENT_ARREARS", "COUNCIL_TAX_ARREARS", "HOMELESS_APPLICATION",
            "TEMP_ACCOMMODATION",
        },
        ("health", "flag"): {
            "CAMHS_REFERRAL", "AE_ASSAULT", "SUBSTANCE_TREATMENT", "ADULT_MENTAL_HEALTH",
            "PERINATAL_MENTAL_HEALTH",
        },
    }  # fmt: skip
    for (feed, column), codes in allowed.items():
        seen = {
            row[column]
            for path in city20k.feed_files(feed)
            for row in city20k.rows(path)
            if any(row.values())
        }
        assert seen, (feed, column)
        assert seen <= codes, (feed, column, seen - codes)
    categories = {
        row["category"]: path.name
        for path in city20k.feed_files("exclusions")
        for row in city20k.rows(path)
        if row["category"]
    }
    assert categories["FIXD"] == "exclusions_2023_24.csv"  # only the oldest year
    assert {"PERM", "SUSP", "LNCH", "FIXD"} <= set(categories)
    ncyears = {
        row["ncyear"] for path in city20k.feed_files("school_census") for row in city20k.rows(path)
    }
    assert {"R", "1", "6", "7", "11", "12", "13"} <= ncyears <= {"", "R", *map(str, range(1, 14))}
