"""Demo data: each app may ship `<app>/demo.py` with `load(*, stdout) -> list[DemoAccount]`.

`manage.py load_demo` runs them in INSTALLED_APPS order (reference data first, then the
modules that build on it). Loaders are idempotent: they create what is missing and leave
what exists alone, so running `make setup` again never duplicates or overwrites anything.
Every run prints the demo accounts, with the TOTP secret of each staff account so a person
can add it to an authenticator app.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass

from django.apps import apps

DEMO_FLAG_DOMAIN = "demo.kotapintar.id"


@dataclass(frozen=True)
class DemoAccount:
    role: str
    login: str
    password: str
    totp_secret: str = ""
    otpauth_uri: str = ""
    note: str = ""


def loaders():
    for config in apps.get_app_configs():
        if not config.name.startswith("kotapintar."):
            continue
        try:
            module = importlib.import_module(f"{config.name}.demo")
        except ModuleNotFoundError as exc:
            if exc.name != f"{config.name}.demo":
                raise
            continue
        load = getattr(module, "load", None)
        if load is not None:  # core.demo itself is the machinery, not a loader
            yield config.label, load
