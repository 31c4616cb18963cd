"""``balai demo``: load Kota Banjarbaru with synthetic people and a year of numbers, print the logins."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

from balai.demo import loader
from balai.demo.accounts import ACCOUNTS, ADMIN_TOTP_SECRET, PASSWORD
from balai.org.models import OrgUnit


def positive_int(raw: str) -> int:
    value = int(raw)
    if value < 1:
        raise ValueError(raw)
    return value


class Command(BaseCommand):
    help = "Load the demo Pemda (Kota Banjarbaru) with synthetic ASN, RW/RT and a year of Facts; print the logins."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--scale",
            type=positive_int,
            default=1,
            help="Multiply people, activity and RW/RT (10 looks like a 2.9 M metro). Default 1.",
        )
        parser.add_argument("--seed", type=int, default=2026, help="Random seed; the same seed gives the same city.")
        parser.add_argument(
            "--asn",
            type=positive_int,
            default=None,
            help="Number of ASN to generate (default 5000 x scale); smaller is faster for tests.",
        )
        parser.add_argument(
            "--reset", action="store_true", help="Wipe the WHOLE database (every table) first, then load the demo."
        )
        parser.add_argument(
            "--allow-production",
            action="store_true",
            help="Allow loading synthetic data with BALAI_ENV=production (a public demo server).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.PRODUCTION and not options["allow_production"]:
            raise CommandError(
                "balai demo loads synthetic people into the database and is meant for "
                "BALAI_ENV=development. Add --allow-production for a public demo server."
            )
        if options["reset"]:
            self.stdout.write("Wiping the database (--reset) ...")
            call_command("flush", interactive=False, verbosity=0)
        current = loader.loaded()
        if current is not None:
            self.stdout.write(
                self.style.SUCCESS(
                    f"The demo is already loaded (seed {current['seed']}, scale {current['scale']}, "
                    f"{current['asn']} ASN). Use --reset to load it again."
                )
            )
            self._logins(token="")
            return
        scale, seed = options["scale"], options["seed"]
        self.stdout.write(f"Loading Kota Banjarbaru (seed {seed}, scale {scale}) ...")
        try:
            report = loader.load(seed=seed, scale=scale, asn=options["asn"], log=self.stdout.write)
        except loader.DemoError as exc:
            raise CommandError(str(exc)) from exc
        counts = report.counts
        self.stdout.write(
            self.style.SUCCESS(
                f"Loaded in {report.seconds:.1f} s: {counts['units']} units ({counts['agencies']} perangkat daerah, "
                f"{counts['rw']} RW, {counts['rt']} RT), {counts['asn']} ASN, {counts['facts']} facts, "
                f"{counts['rollups']} roll-ups."
            )
        )
        self._logins(token=report.token)

    def _logins(self, *, token: str) -> None:
        names = dict(OrgUnit.objects.filter(code__in={a.unit_code for a in ACCOUNTS}).values_list("code", "name"))
        self.stdout.write("")
        self.stdout.write(self.style.MIGRATE_HEADING("Demo logins"))
        self.stdout.write(f"  {'username':<18} {'password':<17} {'role':<19} unit")
        for account in ACCOUNTS:
            password = "(API token only)" if account.is_integration else PASSWORD
            unit = names.get(account.unit_code, account.unit_code)
            self.stdout.write(f"  {account.username:<18} {password:<17} {account.role:<19} {unit}")
        self.stdout.write("")
        self.stdout.write(f"  admin signs in with a second factor. TOTP secret: {ADMIN_TOTP_SECRET}")
        self.stdout.write("  Current code: balai totp admin")
        if token:
            self.stdout.write(f"  API token of app.absensi (shown only now): {token}")
        else:
            self.stdout.write(
                "  The API token of app.absensi was shown when the demo was loaded; an admin can "
                "create a new one on its user page (/org/users/)."
            )
