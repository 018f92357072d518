"""Portal latency under load: search and child pages for concurrent signed-in users.

Builds (or reuses) an assessed synthetic city, publishes it into a dedicated PostgreSQL
database (dropped and created afresh), serves the portal with gunicorn and the production
settings on 127.0.0.1, signs in ``--users`` users (password and TOTP) and lets each one
search and open children in its own scope for ``--seconds``; prints p50/p95/p99 per page.

    python -m benchmarks.portal_load --people 20000 --data data/bench20k
    python -m benchmarks.portal_load --people 500000 --data data/bench500k --think 1

The database URL is ``--database-url`` (default ``$KINLINK_BENCH_DATABASE_URL`` or
``postgres://postgres@127.0.0.1:5432/kinlink_bench``); its database is dropped first, so
never point it at one that matters. The load generator is threads over ``http.client``
(no extra dependency); every request loop is bounded by time and sends only to 127.0.0.1.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import hmac
import json
import os
import platform
import random
import socket
import struct
import subprocess
import sys
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.client import HTTPConnection
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any

DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/kinlink_bench"
PASSWORD = "bench-password-not-secret-2026"
PAGES = ("search (filters)", "search (name)", "child overview", "child chronology")
#: The governance registry purpose each role's session declares.
PURPOSES = {
    "mash": "mash_enquiry",
    "head_teacher": "safe_exploitation_review",
    "practitioner": "supporting_families_identification",
}


# --- the city, the database and the users ------------------------------------------------


def _kinlink(args: list[str], env: dict[str, str]) -> None:
    """Run one ``kinlink`` CLI command with this interpreter."""
    code = "from kinlink.cli.app import main; main()"
    subprocess.run([sys.executable, "-c", code, *args], env=env, check=True)


def city_build(people: int, seed: int, data: Path) -> Path:
    """Synthesise, ingest, link, group and assess a city once; later runs reuse it."""
    done = data / "bench_city.json"
    warehouse = data / "warehouse.duckdb"
    if done.exists() and json.loads(done.read_text()) == {"people": people, "seed": seed}:
        return warehouse
    env = {**os.environ, "KINLINK_DATA_DIR": str(data)}
    started = time.perf_counter()
    _kinlink(["synth", "--people", str(people), "--seed", str(seed),
              "--out", str(data / "city"), "--force"], env)  # fmt: skip
    for command in (["ingest", str(data / "city" / "feeds")], ["link"], ["families", "build"],
                    ["outcomes", "assess"]):  # fmt: skip
        _kinlink(command, env)
    done.write_text(json.dumps({"people": people, "seed": seed}))
    print(f"city of {people:,} built in {time.perf_counter() - started:.0f} s")
    return warehouse


def database_recreate(url: str) -> None:
    """Drop and create the benchmark's own database (connecting to ``postgres``)."""
    import psycopg

    parts = urllib.parse.urlsplit(url)
    name = parts.path.lstrip("/")
    if not name or name in ("postgres", "template0", "template1"):
        raise SystemExit(f"refusing to recreate database {name!r}: give a dedicated one")
    admin = urllib.parse.urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as con:
        con.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        con.execute(f'CREATE DATABASE "{name}"')


def portal_env(url: str) -> dict[str, str]:
    """The production settings, for a server reached over plain HTTP on 127.0.0.1 behind
    which a TLS proxy is pretended (the client sends ``X-Forwarded-Proto: https``)."""
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "kinlink.portal.settings.production",
        "DJANGO_SECRET_KEY": hashlib.sha256(b"kinlink portal load benchmark").hexdigest(),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": url,
    }


