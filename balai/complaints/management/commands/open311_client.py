"""``balai open311_client "Aplikasi Banjarbaru Smart"``: create an api_key for an Open311 app (shown once)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from balai.complaints.open311_keys import open311_client_create


class Command(BaseCommand):
    help = "Create an Open311 client app and print its api_key once (only its hash is stored)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("name", help="the app's name, e.g. 'Aplikasi Banjarbaru Smart'")

    def handle(self, *args: Any, **options: Any) -> None:
        client, key = open311_client_create(actor=None, name=options["name"])
        self.stdout.write(f"Open311 client {client.name!r} created. api_key (shown once): {key}")
