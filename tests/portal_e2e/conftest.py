"""Browser tests of the portal: a real headless Chromium driven by Playwright.

Each test gets its own portal: a private copy of a SQLite database (the small assessed
city published once per worker by ``prepare``) served by ``runserver`` in a child process
on a free 127.0.0.1 port. Nothing is shared between tests, so ``-n 2`` is safe.

Set ``DATABASE_URL`` to a PostgreSQL server (CI does) and the same tests run on it: the
published city becomes a template database and each test gets ``CREATE DATABASE ...
TEMPLATE`` of it, dropped afterwards.

The portal runs out of process on purpose: pytest-django's ``live_server`` needs a
transactional test database that is flushed after every test (taking the published city
with it), and Playwright's sync API keeps an event loop running in the test thread, where
Django's ORM refuses to run. The tests therefore read the database with ``sqlite3``.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import shutil
import socket
import sqlite3
import struct
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from tests.conftest import AssessedCity

CHROMIUM = "/usr/bin/chromium"
ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "docs" / "portal" / "screenshots"
VIEWPORT = {"width": 1280, "height": 900}
#: The session purpose each test user chooses after signing in (the administrator has none).
PURPOSES = {
    "headteacher": "safe_exploitation_review",
    "practitioner": "supporting_families_identification",
    "mash": "mash_enquiry",
    "analyst": "supporting_families_identification",
}

#: Test modules mark themselves with this: without the browser they skip, saying why.
needs_chromium = pytest.mark.skipif(
    not Path(CHROMIUM).exists(),
    reason=f"browser tests need Debian's chromium at {CHROMIUM} (apt-get install chromium)",
)


def totp_code(secret_b32: str, at: float | None = None) -> str:
    """RFC 6238 code from the base32 secret a user puts in an authenticator app."""
    key = base64.b32decode(secret_b32)
    counter = int((time.time() if at is None else at) // 30)
    mac = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = mac[-1] & 0x0F
    number = struct.unpack(">I", mac[offset : offset + 4])[0] & 0x7FFFFFFF
    return f"{number % 1_000_000:06d}"


#: The PostgreSQL server the tests run on, or None for SQLite files.
POSTGRES_URL = (
    os.environ["DATABASE_URL"]
    if os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://"))
    else None
)


def _postgres(sql: str) -> None:
    """Run one statement (CREATE/DROP DATABASE) on the server, outside a transaction."""
    import psycopg

    assert POSTGRES_URL is not None
    with psycopg.connect(POSTGRES_URL, autocommit=True) as con:
        con.execute(sql)  # type: ignore[arg-type]


def _database_url(name: str) -> str:
    """The URL of database ``name`` on the PostgreSQL server."""
    assert POSTGRES_URL is not None
    return POSTGRES_URL.rsplit("/", 1)[0] + f"/{name}"


def _database_name(label: str) -> str:
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    return f"kinlink_e2e_{worker}_{label}"


def _child_env(database_url: str, data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    env.update(
        DJANGO_SETTINGS_MODULE="kinlink.portal.settings.dev",
        DATABASE_URL=database_url,
        KINLINK_DATA_DIR=str(data_dir),
        PYTHONPATH=os.pathsep.join([str(ROOT), env.get("PYTHONPATH", "")]).rstrip(os.pathsep),
    )
    return env


@dataclass(frozen=True)
class Template:
    """The published database every test copies, and who and what is in it."""

    database_url: str
    cast: dict[str, Any]


@pytest.fixture(scope="session")
def portal_template(
    assessed_city: AssessedCity,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Template]:
    folder = tmp_path_factory.mktemp("portal_e2e")
    cast = folder / "cast.json"
    if POSTGRES_URL:
        name = _database_name("template")
        _postgres(f"DROP DATABASE IF EXISTS {name}")
        _postgres(f"CREATE DATABASE {name}")
        url = _database_url(name)
    else:
        url = f"sqlite:///{folder / 'portal.sqlite3'}"
    done = subprocess.run(
        [sys.executable, "-m", "tests.portal_e2e.prepare", str(assessed_city.warehouse), str(cast)],
        env=_child_env(url, folder), cwd=ROOT, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    yield Template(url, json.loads(cast.read_text()))
    if POSTGRES_URL:
        _postgres(f"DROP DATABASE IF EXISTS {url.rsplit('/', 1)[1]} WITH (FORCE)")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_up(url: str, process: subprocess.Popen[bytes], timeout: float = 30.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            return False
        try:
            with urllib.request.urlopen(url + "/login/", timeout=2) as response:  # noqa: S310
                if response.status == 200:
                    return True
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.1)
    return False


@dataclass
class Portal:
    """One test's running portal: its address, its database and the cast."""

    url: str
    database_url: str
    folder: Path
    cast: dict[str, Any]
    shots: list[str] = field(default_factory=list)

    def rows(self, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        """Read the portal's database as it is now, dates as ISO text on either database."""
        if self.database_url.startswith("sqlite:///"):
            path = self.database_url.removeprefix("sqlite:///")
            con = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=10)
            try:
                return list(con.execute(sql, params).fetchall())
            finally:
                con.close()
        import psycopg

        with psycopg.connect(self.database_url) as pg:
            found = pg.execute(sql.replace("?", "%s"), params).fetchall()  # type: ignore[arg-type]
        return [tuple(_as_text(v) for v in row) for row in found]

    def audit(self, username: str, action: str) -> list[tuple[str, str, str]]:
        """``(object_type, object_id, purpose)`` of ``username``'s ``action`` events."""
        return [
            (t, i, p)
            for t, i, p in self.rows(
                "SELECT object_type, object_id, purpose FROM portal_auditevent "
                "WHERE username = ? AND action = ? ORDER BY id",
                (username, action),
            )
        ]


