"""``kinlink synth`` builds a city, prints what it wrote and will not mix two cities."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from typer.testing import CliRunner

from kinlink.cli.synth_command import synth

runner = CliRunner()


def _app() -> typer.Typer:
    app = typer.Typer()
    app.command()(synth)
    return app


def test_synth_command_writes_a_city_and_summarises_it(tmp_path: Path) -> None:
    out = tmp_path / "city"
    args = ["--people", "400", "--seed", "3", "--out", str(out), "--years", "2", "--noise", "0"]
    result = runner.invoke(_app(), args)
    assert result.exit_code == 0, result.output
    assert "people in" in result.output
    assert "school_census_2025_10.csv" in result.output
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["config"]["academic_years"] == 2
    assert manifest["config"]["noise"]["name_typo"] == 0
    assert (out / "truth" / "README.md").exists()


def test_synth_command_refuses_to_overwrite_without_force(tmp_path: Path) -> None:
    out = tmp_path / "city"
    args = ["--people", "200", "--out", str(out), "--end-date", "2025-07-31"]
    assert runner.invoke(_app(), args).exit_code == 0
    again = runner.invoke(_app(), args)
    assert again.exit_code != 0
    assert "--force" in again.output
    assert runner.invoke(_app(), [*args, "--force"]).exit_code == 0


def test_synth_help_explains_feeds_and_truth() -> None:
    result = runner.invoke(_app(), ["--help"])
    assert result.exit_code == 0
    for words in ("--people", "--noise", "--years", "--end-date", "truth"):
        assert words in result.output


def test_synth_command_sets_individual_noise_rates(tmp_path: Path) -> None:
    out = tmp_path / "city"
    args = ["--people", "200", "--out", str(out), "--noise", "0", "--rate", "name_typo=0.25"]
    result = runner.invoke(_app(), args)
    assert result.exit_code == 0, result.output
    noise = json.loads((out / "manifest.json").read_text(encoding="utf-8"))["config"]["noise"]
    assert noise["name_typo"] == 0.25
    assert noise["nickname"] == 0


def test_synth_command_rejects_an_unknown_noise_rate(tmp_path: Path) -> None:
    result = runner.invoke(
        _app(), ["--people", "200", "--out", str(tmp_path / "c"), "--rate", "typos=0.1"]
    )
    assert result.exit_code != 0
    assert "NAME=VALUE" in result.output
