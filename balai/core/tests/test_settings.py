"""Production refuses to start when its configuration is unsafe (run in a fresh interpreter each time)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

SECRET = "x" * 64


def start(**env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("BALAI_")}
    clean.update(env)
    code = "import django, os; os.environ['DJANGO_SETTINGS_MODULE'] = 'balai.settings'; django.setup()"
    return subprocess.run([sys.executable, "-c", code], env=clean, capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"BALAI_ENV": "production", "BALAI_ALLOWED_HOSTS": "balai.example.go.id"}, "BALAI_SECRET_KEY is not set"),
        ({"BALAI_ENV": "production", "BALAI_SECRET_KEY": "short", "BALAI_ALLOWED_HOSTS": "a"}, "at least 50"),
        (
            {"BALAI_ENV": "production", "BALAI_SECRET_KEY": SECRET, "BALAI_ALLOWED_HOSTS": "a", "BALAI_DEBUG": "1"},
            "BALAI_DEBUG must be off",
        ),
        ({"BALAI_ENV": "production", "BALAI_SECRET_KEY": SECRET}, "BALAI_ALLOWED_HOSTS is empty"),
        ({"BALAI_ENV": "staging"}, "expected production, development or test"),
        ({"BALAI_ENV": "test", "BALAI_DEBUG": "maybe"}, "expected true/false"),
        ({"BALAI_ENV": "test", "BALAI_MAP_TILE_URL": "tiles.example.go.id/{z}/{x}/{y}.png"}, "BALAI_MAP_TILE_URL"),
        ({"BALAI_ENV": "test", "BALAI_MAP_TILE_URL": "https://tiles.example.go.id/tile.png"}, "{z}, {x} and {y}"),
        ({"BALAI_ENV": "test", "BALAI_MAP_TILE_URL": "javascript://x/{z}/{x}/{y}"}, "BALAI_MAP_TILE_URL"),
    ],
)
def test_unsafe_configuration_refuses_to_start(env: dict[str, str], message: str) -> None:
    result = start(**env)
    assert result.returncode != 0
    assert message in result.stderr


def test_safe_production_configuration_starts() -> None:
    result = start(
        BALAI_ENV="production",
        BALAI_SECRET_KEY=SECRET,
        BALAI_ALLOWED_HOSTS="balai.example.go.id",
        BALAI_DATABASE_URL="sqlite:///:memory:",
    )
    assert result.returncode == 0, result.stderr
