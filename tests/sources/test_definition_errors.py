"""A definition that cannot be used is refused with errors that name the problem and place."""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from kinlink.sources import DefinitionError, definition_load, definition_parse, definitions_load

ORIGIN = "council/visits.yaml"

BASE: dict[str, Any] = {
    "feed": "visits",
    "title": "Home visits",
    "version": 1,
    "source_system": "test",
    "cadence": "monthly",
    "files": {"patterns": ["visits_*.csv"], "encodings": ["utf-8"]},
    "target": "attendance_term",
    "sensitivity": "education",
    "governance": {
        "controller": "Test council",
        "legal_basis": "UK GDPR Art. 6(1)(e)",
        "agreement": "DSA-TEST-01",
        "retention_months": 12,
    },
    "columns": {
        "pupil": {"type": "string", "required": True},
        "forename": {"type": "string"},
        "birth": {"type": "date", "formats": ["%d/%m/%Y"]},
        "term": {"type": "code", "codes": {"AUT": "AUT"}},
        "possible": {"type": "integer", "minimum": 0},
        "as_of": {"type": "date", "formats": ["%Y-%m-%d"]},
    },
    "persons": [{"role": "pupil", "identity": {"upn": "pupil", "dob": "birth"}}],
    "facts": {"term": "term", "sessions_possible": "possible", "as_of_date": "as_of"},
    "observed_date": "as_of",
}


def _text(data: dict[str, Any]) -> str:
    return yaml.safe_dump(data, sort_keys=False)


def _problems(mutate: Callable[[dict[str, Any]], None]) -> str:
    data = copy.deepcopy(BASE)
    mutate(data)
    with pytest.raises(DefinitionError) as caught:
        definition_parse(_text(data), origin=ORIGIN)
    error = caught.value
    assert error.path == ORIGIN
    assert ORIGIN in str(error)
    assert error.problems
    return "\n".join(error.problems)


def test_the_base_definition_is_valid():
    definition = definition_parse(_text(BASE), origin=ORIGIN)
    assert definition.feed == "visits"
    assert definition.used_columns() == {"pupil", "birth", "term", "possible", "as_of"}


def test_unknown_top_level_key():
    message = _problems(lambda d: d.update(colour="blue"))
    assert "colour" in message
    assert "Extra inputs are not permitted" in message


def test_unknown_key_inside_a_column_names_the_column():
    message = _problems(lambda d: d["columns"]["possible"].update(maximun=10))
    assert "columns.possible.maximun" in message


def test_missing_required_key():
    message = _problems(lambda d: d.pop("governance"))
    assert "governance" in message
    assert "Field required" in message


def test_unknown_target_table():
    message = _problems(lambda d: d.update(target="attendence_term"))
    assert "target 'attendence_term' is not a warehouse fact table" in message
    assert "attendance_term" in message  # the valid tables are listed


def test_fact_field_not_in_target():
    message = _problems(lambda d: d["facts"].update(sessions_late="possible"))
    assert "facts.sessions_late: 'attendance_term' has no field 'sessions_late'" in message
    assert "sessions_possible" in message  # the valid fields are listed


def test_fact_column_not_declared():
    message = _problems(lambda d: d["facts"].update(school_urn="urn"))
    assert "facts.school_urn: column 'urn' is not in 'columns'" in message


def test_type_mismatch_date_column_into_integer_field():
    message = _problems(lambda d: d["facts"].update(sessions_authorised="as_of"))
    assert "facts.sessions_authorised: field is INTEGER but column 'as_of' is date" in message


def test_type_mismatch_integer_column_into_text_field():
    message = _problems(lambda d: d["facts"].update(term="possible"))
    assert "facts.term: field is VARCHAR but column 'possible' is integer" in message


def test_date_column_without_formats():
    message = _problems(lambda d: d["columns"]["as_of"].pop("formats"))
    assert "columns.as_of" in message
    assert "a date column needs 'formats'" in message


def test_code_column_without_codes():
    message = _problems(lambda d: d["columns"]["term"].pop("codes"))
    assert "columns.term" in message
    assert "a code column needs 'codes'" in message


def test_bad_regex():
    message = _problems(lambda d: d["columns"]["pupil"].update(pattern="^[A-Z"))
    assert "columns.pupil" in message
    assert "pattern is not a valid regular expression" in message


def test_unknown_column_type():
    message = _problems(lambda d: d["columns"]["possible"].update(type="number"))
    assert "columns.possible.type" in message
    assert "'integer'" in message


