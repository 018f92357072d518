"""``kinlink synth``: build a synthetic city to try the pipeline on and measure it against."""

from __future__ import annotations

from dataclasses import fields, replace
from datetime import date, datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from kinlink.cli.output import console, progress_bar
from kinlink.synth import CityConfig, CitySummary, NoiseConfig, generate_city

_WRITTEN = ("feeds", "truth", "manifest.json")


def _clear(out: Path, force: bool) -> None:
    """Refuse to mix two cities in one folder; with --force, remove the old one's files."""
    old = [out / name for name in _WRITTEN if (out / name).exists()]
    if not old:
        return
    if not force:
        raise typer.BadParameter(
            f"{out} already holds a city; choose another --out or add --force to replace it",
            param_hint="--out",
        )
    for path in old:
        if path.is_dir():
            for child in path.iterdir():
                if child.is_file():
                    child.unlink()
        else:
            path.unlink()


def _table(summary: CitySummary) -> Table:
    table = Table(title="Partner feeds written")
    for heading, justify in (
        ("file", "left"),
        ("feed", "left"),
        ("rows", "right"),
        ("person slots", "right"),
    ):
        table.add_column(heading, justify=justify)  # type: ignore[arg-type]
    for f in summary.files:
        table.add_row(f.file, f.feed, f"{f.rows:,}", f"{f.person_slots:,}")
    table.add_section()
    slots = sum(f.person_slots for f in summary.files)
    table.add_row(f"{len(summary.files)} files", "", f"{summary.total_rows:,}", f"{slots:,}")
    return table


def noise_config(scale: float, rates: list[str]) -> NoiseConfig:
    """Default noise scaled by ``scale``, then individual ``NAME=VALUE`` rates set."""
    config = NoiseConfig().scale(scale)
    known = {f.name for f in fields(NoiseConfig)}
    changes: dict[str, float] = {}
    for item in rates:
        name, sep, value = item.partition("=")
        if not sep or name not in known:
            raise typer.BadParameter(
                f"'{item}': expected NAME=VALUE with NAME one of {', '.join(sorted(known))}",
                param_hint="--rate",
            )
        try:
            number = float(value)
        except ValueError as exc:
            raise typer.BadParameter(
                f"'{item}': {value!r} is not a number", param_hint="--rate"
            ) from exc
        if not 0.0 <= number <= 1.0:
            raise typer.BadParameter(f"'{item}': a rate is between 0 and 1", param_hint="--rate")
        changes[name] = number
    return replace(config, **changes)


_HELP = "\n\n".join(
    (
        "Build a synthetic city (Kinlink City: fictional, no real people) and write every "
        "partner feed a council receives, with the errors real extracts have.",
        "OUT/feeds/ gets school census, attendance, exclusions, early help, social care, "
        "youth justice, police arrests and intelligence, domestic abuse, health, exploitation, "
        "NEET and housing/benefits extracts in the reference layouts, with typos, nicknames, "
        "changed surnames, swapped birth dates, missing or mistyped identifiers, stale "
        "postcodes, blank and duplicate rows.",
        "OUT/truth/ holds the answers: the true person behind every row, families, addresses "
        "over time and each family's needs (see OUT/truth/README.md). Ingest only OUT/feeds: "
        "the truth is for measuring results, never for loading.",
        "Example: kinlink synth --people 20000 --seed 42 --out data/city  "
        "(about 3 seconds; 500,000 people take about a minute and a half).",
    )
)


def synth(
    people: Annotated[
        int, typer.Option("--people", min=1, help="About how many residents the city has.")
    ] = 20_000,
    seed: Annotated[
        int, typer.Option("--seed", help="Same seed and options give byte-identical files.")
    ] = 42,
    out: Annotated[
        Path, typer.Option("--out", help="Folder to write feeds/, truth/ and manifest.json into.")
    ] = Path("data/city"),
    years: Annotated[
        int,
        typer.Option("--years", min=1, max=10, help="Academic years simulated (Sept to Aug)."),
    ] = 3,
    noise: Annotated[
        float,
        typer.Option(
            "--noise", min=0.0, help="Multiply all noise rates; 0 = clean data, 2 = dirtier."
        ),
    ] = 1.0,
    end_date: Annotated[
        datetime,
        typer.Option(
            "--end-date",
            formats=["%Y-%m-%d"],
            help="Last day simulated (YYYY-MM-DD).",
            show_default="2026-08-31",
        ),
    ] = datetime(2026, 8, 31),  # noqa: DTZ001 - a calendar date, not a moment
    rate: Annotated[
        list[str] | None,
        typer.Option(
            "--rate",
            help="Set one noise rate, NAME=VALUE (repeatable), e.g. --rate name_typo=0.05; "
            "applied after --noise. Names: " + ", ".join(f.name for f in fields(NoiseConfig)),
        ),
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Replace a city already in --out.")
    ] = False,
) -> None:
    """Build a synthetic city and write its partner feeds (help text: ``_HELP``)."""
    _clear(out, force)
    config = CityConfig(
        people=people,
        seed=seed,
        end_date=end_date.date()
        if isinstance(end_date, datetime)
        else date.fromisoformat(str(end_date)),
        academic_years=years,
        noise=noise_config(noise, rate or []),
    )
    with progress_bar() as bar:
        task = bar.add_task("Households", total=None)

        def progress(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        summary = generate_city(config, out, progress)
    console.print(_table(summary))
    console.print(
        f"[bold]{summary.people:,}[/] people in {summary.households:,} households; "
        f"{summary.families_with_children:,} families with children, "
        f"{summary.share_eligible:.1%} of them with three or more needs. "
        f"{summary.timings['total_seconds']:.1f} s, peak memory {summary.peak_rss_mib:,.0f} MiB."
    )
    console.print(f"Feeds: {out / 'feeds'}   Truth (answers, do not ingest): {out / 'truth'}")


synth.__doc__ = _HELP  # paragraphs without hard line breaks, so the terminal wraps them
