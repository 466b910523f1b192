"""Shared parts of the Lapor benchmarks and the load test (not a benchmark itself).

- `prepare_database(name)`: a throw-away PostgreSQL database with the schema and the city's
  reference data (Semarang areas + demo boundaries, agencies, categories). The migrated,
  imported state is kept as a template database named after a hash of the migrations and
  reference files (`kp_bench_tpl_<hash>`), so a second run copies it in a second instead of
  migrating again; `drop_templates()` removes it.
- `Server`: gunicorn (2 workers × 4 threads, as `make run`) on a free loopback port with
  production-like settings (DEBUG off, a real SECRET_KEY, Redis cache on a free database
  number when Redis answers), the baseline views of kotapintar/reports/bench_views.py
  switched on; worker PIDs and their resident memory from /proc.
- `Client`: a keep-alive HTTP/1.1 client with cookies (http.client), `sign_in_staff` through
  the real sign-in and two-factor pages, `latencies` (requests in rounds, each endpoint and
  its baseline side by side) and `throughput` (N threads for T seconds).

Everything runs on 127.0.0.1; nothing leaves the machine.
"""

from __future__ import annotations

import hashlib
import http.client
import json
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG_BASE = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
CITY = "33.74"


def pg_url(name: str) -> str:
    return f"{PG_BASE}/{name}"


def setup_django(db_name: str) -> None:
    """Point Django at the benchmark database (call before anything imports models)."""
    os.environ["DATABASE_URL"] = pg_url(db_name)
    # Pages rendered in this process (EXPLAIN capture) need no collectstatic manifest.
    os.environ.setdefault("STATICFILES_STORAGE", "django.contrib.staticfiles.storage.StaticFilesStorage")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kotapintar.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


# --- databases ---------------------------------------------------------------------------------------


def _admin():
    import psycopg

    return psycopg.connect(pg_url("postgres"), autocommit=True)


def _exists(cur, name: str) -> bool:
    cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
    return cur.fetchone() is not None


def drop_database(name: str) -> None:
    from django.db import connections

    connections.close_all()
    with _admin() as conn, conn.cursor() as cur:
        cur.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _template_name() -> str:
    digest = hashlib.sha1()  # noqa: S324 - a cache key, not security
    files = sorted(ROOT.glob("kotapintar/*/migrations/*.py"))
    files += [ROOT / "kotapintar/reports/data/categories.csv"]
    files += sorted(ROOT.glob("kotapintar/agencies/data/**/*"))
    files += sorted(ROOT.glob("kotapintar/regions/data/boundaries/*"))
    for path in files:
        if path.is_file():
            digest.update(str(path.relative_to(ROOT)).encode())
            digest.update(path.read_bytes())
    return f"kp_bench_tpl_{digest.hexdigest()[:10]}"


def drop_templates() -> None:
    with _admin() as conn, conn.cursor() as cur:
        cur.execute("SELECT datname FROM pg_database WHERE datname LIKE 'kp_bench_tpl_%%'")
        for (name,) in cur.fetchall():
            cur.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def prepare_database(name: str, log: Callable[[str], None] = print) -> None:
    """(Re)create `name` with the schema and the reference data; Django must point at it."""
    from django.core.management import call_command
    from django.db import connections

    template = _template_name()
    connections.close_all()
    with _admin() as conn, conn.cursor() as cur:
        cur.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if _exists(cur, template):
            cur.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
            log(f"database {name}: copied from {template}")
            return
        cur.execute(f'CREATE DATABASE "{name}"')
    started = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    call_command("import_regions", only=CITY, verbosity=0)
    call_command("import_boundaries", demo=True, verbosity=0)
    call_command("import_agencies", verbosity=0)
    call_command("import_categories", verbosity=0)
    connections.close_all()
    log(f"database {name}: migrated and reference data imported in {time.perf_counter() - started:.0f} s")
    with _admin() as conn, conn.cursor() as cur:
        cur.execute("SELECT datname FROM pg_database WHERE datname LIKE 'kp_bench_tpl_%%'")
        for (old,) in cur.fetchall():
            cur.execute(f'DROP DATABASE IF EXISTS "{old}" WITH (FORCE)')
        try:
            cur.execute(f'CREATE DATABASE "{template}" TEMPLATE "{name}"')
        except Exception as exc:
            log(f"(no template cached: {exc})")


