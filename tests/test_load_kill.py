"""A gunicorn worker killed with SIGKILL under load loses nothing that was answered (issue 4).

The production stack on this machine only (loopback): gunicorn with 2 workers × 2 threads
on its own throw-away PostgreSQL database with the city's reference data (the same
preparation as the Lapor benchmarks, bench/lapor_bench.py), in production settings
(tests/_processes.py), behind no proxy: the client sends the `X-Forwarded-Proto: https`
nginx would add. Six client threads file reports through `POST /api/v1/reports/` as a
resident with an API token, each filing with its own `Idempotency-Key`. Once a part of them
is answered, the worker that has a database transaction open at that moment (found through
pg_stat_activity and the worker's sockets) is killed with SIGKILL.

A client whose connection breaks does what a well-behaved app does: it sends the same
filing again, with the same Idempotency-Key, on a new connection. Afterwards:

- every filing was answered with a success in the end, and every answered tracking number
  is in the database exactly once, under the filing's key;
- no report is half-written: each has its one "submitted" timeline event and its one audit
  row, and there is no audit row of a filing whose report is missing;
- the kill happened during the load (connections were cut, filings started after the kill
  were answered), gunicorn logged it and replaced the worker with a new process, and the
  server still answers /healthz/ and a new filing.

The load is bounded: at most 480 filings and 30 s; the whole test takes 10–30 s on a 2-core machine.
Redis is not used (local-memory cache, Celery eager), so nothing is shared with other tests.
"""

from __future__ import annotations

import http.client
import json
import os
import signal
import threading
import time
import uuid
from dataclasses import dataclass, field

import psycopg

from tests._processes import (
    PG,
    PY,
    child_pids,
    dropdb,
    gunicorn,
    health,
    prod_env,
    run,
    socket_inodes,
    tcp_inodes_by_local_port,
    unique_db_name,
)

FILINGS = 480  # at most this many filings ...
LOAD_SECONDS = 30  # ... and none started after this
CLIENTS = 6
KILL_AFTER = 120  # answered filings before the kill
ATTEMPTS = 4  # a filing is sent at most this many times (the same Idempotency-Key each time)
HOST = "kota.example.go.id"

# Run in a subprocess with the production environment: the schema and reference data
# (bench/lapor_bench.py), a resident's API token, points inside the city, the categories.
PREPARE = """
import json, sys
sys.path.insert(0, "bench")
import lapor_bench as lb

lb.setup_django(sys.argv[1])
lb.prepare_database(sys.argv[1], log=lambda line: print(line, file=sys.stderr))
from kotapintar.reports.models import Category

print(json.dumps({
    "token": lb.citizen_token(),
    "points": lb.city_points(60),
    "categories": sorted(Category.objects.filter(is_active=True).values_list("code", flat=True)),
}))
"""

# Transactions the application has open (running a statement or between two), with the
# statement they run or ran last.
OPEN_TRANSACTIONS = """
SELECT client_port, state, left(query, 60) FROM pg_stat_activity
WHERE datname = %s AND backend_type = 'client backend' AND xact_start IS NOT NULL
  AND state IN ('active', 'idle in transaction')
"""


@dataclass
class Attempt:
    started: float
    outcome: int | str  # HTTP status, or the name of the connection error


@dataclass
class Filing:
    key: str
    body: bytes
    attempts: list[Attempt] = field(default_factory=list)
    number: str | None = None
    created: bool | None = None

    @property
    def answered(self) -> bool:
        return self.number is not None


def _filing(k: int, run_id: str, ref: dict) -> Filing:
    lat, lng = ref["points"][k % len(ref["points"])]
    text = f"Lampu jalan mati di gang {k}, jalan gelap dan rawan pada malam hari (uji beban {run_id})."
    body = {
        "category": ref["categories"][k % len(ref["categories"])],
        "text": text,
        "lat": lat,
        "lng": lng,
        "privacy": "anonymous",
    }
    return Filing(key=f"killtest-{run_id}-{k}", body=json.dumps(body).encode())


