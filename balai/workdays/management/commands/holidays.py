"""``balai holidays --load 2026 [--pemda 63.72]``: load the national holidays and cuti bersama of a year."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from balai.org.choices import UnitKind
from balai.org.models import OrgUnit
from balai.workdays import master
from balai.workdays.services import holidays_load_national


class Command(BaseCommand):
    help = (
        "Load the national holidays and cuti bersama of a year (SKB 3 Menteri, shipped with Balai) into "
        "the working-day calendar of a Pemda. Safe to run again; days set by hand are kept."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--load", required=True, type=int, metavar="YEAR", help="Year to load, e.g. 2026.")
        parser.add_argument(
            "--pemda",
            metavar="CODE",
            help="Code of the Pemda, e.g. 63.72. May be left out when the database holds a single Pemda.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        year: int = options["load"]
        if year not in master.available_years():
            raise CommandError(
                f"There is no national holiday list for {year}. "
                f"Available years: {', '.join(str(y) for y in master.available_years())}."
            )
        pemda = self._pemda(options.get("pemda"))
        try:
            summary = holidays_load_national(actor=None, pemda=pemda, year=year)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        self.stdout.write(self.style.SUCCESS(f"{pemda.name} ({pemda.code}): holidays {year}"))
        self.stdout.write(
            f"  loaded {summary.created}, updated {summary.updated}, unchanged {summary.unchanged}, "
            f"removed {summary.removed}, kept (set by hand) {summary.kept_manual}"
        )
        if summary.provisional:
            self.stdout.write(
                self.style.WARNING(f"  {year} is provisional: reload when the SKB 3 Menteri {year} is signed.")
            )

    def _pemda(self, code: str | None) -> OrgUnit:
        roots = OrgUnit.objects.filter(parent__isnull=True, kind=UnitKind.PEMDA)
        if code:
            pemda = roots.filter(code=code.strip()).first()
            if pemda is None:
                raise CommandError(f"No Pemda with code {code}. Set it up first: balai init --wilayah {code}")
            return pemda
        found = list(roots[:2])
        if len(found) != 1:
            raise CommandError(
                "No Pemda yet: run balai init --wilayah CODE first." if not found else "Several Pemda: pass --pemda."
            )
        return found[0]
