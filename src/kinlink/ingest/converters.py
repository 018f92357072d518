"""Typing one column's raw text into values, per the column's declared spec.

A converter returns ``(value, None)`` or ``(None, RowProblem)``; it never raises, so that
one bad value quarantines one row with the field named and the rest of the file loads.
Values repeat a great deal in administrative extracts (codes, dates, school URNs), so
converters memoise their results.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from kinlink.identity import parse_date
from kinlink.ingest.models import RowProblem
from kinlink.sources.models import ColumnSpec

Converter = Callable[[str], tuple[Any, RowProblem | None]]

_ISO = "%Y-%m-%d"
_CACHE_LIMIT = 500_000


def _memoised(func: Converter) -> Converter:
    cache: dict[str, tuple[Any, RowProblem | None]] = {}

    def convert(raw: str) -> tuple[Any, RowProblem | None]:
        hit = cache.get(raw)
        if hit is None:
            hit = func(raw)
            if len(cache) < _CACHE_LIMIT:
                cache[raw] = hit
        return hit

    return convert


def converter_for(column: str, spec: ColumnSpec, *, typed_source: bool = False) -> Converter:
    """Build the converter for ``column``. ``typed_source`` adds ISO dates (XLSX, Parquet)."""
    if spec.type == "integer":
        return _memoised(_integer(column, spec))
    if spec.type == "date":
        formats = (
            spec.formats if not typed_source or _ISO in spec.formats else (_ISO, *spec.formats)
        )
        return _memoised(_date(column, formats))
    if spec.type == "boolean":
        return _memoised(_boolean(column, spec))
    if spec.type == "code":
        return _memoised(_code(column, spec))
    if spec.type == "list":
        return _list(column, spec)
    return _string(column, spec)


def _integer(column: str, spec: ColumnSpec) -> Converter:
    def convert(raw: str) -> tuple[Any, RowProblem | None]:
        text = raw.replace(",", "")
        if text.endswith(".0"):
            text = text[:-2]
        try:
            value = int(text)
        except ValueError:
            return None, RowProblem(column, "bad_integer", f"'{column}' is not a whole number")
        if spec.minimum is not None and value < spec.minimum:
            return None, RowProblem(
                column, "out_of_range", f"'{column}' is below the minimum {spec.minimum}"
            )
        if spec.maximum is not None and value > spec.maximum:
            return None, RowProblem(
                column, "out_of_range", f"'{column}' is above the maximum {spec.maximum}"
            )
        return value, None

    return convert


def _date(column: str, formats: tuple[str, ...]) -> Converter:
    def convert(raw: str) -> tuple[Any, RowProblem | None]:
        parsed = parse_date(raw, formats)
        if parsed is None:
            return None, None
        if parsed.error is not None:
            reason = "impossible_date" if parsed.error == "impossible_date" else "bad_date"
            what = "is not a real date" if reason == "impossible_date" else "matches no format"
            return None, RowProblem(
                column, reason, f"'{column}' {what} (formats: {', '.join(formats)})"
            )
        return parsed, None

    return convert


def _boolean(column: str, spec: ColumnSpec) -> Converter:
    trues = {v.upper() for v in spec.true_values}
    falses = {v.upper() for v in spec.false_values}

    def convert(raw: str) -> tuple[Any, RowProblem | None]:
        key = raw.upper()
        if key in trues:
            return True, None
        if key in falses:
            return False, None
        return None, RowProblem(
            column,
            "bad_boolean",
            f"'{column}' is not one of {sorted(trues)} / {sorted(falses)}",
        )

    return convert


def _code(column: str, spec: ColumnSpec) -> Converter:
    mapping = {" ".join(k.upper().split()): v for k, v in spec.codes.items()}

    def convert(raw: str) -> tuple[Any, RowProblem | None]:
        key = " ".join(raw.upper().split())
        code = mapping.get(key)
        if code is not None:
            return code, None
        if spec.allow_unknown_codes:
            return key, None
        return None, RowProblem(
            column,
            "unknown_code",
            f"'{column}' has a code not in the definition's code map "
            f"(known: {', '.join(sorted(set(mapping)))[:200]})",
        )

    return convert


def _list(column: str, spec: ColumnSpec) -> Converter:
    def convert(raw: str) -> tuple[Any, RowProblem | None]:
        return [part.strip() for part in raw.split(spec.separator) if part.strip()], None

    return convert


def _string(column: str, spec: ColumnSpec) -> Converter:
    pattern = re.compile(spec.pattern) if spec.pattern else None

    def convert(raw: str) -> tuple[Any, RowProblem | None]:
        value = " ".join(raw.split())
        if pattern is not None and not pattern.fullmatch(value):
            return None, RowProblem(
                column, "bad_format", f"'{column}' does not match the pattern {spec.pattern}"
            )
        return value, None

    return convert