class _Client:
    """One keep-alive connection, like an app talking to the server through nginx."""

    def __init__(self, port: int, token: str):
        self.port = port
        self.token = token
        self.conn: http.client.HTTPConnection | None = None

    def file(self, filing: Filing) -> None:
        """Send the filing until it is answered (a success or a refusal) or ATTEMPTS run out."""
        headers = {
            "Host": HOST,
            "X-Forwarded-Proto": "https",
            "Content-Type": "application/json",
            "Authorization": f"Bearer {self.token}",
            "Idempotency-Key": filing.key,
        }
        for _attempt in range(ATTEMPTS):
            started = time.monotonic()
            try:
                if self.conn is None:
                    self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
                self.conn.request("POST", "/api/v1/reports/", body=filing.body, headers=headers)
                response = self.conn.getresponse()
                data = response.read()
            except (OSError, http.client.HTTPException) as exc:
                filing.attempts.append(Attempt(started, type(exc).__name__))
                self.close()
                time.sleep(0.2)
                continue
            filing.attempts.append(Attempt(started, response.status))
            if response.will_close:
                self.close()
            if 200 <= response.status < 300:
                answer = json.loads(data)
                filing.number, filing.created = answer["tracking_number"], answer["created"]
                return
            if response.status < 500:
                return  # a refusal: not sent again, reported by the test
            time.sleep(0.2)

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None


def _worker_in_transaction(
    admin: psycopg.Connection, db: str, workers: list[int], *, writing: bool
) -> tuple[int, str] | None:
    """A worker whose database connection has a transaction open right now (`writing`: one
    that has inserted rows, its last statement an INSERT), and what that transaction does."""
    rows = admin.execute(OPEN_TRANSACTIONS, [db]).fetchall()
    if writing:
        rows = [row for row in rows if row[2].lstrip().upper().startswith("INSERT")]
    if not rows:
        return None
    inodes = tcp_inodes_by_local_port(5432)
    held = {pid: socket_inodes(pid) for pid in workers}
    for client_port, state, query in rows:
        inode = inodes.get(client_port)
        for pid, sockets in held.items():
            if inode is not None and inode in sockets:
                return pid, f"{state}: {query}"
    return None


def _two_workers(master: int, without: int | None = None) -> list[int] | None:
    """The master's 2 workers (none of them `without`), or None while that is not so."""
    pids = child_pids(master)
    return pids if len(pids) == 2 and without not in pids else None


def _wait_for(predicate, seconds: float, step: float = 0.1):
    deadline = time.monotonic() + seconds
    while True:
        value = predicate()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(step)