def users_create(out: Path, mash: int, heads: int, practitioners: int, sample: int) -> None:
    """(In the portal's process.) Users per role, each with children in its own scope."""
    import django

    django.setup()
    from django.db.models import Count

    from kinlink.portal import policy
    from kinlink.portal.access import people_visible, scope_for
    from kinlink.portal.models import Family, School
    from kinlink.portal.users import user_create

    schools = list(School.objects.order_by("-pupils", "urn").values_list("urn", flat=True))
    leads = list(
        Family.objects.exclude(lead_practitioner="")
        .values("lead_practitioner")
        .annotate(n=Count("pk"))
        .order_by("-n", "lead_practitioner")
        .values_list("lead_practitioner", flat=True)
    )
    made = [user_create(username=f"mash{i}", role=policy.MASH, password=PASSWORD)
            for i in range(mash)]  # fmt: skip
    made += [user_create(username=f"head{i}", role=policy.HEAD_TEACHER, password=PASSWORD,
                         school_urns=schools[i % len(schools)]) for i in range(heads)]  # fmt: skip
    made += [user_create(username=f"prac{i}", role=policy.PRACTITIONER, password=PASSWORD,
                         practitioner_name=leads[i % len(leads)])
             for i in range(practitioners)]  # fmt: skip
    rng = random.Random(42)  # noqa: S311 - a reproducible sample, not a secret
    users = []
    for new in made:
        scope = scope_for(new.device.user)
        assert scope is not None
        children = list(
            people_visible(scope).filter(is_child=True).exclude(surname="")
            .order_by("?").values_list("pk", "forename", "surname")[:sample]
        )  # fmt: skip
        rng.shuffle(children)
        users.append({"username": new.username, "role": new.role, "secret": new.totp_secret,
                      "children": children})  # fmt: skip
    out.write_text(json.dumps(users))


# --- the load --------------------------------------------------------------------------


