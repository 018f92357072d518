"""Development on localhost: a fixed, clearly unsafe key unless one is given."""

from __future__ import annotations

import os

from kinlink.portal.settings.base import *  # noqa: F403

DEBUG = os.environ.get("KINLINK_DEBUG", "0") == "1"
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "dev-only-insecure-key-not-for-production")
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver"]
