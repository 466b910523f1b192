"""Browser tests: Playwright (Python) driving Debian's Chromium against a live server.

Every page a test loads is checked with axe-core (from the npm lockfile, copied into
static/vendor by the asset build); a serious or critical violation fails the test, and a
page that was loaded but never checked fails it too. Screenshots of every checked page go
to test-results/screenshots/ so a person can look at them.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in this thread; the live server and the ORM
# calls in tests are ordinary synchronous code, which Django would otherwise refuse.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
ROOT = Path(__file__).resolve().parents[2]
AXE_JS = ROOT / "kotapintar" / "static" / "vendor" / "axe-core" / "axe.min.js"
SCREENSHOTS = ROOT / "test-results" / "screenshots"
BLOCKING_IMPACTS = {"serious", "critical"}

PHONE = {"viewport": {"width": 360, "height": 740}, "device_scale_factor": 2, "is_mobile": True, "has_touch": True}
DESKTOP = {"viewport": {"width": 1280, "height": 860}}


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: apt-get install chromium (.ci/run does it)")
    if not AXE_JS.exists():
        pytest.fail("axe-core is missing from static/vendor: run `make assets`")
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
        yield browser
        browser.close()


class A11yPage:
    """A Playwright page whose every loaded document must be checked with axe-core."""

    def __init__(self, page, name: str):
        self.page = page
        self.name = name
        self.loaded: list[str] = []
        self.checked: set[str] = set()
        self.shots = 0
        page.on("load", lambda: self.loaded.append(page.url))

    def __getattr__(self, item):
        return getattr(self.page, item)

    def check(self, label: str = "") -> list[dict]:
        """Run axe-core on the current document; fail on serious/critical violations."""
        self.page.wait_for_load_state("load")
        self.page.add_script_tag(path=str(AXE_JS))
        result = self.page.evaluate(
            "async () => await axe.run(document, {resultTypes: ['violations'],"
            " runOnly: {type: 'tag', values: ['wcag2a','wcag2aa','wcag21a','wcag21aa','best-practice']}})"
        )
        blocking = [v for v in result["violations"] if v.get("impact") in BLOCKING_IMPACTS]
        self.checked.add(self.page.url)
        self.screenshot(label)
        if blocking:
            details = [
                {
                    "id": v["id"],
                    "impact": v["impact"],
                    "help": v["help"],
                    "nodes": [n["target"] for n in v["nodes"][:5]],
                }
                for v in blocking
            ]
            pytest.fail(f"accessibility violations on {self.page.url}:\n{json.dumps(details, indent=2)}")
        return result["violations"]

    def visit(self, url: str, label: str = ""):
        self.page.goto(url)
        self.check(label)
        return self

    def screenshot(self, label: str = "") -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        self.shots += 1
        slug = re.sub(r"[^A-Za-z0-9_.-]+", "-", f"{self.name}-{self.shots:02d}-{label}").strip("-")
        path = SCREENSHOTS / f"{slug}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path

    def unchecked(self) -> list[str]:
        return [u for u in dict.fromkeys(self.loaded) if u not in self.checked and not u.startswith("about:")]


def _make_page(browser, request, options):
    context = browser.new_context(locale="id-ID", timezone_id="Asia/Jakarta", **options)
    context.set_default_timeout(30_000)  # a ceiling for a loaded 2-core CI machine, not a target
    page = A11yPage(context.new_page(), request.node.name)
    yield page
    missed = page.unchecked()
    context.close()
    if missed and not request.node.rep_call_failed:
        pytest.fail(f"pages loaded without an accessibility check: {missed}")


@pytest.fixture
def page(browser, live_server, request):
    """A desktop browser page (Indonesian locale, WIB)."""
    yield from _make_page(browser, request, DESKTOP)


@pytest.fixture
def phone(browser, live_server, request):
    """A 360-px-wide phone page."""
    yield from _make_page(browser, request, PHONE)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if report.when == "call":
        item.rep_call_failed = report.failed
    elif not hasattr(item, "rep_call_failed"):
        item.rep_call_failed = False
