"""Why two records are (or are not) the same person, in words and numbers.

Scores the pair with the saved model exactly as a run would (with the run's term
frequencies), and reports for each comparison the level reached, its m and u
probabilities and the match weight it contributed, then the final weight and
probability. It also says whether the two records share a trusted identifier (which joins
them before any scoring) and which person keys they hold now.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass, field
from typing import Any

import duckdb
import pyarrow as pa
from splink import DuckDBAPI, Linker

from kinlink.core.errors import KinlinkError
from kinlink.linkage.keys import MEMBERS
from kinlink.linkage.precollapse import MATCH_COLUMNS, names_lookup, prepared_records_sql
from kinlink.linkage.splink_settings import EVIDENCE_COMPARISONS, level_gammas
from kinlink.warehouse.store import table_exists

#: What to show of each comparison: the prepared columns it mainly reads.
SHOWN_COLUMNS: dict[str, tuple[str, ...]] = {
    "forename": ("forename_key", "preferred_forename_key", "forename_canonical"),
    "surname": ("surname_key", "preferred_surname_key"),
    "dob": ("dob", "dob_year"),
    "sex": ("sex",),
    "location": ("uprn", "postcode"),
    "identifiers": ("nhs_number", "upn", "uln", "la_child_id"),
}
TF_COLUMNS = ("forename_key", "surname_key", "postcode")
TF_TABLE = "linkage_term_frequencies"


@dataclass
class ComparisonExplained:
    """One comparison's contribution."""

    name: str
    level: str
    m: float | None
    u: float | None
    weight: float  # log2 Bayes factor, term-frequency adjustment included
    tf_adjustment: float
    left: str
    right: str


@dataclass
class Explanation:
    """The whole story for a pair of records."""

    record_a: str
    record_b: str
    prior_weight: float
    comparisons: list[ComparisonExplained] = field(default_factory=list)
    match_weight: float = 0.0
    match_probability: float = 0.0
    shared_identifiers: list[str] = field(default_factory=list)
    keys: dict[str, str | None] = field(default_factory=dict)
    more_than_names: bool = False

    @property
    def same_key(self) -> bool:
        """Whether the last run put both records under one person key."""
        a, b = self.keys.get(self.record_a), self.keys.get(self.record_b)
        return a is not None and a == b


def _show(row: dict[str, Any], columns: tuple[str, ...]) -> str:
    return " / ".join(str(row[c]) for c in columns if row.get(c) not in (None, ""))


def _records(
    con: duckdb.DuckDBPyConnection, ids: list[str]
) -> tuple[list[dict[str, Any]], pa.Schema]:
    """The prepared rows of ``ids`` (in that order) and their Arrow schema.

    The schema is kept because a column that is empty in both records must still reach
    Splink with its type (a date, a list), not as an untyped null.
    """
    quoted = ", ".join("'" + i.replace("'", "''") + "'" for i in ids)
    names_lookup(con, f"record_id IN ({quoted})")
    table = con.sql(prepared_records_sql(f"p.record_id IN ({quoted})")).to_arrow_table()
    by_id = {r["record_id"]: r for r in table.to_pylist()}
    missing = [i for i in ids if i not in by_id]
    if missing:
        raise KinlinkError(f"no person record with id {', '.join(missing)}")
    return [by_id[i] for i in ids], table.schema


def _inputs_schema(schema: pa.Schema) -> pa.Schema:
    fields = [schema.field(c) for c in MATCH_COLUMNS]
    fields += [pa.field("unique_id", pa.int64()), pa.field("entity_id", pa.int64())]
    fields += [pa.field(f"tf_{c}", pa.float64()) for c in TF_COLUMNS]
    return pa.schema(fields)


def _term_frequencies(con: duckdb.DuckDBPyConnection, row: dict[str, Any]) -> dict[str, float]:
    out: dict[str, float] = {}
    exists = table_exists(con, TF_TABLE)
    for column in TF_COLUMNS:
        value = row.get(column)
        tf = None
        if exists and value is not None:
            found = con.execute(
                f"SELECT tf FROM {TF_TABLE} WHERE column_name = ? AND value = ?",
                [column, value],
            ).fetchone()
            tf = float(found[0]) if found else None
        # a value the run never saw is as rare as the rarest it did
        out[f"tf_{column}"] = tf if tf is not None else 1e-6
    return out


