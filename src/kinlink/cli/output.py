"""The CLI's only output layer: Rich console, tables and progress bars."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

# Wide enough for the summary tables when output goes to a file or a CI log.
console = Console(width=None if Console().is_terminal else 120)
errors = Console(stderr=True)


def progress_bar() -> Progress:
    """A progress bar for long work; it stays quiet when output is not a terminal."""
    return Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=console,
        transient=False,
        disable=not console.is_terminal,
    )


def report_json_emit(report: dict[str, Any], *, out: Path | None, to_console: bool) -> bool:
    """Write a report's JSON to ``out`` if given; print it instead of tables if asked.

    Returns True when the JSON was printed (the caller then prints no tables).
    """
    document = json.dumps(report, indent=2)
    if out is not None:
        out.write_text(document + "\n", encoding="utf-8")
    if to_console:
        console.print_json(document)
    return to_console
