"""Reading the linked, assessed warehouse into plain rows for publishing (no Django here).

Everything the portal shows is computed here from the warehouse contract and the
linkage, families and outcomes tables, once per publish, so the portal never needs the
warehouse to serve a page. Only records held by the current linkage run are read.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import duckdb

from kinlink.core.errors import KinlinkError
from kinlink.portal.summaries import event_summary
from kinlink.sources import definitions_load
from kinlink.warehouse.store import table_exists

#: Identifiers that explain a link when another record of the same person shares them.
_SHARED_IDS = (
    ("upn", "upn_valid", "UPN"),
    ("nhs_number", "nhs_number_valid", "NHS number"),
    ("uln", "uln_valid", "ULN"),
    ("la_child_id", None, "social care child id"),
)


@dataclass
class Runs:
    """Which pipeline runs a publish reads, and what its inputs hash to."""

    linkage_run_id: str
    families_run_id: str
    assessment_run_id: str
    as_of: date | None
    fingerprint: str


@dataclass
class Snapshot:
    runs: Runs
    people: list[dict[str, Any]] = field(default_factory=list)
    families: list[dict[str, Any]] = field(default_factory=list)
    members: list[dict[str, Any]] = field(default_factory=list)
    needs: list[dict[str, Any]] = field(default_factory=list)
    schools: list[dict[str, Any]] = field(default_factory=list)
    enrolments: list[dict[str, Any]] = field(default_factory=list)
    record_links: list[dict[str, Any]] = field(default_factory=list)
    challenges: list[dict[str, Any]] = field(default_factory=list)


def _rows(
    con: duckdb.DuckDBPyConnection, sql: str, params: list[Any] | None = None
) -> list[dict[str, Any]]:
    cursor = con.execute(sql, params or [])
    columns = [d[0] for d in cursor.description]
    return [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]


def _one(con: duckdb.DuckDBPyConnection, sql: str) -> Any:
    try:
        row = con.execute(sql).fetchone()
    except duckdb.CatalogException:
        return None
    return row[0] if row else None


def runs_read(con: duckdb.DuckDBPyConnection) -> Runs:
    """The latest linkage, families and assessment runs and the publish's input fingerprint."""
    linkage = _one(con, "SELECT run_id FROM linkage_runs ORDER BY finished_at DESC LIMIT 1")
    if not linkage:
        raise KinlinkError("nothing to publish: run 'kinlink link' first")
    families = _one(con, "SELECT run_id FROM family_runs ORDER BY finished_at DESC LIMIT 1")
    assessment = _one(con, "SELECT run_id FROM outcome_runs ORDER BY finished_at DESC LIMIT 1")
    if not families or not assessment:
        raise KinlinkError(
            "nothing to publish: run 'kinlink families build' and 'kinlink outcomes assess' first"
        )
    as_of, input_fp = con.execute(
        "SELECT as_of, input_fingerprint FROM outcome_runs WHERE run_id = ?", [assessment]
    ).fetchone() or (None, "")
    batches = [
        r[0]
        for r in con.execute(
            "SELECT batch_id FROM ingest_batches WHERE superseded_by IS NULL ORDER BY batch_id"
        ).fetchall()
    ]
    digest = hashlib.sha256(
        json.dumps(
            [linkage, families, assessment, input_fp, batches, *_reviewed_state(con)], default=str
        ).encode()
    ).hexdigest()
    return Runs(str(linkage), str(families), str(assessment), as_of, digest)


def _reviewed_state(con: duckdb.DuckDBPyConnection) -> list[Any]:
    """Challenges and score reviews change what the portal marks, so a publish after
    ``kinlink portal push-challenges`` (or a resolution) is not skipped."""
    state: list[Any] = []
    queries = {
        "challenges": "SELECT challenge_id, status FROM challenges ORDER BY challenge_id",
        "risk_reviews": "SELECT count(*), max(reviewed_at) FROM risk_reviews",
    }
    for table, sql in queries.items():
        if table_exists(con, table):
            state.append(con.execute(sql).fetchall())
    return state