def _as_text(value: Any) -> Any:
    """PostgreSQL's dates, times and JSON as SQLite gives them (text), so tests read both
    the same way."""
    if isinstance(value, dict | list):
        return json.dumps(value)
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    return value


@pytest.fixture
def portal(portal_template: Template, tmp_path: Path) -> Iterator[Portal]:
    """A private portal for one test (a copy of the template database, its own server)."""
    if POSTGRES_URL:
        name = _database_name(hashlib.sha1(str(tmp_path).encode()).hexdigest()[:12])
        template = portal_template.database_url.rsplit("/", 1)[1]
        _postgres(f"DROP DATABASE IF EXISTS {name}")
        _postgres(f"CREATE DATABASE {name} TEMPLATE {template}")
        database_url = _database_url(name)
    else:
        db = tmp_path / "portal.sqlite3"
        shutil.copy(portal_template.database_url.removeprefix("sqlite:///"), db)
        database_url = f"sqlite:///{db}"
    for _attempt in range(3):
        port = _free_port()
        url = f"http://127.0.0.1:{port}"
        log = (tmp_path / "server.log").open("wb")
        process = subprocess.Popen(
            [sys.executable, "-m", "kinlink.portal", "runserver", "--noreload", "--insecure",
             "--skip-checks", f"127.0.0.1:{port}"],
            env=_child_env(database_url, tmp_path), cwd=ROOT, stdout=log,
            stderr=subprocess.STDOUT,
        )  # fmt: skip
        if _wait_up(url, process):
            break
        process.kill()
        process.wait()
        log.close()
    else:
        pytest.fail("the portal did not start: " + (tmp_path / "server.log").read_text()[-2000:])
    try:
        yield Portal(url, database_url, tmp_path, portal_template.cast)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()
        if POSTGRES_URL:
            _postgres(f"DROP DATABASE IF EXISTS {database_url.rsplit('/', 1)[1]} WITH (FORCE)")


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Headless Chromium for one module; closed after it, so no event loop outlives it."""
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, headless=True)
        try:
            yield launched
        finally:
            launched.close()


class SignIn:
    """Opens a fresh browser context (its own cookies) per user and signs in with 2FA."""

    def __init__(self, browser: Browser, portal: Portal) -> None:
        self.browser = browser
        self.portal = portal
        self.contexts: list[Any] = []

    def page(self) -> Page:
        context = self.browser.new_context(viewport=VIEWPORT, base_url=self.portal.url)
        context.set_default_timeout(15_000)
        self.contexts.append(context)
        return context.new_page()

    def __call__(self, username: str) -> Page:
        page = self.page()
        page.goto("/login/")
        page.fill("#username", username)
        page.fill("#password", self.portal.cast["password"])
        page.click("main button[type=submit]")
        expect(page).to_have_url(self.portal.url + "/login/code/")
        page.fill("#token", totp_code(self.portal.cast["users"][username]["totp_secret"]))
        page.click("main button[type=submit]")
        purpose = PURPOSES.get(username)
        if purpose is not None:  # every role but the administrator declares a purpose
            expect(page.locator("h1")).to_have_text("What are you working on?")
            page.check(f"#purpose-{purpose}")
            page.click("#purpose-button")
        expect(page.locator("h1")).to_have_text("Dashboard")
        return page

    def close(self) -> None:
        for context in self.contexts:
            context.close()


@pytest.fixture
def sign_in(browser: Browser, portal: Portal) -> Iterator[SignIn]:
    signing = SignIn(browser, portal)
    try:
        yield signing
    finally:
        signing.close()


def screenshot(page: Page, name: str) -> None:
    """Save a documentation screenshot, only when ``KINLINK_SCREENSHOTS=1`` (so a normal
    run never rewrites the committed pictures)."""
    if os.environ.get("KINLINK_SCREENSHOTS") != "1":
        return
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    height = min(int(page.evaluate("document.documentElement.scrollHeight")), 1800)
    page.screenshot(
        path=str(SCREENSHOTS / f"{name}.png"),
        full_page=True,
        clip={"x": 0, "y": 0, "width": VIEWPORT["width"], "height": height},
    )
