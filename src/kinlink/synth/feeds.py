"""The reference feed layouts (feeds.md): columns, encodings, date styles, file names.

The shipped source definitions read exactly these, so they are data here, in one place.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from kinlink.synth.calendar import Window


def _people(
    prefix: str, n: int, fields: tuple[str, ...] = ("forename", "surname", "dob")
) -> tuple[str, ...]:
    return tuple(f"{prefix}_{i}_{f}" for i in range(1, n + 1) for f in fields)


@dataclass(frozen=True)
class FeedSpec:
    """How one partner system writes its extract."""

    feed: str
    columns: tuple[str, ...]
    encoding: str  # "utf-8", "utf-8-sig" (with BOM) or "cp1252"
    dates: str  # "iso" (YYYY-MM-DD), "dmy" (dd/mm/yyyy) or "mixed" (mostly ISO)
    genders: tuple[str, str] = ("M", "F")  # how male and female are written
    cadence: str = "year"  # census, term, year or snapshot: one file per ...


def _spec(
    feed: str,
    columns: str,
    encoding: str,
    dates: str,
    genders: tuple[str, str] = ("M", "F"),
    cadence: str = "year",
) -> FeedSpec:
    return FeedSpec(feed, tuple(columns.split()), encoding, dates, genders, cadence)


_PEOPLE = " ".join(f"child_{i}_forename child_{i}_surname child_{i}_dob" for i in range(1, 5))
_MEMBERS = " ".join(f"member_{i}_forename member_{i}_surname member_{i}_dob" for i in range(1, 7))
_WORDS = ("Male", "Female")

FEEDS: dict[str, FeedSpec] = {
    s.feed: s
    for s in (
        _spec(
            "school_census",
            """census_date urn school_name upn former_upn uln legal_surname legal_forename
            middle_names preferred_surname preferred_forename dob gender ethnicity ncyear
            entry_date leaving_date address_line1 address_line2 town postcode uprn fsm_eligible
            sen_provision sen_primary_need""",
            "utf-8-sig",
            "iso",
            cadence="census",
        ),
        _spec(
            "attendance",
            """upn urn academic_year term sessions_possible sessions_authorised
            sessions_unauthorised as_of_date""",
            "utf-8",
            "iso",
            cadence="term",
        ),
        _spec(
            "exclusions",
            "upn urn academic_year category start_date sessions reason_1 reason_2 reason_3",
            "utf-8",
            "dmy",
        ),
        _spec(
            "early_help",
            """eh_person_id eh_family_id role forename surname dob gender address postcode uprn
            episode_id episode_start episode_end episode_reason end_reason lead_practitioner
            team""",
            "cp1252",
            "dmy",
            genders=_WORDS,
            cadence="snapshot",
        ),
        _spec(
            "social_care",
            """la_child_id forename surname dob gender nhs_number upn postcode episode_type
            start_date end_date cp_category referral_source assessment_factors closure_reason""",
            "utf-8",
            "mixed",
            cadence="snapshot",
        ),
        _spec(
            "youth_justice",
            """yjs_id forename surname dob gender postcode offence_date offence_category outcome
            gravity_score""",
            "cp1252",
            "dmy",
            genders=_WORDS,
        ),
        _spec(
            "police_arrests",
            """custody_ref forename surname aliases dob gender address arrest_date offence
            domestic_abuse outcome""",
            "utf-8",
            "dmy",
        ),
        _spec(
            "police_intelligence",
            """intel_ref subject_forename subject_surname subject_dob date_recorded category
            grading summary""",
            "utf-8",
            "dmy",
        ),
        _spec(
            "domestic_abuse",
            f"""incident_ref incident_date address postcode uprn victim_forename victim_surname
            victim_dob perpetrator_forename perpetrator_surname perpetrator_dob {_PEOPLE}
            dash_risk""",
            "utf-8-sig",
            "dmy",
        ),
        _spec(
            "health",
            "nhs_number forename surname dob gender postcode gp_practice_code flag flag_date",
            "utf-8",
            "iso",
        ),
        _spec(
            "exploitation",
            """system_code la_child_id start_date completed_date referral_reason category
            risk_level indicators""",
            "utf-8",
            "dmy",
        ),
        _spec("neet", "ccis_id forename surname dob postcode status status_date", "cp1252", "dmy"),
        _spec(
            "housing_benefits",
            f"household_ref uprn address postcode {_MEMBERS} flag flag_date",
            "utf-8",
            "iso",
        ),
    )
}

#: The feed whose second file has its columns in another order (a layout change mid-stream).
SHUFFLED_FEED = "health"


def shuffled_columns(columns: tuple[str, ...]) -> tuple[str, ...]:
    """A fixed reordering: identity columns moved after the facts, as a system upgrade might."""
    half = len(columns) // 2
    return columns[half:] + tuple(reversed(columns[:half]))


def shuffled_file(names: dict[str, list[str]]) -> str:
    """The one file written with its columns in another order (the feed's second file)."""
    files = names[SHUFFLED_FEED]
    return files[min(1, len(files) - 1)]


def file_names(window: Window) -> dict[str, list[str]]:
    """Every file each feed writes for this window, in order."""
    out: dict[str, list[str]] = {}
    for feed, spec in FEEDS.items():
        if spec.cadence == "census":
            out[feed] = [census_file(d) for _, d in window.census]
        elif spec.cadence == "term":
            out[feed] = [term_file(window, t.index) for t in window.terms]
        elif spec.cadence == "snapshot":
            out[feed] = [snapshot_file(feed, window, y.index) for y in window.years]
        else:
            out[feed] = [year_file(feed, window, y.index) for y in window.years]
    return out


def census_file(census_date: date) -> str:
    return f"school_census_{census_date.year}_{census_date.month:02d}.csv"


def term_file(window: Window, term_index: int) -> str:
    term = window.terms[term_index]
    return f"attendance_{window.years[term.year_index].key}_{term.code}.csv"


def snapshot_file(feed: str, window: Window, year_index: int) -> str:
    taken = window.extract_date(year_index)
    return f"{feed}_{taken.year}_{taken.month:02d}.csv"


def year_file(feed: str, window: Window, year_index: int) -> str:
    return f"{feed}_{window.years[year_index].key}.csv"
