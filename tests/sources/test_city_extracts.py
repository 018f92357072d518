"""The shipped definitions read every extract the synthetic city writes.

The city writes each feed in its partner's own style (encodings with and without BOM,
ISO and dd/mm/yyyy dates, Male/Female and M/F, one file with its columns reordered) and
with the errors real extracts contain. The definitions must read all of it: the only
rows they may refuse are the ones an error makes unusable.
"""

from __future__ import annotations

import codecs
import csv
import fnmatch
import io
from pathlib import Path

import pytest

from kinlink.sources import FeedDefinition, definition_for_file, definitions_load

from .feed_layouts import REFERENCE_LAYOUTS, REQUIRED_IDENTITY


@pytest.fixture(scope="module")
def shipped() -> dict[str, FeedDefinition]:
    return definitions_load()


@pytest.fixture(scope="module")
def extracts(city_extracts: Path) -> list[Path]:
    files = sorted(p for p in city_extracts.iterdir() if p.is_file())
    assert files, "the city wrote no extracts"
    return files


def _decode(data: bytes, encodings: tuple[str, ...]) -> str:
    if data.startswith(codecs.BOM_UTF8):
        return data[len(codecs.BOM_UTF8) :].decode("utf-8")
    for encoding in encodings:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise AssertionError(f"not decodable as any of {encodings}")


def _rows(path: Path, definition: FeedDefinition) -> list[list[str]]:
    text = _decode(path.read_bytes(), definition.files.encodings)
    return list(csv.reader(io.StringIO(text, newline="")))


def _dob_columns(definition: FeedDefinition) -> set[str]:
    return {
        slot.identity["dob"]
        for slot in definition.persons
        if isinstance(slot.identity.get("dob"), str)
    }


def _definition(path: Path, shipped: dict[str, FeedDefinition]) -> FeedDefinition:
    definition = definition_for_file(path.name, shipped)
    assert definition is not None, f"no definition reads {path.name}"
    return definition


def _expected(definition: FeedDefinition, field: str, reason: str) -> bool:
    """Problems the city's deliberate errors cause, which quarantine the row by design."""
    if field == "(row)":
        return reason in {"blank_row", "duplicate_row"}
    if reason in {"impossible_date", "bad_date"}:
        return field in _dob_columns(definition)  # a swapped or mistyped date of birth
    if reason == "missing_value":
        return field in REQUIRED_IDENTITY.get(definition.feed, set())  # a missing identifier
    return False


def test_every_feed_is_written(extracts, shipped):
    feeds = {_definition(p, shipped).feed for p in extracts}
    assert feeds == set(REFERENCE_LAYOUTS)


def test_every_extract_matches_exactly_one_definition(extracts, shipped):
    for path in extracts:
        matching = [
            feed
            for feed, definition in shipped.items()
            if any(
                fnmatch.fnmatchcase(path.name.lower(), p.lower()) for p in definition.files.patterns
            )
        ]
        assert len(matching) == 1, f"{path.name} matches {matching}"
        assert _definition(path, shipped).feed == matching[0]


def test_every_header_is_declared_and_has_the_required_columns(extracts, shipped):
    for path in extracts:
        definition = _definition(path, shipped)
        header = [h.strip() for h in _rows(path, definition)[0]]
        known = {c.lower() for c in (*definition.columns, *definition.ignore_columns)}
        undeclared = [h for h in header if h.lower() not in known]
        assert undeclared == [], f"{path.name}: undeclared columns {undeclared}"
        assert len({h.lower() for h in header}) == len(header), f"{path.name}: repeated column"
        present = {h.lower() for h in header}
        missing = [c for c, s in definition.columns.items() if s.required and c not in present]
        assert missing == [], f"{path.name}: required columns absent {missing}"
        assert set(header) == set(REFERENCE_LAYOUTS[definition.feed]), path.name


def test_every_code_in_the_city_is_in_its_code_map(extracts, shipped):
    """Independent of ingest: a code the definitions do not know is named with its value."""
    unknown: dict[tuple[str, str], set[str]] = {}
    for path in extracts:
        definition = _definition(path, shipped)
        rows = _rows(path, definition)
        header = [h.strip() for h in rows[0]]
        for column, spec in definition.columns.items():
            if spec.type != "code" or spec.allow_unknown_codes or column not in header:
                continue
            known = {" ".join(k.upper().split()) for k in spec.codes}
            at = header.index(column)
            for row in rows[1:]:
                raw = " ".join(row[at].upper().split()) if at < len(row) else ""
                if raw and raw not in known:
                    unknown.setdefault((definition.feed, column), set()).add(row[at])
    assert unknown == {}


def test_file_check_finds_only_the_errors_the_city_makes_on_purpose(extracts, shipped):
    from kinlink.ingest import file_check

    unexpected: list[str] = []
    mostly_refused: list[str] = []
    for path in extracts:
        definition = _definition(path, shipped)
        report = file_check(definition, path)
        assert report.header_problems == [], (path.name, report.header_problems)
        for (field, reason), rows in sorted(report.problems_by_field.items()):
            if not _expected(definition, field, reason):
                sample = report.samples[(field, reason)]
                unexpected.append(f"{path.name}: {field} {reason} x{len(rows)} ({sample})")
        if report.rows_read >= 50 and report.rows_ok / report.rows_read < 0.95:
            mostly_refused.append(f"{path.name}: {report.rows_ok} of {report.rows_read} rows load")
    assert unexpected == []
    assert mostly_refused == []
