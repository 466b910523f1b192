"""Copy the front-end packages installed from the npm lockfile into static files.

Only the files the pages load are copied, into kotapintar/static/vendor/ (git-ignored):
third-party code is never committed, and nothing is loaded from a CDN.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NODE = ROOT / "node_modules"
DEST = ROOT / "kotapintar" / "static" / "vendor"

# (package-relative source, destination relative to vendor/)
FILES = [
    ("bootstrap/dist/css/bootstrap.min.css", "bootstrap/bootstrap.min.css"),
    ("bootstrap/dist/css/bootstrap.min.css.map", "bootstrap/bootstrap.min.css.map"),
    ("bootstrap/dist/js/bootstrap.bundle.min.js", "bootstrap/bootstrap.bundle.min.js"),
    ("bootstrap/dist/js/bootstrap.bundle.min.js.map", "bootstrap/bootstrap.bundle.min.js.map"),
    ("bootstrap-icons/font/bootstrap-icons.min.css", "bootstrap-icons/bootstrap-icons.min.css"),
    ("bootstrap-icons/font/fonts", "bootstrap-icons/fonts"),
    ("htmx.org/dist/htmx.min.js", "htmx/htmx.min.js"),
    ("leaflet/dist/leaflet.js", "leaflet/leaflet.js"),
    ("leaflet/dist/leaflet.js.map", "leaflet/leaflet.js.map"),
    ("leaflet/dist/leaflet.css", "leaflet/leaflet.css"),
    ("leaflet/dist/images", "leaflet/images"),
    ("chart.js/dist/chart.umd.min.js", "chartjs/chart.umd.min.js"),
    ("chart.js/dist/chart.umd.min.js.map", "chartjs/chart.umd.min.js.map"),
    ("axe-core/axe.min.js", "axe-core/axe.min.js"),
]
LICENSES = ["bootstrap", "bootstrap-icons", "htmx.org", "leaflet", "chart.js", "axe-core"]


def main() -> int:
    if not NODE.is_dir():
        print("node_modules/ is missing: run `npm ci` first (make assets does).", file=sys.stderr)
        return 1
    if DEST.exists():
        shutil.rmtree(DEST)
    for src_rel, dst_rel in FILES:
        src, dst = NODE / src_rel, DEST / dst_rel
        if not src.exists():
            print(f"missing front-end file {src_rel}: is package-lock.json installed?", file=sys.stderr)
            return 1
        dst.parent.mkdir(parents=True, exist_ok=True)
        if src.is_dir():
            shutil.copytree(src, dst)
        else:
            shutil.copy2(src, dst)
    for package in LICENSES:
        for name in ("LICENSE", "LICENSE.md", "LICENSE.txt"):
            lic = NODE / package / name
            if lic.exists():
                (DEST / "licenses").mkdir(parents=True, exist_ok=True)
                shutil.copy2(lic, DEST / "licenses" / f"{package}-{name}")
                break
    print(f"front-end assets copied into {DEST.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
