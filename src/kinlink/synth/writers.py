"""Open feed files, numbered rows, blank and duplicate rows, and the person-slot truth.

One handle per output file stays open for the whole run, opened with the feed's
encoding. Every data row is numbered as a reader counts it (1-based after the header,
blank and duplicate rows included) and every person slot of every non-blank row is
written to ``truth/person_slots.csv`` as it happens, so the two cannot drift apart.
"""

from __future__ import annotations

import csv
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from kinlink.synth.config import NoiseConfig
from kinlink.synth.feeds import FEEDS, shuffled_columns, shuffled_file
from kinlink.synth.names import cp1252_safe

Slots = Sequence[tuple[str, str]]  # (slot name or "", person id)


@dataclass
class FileStats:
    """What one file holds, for the summary and the manifest."""

    feed: str
    file: str
    rows: int = 0  # data rows including blank and duplicate rows
    person_slots: int = 0
    blank_rows: int = 0
    duplicate_rows: int = 0
    columns: tuple[str, ...] = field(default_factory=tuple)


class _File:
    __slots__ = ("cp1252", "handle", "order", "stats", "writer", "width")

    def __init__(
        self,
        path: Path,
        feed: str,
        columns: tuple[str, ...],
        encoding: str,
        order: list[int] | None,
    ) -> None:
        self.handle: IO[str] = path.open("w", encoding=encoding, newline="", errors="strict")
        windows = encoding != "utf-8"
        self.writer = csv.writer(self.handle, lineterminator="\r\n" if windows else "\n")
        self.order = order
        header = [columns[i] for i in order] if order else list(columns)
        self.writer.writerow(header)
        self.stats = FileStats(feed, path.name, columns=tuple(header))
        self.cp1252 = encoding == "cp1252"
        self.width = len(columns)


class FeedSink:
    """Where every feed row goes, with its person slots recorded as truth."""

    def __init__(
        self,
        feeds_dir: Path,
        truth_dir: Path,
        names: dict[str, list[str]],
        noise: NoiseConfig,
        shuffle: bool,
    ) -> None:
        feeds_dir.mkdir(parents=True, exist_ok=True)
        truth_dir.mkdir(parents=True, exist_ok=True)
        self._files: dict[str, _File] = {}
        shuffled = shuffled_file(names) if shuffle else None
        for feed, files in names.items():
            spec = FEEDS[feed]
            for name in files:
                order = None
                if name == shuffled:
                    order = [spec.columns.index(c) for c in shuffled_columns(spec.columns)]
                self._files[name] = _File(
                    feeds_dir / name, feed, spec.columns, spec.encoding, order
                )
        self._truth_handle = (truth_dir / "person_slots.csv").open(
            "w", encoding="utf-8", newline=""
        )
        self._truth = csv.writer(self._truth_handle, lineterminator="\n")
        self._truth.writerow(["feed", "file", "row_number", "slot", "person_id"])
        self._blank = noise.blank_row
        self._duplicate = noise.duplicate_row
        self.rng = random.Random(0)  # replaced by each chunk's noise stream

    def row(self, file: str, values: list[Any], slots: Slots) -> None:
        """Write one data row (and, sometimes, a blank row before it or a copy after it)."""
        f = self._files[file]
        rng, stats = self.rng, f.stats
        if f.cp1252:
            values = [cp1252_safe(v) if isinstance(v, str) else v for v in values]
        if f.order is not None:
            values = [values[i] for i in f.order]
        if self._blank and rng.random() < self._blank:
            f.writer.writerow([""] * f.width)
            stats.rows += 1
            stats.blank_rows += 1
        copies = 2 if self._duplicate and rng.random() < self._duplicate else 1
        truth = self._truth.writerow
        for _ in range(copies):
            f.writer.writerow(values)
            stats.rows += 1
            for slot, pid in slots:
                truth((stats.feed, file, stats.rows, slot, pid))
            stats.person_slots += len(slots)
        if copies == 2:
            stats.duplicate_rows += 1

    def stats(self) -> list[FileStats]:
        return [f.stats for f in self._files.values()]

    def close(self) -> None:
        for f in self._files.values():
            f.handle.close()
        self._truth_handle.close()
