"""The reference layouts of the thirteen partner feeds, as the feed catalogue documents them.

Encoded here independently of the shipped definitions so that the tests compare the two:
a definition that drops, renames or adds a column fails loudly.
"""

from __future__ import annotations


def _slots(prefix_names: list[str]) -> tuple[str, ...]:
    return tuple(
        f"{slot}_{part}" for slot in prefix_names for part in ("forename", "surname", "dob")
    )


DA_SLOTS = ["victim", "perpetrator", "child_1", "child_2", "child_3", "child_4"]
HOUSING_SLOTS = [f"member_{i}" for i in range(1, 7)]

#: feed -> its columns, in the documented order.
REFERENCE_LAYOUTS: dict[str, tuple[str, ...]] = {
    "school_census": (
        "census_date",
        "urn",
        "school_name",
        "upn",
        "former_upn",
        "uln",
        "legal_surname",
        "legal_forename",
        "middle_names",
        "preferred_surname",
        "preferred_forename",
        "dob",
        "gender",
        "ethnicity",
        "ncyear",
        "entry_date",
        "leaving_date",
        "address_line1",
        "address_line2",
        "town",
        "postcode",
        "uprn",
        "fsm_eligible",
        "sen_provision",
        "sen_primary_need",
    ),
    "attendance": (
        "upn",
        "urn",
        "academic_year",
        "term",
        "sessions_possible",
        "sessions_authorised",
        "sessions_unauthorised",
        "as_of_date",
    ),
    "exclusions": (
        "upn",
        "urn",
        "academic_year",
        "category",
        "start_date",
        "sessions",
        "reason_1",
        "reason_2",
        "reason_3",
    ),
    "early_help": (
        "eh_person_id",
        "eh_family_id",
        "role",
        "forename",
        "surname",
        "dob",
        "gender",
        "address",
        "postcode",
        "uprn",
        "episode_id",
        "episode_start",
        "episode_end",
        "episode_reason",
        "end_reason",
        "lead_practitioner",
        "team",
    ),
    "social_care": (
        "la_child_id",
        "forename",
        "surname",
        "dob",
        "gender",
        "nhs_number",
        "upn",
        "postcode",
        "episode_type",
        "start_date",
        "end_date",
        "cp_category",
        "referral_source",
        "assessment_factors",
        "closure_reason",
    ),
    "youth_justice": (
        "yjs_id",
        "forename",
        "surname",
        "dob",
        "gender",
        "postcode",
        "offence_date",
        "offence_category",
        "outcome",
        "gravity_score",
    ),
    "police_arrests": (
        "custody_ref",
        "forename",
        "surname",
        "aliases",
        "dob",
        "gender",
        "address",
        "arrest_date",
        "offence",
        "domestic_abuse",
        "outcome",
    ),
    "police_intelligence": (
        "intel_ref",
        "subject_forename",
        "subject_surname",
        "subject_dob",
        "date_recorded",
        "category",
        "grading",
        "summary",
    ),
    "domestic_abuse": (
        "incident_ref",
        "incident_date",
        "address",
        "postcode",
        "uprn",
        *_slots(DA_SLOTS),
        "dash_risk",
    ),
    "health": (
        "nhs_number",
        "forename",
        "surname",
        "dob",
        "gender",
        "postcode",
        "gp_practice_code",
        "flag",
        "flag_date",
    ),
    "exploitation": (
        "system_code",
        "la_child_id",
        "start_date",
        "completed_date",
        "referral_reason",
        "category",
        "risk_level",
        "indicators",
    ),
    "neet": ("ccis_id", "forename", "surname", "dob", "postcode", "status", "status_date"),
    "housing_benefits": (
        "household_ref",
        "uprn",
        "address",
        "postcode",
        *_slots(HOUSING_SLOTS),
        "flag",
        "flag_date",
    ),
}

#: feed -> the target fact table it loads.
TARGETS: dict[str, str] = {
    "school_census": "school_census",
    "attendance": "attendance_term",
    "exclusions": "exclusion",
    "early_help": "early_help_episode",
    "social_care": "social_care_episode",
    "youth_justice": "youth_offence",
    "police_arrests": "police_arrest",
    "police_intelligence": "police_intelligence",
    "domestic_abuse": "domestic_abuse_incident",
    "health": "health_flag",
    "exploitation": "exploitation_assessment",
    "neet": "neet_status",
    "housing_benefits": "housing_flag",
}

SENSITIVITY: dict[str, str] = {
    "school_census": "education",
    "attendance": "education",
    "exclusions": "education",
    "early_help": "early_help",
    "social_care": "social_care",
    "youth_justice": "youth_justice",
    "police_arrests": "police",
    "police_intelligence": "police_intelligence",
    "domestic_abuse": "domestic_abuse",
    "health": "health",
    "exploitation": "exploitation",
    "neet": "employment",
    "housing_benefits": "housing_benefits",
}

#: feed -> the partner system's own person id column and its kind, where rows carry one.
SOURCE_IDS: dict[str, tuple[str, str]] = {
    "early_help": ("eh_person_id", "eh_person_id"),
    "social_care": ("la_child_id", "la_child_id"),
    "youth_justice": ("yjs_id", "yjs_id"),
    "neet": ("ccis_id", "ccis_id"),
}

#: Identity columns a row is meaningless without (the feed's only identity column).
REQUIRED_IDENTITY: dict[str, set[str]] = {
    "attendance": {"upn"},
    "exclusions": {"upn"},
    "exploitation": {"la_child_id"},
}

#: Declared columns that are deliberately neither facts nor identity (none today).
DECLARED_NOT_LOADED: dict[str, set[str]] = {}

#: The encodings and date style each feed's reference extract is written in.
REFERENCE_STYLE: dict[str, tuple[str, str]] = {
    "school_census": ("utf-8", "%Y-%m-%d"),
    "attendance": ("utf-8", "%Y-%m-%d"),
    "exclusions": ("utf-8", "%d/%m/%Y"),
    "early_help": ("cp1252", "%d/%m/%Y"),
    "social_care": ("utf-8", "%Y-%m-%d"),
    "youth_justice": ("cp1252", "%d/%m/%Y"),
    "police_arrests": ("utf-8", "%d/%m/%Y"),
    "police_intelligence": ("utf-8", "%d/%m/%Y"),
    "domestic_abuse": ("utf-8", "%d/%m/%Y"),
    "health": ("utf-8", "%Y-%m-%d"),
    "exploitation": ("utf-8", "%d/%m/%Y"),
    "neet": ("cp1252", "%d/%m/%Y"),
    "housing_benefits": ("utf-8", "%Y-%m-%d"),
}
