"""The report form (/lapor/) on a phone over Chromium's "Slow 3G": bytes of the first load and
time until the form is usable, against a minimal form page on the same server.

    .venv/bin/python bench/bench_report_form.py [--runs 3] [--keep]

Set-up (a throw-away directory): SQLite database migrated and loaded with Semarang's areas
and demo boundaries, the agencies and the report categories; `collectstatic` with the
project's storage (hashed, gzip/brotli pre-compressed, served by WhiteNoise as in
`make run`); gunicorn (2 workers) on a free port of 127.0.0.1, DEBUG off.

Each run is a new browser context (empty cache) of Debian's Chromium through Playwright, a
360×740 phone, with Chrome DevTools' "Slow 3G" preset applied over CDP
(Network.emulateNetworkConditions): latency 400 ms × 5 = 2,000 ms per request, download and
upload 500 kbit/s × 0.8 = 50,000 bytes/s. Map tiles are excluded: their requests are answered
by the test harness with a 1×1 PNG and not counted (the base map's size depends on the tile
server, not on this page).

- bytes: the sum of `encodedDataLength` (compressed body + headers, as on the wire) of every
  request of the first load (HTML, CSS, JS, fonts, icons, data), until the network has been
  quiet for 1 s after the load event.
- ready: from the start of the navigation until the description field is shown on screen
  (the page has painted: first contentful paint) AND accepts typing (Playwright's `fill`
  succeeds) AND the submit button exists.

The baseline is a minimal HTML page with just a text area and a button, served as a static
file by the same server: the floor that the network imposes (one 2-second round trip).
Targets (issue #3): ≤ 350 KB (358,400 bytes) and ready ≤ 5 s (median of the runs); exit 1
when one is missed.
"""

from __future__ import annotations

