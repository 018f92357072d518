"""Cross-cutting basics: settings from the environment, errors, the clock and PII-free logging."""

from kinlink.core.errors import InputError, KinlinkError
from kinlink.core.settings import Settings, settings_load

__all__ = ["InputError", "KinlinkError", "Settings", "settings_load"]
