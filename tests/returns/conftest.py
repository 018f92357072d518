"""Returns fixtures: one hand-made town of six families, assessed once per test session.

The families are chosen so every return has something to say (dates relative to
``AS_OF``; the quarter is 2026-06-01 to 2026-08-31):

* ``A``: eligible now (three needs this year), early help episode open since April.
* ``B``: episode closed with outcomes met in September 2025; all three needs met and
  sustained to 2026-03-31: a claim candidate, sustained before the quarter.
* ``C``: like B, but sustained to 2026-07-15: a claim candidate within the quarter.
* ``D``: two needs, episode closed in June 2026 (no further action): worked with in the
  quarter, not eligible at its start.
* ``E``: eligible now, no episode.
* ``Z``: one adult whose records show each feed reaches late August 2026.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pytest

from kinlink.core.keys import opaque_key
from kinlink.warehouse.schema import PERSON_RECORD_TABLE
from kinlink.warehouse.store import warehouse_connect
from tests.outcomes.conftest import Result, Scenario

AS_OF = date(2026, 8, 31)


def key(prefix: str, name: str) -> str:
    """A key shaped like a real one (prefix + 10 Crockford base-32 characters)."""
    return opaque_key(prefix, name)


@dataclass
class Town:
    """The assessed town: its warehouse, the stored run and who is who."""

    path: Path
    result: Result
    families: dict[str, str] = field(default_factory=dict)
    people: dict[str, str] = field(default_factory=dict)

    @property
    def run_id(self) -> str:
        return self.result.summary.run_id


def identify(s: Scenario, record_id: str, **identity: object) -> None:
    """Give a person record identity fields (the Scenario writes lineage and dob only).

    A valid postcode also sets the record's postcode district, as ingest would.
    """
    postcode = identity.get("postcode")
    if isinstance(postcode, str) and re.fullmatch(
        r"[A-Z]{1,2}[0-9][A-Z0-9]? [0-9][A-Z]{2}", postcode
    ):
        identity["postcode_district"] = postcode.split(" ")[0]
    con = warehouse_connect(s.path)
    try:
        sets = ", ".join(f"{name} = ?" for name in identity)
        con.execute(
            f"UPDATE {PERSON_RECORD_TABLE} SET {sets} WHERE record_id = ?",
            [*identity.values(), record_id],
        )
    finally:
        con.close()


def _episode(s: Scenario, family: str, people: list[tuple[str, str]], episode_id: str,
             start: date, end: date | None, end_reason: str | None,
             reason: str = "PARENTING") -> None:  # fmt: skip
    for person, role in people:
        s.fact(
            "early_help", person, eh_family_id=f"EH-{family}", family_role=role,
            episode_id=episode_id, episode_start=start, episode_end=end,
            episode_reason=reason, end_reason=end_reason, lead_practitioner="Lead Worker",
            team="North",
        )  # fmt: skip


def _three_needs(s: Scenario, parent: str, child: str, year: int, month: int) -> list[str]:
    return [
        s.fact("police_arrests", parent, arrest_date=date(year, month, 1), custody_ref="C"),
        s.fact("health", parent, flag="SUBSTANCE_TREATMENT", flag_date=date(year, month + 1, 1)),
        s.fact("health", child, flag="CAMHS_REFERRAL", flag_date=date(year, month + 2, 1)),
    ]


def _schools(s: Scenario, people: dict[str, str]) -> None:
    """Census rolls and attendance: only E's child is persistently absent (12% of
    sessions); B's child left 100001 before its latest census."""
    for census, urn, child in (
        (date(2025, 10, 2), "100001", "A-child"),
        (date(2026, 5, 21), "100001", "A-child"),
        (date(2026, 5, 21), "100001", "E-child"),
        (date(2025, 10, 2), "100001", "B-child"),
        (date(2026, 5, 21), "100002", "C-child"),
        (date(2026, 10, 1), "100002", "D-child"),  # after the as-of date
    ):
        s.fact("school_census", people[child], census_date=census, school_urn=urn,
               school_name=f"School {urn}")  # fmt: skip

    def term(child: str, year: str, code: str, absent: int, taken: date) -> None:
        s.fact(
            "attendance", people[child], school_urn="100001", academic_year=year, term=code,
            sessions_possible=100, sessions_authorised=absent // 2,
            sessions_unauthorised=absent - absent // 2, as_of_date=taken,
        )  # fmt: skip

    for code in ("AUT", "SPR", "SUM"):
        term("A-child", "2025/26", code, 2, date(2026, 7, 22))
        term("E-child", "2025/26", code, 12, date(2026, 7, 22))
    # Copies a view must not use: re-issued after the as-of date, and an earlier year.
    term("E-child", "2025/26", "SUM", 0, date(2026, 9, 15))
    term("E-child", "2024/25", "SUM", 0, date(2025, 7, 22))


