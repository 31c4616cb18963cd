"""The benchmark's own tools: the load generator and the generator of a million reports.

Their numbers are for `make bench`; here only that they count right and write valid rows (no timing).
"""

from __future__ import annotations

import importlib.util
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from django.db import connection

from balai.core.testing import Story

BENCH = Path(__file__).resolve().parents[2] / "bench"


def bench_module(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"bench_{name}", BENCH / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


loadgen = bench_module("loadgen")


class Handler(BaseHTTPRequestHandler):
    def _answer(self, status: int, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Set-Cookie", "csrftoken=abc123; Path=/")
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        self._answer(500 if self.path == "/fail" else 200, b"hello")

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self._answer(201, str(len(body)).encode())

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def port() -> Iterator[int]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1]
    server.shutdown()
    server.server_close()


def test_fetch_reads_status_body_and_cookies(port: int) -> None:
    content_type, body = loadgen.multipart([("a", "1"), ("b", "dua")])
    response = loadgen.fetch_sync(
        port, loadgen.request_bytes("POST", port, "/x", headers={"Content-Type": content_type}, body=body)
    )
    assert (response.status, response.body) == (201, str(len(body)).encode())
    assert response.cookies() == {"csrftoken": "abc123"}
    assert b'name="b"\r\n\r\ndua\r\n' in body


def test_constant_rate_offers_every_request_and_counts_answers(port: int) -> None:
    made: list[int] = []

    def make(i: int) -> bytes:
        made.append(i)
        return loadgen.request_bytes("GET", port, "/")

    result = loadgen.constant_rate(port, make, rate=50, duration=0.4, expect={200})
    assert made == list(range(20))
    assert (result.offered, result.ok, result.errors, dict(result.statuses)) == (20, 20, 0, {200: 20})
    assert len(result.latencies) == 20
    assert result.as_dict()["p99_s"] >= result.as_dict()["p50_s"] > 0


def test_unexpected_answers_and_refused_connections_are_errors(port: int) -> None:
    failed = loadgen.closed_loop(
        port, lambda i: loadgen.request_bytes("GET", port, "/fail"), concurrency=2, duration=0.2, expect={200}
    )
    assert failed.offered > 0 and failed.ok == 0 and failed.errors == failed.offered
    assert failed.statuses == {500: failed.offered}
    assert failed.sample.startswith("HTTP/1.0 500")
    with socket_closed() as closed:
        refused = loadgen.constant_rate(
            closed, lambda i: loadgen.request_bytes("GET", closed, "/"), rate=20, duration=0.1, expect={200}
        )
    assert (refused.ok, refused.errors) == (0, 2)
    assert sum(refused.failures.values()) == 2


class socket_closed:
    """A port nothing listens on."""

    def __enter__(self) -> int:
        import socket

        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        return int(self.sock.getsockname()[1])

    def __exit__(self, *exc: object) -> None:
        self.sock.close()


@pytest.fixture
def city(story: Story) -> Story:
    """What the generator takes from the demo city: located kelurahan and the agencies that handle reports."""
    from balai.complaints.demo import CATEGORIES
    from balai.complaints.geo import centroids_load
    from balai.org import services as org
    from balai.org.choices import UnitKind

    centroids_load(story.root)
    for code in sorted({c[3] for c in CATEGORIES} - {"DISKOMINFO"}):
        org.orgunit_create(actor=None, parent=story.root, name=code, kind=UnitKind.PERANGKAT_DAERAH, code=code)
    return story


@pytest.mark.django_db(transaction=True)  # the generator commits batch by batch, as in the benchmark
def test_generator_adds_valid_reports_to_the_city(city: Story) -> None:
    from balai.complaints.models import Complaint, ComplaintUpdate

    data = bench_module("complaints_data")
    assert list(data.check_columns()) == []
    before, updates_before = Complaint.objects.count(), ComplaintUpdate.objects.count()
    with connection.cursor() as cursor:
        indexes = set(connection.introspection.get_constraints(cursor, "complaints_complaint"))
    made = data.generate(600, days=60)
    assert (made["reports"], Complaint.objects.count()) == (600, before + 600)
    assert made["updates"] == ComplaintUpdate.objects.count() - updates_before >= 600
    with connection.cursor() as cursor:
        assert set(connection.introspection.get_constraints(cursor, "complaints_complaint")) == indexes
    new = Complaint.objects.order_by("pk")[before:]
    statuses = {c.status for c in new}
    assert {"received", "resolved", "closed"} <= statuses
    assert any(c.is_confidential for c in new) and any(c.is_anonymous for c in new)
    # Each report's version counts the writes of its timeline; the desk and a unit operator can sign in.
    sample = new[0]
    assert sample.version == sample.updates.count() >= 1
    assert Complaint.objects.visible_to(data_user(data.DESK_USER)).count() >= 600
    operator = data_user(data.UNIT_USER.format(code=data.UNIT_MEASURED.lower()))
    assert 0 < Complaint.objects.visible_to(operator).count() < before + 600
    # New reports after the bulk load get fresh ids and codes (the sequences were reset).
    from balai.complaints.services import complaint_submit
    from balai.org.selectors import pemda_root

    root = pemda_root()
    assert root is not None
    later = complaint_submit(channel="web", category=sample.category, description="Lampu mati", pemda=root)
    assert later.pk > Complaint.objects.exclude(pk=later.pk).order_by("-pk")[0].pk


def data_user(username: str) -> Any:
    from balai.org.models import User

    return User.objects.get(username=username)


def test_a_measured_section_replaces_its_namesake_and_keeps_the_others(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.syspath_prepend(str(BENCH))  # run.py imports its sibling modules
    run = bench_module("run")
    report = "# Benchmarks\n\n## Headline\n\nh\n\n## Satu Dasbor (issue 5): overview\n\nold\n\n## Public\n\np\n"
    new = "## Satu Dasbor (issue 5): overview\n\nnew\n"
    assert run.splice_section(report, new) == (
        "# Benchmarks\n\n## Headline\n\nh\n\n## Satu Dasbor (issue 5): overview\n\nnew\n\n## Public\n\np\n"
    )
    added = run.splice_section(report, "## Satu Dasbor (issue 5): connectors\n\nc\n")
    assert added.endswith("## Public\n\np\n\n## Satu Dasbor (issue 5): connectors\n\nc\n")
    assert "\nold\n" in added
