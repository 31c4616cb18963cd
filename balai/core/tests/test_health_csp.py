"""/health/ for load balancers, and the strict Content-Security-Policy on every response."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import override_settings

from balai.core.middleware import CSP


@pytest.mark.django_db
def test_health_reports_database_and_tasks(client: Any) -> None:
    response = client.get("/health/")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"]["status"] == "ok"
    assert body["database"]["vendor"] in {"sqlite", "postgresql"}
    assert isinstance(body["tasks"], dict)
    assert body["tasks"]["status"] == "ok"
    assert "no-cache" in response.headers["Cache-Control"]


@pytest.mark.django_db
def test_health_rejects_post(client: Any) -> None:
    assert client.post("/health/").status_code == 405


@pytest.mark.django_db
def test_health_with_database_task_backend_reports_the_queue(client: Any, settings: Any) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    body = client.get("/health/").json()
    assert body["tasks"] == {
        "status": "ok",
        "backend": "database",
        "ready": 0,
        "oldest_ready_seconds": 0.0,
        "failed_last_hour": 0,
        "last_finished_at": None,
    }


@pytest.mark.parametrize("url", ["/health/", "/api/v1/openapi.json", "/api/v1/docs", "/api/v1/me"])
@pytest.mark.django_db
def test_csp_header_on_every_response(client: Any, url: str) -> None:
    response = client.get(url)
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "script-src 'self'" in csp
    assert "style-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp
    # No third-party origin: the app must work on closed networks and injected tags load nothing.
    assert "http" not in csp
    assert "unsafe-inline" not in csp
    assert "unsafe-eval" not in csp
    assert csp == CSP


@pytest.mark.django_db
def test_security_headers(client: Any) -> None:
    response = client.get("/health/")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["Permissions-Policy"] == "camera=(self), geolocation=(self), microphone=()"


@pytest.mark.django_db
def test_map_tile_origin_joins_img_src_only(client: Any) -> None:
    with override_settings(BALAI_MAP_TILE_URL="https://tiles.example.go.id:8443/osm/{z}/{x}/{y}.png"):
        csp = client.get("/health/").headers["Content-Security-Policy"]
    directives = dict(d.split(" ", 1) for d in csp.split("; "))
    assert directives["img-src"] == "'self' data: blob: https://tiles.example.go.id:8443"
    # The tile server may serve pictures, never code or connections.
    assert [name for name, value in directives.items() if "tiles.example" in value] == ["img-src"]
