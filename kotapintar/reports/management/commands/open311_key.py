"""API keys of Open311 client applications.

    manage.py open311_key create NAME [--contact TEXT]   the key is the LAST line printed
    manage.py open311_key revoke NAME|PREFIX              stop a key at once
    manage.py open311_key list                            every client with its key prefix

The key is shown only when it is made: only its SHA-256 is stored.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from kotapintar.core.errors import DomainError
from kotapintar.reports.open311 import selectors, services
from kotapintar.reports.open311.models import Open311Client


class Command(BaseCommand):
    help = "Create, revoke and list the API keys of Open311 client applications."

    def add_arguments(self, parser):
        commands = parser.add_subparsers(dest="action", required=True)
        create = commands.add_parser("create", help="Register an application; prints its key last.")
        create.add_argument("name")
        create.add_argument("--contact", default="", help="Who maintains the application (e-mail or phone).")
        revoke = commands.add_parser("revoke", help="Revoke the key of an application (by name or key prefix).")
        revoke.add_argument("name_or_prefix")
        commands.add_parser("list", help="List the applications and their key prefixes.")

    def handle(self, *args, action: str, **options):
        try:
            if action == "create":
                self._create(options["name"], options["contact"])
            elif action == "revoke":
                self._revoke(options["name_or_prefix"])
            else:
                self._list()
        except DomainError as exc:
            raise CommandError(exc.message) from exc

    def _create(self, name: str, contact: str) -> None:
        client, key = services.client_create(actor=None, name=name, contact=contact)
        self.stdout.write(
            _("Application “%(name)s” registered (key prefix %(prefix)s). Its key, shown only now:")
            % {"name": client.name, "prefix": client.key_prefix}
        )
        self.stdout.write(key)

    def _revoke(self, name_or_prefix: str) -> None:
        client = selectors.client_by_name_or_prefix(name_or_prefix)
        if client is None:
            raise CommandError(_("No application has the name or key prefix “%(text)s”.") % {"text": name_or_prefix})
        services.client_revoke(actor=None, client=client)
        self.stdout.write(_("The key of “%(name)s” is revoked.") % {"name": client.name})

    def _list(self) -> None:
        clients = list(Open311Client.objects.order_by("name"))
        if not clients:
            self.stdout.write(_("No Open311 application is registered."))
            return
        for client in clients:
            state = _("active") if client.is_active else _("revoked")
            # Times in WIB, as everywhere the city reads them.
            last = timezone.localtime(client.last_used_at).isoformat(timespec="seconds") if client.last_used_at else "-"
            self.stdout.write(f"{client.key_prefix}  {state:<8}  {last:<25}  {client.name}  {client.contact}".rstrip())
