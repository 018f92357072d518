"""The simulated window: academic years, terms, census dates and look-back periods.

English schools run September to August in three terms; the school census is taken on
the first Thursday of October and the third Thursdays of January and May. The window is
the last N academic years ending at the configured end date; nothing happens after it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

TERM_CODES = ("AUT", "SPR", "SUM")
#: (start month, start day, end month, end day, sessions) of each term of a full year.
_TERMS = ((9, 3, 12, 19, 142), (1, 6, 3, 28, 118), (4, 14, 7, 22, 120))


@dataclass(frozen=True, slots=True)
class Term:
    """One school term: the unit attendance is reported in."""

    index: int  # position in the window, 0-based
    year_index: int
    code: str
    start: date
    end: date  # last teaching day (or the window end, if earlier)
    sessions: int  # possible sessions for a pupil on roll the whole term

    @property
    def as_of(self) -> date:
        return self.end


@dataclass(frozen=True, slots=True)
class AcademicYear:
    """September to August, e.g. 2024/25 (``start_year`` 2024)."""

    index: int
    start_year: int

    @property
    def label(self) -> str:
        """``2024/25``, as attendance files spell it."""
        return f"{self.start_year}/{(self.start_year + 1) % 100:02d}"

    @property
    def key(self) -> str:
        """``2024_25``, as file names spell it."""
        return f"{self.start_year}_{(self.start_year + 1) % 100:02d}"

    @property
    def start(self) -> date:
        return date(self.start_year, 9, 1)

    @property
    def end(self) -> date:
        return date(self.start_year + 1, 8, 31)


def _nth_thursday(year: int, month: int, n: int) -> date:
    first = date(year, month, 1)
    offset = (3 - first.weekday()) % 7
    return first + timedelta(days=offset + 7 * (n - 1))


class Window:
    """Every date-shaped fact the generator and the truth share."""

    def __init__(self, end_date: date, academic_years: int) -> None:
        last = end_date.year if end_date.month >= 9 else end_date.year - 1
        self.end = end_date
        self.years = [AcademicYear(i, last - academic_years + 1 + i) for i in range(academic_years)]
        self.start = self.years[0].start
        self.terms: list[Term] = []
        self.census: list[tuple[int, date]] = []  # (year index, census date)
        for year in self.years:
            for code, (sm, sd, em, ed, sessions) in zip(TERM_CODES, _TERMS, strict=True):
                y0 = year.start_year if sm >= 9 else year.start_year + 1
                y1 = year.start_year if em >= 9 else year.start_year + 1
                start, end = date(y0, sm, sd), date(y1, em, ed)
                if start > end_date:
                    continue
                if end > end_date:  # a term in progress: pro-rata sessions to the end date
                    sessions = max(1, sessions * (end_date - start).days // (end - start).days)
                    end = end_date
                self.terms.append(Term(len(self.terms), year.index, code, start, end, sessions))
            for month, n in ((10, 1), (1, 3), (5, 3)):
                when = _nth_thursday(year.start_year + (month < 9), month, n)
                if when <= end_date:
                    self.census.append((year.index, when))
        #: The last three terms before the end date: the attendance and suspension window.
        self.last_three_terms = self.terms[-3:]
        self.three_terms_start = self.last_three_terms[0].start
        #: Look-back start for "in the last 12 months" needs (inclusive).
        self.last_12_months_start = end_date - timedelta(days=365)

    def year_of(self, when: date) -> int | None:
        """Index of the academic year containing ``when``, or None outside the window."""
        if when < self.start or when > self.end:
            return None
        i = when.year - self.years[0].start_year - (when.month < 9)
        return i if 0 <= i < len(self.years) else None

    def extract_date(self, year_index: int) -> date:
        """When a year's snapshot extract (early help, social care) was taken."""
        return min(self.years[year_index].end, self.end)

    def term_at(self, when: date) -> Term | None:
        """The term whose teaching dates contain ``when`` (None in holidays)."""
        for term in self.terms:
            if term.start <= when <= term.end:
                return term
        return None

    def next_term_start(self, when: date) -> Term | None:
        """The first term starting on or after ``when``."""
        for term in self.terms:
            if term.start >= when:
                return term
        return None


def academic_age(dob: date, year_start: int) -> int:
    """Age on 31 August before the academic year: 4 is Reception, 10 is Year 6, 15 Year 11."""
    cut = date(year_start, 8, 31)
    return cut.year - dob.year - ((cut.month, cut.day) < (dob.month, dob.day))


def age_on(dob: date, when: date) -> int:
    """Whole years of age on a date."""
    return when.year - dob.year - ((when.month, when.day) < (dob.month, dob.day))
