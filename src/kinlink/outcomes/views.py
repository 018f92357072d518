"""Reading assessments back: runs, what changed between two runs, one family, evidence packs.

Everything here reads the stored run tables only, so it shows exactly what a run decided
(and can show a past run as it was). People are named by person key, never by name.
"""

from __future__ import annotations

import html
import json
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import duckdb

from kinlink.core.errors import KinlinkError
from kinlink.outcomes.tables import (
    CLAIMS,
    EPISODES,
    EVIDENCE,
    FAMILIES,
    FAMILY_NEEDS,
    PROGRESS,
    RUNS,
)
from kinlink.warehouse.store import table_exists


class UnknownRun(KinlinkError):
    """No such assessment run (or none yet)."""


class UnknownFamily(KinlinkError):
    """The run did not assess this family key."""


@dataclass(frozen=True)
class RunInfo:
    """One stored assessment run."""

    run_id: str
    as_of: date
    framework: str
    framework_fingerprint: str
    input_fingerprint: str
    families: int
    eligible: int
    claims: int


def runs_list(con: duckdb.DuckDBPyConnection) -> list[RunInfo]:
    """Every stored run, newest first."""
    if not table_exists(con, RUNS):
        return []
    rows = con.execute(
        f"""SELECT r.run_id, r.as_of, r.framework || '@' || r.framework_version,
                   r.framework_fingerprint, r.input_fingerprint,
                   (SELECT count(*) FROM {FAMILIES} f WHERE f.run_id = r.run_id),
                   (SELECT count(*) FROM {FAMILIES} f WHERE f.run_id = r.run_id AND f.eligible),
                   (SELECT count(*) FROM {CLAIMS} c WHERE c.run_id = r.run_id)
            FROM {RUNS} r ORDER BY r.started_at DESC"""
    ).fetchall()
    return [RunInfo(*row) for row in rows]


def run_resolve(con: duckdb.DuckDBPyConnection, run_id: str | None, *, offset: int = 0) -> str:
    """The given run, or the latest (``offset`` 1: the one before it)."""
    runs = runs_list(con)
    if not runs:
        raise UnknownRun("no assessment yet: run 'kinlink outcomes assess' first")
    if run_id is None:
        if offset >= len(runs):
            raise UnknownRun("there is no earlier assessment run to compare with")
        return runs[offset].run_id
    if run_id not in {r.run_id for r in runs}:
        raise UnknownRun(f"no assessment run {run_id!r} (see 'kinlink outcomes runs')")
    return run_id


@dataclass
class RunComparison:
    """What changed between two runs, family by family."""

    from_run: str
    to_run: str
    newly_eligible: list[str] = field(default_factory=list)
    no_longer_eligible: list[str] = field(default_factory=list)
    needs_added: dict[str, list[str]] = field(default_factory=dict)
    needs_removed: dict[str, list[str]] = field(default_factory=dict)
    new_claims: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        """JSON-ready."""
        return asdict(self)


def runs_compare(con: duckdb.DuckDBPyConnection, from_run: str, to_run: str) -> RunComparison:
    """Families newly eligible (or no longer), needs gained and lost, new claim candidates."""
    out = RunComparison(from_run, to_run)
    rows = con.execute(
        f"""SELECT coalesce(b.family_key, a.family_key), coalesce(a.eligible, FALSE),
                   coalesce(b.eligible, FALSE)
            FROM (SELECT * FROM {FAMILIES} WHERE run_id = ?) a
            FULL JOIN (SELECT * FROM {FAMILIES} WHERE run_id = ?) b USING (family_key)
            WHERE coalesce(a.eligible, FALSE) <> coalesce(b.eligible, FALSE)
            ORDER BY 1""",
        [from_run, to_run],
    ).fetchall()
    for family, before, _after in rows:
        (out.no_longer_eligible if before else out.newly_eligible).append(family)
    for target, (first, second) in (
        (out.needs_added, (to_run, from_run)),
        (out.needs_removed, (from_run, to_run)),
    ):
        for family, needs in con.execute(
            f"""SELECT family_key, list(need ORDER BY need) FROM (
                    SELECT family_key, need FROM {FAMILY_NEEDS} WHERE run_id = ?
                    EXCEPT SELECT family_key, need FROM {FAMILY_NEEDS} WHERE run_id = ?)
                GROUP BY family_key ORDER BY family_key""",
            [first, second],
        ).fetchall():
            target[family] = list(needs)
    out.new_claims = [
        r[0]
        for r in con.execute(
            f"""SELECT family_key FROM {CLAIMS} WHERE run_id = ?
                EXCEPT SELECT family_key FROM {CLAIMS} WHERE run_id = ? ORDER BY 1""",
            [to_run, from_run],
        ).fetchall()
    ]
    return out


