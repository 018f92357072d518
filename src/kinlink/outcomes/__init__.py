"""Outcomes: the Supporting Families framework as configuration, assessed over the warehouse."""

from kinlink.outcomes.loader import (
    DEFAULT_FRAMEWORK,
    FrameworkError,
    framework_fingerprint,
    framework_load,
)
from kinlink.outcomes.models import Framework

__all__ = [
    "DEFAULT_FRAMEWORK",
    "Framework",
    "FrameworkError",
    "framework_fingerprint",
    "framework_load",
]
