"""The warehouse contract: the tables that ingest writes and linkage, outcomes and risk read.

Every fact table carries the same lineage columns so that any figure Kinlink shows can be
traced back to the feed, the file (by name and SHA-256), the 1-based data row and the
person slot it came from. Source definitions map a partner's columns onto these fields;
a definition that names a field not listed here is rejected when it is loaded, which is
what keeps a council's own layouts compatible with the rest of the pipeline.
"""

from __future__ import annotations

from dataclasses import dataclass

SCHEMA_VERSION = 1


@dataclass(frozen=True)
class Column:
    """One warehouse column: name, DuckDB type and what it means."""

    name: str
    sql_type: str
    description: str


def _cols(*spec: tuple[str, str, str]) -> tuple[Column, ...]:
    return tuple(Column(n, t, d) for n, t, d in spec)


LINEAGE_COLUMNS: tuple[Column, ...] = _cols(
    ("batch_id", "VARCHAR", "Ingest batch (feed, extract key, file hash) that loaded the row"),
    ("feed", "VARCHAR", "Feed name from the source definition"),
    ("file_name", "VARCHAR", "Bare name of the extract file"),
    ("file_hash", "VARCHAR", "SHA-256 of the extract file's bytes"),
    ("row_number", "INTEGER", "1-based data row in the file (header excluded, blank rows counted)"),
    ("row_hash", "VARCHAR", "SHA-256 (first 16 hex) of the row's raw values"),
    ("slot", "VARCHAR", "Person slot within the row ('' for single-person rows)"),
)

#: Identity fields a source definition may map for each person slot.
IDENTITY_FIELDS: tuple[str, ...] = (
    "source_person_id",
    "forename",
    "middle_names",
    "surname",
    "preferred_forename",
    "preferred_surname",
    "aliases",
    "dob",
    "sex",
    "address",
    "postcode",
    "uprn",
    "upn",
    "former_upn",
    "uln",
    "nhs_number",
    "la_child_id",
)

PERSON_RECORD_COLUMNS: tuple[Column, ...] = (
    Column("record_id", "VARCHAR", "Stable id of this person slot: batch_id:row[:slot]"),
    *LINEAGE_COLUMNS,
    *_cols(
        ("role", "VARCHAR", "Role of the person in the row (pupil, child, victim, member, ...)"),
        ("observed_date", "DATE", "Date the row describes (census date, event date)"),
        ("source_id_kind", "VARCHAR", "Which system id source_person_id is (eh_person_id, ...)"),
        ("source_person_id", "VARCHAR", "The partner system's own person id, if any"),
        ("forename", "VARCHAR", "Forename as supplied, whitespace-cleaned"),
        ("forename_key", "VARCHAR", "Forename folded for matching (case, accents, punctuation)"),
        ("forename_canonical", "VARCHAR", "Formal form of the forename (Bobby -> robert)"),
        ("middle_names", "VARCHAR", "Middle names as supplied"),
        ("middle_names_key", "VARCHAR", "Middle names folded for matching"),
        ("surname", "VARCHAR", "Surname as supplied"),
        ("surname_key", "VARCHAR", "Surname folded for matching; hyphens become spaces"),
        ("preferred_forename", "VARCHAR", "Preferred forename as supplied"),
        ("preferred_forename_key", "VARCHAR", "Preferred forename folded for matching"),
        ("preferred_surname", "VARCHAR", "Preferred surname as supplied"),
        ("preferred_surname_key", "VARCHAR", "Preferred surname folded for matching"),
        ("aliases", "VARCHAR", "Aliases as supplied (police)"),
        ("dob", "DATE", "Date of birth when known to the day"),
        ("dob_year", "INTEGER", "Year of birth (also set when only the year is known)"),
        ("dob_precision", "VARCHAR", "day, month or year"),
        ("dob_day_month_ambiguous", "BOOLEAN", "Day and month could be swapped and still valid"),
        ("sex", "VARCHAR", "M, F or U"),
        ("address", "VARCHAR", "Address as supplied, whitespace-cleaned"),
        ("address_tokens", "VARCHAR[]", "Address tokens for matching (abbreviations expanded)"),
        ("postcode", "VARCHAR", "Canonical postcode, or the cleaned value when invalid"),
        ("postcode_valid", "BOOLEAN", "Postcode has a valid UK format"),
        ("postcode_sector", "VARCHAR", "Postcode sector, e.g. L8 1"),
        ("postcode_district", "VARCHAR", "Postcode district, e.g. L8"),
        ("uprn", "VARCHAR", "Unique Property Reference Number"),
        ("upn", "VARCHAR", "Unique Pupil Number (kept even when its check letter fails)"),
        ("upn_valid", "BOOLEAN", "UPN check letter is correct"),
        ("former_upn", "VARCHAR", "Former UPN"),
        ("former_upn_valid", "BOOLEAN", "Former UPN check letter is correct"),
        ("uln", "VARCHAR", "Unique Learner Number"),
        ("uln_valid", "BOOLEAN", "ULN check digit is correct"),
        ("nhs_number", "VARCHAR", "NHS number (kept even when its check digit fails)"),
        ("nhs_number_valid", "BOOLEAN", "NHS number check digit is correct"),
        ("la_child_id", "VARCHAR", "Local authority child id (social care)"),
    ),
)