# --- Redis ---------------------------------------------------------------------------------------------


def free_redis_db(preferred: Iterable[int] = (14, 13, 12, 11, 10, 9)) -> int | None:
    """A Redis database number with no keys (None when Redis does not answer)."""
    try:
        import redis
    except ImportError:  # pragma: no cover
        return None
    for number in preferred:
        try:
            client = redis.Redis(host="127.0.0.1", port=6379, db=number, socket_timeout=1)
            if client.dbsize() == 0:
                return number
        except Exception:
            return None
    return None


def flush_redis_db(number: int | None) -> None:
    if number is None:
        return
    import redis

    redis.Redis(host="127.0.0.1", port=6379, db=number).flushdb()


# --- the server ---------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Server:
    db_name: str
    workers: int = 2
    threads: int = 4
    redis_db: int | None = None
    env: dict = field(default_factory=dict)
    port: int = 0
    process: subprocess.Popen | None = None
    log_path: Path | None = None

    def start(self, timeout: float = 90) -> Server:
        self.port = self.port or free_port()
        env = {
            **os.environ,
            "DATABASE_URL": pg_url(self.db_name),
            "DJANGO_SETTINGS_MODULE": "kotapintar.settings",
            "DEBUG": "0",
            "SECRET_KEY": "bench-" + secrets.token_urlsafe(32),
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "BENCH_BASELINE_VIEWS": "1",
            # Static files are nginx's job in production: no manifest needed here.
            "STATICFILES_STORAGE": "django.contrib.staticfiles.storage.StaticFilesStorage",
            # Throttles stay on (their cost counts) with rates a load generator does not hit.
            "API_THROTTLE_USER": "1000000/min",
            "API_THROTTLE_ANON": "1000000/min",
            "OPEN311_THROTTLE_READ": "1000000/min",
            "OPEN311_THROTTLE_WRITE": "1000000/min",
            "LOG_LEVEL": "WARNING",
            "CONN_MAX_AGE": "60",
            "PYTHONUNBUFFERED": "1",
        }
        if self.redis_db is not None:
            url = f"redis://127.0.0.1:6379/{self.redis_db}"
            env["REDIS_URL"] = url
            env["CELERY_BROKER_URL"] = url
        env.update(self.env)
        self.log_path = Path(tempfile.gettempdir()) / f"kp_bench_gunicorn_{self.port}.log"
        log = open(self.log_path, "w")  # noqa: SIM115 - the server's whole life
        self.process = subprocess.Popen(
            [
                str(ROOT / ".venv/bin/gunicorn"),
                "kotapintar.wsgi",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                str(self.workers),
                "--threads",
                str(self.threads),
                "--timeout",
                "120",
                "--graceful-timeout",
                "10",
                "--keep-alive",
                "30",
            ],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited: see {self.log_path}\n{self.log_tail()}")
            try:
                status, _b, _t = Client(self.port).request("GET", "/healthz/")
                if status == 200 and len(self.worker_pids()) >= self.workers:
                    return self
            except OSError:
                pass
            time.sleep(0.3)
        raise RuntimeError(f"gunicorn did not answer within {timeout} s: {self.log_path}\n{self.log_tail()}")

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log_path.read_text().splitlines()[-lines:])
        except OSError:
            return ""

    def worker_pids(self) -> list[int]:
        """The gunicorn workers: children of the master process."""
        if self.process is None:
            return []
        found = []
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            try:
                with open(f"/proc/{entry}/status") as fh:
                    status = fh.read()
            except OSError:
                continue
            match = re.search(r"^PPid:\s+(\d+)", status, re.M)
            if match and int(match.group(1)) == self.process.pid:
                found.append(int(entry))
        return sorted(found)

    @staticmethod
    def rss_mb(pid: int) -> float | None:
        try:
            with open(f"/proc/{pid}/status") as fh:
                match = re.search(r"^VmRSS:\s+(\d+) kB", fh.read(), re.M)
            return int(match.group(1)) / 1024 if match else None
        except OSError:
            return None

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)

    def __enter__(self) -> Server:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


