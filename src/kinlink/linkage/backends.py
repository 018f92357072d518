"""Where Splink does its work: DuckDB in this process (the default), or Spark at scale.

Only training and scoring run on a backend. Everything before (records, pre-collapse) and
after (guarded clustering, keys, review queue) stays on the warehouse connection, so the
same model gives the same people and the same keys whichever backend scored the pairs.

A backend hands out *databases*: one Splink working area each (a fresh in-memory DuckDB,
or a ``SparkAPI`` over the shared Spark session), dropped when done, so that training
sessions cannot see each other's tables. ``SplinkDatabase.arrow`` runs a query in the
backend's own dialect and brings the (small) answer back as Arrow.
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
from splink import DuckDBAPI, Linker

from kinlink.core.errors import KinlinkError
from kinlink.linkage.models import LinkageConfig

#: The Splink functions a Spark session must have (from the jar Splink ships).
SPARK_UDFS: tuple[str, ...] = ("jaro_winkler", "damerau_levenshtein")


class BackendError(KinlinkError):
    """The chosen backend cannot run here (no pyspark, no Java, no Splink functions)."""


@dataclass
class SplinkDatabase:
    """One working area for Splink: its database API and a way to query it."""

    db_api: Any
    arrow: Callable[[str], pa.Table]


class Backend(ABC):
    """A place for Splink to train and score."""

    name: str
    #: Splink's SQL dialect of this backend (the person model is rendered for it).
    dialect: str

    @abstractmethod
    @contextmanager
    def database(self) -> Iterator[SplinkDatabase]:
        """A fresh working area, dropped on exit."""

    def close(self) -> None:  # noqa: B027 - most backends hold nothing to release
        """Release what the backend started."""


def spill_directory() -> str:
    """Where DuckDB may spill work tables: the system's temporary folder, never the cwd."""
    return str(Path(tempfile.gettempdir()) / "kinlink-duckdb-spill").replace("'", "''")


def splink_connection(config: LinkageConfig) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB for Splink's work tables, kept apart from the warehouse."""
    con = duckdb.connect(":memory:")
    con.execute(f"SET memory_limit = '{config.memory_limit}'")
    con.execute(f"SET temp_directory = '{spill_directory()}'")
    if config.threads:
        con.execute(f"SET threads = {int(config.threads)}")
    con.execute("SET preserve_insertion_order = false")
    return con


class DuckDBBackend(Backend):
    """Splink on an in-memory DuckDB in this process, capped by ``config.memory_limit``."""

    name = "duckdb"
    dialect = "duckdb"

    def __init__(self, config: LinkageConfig) -> None:
        self.config = config

    @contextmanager
    def database(self) -> Iterator[SplinkDatabase]:
        con = splink_connection(self.config)
        try:
            yield SplinkDatabase(
                DuckDBAPI(connection=con), lambda sql: con.sql(sql).to_arrow_table()
            )
        finally:
            con.close()


def spark_scratch_directory() -> str:
    """Where a Spark session Kinlink starts keeps its catalog: the system's temporary
    folder, never the working directory."""
    return str(Path(tempfile.gettempdir()) / "kinlink-spark-warehouse")


def java_available() -> bool:
    """Whether a Java runtime can be found the way Spark looks for one (JAVA_HOME, PATH)."""
    home = os.environ.get("JAVA_HOME")
    if home and (Path(home) / "bin" / "java").exists():
        return True
    return shutil.which("java") is not None


def spark_session(config: LinkageConfig) -> tuple[Any, bool]:
    """The active Spark session, or a new one; ``(session, started here)``.

    A session already running (under ``spark-submit``, in a notebook, on a cluster) is
    used as it is: its owner configures it, including Splink's similarity jar. Otherwise
    a session is started on ``config.spark_master`` with the jar that ships inside
    Splink (nothing is downloaded), and settings from ``spark-defaults.conf`` apply.
    """
    try:
        from pyspark.sql import SparkSession
        from splink.backends.spark import similarity_jar_location
    except ImportError as exc:
        raise BackendError(
            "the Spark backend needs pyspark: install Kinlink with the 'spark' extra "
            "(pip install 'kinlink[spark]')"
        ) from exc
    active = SparkSession.getActiveSession()
    if active is not None:
        return active, False
    if not java_available():
        raise BackendError("the Spark backend needs Java 17 or later: none on JAVA_HOME or PATH")
    session = (
        SparkSession.builder.master(config.spark_master)
        .appName("kinlink-linkage")
        .config("spark.jars", similarity_jar_location())
        .config("spark.sql.shuffle.partitions", str(config.spark_shuffle_partitions))
        .config("spark.default.parallelism", str(config.spark_shuffle_partitions))
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.session.timeZone", "UTC")
        # Spark's catalog folder, which it would otherwise create in the working directory
        .config("spark.sql.warehouse.dir", spark_scratch_directory())
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    return session, True


class SparkBackend(Backend):
    """Splink's ``SparkAPI`` over a Spark session (local or a cluster).

    Splink's intermediate tables are written as parquet under the session's checkpoint
    directory when it has one (what a cluster should use), else kept in Spark's memory.
    """

    name = "spark"
    dialect = "spark"

    def __init__(self, config: LinkageConfig) -> None:
        self.spark, self.started = spark_session(config)
        checkpoints = self.spark.sparkContext.getCheckpointDir()
        self.break_lineage = "parquet" if checkpoints else "persist"

    @contextmanager
    def database(self) -> Iterator[SplinkDatabase]:
        from splink import SparkAPI

        before = {t.name for t in self.spark.catalog.listTables() if t.isTemporary}
        db_api = SparkAPI(  # type: ignore[no-untyped-call]
            spark_session=self.spark, break_lineage_method=self.break_lineage
        )
        missing = [f for f in SPARK_UDFS if not self.spark.catalog.functionExists(f)]
        if missing:
            raise BackendError(
                f"this Spark session lacks Splink's similarity functions ({', '.join(missing)}): "
                "add the jar from splink.backends.spark.similarity_jar_location() to "
                "'spark.jars' when the session is created"
            )
        try:
            yield SplinkDatabase(db_api, lambda sql: self.spark.sql(sql).toArrow())
        finally:
            for table in self.spark.catalog.listTables():
                if table.isTemporary and table.name not in before:
                    self.spark.catalog.dropTempView(table.name)  # also unpersists it

    def close(self) -> None:
        if self.started:
            self.spark.stop()


BACKENDS: dict[str, Callable[[LinkageConfig], Backend]] = {
    "duckdb": DuckDBBackend,
    "spark": SparkBackend,
}


@contextmanager
def backend_open(config: LinkageConfig) -> Iterator[Backend]:
    """The backend ``config.backend`` names, released on exit."""
    backend = BACKENDS[config.backend](config)
    try:
        yield backend
    finally:
        backend.close()


def linker_for(database: SplinkDatabase, variants: pa.Table, settings: Any) -> Linker:
    """A Splink linker over the variants table in ``database``.

    ``settings`` must already be written in the backend's dialect.
    """
    sdf = database.db_api.register(variants, dataset_display_name="person_variants")
    return Linker(sdf, settings, log_level=logging.ERROR)