import argparse
import base64
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TARGET_BYTES = 350 * 1024
TARGET_READY_MS = 5000
SLOW_3G = {
    "offline": False,
    "latency": 400 * 5,
    "downloadThroughput": 500 * 1000 / 8 * 0.8,
    "uploadThroughput": 500 * 1000 / 8 * 0.8,
}
PHONE = {"viewport": {"width": 360, "height": 740}, "device_scale_factor": 2, "is_mobile": True, "has_touch": True}
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
TILE_PATTERN = "https://tile.openstreetmap.org/**"
PIXEL = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=")
BASELINE_HTML = """<!doctype html><html lang="id"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>Baseline</title></head>
<body><form><label for="id_text">Apa masalahnya?</label><textarea id="id_text"></textarea>
<button id="submit-report" type="submit">Kirim laporan</button></form></body></html>
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def prepare(tmp: Path) -> dict:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "kotapintar.settings",
        "DATABASE_URL": f"sqlite:///{tmp}/bench_form.sqlite3",
        "KOTAPINTAR_VAR_DIR": str(tmp / "var"),
        "STATIC_ROOT": str(tmp / "static"),
        "MEDIA_ROOT": str(tmp / "media"),
        "PRIVATE_MEDIA_ROOT": str(tmp / "private"),
        "DEBUG": "False",
        "CITY_CODE": "33.74",
        "MAP_TILE_URL": "https://tile.openstreetmap.org/{z}/{x}/{y}.png",
        "CELERY_BROKER_URL": "",
    }
    os.environ.update(env)
    import django

    django.setup()
    from django.core.management import call_command

    quiet = {"verbosity": 0, "stdout": open(os.devnull, "w")}  # noqa: SIM115
    call_command("migrate", **quiet)
    call_command("import_regions", only="33.74", **quiet)
    call_command("import_boundaries", demo=True, **quiet)
    call_command("import_agencies", **quiet)
    call_command("import_categories", **quiet)
    call_command("collectstatic", interactive=False, **quiet)
    # The baseline: a static file served by the same server (WhiteNoise), compressed the same way.
    baseline = tmp / "static" / "bench-baseline.html"
    baseline.write_text(BASELINE_HTML, encoding="utf-8")
    return env


def start_server(env: dict, port: int) -> subprocess.Popen:
    server = subprocess.Popen(
        [
            str(ROOT / ".venv" / "bin" / "gunicorn"),
            "kotapintar.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "2",
            "--threads",
            "4",
            "--log-level",
            "warning",
            "--graceful-timeout",
            "2",
        ],
        cwd=ROOT,
        env=env,
    )
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz/", timeout=2) as r:
                if r.status == 200:
                    # Warm up the worker processes (imports, templates, the geo index).
                    for _ in range(4):
                        urllib.request.urlopen(f"http://127.0.0.1:{port}/lapor/", timeout=30).read()
                    return server
        except OSError:
            time.sleep(0.3)
    server.kill()
    raise RuntimeError("gunicorn did not start")


def measure(browser, url: str, *, wait_for_form: bool = True) -> dict:
    context = browser.new_context(locale="id-ID", **PHONE)
    page = context.new_page()
    page.route(TILE_PATTERN, lambda route: route.fulfill(status=200, content_type="image/png", body=PIXEL))
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
    cdp.send("Network.emulateNetworkConditions", SLOW_3G)
    requests: dict[str, dict] = {}
    last_activity = [time.monotonic()]

    def on_request(event):
        requests[event["requestId"]] = {"url": event["request"]["url"], "bytes": 0, "done": False, "encoding": ""}
        last_activity[0] = time.monotonic()

    def on_response(event):
        entry = requests.get(event["requestId"])
        if entry is not None:
            headers = {k.lower(): v for k, v in event["response"].get("headers", {}).items()}
            entry["encoding"] = headers.get("content-encoding", "")
            entry["status"] = event["response"].get("status")

    def on_finished(event):
        entry = requests.get(event["requestId"])
        if entry is not None:
            entry["bytes"] = int(event.get("encodedDataLength", 0))
            entry["done"] = True
        last_activity[0] = time.monotonic()

    def on_failed(event):
        entry = requests.get(event["requestId"])
        if entry is not None:
            entry["done"] = True
        last_activity[0] = time.monotonic()

    cdp.on("Network.requestWillBeSent", on_request)
    cdp.on("Network.responseReceived", on_response)
    cdp.on("Network.loadingFinished", on_finished)
    cdp.on("Network.loadingFailed", on_failed)

    page.goto(url, wait_until="commit", timeout=60_000)
    page.wait_for_selector("#submit-report", state="attached", timeout=60_000)
    page.fill("#id_text", "Jalan berlubang", timeout=60_000)
    typed_at = page.evaluate("performance.now()")
    page.wait_for_function(
        "performance.getEntriesByName('first-contentful-paint').length > 0", polling=50, timeout=60_000
    )
    fcp = page.evaluate("performance.getEntriesByName('first-contentful-paint')[0].startTime")
    ready = max(typed_at, fcp)
    page.wait_for_load_state("load", timeout=120_000)
    # Until the network has been quiet for a second (deferred scripts, late requests).
    while True:
        pending = [r for r in requests.values() if not r["done"]]
        if not pending and time.monotonic() - last_activity[0] > 1.0:
            break
        if time.monotonic() - last_activity[0] > 30:
            break
        page.wait_for_timeout(100)
    timing = page.evaluate(
        "(() => { const n = performance.getEntriesByType('navigation')[0];"
        " return {dcl: n.domContentLoadedEventEnd, load: n.loadEventEnd}; })()"
    )
    counted = {rid: r for rid, r in requests.items() if not r["url"].startswith("https://tile.openstreetmap.org/")}
    tiles = len(requests) - len(counted)
    context.close()
    return {
        "ready_ms": ready,
        "typed_ms": typed_at,
        "fcp_ms": fcp,
        "dcl_ms": timing["dcl"],
        "load_ms": timing["load"],
        "bytes": sum(r["bytes"] for r in counted.values()),
        "requests": counted,
        "tiles": tiles,
    }


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--keep", action="store_true", help="print every request of the last run")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmpname:
        tmp = Path(tmpname)
        env = prepare(tmp)
        port = free_port()
        server = start_server(env, port)
        base = f"http://127.0.0.1:{port}"
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(
                    executable_path=CHROMIUM,
                    args=[
                        "--no-sandbox",
                        "--disable-gpu",
                        "--disable-background-networking",
                        "--disable-component-update",
                        "--disable-sync",
                        "--no-first-run",
                        "--disable-quic",
                    ],
                )
                forms, baselines = [], []
                for _ in range(args.runs):  # interleaved: both see the same machine load
                    baselines.append(measure(browser, f"{base}/static/bench-baseline.html"))
                    forms.append(measure(browser, f"{base}/lapor/"))
                browser.close()
        finally:
            server.terminate()
            try:
                server.wait(timeout=15)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()

    def median(rows, key):
        return statistics.median(r[key] for r in rows)

    form_ready, base_ready = median(forms, "ready_ms"), median(baselines, "ready_ms")
    form_bytes, base_bytes = median(forms, "bytes"), median(baselines, "bytes")
    print('Report form /lapor/ on a 360-px phone, Chromium "Slow 3G" (2,000 ms latency, 50,000 B/s down/up),')
    print(f"cold cache, gunicorn + WhiteNoise, {args.runs} runs (medians); map tiles excluded.")
    print(f"{'':24}{'form':>12}{'baseline':>12}{'ratio':>9}")
    print(f"{'bytes transferred':24}{form_bytes:>12,.0f}{base_bytes:>12,.0f}{form_bytes / base_bytes:>9.1f}")
    print(f"{'ready (ms)':24}{form_ready:>12,.0f}{base_ready:>12,.0f}{form_ready / base_ready:>9.2f}")
    for key, label in (("fcp_ms", "first paint (ms)"), ("dcl_ms", "DOMContentLoaded (ms)"), ("load_ms", "load (ms)")):
        print(f"{label:24}{median(forms, key):>12,.0f}{median(baselines, key):>12,.0f}")
    print(f"requests (form): {len(forms[-1]['requests'])}; tile requests excluded: {forms[-1]['tiles']}")
    print("per run (form): " + ", ".join(f"{r['ready_ms']:,.0f} ms / {r['bytes']:,} B" for r in forms))
    if args.keep:
        for r in sorted(forms[-1]["requests"].values(), key=lambda r: -r["bytes"]):
            print(f"  {r['bytes']:>8,}  {r['encoding'] or '-':>5}  {r['url'].split(str(port), 1)[-1]}")
    ok_bytes = form_bytes <= TARGET_BYTES
    ok_ready = form_ready <= TARGET_READY_MS
    print(f"target bytes ≤ {TARGET_BYTES:,} (350 KB): {'met' if ok_bytes else 'MISSED'}")
    print(f"target ready ≤ {TARGET_READY_MS:,} ms: {'met' if ok_ready else 'MISSED'}")
    return 0 if ok_bytes and ok_ready else 1


if __name__ == "__main__":
    sys.exit(main())
