"""Settings shared by every environment. Secrets and hosts come from the environment only.

The portal keeps its own database (SQLite by default under ``KINLINK_DATA_DIR``,
PostgreSQL through ``DATABASE_URL``); it never needs the DuckDB warehouse to serve pages.
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url

from kinlink.core.settings import settings_load

PORTAL_DIR = Path(__file__).resolve().parents[1]
DATA_DIR = settings_load().data_dir


def database_from_env(default_sqlite: Path) -> dict[str, object]:
    """``DATABASE_URL`` when set, else a SQLite file: one place decides the database."""
    url = os.environ.get("DATABASE_URL")
    if url:
        return dict(dj_database_url.parse(url, conn_max_age=60))
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": str(default_sqlite),
        "OPTIONS": {"timeout": 20},
    }


INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "django_htmx",
    "kinlink.portal.apps.PortalConfig",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "kinlink.portal.partials.HtmxFallbackMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "kinlink.portal.middleware.SecurityHeadersMiddleware",
    "kinlink.portal.middleware.InactivityMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "kinlink.portal.urls"
WSGI_APPLICATION = "kinlink.portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "kinlink.portal.context.portal_context",
            ],
        },
    }
]

DATABASES = {"default": database_from_env(DATA_DIR / "portal.sqlite3")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Argon2 first: new and re-hashed passwords use it.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Axes first so a locked-out user is refused before the password is checked. A later OIDC
# backend is one more entry here.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "portal:login"
LOGIN_REDIRECT_URL = "portal:dashboard"

AXES_FAILURE_LIMIT = int(os.environ.get("KINLINK_LOGIN_FAILURES", "5"))
AXES_COOLOFF_TIME = 1  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "username"]
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False  # axes would otherwise log usernames
AXES_LOCKOUT_TEMPLATE = "portal/locked_out.html"

# Sessions end after inactivity (the middleware also enforces it server-side).
SESSION_COOKIE_AGE = int(os.environ.get("KINLINK_SESSION_SECONDS", str(30 * 60)))
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

OTP_TOTP_ISSUER = "Kinlink"

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = False
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("KINLINK_STATIC_ROOT", str(DATA_DIR / "static")))

# Portal policy knobs (configuration, not code).
KINLINK_SCHOOL_WINDOW_DAYS = int(os.environ.get("KINLINK_SCHOOL_WINDOW_DAYS", "365"))


def _display_windows(text: str) -> dict[str, int]:
    """``role=days,role=days``: how far back each role is shown records (display, not
    retention); a role not named sees everything still held."""
    windows = {}
    for item in filter(None, (part.strip() for part in text.split(","))):
        role, _, days = item.partition("=")
        windows[role.strip()] = int(days)
    return windows


KINLINK_DISPLAY_WINDOW_DAYS = _display_windows(
    os.environ.get("KINLINK_DISPLAY_WINDOW_DAYS", "head_teacher=365")
)
KINLINK_BREAK_GLASS_MINUTES = int(os.environ.get("KINLINK_BREAK_GLASS_MINUTES", "60"))
KINLINK_PURPOSE_MINUTES = int(os.environ.get("KINLINK_PURPOSE_MINUTES", "30"))
#: Key of analysts' pseudonyms (keyed hashes); stays on the server. Default: from SECRET_KEY.
KINLINK_PSEUDONYM_KEY = os.environ.get("KINLINK_PSEUDONYM_KEY", "")
#: A council's own governance registry folder (agreements.yaml, purposes.yaml), added to the
#: shipped one; the session purposes offered and the feeds each shows come from it.
KINLINK_GOVERNANCE_DIR = os.environ.get("KINLINK_GOVERNANCE_DIR", "")
#: GeoJSON boundary file of the dashboard map's areas (empty: the synthetic city's districts
#: shipped with Kinlink; "none": no map), the feature property holding each area's code
#: (a postcode district such as KC12 or a sector such as KC12 3) and the one naming it.
KINLINK_AREA_BOUNDARIES = os.environ.get("KINLINK_AREA_BOUNDARIES", "")
KINLINK_AREA_CODE_PROPERTY = os.environ.get("KINLINK_AREA_CODE_PROPERTY", "code")
KINLINK_AREA_NAME_PROPERTY = os.environ.get("KINLINK_AREA_NAME_PROPERTY", "name")

# No personal data in logs: request logging is off; errors go to stderr without locals.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "loggers": {
        "django.request": {"handlers": ["console"], "level": "ERROR", "propagate": False},
        "django.server": {"handlers": [], "level": "ERROR", "propagate": False},
        "axes": {"handlers": [], "level": "WARNING", "propagate": False},
    },
}
