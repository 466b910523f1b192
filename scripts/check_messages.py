"""Check the Indonesian translation catalogues.

1. Every catalogue kotapintar/**/locale/id/LC_MESSAGES/django.po is complete: no empty and
   no fuzzy translation.
2. The compiled .mo beside it holds exactly the same translations (it was recompiled).
3. With --extract: running makemessages on a copy of the tree finds no msgid that the
   committed catalogues lack (needs GNU gettext's xgettext, as `make messages` does).

Exit 1 with a list of problems, 0 when all is well. `make lint` runs it with --extract.
"""

from __future__ import annotations

import argparse
import gettext
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PKG = ROOT / "kotapintar"


def _unquote(s: str) -> str:
    s = s.strip()
    assert s.startswith('"') and s.endswith('"'), s
    return bytes(s[1:-1], "utf-8").decode("unicode_escape").encode("latin-1").decode("utf-8")


def parse_po(path: Path) -> list[dict]:
    """A small .po parser: entries with msgctxt, msgid, msgid_plural, msgstr(s), flags."""
    entries: list[dict] = []
    cur: dict = {}
    key = None

    def flush():
        nonlocal cur
        if "msgid" in cur:
            entries.append(cur)
        cur = {}

    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line:
            flush()
            key = None
            continue
        if line.startswith("#,"):
            if "msgid" in cur:
                flush()
            cur.setdefault("flags", set()).update(f.strip() for f in line[2:].split(","))
            continue
        if line.startswith("#"):
            continue
        for prefix in ("msgctxt", "msgid_plural", "msgid", "msgstr"):
            if line.startswith(prefix):
                rest = line[len(prefix) :]
                if prefix == "msgstr" and rest.startswith("["):
                    idx, rest = rest[1:].split("]", 1)
                    key = f"msgstr[{idx}]"
                else:
                    if prefix in ("msgctxt", "msgid") and "msgid" in cur and key and key.startswith("msgstr"):
                        flush()
                    key = prefix
                cur[key] = _unquote(rest)
                break
        else:
            if line.startswith('"') and key:
                cur[key] += _unquote(line)
    flush()
    return entries


def catalogues() -> list[Path]:
    return sorted(PKG.glob("**/locale/id/LC_MESSAGES/django.po"))


def check_complete(po: Path) -> list[str]:
    problems = []
    mo = po.with_suffix(".mo")
    translations = {}
    for e in parse_po(po):
        if e["msgid"] == "":
            continue
        where = f"{po.relative_to(ROOT)}: {e['msgid'][:60]!r}"
        if "fuzzy" in e.get("flags", set()):
            problems.append(f"{where}: fuzzy translation")
        strs = [v for k, v in e.items() if k.startswith("msgstr")]
        if not strs or any(not s for s in strs):
            problems.append(f"{where}: not translated")
        if "fuzzy" not in e.get("flags", set()) and strs and all(strs):
            key = e["msgid"] if "msgctxt" not in e else f"{e['msgctxt']}\x04{e['msgid']}"
            translations[key] = e.get("msgstr") or e.get("msgstr[0]")
    if not mo.exists():
        problems.append(f"{mo.relative_to(ROOT)}: missing (run make compilemessages)")
        return problems
    with mo.open("rb") as fh:
        compiled = gettext.GNUTranslations(fh)
    catalog = {k if isinstance(k, str) else k[0]: v for k, v in compiled._catalog.items() if k != ""}
    for key, value in translations.items():
        got = catalog.get(key)
        if got is None:
            got = compiled._catalog.get((key, 0))
        if got != value:
            problems.append(f"{mo.relative_to(ROOT)}: out of date for {key[:60]!r} (run make compilemessages)")
            break
    return problems


def check_extraction() -> list[str]:
    if not shutil.which("xgettext"):
        return ["xgettext (GNU gettext) is not installed: apt-get install gettext"]
    problems = []
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "kotapintar"
        shutil.copytree(PKG, copy, ignore=shutil.ignore_patterns("vendor", "__pycache__", "*.mo"))
        shutil.copy2(ROOT / "manage.py", Path(tmp) / "manage.py")
        app_dirs = [p.parents[3] for p in copy.glob("*/locale/id/LC_MESSAGES/django.po")]
        # The project catalogue covers templates/ and settings, never an app's own files.
        ignores = [arg for d in copy.glob("*/apps.py") for arg in ("-i", f"{d.parent.name}/*")]
        cmd = [sys.executable, str(Path(tmp) / "manage.py"), "makemessages", "-l", "id", "--no-location"]
        runs = [(copy, [*cmd, *ignores, "-i", "static/*", "-i", "testing/*"])]
        runs += [(d, [*cmd, "-i", "tests/*"]) for d in app_dirs if d != copy]
        for cwd, args in runs:
            subprocess.run(args, cwd=cwd, check=True, capture_output=True)
        for new_po in copy.glob("**/locale/id/LC_MESSAGES/django.po"):
            old_po = PKG / new_po.relative_to(copy)
            old_ids = {e["msgid"] for e in parse_po(old_po)} if old_po.exists() else set()
            for e in parse_po(new_po):
                if e["msgid"] and e["msgid"] not in old_ids:
                    problems.append(
                        f"{old_po.relative_to(ROOT)}: missing msgid {e['msgid'][:60]!r} (run make messages)"
                    )
    return problems


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--extract", action="store_true", help="also check that no msgid is missing")
    args = parser.parse_args()
    problems = [p for po in catalogues() for p in check_complete(po)]
    if args.extract:
        problems += check_extraction()
    for p in problems:
        print(p)
    print(f"{len(catalogues())} catalogues checked, {len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
