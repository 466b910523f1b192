"""Background work: eager in-process by default, a real worker through Redis in production."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from celery import Celery
from django.core import mail

from kotapintar.core import tasks
from kotapintar.core.models import Notification
from kotapintar.core.notifications import notify

ROOT = Path(__file__).resolve().parents[3]
REDIS_URL = os.environ.get("KOTAPINTAR_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


# --- embedded mode: no broker, tasks run in-process --------------------------------------------


@pytest.mark.django_db
def test_outbox_task_path_runs_eagerly_without_a_broker(resident, run_on_commit):
    from kotapintar.celery import app

    assert app.conf.task_always_eager
    with run_on_commit():
        (row,) = notify(
            channels=["email"],
            kind="k",
            subject="Izin Anda terbit",
            body="Unduh izin Anda.",
            dedupe_key="permit:1:issued",
            recipient=resident,
        )
    row.refresh_from_db()
    assert row.status == Notification.Status.SENT  # core.deliver_notification ran in this process
    assert [m.subject for m in mail.outbox] == ["Izin Anda terbit"]

    # A message that failed is picked up by the periodic flush task, also in-process.
    Notification.objects.filter(pk=row.pk).update(status=Notification.Status.FAILED, sent_at=None)
    assert tasks.outbox_flush.delay().get() == 1
    row.refresh_from_db()
    assert row.status == Notification.Status.SENT
    assert len(mail.outbox) == 2


def test_ping_runs_eagerly_in_this_process():
    result = tasks.ping.delay("halo").get(timeout=5)
    assert result == {"echo": "halo", "pid": os.getpid()}


# --- production mode: a real worker process through Redis -----------------------------------------


@pytest.fixture
def redis_url():
    import redis

    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=5)
    try:
        client.ping()
    except redis.exceptions.ConnectionError as exc:  # pragma: no cover - environment problem
        pytest.fail(f"the broker test needs Redis at {REDIS_URL} (start redis-server): {exc}")
    yield REDIS_URL
    client.close()


def _stop(worker: subprocess.Popen) -> str:
    """Warm shutdown (SIGTERM lets the task in hand finish), then kill if it hangs."""
    if worker.poll() is None:
        worker.send_signal(signal.SIGTERM)
        try:
            worker.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(worker.pid, signal.SIGKILL)
            worker.wait(timeout=30)
    return worker.stdout.read() if worker.stdout else ""


@pytest.mark.broker
def test_a_real_worker_runs_the_task_through_redis(redis_url, tmp_path):
    queue = f"kp-test-{uuid.uuid4().hex[:12]}"
    env = {
        **os.environ,
        "REDIS_URL": redis_url,
        "CELERY_BROKER_URL": redis_url,
        "CELERY_RESULT_BACKEND": redis_url,
        "DJANGO_SETTINGS_MODULE": "kotapintar.settings",
        # The worker never touches a database for this task; keep it off the test databases.
        "DATABASE_URL": f"sqlite:///{tmp_path / 'worker.sqlite3'}",
        "KOTAPINTAR_VAR_DIR": str(tmp_path),
        "PYTHONUNBUFFERED": "1",
    }
    celery_bin = Path(sys.executable).with_name("celery")
    worker = subprocess.Popen(
        [
            str(celery_bin),
            "-A",
            "kotapintar",
            "worker",
            "--pool=solo",
            "-Q",
            queue,
            "--hostname",
            f"{queue}@%h",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "--loglevel=INFO",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    # A client of our own: this test process runs with eager tasks and no broker.
    client = Celery("kp-broker-test", broker=redis_url, backend=redis_url)
    client.conf.update(task_serializer="json", result_serializer="json", accept_content=["json"])
    output = ""
    try:
        # The message waits in the queue until the worker is up: no start-up polling needed.
        result = client.send_task("core.ping", args=["lewat-broker"], queue=queue)
        try:
            value = result.get(timeout=180)
        except Exception:
            output = _stop(worker)
            raise AssertionError(f"the worker did not answer; its output:\n{output}") from None
        assert value["echo"] == "lewat-broker"
        assert value["pid"] != os.getpid()
        assert value["pid"] == worker.pid  # --pool=solo: the task ran in the worker process itself
    finally:
        output = output or _stop(worker)
        client.close()
        import redis

        conn = redis.Redis.from_url(redis_url)
        conn.delete(queue)
        conn.close()
    assert worker.returncode is not None
    assert "core.ping" in output  # the worker registered and ran our task
