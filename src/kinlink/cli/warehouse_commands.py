"""``kinlink warehouse``: the contract other stages (and BI tools) read."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from kinlink.cli.output import console
from kinlink.warehouse.contract import contract_markdown

app = typer.Typer(help="The warehouse and its documented tables.", no_args_is_help=True)


@app.command("contract")
def warehouse_contract(
    out: Annotated[
        Path | None, typer.Option(help="Write to this file instead of printing.")
    ] = None,
) -> None:
    """Print (or write) the warehouse contract as Markdown."""
    text = contract_markdown()
    if out is None:
        console.print(text, markup=False, highlight=False)
    else:
        out.write_text(text, encoding="utf-8")
        console.print(f"Wrote {out}")