#: Fact tables: fields beyond lineage, ``record_id`` and ``role``.
FACT_TABLES: dict[str, tuple[Column, ...]] = {
    "school_census": _cols(
        ("census_date", "DATE", "Census date"),
        ("school_urn", "VARCHAR", "School URN (6 digits)"),
        ("school_name", "VARCHAR", "School name"),
        ("ethnicity", "VARCHAR", "DfE ethnicity code"),
        ("ncyear", "VARCHAR", "National curriculum year (R, 1..13, N1, N2)"),
        ("entry_date", "DATE", "Date the pupil joined the school"),
        ("leaving_date", "DATE", "Date the pupil left, if known"),
        ("fsm_eligible", "BOOLEAN", "Eligible for free school meals"),
        ("sen_provision", "VARCHAR", "N none, K SEN support, E EHC plan"),
        ("sen_primary_need", "VARCHAR", "Primary SEN type (SEMH, ASD, ...)"),
    ),
    "attendance_term": _cols(
        ("school_urn", "VARCHAR", "School URN"),
        ("academic_year", "VARCHAR", "Academic year, e.g. 2024/25"),
        ("term", "VARCHAR", "AUT, SPR or SUM"),
        ("sessions_possible", "INTEGER", "Possible half-day sessions"),
        ("sessions_authorised", "INTEGER", "Authorised absence sessions"),
        ("sessions_unauthorised", "INTEGER", "Unauthorised absence sessions"),
        ("as_of_date", "DATE", "Date the figures were taken"),
    ),
    "exclusion": _cols(
        ("school_urn", "VARCHAR", "School URN"),
        ("academic_year", "VARCHAR", "Academic year"),
        ("category", "VARCHAR", "PERM, SUSP or LNCH (FIXD is mapped to SUSP)"),
        ("start_date", "DATE", "First day of the exclusion"),
        ("sessions", "INTEGER", "Length in half-day sessions"),
        ("reason_1", "VARCHAR", "DfE reason code"),
        ("reason_2", "VARCHAR", "DfE reason code"),
        ("reason_3", "VARCHAR", "DfE reason code"),
    ),
    "early_help_episode": _cols(
        ("eh_family_id", "VARCHAR", "Early help family id"),
        ("family_role", "VARCHAR", "CHILD, PARENT, CARER, SIBLING or OTHER"),
        ("episode_id", "VARCHAR", "Early help episode id"),
        ("episode_start", "DATE", "Episode start"),
        ("episode_end", "DATE", "Episode end (blank while open)"),
        ("episode_reason", "VARCHAR", "Why the episode was opened"),
        ("end_reason", "VARCHAR", "Why it closed (OUTCOMES_MET, STEP_UP, NFA, ...)"),
        ("lead_practitioner", "VARCHAR", "Lead practitioner"),
        ("team", "VARCHAR", "Team"),
    ),
    "social_care_episode": _cols(
        ("episode_type", "VARCHAR", "CIN, CP or LAC"),
        ("start_date", "DATE", "Episode start"),
        ("end_date", "DATE", "Episode end"),
        ("cp_category", "VARCHAR", "NEG, PHY, SAB, EMO or MUL"),
        ("referral_source", "VARCHAR", "CIN census referral source code"),
        ("assessment_factors", "VARCHAR[]", "CIN census assessment factor codes"),
        ("closure_reason", "VARCHAR", "RC1..RC9"),
    ),
    "youth_offence": _cols(
        ("offence_date", "DATE", "Date of the offence"),
        ("offence_category", "VARCHAR", "Offence category"),
        ("outcome", "VARCHAR", "Disposal, normalised code"),
        ("gravity_score", "INTEGER", "Youth Justice Board gravity score 1-8"),
    ),
    "police_arrest": _cols(
        ("custody_ref", "VARCHAR", "Custody reference"),
        ("arrest_date", "DATE", "Date of arrest"),
        ("offence", "VARCHAR", "Offence"),
        ("domestic_abuse", "BOOLEAN", "Flagged as domestic abuse"),
        ("outcome", "VARCHAR", "NFA, CHARGED, CAUTIONED or RUI"),
    ),
    "police_intelligence": _cols(
        ("intel_ref", "VARCHAR", "Intelligence log reference"),
        ("date_recorded", "DATE", "Date recorded"),
        ("category", "VARCHAR", "CCE, CSE, COUNTY_LINES, GANG, WEAPONS, DRUG_SUPPLY, MISSING"),
        ("grading", "VARCHAR", "Intelligence grading"),
        ("summary", "VARCHAR", "Restricted free text"),
    ),
    "domestic_abuse_incident": _cols(
        ("incident_ref", "VARCHAR", "Incident reference"),
        ("incident_date", "DATE", "Date of the incident"),
        ("incident_uprn", "VARCHAR", "UPRN of the incident address"),
        ("incident_postcode", "VARCHAR", "Postcode of the incident address"),
        ("dash_risk", "VARCHAR", "STANDARD, MEDIUM or HIGH"),
    ),
    "health_flag": _cols(
        ("gp_practice_code", "VARCHAR", "GP practice code"),
        ("flag", "VARCHAR", "Coarse flag (CAMHS_REFERRAL, ...), never clinical detail"),
        ("flag_date", "DATE", "Date of the flag"),
    ),
    "exploitation_assessment": _cols(
        ("system_code", "VARCHAR", "Assessment system"),
        ("start_date", "DATE", "Assessment start"),
        ("completed_date", "DATE", "Assessment completed"),
        ("referral_reason", "VARCHAR", "Reason for referral"),
        ("category", "VARCHAR", "CRIMINAL or SEXUAL"),
        ("risk_level", "VARCHAR", "LOW, MEDIUM or HIGH"),
        ("indicators", "VARCHAR", "Indicator text"),
    ),
    "neet_status": _cols(
        ("status", "VARCHAR", "EET, NEET or NOT_KNOWN"),
        ("status_date", "DATE", "Date of the status"),
    ),
    "housing_flag": _cols(
        ("household_ref", "VARCHAR", "Household reference"),
        ("flag", "VARCHAR", "WORKLESS, RENT_ARREARS, COUNCIL_TAX_ARREARS, ..."),
        ("flag_date", "DATE", "Date of the flag"),
        ("household_uprn", "VARCHAR", "UPRN of the household"),
        ("household_postcode", "VARCHAR", "Postcode of the household"),
    ),
}

