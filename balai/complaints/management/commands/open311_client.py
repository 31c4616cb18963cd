"""``balai open311_client "Aplikasi Banjarbaru Smart"``: create an api_key for an Open311 app (shown once).

``--list`` shows the apps, ``--revoke PREFIX`` stops a key. The same service functions as the
*Report settings → Open311 apps* page, so both leave the same audit trail.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from balai.complaints.catalogue import open311_client_revoke, open311_clients
from balai.complaints.models import Open311Client
from balai.complaints.open311_keys import KEY_PREFIX, open311_client_create


class Command(BaseCommand):
    help = "Create an Open311 client app and print its api_key once (only its hash is stored); list or revoke apps."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("name", nargs="?", help="the app's name, e.g. 'Aplikasi Banjarbaru Smart'")
        parser.add_argument("--list", action="store_true", help="list the apps and their key prefixes")
        parser.add_argument("--revoke", metavar="PREFIX", help="revoke the key starting with o311_PREFIX_")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["list"]:
            for client in open311_clients():
                state = "active" if client.is_active else "revoked"
                self.stdout.write(
                    f"{KEY_PREFIX}{client.key_prefix}_…\t{state}\t{client.created_at:%Y-%m-%d}\t{client.name}"
                )
            return
        if options["revoke"]:
            prefix = options["revoke"].removeprefix(KEY_PREFIX).split("_")[0]
            found = Open311Client.objects.filter(key_prefix=prefix).first()
            if found is None:
                raise CommandError(f"No Open311 app has a key starting with {KEY_PREFIX}{prefix}_ (see --list).")
            open311_client_revoke(actor=None, client=found)
            self.stdout.write(f"Open311 client {found.name!r} revoked: its api_key no longer works.")
            return
        if not options["name"]:
            raise CommandError("Give the app's name, or use --list or --revoke PREFIX.")
        client, key = open311_client_create(actor=None, name=options["name"])
        self.stdout.write(f"Open311 client {client.name!r} created. api_key (shown once): {key}")
