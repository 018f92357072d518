"""Tests: SQLite in memory, or PostgreSQL when ``DATABASE_URL`` is set (CI runs both)."""

from __future__ import annotations

import os
from pathlib import Path

from kinlink.portal.settings.base import *  # noqa: F403
from kinlink.portal.settings.base import database_from_env

SECRET_KEY = "test-only-key"  # noqa: S105
DEBUG = False
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]
DATABASES = {"default": database_from_env(Path(os.devnull))}
if str(DATABASES["default"]["ENGINE"]).endswith("sqlite3"):
    DATABASES["default"]["NAME"] = ":memory:"
# Fast hashing in tests; production keeps Argon2 first (tested separately).
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.MD5PasswordHasher",
    "django.contrib.auth.hashers.Argon2PasswordHasher",
]
AXES_FAILURE_LIMIT = 3
