"""Production mode works as docs/operations.md says: settings, processes, backups.

These tests start real processes (manage.py, gunicorn, pg_dump/pg_restore) against the
machine's PostgreSQL and Redis, independently of the database the rest of the suite uses.
"""

from __future__ import annotations

import base64
import json
import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

ROOT = Path(__file__).resolve().parents[1]
PY = sys.executable
PG = "postgres://postgres@127.0.0.1:5432"


def _prod_env(tmp_path: Path, database: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL", "REDIS_URL"))}
    env.update(
        DJANGO_SETTINGS_MODULE="kotapintar.settings",
        SECRET_KEY=secrets.token_urlsafe(64),
        FIELD_ENCRYPTION_KEY=Fernet.generate_key().decode(),
        DATABASE_URL=f"{PG}/{database}",
        REDIS_URL="redis://127.0.0.1:6379/14",
        ALLOWED_HOSTS="kota.example.go.id,127.0.0.1",
        CSRF_TRUSTED_ORIGINS="https://kota.example.go.id",
        SECURE_MODE="1",
        STATIC_ROOT=str(tmp_path / "static"),
        MEDIA_ROOT=str(tmp_path / "media"),
        PRIVATE_MEDIA_ROOT=str(tmp_path / "private"),
        KOTAPINTAR_VAR_DIR=str(tmp_path / "var"),
        STATICFILES_STORAGE="whitenoise.storage.CompressedManifestStaticFilesStorage",
        WHITENOISE_USE_FINDERS="0",
        SERVE_MEDIA="0",
        # Production signs permits with its own key and checks gateway callbacks with a shared secret.
        PERMIT_SIGNING_KEYS=json.dumps([{"kid": "ops-test", "private_key": _ed25519_key()}]),
        PAYMENT_GATEWAY_SECRET=secrets.token_urlsafe(32),
    )
    env.pop("DEBUG", None)
    return env


def _ed25519_key() -> str:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    raw = Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
    )
    return base64.b64encode(raw).decode()


def _run(args, env, **kw):
    return subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600, **kw)


@pytest.fixture
def prod_db():
    name = f"kp_ops_{uuid.uuid4().hex[:8]}"
    subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", name], check=True)
    yield name
    subprocess.run(["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", "--force", name], check=False)


def test_check_deploy_reports_nothing_with_production_settings(tmp_path, prod_db):
    result = _run([PY, "manage.py", "check", "--deploy", "--fail-level", "WARNING"], _prod_env(tmp_path, prod_db))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_check_deploy_flags_the_embedded_defaults(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", "SECRET_KEY")}
    env["KOTAPINTAR_VAR_DIR"] = str(tmp_path)
    result = _run([PY, "manage.py", "check", "--deploy"], env)
    out = result.stdout + result.stderr
    for check_id in ("kotapintar.E001", "kotapintar.W002", "kotapintar.W003", "security.W012"):
        assert check_id in out


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_production_stack_serves_and_backs_up_and_restores(tmp_path, prod_db):
    env = _prod_env(tmp_path, prod_db)
    for cmd in (["migrate", "--noinput"], ["collectstatic", "--noinput"]):
        result = _run([PY, "manage.py", *cmd], env)
        assert result.returncode == 0, result.stdout + result.stderr
    assert list((tmp_path / "static").rglob("bootstrap.min.*.css")), "hashed static files were not collected"

    # A row to find again after the restore.
    marker = f"Backup check {uuid.uuid4().hex[:6]}"
    result = _run(
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

    port = _free_port()
    server = subprocess.Popen(
        [str(ROOT / ".venv/bin/gunicorn"), "kotapintar.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "2"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        body = None
        for _ in range(120):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz/", timeout=5) as response:
                    body = response.read().decode()
                    break
            except OSError:
                time.sleep(0.5)
        assert body == '{"status": "ok"}'
        # Everything else is redirected to HTTPS in secure mode.
        request = urllib.request.Request(f"http://127.0.0.1:{port}/", headers={"Host": "kota.example.go.id"})
        opener = urllib.request.build_opener(_NoRedirect)
        with pytest.raises(urllib.error.HTTPError) as redirect:
            opener.open(request, timeout=10)
        assert redirect.value.code == 301
        assert redirect.value.headers["Location"].startswith("https://kota.example.go.id/")
    finally:
        server.terminate()
        server.wait(timeout=30)

    (tmp_path / "media" / "public").mkdir(parents=True)
    (tmp_path / "media" / "public" / "photo.txt").write_text("a public file")
    backups = tmp_path / "backups"
    result = _run(["bash", "scripts/backup.sh", str(backups)], env)
    assert result.returncode == 0, result.stdout + result.stderr
    (stamp,) = list(backups.iterdir())
    assert (stamp / "database.dump").stat().st_size > 0

    # Restore into a second, empty database and a wiped media folder.
    restored = f"{prod_db}_r"
    subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", restored], check=True)
    try:
        (tmp_path / "media" / "public" / "photo.txt").unlink()
        env_restore = {**env, "DATABASE_URL": f"{PG}/{restored}"}
        result = _run(["bash", "scripts/restore.sh", str(stamp)], env_restore)
        assert result.returncode == 0, result.stdout + result.stderr
        assert (tmp_path / "media" / "public" / "photo.txt").read_text() == "a public file"
        result = _run(
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
        subprocess.run(["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", "--force", restored], check=False)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None