# --- the client ---------------------------------------------------------------------------------------


class Client:
    """One keep-alive connection with a cookie jar (not thread-safe: one per thread)."""

    def __init__(self, port: int, headers: dict | None = None):
        self.port = port
        self.conn: http.client.HTTPConnection | None = None
        self.cookies: dict[str, str] = {}
        self.headers = dict(headers or {})

    def _connection(self) -> http.client.HTTPConnection:
        if self.conn is None:
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
        return self.conn

    def request(self, method: str, path: str, body: bytes | str | None = None, headers: dict | None = None):
        """(status, body, seconds) — seconds from sending to the last byte of the answer."""
        all_headers = {"Host": "127.0.0.1", **self.headers, **(headers or {})}
        if self.cookies:
            all_headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if isinstance(body, str):
            body = body.encode()
        for attempt in (1, 2):
            conn = self._connection()
            started = time.perf_counter()
            try:
                conn.request(method, path, body=body, headers=all_headers)
                response = conn.getresponse()
                data = response.read()
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                # The server closed an idle keep-alive connection: once more on a new one.
                self.close()
                if attempt == 2:
                    raise
                continue
            seconds = time.perf_counter() - started
            for header, value in response.getheaders():
                if header.lower() == "set-cookie":
                    name, _sep, rest = value.partition("=")
                    self.cookies[name.strip()] = rest.split(";", 1)[0]
            if response.getheader("Connection", "").lower() == "close":
                self.close()
            return response.status, data, seconds
        raise RuntimeError("unreachable")

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None


def _csrf_from(html: bytes) -> str:
    match = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    if not match:
        raise RuntimeError("no CSRF token in the page")
    return match.group(1).decode()


def sign_in_staff(port: int, email: str, password: str, device) -> Client:
    """A client signed in as a staff member through the real pages: password, then the TOTP code."""
    from kotapintar.accounts.totp import current_token

    client = Client(port)
    status, html, _t = client.request("GET", "/accounts/login/")
    form = {"username": email, "password": password, "csrfmiddlewaretoken": _csrf_from(html)}
    headers = {"Content-Type": "application/x-www-form-urlencoded", "Referer": f"http://127.0.0.1:{port}/"}
    status, _b, _t = client.request("POST", "/accounts/login/", urllib.parse.urlencode(form), headers)
    if status != 302:
        raise RuntimeError(f"sign-in answered {status}")
    status, html, _t = client.request("GET", "/accounts/2fa/")
    form = {"code": current_token(device), "csrfmiddlewaretoken": _csrf_from(html)}
    status, _b, _t = client.request("POST", "/accounts/2fa/", urllib.parse.urlencode(form), headers)
    if status != 302:
        raise RuntimeError(f"two-factor step answered {status}")
    return client


# --- measuring ----------------------------------------------------------------------------------------


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    k = (len(ordered) - 1) * p / 100
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


@dataclass
class Endpoint:
    name: str
    paths: list[str]  # rotated, so that no single query is cached by the database alone
    client: Client
    expect: int = 200
    times: list[float] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)


def latencies(endpoints: list[Endpoint], *, rounds: int, warmup: int = 10) -> None:
    """Each round requests every endpoint once, one after the other (side by side in time)."""
    for i in range(warmup + rounds):
        for ep in endpoints:
            path = ep.paths[i % len(ep.paths)]
            status, body, seconds = ep.client.request("GET", path)
            if status != ep.expect:
                ep.failures.append(f"{path} → {status}: {body[:200]!r}")
            elif i >= warmup:
                ep.times.append(seconds)


@dataclass
class Throughput:
    ok: int = 0
    errors: list[str] = field(default_factory=list)
    seconds: float = 0.0
    answers: list[bytes] = field(default_factory=list)

    @property
    def per_second(self) -> float:
        return self.ok / self.seconds if self.seconds else 0.0


