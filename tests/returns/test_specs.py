"""Specs load strictly: every shipped spec is usable, and every kind of typo is a clear error."""

from __future__ import annotations

from pathlib import Path

import pytest

from kinlink.returns import SpecError, UnknownReturn, spec_find, spec_parse, specs_load
from kinlink.returns.loader import spec_load
from kinlink.returns.sources import ROW_SOURCES

SHIPPED = {
    "quarterly_progress",
    "results_claims",
    "early_help_data_collection",
    "national_impact_study",
}

GOOD = """\
name: tiny
version: "1"
title: A tiny return
description: For tests.
audience: internal
grain: claim
rows: claim_candidates
fields:
  - {name: family_key, type: string, required: true, source: family_key, description: Key}
"""


def _problems(text: str) -> list[str]:
    with pytest.raises(SpecError) as caught:
        spec_parse(text, origin="tiny.yaml")
    return caught.value.problems


def test_the_shipped_specs_load_and_each_has_a_version_and_a_known_row_source():
    specs = specs_load()
    assert set(specs) == SHIPPED
    for spec in specs.values():
        assert spec.version
        assert spec.rows in ROW_SOURCES
        assert ROW_SOURCES[spec.rows].grain == spec.grain


def test_returns_that_leave_the_council_degrade_every_date_of_birth_postcode_and_name():
    for spec in specs_load().values():
        for field in spec.fields:
            column = ROW_SOURCES[spec.rows].column(field.source)
            assert column is not None
            if spec.leaves_council and column.kind in ("date_of_birth", "postcode", "name"):
                assert field.degrade is not None, (spec.name, field.name)


def test_a_good_spec_parses():
    spec = spec_parse(GOOD, origin="tiny.yaml")
    assert spec.label == "tiny@1"
    assert not spec.leaves_council


def test_an_unknown_field_source_names_the_field_and_the_columns_there_are():
    (problem,) = _problems(GOOD.replace("source: family_key", "source: famly_key"))
    assert problem.startswith("fields.family_key.source: 'famly_key' is not a column")
    assert "episode_id" in problem


def test_an_unknown_type_is_a_load_error_naming_the_field():
    (problem,) = _problems(GOOD.replace("type: string", "type: text"))
    assert problem.startswith("fields.0(family_key).type: 'text' is not allowed")
    assert "'integer'" in problem


def test_an_unknown_key_an_unknown_row_source_and_a_wrong_grain():
    assert _problems(GOOD.replace("title:", "titel: x\ntitle:")) == [
        "titel: Extra inputs are not permitted"
    ]
    (unknown,) = _problems(GOOD.replace("rows: claim_candidates", "rows: claims"))
    assert unknown.startswith("rows: unknown row source 'claims'")
    (grain,) = _problems(GOOD.replace("grain: claim", "grain: family"))
    assert grain == "grain: 'family' but row source 'claim_candidates' has one row per claim"


def test_every_problem_is_listed_not_just_the_first():
    text = GOOD.replace("source: family_key", "source: nope") + (
        "  - {name: other, type: integer, source: also_nope, description: x}\n"
    )
    problems = _problems(text)
    assert [p.split(":")[0] for p in problems] == [
        "fields.family_key.source",
        "fields.other.source",
    ]


EXTERNAL = """\
name: ext
version: "2.1"
title: External
description: For tests.
audience: leaves_council
grain: person
rows: eligible_people
fields:
  - {name: person_key, type: string, source: person_key, description: Key}
"""


def test_degradation_must_fit_the_column_and_the_audience():
    dob = "  - {name: dob, type: string, source: date_of_birth, description: d}\n"
    assert _problems(EXTERNAL + dob) == [
        "fields.dob: carries a date of birth outside the council; say how it is degraded "
        "(degrade: none, month, year)"
    ]
    wrong_kind = "  - {name: s, type: string, source: sex, degrade: month, description: d}\n"
    (problem,) = _problems(EXTERNAL + wrong_kind)
    assert problem.startswith("fields.s.degrade: 'month' does not apply to 'sex'")
    wrong_type = (
        "  - {name: dob, type: date, source: date_of_birth, degrade: month, description: d}\n"
    )
    (problem,) = _problems(EXTERNAL + wrong_type)
    assert "degrade 'month' gives a string, but the field's type is date" in problem
    internal = EXTERNAL.replace("leaves_council", "internal") + dob.replace(
        "source: date_of_birth,", "source: date_of_birth, degrade: month,"
    )
    (problem,) = _problems(internal)
    assert "degrade applies only to returns that leave the council" in problem


def test_a_bad_pattern_and_a_repeated_field_name():
    bad = GOOD.replace("description: Key}", "description: Key, pattern: '[A-'}")
    (problem,) = _problems(bad)
    assert "pattern is not a valid regular expression" in problem
    repeated = GOOD + "  - {name: family_key, type: string, source: episode_id, description: E}\n"
    (problem,) = _problems(repeated)
    assert "field names repeated: family_key" in problem


def test_the_name_must_match_the_file_and_extra_folders_replace_shipped_specs(tmp_path: Path):
    (tmp_path / "other.yaml").write_text(GOOD, encoding="utf-8")
    with pytest.raises(SpecError, match="must match the file name 'other'"):
        spec_load(tmp_path / "other.yaml")
    (tmp_path / "other.yaml").unlink()
    replacement = GOOD.replace("name: tiny", "name: results_claims").replace('"1"', '"9"')
    (tmp_path / "results_claims.yaml").write_text(replacement, encoding="utf-8")
    assert spec_find("results_claims", [tmp_path]).version == "9"
    with pytest.raises(UnknownReturn, match="no return called 'nope'"):
        spec_find("nope")


def test_yaml_that_is_not_a_mapping_or_not_yaml():
    assert _problems("- a\n- b\n") == ["expected a mapping at the top level"]
    assert _problems("name: [unclosed\n")[0].startswith("not valid YAML")
