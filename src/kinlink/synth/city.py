"""``generate_city``: build the city's fixed parts, stream its chunks, write the manifest."""

from __future__ import annotations

import json
import resource
import sys
import time
from collections.abc import Callable
from pathlib import Path

from kinlink.synth.addresses import AddressBook
from kinlink.synth.boundaries import boundaries_write
from kinlink.synth.calendar import Window
from kinlink.synth.chunk import chunk_generate
from kinlink.synth.config import CityConfig
from kinlink.synth.context import City
from kinlink.synth.feeds import file_names, shuffled_file
from kinlink.synth.names import NameBook
from kinlink.synth.population import MEAN_HOUSEHOLD_SIZE
from kinlink.synth.readme import truth_readme
from kinlink.synth.schools import Schools
from kinlink.synth.summary import CitySummary, FileCount
from kinlink.synth.truth import TruthWriter
from kinlink.synth.writers import FeedSink

GENERATOR_VERSION = "1.0.0"

Progress = Callable[[int, int], None]


def household_count(people: int) -> int:
    """How many households make a city of about ``people`` residents."""
    return max(1, round(people / MEAN_HOUSEHOLD_SIZE))


def _peak_rss_mib() -> float:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def generate_city(
    config: CityConfig, out_dir: Path, progress: Progress | None = None
) -> CitySummary:
    """Write every partner feed of a synthetic city to ``out_dir/feeds``, its ground
    truth to ``out_dir/truth`` and its districts' boundaries (for the portal's map) to
    ``out_dir/districts.geojson``; return what was written.

    The same config always gives byte-identical files. Memory stays flat with size:
    households are generated, written and dropped ``households_per_chunk`` at a time.

    >>> summary = generate_city(CityConfig(people=2000, seed=7), Path("city"))  # doctest: +SKIP
    >>> summary.people  # doctest: +SKIP
    2003
    """
    started = time.perf_counter()
    out_dir = Path(out_dir)
    window = Window(config.end_date, config.academic_years)
    total = household_count(config.people)
    capacity = int(total * (1.5 + 0.15 * config.academic_years)) + 500
    city = City(
        config,
        window,
        NameBook(),
        AddressBook(config.seed, capacity),
        Schools(config.seed, config.people),
    )
    names = file_names(window)
    sink = FeedSink(
        out_dir / "feeds", out_dir / "truth", names, config.noise, config.shuffle_one_file
    )
    truth = TruthWriter(out_dir / "truth", window)
    setup = time.perf_counter() - started
    done = 0
    chunk = 0
    try:
        while done < total:
            n = min(config.households_per_chunk, total - done)
            chunk_generate(city, chunk, n, sink, truth)
            done += n
            chunk += 1
            if progress is not None:
                progress(done, total)
    finally:
        sink.close()
        truth.close()
    shuffled = shuffled_file(names) if config.shuffle_one_file else ""
    readme = truth_readme(window, shuffled, config.noise.date_format_mixed)
    (out_dir / "truth" / "README.md").write_text(readme, encoding="utf-8")
    boundaries_write(out_dir)
    summary = CitySummary(
        people=truth.counts["people"],
        households=city.ids.next("household"),
        families=truth.counts["families"],
        families_with_children=truth.counts["families_with_children"],
        families_eligible_3_needs=truth.counts["eligible_3_needs"],
        twins=truth.twins,
        files=[
            FileCount(s.feed, s.file, s.rows, s.person_slots, s.blank_rows, s.duplicate_rows)
            for s in sink.stats()
        ],
    )
    elapsed = time.perf_counter() - started
    summary.timings = {"setup_seconds": round(setup, 3), "total_seconds": round(elapsed, 3)}
    summary.peak_rss_mib = round(_peak_rss_mib(), 1)
    manifest = {
        "generator": "kinlink.synth",
        "generator_version": GENERATOR_VERSION,
        "config": config.as_dict(),
        "window": {"start": window.start.isoformat(), "end": window.end.isoformat()},
        "counts": {
            "people": summary.people,
            "households": summary.households,
            "families": summary.families,
            "families_with_children": summary.families_with_children,
            "families_eligible_3_needs": summary.families_eligible_3_needs,
        },
        "files": {
            f"feeds/{f.file}": {"feed": f.feed, "rows": f.rows, "person_slots": f.person_slots}
            for f in summary.files
        },
        # the only value that differs between two runs of the same config
        "elapsed_seconds": summary.timings["total_seconds"],
    }
    (out_dir / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return summary
