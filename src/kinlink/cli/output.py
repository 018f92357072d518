"""The CLI's only output layer: Rich console, tables and progress bars."""

from __future__ import annotations

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
