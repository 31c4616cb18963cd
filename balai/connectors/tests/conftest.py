"""An agency app on 127.0.0.1 (a threading http.server) that serves good and bad payloads, and its connectors."""

from __future__ import annotations

import contextlib
import json
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from django.utils import translation

from balai.connectors import services
from balai.connectors.models import Connector
from balai.core.testing import Story

MENTAOS, KOMET = "63.72.04.1002", "63.72.04.1003"


@dataclass
class Route:
    status: int = 200
    content_type: str = "application/json"
    body: bytes = b""
    delay: float = 0.0
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class AgencyApp:
    """Routes by path; every request's path and headers are kept for the assertions."""

    port: int = 0
    routes: dict[str, Route] = field(default_factory=dict)
    requests: list[tuple[str, dict[str, str]]] = field(default_factory=list)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def json(self, path: str, document: Any, **kw: Any) -> str:
        self.routes[path] = Route(body=json.dumps(document).encode(), **kw)
        return self.url(path)

    def raw(self, path: str, body: bytes | str, content_type: str = "application/json", **kw: Any) -> str:
        data = body.encode() if isinstance(body, str) else body
        self.routes[path] = Route(body=data, content_type=content_type, **kw)
        return self.url(path)


def _handler(app: AgencyApp) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            app.requests.append((self.path, {k.lower(): v for k, v in self.headers.items()}))
            route = app.routes.get(self.path.split("?")[0])
            if route is None:
                self.send_response(404)
                self.end_headers()
                return
            if route.delay:
                time.sleep(route.delay)
            self.send_response(route.status)
            self.send_header("Content-Type", route.content_type)
            self.send_header("Content-Length", str(len(route.body)))
            for k, v in route.headers.items():
                self.send_header(k, v)
            self.end_headers()
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):  # the client gave up (timeouts)
                self.wfile.write(route.body)

        def log_message(self, format: str, *args: Any) -> None:
            return

    return Handler


@pytest.fixture
def agency() -> Iterator[AgencyApp]:
    app = AgencyApp()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(app))
    server.daemon_threads = True
    app.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield app
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def closed_port() -> int:
    """A port nothing listens on: bound, then released."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = int(sock.getsockname()[1])
    sock.close()
    return port


@pytest.fixture(autouse=True)
def _english(settings: Any) -> Iterator[None]:
    """Stored messages follow LANGUAGE_CODE (Indonesian in production); tests assert the English source."""
    settings.LANGUAGE_CODE = "en"
    settings.BALAI_CONNECTOR_TIMEOUT_SECONDS = 2
    settings.BALAI_CONNECTOR_ALLOW_LOOPBACK = True
    with translation.override("en"):
        yield


def presence_records() -> list[dict[str, Any]]:
    """What an attendance app answers: one record per office and month."""
    return [
        {"kode_unit": MENTAOS, "bulan": "202601", "persen": 96.5, "hadir": 193, "hari_kerja": 200},
        {"kode_unit": KOMET, "bulan": "202601", "persen": 94.0, "hadir": 282, "hari_kerja": 300},
        {"kode_unit": MENTAOS, "bulan": "202602", "persen": 97.0, "hadir": 194, "hari_kerja": 200},
    ]


def make_connector(story: Story, url: str, **values: Any) -> Connector:
    base: dict[str, Any] = {
        "name": "Aplikasi absensi BKPSDM",
        "owner": story.diskominfo,
        "url": url,
        "format": "json",
        "auth_kind": "none",
        "records_path": "data.items",
        "indicator_code": "attendance.presence_rate",
        "unit_field": "kode_unit",
        "unit_match": "code",
        "period_field": "bulan",
        "period_format": "period",
        "value_field": "persen",
        "numerator_field": "hadir",
        "denominator_field": "hari_kerja",
        "schedule": "daily",
        "daily_at": None,
        "is_active": True,
        "alert_after": 3,
    }
    base.update(values)
    if base["schedule"] == "daily" and base["daily_at"] is None:
        import datetime as dt

        base["daily_at"] = dt.time(6, 0)
    token = base.pop("token", None)
    password = base.pop("password", None)
    return services.connector_create(actor=story.admin, values=base, token=token, password=password)
