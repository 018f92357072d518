"""The truth README: what each truth file holds and the exact need definitions."""

from __future__ import annotations

from kinlink.synth.calendar import Window
from kinlink.synth.derive import NEED_DEFINITIONS
from kinlink.synth.feeds import FEEDS
from kinlink.synth.needs import HEADLINE

_TEMPLATE = """# Kinlink City: ground truth

Everything in this folder is what really happened in the simulation. The partner feeds in
`../feeds/` were written from the same events through a noise layer (typos, nicknames,
stale addresses, missing or mistyped identifiers, blank and duplicate rows). Never load
these files into the pipeline being tested: they are the answer sheet.

Window: {start} to {end} ({years} academic years). "As of the end date" means {end}.
Last three terms: {terms} (from {three_terms_start}). Last 12 months: {l12} to {end}.

The city is fictional: LA code 999 (pupils who arrived from elsewhere carry UPNs of the
made-up LA codes 991-998), postcode area `KC` (districts KC1-KC36, valid UK format, no
real place), town `Kinlink`, 12-digit UPRNs, NHS numbers in the 999 test range, GP
practice codes `N99...`. Names are drawn at random from frequency-weighted lists; no
record describes a real person.

## person_slots.csv

`feed, file, row_number, slot, person_id`: one row for every person slot of every data
row of every feed file.

- `file` is the bare file name; `row_number` counts data rows from 1 after the header, in
  file order, counting blank rows and duplicate rows (exactly as a CSV reader counts
  records).
- `slot` is empty for single-person feeds; `victim`, `perpetrator`, `child_1`..`child_4`
  (domestic_abuse) and `member_1`..`member_6` (housing_benefits) for multi-person rows.
  Only filled slots are listed (an incident with no known perpetrator has no
  `perpetrator` slot).
- Blank rows (every field empty) are **not** listed. A duplicate row (an exact copy
  written straight after its original) is listed with the same person(s) as the original.
- Every person slot refers to a real person, including rows whose identifiers are
  missing or mistyped.

## people.csv

One row per person who lived in the city at any time in the window. True values:
`forename`, `middle_names`, `surname` (in use at the end date), `birth_surname`, `dob`,
`sex` (M/F), `ethnicity` (DfE code), `household_id` (last household), `family_id`,
`family_role` (PARENT, CARER = step-parent, CHILD, YOUNG_ADULT = 18-25 living with parents
or on their own, OTHER_ADULT), `twin_of` (the twin's person_id), `upn` (permanent),
`former_upn` (a temporary UPN the census showed first, if any), `nhs_number`, `uln`, and
the system ids each system gave the person (`la_child_id`, `eh_person_id`, `yjs_id`,
`ccis_id`; blank if never in that system). `in_city_at_end` is false for people whose
household left the city.

Risk factors (true/false), each evidenced by events in the feeds before the person's
domestic abuse label date (or up to the end date when there is no label):

- `rf_witnessed_da`: a child present at, or living at the address of, a domestic abuse
  incident while under 18;
- `rf_family_substance`: someone they lived with had a SUBSTANCE_TREATMENT health flag;
- `rf_neet`: a NEET status in the NEET feed;
- `rf_social_care`: any social care episode;
- `rf_persistent_absence`: an academic year with 10% or more of possible sessions missed;
- `rf_non_dv_arrest`: an arrest not flagged domestic abuse, or a youth justice offence.

Labels: `dv_perpetrator_label` / `dv_label_date`: arrested for domestic abuse
(police_arrests.domestic_abuse = Y) or named perpetrator of a domestic abuse incident
while aged 18-25, first date. For young people in their late teens during the window the
generator draws this outcome year by year, after the first year of the window, from the
risk factors evidenced before each year (a logistic model with noise; see
`kinlink.synth.risk`), so the factors can be seen in the feeds before the label. Other
labels come from domestic abuse between partners that does not depend on them. With a
three-year window only the youngest adults have visible childhoods: use more years
(`--years 6`) for risk-model work.
`exploitation_label` / `exploitation_label_date`: the child was exploited (the
simulation's latent truth, with its onset). Exploitation assessments are evidence, not
truth: some exploited children are never assessed and some screened children are not
exploited.

## families.csv

A family is the household a person lived in at the end date (their last household if
they left the city); each resident of a shared house is a family of their own.
`members` counts members in the city at the end date, `dependent_children` members under
18 at the end date. `derived_needs` are the needs below as of the end date;
`planned_needs` what the generator intended. `eligible_3_needs` = at least one dependent
child and three or more distinct derived needs; `eligible_3_headlines` = three or more
distinct headline outcomes.

## needs.csv

`family_id, person_id, need, headline_outcome, evidence_feed, first_date, last_date,
planned, derived, planned_from, planned_to`. `person_id` is blank for family-level needs.
`derived` rows carry the feeds and the first and last qualifying dates of the evidence;
planned-only rows carry the planned period as first/last date and no evidence feed.
`planned_from`/`planned_to` are the period the generator meant the need to last
(`planned_to` = the end date: still live). Planned needs produce events at a steady rate
while they last, so a need can be planned but not derived (it was over before the
look-back window, or no event happened to fall in it) and derived but not planned
(background events: e.g. a child often absent in a family nobody planned anything for).
Needs before the end date (for outcome histories) can be re-derived from the feeds with
the same definitions at any other date.

### Need definitions (as of the end date; each event counted once, duplicates ignored)

| need | level | headline outcome | definition |
|---|---|---|---|
{need_table}

"Family member" means a person whose family at the end date is that family; a person's
needs count for the family they belong to at the end date.

## households.csv and residence.csv

`households.csv`: every household that existed (including homes formed when someone left
a household), with its type when formed, first address date, the date it left the city,
whether it arrived in the window, its last UPRN and how many live there at the end date.
`residence.csv`: `person_id, household_id, uprn, address_line1, postcode, from_date,
to_date` for every address a person lived at (to_date blank: still there; residence
before the window is included from when the household formed).

## The feeds

Files are named `<feed>_<period>.csv`: census `school_census_YYYY_MM` (October, January,
May census dates), `attendance_YYYY_YY_TERM` (AUT, SPR, SUM), snapshot extracts
`early_help_YYYY_MM` and `social_care_YYYY_MM` (each lists every episode open at some
time in that academic year, as at the extract date: long episodes appear in several
extracts), and one file per academic year for the other feeds (`police_arrests_2024_25`).
Rows are in generation order (households of one chunk together), not sorted. Census
files also list pupils who left a school since the previous census, with their
`leaving_date`. Systems that keep a record per person (schools, social care, early help,
youth justice, careers, GP registration) repeat a mistake on every row and may never
pick up a change of surname; police and housing rows are keyed afresh each time.

| feed | encoding | dates | gender |
|---|---|---|---|
{feed_table}

Conventions: `mixed` = ISO `YYYY-MM-DD` with about {mixed:.0%} of rows in `dd/mm/yyyy`
(all dates of a row in the same style). police_intelligence `subject_dob` is sometimes a
year only. NHS numbers are sometimes written `999 123 4567`. Exclusions in the oldest
academic year use FIXD for suspensions. `{shuffled}` has its columns in a different order
(same names). Files in UTF-8 with BOM and Windows-1252 use CRLF line endings, UTF-8 files
LF. Names a Windows-1252 system cannot hold lose their accent there (Michał -> Michal);
Siân and Zoë are kept.

Identity noise (rates in `manifest.json`): typos and real-name misspellings, nicknames,
forename/surname swapped, accents dropped, stray whitespace, surname changes over time
(marriage, separation, step-parents; some systems never update), day/month of birth
swapped, wrong year, year only, identifiers missing or with one mistyped digit (the check
then fails), temporary UPNs, postcodes unspaced or lower case, stale addresses after a
move, blank rows and exact duplicate rows.

Not modelled: EARLY_YEARS needs; the placement address of looked-after children (they stay
in their family's records); the childhood of young adults who already lived on their own
at the start of the window; moves into an address someone else vacated.
"""