def challenges_read(con: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    """Challenges keeping their item out of use now: open ones, and facts upheld (out until
    the partner corrects them)."""
    if not table_exists(con, "challenges"):
        return []
    return _rows(
        con,
        """SELECT challenge_id, kind, coalesce(record_id, score_id) AS ref,
                  coalesce(person_key, '') AS person_key, status, raised_at
           FROM challenges
           WHERE status = 'open' OR (kind = 'fact' AND status = 'upheld')
           ORDER BY challenge_id""",
    )


def _people(con: duckdb.DuckDBPyConnection, run: str, as_of: date | None) -> list[dict[str, Any]]:
    people = _rows(
        con,
        """
        SELECT m.person_key,
               list_aggregate(list_sort(list(p.forename)), 'mode') AS forename,
               list_aggregate(list_sort(list(p.surname)), 'mode') AS surname,
               list_aggregate(list_sort(list(p.forename_key)), 'mode') AS forename_key,
               list_aggregate(list_sort(list(p.forename_canonical)), 'mode')
                   AS forename_canonical,
               list_aggregate(list_sort(list(p.surname_key)), 'mode') AS surname_key,
               list_sort(list_distinct(flatten([
                   list(p.forename_key) FILTER (WHERE p.forename_key IS NOT NULL),
                   list(p.surname_key) FILTER (WHERE p.surname_key IS NOT NULL),
                   list(p.preferred_forename_key)
                       FILTER (WHERE p.preferred_forename_key IS NOT NULL),
                   list(p.preferred_surname_key)
                       FILTER (WHERE p.preferred_surname_key IS NOT NULL),
                   list(p.middle_names_key) FILTER (WHERE p.middle_names_key IS NOT NULL)
               ]))) AS other_names,
               list_aggregate(list_sort(list(p.dob)), 'mode') AS dob,
               list_aggregate(list_sort(
                   list(p.sex) FILTER (WHERE p.sex IN ('M', 'F'))), 'mode') AS sex,
               arg_max(p.postcode, (p.observed_date, p.record_id))
                   FILTER (WHERE p.postcode_valid) AS postcode,
               list_sort(list_distinct(list(p.upn) FILTER (WHERE p.upn_valid))) AS upns
        FROM person_key_members m JOIN person_records p USING (record_id)
        GROUP BY m.person_key
        """,
    )
    census = {
        r["person_key"]: r
        for r in _rows(
            con,
            """
            WITH latest AS (SELECT max(census_date) AS d FROM school_census)
            SELECT m.person_key,
                   arg_max(c.school_urn, c.census_date) AS school_urn,
                   arg_max(c.school_name, c.census_date) AS school_name,
                   arg_max(c.ncyear, c.census_date) AS year_group,
                   arg_max(c.sen_provision, c.census_date) AS sen,
                   max(c.census_date) AS last_census,
                   arg_max(c.leaving_date, c.census_date) AS leaving_date
            FROM school_census c JOIN person_key_members m USING (record_id)
            GROUP BY m.person_key
            """,
        )
    }
    latest_census = _one(con, "SELECT max(census_date) FROM school_census")
    absence = {
        r["person_key"]: r
        for r in _rows(
            con,
            """
            WITH t AS (
                SELECT m.person_key, a.sessions_possible AS possible,
                       a.sessions_authorised + a.sessions_unauthorised AS absent,
                       row_number() OVER (PARTITION BY m.person_key
                                          ORDER BY a.as_of_date DESC) AS k
                FROM attendance_term a JOIN person_key_members m USING (record_id)
            )
            SELECT person_key, sum(possible) AS possible, sum(absent) AS absent
            FROM t WHERE k <= 3 GROUP BY person_key
            """,
        )
    }
    exploitation = {
        r["person_key"]: r
        for r in _rows(
            con,
            """
            SELECT m.person_key, bool_or(e.completed_date IS NULL) AS open
            FROM exploitation_assessment e JOIN person_key_members m USING (record_id)
            GROUP BY m.person_key
            """,
        )
    }
    youth = {
        r[0]
        for r in con.execute(
            "SELECT DISTINCT m.person_key FROM youth_offence y "
            "JOIN person_key_members m USING (record_id)"
        ).fetchall()
    }
    families = {
        r["person_key"]: r
        for r in _rows(
            con,
            """
            SELECT m.person_key, m.family_key, f.eligible
            FROM outcome_family_members m
            JOIN outcome_families f ON f.run_id = m.run_id AND f.family_key = m.family_key
            WHERE m.run_id = ?
            """,
            [run],
        )
    }
    for person in people:
        key = person["person_key"]
        person["other_names"] = " ".join(person["other_names"] or [])
        person["upns"] = " ".join(person["upns"] or [])
        c = census.get(key)
        current = bool(c and c["leaving_date"] is None and c["last_census"] == latest_census)
        person["school_urn"] = c["school_urn"] if current and c else ""
        person["school_name"] = c["school_name"] if current and c else ""
        person["year_group"] = c["year_group"] if current and c else ""
        person["sen"] = c["sen"] if c and c["sen"] in ("E", "K") else ""
        dob = person["dob"]
        person["is_child"] = bool((dob and as_of and (as_of - dob).days < 18 * 365.25) or current)
        a = absence.get(key)
        rate = None
        if a and a["possible"]:
            rate = 1.0 - float(a["absent"]) / float(a["possible"])
        person["attendance_rate"] = rate
        person["persistent_absence"] = rate is not None and rate <= 0.90
        e = exploitation.get(key)
        person["exploitation_risk"] = e is not None
        person["exploitation_open"] = bool(e and e["open"])
        person["youth_justice"] = key in youth
        f = families.get(key)
        person["family_key"] = f["family_key"] if f else ""
        person["eligible_family"] = bool(f and f["eligible"])
        for text in ("forename", "surname", "forename_key", "forename_canonical", "surname_key",
                     "sex", "postcode"):  # fmt: skip
            person[text] = person[text] or ""
    return people


def _families(con: duckdb.DuckDBPyConnection, run: str) -> tuple[list[dict[str, Any]], ...]:
    families = _rows(
        con,
        """
        SELECT f.family_key, f.members, f.dependent_children, f.n_needs,
               f.headlines, f.eligible,
               e.episode_id, e.episode_start, e.episode_end, e.episode_reason, e.end_reason,
               e.lead_practitioner, e.team, e.sustain_until
        FROM outcome_families f
        LEFT JOIN outcome_episodes e ON e.run_id = f.run_id AND e.family_key = f.family_key
        WHERE f.run_id = ?
        """,
        [run],
    )
    members = _rows(
        con,
        "SELECT family_key, person_key, role FROM outcome_family_members WHERE run_id = ?",
        [run],
    )
    evidence: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for row in _rows(
        con,
        """
        SELECT family_key, need, person_key, record_id, event_date, feed, file_name
        FROM outcome_need_evidence WHERE run_id = ? AND stage = 'need'
        ORDER BY family_key, need, event_date
        """,
        [run],
    ):
        evidence.setdefault((row["family_key"], row["need"]), []).append(
            {
                "person_key": row["person_key"],
                "record_id": row["record_id"],
                "date": row["event_date"].isoformat() if row["event_date"] else None,
                "feed": row["feed"],
                "file_name": row["file_name"],
            }
        )
    progress = {
        (r["family_key"], r["need"]): r["status"]
        for r in _rows(
            con,
            "SELECT family_key, need, status FROM outcome_need_progress WHERE run_id = ?",
            [run],
        )
    }
    needs = _rows(
        con,
        """
        SELECT family_key, need, headline, person_keys, first_date, last_date
        FROM outcome_family_needs WHERE run_id = ?
        """,
        [run],
    )
    for need in needs:
        k = (need["family_key"], need["need"])
        need["evidence"] = evidence.get(k, [])
        need["progress"] = progress.get(k, "")
        need["person_keys"] = list(need["person_keys"] or [])
    for family in families:
        family["headlines"] = list(family["headlines"] or [])
        episode = {
            k: (v.isoformat() if isinstance(v, date) else v)
            for k in (
                "episode_id",
                "episode_start",
                "episode_end",
                "episode_reason",
                "end_reason",
                "sustain_until",
            )  # fmt: skip
            if (v := family.pop(k)) is not None
        }
        family["episode"] = episode
        family["lead_practitioner"] = family["lead_practitioner"] or ""
        family["team"] = family["team"] or ""
    return families, members, needs


def _schools(con: duckdb.DuckDBPyConnection) -> tuple[list[dict[str, Any]], ...]:
    latest = _one(con, "SELECT max(census_date) FROM school_census")
    enrolments = _rows(
        con,
        """
        SELECT m.person_key, c.school_urn AS urn,
               arg_max(c.school_name, c.census_date) AS school_name,
               min(coalesce(c.entry_date, c.census_date)) AS on_roll_from,
               max(c.census_date) AS last_census,
               max(c.leaving_date) AS leaving_date,
               arg_max(c.ncyear, c.census_date) AS year_group
        FROM school_census c JOIN person_key_members m USING (record_id)
        WHERE c.school_urn IS NOT NULL
        GROUP BY m.person_key, c.school_urn
        """,
    )
    for e in enrolments:
        leaving, last = e.pop("leaving_date"), e.pop("last_census")
        e["on_roll_to"] = leaving if leaving is not None else (None if last == latest else last)
        e["year_group"] = e["year_group"] or ""
    schools = _rows(
        con,
        """
        SELECT school_urn AS urn, arg_max(school_name, census_date) AS name,
               count(DISTINCT record_id) FILTER (WHERE census_date = ?) AS pupils
        FROM school_census WHERE school_urn IS NOT NULL GROUP BY school_urn
        """,
        [latest],
    )
    return schools, enrolments


def _record_links(con: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    """Per record: the identifiers it shares with its person's other records, and whether
    its name and date of birth agree with the person's usual ones."""
    shared = ", ".join(
        f"CASE WHEN p.{col} IS NOT NULL {('AND p.' + valid) if valid else ''} THEN "
        f"count(*) OVER (PARTITION BY m.person_key, p.{col}) - 1 ELSE 0 END AS shared_{col}"
        for col, valid, _ in _SHARED_IDS
    )
    rows = _rows(
        con,
        f"""
        WITH base AS (
            SELECT m.person_key, p.record_id, p.feed, p.file_name, p.row_number,
                   p.forename_canonical, p.surname_key, p.dob, p.postcode, p.uprn,
                   p.source_id_kind, p.source_person_id,
                   {shared},
                   CASE WHEN p.source_person_id IS NOT NULL THEN
                       count(*) OVER (PARTITION BY m.person_key, p.source_id_kind,
                                      p.source_person_id) - 1 ELSE 0 END AS shared_system,
                   count(*) OVER (PARTITION BY m.person_key) AS n_records,
                   min(p.record_id) OVER (PARTITION BY m.person_key) AS first_record
            FROM person_key_members m JOIN person_records p USING (record_id)
        ),
        usual AS (
            SELECT person_key,
                   list_aggregate(list_sort(
                       list(forename_canonical)), 'mode') AS forename_canonical,
                   list_aggregate(list_sort(list(surname_key)), 'mode') AS surname_key,
                   list_aggregate(list_sort(list(dob)), 'mode') AS dob,
                   list_aggregate(list_sort(list(postcode)), 'mode') AS postcode
            FROM base GROUP BY person_key
        ),
        second AS (
            SELECT person_key, min(record_id) AS second_record FROM base
            WHERE record_id <> first_record GROUP BY person_key
        )
        SELECT b.*, u.forename_canonical = b.forename_canonical AS same_forename,
               u.surname_key = b.surname_key AS same_surname, u.dob = b.dob AS same_dob,
               u.postcode = b.postcode AS same_postcode, s.second_record
        FROM base b JOIN usual u USING (person_key) LEFT JOIN second s USING (person_key)
        """,
    )
    out = []
    for r in rows:
        reasons = []
        for col, _valid, label in _SHARED_IDS:
            if r[f"shared_{col}"]:
                reasons.append(f"Shares a valid {label} with {r[f'shared_{col}']} other record(s)")
        if r["shared_system"] and r["source_id_kind"] != "la_child_id":
            reasons.append(
                f"Shares the partner system's id ({r['source_id_kind']}) with "
                f"{r['shared_system']} other record(s)"
            )
        agree = [
            label
            for key, label in (
                ("same_forename", "forename"),
                ("same_surname", "surname"),
                ("same_dob", "date of birth"),
                ("same_postcode", "postcode"),
            )  # fmt: skip
            if r[key]
        ]
        if agree:
            reasons.append("Agrees with this person's usual " + ", ".join(agree))
        if not any(r[f"shared_{c}"] for c, _, _ in _SHARED_IDS) and not r["shared_system"]:
            reasons.append(
                "No shared identifier: joined by the linkage model's score on name, "
                "date of birth and address"
            )
        if r["n_records"] == 1:
            reasons = ["The only record of this person"]
        anchor = r["first_record"] if r["record_id"] != r["first_record"] else r["second_record"]
        out.append(
            {
                "record_id": r["record_id"],
                "person_key": r["person_key"],
                "feed": r["feed"],
                "file_name": r["file_name"],
                "row_number": r["row_number"],
                "anchor_record_id": anchor or "",
                "reasons": reasons,
            }
        )
    return out


def events_iter(con: duckdb.DuckDBPyConnection) -> Iterator[dict[str, Any]]:
    """One event per fact row of every feed, with a factual summary and lineage."""
    extract_dates = dict(
        con.execute(
            "SELECT batch_id, max(observed_date) FROM person_records GROUP BY batch_id"
        ).fetchall()
    )
    for definition in definitions_load().values():
        table = definition.target
        cursor = con.execute(
            f"SELECT m.person_key, t.* FROM {table} t JOIN person_key_members m USING (record_id)"
        )
        columns = [d[0] for d in cursor.description]
        while batch := cursor.fetchmany(5000):
            for values in batch:
                row = dict(zip(columns, values, strict=True))
                when, kind, summary, detail, restricted = event_summary(table, row)
                yield {
                    "person_key": row["person_key"],
                    "date": when,
                    "feed": definition.feed,
                    "kind": kind,
                    "summary": summary[:300],
                    "detail": detail,
                    "restricted_text": restricted,
                    "sensitivity": definition.sensitivity,
                    "file_name": row["file_name"],
                    "extract_date": extract_dates.get(row["batch_id"]),
                    "file_hash": row["file_hash"],
                    "record_id": row["record_id"],
                }


#: Advisory risk scores are published as events of this pseudo-feed, restricted to cleared roles.
RISK_FEED = "risk_scores"


def risk_score_events(con: duckdb.DuckDBPyConnection) -> Iterator[dict[str, Any]]:
    """The latest scores of every published risk model, as advisory events.

    Only models currently published (not withdrawn) are shown, and only their latest score
    run; each event says it is advisory, names the model version and the factors behind
    the score, and carries the score id so a reviewer can record a decision on it.
    """
    if not all(
        table_exists(con, t) for t in ("risk_scores", "risk_score_runs", "risk_publications")
    ):
        return
    cursor = con.execute(
        """WITH published AS (
               SELECT DISTINCT model, version FROM risk_publications WHERE withdrawn_at IS NULL
           ), latest AS (
               SELECT r.score_run_id FROM risk_score_runs r JOIN published USING (model, version)
               QUALIFY row_number() OVER (PARTITION BY r.model ORDER BY r.scored_at DESC) = 1
           )
           SELECT s.score_id, s.model, s.version, s.person_key, s.as_of, s.score, s.flagged,
                  s.features
           FROM risk_scores s JOIN latest USING (score_run_id)
           ORDER BY s.person_key, s.model"""
    )
    scored = cursor.fetchall()
    reviews = _latest_reviews(con)
    for score_id, model, version, person_key, as_of, score, flagged, features in scored:
        factors = ", ".join(features or []) or "none of the model's factors"
        summary = (
            f"advisory score {score:.2f} from {model} v{version}"
            + (" (flagged for a practitioner's review)" if flagged else "")
            + f"; factors: {factors}. Not a decision: a practitioner reviews every score."
        )
        yield {
            "person_key": person_key,
            "date": as_of,
            "feed": RISK_FEED,
            "kind": "Advisory risk score",
            "summary": summary[:300],
            "detail": {
                "model": model,
                "version": version,
                "score": round(float(score), 4),
                "flagged": bool(flagged),
                "factors": list(features or []),
                "score_id": score_id,
                "review": reviews.get(score_id),
            },  # fmt: skip
            "restricted_text": "",
            "sensitivity": "risk_score",
            "file_name": f"risk model {model} version {version}",
            "extract_date": as_of,
            "file_hash": "",
            "record_id": score_id,
        }


def _latest_reviews(con: duckdb.DuckDBPyConnection) -> dict[str, dict[str, str]]:
    """Each reviewed score's latest review: decision, reviewer and when (not the reason,
    which stays in the risk registry)."""
    if not table_exists(con, "risk_reviews"):
        return {}
    rows = con.execute(
        """SELECT score_id, decision, reviewer, reviewed_at FROM risk_reviews
           QUALIFY row_number() OVER (PARTITION BY score_id ORDER BY reviewed_at DESC) = 1"""
    ).fetchall()
    return {
        score_id: {"decision": decision, "reviewer": reviewer, "at": at.date().isoformat()}
        for score_id, decision, reviewer, at in rows
    }


def link_weights(
    con: duckdb.DuckDBPyConnection, links: list[dict[str, Any]], model_path: Path | None
) -> None:
    """Add to each record link the saved linkage model's per-comparison weights and final
    probability against its anchor record (as ``kinlink linkage explain`` shows them);
    nothing when the model file is not there."""
    if model_path is None or not model_path.is_file():
        return
    from kinlink.linkage.explain import explain_pairs
    from kinlink.linkage.training import model_load, splink_settings

    pairs = [(r["record_id"], r["anchor_record_id"]) for r in links if r["anchor_record_id"]]
    scored = explain_pairs(con, pairs, splink_settings(model_load(model_path)))
    for link in links:
        found = scored.get((link["record_id"], link["anchor_record_id"]))
        if found is not None:
            link["weights"] = {
                "comparisons": [[n, lv, round(w, 3)] for n, lv, w in found.comparisons],
                "match_weight": round(found.match_weight, 3),
                "match_probability": found.match_probability,
            }


def snapshot_read(con: duckdb.DuckDBPyConnection, *, model_path: Path | None = None) -> Snapshot:
    """Everything but the events (which stream), read from the warehouse (with the link
    weights when the saved linkage model is at ``model_path``)."""
    runs = runs_read(con)
    snap = Snapshot(runs=runs)
    snap.people = _people(con, runs.assessment_run_id, runs.as_of)
    snap.families, snap.members, snap.needs = _families(con, runs.assessment_run_id)
    snap.schools, snap.enrolments = _schools(con)
    snap.record_links = _record_links(con)
    link_weights(con, snap.record_links, model_path)
    snap.challenges = challenges_read(con)
    return snap
