"""Each shipped return built from the hand-made town, validated, degraded and written."""

from __future__ import annotations

import csv
import hashlib
import json
from pathlib import Path

import duckdb
import pytest
from openpyxl import load_workbook

from kinlink.returns import (
    NoAssessment,
    ReturnInvalid,
    return_build,
    return_run,
    spec_find,
)
from kinlink.returns.writers import cell_text
from kinlink.warehouse.store import warehouse_connect
from tests.returns.conftest import Town

ALL_THREE = "HEALTH_MENTAL;SUBSTANCE;CRIME"


def _rows(town: Town, name: str, specs: list[Path] | None = None) -> list[dict[str, str | None]]:
    """The return's rows, with keys replaced by the town's names for them (A, A-parent...)."""
    names = {v: k for k, v in {**town.families, **town.people}.items()}
    con = warehouse_connect(town.path, read_only=True)
    try:
        built = return_build(con, spec_find(name, specs or []))
    finally:
        con.close()
    return [
        {
            c: names.get(v, v) if isinstance(v, str) else v
            for c, v in zip(built.columns, row, strict=True)
        }
        for row in built.rows
    ]


def test_quarterly_progress_counts_the_quarter_ending_on_the_as_of_date(town: Town):
    rows = _rows(town, "quarterly_progress")
    assert {(r["period_start"], r["period_end"]) for r in rows} == {("2026-06-01", "2026-08-31")}
    counts = {(r["measure"], r["headline_outcome"]): int(str(r["value"])) for r in rows}
    assert counts[("families_worked_with", None)] == 2  # A (open) and D (closed in June)
    assert counts[("eligible_families_worked_with", None)] == 1  # A; D had two needs
    identified = {h: n for (m, h), n in counts.items() if m == "needs_identified" and n}
    assert identified == {
        "MENTAL_AND_PHYSICAL_HEALTH": 2,
        "SUBSTANCE_USE": 1,
        "CRIME_PREVENTION": 2,
    }
    achieved = {h: n for (m, h), n in counts.items() if m == "outcomes_achieved" and n}
    # C's needs were sustained to 2026-07-15, in the quarter; B's to March, before it.
    assert achieved == {"MENTAL_AND_PHYSICAL_HEALTH": 1, "SUBSTANCE_USE": 1, "CRIME_PREVENTION": 1}
    assert counts[("claim_candidates", None)] == 1
    # Every headline outcome has a row for each of the two per-outcome measures.
    assert sum(1 for m, _ in counts if m == "needs_identified") == 10


def test_results_claims_lists_each_claim_candidate(town: Town):
    rows = {r["family_key"]: r for r in _rows(town, "results_claims")}
    assert (
        set(rows)
        == {"B", "C"}
        == {name for name, key in town.families.items() if key in town.result.claims}
    )
    c = rows["C"]
    assert (c["episode_id"], c["episode_start"], c["episode_end"], c["sustained_until"]) == (
        "EP-C", "2025-06-01", "2026-01-15", "2026-07-15")  # fmt: skip
    assert (c["lead_practitioner"], c["needs_identified"], c["n_needs"]) == (
        "Lead Worker", ALL_THREE, "3")  # fmt: skip
    assert c["headline_outcomes"] == "MENTAL_AND_PHYSICAL_HEALTH;SUBSTANCE_USE;CRIME_PREVENTION"
    con = duckdb.connect(str(town.path), read_only=True)
    stored = con.execute(
        "SELECT count(*) FROM outcome_need_evidence WHERE run_id = ? AND family_key = ?",
        [town.run_id, town.families["C"]],
    ).fetchone()
    con.close()
    assert stored is not None
    assert c["evidence_rows"] == str(stored[0])


def test_early_help_data_collection_has_a_row_per_member_of_each_family_with_an_episode(
    town: Town,
):
    rows = {r["person_key"]: r for r in _rows(town, "early_help_data_collection")}
    assert set(rows) == {f"{f}-{role}" for f in "ABCD" for role in ("parent", "child")}
    child = rows["A-child"]
    assert child == {
        "family_key": "A", "person_key": "A-child", "role": "CHILD", "birth_month": "2014-11",
        "sex": "F", "episode_id": "EP-A", "episode_start": "2026-04-01", "episode_end": None,
        "episode_reason": "PARENTING", "end_reason": None, "lead_practitioner": "Lead Worker",
        "needs_identified": ALL_THREE, "person_needs": "HEALTH_MENTAL",
        "need_outcomes": "HEALTH_MENTAL:in_progress;SUBSTANCE:in_progress;CRIME:in_progress",
    }  # fmt: skip
    assert rows["A-parent"]["person_needs"] == "SUBSTANCE;CRIME"
    assert rows["D-parent"]["end_reason"] == "NFA"
    assert rows["D-parent"]["need_outcomes"] == "HEALTH_MENTAL:sustaining;CRIME:sustaining"
    assert rows["B-child"]["need_outcomes"] == "HEALTH_MENTAL:met;SUBSTANCE:met;CRIME:met"