def _shared_ids(a: dict[str, Any], b: dict[str, Any]) -> list[str]:
    shared = []
    for column, valid in (("upn", "upn_valid"), ("nhs_number", "nhs_number_valid")):
        if a.get(column) and a.get(column) == b.get(column) and a.get(valid):
            shared.append(column)
    if a.get("uln") and a.get("uln") == b.get("uln") and a.get("uln_valid"):
        shared.append("uln")
    if a.get("la_child_id") and a.get("la_child_id") == b.get("la_child_id"):
        shared.append("la_child_id")
    if (
        a.get("source_person_id")
        and a.get("source_person_id") == b.get("source_person_id")
        and a.get("source_id_kind") == b.get("source_id_kind")
        and a.get("source_id_kind") != "la_child_id"
    ):
        shared.append(str(a.get("source_id_kind")))
    return shared


def explain_pair(
    con: duckdb.DuckDBPyConnection, record_a: str, record_b: str, settings: dict[str, Any]
) -> Explanation:
    """Explain the pair ``record_a``, ``record_b`` under the model ``settings``."""
    rows, schema = _records(con, [record_a, record_b])
    inputs = []
    for number, row in enumerate(rows, start=1):
        record = {c: row[c] for c in MATCH_COLUMNS}
        record.update(unique_id=number, entity_id=number, **_term_frequencies(con, row))
        inputs.append(record)
    typed = _inputs_schema(schema)
    scoring = {
        **settings,
        "retain_matching_columns": True,
        "retain_intermediate_calculation_columns": True,
    }
    splink_con = duckdb.connect(":memory:")
    try:
        db_api = DuckDBAPI(connection=splink_con)
        both = db_api.register(pa.Table.from_pylist(inputs, schema=typed))
        left = db_api.register(pa.Table.from_pylist(inputs[:1], schema=typed))
        right = db_api.register(pa.Table.from_pylist(inputs[1:], schema=typed))
        linker = Linker(both, scoring, log_level=logging.ERROR)
        scored = linker.inference.score_pair(left, right).as_record_list()[0]
    finally:
        splink_con.close()
    prior = float(settings["probability_two_random_records_match"])
    result = Explanation(
        record_a=record_a,
        record_b=record_b,
        prior_weight=math.log2(prior / (1 - prior)),
        match_weight=float(scored["match_weight"]),
        match_probability=float(scored["match_probability"]),
        shared_identifiers=_shared_ids(rows[0], rows[1]),
    )
    gammas = level_gammas(settings)
    for comparison in settings["comparisons"]:
        name = comparison["output_column_name"]
        gamma = int(scored[f"gamma_{name}"])
        label = next((lb for lb, g in gammas[name].items() if g == gamma), str(gamma))
        level = next(
            lv for lv in comparison["comparison_levels"] if lv["label_for_charts"] == label
        )
        tf_adj = float(scored.get(f"mw_tf_adj_{name}") or 0.0)
        result.comparisons.append(
            ComparisonExplained(
                name=name,
                level=label,
                m=level.get("m_probability"),
                u=level.get("u_probability"),
                weight=float(scored[f"mw_{name}"]) + tf_adj,
                tf_adjustment=tf_adj,
                left=_show(rows[0], SHOWN_COLUMNS.get(name, ())),
                right=_show(rows[1], SHOWN_COLUMNS.get(name, ())),
            )
        )
        if name in EVIDENCE_COMPARISONS and float(scored[f"mw_{name}"]) > 0:
            result.more_than_names = True
    if table_exists(con, MEMBERS):
        found = dict(
            con.execute(
                f"SELECT record_id, person_key FROM {MEMBERS} WHERE record_id IN (?, ?)",
                [record_a, record_b],
            ).fetchall()
        )
        result.keys = {r: found.get(r) for r in (record_a, record_b)}
    return result


@dataclass
class PairWeights:
    """Per-comparison match weights of one pair, and its final weight and probability."""

    comparisons: list[tuple[str, str, float]]  # (comparison, level, weight)
    match_weight: float
    match_probability: float


