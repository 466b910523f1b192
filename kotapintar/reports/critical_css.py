"""Critical CSS of the report form: the rules its first paint needs, inlined in the page.

On a slow phone network every request costs a full round trip (Chromium's "Slow 3G": 2 s).
A page whose stylesheets are linked in <head> cannot paint before a SECOND round trip plus
the stylesheet's download, shared with every script: about 6 s for the report form. So the
form inlines the subset of its stylesheets that its own markup can use, and links the full
stylesheets at the end of <body> (they load after the first paint and take over without a
visible change, because the inlined rules are the same rules). bench/bench_report_form.py
measures the effect.

The subset is computed once per process from the SOURCE of the templates the page is built
from (every class name appearing in a class="…" attribute, including the partials the page
swaps in and the classes its scripts add, plus the classes the form widgets get in Python),
not per response:

- a style rule is kept when at least one of its selectors uses only known classes (the
  classes inside :not(…) do not count, element-only selectors always match);
- @media and @supports blocks keep their matching rules; @keyframes, @font-face and
  print-only blocks are dropped (nothing animates or prints before the full sheet arrives);
- comments are stripped.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import get_template
from django.utils.safestring import SafeString, mark_safe

_CLASS_ATTR = re.compile(r'class\s*=\s*"([^"]*)"|class\s*=\s*\'([^\']*)\'|className\s*=\s*"([^"]*)"')
_CLASS_IN_JS = re.compile(r'classList\.(?:add|toggle|remove)\(\s*"([\w-]+)"')
_TOKEN = re.compile(r"-?[_a-zA-Z][\w-]*")
_SELECTOR_CLASS = re.compile(r"\.(-?[_a-zA-Z][\w-]*)")
_COMMENT = re.compile(r"/\*.*?\*/", re.S)
_lock = threading.Lock()


def _template_source(name: str) -> str:
    return get_template(name).template.source


def classes_in(sources: Iterable[str]) -> set[str]:
    """Every token that may be a class name in these template/script sources."""
    found: set[str] = set()
    for text in sources:
        for match in _CLASS_ATTR.finditer(text):
            value = next(g for g in match.groups() if g is not None)
            found.update(_TOKEN.findall(value))
        found.update(_CLASS_IN_JS.findall(text))
    return found


def _split_top(text: str) -> list[str]:
    """Split a selector list at its top-level commas (not those inside :not(…), :is(…))."""
    if "(" not in text:
        return text.split(",")
    parts, depth, start = [], 0, 0
    for i, ch in enumerate(text):
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif ch == "," and depth == 0:
            parts.append(text[start:i])
            start = i + 1
    parts.append(text[start:])
    return parts


def _strip_not(selector: str) -> str:
    """The selector without its :not(…) parts (classes there need not be present)."""
    while ":not(" in selector:
        begin = selector.index(":not(")
        depth, j = 0, begin + 4
        for j in range(begin + 4, len(selector)):
            if selector[j] == "(":
                depth += 1
            elif selector[j] == ")":
                depth -= 1
                if depth == 0:
                    break
        selector = selector[:begin] + selector[j + 1 :]
    return selector


def _selector_matches(selector: str, known: set[str]) -> bool:
    return all(name in known for name in _SELECTOR_CLASS.findall(_strip_not(selector)))


_SPECIAL = re.compile(r"[{};]")


def _blocks(css: str) -> list[tuple[str, str | None]]:
    """Top-level (prelude, body) pairs of a stylesheet; statements (@charset…) have body None."""
    blocks: list[tuple[str, str | None]] = []
    depth, start, prelude = 0, 0, ""
    for match in _SPECIAL.finditer(css):
        ch, i = match.group(), match.start()
        if ch == "{":
            if depth == 0:
                prelude = css[start:i].strip()
                start = i + 1
            depth += 1
        elif ch == "}":
            depth -= 1
            if depth == 0:
                blocks.append((prelude, css[start:i]))
                start = i + 1
        elif depth == 0:
            statement = css[start:i].strip()
            if statement:
                blocks.append((statement, None))
            start = i + 1
    return blocks


def subset(css: str, known: set[str]) -> str:
    """The rules of `css` that can apply to markup using only the `known` classes."""
    out = []
    for prelude, body in _blocks(_COMMENT.sub("", css)):
        if body is None:
            continue  # @charset, @import: the page is UTF-8 and imports nothing
        if prelude.startswith("@"):
            keyword = prelude.split(None, 1)[0].split("(", 1)[0].lower()
            if keyword in ("@media", "@supports") and "print" not in prelude.split(None, 1)[-1]:
                inner = subset(body, known)
                if inner:
                    out.append(f"{prelude}{{{inner}}}")
            continue
        selectors = [s.strip() for s in _split_top(prelude)]
        kept = [s for s in selectors if _selector_matches(s, known)]
        if kept:
            declarations = " ".join(body.split())
            out.append(f"{','.join(kept)}{{{declarations}}}")
    return "".join(out)


@lru_cache(maxsize=8)
def _critical(
    templates: tuple[str, ...], stylesheets: tuple[str, ...], scripts: tuple[str, ...], extra: tuple[str, ...]
) -> str:
    sources = [_template_source(name) for name in templates]
    for script in scripts:
        path = finders.find(script)
        if path:
            sources.append(Path(path).read_text(encoding="utf-8"))
    known = classes_in(sources) | set(extra)
    parts = []
    for sheet in stylesheets:
        path = finders.find(sheet)
        if path:
            parts.append(subset(Path(path).read_text(encoding="utf-8"), known))
    return "".join(parts)


def critical_style(
    templates: Iterable[str], stylesheets: Iterable[str], scripts: Iterable[str] = (), extra: Iterable[str] = ()
) -> SafeString:
    """A <style> element with the critical rules (cached per process; recomputed in DEBUG).
    `extra`: classes set by Python code (form widgets) rather than written in a template."""
    key = (tuple(templates), tuple(stylesheets), tuple(scripts), tuple(extra))
    with _lock:
        if settings.DEBUG:
            _critical.cache_clear()
        css = _critical(*key)
    # The CSS comes from our own static files; "</" cannot occur in it, but never let it end the element.
    css = css.replace("</", "<\\/")
    return mark_safe(f"<style>{css}</style>")
