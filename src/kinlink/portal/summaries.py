"""Short factual summaries of fact rows, built from coded fields only.

A summary never copies free text: police intelligence's ``summary`` goes to a separate
restricted field that only cleared roles see. Pure functions; no Django, no database.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

Summary = tuple[date | None, str, str, dict[str, Any], str]

#: Structured columns worth keeping per table (coded values only).
_DETAIL: dict[str, tuple[str, ...]] = {
    "school_census": ("school_urn", "school_name", "ncyear", "entry_date", "leaving_date",
                      "fsm_eligible", "sen_provision", "sen_primary_need"),
    "attendance_term": ("school_urn", "academic_year", "term", "sessions_possible",
                        "sessions_authorised", "sessions_unauthorised"),
    "exclusion": ("school_urn", "academic_year", "category", "sessions", "reason_1",
                  "reason_2", "reason_3"),
    "early_help_episode": ("episode_id", "episode_start", "episode_end", "episode_reason",
                           "end_reason", "lead_practitioner", "team", "family_role"),
    "social_care_episode": ("episode_type", "start_date", "end_date", "cp_category",
                            "referral_source", "assessment_factors", "closure_reason"),
    "youth_offence": ("offence_category", "outcome", "gravity_score"),
    "police_arrest": ("offence", "domestic_abuse", "outcome"),
    "police_intelligence": ("category", "grading"),
    "domestic_abuse_incident": ("dash_risk", "role"),
    "health_flag": ("flag",),
    "exploitation_assessment": ("system_code", "start_date", "completed_date", "category",
                                "risk_level", "referral_reason"),
    "neet_status": ("status",),
    "housing_flag": ("flag",),
}  # fmt: skip


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def _d(value: Any) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    return value if isinstance(value, date) else None


def _pct(part: int | None, whole: int | None) -> str:
    if not whole:
        return "n/a"
    return f"{100.0 * (part or 0) / whole:.1f}%"


def _summarise(table: str, r: dict[str, Any]) -> tuple[date | None, str, str]:  # noqa: C901
    if table == "school_census":
        return (
            _d(r["census_date"]),
            "Census",
            f"On roll at {r['school_name']} (URN {r['school_urn']}), year {r['ncyear']}; "
            f"SEN provision {r['sen_provision'] or 'N'}",
        )
    if table == "attendance_term":
        absent = (r["sessions_authorised"] or 0) + (r["sessions_unauthorised"] or 0)
        return (
            _d(r["as_of_date"]),
            "Attendance",
            f"{r['academic_year']} {r['term']}: absence {_pct(absent, r['sessions_possible'])} "
            f"of {r['sessions_possible']} sessions "
            f"(unauthorised {_pct(r['sessions_unauthorised'], r['sessions_possible'])})",
        )
    if table == "exclusion":
        reasons = ", ".join(x for x in (r["reason_1"], r["reason_2"], r["reason_3"]) if x)
        return (
            _d(r["start_date"]),
            "Exclusion",
            f"{r['category']} for {r['sessions']} session(s); reason {reasons or 'not given'}",
        )
    if table == "early_help_episode":
        state = (
            f"closed {r['episode_end']:%d/%m/%Y} ({r['end_reason']})"
            if r["episode_end"]
            else "open"
        )
        return (
            _d(r["episode_start"]),
            "Early help episode",
            f"Episode {r['episode_id']} ({r['episode_reason']}), {state}; "
            f"lead practitioner {r['lead_practitioner']}, {r['team']}",
        )
    if table == "social_care_episode":
        state = f"ended {r['end_date']:%d/%m/%Y}" if r["end_date"] else "open"
        cat = f", category {r['cp_category']}" if r["cp_category"] else ""
        return (
            _d(r["start_date"]),
            f"Social care {r['episode_type']}",
            f"{r['episode_type']} episode{cat}, {state}",
        )
    if table == "youth_offence":
        return (
            _d(r["offence_date"]),
            "Youth offence",
            f"{r['offence_category']}; outcome {r['outcome']}; gravity {r['gravity_score']}",
        )
    if table == "police_arrest":
        da = " (domestic abuse)" if r["domestic_abuse"] else ""
        return (
            _d(r["arrest_date"]),
            "Arrest",
            f"Arrested: {r['offence']}{da}; outcome {r['outcome']}",
        )
    if table == "police_intelligence":
        return (
            _d(r["date_recorded"]),
            "Police intelligence",
            f"Intelligence recorded: {r['category']} (grading {r['grading']})",
        )
    if table == "domestic_abuse_incident":
        return (
            _d(r["incident_date"]),
            "Domestic abuse incident",
            f"Incident {r['incident_ref']}, recorded as {r['role']}; DASH risk {r['dash_risk']}",
        )
    if table == "health_flag":
        return (_d(r["flag_date"]), "Health", f"Health flag: {r['flag']}")
    if table == "exploitation_assessment":
        state = f"completed {r['completed_date']:%d/%m/%Y}" if r["completed_date"] else "open"
        return (
            _d(r["start_date"]),
            "Exploitation assessment",
            f"{r['category']} exploitation, risk {r['risk_level']}, {state}; "
            f"referral: {r['referral_reason']}",
        )
    if table == "neet_status":
        return (_d(r["status_date"]), "Post-16 status", f"Status {r['status']}")
    if table == "housing_flag":
        return (_d(r["flag_date"]), "Housing", f"Household flag: {r['flag']}")
    return (None, table, "Record")


def event_summary(table: str, row: dict[str, Any]) -> Summary:
    """``(date, kind, summary, detail, restricted_text)`` for one fact row of ``table``.

    >>> event_summary("health_flag", {"flag": "CAMHS_REFERRAL", "flag_date": None})[2]
    'Health flag: CAMHS_REFERRAL'
    """
    when, kind, summary = _summarise(table, row)
    detail = {k: _plain(row.get(k)) for k in _DETAIL.get(table, ()) if row.get(k) is not None}
    restricted = str(row.get("summary") or "") if table == "police_intelligence" else ""
    return when, kind, summary, detail, restricted
