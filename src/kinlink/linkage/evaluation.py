"""Measuring linkage against a ground truth, with counts done in SQL.

Pairs are never enumerated: within a group of n records there are n(n-1)/2 pairs, so the
number of predicted pairs is summed over keys, true pairs over true people, and correct
pairs over (key, true person) groups. Per feed, a pair counts when at least one of its
records is from that feed: C(n, 2) - C(n - f, 2) for a group of n with f from the feed.

B-cubed scores each record: precision is the share of its key's records that are truly
its person's, recall the share of its person's records that carry its key; both are
averaged over records.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path

import duckdb

from kinlink.core.errors import InputError, KinlinkError
from kinlink.linkage.keys import MEMBERS
from kinlink.warehouse.schema import PERSON_RECORD_TABLE
from kinlink.warehouse.store import table_exists

OVERALL = "overall"


@dataclass
class Metrics:
    """Linkage quality over one scope (all records, or one feed's)."""

    scope: str
    records: int = 0
    people: int = 0
    keys: int = 0
    true_pairs: int = 0
    predicted_pairs: int = 0
    correct_pairs: int = 0
    precision: float = 1.0
    recall: float = 1.0
    f1: float = 1.0
    bcubed_precision: float = 1.0
    bcubed_recall: float = 1.0
    bcubed_f1: float = 1.0
    people_split: int = 0
    keys_merging_people: int = 0
    twins_merged: int | None = None


@dataclass
class EvaluationReport:
    """Overall and per-feed metrics, and how well the truth lined up with the warehouse."""

    overall: Metrics
    by_feed: list[Metrics] = field(default_factory=list)
    truth_slots: int = 0
    truth_slots_not_loaded: int = 0  # quarantined or blank rows
    records_without_truth: int = 0
    records_without_key: int = 0

    def as_dict(self) -> dict[str, object]:
        """JSON-ready."""
        return asdict(self)


def _f1(p: float, r: float) -> float:
    return 0.0 if p + r == 0 else 2 * p * r / (p + r)


def truth_path(truth: Path) -> Path:
    """``truth/person_slots.csv``, given the truth folder or the city folder above it."""
    for candidate in (truth / "person_slots.csv", truth / "truth" / "person_slots.csv", truth):
        if candidate.is_file():
            return candidate
    raise InputError(str(truth), "no person_slots.csv here (expected the city's truth folder)")


def _truth_load(con: duckdb.DuckDBPyConnection, path: Path) -> None:
    con.execute(
        """
        CREATE OR REPLACE TEMP TABLE _ev_truth AS
        SELECT feed, file, CAST(row_number AS INTEGER) AS row_number,
               coalesce(slot, '') AS slot, person_id
        FROM read_csv(?, header = true, all_varchar = true)
        """,
        [str(path)],
    )
    twins = path.parent / "people.csv"
    if twins.is_file():
        con.execute(
            """
            CREATE OR REPLACE TEMP TABLE _ev_twins AS
            SELECT DISTINCT least(person_id, twin_of) AS t1, greatest(person_id, twin_of) AS t2
            FROM read_csv(?, header = true, all_varchar = true)
            WHERE twin_of IS NOT NULL AND twin_of <> ''
            """,
            [str(twins)],
        )
    else:
        con.execute("CREATE OR REPLACE TEMP TABLE _ev_twins (t1 VARCHAR, t2 VARCHAR)")


def _pairs(n: str) -> str:
    return f"(CAST({n} AS BIGINT) * (CAST({n} AS BIGINT) - 1) // 2)"


def _scoped_metrics(con: duckdb.DuckDBPyConnection, has_twins: bool) -> dict[str, Metrics]:
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE _ev_scoped AS
        SELECT '{OVERALL}' AS scope, c, t FROM _ev
        UNION ALL SELECT feed, c, t FROM _ev
        """
    )
    rows = con.execute(
        f"""
        WITH g AS (SELECT c, t, count(*) AS n FROM _ev GROUP BY c, t),
        cs AS (SELECT c, count(*) AS n, count(DISTINCT t) AS people FROM _ev GROUP BY c),
        ts AS (SELECT t, count(*) AS n, count(DISTINCT c) AS keys FROM _ev GROUP BY t),
        sg AS (SELECT scope, c, t, count(*) AS f FROM _ev_scoped GROUP BY ALL),
        sc AS (SELECT scope, c, count(*) AS f FROM _ev_scoped GROUP BY ALL),
        st AS (SELECT scope, t, count(*) AS f FROM _ev_scoped GROUP BY ALL),
        by_group AS (
            SELECT sg.scope,
                   sum({_pairs("g.n")} - {_pairs("g.n - sg.f")}) AS correct,
                   sum(sg.f * g.n / cs.n) AS bp, sum(sg.f * g.n / ts.n) AS br,
                   sum(sg.f) AS records
            FROM sg JOIN g USING (c, t) JOIN cs USING (c) JOIN ts USING (t)
            GROUP BY sg.scope
        ),
        by_key AS (
            SELECT sc.scope, sum({_pairs("cs.n")} - {_pairs("cs.n - sc.f")}) AS predicted,
                   count(*) AS keys, count(*) FILTER (WHERE cs.people > 1) AS merging
            FROM sc JOIN cs USING (c) GROUP BY sc.scope
        ),
        by_person AS (
            SELECT st.scope, sum({_pairs("ts.n")} - {_pairs("ts.n - st.f")}) AS truth,
                   count(*) AS people, count(*) FILTER (WHERE ts.keys > 1) AS split
            FROM st JOIN ts USING (t) GROUP BY st.scope
        )
        SELECT scope, records, people, keys, truth, predicted, correct, bp, br, split, merging
        FROM by_group JOIN by_key USING (scope) JOIN by_person USING (scope)
        ORDER BY scope
        """
    ).fetchall()
    out: dict[str, Metrics] = {}
    for scope, records, people, keys, truth, predicted, correct, bp, br, split, merging in rows:
        m = Metrics(
            scope=str(scope),
            records=int(records),
            people=int(people),
            keys=int(keys),
            true_pairs=int(truth),
            predicted_pairs=int(predicted),
            correct_pairs=int(correct),
            people_split=int(split),
            keys_merging_people=int(merging),
        )
        m.precision = m.correct_pairs / m.predicted_pairs if m.predicted_pairs else 1.0
        m.recall = m.correct_pairs / m.true_pairs if m.true_pairs else 1.0
        m.f1 = _f1(m.precision, m.recall)
        m.bcubed_precision = float(bp) / m.records if m.records else 1.0
        m.bcubed_recall = float(br) / m.records if m.records else 1.0
        m.bcubed_f1 = _f1(m.bcubed_precision, m.bcubed_recall)
        out[m.scope] = m
    if has_twins:
        for scope, merged in con.execute(
            """
            WITH kt AS (SELECT DISTINCT c, t FROM _ev),
            merged AS (
                SELECT DISTINCT a.c, w.t1, w.t2 FROM _ev_twins w
                JOIN kt a ON a.t = w.t1 JOIN kt b ON b.t = w.t2 AND b.c = a.c
            )
            SELECT s.scope, count(DISTINCT (m.t1, m.t2))
            FROM merged m JOIN (SELECT DISTINCT scope, c FROM _ev_scoped) s USING (c)
            GROUP BY s.scope
            """
        ).fetchall():
            out[str(scope)].twins_merged = int(merged)
        for m in out.values():
            if m.twins_merged is None:
                m.twins_merged = 0
    return out


def evaluate_connection(con: duckdb.DuckDBPyConnection, truth: Path) -> EvaluationReport:
    """Evaluate the keys in an open warehouse against ``truth`` (see ``evaluate``)."""
    path = truth_path(truth)
    _truth_load(con, path)
    if not table_exists(con, MEMBERS):
        raise KinlinkError("no person keys in this warehouse yet; run 'kinlink link' first")
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE _ev_joined AS
        SELECT p.record_id, p.feed, m.person_key AS c, t.person_id AS t
        FROM {PERSON_RECORD_TABLE} p
        LEFT JOIN _ev_truth t
          ON t.file = p.file_name AND t.row_number = p.row_number AND t.slot = p.slot
        LEFT JOIN {MEMBERS} m USING (record_id)
        """
    )
    con.execute(
        "CREATE OR REPLACE TEMP TABLE _ev AS "
        "SELECT * FROM _ev_joined WHERE c IS NOT NULL AND t IS NOT NULL"
    )
    counts = con.execute(
        """
        SELECT (SELECT count(*) FROM _ev_truth),
               (SELECT count(*) FROM _ev_joined WHERE t IS NULL),
               (SELECT count(*) FROM _ev_joined WHERE c IS NULL)
        """
    ).fetchone()
    twins = con.execute("SELECT count(*) FROM _ev_twins").fetchone()
    has_twins = bool(twins and twins[0])
    metrics = _scoped_metrics(con, has_twins)
    overall = metrics.pop(OVERALL, Metrics(scope=OVERALL))
    loaded = con.execute("SELECT count(*) FROM _ev_joined WHERE t IS NOT NULL").fetchone()
    report = EvaluationReport(overall=overall, by_feed=list(metrics.values()))
    if counts:
        report.truth_slots = int(counts[0])
        report.records_without_truth = int(counts[1])
        report.records_without_key = int(counts[2])
    report.truth_slots_not_loaded = report.truth_slots - (int(loaded[0]) if loaded else 0)
    return report


def evaluate(warehouse: Path, truth: Path) -> EvaluationReport:
    """Pairwise and B-cubed precision and recall, splits, merges and merged twins, overall
    and per feed, of the current person keys against a synthetic city's ground truth."""
    from kinlink.warehouse import warehouse_connect

    con = warehouse_connect(warehouse, read_only=True)
    try:
        return evaluate_connection(con, truth)
    finally:
        con.close()
