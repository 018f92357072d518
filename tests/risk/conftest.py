"""Risk fixtures: the outcomes hand-made warehouse, with person records dated as their facts."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from kinlink.risk.features import Dataset, FeatureBuilder, people_prepare
from kinlink.risk.loader import model_load
from kinlink.sources import definitions_load
from kinlink.warehouse.store import warehouse_connect
from tests.outcomes.conftest import Scenario

#: Fact table -> the date that person records observe.
OBSERVED = {
    "police_arrest": "arrest_date",
    "domestic_abuse_incident": "incident_date",
    "health_flag": "flag_date",
    "school_census": "census_date",
    "neet_status": "status_date",
    "exploitation_assessment": "start_date",
}


class RiskScenario(Scenario):
    """A Scenario whose person records carry their fact's date, with families written."""

    def ready(self, as_of: date) -> None:
        self._families_write(as_of)
        con = warehouse_connect(self.path)
        try:
            for table, column in OBSERVED.items():
                con.execute(
                    f"UPDATE person_records r SET observed_date = f.{column} FROM {table} f "
                    "WHERE f.record_id = r.record_id"
                )
        finally:
            con.close()

    def dataset(self, model: str, dates: list[date], *, with_labels: bool = True) -> Dataset:
        """Features (and labels) of the shipped model's population at ``dates``."""
        definition, features = model_load(model)
        con = warehouse_connect(self.path)
        try:
            people_prepare(con)
            builder = FeatureBuilder(con, definitions_load())
            builder.population(definition.population, definition.label, dates)
            builder.features(features.features)
            if with_labels:
                builder.labels(definition.label)
            builder.groups()
            names = [f.name for f in features.features]
            data = builder.dataset(names, with_labels=with_labels)
            self.evidence = con.execute(
                "SELECT person_key, as_of, feature, record_id FROM _rk_evidence"
            ).fetchall()
            self.label_evidence = (
                con.execute(
                    "SELECT person_key, as_of, record_id FROM _rk_label_evidence"
                ).fetchall()
                if with_labels
                else []
            )
        finally:
            con.close()
        return data


@pytest.fixture
def risk_scenario(tmp_path: Path) -> RiskScenario:
    return RiskScenario(tmp_path / "warehouse.duckdb")
