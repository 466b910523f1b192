"""Production mode works as docs/operations.md says: settings, processes, backups.

These tests start real processes (manage.py, gunicorn, pg_dump/pg_restore) against the
machine's PostgreSQL and Redis, independently of the database the rest of the suite uses.
"""

from __future__ import annotations

import os
import urllib.request
import uuid

import pytest

from tests._processes import PG, PY, createdb, dropdb, gunicorn, health, prod_env, run, unique_db_name


@pytest.fixture
def prod_db():
    name = unique_db_name("kp_ops")
    createdb(name)
    yield name
    dropdb(name)


def test_check_deploy_reports_nothing_with_production_settings(tmp_path, prod_db):
    result = run([PY, "manage.py", "check", "--deploy", "--fail-level", "WARNING"], prod_env(tmp_path, prod_db))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_check_deploy_flags_the_embedded_defaults(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", "SECRET_KEY")}
    env["KOTAPINTAR_VAR_DIR"] = str(tmp_path)
    result = run([PY, "manage.py", "check", "--deploy"], env)
    out = result.stdout + result.stderr
    for check_id in ("kotapintar.E001", "kotapintar.W002", "kotapintar.W003", "security.W012"):
        assert check_id in out


def test_production_stack_serves_and_backs_up_and_restores(tmp_path, prod_db):
    env = prod_env(tmp_path, prod_db)
    for cmd in (["migrate", "--noinput"], ["collectstatic", "--noinput"]):
        result = run([PY, "manage.py", *cmd], env)
        assert result.returncode == 0, result.stdout + result.stderr
    assert list((tmp_path / "static").rglob("bootstrap.min.*.css")), "hashed static files were not collected"

    # A row to find again after the restore.
    marker = f"Backup check {uuid.uuid4().hex[:6]}"
    result = run(
        [
            PY,
            "manage.py",
            "shell",
            "-c",
            f"from kotapintar.core.models import CalendarDay as C; "
            f"C.objects.create(date='2031-01-02', kind='day_off', description='{marker}')",
        ],
        env,
    )
    assert result.returncode == 0, result.stderr

    with gunicorn(env, tmp_path / "gunicorn.log", "--workers", "2") as (_server, port):
        assert health(port) == '{"status": "ok"}'
        # Everything else is redirected to HTTPS in secure mode.
        request = urllib.request.Request(f"http://127.0.0.1:{port}/", headers={"Host": "kota.example.go.id"})
        opener = urllib.request.build_opener(_NoRedirect)
        with pytest.raises(urllib.error.HTTPError) as redirect:
            opener.open(request, timeout=10)
        assert redirect.value.code == 301
        assert redirect.value.headers["Location"].startswith("https://kota.example.go.id/")

    (tmp_path / "media" / "public").mkdir(parents=True)
    (tmp_path / "media" / "public" / "photo.txt").write_text("a public file")
    backups = tmp_path / "backups"
    result = run(["bash", "scripts/backup.sh", str(backups)], env)
    assert result.returncode == 0, result.stdout + result.stderr
    (stamp,) = list(backups.iterdir())
    assert (stamp / "database.dump").stat().st_size > 0

    # Restore into a second, empty database and a wiped media folder.
    restored = f"{prod_db}_r"
    createdb(restored)
    try:
        (tmp_path / "media" / "public" / "photo.txt").unlink()
        env_restore = {**env, "DATABASE_URL": f"{PG}/{restored}"}
        result = run(["bash", "scripts/restore.sh", str(stamp)], env_restore)
        assert result.returncode == 0, result.stdout + result.stderr
        assert (tmp_path / "media" / "public" / "photo.txt").read_text() == "a public file"
        result = run(
            [
                PY,
                "manage.py",
                "shell",
                "-v",
                "0",
                "-c",
                "from kotapintar.core.models import CalendarDay as C; "
                "print(C.objects.get(date='2031-01-02').description)",
            ],
            env_restore,
        )
        assert result.stdout.strip() == marker, result.stderr
    finally:
        dropdb(restored)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None
