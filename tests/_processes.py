"""Helpers of the tests that start real processes (manage.py, gunicorn) in production mode.

Each such test works on its own throw-away PostgreSQL database on the machine's server,
independently of the database the rest of the suite uses (SQLite or DATABASE_URL).
"""

from __future__ import annotations

import base64
import json
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from cryptography.fernet import Fernet

ROOT = Path(__file__).resolve().parents[1]
PY = sys.executable
PG = "postgres://postgres@127.0.0.1:5432"
PG_ARGS = ["-h", "127.0.0.1", "-U", "postgres"]


def prod_env(tmp_path: Path, database: str) -> dict[str, str]:
    """The environment of a production instance (docs/operations.md) on `database`."""
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
        PERMIT_SIGNING_KEYS=json.dumps([{"kid": "ops-test", "private_key": ed25519_key()}]),
        PAYMENT_GATEWAY_SECRET=secrets.token_urlsafe(32),
    )
    env.pop("DEBUG", None)
    return env


def ed25519_key() -> str:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    raw = Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
    )
    return base64.b64encode(raw).decode()


def run(args, env, **kw) -> subprocess.CompletedProcess:
    return subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600, **kw)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def unique_db_name(prefix: str) -> str:
    return f"{prefix}_{uuid.uuid4().hex[:8]}"


def createdb(name: str) -> None:
    subprocess.run(["createdb", *PG_ARGS, name], check=True)


def dropdb(name: str) -> None:
    subprocess.run(["dropdb", *PG_ARGS, "--if-exists", "--force", name], check=False)


@contextmanager
def gunicorn(
    env: dict[str, str], log: Path, *args: str, port: int | None = None
) -> Iterator[tuple[subprocess.Popen, int]]:
    """gunicorn serving kotapintar.wsgi on a free loopback port until /healthz/ answers.

    Yields (master process, port); stopped with SIGTERM afterwards (its whole process group
    with SIGKILL if it does not stop in 30 s)."""
    port = port or free_port()
    with open(log, "w") as out:
        server = subprocess.Popen(
            [str(ROOT / ".venv/bin/gunicorn"), "kotapintar.wsgi", "--bind", f"127.0.0.1:{port}", *args],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + 60
        while True:
            if server.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {server.returncode}:\n{log.read_text()[-3000:]}")
            if health(port) == '{"status": "ok"}':
                break
            if time.monotonic() > deadline:
                raise RuntimeError(f"gunicorn did not answer in 60 s:\n{log.read_text()[-3000:]}")
            time.sleep(0.3)
        yield server, port
    finally:
        if server.poll() is None:
            server.send_signal(signal.SIGTERM)
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
                server.wait(timeout=10)


def health(port: int) -> str | None:
    """The body of GET /healthz/, or None when the server does not answer."""
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz/", timeout=5) as response:
            return response.read().decode()
    except OSError:
        return None


def child_pids(pid: int) -> list[int]:
    """The live child processes of `pid` (a gunicorn master's workers)."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as fh:
                stat = fh.read()
        except OSError:
            continue
        # pid (comm) state ppid ...: comm may hold spaces and parentheses.
        state, ppid = stat.rsplit(")", 1)[1].split()[:2]
        if int(ppid) == pid and state != "Z":
            found.append(int(entry))
    return sorted(found)


def socket_inodes(pid: int) -> set[int]:
    """Inodes of the sockets process `pid` holds open."""
    inodes = set()
    try:
        fds = os.listdir(f"/proc/{pid}/fd")
    except OSError:
        return inodes
    for fd in fds:
        try:
            target = os.readlink(f"/proc/{pid}/fd/{fd}")
        except OSError:
            continue
        match = re.fullmatch(r"socket:\[(\d+)\]", target)
        if match:
            inodes.add(int(match.group(1)))
    return inodes


def tcp_inodes_by_local_port(remote_port: int) -> dict[int, int]:
    """{local port: socket inode} of this machine's TCP connections to `remote_port`."""
    found = {}
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            with open(table) as fh:
                lines = fh.readlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            local, remote, inode = fields[1], fields[2], int(fields[9])
            if int(remote.rsplit(":", 1)[1], 16) == remote_port:
                found[int(local.rsplit(":", 1)[1], 16)] = inode
    return found
