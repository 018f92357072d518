"""Generated governance documents are current; the governance commands work end to end."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from typer.testing import CliRunner

from kinlink.cli.app import app
from kinlink.governance import registry_load
from kinlink.governance.documents import governance_documents
from kinlink.sources import definitions_load
from tests.outcomes.conftest import AssessedCity

DOCS = Path(__file__).resolve().parents[2] / "docs" / "governance"
runner = CliRunner()


def test_committed_governance_documents_are_current() -> None:
    documents = governance_documents(registry_load(), definitions_load())
    assert documents == governance_documents(registry_load(), definitions_load())  # stable
    for name, text in documents.items():
        assert (DOCS / name).read_text(encoding="utf-8") == text, (
            f"docs/governance/{name} is out of date: run 'kinlink governance docs'"
        )


def test_register_names_every_feed_with_its_agreement_and_retention() -> None:
    register = governance_documents(registry_load(), definitions_load())[
        "register-of-processing.md"
    ]
    for feed, d in definitions_load().items():
        assert f"## `{feed}`" in register
        assert d.governance.agreement in register
        assert f"**Retention:** {d.governance.retention_months} months" in register


def test_governance_check_retention_dry_run_and_sar(
    assessed_city: AssessedCity, tmp_path: Path
) -> None:
    checked = runner.invoke(app, ["governance", "check"])
    assert checked.exit_code == 0, checked.output
    assert "in force" in checked.output

    warehouse = tmp_path / "w.duckdb"
    shutil.copy(assessed_city.warehouse, warehouse)
    dry = runner.invoke(app, ["retention", "apply", "--warehouse", str(warehouse),
                              "--as-of", "2029-06-01", "--json"])  # fmt: skip
    assert dry.exit_code == 0, dry.output
    report = json.loads(dry.output)
    assert report["dry_run"] is True
    assert sum(f["fact_rows"] for f in report["feeds"]) > 0

    from kinlink.warehouse import warehouse_connect

    con = warehouse_connect(warehouse, read_only=True)
    try:
        found = con.execute("SELECT person_key FROM person_key_members LIMIT 1").fetchone()
        assert con.execute("SELECT count(*) FROM retention_removed").fetchone() == (0,)
    finally:
        con.close()
    assert found is not None
    sar = runner.invoke(app, ["sar", found[0], "--out", str(tmp_path / "sar"),
                              "--warehouse", str(warehouse)])  # fmt: skip
    assert sar.exit_code == 0, sar.output
    assert (tmp_path / "sar" / f"sar-{found[0]}.pdf").is_file()
