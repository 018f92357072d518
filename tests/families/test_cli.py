"""The families commands, run the way the lead registers them in the app."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from typer.testing import CliRunner

from kinlink.cli import families_commands
from tests.families.conftest import LinkedCity, Town, current

runner = CliRunner()


def _app() -> typer.Typer:
    app = typer.Typer()
    app.add_typer(families_commands.app, name="families")
    export = typer.Typer()
    export.command("families")(families_commands.export_families)
    app.add_typer(export, name="export")
    return app


def test_build_evaluate_show_and_export(linked_city: LinkedCity, city_copy: Path):
    app = _app()
    built = runner.invoke(app, ["families", "build", "--warehouse", str(city_copy)])
    assert built.exit_code == 0, built.output
    assert "family keys kept / new" in built.output

    report = city_copy.parent / "report.json"
    evaluated = runner.invoke(
        app,
        [
            "families", "evaluate", "--truth", str(linked_city.city / "truth"),
            "--warehouse", str(city_copy), "--json", "--out", str(report),
        ],
    )  # fmt: skip
    assert evaluated.exit_code == 0, evaluated.output
    assert json.loads(report.read_text())["f1"] > 0.9

    family = next(iter(current(city_copy).values()))[0]
    shown = runner.invoke(app, ["families", "show", family, "--warehouse", str(city_copy)])
    assert shown.exit_code == 0, shown.output
    assert family in shown.output
    assert "members now" in shown.output

    out = city_copy.parent / "families.csv"
    exported = runner.invoke(
        app, ["export", "families", "--out", str(out), "--warehouse", str(city_copy)]
    )
    assert exported.exit_code == 0, exported.output
    assert out.read_text().startswith("person_key,family_key,role\n")


def test_as_of_and_errors(town: Town, tmp_path: Path):
    app = _app()
    empty = town.write()
    bad = runner.invoke(app, ["families", "build", "--warehouse", str(empty), "--as-of", "soon"])
    assert bad.exit_code != 0
    unknown = runner.invoke(app, ["families", "show", "FNOSUCHKEY0", "--warehouse", str(empty)])
    assert unknown.exit_code != 0