def throughput(
    port: int,
    make_request: Callable[[int, int], tuple[str, str, bytes, dict]],
    *,
    concurrency: int,
    seconds: float,
    expect: Iterable[int] = (200, 201),
    keep_answers: bool = False,
) -> Throughput:
    """`concurrency` threads send requests back to back for `seconds`.

    make_request(thread, n) gives (method, path, body, headers) of a thread's n-th request."""
    expected = set(expect)
    result = Throughput()
    lock = threading.Lock()
    stop_at = time.perf_counter() + seconds
    barrier = threading.Barrier(concurrency + 1)

    def work(thread: int) -> None:
        client = Client(port)
        barrier.wait()
        n = 0
        ok, errors, answers = 0, [], []
        while time.perf_counter() < stop_at:
            method, path, body, headers = make_request(thread, n)
            n += 1
            try:
                status, data, _t = client.request(method, path, body, headers)
            except OSError as exc:
                errors.append(f"{type(exc).__name__}: {exc}")
                client.close()
                continue
            if status in expected:
                ok += 1
                if keep_answers:
                    answers.append(data)
            else:
                errors.append(f"{status}: {data[:200]!r}")
        client.close()
        with lock:
            result.ok += ok
            result.errors += errors
            result.answers += answers

    threads = [threading.Thread(target=work, args=(t,), daemon=True) for t in range(concurrency)]
    for t in threads:
        t.start()
    barrier.wait()
    started = time.perf_counter()
    for t in threads:
        t.join()
    result.seconds = time.perf_counter() - started
    return result


def json_body(data: dict) -> bytes:
    return json.dumps(data).encode()


def machine() -> str:
    """nproc, RAM and load average, for the record of every figure."""
    cpus = os.cpu_count()
    try:
        with open("/proc/meminfo") as fh:
            total = int(re.search(r"MemTotal:\s+(\d+)", fh.read()).group(1)) // 1024
    except (OSError, AttributeError):
        total = 0
    load = " ".join(f"{v:.2f}" for v in os.getloadavg())
    return f"{cpus} CPUs, {total / 1024:.1f} GB RAM, load average {load}"


# --- intake ------------------------------------------------------------------------------------------


def citizen_token(email: str = "bench.citizen@bench.kotapintar.id") -> str:
    """An API token of a resident account (filing with an account is not rate-limited per IP)."""
    from django.contrib.auth import get_user_model
    from rest_framework.authtoken.models import Token

    User = get_user_model()
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(email=email, password=secrets.token_urlsafe(16), full_name="Warga Bench")
    return Token.objects.get_or_create(user=user)[0].key


def city_points(count: int, seed: int = 5) -> list[tuple[float, float]]:
    """Points inside the city's kelurahan (where residents file from)."""
    import numpy as np

    from kotapintar.core import geo

    bounds = geo.city_bounds()
    rng = np.random.default_rng(seed)
    found: list[tuple[float, float]] = []
    while len(found) < count:
        lats = np.round(rng.uniform(bounds.min_lat, bounds.max_lat, count * 3), 6)
        lngs = np.round(rng.uniform(bounds.min_lng, bounds.max_lng, count * 3), 6)
        for lat, lng, loc in zip(lats.tolist(), lngs.tolist(), geo.locate_many(lats, lngs), strict=True):
            if loc is not None and geo.inside_city(lat, lng):
                found.append((lat, lng))
    return found[:count]


INTAKE_TEXTS = [
    "Jalan berlubang cukup dalam di depan gang {n}, sudah dua minggu belum ditambal, motor hampir jatuh.",
    "Lampu penerangan jalan mati di ujung gang {n}, jalan gelap dan rawan pada malam hari.",
    "Sampah menumpuk di TPS dekat pos ronda RT {n}, sudah tiga hari tidak diangkut dan berbau.",
    "Saluran air mampet di depan rumah nomor {n}, air meluap ke jalan setiap hujan deras.",
]


@dataclass
class IntakeResult:
    baseline: Throughput
    intake: Throughput
    tracking_numbers: list[str]

    @property
    def ratio(self) -> float:
        return self.intake.per_second / self.baseline.per_second if self.baseline.per_second else 0.0


