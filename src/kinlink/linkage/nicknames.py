"""Which forenames may stand for one another, as a lookup table for SQL comparisons.

The shared nickname table (``kinlink.identity.forename_variants``) is a general list; a
few diminutives common in English council data are missing from it (Liam for William,
Gaz for Gareth, Kasia for Katarzyna). They are added here, in both directions, so that
the forename comparison and the twin guard treat them like any other nickname.
"""

from __future__ import annotations

from collections.abc import Iterable

import duckdb
import pyarrow as pa

from kinlink.identity import forename_canonical, forename_variants, name_key

#: Formal name -> diminutives missing from the general table.
EXTRA_NICKNAMES: dict[str, tuple[str, ...]] = {
    "william": ("liam",),
    "alexander": ("xander", "lex"),
    "alexandra": ("lexi", "lexie", "alex"),
    "aleksandra": ("ola", "ala"),
    "stephen": ("stevie",),
    "steven": ("stevie",),
    "charles": ("chas",),
    "charlotte": ("charlie", "lottie"),
    "alfred": ("alf", "alfie"),
    "callum": ("cal",),
    "gareth": ("gaz",),
    "mohammed": ("mo", "mohammad", "mohamed", "muhammad", "muhammed"),
    "muhammad": ("mo", "mohammed", "muhammed"),
    "catherine": ("kate", "katie", "cath", "cathy"),
    "natalie": ("nat",),
    "isabella": ("izzy", "bella", "issy"),
    "isabelle": ("izzy", "issy", "isabel", "isobel"),
    "olivia": ("liv", "livvy", "livy"),
    "florence": ("florrie", "flo"),
    "susan": ("suzy", "sue"),
    "christine": ("chrissie", "chris"),
    "deborah": ("debs", "debbie"),
    "gemma": ("gem",),
    "nicola": ("nicky", "nic", "nikki"),
    "evelyn": ("evie",),
    "hannah": ("han",),
    "lauren": ("loz",),
    "sophie": ("soph",),
    "sophia": ("sophie", "soph"),
    "katarzyna": ("kasia", "kasha"),
    "malgorzata": ("gosia",),
    "krzysztof": ("krzys",),
    "oluwaseun": ("seun",),
    "amelia": ("millie", "amy"),
    "henry": ("harry", "hal"),
    "theodore": ("theo", "teddy"),
    "victoria": ("vicky", "tori"),
    "rebecca": ("becky", "becca"),
}


def _extra_links() -> dict[str, set[str]]:
    links: dict[str, set[str]] = {}
    for formal, nicks in EXTRA_NICKNAMES.items():
        group = {formal, *nicks}
        for name in group:
            links.setdefault(name, set()).update(group - {name})
    return links


_EXTRA = _extra_links()


def first_name_token(key: str | None) -> str | None:
    """The first word of a forename key: Mary in "mary jane"."""
    if not key:
        return None
    return key.split(" ", 1)[0]


def variants_of(first: str) -> list[str]:
    """Every name ``first`` may stand for, itself included, sorted."""
    out = set(forename_variants(first)) | _EXTRA.get(first, set()) | {first}
    canonical = forename_canonical(first)
    if canonical:
        out |= _EXTRA.get(canonical, set()) | {canonical}
    return sorted(n for n in out if n)


def variants_table(con: duckdb.DuckDBPyConnection, names: Iterable[str], table: str) -> None:
    """Create ``table(name, variants)`` for the given first-name tokens."""
    distinct = sorted({n for n in names if n})
    con.register(
        "_lk_variant_rows",
        pa.table(
            {
                "name": pa.array(distinct, pa.string()),
                "variants": pa.array([variants_of(n) for n in distinct], pa.list_(pa.string())),
            }
        ),
    )
    con.execute(f"CREATE OR REPLACE TEMP TABLE {table} AS SELECT * FROM _lk_variant_rows")
    con.unregister("_lk_variant_rows")


def normalised(name: str) -> str | None:
    """The key a supplied forename is compared under (exposed for tests)."""
    return first_name_token(name_key(name))