def truth_readme(window: Window, shuffled_file: str = "", mixed_rate: float = 0.1) -> str:
    """The README written next to the truth files, with this window's dates filled in."""
    rows = []
    for spec in FEEDS.values():
        encoding = {"utf-8-sig": "UTF-8 with BOM", "utf-8": "UTF-8", "cp1252": "Windows-1252"}[
            spec.encoding
        ]
        dates = {"iso": "YYYY-MM-DD", "dmy": "dd/mm/yyyy", "mixed": "mixed"}[spec.dates]
        gender = (
            "/".join(spec.genders) if any(c.startswith("gender") for c in spec.columns) else "-"
        )
        rows.append(f"| {spec.feed} | {encoding} | {dates} | {gender} |")
    return _TEMPLATE.format(
        start=window.start.isoformat(),
        end=window.end.isoformat(),
        years=len(window.years),
        terms=", ".join(
            f"{window.years[t.year_index].label} {t.code}" for t in window.last_three_terms
        ),
        three_terms_start=window.three_terms_start.isoformat(),
        l12=window.last_12_months_start.isoformat(),
        feed_table="\n".join(rows),
        need_table="\n".join(
            f"| {need} | {level} | {HEADLINE[need]} | {text} |"
            for need, level, text in NEED_DEFINITIONS
        ),
        mixed=mixed_rate,
        shuffled=shuffled_file or "(none)",
    )