def measure_intake(
    port: int,
    *,
    token: str,
    points: list[tuple[float, float]],
    categories: list[str],
    concurrency: int = 8,
    seconds: float = 8.0,
    rounds: int = 3,
    warmup: float = 2.0,
    log: Callable[[str], None] = print,
) -> IntakeResult:
    """Report filing through the API against the single-insert baseline, in alternating rounds.

    Both run on the same server with the same load generator (`concurrency` keep-alive
    connections sending back to back); the order alternates per round so that a machine
    getting busier or quieter does not favour either."""
    counter = iter(range(10**9))
    lock = threading.Lock()

    def intake_request(thread: int, n: int):
        with lock:
            k = next(counter)
        lat, lng = points[k % len(points)]
        body = json_body(
            {
                "category": categories[k % len(categories)],
                "text": INTAKE_TEXTS[k % len(INTAKE_TEXTS)].format(n=k),
                "lat": lat,
                "lng": lng,
                "privacy": "anonymous",
            }
        )
        headers = {
            "Content-Type": "application/json",
            "Authorization": f"Bearer {token}",
            "Idempotency-Key": f"bench-{os.getpid()}-{k}",
        }
        return "POST", "/api/v1/reports/", body, headers

    def baseline_request(thread: int, n: int):
        return "POST", "/bench/baseline-insert/", b"", {"Content-Length": "0"}

    total_base, total_intake = Throughput(), Throughput()
    numbers: list[str] = []

    def add(total: Throughput, part: Throughput) -> None:
        total.ok += part.ok
        total.errors += part.errors
        total.seconds += part.seconds

    for label, maker in (("baseline", baseline_request), ("intake", intake_request)):
        warm = throughput(port, maker, concurrency=concurrency, seconds=warmup, expect=(201,), keep_answers=True)
        if label == "intake":
            numbers += [json.loads(a)["tracking_number"] for a in warm.answers]
        if warm.errors:
            log(f"  warm-up {label}: {len(warm.errors)} errors, e.g. {warm.errors[0]}")
            (total_base if label == "baseline" else total_intake).errors += warm.errors
    for r in range(rounds):
        order = [("baseline", baseline_request), ("intake", intake_request)]
        if r % 2:
            order.reverse()
        for label, maker in order:
            part = throughput(
                port, maker, concurrency=concurrency, seconds=seconds, expect=(201,), keep_answers=label == "intake"
            )
            if label == "intake":
                numbers += [json.loads(a)["tracking_number"] for a in part.answers]
                add(total_intake, part)
            else:
                add(total_base, part)
            log(
                f"  round {r + 1} {label:<8} {part.per_second:8.1f} req/s ({part.ok} in {part.seconds:.1f} s, "
                f"{len(part.errors)} errors)"
            )
    return IntakeResult(baseline=total_base, intake=total_intake, tracking_numbers=numbers)


def check_intake_rows(numbers: list[str], reporter_email: str = "bench.citizen@bench.kotapintar.id") -> list[str]:
    """Every accepted report is in the database, whole; no report without an answer.

    The load files as one resident (citizen_token), so "the reports of the load" are that
    resident's API reports; generated reports (generate_reports) are not theirs."""
    from kotapintar.reports.models import EventKind, Report, ReportEvent

    problems = []
    mine = Report.objects.filter(channel="api", reporter__email=reporter_email)
    stored = set(mine.values_list("tracking_number", flat=True))
    answered = set(numbers)
    if len(answered) != len(numbers):
        problems.append(f"{len(numbers) - len(answered)} tracking numbers answered twice")
    if answered - stored:
        problems.append(f"{len(answered - stored)} accepted reports are not in the database")
    if stored - answered:
        problems.append(f"{len(stored - answered)} reports in the database were never answered")
    with_event = set(
        ReportEvent.objects.filter(kind=EventKind.SUBMITTED, report__in=mine).values_list(
            "report__tracking_number", flat=True
        )
    )
    if stored - with_event:
        problems.append(f"{len(stored - with_event)} reports without their 'submitted' event")
    return problems
