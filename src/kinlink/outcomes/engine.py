"""Evaluating framework rules in SQL, for many subjects at once, each at its own date.

A *subject* is one person measured at one reference date (and, for success measures,
since one closure date). The caller fills three temporary tables:

* ``_oc_person_of(record_id, person_key)``: which person each warehouse record is;
* ``_oc_subjects(subject_id, person_key, ref_date, closure_date)``;
* (this module fills ``_oc_windows`` from the rules' windows and the subjects' dates.)

Each rule gives, per subject, whether it holds (``met``), whether it could be measured
(``measurable``: an absence of events only counts when the feed's data reaches the
reference date; a ratio needs enough terms with figures) and the evidence rows, each a
warehouse ``record_id`` with its date, so every need can be traced to file and row.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import date, timedelta

import duckdb

from kinlink.outcomes.loader import observed_field
from kinlink.outcomes.models import (
    WINDOW_PATTERN,
    AllOf,
    AnyOf,
    Calendar,
    EpisodesRule,
    EventsRule,
    FeedRule,
    LatestRule,
    RatioRule,
    Rule,
)
from kinlink.sources.models import FeedDefinition
from kinlink.warehouse.schema import fact_table_columns

_counter = itertools.count()


def months_before(day: date, months: int) -> date:
    """The same day of the month ``months`` earlier (clamped to the month's length)."""
    year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
    month += 1
    for d in (day.day, 30, 29, 28):
        try:
            return date(year, month, d)
        except ValueError:
            continue
    raise ValueError(day)  # pragma: no cover - every month has a 28th


def term_starts(calendar: Calendar, ref: date, count: int) -> list[date]:
    """The starts of the ``count`` most recent terms that began on or before ``ref``."""
    starts: list[date] = []
    for year in range(ref.year, ref.year - 2 - count // 3, -1):
        for mmdd in (calendar.autumn, calendar.summer, calendar.spring):
            month, day = (int(x) for x in mmdd.split("-"))
            start = date(year, month, day)
            if start <= ref:
                starts.append(start)
    starts.sort(reverse=True)
    return starts[:count]


def window_start(window: str, ref: date, closure: date | None, calendar: Calendar) -> date | None:
    """First day (inclusive) of a window ending on ``ref``; None when it cannot apply."""
    match = WINDOW_PATTERN.match(window)
    if match is None:  # validated on load
        raise ValueError(window)
    if window == "since closure":
        return None if closure is None else closure + timedelta(days=1)
    n, unit = int(match.group(1)), match.group(2)
    if unit.startswith("month"):
        return months_before(ref, n)
    if unit.startswith("day"):
        return ref - timedelta(days=n - 1)
    starts = term_starts(calendar, ref, n)
    return starts[-1] if starts else None


@dataclass(frozen=True)
class RuleResult:
    """Names of the temporary tables holding one rule's result.

    ``outcome``: subject_id, met, measurable, value, first_date, last_date;
    ``evidence``: subject_id, record_id, event_date.
    """

    outcome: str
    evidence: str


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _lit(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


class RuleEngine:
    """Compiles rules to SQL on one connection; results live in temporary tables."""

    def __init__(
        self,
        con: duckdb.DuckDBPyConnection,
        definitions: dict[str, FeedDefinition],
        calendar: Calendar,
    ) -> None:
        self.con = con
        self.definitions = definitions
        self.calendar = calendar
        self._coverage: dict[str, date | None] = {}

    # -- windows ---------------------------------------------------------------------------

    def windows_prepare(self, windows: set[str]) -> None:
        """Fill ``_oc_windows`` for every subject date and window the rules use."""
        dates = self.con.execute(
            "SELECT DISTINCT ref_date, closure_date FROM _oc_subjects"
        ).fetchall()
        rows = []
        for ref, closure in dates:
            for window in sorted(windows):
                start = window_start(window, ref, closure, self.calendar)
                rows.append((ref, closure, window, start))
        self.con.execute(
            "CREATE OR REPLACE TEMP TABLE _oc_windows "
            "(ref_date DATE, closure_date DATE, window_spec VARCHAR, start_date DATE)"
        )
        if rows:
            self.con.executemany("INSERT INTO _oc_windows VALUES (?, ?, ?, ?)", rows)

    def feed_coverage(self, feed: str, date_field: str) -> date | None:
        """The latest date the feed's data reaches: absence before it is evidence."""
        if feed not in self._coverage:
            table = self.definitions[feed].target
            found = self.con.execute(
                f"SELECT max({_q(date_field)}) FROM {_q(table)} WHERE feed = ?", [feed]
            ).fetchone()
            self._coverage[feed] = found[0] if found else None
        return self._coverage[feed]

    # -- leaves ----------------------------------------------------------------------------

    def _source(self, rule: FeedRule, columns: list[str]) -> str:
        """The feed's rows with their person: the rows a rule may count."""
        definition = self.definitions[rule.feed]
        conditions = [f"t.feed = {_lit(rule.feed)}"]
        for name, codes in rule.where.items():
            if isinstance(codes, bool):
                conditions.append(f"t.{_q(name)} = {'TRUE' if codes else 'FALSE'}")
            elif name in self._list_columns(definition.target):
                listed = ", ".join(_lit(c) for c in codes)
                conditions.append(f"list_has_any(t.{_q(name)}, [{listed}])")
            else:
                conditions.append(f"t.{_q(name)} IN ({', '.join(_lit(c) for c in codes)})")
        if rule.roles:
            conditions.append(f"t.role IN ({', '.join(_lit(r) for r in rule.roles)})")
        select = ", ".join(f"t.{_q(c)}" for c in dict.fromkeys(columns))
        return (
            f"SELECT p.person_key, t.record_id, t.row_hash, {select} "
            f"FROM {_q(definition.target)} t JOIN _oc_person_of p USING (record_id) "
            f"WHERE {' AND '.join(conditions)}"
        )

    @staticmethod
    def _list_columns(table: str) -> set[str]:
        return {c.name for c in fact_table_columns(table) if c.sql_type.endswith("[]")}

    def _date_field(self, rule: EventsRule | RatioRule | LatestRule) -> str:
        if rule.date is not None:
            return rule.date
        found = observed_field(self.definitions[rule.feed])
        if found is None:  # validated on load
            raise ValueError(rule.feed)
        return found

    def _subjects_in_window(self, window: str) -> str:
        return (
            "_oc_subjects s JOIN _oc_windows w ON w.ref_date = s.ref_date "
            "AND w.closure_date IS NOT DISTINCT FROM s.closure_date "
            f"AND w.window_spec = {_lit(window)}"
        )

    def _bounds_sql(self, n: str, at_least: float | None, at_most: float | None) -> str:
        parts = []
        if at_least is not None:
            parts.append(f"{n} >= {at_least}")
        if at_most is not None:
            parts.append(f"{n} <= {at_most}")
        return " AND ".join(parts)

    def _counted(
        self,
        rule: EventsRule | EpisodesRule,
        hits_sql: str,
        coverage_field: str,
    ) -> RuleResult:
        """Outcome and evidence tables from a query of (subject_id, record_id, d, dkey, ...)."""
        i = next(_counter)
        hits, outcome = f"_oc_hits_{i}", f"_oc_out_{i}"
        self.con.execute(f"CREATE OR REPLACE TEMP TABLE {hits} AS {hits_sql}")
        covered = "TRUE"
        if rule.at_most is not None:
            reach = self.feed_coverage(rule.feed, coverage_field)
            covered = "FALSE" if reach is None else f"s.ref_date <= DATE '{reach.isoformat()}'"
        bounds = self._bounds_sql("count(DISTINCT h.dkey)", rule.at_least, rule.at_most)
        self.con.execute(
            f"""CREATE OR REPLACE TEMP TABLE {outcome} AS
            SELECT s.subject_id,
                   ({bounds}) AND w.start_date IS NOT NULL AS met,
                   w.start_date IS NOT NULL AND (count(h.dkey) > 0 OR {covered}) AS measurable,
                   CAST(count(DISTINCT h.dkey) AS DOUBLE) AS value,
                   min(h.first_date) AS first_date, max(h.last_date) AS last_date
            FROM {self._subjects_in_window(rule.window)}
            LEFT JOIN {hits} h ON h.subject_id = s.subject_id
            GROUP BY s.subject_id, s.ref_date, w.start_date"""
        )
        return RuleResult(outcome, hits)

    def _events(self, rule: EventsRule) -> RuleResult:
        d = self._date_field(rule)
        key_fields = rule.distinct_on or ()
        source = self._source(rule, [d, *key_fields])
        dkey = (
            "concat_ws('|', " + ", ".join(f"f.{_q(k)}" for k in key_fields) + ")"
            if key_fields
            else "f.row_hash"
        )
        hits_sql = f"""
            SELECT s.subject_id, f.record_id, f.{_q(d)} AS event_date, {dkey} AS dkey,
                   f.{_q(d)} AS first_date, f.{_q(d)} AS last_date
            FROM {self._subjects_in_window(rule.window)}
            JOIN ({source}) f ON f.person_key = s.person_key
            WHERE f.{_q(d)} >= w.start_date AND f.{_q(d)} <= s.ref_date"""
        return self._counted(rule, hits_sql, d)

    def _episodes(self, rule: EpisodesRule) -> RuleResult:
        key_fields = rule.distinct_on or (rule.start,)
        source = self._source(rule, [rule.start, rule.end, *key_fields])
        dkey = "concat_ws('|', " + ", ".join(f"f.{_q(k)}" for k in key_fields) + ")"
        start, end = _q(rule.start), _q(rule.end)
        # Snapshot extracts repeat an episode; the copy that knows its end is the latest.
        hits_sql = f"""
            WITH latest AS (
                SELECT * FROM ({source}) f
                QUALIFY row_number() OVER (
                    PARTITION BY f.person_key, {dkey}
                    ORDER BY f.{end} IS NULL, f.{end} DESC, f.record_id DESC) = 1
            )
            SELECT s.subject_id, f.record_id, f.{start} AS event_date, {dkey} AS dkey,
                   greatest(f.{start}, w.start_date) AS first_date,
                   least(coalesce(f.{end}, s.ref_date), s.ref_date) AS last_date
            FROM {self._subjects_in_window(rule.window)}
            JOIN latest f ON f.person_key = s.person_key
            WHERE f.{start} <= s.ref_date AND (f.{end} IS NULL OR f.{end} >= w.start_date)"""
        return self._counted(rule, hits_sql, rule.start)

    def _term_start_sql(self, year: str, term: str) -> str:
        cal = self.calendar
        y = f"CAST(left(f.{_q(year)}, 4) AS INTEGER)"
        parts = []
        for code, mmdd in zip(cal.term_codes, (cal.autumn, cal.spring, cal.summer), strict=True):
            month, day = (int(x) for x in mmdd.split("-"))
            year_expr = y if month >= 8 else f"{y} + 1"
            parts.append(f"WHEN {_lit(code)} THEN make_date({year_expr}, {month}, {day})")
        return f"CASE f.{_q(term)} {' '.join(parts)} END"

    def _ratio(self, rule: RatioRule) -> RuleResult:
        i = next(_counter)
        hits, outcome = f"_oc_hits_{i}", f"_oc_out_{i}"
        d = self._date_field(rule)
        key_fields = rule.distinct_on or (rule.year_field, rule.term_field)
        columns = [*rule.numerator, rule.denominator, rule.year_field, rule.term_field, d]
        source = self._source(rule, [*columns, *key_fields])
        dkey = "concat_ws('|', " + ", ".join(f"f.{_q(k)}" for k in key_fields) + ")"
        numerator = " + ".join(f"coalesce(f.{_q(c)}, 0)" for c in rule.numerator)
        term_start = self._term_start_sql(rule.year_field, rule.term_field)
        self.con.execute(
            f"""CREATE OR REPLACE TEMP TABLE {hits} AS
            WITH rows AS (
                SELECT f.*, {term_start} AS term_start, {dkey} AS dkey FROM ({source}) f
            )
            SELECT s.subject_id, f.record_id, f.term_start AS event_date, f.dkey,
                   f.term_start AS first_date, f.{_q(d)} AS last_date,
                   {numerator} AS num, coalesce(f.{_q(rule.denominator)}, 0) AS den,
                   f.{_q(rule.year_field)} || ' ' || f.{_q(rule.term_field)} AS period
            FROM {self._subjects_in_window(rule.window)}
            JOIN rows f ON f.person_key = s.person_key
            WHERE f.term_start >= w.start_date AND f.term_start <= s.ref_date
              AND f.{_q(d)} <= s.ref_date
            -- figures re-issued for a term: the latest known on the reference date counts
            QUALIFY row_number() OVER (
                PARTITION BY s.subject_id, f.dkey ORDER BY f.{_q(d)} DESC, f.record_id DESC) = 1"""
        )
        value = "sum(h.num) / nullif(sum(h.den), 0)"
        test = (
            f"{value} >= {rule.at_least}"
            if rule.at_least is not None
            else f"{value} < {rule.below}"
        )
        self.con.execute(
            f"""CREATE OR REPLACE TEMP TABLE {outcome} AS
            SELECT s.subject_id,
                   coalesce({test}, FALSE)
                       AND count(DISTINCT h.period) >= {rule.min_periods} AS met,
                   w.start_date IS NOT NULL AND coalesce(sum(h.den), 0) > 0
                       AND count(DISTINCT h.period) >= {rule.min_periods} AS measurable,
                   {value} AS value,
                   min(h.first_date) AS first_date, max(h.last_date) AS last_date
            FROM {self._subjects_in_window(rule.window)}
            LEFT JOIN {hits} h ON h.subject_id = s.subject_id
            GROUP BY s.subject_id, w.start_date"""
        )
        return RuleResult(outcome, hits)

    def _latest(self, rule: LatestRule) -> RuleResult:
        i = next(_counter)
        hits, outcome = f"_oc_hits_{i}", f"_oc_out_{i}"
        d = self._date_field(rule)
        source = self._source(rule, [d, rule.field])
        values = ", ".join(_lit(v) for v in rule.values)
        self.con.execute(
            f"""CREATE OR REPLACE TEMP TABLE {hits} AS
            SELECT s.subject_id, f.record_id, f.{_q(d)} AS event_date,
                   f.{_q(d)} AS first_date, f.{_q(d)} AS last_date,
                   f.{_q(d)} >= w.start_date AS in_window, f.{_q(rule.field)} IN ({values}) AS hit
            FROM {self._subjects_in_window(rule.window)}
            JOIN ({source}) f ON f.person_key = s.person_key
            WHERE f.{_q(d)} <= s.ref_date
            QUALIFY row_number() OVER (
                PARTITION BY s.subject_id ORDER BY f.{_q(d)} DESC, f.record_id DESC) = 1"""
        )
        self.con.execute(
            f"""CREATE OR REPLACE TEMP TABLE {outcome} AS
            SELECT s.subject_id,
                   coalesce(h.in_window AND h.hit, FALSE) AS met,
                   coalesce(h.in_window, FALSE) AS measurable,
                   CAST(coalesce(h.in_window AND h.hit, FALSE) AS DOUBLE) AS value,
                   h.first_date, h.last_date
            FROM _oc_subjects s LEFT JOIN {hits} h ON h.subject_id = s.subject_id"""
        )
        self.con.execute(f"DELETE FROM {hits} WHERE NOT (in_window AND hit)")
        return RuleResult(outcome, hits)

    # -- combinations ----------------------------------------------------------------------

    def _combine(self, parts: list[RuleResult], *, any_of: bool) -> RuleResult:
        i = next(_counter)
        outcome, evidence = f"_oc_out_{i}", f"_oc_hits_{i}"
        union = " UNION ALL ".join(
            f"SELECT subject_id, met, measurable, value, first_date, last_date, {k} AS part "
            f"FROM {p.outcome}"
            for k, p in enumerate(parts)
        )
        if any_of:
            met = "bool_or(met)"
            measurable = "bool_or(met) OR bool_and(measurable)"
        else:
            met = "bool_and(met)"
            measurable = "bool_and(measurable)"
        self.con.execute(
            f"""CREATE OR REPLACE TEMP TABLE {outcome} AS
            SELECT subject_id, {met} AS met, {measurable} AS measurable,
                   sum(value) AS value,
                   min(first_date) FILTER (WHERE met) AS first_date,
                   max(last_date) FILTER (WHERE met) AS last_date
            FROM ({union}) GROUP BY subject_id"""
        )
        evidence_union = " UNION ALL ".join(
            f"SELECT e.subject_id, e.record_id, e.event_date FROM {p.evidence} e"
            + (f" JOIN {p.outcome} o USING (subject_id) WHERE o.met" if any_of else "")
            for p in parts
        )
        self.con.execute(f"CREATE OR REPLACE TEMP TABLE {evidence} AS {evidence_union}")
        return RuleResult(outcome, evidence)

    def evaluate(self, rule: Rule) -> RuleResult:
        """Evaluate a rule for every row of ``_oc_subjects``."""
        if isinstance(rule, AnyOf):
            return self._combine([self.evaluate(r) for r in rule.any_of], any_of=True)
        if isinstance(rule, AllOf):
            return self._combine([self.evaluate(r) for r in rule.all_of], any_of=False)
        if isinstance(rule, EventsRule):
            return self._events(rule)
        if isinstance(rule, EpisodesRule):
            return self._episodes(rule)
        if isinstance(rule, RatioRule):
            return self._ratio(rule)
        return self._latest(rule)

    def drop(self, result: RuleResult) -> None:
        """Free a result's temporary tables."""
        self.con.execute(f"DROP TABLE IF EXISTS {result.outcome}")
        self.con.execute(f"DROP TABLE IF EXISTS {result.evidence}")


def rule_windows(rule: Rule) -> set[str]:
    """Every window a rule (and its parts) uses."""
    if isinstance(rule, AnyOf):
        return set().union(*(rule_windows(r) for r in rule.any_of))
    if isinstance(rule, AllOf):
        return set().union(*(rule_windows(r) for r in rule.all_of))
    return {rule.window}


def rule_feeds(rule: Rule) -> set[str]:
    """Every feed a rule reads."""
    if isinstance(rule, AnyOf):
        return set().union(*(rule_feeds(r) for r in rule.any_of))
    if isinstance(rule, AllOf):
        return set().union(*(rule_feeds(r) for r in rule.all_of))
    return {rule.feed}
