"""The same person model on Splink's Spark backend: a local Spark session scores the small
city with the model trained on DuckDB, and the people and keys written back agree with
the DuckDB run."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import pytest

from kinlink.linkage import LinkageConfig, evaluate, linkage_run
from kinlink.linkage.backends import java_available
from kinlink.linkage.splink_settings import settings_in_dialect
from kinlink.linkage.training import ModelError, model_load, splink_settings
from kinlink.warehouse import warehouse_connect
from tests.linkage.conftest import TrainedCity, keys_of

#: Share of records that must get the same person key from Spark as from DuckDB. Keys
#: are derived from cluster membership, so this is also cluster agreement. Match weights
#: may differ in the last bits between engines, which can reorder two equal links.
KEY_AGREEMENT = 0.999

needs_java = pytest.mark.skipif(
    not java_available(), reason="Spark needs a Java runtime; none on JAVA_HOME or PATH"
)


def _registry_counts(warehouse: Path) -> dict[str, int]:
    con = warehouse_connect(warehouse, read_only=True)
    try:
        tables = ("person_keys", "person_key_members", "person_key_events", "linkage_runs")
        return {t: int(con.execute(f"SELECT count(*) FROM {t}").fetchall()[0][0]) for t in tables}
    finally:
        con.close()


@pytest.mark.spark
@needs_java
def test_spark_backend_gives_the_duckdb_people_and_keys(
    trained_city: TrainedCity, small_warehouse: Path, tmp_path: Path
):
    warehouse = tmp_path / "spark.duckdb"
    shutil.copy(small_warehouse, warehouse)
    started = time.perf_counter()
    summary = linkage_run(
        warehouse,
        LinkageConfig(
            model_path=trained_city.model,
            backend="spark",
            spark_master="local[2]",
            spark_shuffle_partitions=2,
        ),
    )
    seconds = time.perf_counter() - started
    assert not summary.trained, "the model trained on DuckDB is loaded, not retrained"

    duckdb_keys, spark_keys = keys_of(trained_city.warehouse), keys_of(warehouse)
    assert spark_keys.keys() == duckdb_keys.keys()
    same = sum(spark_keys[r] == duckdb_keys[r] for r in duckdb_keys)
    agreement = same / len(duckdb_keys)
    print(f"spark run {seconds:.1f} s; same key for {same:,} of {len(duckdb_keys):,} records")
    assert agreement >= KEY_AGREEMENT

    # written back as the DuckDB path writes: one run, the same registry
    assert _registry_counts(warehouse) == _registry_counts(trained_city.warehouse)

    report = evaluate(warehouse, trained_city.city / "truth")
    assert report.overall.twins_merged == 0, "twins must stay apart on Spark too"
    assert report.overall.f1 > 0.99


def test_the_model_renders_for_spark_and_back_unchanged(trained_city: TrainedCity):
    document = model_load(trained_city.model)
    spark = splink_settings(document, "spark")
    levels = " ".join(
        level["sql_condition"] for c in spark["comparisons"] for level in c["comparison_levels"]
    )
    for duckdb_only in ("list_contains", "list_has_any", "list_intersect", "string_split",
                        "jaro_winkler_similarity", "regexp_matches", "VARCHAR"):  # fmt: skip
        assert duckdb_only not in levels
    assert "jaro_winkler(" in levels
    assert "array_contains(" in levels
    # m and u are carried over untouched
    assert [
        c["comparison_levels"] for c in settings_in_dialect(spark, "duckdb")["comparisons"]
    ] == [c["comparison_levels"] for c in document["splink"]["comparisons"]]


def test_a_model_of_another_shape_is_refused(trained_city: TrainedCity):
    document = model_load(trained_city.model)
    document["splink"]["comparisons"][0]["comparison_levels"][2]["label_for_charts"] = "other"
    with pytest.raises(ModelError, match="levels are not this person model's"):
        splink_settings(document, "spark")
    document["splink"]["comparisons"] = document["splink"]["comparisons"][:-1]
    with pytest.raises(ModelError, match="comparisons are not this person model's"):
        splink_settings(document, "duckdb")