FACT_COMMON_COLUMNS: tuple[Column, ...] = (
    Column("record_id", "VARCHAR", "The person record (person_records.record_id) it is about"),
    *LINEAGE_COLUMNS,
    Column("role", "VARCHAR", "The person's role in the row"),
)

INGEST_BATCH_COLUMNS: tuple[Column, ...] = _cols(
    ("batch_id", "VARCHAR", "feed:key8:hash16 (extract key and file hash)"),
    ("feed", "VARCHAR", "Feed name"),
    ("definition_version", "INTEGER", "Version of the source definition used"),
    ("file_name", "VARCHAR", "Bare file name"),
    ("extract_key", "VARCHAR", "Which extract the file is (a re-extract replaces its batch)"),
    ("file_hash", "VARCHAR", "SHA-256 of the file"),
    ("file_bytes", "BIGINT", "Size of the file"),
    ("encoding", "VARCHAR", "Encoding the file was decoded with"),
    ("rows_read", "INTEGER", "Data rows read"),
    ("rows_loaded", "INTEGER", "Rows loaded"),
    ("rows_quarantined", "INTEGER", "Rows quarantined"),
    ("person_records", "INTEGER", "Person slots loaded"),
    ("loaded_at", "TIMESTAMPTZ", "When the batch was committed (UTC)"),
    ("superseded_by", "VARCHAR", "Batch that replaced this one, if any"),
    ("superseded_at", "TIMESTAMPTZ", "When it was replaced"),
)