def _records(cursor: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    columns = [d[0] for d in cursor.description or []]
    return [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]


def family_assessment(
    con: duckdb.DuckDBPyConnection, run_id: str, family_key: str
) -> dict[str, Any]:
    """One family in one run: eligibility, needs with evidence, episode and progress."""
    found = _records(
        con.execute(
            f"SELECT * FROM {FAMILIES} WHERE run_id = ? AND family_key = ?", [run_id, family_key]
        )  # fmt: skip
    )
    if not found:
        raise UnknownFamily(f"run {run_id} has no family {family_key!r}")
    run = _records(con.execute(f"SELECT * FROM {RUNS} WHERE run_id = ?", [run_id]))[0]
    params = [run_id, family_key]
    return {
        "run": {k: run[k] for k in ("run_id", "as_of", "framework", "framework_version",
                                    "framework_fingerprint", "input_fingerprint")},
        "family": found[0],
        "needs": _records(con.execute(
            f"SELECT * EXCLUDE (run_id) FROM {FAMILY_NEEDS} WHERE run_id = ? AND family_key = ? "
            "ORDER BY headline, need", params)),
        "evidence": _records(con.execute(
            f"SELECT * EXCLUDE (run_id) FROM {EVIDENCE} WHERE run_id = ? AND family_key = ? "
            "ORDER BY stage, need, event_date, record_id", params)),
        "episode": next(iter(_records(con.execute(
            f"SELECT * EXCLUDE (run_id) FROM {EPISODES} WHERE run_id = ? AND family_key = ?",
            params))), None),
        "progress": _records(con.execute(
            f"SELECT * EXCLUDE (run_id) FROM {PROGRESS} WHERE run_id = ? AND family_key = ? "
            "ORDER BY headline, need", params)),
        "claim": next(iter(_records(con.execute(
            f"SELECT * EXCLUDE (run_id) FROM {CLAIMS} WHERE run_id = ? AND family_key = ?",
            params))), None),
    }  # fmt: skip


def claims_list(con: duckdb.DuckDBPyConnection, run_id: str) -> list[dict[str, Any]]:
    """The run's claim candidates."""
    return _records(
        con.execute(
            f"SELECT * EXCLUDE (run_id) FROM {CLAIMS} WHERE run_id = ? ORDER BY family_key",
            [run_id],
        )
    )


def _json_default(value: object) -> str:
    return value.isoformat() if isinstance(value, date) else str(value)


def _pack_html(pack: dict[str, Any]) -> str:
    """A human-readable evidence pack: what an auditor checks, in the order they check it."""
    e = html.escape
    family, run, claim, episode = pack["family"], pack["run"], pack["claim"], pack["episode"]
    parts = [
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>",
        f"<title>Evidence pack {e(family['family_key'])}</title>",
        "<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}"
        "td,th{border:1px solid #999;padding:4px 8px;text-align:left}</style></head><body>",
        f"<h1>Evidence pack: family {e(family['family_key'])}</h1>",
        f"<p>Assessment run {e(run['run_id'])} as of {e(str(run['as_of']))}; framework "
        f"{e(run['framework'])} {e(run['framework_version'])} (fingerprint "
        f"{e(run['framework_fingerprint'])}); input fingerprint {e(run['input_fingerprint'])}.</p>",
        "<h2>Claim</h2>",
    ]
    if claim:
        parts.append(
            f"<p>Claim candidate: episode {e(claim['episode_id'])}, "
            f"{e(str(claim['episode_start']))} to {e(str(claim['episode_end']))}, lead "
            f"practitioner {e(str(claim['lead_practitioner']))}, closed "
            f"{e(str(claim['end_reason']))}; sustained to {e(str(claim['sustain_until']))}.</p>"
        )
    else:
        parts.append("<p><strong>Not a claim candidate in this run.</strong></p>")
    if episode:
        parts.append(
            f"<p>Needs identified at the start of the episode: "
            f"{e(', '.join(episode['needs_identified']) or 'none')}.</p>"
        )
    parts.append("<h2>Progress against each identified need</h2><table><tr><th>headline outcome"
                 "</th><th>need</th><th>status</th><th>measured on</th></tr>")  # fmt: skip
    for p in pack["progress"]:
        parts.append(
            f"<tr><td>{e(p['headline'])}</td><td>{e(p['need'])}</td><td>{e(p['status'])}</td>"
            f"<td>{e(str(p['measured_on'] or ''))}</td></tr>"
        )
    parts.append(
        "</table><h2>Evidence rows</h2><table><tr><th>stage</th><th>need</th>"
        "<th>person key</th><th>date</th><th>feed</th><th>file</th><th>row</th></tr>"
    )
    for row in pack["evidence"]:
        parts.append(
            f"<tr><td>{e(row['stage'])}</td><td>{e(row['need'])}</td>"
            f"<td>{e(row['person_key'])}</td><td>{e(str(row['event_date'] or ''))}</td>"
            f"<td>{e(row['feed'])}</td><td>{e(row['file_name'])}</td>"
            f"<td>{row['row_number']}</td></tr>"
        )
    parts.append("</table></body></html>")
    return "\n".join(parts)


def evidence_pack_write(
    con: duckdb.DuckDBPyConnection, run_id: str, family_key: str, out: Path
) -> tuple[Path, Path]:
    """The family's evidence pack as JSON (machine-readable) and HTML (for a person)."""
    pack = family_assessment(con, run_id, family_key)
    out.mkdir(parents=True, exist_ok=True)
    json_path = out / f"evidence-{family_key}-{run_id}.json"
    html_path = json_path.with_suffix(".html")
    json_path.write_text(json.dumps(pack, indent=2, default=_json_default), encoding="utf-8")
    html_path.write_text(_pack_html(pack), encoding="utf-8")
    return json_path, html_path
