"""``balai export_openapi``: print the OpenAPI schema of /api/v1/ (``make openapi`` commits it as docs/openapi.json)."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand


def openapi_text() -> str:
    """The schema as committed: sorted keys and 2-space indent, so a diff shows only real API changes."""
    from balai.api import api

    return json.dumps(api.get_openapi_schema(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


class Command(BaseCommand):
    help = "Print the OpenAPI schema of the JSON API (/api/v1/) as pretty JSON."

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(openapi_text(), ending="")
