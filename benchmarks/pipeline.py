"""Pipeline throughput and peak memory for cities of given sizes, stage by stage.

Each stage runs in its own child process so that its peak resident memory is measured
alone (``os.wait4`` returns the child's own resource usage). By default the benchmark
stops after ingest; ``--through outcomes`` also links people, builds families and
assesses every family against the default outcomes framework.

    python -m benchmarks.pipeline --people 20000 --people 500000
    python -m benchmarks.pipeline --people 500000 --through outcomes
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def _run_stage(args: list[str]) -> tuple[float, float, str]:
    """Run a stage in a child; return (seconds, peak RSS in MiB, stdout)."""
    start = time.perf_counter()
    proc = subprocess.Popen(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-m", "benchmarks.pipeline", *args],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    out = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"stage {args[:2]} failed with exit code {proc.returncode}")
    return elapsed, usage.ru_maxrss / 1024, out


def _line(people: int, stage: str, secs: float, rows: int, rss: float) -> str:
    return f"{people:>9,} {stage:>7} {secs:>8.1f} {rows:>10,} {rows / secs:>9,.0f} {rss:>9,.0f}"


def _stage_synth(people: int, out: Path) -> None:
    from kinlink.synth import CityConfig, generate_city

    summary = generate_city(CityConfig(people=people, seed=42), out)
    rows = sum(int(v["rows"]) for v in json.loads(summary.to_json())["files"].values())
    print(json.dumps({"rows": rows}))


def _stage_ingest(feeds: Path, warehouse: Path) -> None:
    from kinlink.ingest import ingest_paths
    from kinlink.sources import definitions_load

    report = ingest_paths([feeds], warehouse=warehouse, definitions=definitions_load())
    print(json.dumps(report.totals()))


def _stage_link(warehouse: Path) -> None:
    from kinlink.linkage import LinkageConfig, linkage_run

    summary = linkage_run(
        warehouse, LinkageConfig(model_path=warehouse.parent / "person.json", retrain=True)
    )
    print(json.dumps({"rows": summary.precollapse.records}))


def _stage_families(warehouse: Path) -> None:
    from kinlink.families import families_build

    summary = families_build(warehouse)
    print(json.dumps({"rows": summary.person_keys}))


def _stage_outcomes(warehouse: Path) -> None:
    from kinlink.outcomes.services import outcomes_assess

    summary = outcomes_assess(warehouse)
    counts = summary.counts
    print(json.dumps({"rows": counts.families, "eligible": counts.eligible,
                      "seconds": summary.seconds}))  # fmt: skip


LATER_STAGES = {"link": _stage_link, "families": _stage_families, "outcomes": _stage_outcomes}


def main() -> None:
    """Parse arguments; either orchestrate the benchmark or run one stage in a child."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--people", type=int, action="append", default=[])
    parser.add_argument("--stage", choices=["synth", "ingest", *LATER_STAGES])
    parser.add_argument("--through", choices=["ingest", *LATER_STAGES], default="ingest")
    parser.add_argument("--out", type=Path)
    parser.add_argument("--warehouse", type=Path)
    parser.add_argument("--workdir", type=Path, default=None)
    args = parser.parse_args()
    if args.stage == "synth":
        _stage_synth(args.people[0], args.out)
        return
    if args.stage == "ingest":
        _stage_ingest(args.out, args.warehouse)
        return
    if args.stage in LATER_STAGES:
        LATER_STAGES[args.stage](args.warehouse)
        return
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    )
    print(f"{'people':>9} {'stage':>7} {'seconds':>8} {'rows':>10} {'rows/s':>9} {'peak MiB':>9}")
    for people in args.people or [20_000]:
        with tempfile.TemporaryDirectory(dir=args.workdir) as tmp:
            city = Path(tmp) / "city"
            secs, rss, out = _run_stage(
                ["--stage", "synth", "--people", str(people), "--out", str(city)]
            )
            rows = json.loads(out.strip().splitlines()[-1])["rows"]
            print(_line(people, "synth", secs, rows, rss))
            wh = Path(tmp) / "warehouse.duckdb"
            secs2, rss2, out2 = _run_stage(
                ["--stage", "ingest", "--out", str(city / "feeds"), "--warehouse", str(wh)]
            )
            totals = json.loads(out2.strip().splitlines()[-1])
            read = totals["rows_read"]
            print(_line(people, "ingest", secs2, read, rss2))
            print(
                f"{people:>9,} {'total':>7} {secs + secs2:>8.1f}   "
                f"loaded {totals['rows_loaded']:,}, quarantined {totals['rows_quarantined']:,}, "
                f"person records {totals['person_records']:,}"
            )
            sys.stdout.flush()
            for stage in LATER_STAGES if args.through != "ingest" else ():
                secs3, rss3, out3 = _run_stage(["--stage", stage, "--warehouse", str(wh)])
                result = json.loads(out3.strip().splitlines()[-1])
                print(_line(people, stage, secs3, result["rows"], rss3))
                if stage == "outcomes":
                    print(f"{people:>9,} {'':>7} eligible families {result['eligible']:,}; "
                          f"seconds by step {result['seconds']}")  # fmt: skip
                sys.stdout.flush()
                if stage == args.through:
                    break


if __name__ == "__main__":
    main()
