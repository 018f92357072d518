"""``returns build``: one call from the CLI (or the portal) to a validated, written return."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from kinlink.returns.build import return_build
from kinlink.returns.loader import spec_find
from kinlink.returns.writers import OutputFormat, WrittenReturn, return_write
from kinlink.warehouse.store import warehouse_connect


def return_run(
    warehouse: Path,
    name: str,
    out_dir: Path,
    *,
    run_id: str | None = None,
    fmt: OutputFormat = "both",
    specs_dirs: Iterable[Path] = (),
) -> WrittenReturn:
    """Build the return ``name`` from a run (default: the latest), validate it, write it.

    The warehouse is opened read-only: a return never changes what it reports on.
    Raises ``ReturnInvalid`` (nothing written) when any row fails the spec's checks.
    """
    spec = spec_find(name, specs_dirs)
    con = warehouse_connect(warehouse, read_only=True)
    try:
        built = return_build(con, spec, run_id)
    finally:
        con.close()
    return return_write(built, out_dir, fmt)