def test_a_worker_killed_under_load_loses_no_answered_report(tmp_path):
    db = unique_db_name("kp_killtest")
    env = prod_env(tmp_path, db)
    env.pop("REDIS_URL")  # local-memory cache, Celery eager: nothing left in a Redis other tests use
    env.update(
        # Static files are nginx's job in production; a JSON API needs no collectstatic manifest.
        STATICFILES_STORAGE="django.contrib.staticfiles.storage.StaticFilesStorage",
        # The throttle stays on (its cost is part of a filing) with a rate the load does not reach.
        API_THROTTLE_USER="1000000/min",
        LOG_LEVEL="WARNING",
        PYTHONUNBUFFERED="1",
    )
    run_id = uuid.uuid4().hex[:8]
    try:
        prepared = run([PY, "-c", PREPARE, db], env)
        assert prepared.returncode == 0, prepared.stdout + prepared.stderr
        ref = json.loads(prepared.stdout.strip().splitlines()[-1])
        filings = [_filing(k, run_id, ref) for k in range(FILINGS)]
        log = tmp_path / "gunicorn.log"
        # As docs/operations.md, with 2 workers and without --max-requests (the only new
        # worker is then the replacement of the killed one).
        args = ["--workers", "2", "--threads", "2", "--timeout", "30", "--graceful-timeout", "20"]
        with gunicorn(env, log, *args) as (master, port), psycopg.connect(f"{PG}/postgres", autocommit=True) as admin:
            before = _wait_for(lambda: _two_workers(master.pid), 30)
            assert before, f"gunicorn did not start 2 workers: {child_pids(master.pid)}"

            lock = threading.Lock()
            queue = iter(filings)
            stop_at = time.monotonic() + LOAD_SECONDS

            def load() -> None:
                client = _Client(port, ref["token"])
                while time.monotonic() < stop_at:
                    with lock:
                        filing = next(queue, None)
                    if filing is None:
                        break
                    client.file(filing)
                client.close()

            threads = [threading.Thread(target=load, daemon=True) for _ in range(CLIENTS)]
            for thread in threads:
                thread.start()

            # Partway through, kill a worker in the middle of a filing: preferably one whose
            # transaction has inserted rows, else one with a transaction open, else the first.
            _wait_for(lambda: sum(f.answered for f in filings) >= KILL_AFTER, LOAD_SECONDS, 0.05)
            found = _wait_for(lambda: _worker_in_transaction(admin, db, before, writing=True), 3, 0.002)
            found = found or _wait_for(lambda: _worker_in_transaction(admin, db, before, writing=False), 2, 0.002)
            victim, caught = found or (before[0], "no open transaction seen")
            os.kill(victim, signal.SIGKILL)
            killed_at = time.monotonic()

            for thread in threads:
                thread.join(timeout=LOAD_SECONDS + ATTEMPTS * 30)
            assert not any(thread.is_alive() for thread in threads), "the load did not finish"

            after = _wait_for(lambda: _two_workers(master.pid, without=victim), 30)
            # The server keeps serving: its health check and a new filing.
            assert health(port) == '{"status": "ok"}'
            fresh = _filing(FILINGS, run_id, ref)
            _Client(port, ref["token"]).file(fresh)
            assert [a.outcome for a in fresh.attempts] == [201]
            server_log = log.read_text()

        sent = [f for f in filings if f.attempts]
        answered = [f for f in sent if f.answered]
        broken = [a for f in sent for a in f.attempts if isinstance(a.outcome, str)]
        server_errors = [a for f in sent for a in f.attempts if isinstance(a.outcome, int) and a.outcome >= 500]
        refused = [(f.key, f.attempts[-1].outcome) for f in sent if not f.answered]
        replayed = [f for f in answered if f.created is False]
        after_kill = [f for f in answered if f.attempts[-1].started > killed_at]
        print(
            f"\nkilled worker {victim} ({caught}) after {KILL_AFTER} answers; workers {before} → {after}\n"
            f"filings sent {len(sent)}, answered {len(answered)} ({len(after_kill)} sent after the kill, "
            f"{len(replayed)} answered from an earlier attempt's commit); attempts cut off {len(broken)} "
            f"({', '.join(sorted({a.outcome for a in broken})) or '-'}), 5xx answers {len(server_errors)}"
        )

        # Every filing was answered with a success in the end, the last one included.
        assert not refused, f"filings not answered with a success: {refused[:5]}"
        assert len(sent) >= KILL_AFTER
        # The kill hit the server under load: connections were cut, and the load went on.
        assert broken, "no connection was cut by the kill"
        assert after_kill, "no filing sent after the kill was answered"
        assert f"Worker (pid:{victim}) was sent SIGKILL" in server_log
        # The master replaced the killed worker with a new process.
        assert after, f"the killed worker was not replaced: {child_pids(master.pid)}"
        assert victim not in after and set(after) - set(before)

        with psycopg.connect(f"{PG}/{db}") as conn:
            stored = conn.execute(
                """
                SELECT r.idempotency_key, r.tracking_number,
                       (SELECT count(*) FROM reports_reportevent e WHERE e.report_id = r.id AND e.kind = 'submitted'),
                       (SELECT count(*) FROM core_auditlog a
                        WHERE a.action = 'report.submit' AND a.object_id = r.id::text)
                FROM reports_report r
                """
            ).fetchall()
            orphan_audit = conn.execute(
                """
                SELECT count(*) FROM core_auditlog a WHERE a.action = 'report.submit'
                AND NOT EXISTS (SELECT 1 FROM reports_report r WHERE r.id::text = a.object_id)
                """
            ).fetchone()[0]
        # Every answered tracking number is in the database exactly once, under its filing's key,
        # and no report is there that was not answered.
        by_key = {key: number for key, number, _e, _a in stored}
        assert len(by_key) == len(stored) == len({number for _k, number, _e, _a in stored})
        assert by_key == {f.key: f.number for f in [*answered, fresh]}
        # Nothing half-written: each report has its timeline's first event and its audit row.
        assert [(key, events, audits) for key, _n, events, audits in stored if (events, audits) != (1, 1)] == []
        assert orphan_audit == 0
    finally:
        dropdb(db)