def totp_code(secret_b32: str) -> str:
    """RFC 6238, from the base32 secret an authenticator app is given."""
    counter = int(time.time() // 30)
    mac = hmac.new(base64.b32decode(secret_b32), struct.pack(">Q", counter), "sha1").digest()
    offset = mac[-1] & 0x0F
    return f"{(struct.unpack('>I', mac[offset : offset + 4])[0] & 0x7FFFFFFF) % 1_000_000:06d}"


@dataclass
class Client:
    """One user's browser: cookies, CSRF, a fresh connection per request (gunicorn's sync
    workers close every connection), behind a pretended TLS proxy."""

    port: int
    cookies: dict[str, str] = field(default_factory=dict)

    def request(self, method: str, path: str, form: dict[str, str] | None = None
                ) -> tuple[int, str, bytes]:  # fmt: skip
        origin = f"https://127.0.0.1:{self.port}"
        headers = {"X-Forwarded-Proto": "https", "Host": f"127.0.0.1:{self.port}"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            form = {**form, "csrfmiddlewaretoken": self.cookies.get("__Host-csrftoken", "")}
            body = urllib.parse.urlencode(form)
            headers.update({"Content-Type": "application/x-www-form-urlencoded",
                            "Origin": origin, "Referer": origin + path})  # fmt: skip
        con = HTTPConnection("127.0.0.1", self.port, timeout=60)
        try:
            con.request(method, path, body=body, headers=headers)
            response = con.getresponse()
            content = response.read()
            for header in response.headers.get_all("Set-Cookie") or []:
                for name, morsel in SimpleCookie(header).items():
                    self.cookies[name] = morsel.value
            return response.status, response.headers.get("Location", ""), content
        finally:
            con.close()

    def sign_in(self, username: str, secret: str, role: str) -> None:
        self.request("GET", "/login/")
        status, where, _ = self.request("POST", "/login/",
                                        {"username": username, "password": PASSWORD})  # fmt: skip
        if status != 302 or not where.endswith("/login/code/"):
            raise SystemExit(f"{username}: password step gave {status} {where}")
        status, where, _ = self.request("POST", "/login/code/", {"token": totp_code(secret)})
        if status != 302:
            raise SystemExit(f"{username}: code step gave {status} {where}")
        # Every session declares its purpose from the governance registry.
        status, where, _ = self.request("POST", "/purpose/", {"purpose": PURPOSES[role]})
        if status != 302:
            raise SystemExit(f"{username}: purpose step gave {status} {where}")


@dataclass
class Samples:
    """Latencies (ms) per page, and what went wrong."""

    ms: dict[str, list[float]] = field(default_factory=lambda: {p: [] for p in PAGES})
    errors: dict[str, int] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, page: str, ms: float, ok: bool) -> None:
        with self.lock:
            if ok:
                self.ms[page].append(ms)
            else:
                self.errors[page] = self.errors.get(page, 0) + 1


def _timed(client: Client, method: str, path: str, form: dict[str, str] | None = None
           ) -> tuple[float, int, str, bytes]:  # fmt: skip
    start = time.perf_counter()
    status, where, body = client.request(method, path, form)
    return (time.perf_counter() - start) * 1000, status, where, body


def user_loop(user: dict[str, Any], port: int, samples: Samples, *, warm_until: float,
              until: float, think: float, seed: int) -> None:  # fmt: skip
    """Sign in, then search and open children until ``until`` (bounded by time)."""
    rng = random.Random(seed)  # noqa: S311 - load shape, not a secret
    client = Client(port)
    client.sign_in(user["username"], user["secret"], user["role"])
    children = user["children"]
    years = ["R", *map(str, range(1, 12))]
    flags = ["persistent_absence", "sen", "eligible_family", "exploitation_risk", ""]
    n = 0
    while time.monotonic() < until and children:
        key, forename, surname = children[n % len(children)]
        n += 1
        record = time.monotonic() >= warm_until
        page = rng.choices(PAGES, weights=(3, 2, 3, 2))[0]
        if page == "search (filters)":
            flag = rng.choice(flags)
            query = f"year={rng.choice(years)}" + (f"&flag={flag}" if flag else "")
            ms, status, _, _ = _timed(client, "GET", f"/search/?{query}&sort=name")
            ok = status == 200
        elif page == "search (name)":
            ms, status, where, _ = _timed(client, "POST", "/search/",
                                          {"name": f"{forename} {surname}"})  # fmt: skip
            ok = status == 302
            if ok:
                more, status, _, _ = _timed(client, "GET", where)
                ms += more  # the person may be on a later page of a common name: not an error
                ok = status == 200
        elif page == "child overview":
            if user["role"] == "mash":  # a MASH visit starts by recording its purpose
                ms, status, _, body = _timed(
                    client, "POST", f"/child/{key}/", {"purpose": "Load test: screening a referral"}
                )
            else:  # fmt: skip
                ms, status, _, body = _timed(client, "GET", f"/child/{key}/")
            ok = status == 200 and b"Linked records" in body
        else:
            if user["role"] == "mash":
                client.request("POST", f"/child/{key}/", {"purpose": "Load test: chronology"})
            ms, status, _, body = _timed(client, "GET", f"/child/{key}/chronology/")
            ok = status == 200 and b"Chronology, latest first" in body
        if record:
            samples.add(page, ms, ok)
        if think:
            time.sleep(rng.uniform(0, 2 * think))


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def report(samples: Samples, seconds: float) -> list[str]:
    lines = [f"{'page':<18} {'n':>6} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'errors':>7}"]
    total = 0
    for page in PAGES:
        ms = samples.ms[page]
        total += len(ms)
        if ms:
            lines.append(f"{page:<18} {len(ms):>6} {_percentile(ms, 0.5):>8.0f} "
                         f"{_percentile(ms, 0.95):>8.0f} {_percentile(ms, 0.99):>8.0f} "
                         f"{samples.errors.get(page, 0):>7}")  # fmt: skip
        else:
            lines.append(f"{page:<18} {0:>6} {'-':>8} {'-':>8} {'-':>8} "
                         f"{samples.errors.get(page, 0):>7}")  # fmt: skip
    lines.append(f"{total / seconds:.1f} measured requests/s over {seconds:.0f} s")
    return lines


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def serve(env: dict[str, str], workers: int, port: int, app: str) -> subprocess.Popen[bytes]:
    """gunicorn with sync workers on 127.0.0.1, waiting until it answers."""
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", app,
         "--workers", str(workers), "--bind", f"127.0.0.1:{port}", "--log-level", "warning"],
        env=env,
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            Client(port).request("GET", "/login/")
            return server
        except OSError:
            time.sleep(0.2)
    server.kill()
    raise SystemExit("gunicorn did not start")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=20000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument(
        "--data",
        type=Path,
        default=None,
        help="folder for the city and warehouse (reused when it matches)",
    )
    parser.add_argument("--database-url", default=os.environ.get(
        "KINLINK_BENCH_DATABASE_URL", DEFAULT_DB))  # fmt: skip
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--warmup", type=float, default=5)
    parser.add_argument(
        "--think",
        type=float,
        default=1.0,
        help="mean seconds a user waits between pages (0: back to back)",
    )
    parser.add_argument(
        "--skip-publish",
        action="store_true",
        help="reuse the database of the previous run as it is",
    )
    parser.add_argument(
        "--prepare-only", action="store_true", help="build, publish and create the users, then stop"
    )
    parser.add_argument(
        "--cache-feed-titles",
        action="store_true",
        help="serve benchmarks.portal_wsgi_cached (feed titles read once)",
    )
    parser.add_argument("--users-only", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    mash = max(1, args.users // 2)
    heads = (args.users - mash) // 2
    if args.users_only:  # the child process that creates users inside Django
        users_create(args.users_only, mash, heads, args.users - mash - heads, sample=200)
        return

    data = args.data or Path("data") / f"bench{args.people}"
    data.mkdir(parents=True, exist_ok=True)
    env = portal_env(args.database_url)
    users_file = data / "bench_users.json"
    if not args.skip_publish:
        warehouse = city_build(args.people, args.seed, data)
        database_recreate(args.database_url)
        manage = [sys.executable, "-m", "kinlink.portal"]
        subprocess.run([*manage, "migrate", "-v", "0"], env=env, check=True)
        started = time.perf_counter()
        subprocess.run([*manage, "publish", "--warehouse", str(warehouse)], env=env, check=True)
        print(f"published in {time.perf_counter() - started:.0f} s")
        subprocess.run([sys.executable, "-m", "benchmarks.portal_load", "--users",
                        str(args.users), "--users-only", str(users_file)],
                       env=env, check=True)  # fmt: skip
    if args.prepare_only:
        return
    users = json.loads(users_file.read_text())
    port = _free_port()
    app = "benchmarks.portal_wsgi_cached:application" if args.cache_feed_titles else (
        "kinlink.portal.wsgi:application")  # fmt: skip
    server = serve(env, args.workers, port, app)
    samples = Samples()
    load_before = os.getloadavg()[0]
    try:
        now = time.monotonic()
        warm_until, until = now + args.warmup, now + args.warmup + args.seconds
        threads = [
            threading.Thread(target=user_loop, args=(u, port, samples),
                             kwargs={"warm_until": warm_until, "until": until,
                                     "think": args.think, "seed": i})
            for i, u in enumerate(users)
        ]  # fmt: skip
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        server.terminate()
        server.wait(timeout=30)
    roles = {r: sum(u["role"] == r for u in users) for r in sorted({u["role"] for u in users})}
    today = datetime.now(UTC).date()
    print(f"\nportal load, {today}, {platform.machine()}, {os.cpu_count()} cores; "
          f"{args.people:,} people, {len(users)} users {roles}, gunicorn {args.workers} "
          f"sync workers, think {args.think} s mean, {args.seconds:.0f} s measured"
          + (", feed titles cached" if args.cache_feed_titles else "")
          + f"; load average {load_before:.1f} before, {os.getloadavg()[0]:.1f} after")  # fmt: skip
    for line in report(samples, args.seconds):
        print(line)


if __name__ == "__main__":
    main()
