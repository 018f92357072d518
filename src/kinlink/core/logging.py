"""Logging that carries counts and identifiers of files, never personal data.

Call sites log feed names, file names, row numbers and counts only. The formatter below
adds nothing else, and the ``redact`` helper exists for the rare message that must refer
to a value: it keeps its length and shape but not its content.
"""

from __future__ import annotations

import logging


def get_logger(name: str) -> logging.Logger:
    """A module logger under the ``kinlink`` namespace."""
    return logging.getLogger(name if name.startswith("kinlink") else f"kinlink.{name}")


def redact(value: str | None) -> str:
    """Describe a value without revealing it, e.g. ``'<text, 7 chars>'``."""
    if value is None:
        return "<blank>"
    kind = "digits" if value.isdigit() else "text"
    return f"<{kind}, {len(value)} chars>"