def explain_pairs(
    con: duckdb.DuckDBPyConnection, pairs: list[tuple[str, str]], settings: dict[str, Any]
) -> dict[tuple[str, str], PairWeights]:
    """``explain_pair``'s weights for many pairs of one linkage run at once (for publishing).

    Every pair's two records must share a person key (the portal explains each record
    against its person's anchor): Splink scores all pairs within each person in one run,
    with the run's term frequencies, and the wanted pairs are kept.
    """
    wanted: dict[tuple[str, ...], list[tuple[str, str]]] = {}
    for pair in pairs:
        if pair[0] != pair[1]:
            wanted.setdefault(tuple(sorted(pair)), []).append(pair)
    if not wanted:
        return {}
    tf = table_exists(con, TF_TABLE)
    names_lookup(con, f"record_id IN (SELECT record_id FROM {MEMBERS})")
    tf_select = ", ".join(
        f"coalesce((SELECT t.tf FROM {TF_TABLE} t WHERE t.column_name = '{c}' "
        f"AND t.value = x.{c}), 1e-6) AS tf_{c}"
        if tf
        else f"1e-6 AS tf_{c}"
        for c in TF_COLUMNS
    )
    table = con.sql(
        f"""SELECT x.*, m.person_key, row_number() OVER (ORDER BY x.record_id) AS unique_id,
                   row_number() OVER (ORDER BY x.record_id) AS entity_id, {tf_select}
            FROM ({prepared_records_sql(f"p.record_id IN (SELECT record_id FROM {MEMBERS})")}) x
            JOIN {MEMBERS} m USING (record_id)"""
    ).to_arrow_table()
    schema = _inputs_schema(table.schema)
    inputs = table.select([*schema.names, "person_key", "record_id"])
    ids = dict(zip(inputs["unique_id"].to_pylist(), inputs["record_id"].to_pylist(), strict=True))
    scoring = {
        **settings,
        "blocking_rules_to_generate_predictions": [
            {"blocking_rule": "l.person_key = r.person_key"}
        ],
        "additional_columns_to_retain": [],
        "retain_matching_columns": False,
        "retain_intermediate_calculation_columns": True,
    }
    levels = {c["output_column_name"]: _level_weights(c) for c in settings["comparisons"]}
    out: dict[tuple[str, str], PairWeights] = {}
    splink_con = duckdb.connect(":memory:")
    try:
        db_api = DuckDBAPI(connection=splink_con)
        linker = Linker(db_api.register(inputs), scoring, log_level=logging.ERROR)
        for scored in linker.inference.predict().as_record_list():
            a, b = ids[scored["unique_id_l"]], ids[scored["unique_id_r"]]
            asked = wanted.get(tuple(sorted((a, b))))
            if asked is None:
                continue
            rows = []
            for comparison in settings["comparisons"]:
                name = comparison["output_column_name"]
                base = float(scored[f"mw_{name}"])
                weight = base + float(scored.get(f"mw_tf_adj_{name}") or 0.0)
                rows.append((name, _level_of(levels[name], base), weight))
            for pair in asked:  # the weights do not depend on the order of the two records
                out[pair] = PairWeights(
                    rows, float(scored["match_weight"]), float(scored["match_probability"])
                )
    finally:
        splink_con.close()
    return out


def _level_weights(comparison: dict[str, Any]) -> list[tuple[str, float]]:
    """Each level's label and its weight (log2 m/u; 0 for the null level), best first."""
    out = []
    for level in comparison["comparison_levels"]:
        m, u = level.get("m_probability"), level.get("u_probability")
        if level.get("is_null_level"):
            out.append((str(level["label_for_charts"]), 0.0))
        elif m and u:
            out.append((str(level["label_for_charts"]), math.log2(float(m) / float(u))))
    return out


def _level_of(levels: list[tuple[str, float]], weight: float) -> str:
    """The level a pair reached, known from the weight Splink's prediction gives it (the
    prediction keeps weights, not levels); the first level with that weight."""
    return next((label for label, w in levels if abs(w - weight) < 1e-9), "")
