"""The returns commands, run the way the app registers them."""

from __future__ import annotations

from pathlib import Path

import typer
from typer.testing import CliRunner

from kinlink.cli import returns_commands
from kinlink.core.errors import InputError
from kinlink.returns import SpecError
from tests.returns.conftest import Town

runner = CliRunner(env={"COLUMNS": "200"})


def _app() -> typer.Typer:
    app = typer.Typer()
    app.add_typer(returns_commands.app, name="returns")
    return app


def test_list_and_show():
    listed = runner.invoke(_app(), ["returns", "list"])
    assert listed.exit_code == 0, listed.output
    for name in ("quarterly_progress", "results_claims", "early_help_data_collection",
                 "national_impact_study"):  # fmt: skip
        assert name in listed.output
    shown = runner.invoke(_app(), ["returns", "show", "national_impact_study"])
    assert shown.exit_code == 0, shown.output
    assert "leaves the council" in shown.output
    assert "postcode_sector" in shown.output


def test_build_writes_the_files_and_names_them(town: Town, tmp_path: Path):
    out = tmp_path / "out"
    built = runner.invoke(
        _app(),
        ["returns", "build", "early_help_data_collection", "--warehouse", str(town.path),
         "--out", str(out), "--format", "csv"],
    )  # fmt: skip
    assert built.exit_code == 0, built.output
    assert "Wrote 8 rows" in built.output
    stem = "early_help_data_collection_v1_2026-08-31"
    assert sorted(p.name for p in out.iterdir()) == [f"{stem}.csv", f"{stem}.manifest.json"]


def test_a_failing_build_exits_non_zero_lists_problems_and_writes_nothing(
    town: Town, tmp_path: Path
):
    specs = tmp_path / "specs"
    specs.mkdir()
    text = (Path(returns_commands.__file__).parents[1] / "returns" / "specs"
            / "results_claims.yaml").read_text(encoding="utf-8")  # fmt: skip
    text = text.replace("name: results_claims", "name: strict").replace(
        "    max_length: 50", "    max_length: 3"
    )
    (specs / "strict.yaml").write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    failed = runner.invoke(
        _app(),
        ["returns", "build", "strict", "--warehouse", str(town.path), "--out", str(out),
         "--specs", str(specs)],
    )  # fmt: skip
    assert failed.exit_code == 1
    assert "2 problem(s); nothing was written" in failed.output
    assert "row 1, field 'episode_id': longer than 3 characters" in failed.output
    assert "row 2, field 'episode_id': longer than 3 characters" in failed.output
    assert not out.exists()


def test_an_unknown_format_is_refused_before_anything_is_built(town: Town, tmp_path: Path):
    result = runner.invoke(
        _app(),
        ["returns", "build", "results_claims", "--warehouse", str(town.path),
         "--out", str(tmp_path / "out"), "--format", "pdf"],
    )  # fmt: skip
    assert isinstance(result.exception, InputError)
    assert str(result.exception) == "--format: expected one of csv, xlsx, both"
    assert not (tmp_path / "out").exists()


def test_a_spec_typo_is_a_load_error(tmp_path: Path):
    (tmp_path / "typo.yaml").write_text(
        'name: typo\nversion: "1"\ntitle: t\ndescription: d\naudience: internal\n'
        "grain: claim\nrows: claim_candidates\nfields:\n"
        "  - {name: k, type: str, source: family_key, description: k}\n",
        encoding="utf-8",
    )
    result = runner.invoke(_app(), ["returns", "show", "typo", "--specs", str(tmp_path)])
    assert isinstance(result.exception, SpecError)
    assert "fields.0(k).type: 'str' is not allowed" in str(result.exception)


def test_views_and_the_generated_docs(town_copy: Town, tmp_path: Path):
    created = runner.invoke(_app(), ["returns", "views", "--warehouse", str(town_copy.path)])
    assert created.exit_code == 0, created.output
    assert "rpt_schools" in created.output
    for command, doc in (("doc", "returns.md"), ("views-doc", "reporting.md")):
        out = tmp_path / doc
        written = runner.invoke(_app(), ["returns", command, "--out", str(out)])
        assert written.exit_code == 0, written.output
        repo_doc = Path(__file__).resolve().parents[2] / "docs" / doc
        assert out.read_text(encoding="utf-8") == repo_doc.read_text(encoding="utf-8")