def town_build(path: Path) -> Town:
    """Write the six families, assess them as of ``AS_OF`` and return the stored run."""
    s = Scenario(path)
    families = {name: key("F", name) for name in "ABCDE"}
    people: dict[str, str] = {}
    for name, family in families.items():
        people[f"{name}-parent"] = s.person(key("P", f"{name}-parent"), family,
                                            date(1985, 3, 14), "PARENT")  # fmt: skip
        people[f"{name}-child"] = s.person(key("P", f"{name}-child"), family,
                                           date(2014, 11, 2), "CHILD")  # fmt: skip

    def pair(name: str) -> list[tuple[str, str]]:
        return [(people[f"{name}-parent"], "PARENT"), (people[f"{name}-child"], "CHILD")]

    # A: needs in Jan-Mar 2026, episode open since 2026-04-01.
    a_records = _three_needs(s, people["A-parent"], people["A-child"], 2026, 1)
    _episode(s, "A", pair("A"), "EP-A", date(2026, 4, 1), None, None)
    # B: needs in mid 2024; episode 2025-01-10 to 2025-09-30, outcomes met.
    _three_needs(s, people["B-parent"], people["B-child"], 2024, 6)
    _episode(s, "B", pair("B"), "EP-B", date(2025, 1, 10), date(2025, 9, 30), "OUTCOMES_MET")
    # C: needs in spring 2025; episode 2025-06-01 to 2026-01-15, outcomes met.
    _three_needs(s, people["C-parent"], people["C-child"], 2025, 3)
    _episode(s, "C", pair("C"), "EP-C", date(2025, 6, 1), date(2026, 1, 15), "OUTCOMES_MET")
    # D: two needs; episode 2026-02-01 to 2026-06-15, no further action.
    s.fact("police_arrests", people["D-parent"], arrest_date=date(2025, 12, 1), custody_ref="D")
    s.fact("health", people["D-child"], flag="CAMHS_REFERRAL", flag_date=date(2026, 1, 5))
    _episode(s, "D", pair("D"), "EP-D", date(2026, 2, 1), date(2026, 6, 15), "NFA")
    # E: three needs this year, no episode.
    e_records = _three_needs(s, people["E-parent"], people["E-child"], 2026, 4)
    # Z: an adult on their own whose records show each feed's data reaching late August,
    # so an absence of events after a closure can be measured.
    families["Z"] = key("F", "Z")
    people["Z"] = s.person(key("P", "Z"), families["Z"], date(1990, 1, 1), "OTHER_ADULT")
    s.fact("police_arrests", people["Z"], arrest_date=date(2026, 8, 30), custody_ref="Z")
    s.fact("youth_justice", people["Z"], offence_date=date(2026, 8, 30))
    s.fact("health", people["Z"], flag="GP_REGISTRATION", flag_date=date(2026, 8, 30))

    # Identity of the eligible families' people (the impact study reads it).
    arrest, substance, camhs = a_records
    identify(s, arrest, forename="Jane", surname="Smith", sex="F", postcode="L8 1AB",
             nhs_number="9990000018", observed_date=date(2026, 1, 1))  # fmt: skip
    identify(s, substance, forename="jane", surname="Smith", sex="F", postcode="L8 1AB",
             observed_date=date(2026, 2, 1))  # fmt: skip
    extra = s.fact("health", people["A-parent"], flag="GP_REGISTRATION",
                   flag_date=date(2025, 12, 1))  # fmt: skip
    identify(s, extra, forename="Jane", surname="Smyth", sex="F", postcode="L17 2XY",
             observed_date=date(2025, 12, 1))  # fmt: skip
    identify(s, camhs, forename="Amy", surname="Smith", sex="F", postcode="L8 1AB",
             upn="A123456789012", observed_date=date(2026, 3, 1))  # fmt: skip
    arrest, substance, camhs = e_records
    identify(s, arrest, forename="Tom", surname="Jones", sex="M", postcode="not a postcode")
    identify(s, camhs, forename="Sam", surname="Jones", sex="M", postcode="CH41 3AA")
    _schools(s, people)
    result = s.assess(AS_OF)
    return Town(path=path, result=result, families=families, people=people)


@pytest.fixture(scope="session")
def town(tmp_path_factory: pytest.TempPathFactory) -> Town:
    """The town, assessed once (tests read it; copy it to change it)."""
    return town_build(tmp_path_factory.mktemp("town") / "warehouse.duckdb")


@pytest.fixture
def town_copy(town: Town, tmp_path: Path) -> Town:
    """A private copy of the town's warehouse, for tests that write to it."""
    copy = tmp_path / "warehouse.duckdb"
    copy.write_bytes(town.path.read_bytes())
    return Town(path=copy, result=town.result, families=town.families, people=town.people)
