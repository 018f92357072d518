"""Turning one person slot's raw identity values into a normalised person record.

The normalisation itself lives in ``kinlink.identity`` (pure functions); this module only
decides which function applies to which mapped field, and turns a value that cannot be
normalised (a UPRN with letters, an unknown sex code) into a row problem naming the column.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from kinlink import identity
from kinlink.identity import ParsedDate
from kinlink.ingest.models import RowProblem
from kinlink.sources.models import PersonSlot

_NAME_FIELDS = ("middle_names", "surname", "preferred_forename", "preferred_surname")

name_key = lru_cache(maxsize=200_000)(identity.name_key)
forename_canonical = lru_cache(maxsize=200_000)(identity.forename_canonical)
postcode_parse = lru_cache(maxsize=200_000)(identity.postcode_parse)
address_tokens = lru_cache(maxsize=200_000)(identity.address_tokens)


def _column_of(mapped: str | tuple[str, ...]) -> str:
    return mapped if isinstance(mapped, str) else mapped[0]


def _text(values: dict[str, Any], mapped: str | tuple[str, ...], sep: str = ", ") -> str | None:
    if isinstance(mapped, str):
        value = values.get(mapped)
        return value if isinstance(value, str) and value else None
    parts = [values.get(c) for c in mapped]
    joined = sep.join(p for p in parts if isinstance(p, str) and p)
    return joined or None


def slot_own_columns(slots: tuple[PersonSlot, ...]) -> dict[str, tuple[str, ...]]:
    """Per slot, the identity columns no other slot shares (the incident address is shared).

    A slot is present when one of these has a value; a slot with no columns of its own is
    judged on all of its columns.
    """
    own: dict[str, tuple[str, ...]] = {}
    for slot in slots:
        others = {c for s in slots if s is not slot for c in s.identity_columns()}
        mine = tuple(c for c in slot.identity_columns() if c not in others)
        own[slot.slot] = mine or slot.identity_columns()
    return own


def slot_present(columns: tuple[str, ...], raw_by_column: dict[str, str]) -> bool:
    """A slot is present when any of its own identity columns has a value."""
    return any(raw_by_column.get(col, "") for col in columns)


def person_fields(  # noqa: C901 - one branch per identity field, flat and readable
    slot: PersonSlot, values: dict[str, Any]
) -> tuple[dict[str, Any], RowProblem | None]:
    """Normalised identity columns of ``person_records`` for one slot."""
    out: dict[str, Any] = {}
    ident = slot.identity
    if "forename" in ident:
        forename = _text(values, ident["forename"])
        out["forename"] = forename
        out["forename_key"] = name_key(forename)
        out["forename_canonical"] = forename_canonical(forename)
    for field in _NAME_FIELDS:
        if field in ident:
            text = _text(values, ident[field], sep=" ")
            out[field] = text
            out[f"{field}_key"] = name_key(text)
    if "aliases" in ident:
        out["aliases"] = _text(values, ident["aliases"])
    if "dob" in ident:
        parsed = values.get(_column_of(ident["dob"]))
        if isinstance(parsed, ParsedDate):
            out["dob"] = parsed.value if parsed.precision == "day" else None
            out["dob_year"] = parsed.year
            out["dob_precision"] = parsed.precision
            out["dob_day_month_ambiguous"] = parsed.day_month_ambiguous
    if "sex" in ident:
        raw_sex = values.get(_column_of(ident["sex"]))
        if isinstance(raw_sex, str) and raw_sex:
            if raw_sex in ("M", "F", "U"):
                out["sex"] = raw_sex
            else:
                try:
                    out["sex"] = identity.sex_normalise(raw_sex)
                except ValueError:
                    col = _column_of(ident["sex"])
                    return out, RowProblem(col, "unknown_code", f"'{col}' is not a known sex code")
    address = _text(values, ident["address"]) if "address" in ident else None
    if address is not None:
        out["address"] = address
        out["address_tokens"] = list(address_tokens(address))
    postcode_text = _text(values, ident["postcode"]) if "postcode" in ident else None
    if postcode_text is None and address is not None:
        postcode_text = identity.postcode_find(address)
    if postcode_text is not None:
        parsed_pc = postcode_parse(postcode_text)
        if parsed_pc is not None:
            out["postcode"] = parsed_pc.canonical or parsed_pc.raw
            out["postcode_valid"] = parsed_pc.valid
            out["postcode_sector"] = parsed_pc.sector
            out["postcode_district"] = parsed_pc.district
    if "uprn" in ident:
        raw_uprn = _text(values, ident["uprn"])
        try:
            out["uprn"] = identity.uprn_normalise(raw_uprn)
        except ValueError:
            col = _column_of(ident["uprn"])
            return out, RowProblem(col, "bad_uprn", f"'{col}' is not a UPRN (up to 12 digits)")
    for field in ("upn", "former_upn"):
        if field in ident:
            upn = identity.upn_normalise(_text(values, ident[field]))
            out[field] = upn
            out[f"{field}_valid"] = identity.upn_is_valid(upn) if upn else None
    if "uln" in ident:
        uln = identity.uln_normalise(_text(values, ident["uln"]))
        out["uln"] = uln
        out["uln_valid"] = identity.uln_is_valid(uln) if uln else None
    if "nhs_number" in ident:
        nhs = identity.nhs_number_normalise(_text(values, ident["nhs_number"]))
        out["nhs_number"] = nhs
        out["nhs_number_valid"] = identity.nhs_number_is_valid(nhs) if nhs else None
    if "la_child_id" in ident:
        out["la_child_id"] = _text(values, ident["la_child_id"])
    if "source_person_id" in ident:
        out["source_person_id"] = _text(values, ident["source_person_id"])
        out["source_id_kind"] = slot.source_id_kind or _column_of(ident["source_person_id"])
    return out, None
