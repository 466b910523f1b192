"""Load the demo data of every module (idempotent) and print the demo accounts."""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction
from django.test.utils import override_settings

from kotapintar.core import context
from kotapintar.core.demo import loaders


class Command(BaseCommand):
    help = "Load demo data once (idempotent) and print the demo accounts."

    def add_arguments(self, parser):
        parser.add_argument("--quiet-accounts", action="store_true", help="do not print the demo accounts")

    def handle(self, *args, **options):
        accounts = []
        # The demo's own notifications (to @demo addresses) are not sent anywhere: the
        # accounts and cases are created through the real services, which notify.
        with (
            context.bind(request_id="load-demo"),
            override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"),
        ):
            for label, load in loaders():
                with transaction.atomic():
                    accounts.extend(load(stdout=self.stdout) or [])
                self.stdout.write(f"demo data: {label} ok")
        if options["quiet_accounts"] or not accounts:
            return
        w = self.stdout.write
        w("")
        w("=" * 78)
        w("Demo accounts (DEMO ONLY — never load demo data on a production instance)")
        w("=" * 78)
        printed = set()
        for a in accounts:
            if a.login in printed:  # a module reusing another module's demo account
                continue
            printed.add(a.login)
            w(f"{a.role:<22} {a.login:<36} password: {a.password}")
            if a.totp_secret:
                w(f"{'':<22} TOTP secret (add to an authenticator app): {a.totp_secret}")
                w(f"{'':<22} {a.otpauth_uri}")
            if a.note:
                w(f"{'':<22} {a.note}")
        w("=" * 78)
        port = getattr(settings, "DEMO_PORT_HINT", "8000")
        w(f"Open http://127.0.0.1:{port}/ and sign in with one of the accounts above.")