def test_unknown_identity_field():
    message = _problems(lambda d: d["persons"][0]["identity"].update(shoe_size="possible"))
    assert "unknown identity field(s) ['shoe_size']" in message
    assert "forename" in message  # the allowed fields are listed


def test_identity_column_not_declared():
    message = _problems(lambda d: d["persons"][0]["identity"].update(forename="first_name"))
    assert "persons[single].identity.forename: column 'first_name' is not in 'columns'" in message


def test_address_tuple_column_not_declared():
    message = _problems(lambda d: d["persons"][0]["identity"].update(address=["line1", "town"]))
    assert "identity.address: column 'line1' is not in 'columns'" in message
    assert "identity.address: column 'town' is not in 'columns'" in message


def test_duplicate_slot():
    def twice(d: dict[str, Any]) -> None:
        d["persons"] = [
            {"slot": "child_1", "role": "child", "identity": {"upn": "pupil"}},
            {"slot": "child_1", "role": "child", "identity": {"forename": "forename"}},
        ]

    assert "persons: slot names must be unique" in _problems(twice)


def test_dob_mapped_to_a_non_date_column():
    message = _problems(lambda d: d["persons"][0]["identity"].update(dob="forename"))
    assert "persons[single].identity.dob: column 'forename' must be a date" in message


def test_no_persons():
    message = _problems(lambda d: d.update(persons=[]))
    assert "persons" in message
    assert "at least 1" in message


def test_observed_date_must_be_a_date_column():
    message = _problems(lambda d: d.update(observed_date="possible"))
    assert "observed_date: 'possible' must be a date column" in message


def test_ignored_column_also_declared():
    message = _problems(lambda d: d.update(ignore_columns=["possible"]))
    assert "ignore_columns: ['possible'] are also declared in 'columns'" in message


def test_feed_name_must_be_snake_case():
    message = _problems(lambda d: d.update(feed="Home Visits"))
    assert "feed must be lower_snake_case" in message


def test_unknown_sensitivity_class():
    message = _problems(lambda d: d.update(sensitivity="secret"))
    assert "sensitivity" in message
    assert "'police_intelligence'" in message


def test_retention_must_be_positive():
    message = _problems(lambda d: d["governance"].update(retention_months=0))
    assert "governance.retention_months" in message
    assert "greater than 0" in message


def test_every_problem_is_listed_at_once():
    def several(d: dict[str, Any]) -> None:
        d["facts"].update(sessions_late="possible", school_urn="urn")
        d.update(observed_date="possible")

    message = _problems(several)
    assert "has no field 'sessions_late'" in message
    assert "column 'urn' is not in 'columns'" in message
    assert "observed_date" in message


def test_invalid_yaml():
    text = _text(BASE).replace("cadence: monthly", "cadence: [monthly")
    with pytest.raises(DefinitionError) as caught:
        definition_parse(text, origin=ORIGIN)
    assert caught.value.problems[0].startswith("not valid YAML")
    assert ORIGIN in str(caught.value)


def test_yaml_that_is_not_a_mapping():
    with pytest.raises(DefinitionError, match="expected a mapping at the top level"):
        definition_parse("- feed: visits\n", origin=ORIGIN)


def test_unquoted_yaml_booleans_in_a_code_map_are_refused():
    """YAML reads NO and YES as booleans: a code map must quote them, and is told so."""
    text = _text(BASE).replace("AUT: AUT", "NO: 'NO'")
    with pytest.raises(DefinitionError, match="columns.term.codes"):
        definition_parse(text, origin=ORIGIN)


def test_missing_definition_file(tmp_path: Path):
    with pytest.raises(DefinitionError, match="file not found"):
        definition_load(tmp_path / "absent.yaml")


def test_a_councils_own_definition_replaces_the_shipped_one(tmp_path: Path):
    mine = copy.deepcopy(BASE)
    mine.update(feed="attendance", version=7)
    mine["files"]["patterns"] = ["attendance_*.csv"]
    (tmp_path / "attendance.yaml").write_text(_text(mine), encoding="utf-8")
    definitions = definitions_load([tmp_path])
    assert definitions["attendance"].version == 7
    assert len(definitions) >= 13


def test_a_broken_council_definition_names_its_file(tmp_path: Path):
    broken = copy.deepcopy(BASE)
    broken["target"] = "nowhere"
    path = tmp_path / "visits.yaml"
    path.write_text(_text(broken), encoding="utf-8")
    with pytest.raises(DefinitionError) as caught:
        definitions_load([tmp_path])
    assert caught.value.path == str(path)
    assert "target 'nowhere'" in str(caught.value)
