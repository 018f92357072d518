"""Errors that the CLI turns into one clear message and a non-zero exit."""

from __future__ import annotations

from dataclasses import dataclass


class KinlinkError(Exception):
    """Base of every error a user can act on (as opposed to a bug)."""


@dataclass
class InputError(KinlinkError):
    """Bad input: names the file and, where it applies, the row and field.

    Messages must never quote personal data: they say *where* and *what kind*, not *what*.
    """

    file: str
    problem: str
    row: int | None = None
    field: str | None = None

    def __str__(self) -> str:
        where = self.file
        if self.row is not None:
            where += f", row {self.row}"
        if self.field is not None:
            where += f", field '{self.field}'"
        return f"{where}: {self.problem}"