def test_national_impact_study_carries_the_best_identity_of_eligible_families_degraded(
    town: Town,
):
    rows = {r["person_key"]: r for r in _rows(town, "national_impact_study")}
    assert set(rows) == {"A-parent", "A-child", "E-parent", "E-child"}
    # Jane/jane/Jane, Smith/Smith/Smyth, L8 1AB twice and L17 2XY once: the most frequent.
    assert rows["A-parent"] == {
        "family_key": "A", "person_key": "A-parent", "forename_initial": "J",
        "surname": "Smith", "birth_month": "1985-03", "sex": "F", "postcode_sector": "L8 1",
        "nhs_number": "9990000018", "upn": None, "eligible": "true", "needs": ALL_THREE,
    }  # fmt: skip
    assert rows["A-child"]["upn"] == "A123456789012"
    assert rows["E-child"]["postcode_sector"] == "CH41 3"
    assert rows["E-parent"]["postcode_sector"] is None  # not a postcode: never sent as it is


def test_degradation_is_applied_only_when_the_return_leaves_the_council(town: Town, tmp_path: Path):
    spec = (
        'name: internal_copy\nversion: "1"\ntitle: t\ndescription: d\naudience: internal\n'
        "grain: person\nrows: eligible_people\nfields:\n"
        "  - {name: person_key, type: string, source: person_key, description: k}\n"
        "  - {name: dob, type: date, source: date_of_birth, description: d}\n"
        "  - {name: postcode, type: string, source: postcode, description: p}\n"
        "  - {name: forename, type: string, source: forename, description: f}\n"
    )
    (tmp_path / "internal_copy.yaml").write_text(spec, encoding="utf-8")
    rows = {r["person_key"]: r for r in _rows(town, "internal_copy", [tmp_path])}
    assert (rows["A-parent"]["dob"], rows["A-parent"]["postcode"]) == ("1985-03-14", "L8 1AB")
    assert rows["A-parent"]["forename"] == "Jane"


def _failing_spec(folder: Path) -> Path:
    """The claim list with checks the town's claims cannot pass."""
    text = spec_find("results_claims").model_dump_json()
    spec = json.loads(text)
    spec["name"] = "strict_claims"
    for field in spec["fields"]:
        if field["name"] == "episode_id":
            field["max_length"] = 2  # 'EP-B' and 'EP-C' are four characters
        if field["name"] == "lead_practitioner":
            field["codes"] = ["Somebody Else"]
        if field["name"] == "n_needs":
            field["type"] = "date"
    path = folder / "strict_claims.yaml"
    path.write_text(json.dumps(spec), encoding="utf-8")  # JSON is YAML
    return path


def test_a_failing_return_lists_every_problem_and_writes_nothing(town: Town, tmp_path: Path):
    specs = tmp_path / "specs"
    specs.mkdir()
    _failing_spec(specs)
    out = tmp_path / "out"
    with pytest.raises(ReturnInvalid) as caught:
        return_run(town.path, "strict_claims", out, specs_dirs=[specs])
    problems = [(p.row, p.field, p.problem) for p in caught.value.problems]
    assert problems == [
        (row, field, problem)
        for row in (1, 2)
        for field, problem in (
            ("episode_id", "longer than 2 characters"),
            ("lead_practitioner", "not an allowed code"),
            ("n_needs", "not a date (YYYY-MM-DD)"),
        )
    ]
    assert not out.exists()
    message = str(caught.value)
    assert "Lead Worker" not in message
    assert "EP-" not in message


def test_files_agree_and_the_manifest_checks_them(town: Town, tmp_path: Path):
    written = return_run(town.path, "national_impact_study", tmp_path)
    csv_path, xlsx_path = written.files
    with csv_path.open(encoding="utf-8", newline="") as handle:
        from_csv = list(csv.reader(handle))
    sheet = load_workbook(xlsx_path, read_only=True).active
    assert sheet is not None
    from_xlsx = [[cell_text(v) for v in row] for row in sheet.iter_rows(values_only=True)]
    assert from_csv == from_xlsx
    assert len(from_csv) == 1 + 4
    assert from_csv[0][:3] == ["family_key", "person_key", "forename_initial"]
    manifest = json.loads(written.manifest_path.read_text(encoding="utf-8"))
    assert (manifest["return"], manifest["version"], manifest["run_id"]) == (
        "national_impact_study", "1", town.run_id)  # fmt: skip
    assert (manifest["as_of"], manifest["rows"]) == ("2026-08-31", 4)
    spec = spec_find("national_impact_study")
    assert manifest["spec_sha256"] == hashlib.sha256(spec.model_dump_json().encode()).hexdigest()
    assert manifest["degraded"] == {
        "forename_initial": "initial", "birth_month": "month", "postcode_sector": "sector"
    }  # fmt: skip
    for path in written.files:
        expected = hashlib.sha256(path.read_bytes()).hexdigest()
        assert manifest["files"][path.name]["sha256"] == expected
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        [csv_path.name, xlsx_path.name, written.manifest_path.name]
    )


def test_a_named_run_is_used_and_an_unknown_one_is_an_error(town: Town, tmp_path: Path):
    written = return_run(town.path, "results_claims", tmp_path, run_id=town.run_id, fmt="csv")
    assert [p.suffix for p in written.files] == [".csv"]
    with pytest.raises(NoAssessment, match="no assessment run 'ocrun-nope'"):
        return_run(town.path, "results_claims", tmp_path, run_id="ocrun-nope")
