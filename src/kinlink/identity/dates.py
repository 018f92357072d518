"""Reading dates in whatever formats a feed declares, keeping partial and doubtful ones.

Feeds mix ``dd/mm/yyyy`` and ISO dates, attach midnight times, record a year alone, and get
day and month the wrong way round. ``parse_date`` reports which of those happened instead
of guessing: a value that matches a format's shape but is not a real date (31/02/2010) is
told apart from one that matches no format at all, so ingest can say which to fix.

Common strptime directives are parsed by a regular expression built once per format
string, which is several times faster than ``datetime.strptime`` and independent of the
locale; formats using other directives fall back to ``strptime``.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from kinlink.identity.models import DateError, DatePrecision, ParsedDate

_CURRENT_YEAR = dt.datetime.now(dt.UTC).year
DEFAULT_PIVOT = _CURRENT_YEAR % 100
"""Two-digit years up to this value are 20yy, later ones 19yy (so 24 is 2024, 70 is 1970).

Birth dates in these feeds are of children and their parents, so a two-digit year is far
more likely to be recent than a century old. The pivot is this year's last two digits.
"""

_MONTHS: dict[str, int] = {}
for _number, _name in enumerate(
    (
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
    ),
    start=1,
):
    _MONTHS[_name] = _number
    _MONTHS[_name[:3]] = _number
_MONTHS["sept"] = 9

# A time of day after a full date ("2024-03-05 00:00:00", "05/03/2024 14:30", ISO "T...Z"),
# as spreadsheets and databases write it. It is checked for shape and then ignored.
_TIME_SUFFIX = (
    r"(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?"
    r"(?:\s?[AaPp][Mm])?(?:\s?(?:Z|[+-]\d{2}(?::?\d{2})?))?)?"
)

_FAST_DIRECTIVES = frozenset("YymdbB")
_PARSE_CACHE_SIZE = 1 << 17


@dataclass(frozen=True, slots=True)
class _Format:
    """A date format compiled for fast matching; ``pattern`` is None for the fallback."""

    fmt: str
    pattern: re.Pattern[str] | None
    year4: int  # group number of each part, 0 when absent
    year2: int
    month: int
    month_name: int
    day: int
    precision: DatePrecision


def _tokens(fmt: str) -> list[str] | None:
    """Split a format into directives ("%d") and literal characters; None if malformed."""
    tokens: list[str] = []
    i = 0
    while i < len(fmt):
        if fmt[i] == "%":
            if i + 1 == len(fmt):
                return None
            tokens.append(fmt[i : i + 2])
            i += 2
        else:
            tokens.append(fmt[i])
            i += 1
    return tokens


@lru_cache(maxsize=256)
def _compile(fmt: str) -> _Format:
    """Build the matcher for one format string, once per process."""
    tokens = _tokens(fmt)
    directives = {t[1] for t in tokens or () if t.startswith("%") and t != "%%"}
    fast = tokens is not None and directives <= _FAST_DIRECTIVES
    has_year = bool(directives & {"Y", "y"})
    has_month = bool(directives & {"m", "b", "B"})
    precision: DatePrecision = (
        "day" if "d" in directives and has_month else "month" if has_month else "year"
    )
    if not fast or tokens is None or not has_year or ("d" in directives and not has_month):
        return _Format(fmt, None, 0, 0, 0, 0, 0, precision)

    groups = {"Y": 0, "y": 0, "m": 0, "b": 0, "d": 0}
    parts: list[str] = []
    group = 0
    for i, piece in enumerate(tokens):
        if not piece.startswith("%") or piece == "%%":
            literal = "%" if piece == "%%" else piece
            parts.append(r"\s+" if literal.isspace() else re.escape(literal))
            continue
        kind = piece[1]
        group += 1
        if kind in "dm":
            # Without a separator next to it, "%Y%m%d" must split by width.
            beside = tokens[i - 1 : i] + tokens[i + 1 : i + 2]
            packed = any(t.startswith("%") and t != "%%" for t in beside)
            parts.append(r"(\d{2})" if packed else r"(\d{1,2})")
        elif kind == "Y":
            parts.append(r"(\d{4})")
        elif kind == "y":
            parts.append(r"(\d{2})")
        else:  # month name, abbreviated or full, in either directive
            kind = "b"
            parts.append(r"([A-Za-z]{3,9})")
        groups[kind] = group
    if precision == "day":
        parts.append(_TIME_SUFFIX)
    pattern = re.compile("".join(parts))
    return _Format(
        fmt, pattern, groups["Y"], groups["y"], groups["m"], groups["b"], groups["d"], precision
    )


def _year(two_digits: int, pivot: int) -> int:
    return 2000 + two_digits if two_digits <= pivot else 1900 + two_digits


def _ok(year: int, month: int | None, day: int | None, precision: DatePrecision) -> ParsedDate:
    value = None
    ambiguous = False
    if day is not None and month is not None:
        value = dt.date(year, month, day)
        ambiguous = day <= 12 and month <= 12 and day != month
    return ParsedDate(value, year, month, day, precision, ambiguous, None, None)


def _impossible_reason(year: int, month: int | None, day: int | None) -> str | None:
    """Why these parts are not a real date, or None when they are."""
    if year < 1:
        return f"year {year} does not exist"
    if month is not None and not 1 <= month <= 12:
        return f"month {month} does not exist"
    if day is not None and month is not None:
        try:
            dt.date(year, month, day)
        except ValueError:
            month_name = dt.date(2000, month, 1).strftime("%B")
            return f"day {day} does not exist in {month_name} {year}"
    return None


def _match_fast(
    compiled: _Format, pattern: re.Pattern[str], text: str, pivot: int
) -> ParsedDate | str | None:
    """A parsed date, a reason the shape-matching value is impossible, or None if no shape."""
    found = pattern.fullmatch(text)
    if found is None:
        return None
    if compiled.year4:
        year = int(found.group(compiled.year4))
    else:
        year = _year(int(found.group(compiled.year2)), pivot)
    month: int | None = None
    if compiled.month:
        month = int(found.group(compiled.month))
    elif compiled.month_name:
        month = _MONTHS.get(found.group(compiled.month_name).lower())
        if month is None:
            return None  # letters, but not a month: not this format's shape
    day = int(found.group(compiled.day)) if compiled.day else None
    reason = _impossible_reason(year, month, day)
    if reason is not None:
        return reason
    return _ok(year, month, day, compiled.precision)


def _match_strptime(compiled: _Format, text: str, pivot: int) -> ParsedDate | str | None:
    """Fallback for unusual directives; only day-out-of-range counts as impossible here."""
    try:
        parsed = dt.datetime.strptime(text, compiled.fmt)  # noqa: DTZ007 - a date, no zone
    except ValueError as exc:
        if "out of range" in str(exc):
            return "day does not exist in that month"
        return None
    year = parsed.year
    if "%y" in compiled.fmt:
        year = _year(year % 100, pivot)
    precision = compiled.precision
    month = parsed.month if precision != "year" else None
    day = parsed.day if precision == "day" else None
    if _impossible_reason(year, month, day) is not None:
        return "day does not exist in that month"
    return _ok(year, month, day, precision)


def _failure(error: DateError, message: str) -> ParsedDate:
    return ParsedDate(None, None, None, None, None, False, error, message)


@lru_cache(maxsize=_PARSE_CACHE_SIZE)
def _parse(text: str, formats: tuple[str, ...], pivot: int) -> ParsedDate:
    impossible: tuple[str, str] | None = None
    for fmt in formats:
        compiled = _compile(fmt)
        if compiled.pattern is not None:
            result = _match_fast(compiled, compiled.pattern, text, pivot)
        else:
            result = _match_strptime(compiled, text, pivot)
        if isinstance(result, ParsedDate):
            return result
        if result is not None and impossible is None:
            impossible = (fmt, result)
    tried = ", ".join(formats) or "(none)"
    if impossible is not None:
        fmt, reason = impossible
        return _failure(
            "impossible_date",
            f"'{text}' has the shape of {fmt} but is not a real date ({reason}); "
            f"formats tried: {tried}",
        )
    return _failure(
        "unrecognised_format", f"'{text}' matches none of the date formats tried: {tried}"
    )


def parse_date(
    raw: str | None, formats: Sequence[str], *, pivot: int | None = None
) -> ParsedDate | None:
    """Read ``raw`` with the first of ``formats`` (strptime style) that gives a real date.

    None for blank. A format without ``%d`` gives month or year precision (``"%Y"`` for a
    year alone), with ``value`` None and the known parts set. Day formats also accept a
    trailing time ("2024-03-05 00:00:00"). Failures come back as a ``ParsedDate`` with
    ``error`` "impossible_date" (some format's shape matched, the date does not exist) or
    "unrecognised_format", and a message naming the value and the formats tried: it quotes
    the value, so it belongs with the quarantined row, not in a log. Two-digit years use
    ``pivot`` (default ``DEFAULT_PIVOT``).
    """
    if raw is None:
        return None
    text = raw.strip()
    if not text:
        return None
    key = formats if isinstance(formats, tuple) else tuple(formats)
    return _parse(text, key, DEFAULT_PIVOT if pivot is None else pivot)


def swap_day_month(d: dt.date) -> dt.date | None:
    """The date with day and month exchanged, or None when that is not a different date.

    Linkage uses it to recognise the commonest birth-date typo (05/03 for 03/05).
    """
    if d.day > 12 or d.day == d.month:
        return None
    return dt.date(d.year, d.day, d.month)
