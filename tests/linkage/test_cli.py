"""The linkage commands end to end on the small city: link, model show, evaluate, explain,
export links."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from kinlink.cli.linkage_commands import export_app, link, linkage_app
from tests.linkage.conftest import TrainedCity, keys_of

app = typer.Typer()
app.command("link")(link)
app.add_typer(linkage_app, name="linkage")
app.add_typer(export_app, name="export")
runner = CliRunner(env={"COLUMNS": "220"})


@pytest.fixture(scope="module")
def linked(trained_city: TrainedCity, tmp_path_factory: pytest.TempPathFactory) -> Path:
    warehouse = tmp_path_factory.mktemp("cli") / "warehouse.duckdb"
    shutil.copy(trained_city.warehouse, warehouse)
    result = runner.invoke(
        app, ["link", "--warehouse", str(warehouse), "--model", str(trained_city.model)]
    )
    assert result.exit_code == 0, result.output
    assert "people" in result.output
    assert "keys kept / new" in result.output
    return warehouse


def test_model_show_prints_m_u_and_weights(trained_city: TrainedCity):
    result = runner.invoke(app, ["linkage", "model", "show", "--model", str(trained_city.model)])
    assert result.exit_code == 0, result.output
    for text in ("forename", "Nickname or formal name", "Day and month swapped", "weight"):
        assert text in result.output


def test_evaluate_prints_a_table_and_json(linked: Path, trained_city: TrainedCity, tmp_path):
    truth = trained_city.city / "truth"
    table = runner.invoke(
        app, ["linkage", "evaluate", "--truth", str(truth), "--warehouse", str(linked)]
    )
    assert table.exit_code == 0, table.output
    assert "overall" in table.output
    assert "twins" in table.output
    out = tmp_path / "report.json"
    as_json = runner.invoke(
        app,
        ["linkage", "evaluate", "--truth", str(truth), "--warehouse", str(linked), "--json",
         "--out", str(out)],
    )  # fmt: skip
    assert as_json.exit_code == 0, as_json.output
    report = json.loads(out.read_text())
    assert report["overall"]["f1"] > 0.99
    assert report["overall"]["twins_merged"] == 0


def test_explain_names_each_comparison(linked: Path, trained_city: TrainedCity):
    keys = keys_of(linked)
    by_key: dict[str, list[str]] = {}
    for record, key in sorted(keys.items()):
        if not record.startswith(("attendance", "exclusions", "exploitation")):
            by_key.setdefault(key, []).append(record)
    pair = next(records for records in by_key.values() if len(records) >= 2)
    result = runner.invoke(
        app,
        ["linkage", "explain", pair[0], pair[1], "--warehouse", str(linked),
         "--model", str(trained_city.model)],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    for text in ("prior", "forename", "surname", "dob", "location", "probability"):
        assert text in result.output
    assert "the same person" in result.output


def test_export_links_covers_every_person_slot(linked: Path, tmp_path: Path):
    out = tmp_path / "links.csv"
    result = runner.invoke(app, ["export", "links", "--out", str(out), "--warehouse", str(linked)])
    assert result.exit_code == 0, result.output
    with out.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert list(rows[0]) == ["feed", "file", "row_number", "slot", "person_key"]
    assert len(rows) == len(keys_of(linked))
    assert all(r["person_key"].startswith("P") for r in rows)
    assert {r["slot"] for r in rows if r["feed"] == "housing_benefits"} >= {"member_1"}


def test_explain_an_identifier_only_record_names_the_shared_identifier(
    linked: Path, trained_city: TrainedCity
):
    from kinlink.warehouse import warehouse_connect

    con = warehouse_connect(linked, read_only=True)
    try:
        pair = con.execute(
            "SELECT a.record_id, c.record_id FROM person_records a JOIN person_records c "
            "ON a.upn = c.upn WHERE a.feed = 'attendance' AND c.feed = 'school_census' "
            "AND a.upn_valid ORDER BY 1, 2 LIMIT 1"
        ).fetchone()
    finally:
        con.close()
    assert pair is not None
    result = runner.invoke(
        app,
        ["linkage", "explain", pair[0], pair[1], "--warehouse", str(linked),
         "--model", str(trained_city.model)],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "A valid identifier agrees" in result.output
    assert "share a trusted identifier (upn)" in result.output