QUARANTINE_COLUMNS: tuple[Column, ...] = _cols(
    ("batch_id", "VARCHAR", "Batch the row belongs to"),
    ("feed", "VARCHAR", "Feed name"),
    ("file_name", "VARCHAR", "Bare file name"),
    ("file_hash", "VARCHAR", "SHA-256 of the file"),
    ("row_number", "INTEGER", "1-based data row"),
    ("row_hash", "VARCHAR", "Hash of the raw row"),
    ("field", "VARCHAR", "Column at fault (first problem), or blank for whole-row problems"),
    ("reason", "VARCHAR", "Machine code: blank_row, duplicate_row, field_count, bad_date, ..."),
    ("message", "VARCHAR", "Human explanation of the first problem"),
    ("problems", "VARCHAR", "JSON list of every problem found in the row"),
    ("raw", "VARCHAR", "JSON object of the raw values, so nothing is lost"),
)

FEED_COLUMNS: tuple[Column, ...] = _cols(
    ("feed", "VARCHAR", "Feed name"),
    ("title", "VARCHAR", "Human title"),
    ("definition_version", "INTEGER", "Definition version last used"),
    ("target_table", "VARCHAR", "Fact table the feed loads"),
    ("sensitivity", "VARCHAR", "Sensitivity class, used by access control"),
    ("legal_basis", "VARCHAR", "Lawful basis for processing"),
    ("agreement", "VARCHAR", "Data-sharing agreement reference"),
    ("retention_months", "INTEGER", "How long facts from this feed are kept"),
    ("definition_json", "VARCHAR", "The definition as loaded"),
)

PERSON_RECORD_TABLE = "person_records"
INGEST_BATCH_TABLE = "ingest_batches"
QUARANTINE_TABLE = "quarantine"
FEED_TABLE = "feeds"


def fact_table_columns(table: str) -> tuple[Column, ...]:
    """All columns of a fact table, common columns first."""
    return (*FACT_COMMON_COLUMNS, *FACT_TABLES[table])


def all_tables() -> dict[str, tuple[Column, ...]]:
    """Every table of the warehouse with its columns, in creation order."""
    tables: dict[str, tuple[Column, ...]] = {
        FEED_TABLE: FEED_COLUMNS,
        INGEST_BATCH_TABLE: INGEST_BATCH_COLUMNS,
        QUARANTINE_TABLE: QUARANTINE_COLUMNS,
        PERSON_RECORD_TABLE: PERSON_RECORD_COLUMNS,
    }
    for name in FACT_TABLES:
        tables[name] = fact_table_columns(name)
    return tables
