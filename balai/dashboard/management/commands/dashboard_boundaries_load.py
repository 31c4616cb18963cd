"""Load unit boundaries for the dashboard map from a GeoJSON FeatureCollection (matched by Kemendagri code)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from balai.dashboard.services import BoundaryFileError, boundaries_load


class Command(BaseCommand):
    help = (
        "Load kecamatan/kelurahan boundaries (Polygon/MultiPolygon, WGS 84) from a GeoJSON FeatureCollection; "
        "each feature is matched to a unit by the Kemendagri code in one of its properties."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", help="GeoJSON file (FeatureCollection)")
        parser.add_argument(
            "--code-property", default="code", help="property holding the Kemendagri code (default: code)"
        )
        parser.add_argument("--dry-run", action="store_true", help="report what would be loaded, write nothing")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["path"])
        try:
            collection = json.loads(path.read_text(encoding="utf-8"))
        except OSError as exc:
            raise CommandError(f"Cannot read {path}: {exc.strerror or exc}") from exc
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise CommandError(f"{path} is not JSON: {exc}") from exc
        try:
            report = boundaries_load(
                actor=None,
                collection=collection,
                code_property=options["code_property"],
                source=path.name,
                dry_run=options["dry_run"],
            )
        except BoundaryFileError as exc:
            raise CommandError(str(exc)) from exc
        for n, reason in report.refused:
            self.stdout.write(f"feature {n}: refused: {reason}")
        prefix = "dry run, nothing written: " if report.dry_run else ""
        self.stdout.write(
            f"{prefix}{len(report.loaded)} loaded, {len(report.updated)} updated, "
            f"{len(report.unchanged)} unchanged, {len(report.refused)} refused"
        )
