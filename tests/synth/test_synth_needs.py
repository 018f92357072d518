"""Needs in the truth are exactly what the events in the feeds show."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict

from .conftest import City

LAST_THREE_TERMS = (
    "attendance_2025_26_AUT.csv",
    "attendance_2025_26_SPR.csv",
    "attendance_2025_26_SUM.csv",
)


def _derived(city: City, need: str) -> set[str]:
    return {
        r["person_id"]
        for r in city.truth("needs.csv")
        if r["need"] == need and r["derived"] == "true"
    }


def _rows_once(city: City, names: tuple[str, ...] | None = None, feed: str | None = None):
    """(file, row number, row) for data rows, skipping blank rows and duplicate copies."""
    paths = [city.out / "feeds" / n for n in names] if names else city.feed_files(feed)
    for path in paths:
        previous = None
        for number, row in enumerate(city.rows(path), start=1):
            values = tuple(row.values())
            if any(values) and values != previous:
                yield path.name, number, row
            previous = values


def test_share_of_families_with_three_or_more_needs_is_5_to_10_percent(city20k: City) -> None:
    families = city20k.truth("families.csv")
    with_children = [f for f in families if int(f["dependent_children"]) > 0]
    eligible = [f for f in with_children if int(f["n_needs"]) >= 3]
    assert 0.05 <= len(eligible) / len(with_children) <= 0.10
    assert city20k.summary.families_eligible_3_needs == len(eligible)
    counts = Counter(min(int(f["n_needs"]), 3) for f in with_children)
    assert counts[0] > counts[1] > counts[2] > 0  # most families have no need or one


def test_attendance_need_holds_exactly_for_pupils_below_90_percent_in_the_last_three_terms(
    city20k: City,
) -> None:
    slots = city20k.slots()
    totals: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for file, number, row in _rows_once(city20k, LAST_THREE_TERMS):
        pid = slots[(file, number)][""]
        totals[pid][0] += int(row["sessions_possible"])
        totals[pid][1] += int(row["sessions_authorised"]) + int(row["sessions_unauthorised"])
    below = {
        pid for pid, (possible, absent) in totals.items() if possible and absent * 10 >= possible
    }
    assert below == _derived(city20k, "EDU_ATTENDANCE")
    assert 0.12 < len(below) / len(totals) < 0.28  # persistent absence, about national levels


def test_exclusion_need_holds_exactly_for_three_suspensions_or_a_permanent_exclusion(
    city20k: City,
) -> None:
    slots = city20k.slots()
    since = dt.date(2025, 9, 3)
    suspensions: Counter[str] = Counter()
    permanent: set[str] = set()
    for file, number, row in _rows_once(city20k, feed="exclusions"):
        day = dt.datetime.strptime(row["start_date"], "%d/%m/%Y").date()
        if day < since:
            continue
        pid = slots[(file, number)][""]
        if row["category"] == "PERM":
            permanent.add(pid)
        elif row["category"] in ("SUSP", "FIXD"):
            suspensions[pid] += 1
    expected = permanent | {pid for pid, n in suspensions.items() if n >= 3}
    assert expected == _derived(city20k, "EDU_EXCLUSION")
    assert expected


def test_families_file_agrees_with_needs_file(city20k: City) -> None:
    derived: dict[str, set[str]] = defaultdict(set)
    for r in city20k.truth("needs.csv"):
        if r["derived"] == "true":
            derived[r["family_id"]].add(r["need"])
        assert r["planned"] == "true" or r["derived"] == "true"
        assert r["first_date"] <= r["last_date"]
    for f in city20k.truth("families.csv"):
        needs = set(filter(None, f["derived_needs"].split(";")))
        assert needs == derived.get(f["family_id"], set())
        assert int(f["n_needs"]) == len(needs)
        assert (f["eligible_3_needs"] == "true") == (
            int(f["dependent_children"]) > 0 and len(needs) >= 3
        )


def test_most_planned_needs_show_in_the_events(city20k: City) -> None:
    rows = city20k.truth("needs.csv")
    planned = [r for r in rows if r["planned"] == "true"]
    live = [r for r in planned if r["planned_to"] == "2026-08-31"]  # still live at the end
    assert len(live) > 300
    assert sum(r["derived"] == "true" for r in live) / len(live) > 0.6
    resolved = [r for r in planned if r["planned_to"] < "2025-08-01"]  # over before the look-back
    assert sum(r["derived"] == "true" for r in resolved) / len(resolved) < 0.4


def test_exploitation_rows_are_for_children_known_to_social_care(city20k: City) -> None:
    known = {
        row["la_child_id"]
        for path in city20k.feed_files("social_care")
        for row in city20k.rows(path)
    }
    assessed = [
        row["la_child_id"]
        for path in city20k.feed_files("exploitation")
        for row in city20k.rows(path)
    ]
    assert assessed
    assert set(filter(None, assessed)) <= known


def test_young_adult_domestic_abuse_depends_on_childhood_risk_factors(city20k: City) -> None:
    end = dt.date(2026, 8, 31)
    factors = [
        "rf_witnessed_da",
        "rf_family_substance",
        "rf_neet",
        "rf_social_care",
        "rf_persistent_absence",
        "rf_non_dv_arrest",
    ]
    groups: dict[bool, list[bool]] = {True: [], False: []}
    for p in city20k.truth("people.csv"):
        if 18 <= (end - dt.date.fromisoformat(p["dob"])).days // 365 <= 22:
            exposed = any(p[f] == "true" for f in factors)
            groups[exposed].append(p["dv_perpetrator_label"] == "true")
    rate = {k: sum(v) / len(v) for k, v in groups.items()}
    assert rate[True] > 1.5 * rate[False] > 0
    labels = [p for p in city20k.truth("people.csv") if p["dv_perpetrator_label"] == "true"]
    assert all(p["dv_label_date"] for p in labels)


def test_domestic_abuse_model_rises_with_every_factor() -> None:
    from kinlink.synth.risk import FACTORS, dv_probability

    none = dict.fromkeys(FACTORS, False)
    base = dv_probability(none, male=False, noise=0.0)
    assert dv_probability(none, male=True, noise=0.0) > base
    for factor in FACTORS:
        assert dv_probability({**none, factor: True}, male=False, noise=0.0) > base
