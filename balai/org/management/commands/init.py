"""``balai init --wilayah 63.72``: set up a Pemda and its kecamatan and kelurahan/desa from the code list."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from balai.org.choices import UnitKind
from balai.org.models import OrgUnit
from balai.org.services import pemda_init


class Command(BaseCommand):
    help = (
        "Create (or bring up to date) a Pemda and its kecamatan and kelurahan/desa from the Kemendagri "
        "code list. Safe to run again: existing units are updated, never duplicated."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--wilayah",
            required=True,
            metavar="CODE",
            help="Kemendagri code of the kabupaten/kota, e.g. 63.72 (Kota Banjarbaru).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            summary = pemda_init(actor=None, wilayah_code=options["wilayah"])
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        root = summary.root
        kinds: dict[str, int] = dict.fromkeys(
            (UnitKind.KECAMATAN.value, UnitKind.KELURAHAN.value, UnitKind.DESA.value), 0
        )
        for kind in OrgUnit.objects.subtree_of(root).filter(kind__in=list(kinds)).values_list("kind", flat=True):
            kinds[kind] += 1
        self.stdout.write(self.style.SUCCESS(f"{root.name} ({root.code})"))
        self.stdout.write(f"  created {summary.created}, updated {summary.updated}, unchanged {summary.unchanged}")
        self.stdout.write(
            f"  {kinds[UnitKind.KECAMATAN]} kecamatan, {kinds[UnitKind.KELURAHAN]} kelurahan, "
            f"{kinds[UnitKind.DESA]} desa"
        )
        self.stdout.write(f"  time zone {root.time_zone}")
