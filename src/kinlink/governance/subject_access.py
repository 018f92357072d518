"""Subject access: everything Kinlink holds about one person, as JSON and as a PDF.

For one person key: every source record with its lineage and identity as the partner
sent it, every fact row about that person, how the records were linked (key events,
reviewers' decisions, and the match explanation of each record against the person's
anchor record when the model is available), family membership (their own role; other
members are counted, not named), needs with their evidence, and any advisory scores.

Third parties are redacted. A shared source row (a domestic abuse incident, a housing
household listing) appears through this person's own slot only: the bundle says how many
other people the row names and never who they are. Who viewed the records comes from the
portal's audit log when the caller passes its rows (``kinlink sar --portal-audit``): who,
their role, when, what they did and under which purpose; otherwise the bundle says where
to find them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import duckdb

from kinlink.core.clock import utc_now
from kinlink.core.errors import KinlinkError
from kinlink.sources.models import FeedDefinition
from kinlink.warehouse.schema import PERSON_RECORD_TABLE
from kinlink.warehouse.store import table_exists, warehouse_connect

MAX_EXPLAINED = 50


class UnknownPerson(KinlinkError):
    """No record carries this person key."""


@dataclass(frozen=True)
class SubjectAccessFiles:
    """Where the bundle was written."""

    json_path: Path
    pdf_path: Path
    records: int
    facts: int


def _rows(con: duckdb.DuckDBPyConnection, sql: str, params: list[Any]) -> list[dict[str, Any]]:
    cursor = con.execute(sql, params)
    columns = [d[0] for d in cursor.description or []]
    return [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]


def subject_access_bundle(
    warehouse: Path,
    person_key: str,
    definitions: dict[str, FeedDefinition],
    *,
    model_path: Path | None = None,
    views: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """Everything held about ``person_key``, third parties redacted (see module doc).

    ``views``: the portal's audit rows about the person (``portal.audit.subject_views``);
    None when the portal's log was not read.
    """
    con = warehouse_connect(warehouse, read_only=True)
    try:
        records = _rows(
            con,
            f"""SELECT r.* EXCLUDE (forename_key, forename_canonical, middle_names_key,
                       surname_key, preferred_forename_key, preferred_surname_key,
                       address_tokens, row_hash)
                FROM person_key_members m JOIN {PERSON_RECORD_TABLE} r USING (record_id)
                WHERE m.person_key = ? ORDER BY r.observed_date, r.record_id""",
            [person_key],
        )
        if not records:
            raise UnknownPerson(f"no record carries the person key {person_key!r}")
        ids = [r["record_id"] for r in records]
        facts: list[dict[str, Any]] = []
        for definition in sorted(definitions.values(), key=lambda d: d.feed):
            if not table_exists(con, definition.target):
                continue
            for row in _rows(
                con,
                f"""SELECT t.*, (SELECT count(*) FROM {PERSON_RECORD_TABLE} o
                                 WHERE o.batch_id = t.batch_id AND o.row_number = t.row_number
                                   AND o.record_id <> t.record_id) AS other_people_named
                    FROM {definition.target} t
                    WHERE t.feed = ? AND list_contains(?, t.record_id)""",
                [definition.feed, ids],
            ):
                row.pop("row_hash", None)
                facts.append({"table": definition.target, **row})
        bundle: dict[str, Any] = {
            "person_key": person_key,
            "generated_at": utc_now().isoformat(timespec="seconds"),
            "records": records,
            "facts": facts,
            "linkage": _linkage(con, person_key, ids),
            "families": _families(con, person_key),
            "needs": _needs(con, person_key),
            "scores": _scores(con, person_key),
            "views": views
            if views is not None
            else "Views of this person's records are in the portal's audit log: "
            "'who viewed this child' report (portal audit), keyed by this person key; "
            "'kinlink sar --portal-audit' includes them here.",
        }
    finally:
        con.close()
    bundle["linkage"]["explanations"] = _explanations(warehouse, ids, model_path)
    return bundle


def _linkage(con: duckdb.DuckDBPyConnection, person_key: str, ids: list[str]) -> dict[str, Any]:
    out: dict[str, Any] = {"key_events": [], "review_decisions": []}
    if table_exists(con, "person_key_events"):
        out["key_events"] = _rows(
            con,
            "SELECT run_id, kind, person_key, related_keys, records, reason, created_at "
            "FROM person_key_events WHERE person_key = ? OR list_contains(related_keys, ?) "
            "ORDER BY created_at",
            [person_key, person_key],
        )
    if table_exists(con, "linkage_review_decisions"):
        out["review_decisions"] = [
            row
            for row in _rows(con, "SELECT * FROM linkage_review_decisions", [])
            if any(v in ids for v in row.values() if isinstance(v, str))
        ]
    return out


def _families(con: duckdb.DuckDBPyConnection, person_key: str) -> list[dict[str, Any]]:
    if not table_exists(con, "family_key_members"):
        return []
    return _rows(
        con,
        """SELECT m.family_key, m.role, m.valid_from, m.valid_to, m.basis,
                  (SELECT count(*) - 1 FROM family_key_members o
                   WHERE o.family_key = m.family_key AND o.basis = m.basis) AS other_members
           FROM family_key_members m WHERE m.person_key = ?
           ORDER BY m.valid_from""",
        [person_key],
    )


def _needs(con: duckdb.DuckDBPyConnection, person_key: str) -> list[dict[str, Any]]:
    if not table_exists(con, "outcome_need_evidence"):
        return []
    return _rows(
        con,
        """SELECT e.run_id, r.as_of, e.stage, e.need, e.event_date, e.feed, e.file_name,
                  e.row_number, e.record_id
           FROM outcome_need_evidence e JOIN outcome_runs r USING (run_id)
           WHERE e.person_key = ? ORDER BY r.as_of, e.stage, e.need""",
        [person_key],
    )


def _scores(con: duckdb.DuckDBPyConnection, person_key: str) -> list[dict[str, Any]]:
    """Rows of any advisory score table that name the person."""
    tables = [
        r[0]
        for r in con.execute(
            "SELECT DISTINCT table_name FROM information_schema.columns "
            "WHERE column_name = 'person_key' AND table_name LIKE 'risk_%'"
        ).fetchall()
    ]
    out: list[dict[str, Any]] = []
    for table in sorted(tables):
        for row in _rows(con, f"SELECT * FROM {table} WHERE person_key = ?", [person_key]):
            out.append({"table": table, **row})
    # Evidence and practitioners' reviews are keyed by score, not by person.
    if "risk_scores" in tables:
        for table in ("risk_score_evidence", "risk_reviews"):
            if table_exists(con, table):
                for row in _rows(
                    con,
                    f"SELECT t.* FROM {table} t JOIN risk_scores s USING (score_id) "
                    "WHERE s.person_key = ? ORDER BY t.score_id",
                    [person_key],
                ):
                    out.append({"table": table, **row})
    return out


def _explanations(
    warehouse: Path, ids: list[str], model_path: Path | None
) -> list[dict[str, Any]] | str:
    """Each record against the first, under the saved model (or why not)."""
    from kinlink.linkage import LinkageConfig
    from kinlink.linkage.services import explain

    path = model_path or LinkageConfig().model_path
    if not path.is_file():
        return "no saved linkage model: explanations not available"
    out = []
    anchor = ids[0]
    for other in ids[1 : MAX_EXPLAINED + 1]:
        result = explain(warehouse, anchor, other, path)
        out.append(
            {
                "record_a": anchor,
                "record_b": other,
                "match_probability": round(result.match_probability, 6),
                "match_weight": round(result.match_weight, 3),
                "shared_identifiers": result.shared_identifiers,
                "comparisons": [
                    {"comparison": c.name, "level": c.level, "weight": round(c.weight, 3)}
                    for c in result.comparisons
                ],
            }
        )
    return out


def _json_default(value: object) -> str:
    if isinstance(value, date | datetime):
        return value.isoformat()
    return str(value)


def _pdf(bundle: dict[str, Any], path: Path) -> None:
    """A readable PDF of the bundle: one section per part, one line per row."""
    from fpdf import FPDF

    pdf = FPDF(format="A4")
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 15)
    pdf.multi_cell(
        0,
        8,
        new_x="LMARGIN",
        new_y="NEXT",
        text=f"Subject access: person key {bundle['person_key']}",
    )
    pdf.set_font("Helvetica", size=9)
    pdf.multi_cell(
        0, 5, new_x="LMARGIN", new_y="NEXT", text=f"Generated {bundle['generated_at']} by Kinlink."
    )

    def section(title: str, rows: list[dict[str, Any]] | str) -> None:
        pdf.ln(3)
        pdf.set_font("Helvetica", "B", 12)
        pdf.multi_cell(0, 7, new_x="LMARGIN", new_y="NEXT", text=title)
        pdf.set_font("Helvetica", size=8)
        if isinstance(rows, str):
            pdf.multi_cell(0, 4.5, new_x="LMARGIN", new_y="NEXT", text=rows)
            return
        if not rows:
            pdf.multi_cell(0, 4.5, new_x="LMARGIN", new_y="NEXT", text="None.")
        for row in rows:
            text = "; ".join(
                f"{k}: {_json_default(v)}" for k, v in row.items() if v not in (None, "", [])
            )
            pdf.multi_cell(
                0,
                4.5,
                new_x="LMARGIN",
                new_y="NEXT",
                text=text.encode("latin-1", "replace").decode("latin-1"),
            )
            pdf.ln(1)

    section("Source records (as each partner sent them)", bundle["records"])
    section("Facts about this person (shared rows: other people counted, not named)",
            bundle["facts"])  # fmt: skip
    section("How the records were linked: key events", bundle["linkage"]["key_events"])
    section("Reviewers' decisions", bundle["linkage"]["review_decisions"])
    section("Match explanations", bundle["linkage"]["explanations"])
    section("Family membership (own role only)", bundle["families"])
    section("Needs and their evidence", bundle["needs"])
    section("Advisory scores", bundle["scores"])
    section("Who viewed these records (portal audit log)", bundle["views"])
    pdf.output(str(path))


def subject_access_write(
    warehouse: Path,
    person_key: str,
    definitions: dict[str, FeedDefinition],
    out: Path,
    *,
    model_path: Path | None = None,
    views: list[dict[str, Any]] | None = None,
) -> SubjectAccessFiles:
    """Write ``sar-KEY.json`` and ``sar-KEY.pdf`` into ``out`` (with the portal's audit
    rows about the person when ``views`` is given)."""
    bundle = subject_access_bundle(
        warehouse, person_key, definitions, model_path=model_path, views=views
    )
    out.mkdir(parents=True, exist_ok=True)
    json_path = out / f"sar-{person_key}.json"
    json_path.write_text(json.dumps(bundle, indent=2, default=_json_default), encoding="utf-8")
    pdf_path = json_path.with_suffix(".pdf")
    _pdf(bundle, pdf_path)
    return SubjectAccessFiles(json_path, pdf_path, len(bundle["records"]), len(bundle["facts"]))
