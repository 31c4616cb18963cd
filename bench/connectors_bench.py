"""Connector pull: N data values pulled from an agency app on 127.0.0.1 vs a raw ``executemany`` of the same rows.

Called from bench/suite.py as the part ``connector`` (it brings the database, the story and the payload the
``import`` part uses)::

    BALAI_ENV=test BALAI_DATABASE_URL=sqlite:////tmp/bench-connector.sqlite3 \\
        .venv/bin/python bench/suite.py connector --rows 5000 --repeat 1

The agency app is a ``ThreadingHTTPServer`` in this process serving the rows as the JSON an app would answer
(``{"data": {"items": [{"indikator", "kode_unit", "periode", "nilai"}, ...]}}``), so the pull is the whole
path: HTTP fetch, JSON parse, mapping of every record (indicator, unit and period looked up in bulk), the
all-or-nothing import through ``facts_import`` in one transaction, the run record and the audit event.

Measured, ``--repeat`` times each on an empty Fact table (medians):

- ``executemany``: the baseline, ready-made tuples inserted by one ``cursor.executemany`` in one transaction
  (the same baseline as the ``import`` part);
- ``pull``: ``connector_pull`` of the whole answer (everything imported);
- ``repull``: the same answer again (everything unchanged, ignored);
- ``fetch_map``: fetch, parse and map alone (no write), once, to show where the time goes.

The goal (issue 5) is executemany / pull ≥ 0.5.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

GOAL_RATIO = 0.5


def _serve(body: bytes) -> tuple[ThreadingHTTPServer, str]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/api/v1/rekap"


def part_connector(
    rows_wanted: int,
    repeat: int,
    *,
    story: Any,
    payload: Callable[[int], list[dict[str, str]]],
    reset_facts: Callable[[], None],
    raw_insert: Callable[[list[dict[str, str]]], Callable[[], None]],
) -> dict[str, Any]:

    from balai.connectors import services
    from balai.connectors.mapping import import_rows
    from balai.connectors.models import ConnectorRun
    from balai.indicators.models import Fact

    rows = payload(rows_wanted)
    records = [
        {"indikator": r["dataElement"], "kode_unit": r["orgUnit"], "periode": r["period"], "nilai": float(r["value"])}
        for r in rows
    ]
    body = json.dumps({"status": "ok", "data": {"items": records}}).encode()
    server, url = _serve(body)
    connector = services.connector_create(
        actor=None,
        values={
            "name": "Bench agency app",
            "owner": story.diskominfo,
            "url": url,
            "format": "json",
            "auth_kind": "bearer",
            "records_path": "data.items",
            "indicator_field": "indikator",
            "unit_field": "kode_unit",
            "unit_match": "code",
            "period_field": "periode",
            "period_format": "period",
            "value_field": "nilai",
            "schedule": "manual",
            "alert_after": 3,
            "is_active": True,
        },
        token="bench-token",  # noqa: S106 - sent to the benchmark's own server on 127.0.0.1
    )
    executemany = raw_insert(rows)  # the import part's own baseline (bench/baseline.py)

    def pull() -> tuple[float, dict[str, int]]:
        start = time.perf_counter()
        run = services.connector_pull(connector_id=connector.pk)
        took = time.perf_counter() - start
        if run is None or run.status != "success":
            raise SystemExit(f"connector pull failed: {run.error if run else 'not claimed'}")
        return took, {"imported": run.imported, "updated": run.updated, "ignored": run.ignored}

    baseline, first, again = [], [], []
    summaries: dict[str, Any] = {}
    try:
        for _ in range(repeat):
            reset_facts()
            start = time.perf_counter()
            executemany()
            baseline.append(time.perf_counter() - start)
            assert Fact.objects.count() == len(rows)
            reset_facts()
            took, counts = pull()
            first.append(took)
            summaries["first"] = counts
            assert counts["imported"] == len(rows), counts
            took, counts = pull()
            again.append(took)
            summaries["again"] = counts
            assert counts["ignored"] == len(rows), counts
        start = time.perf_counter()
        mapped = import_rows(connector, services._fetch_records(connector))
        fetch_map = time.perf_counter() - start
        assert mapped is not None and len(mapped) == len(rows)
    finally:
        server.shutdown()
        server.server_close()
    return {
        "rows": len(rows),
        "payload_bytes": len(body),
        "indicators": len({r["dataElement"] for r in rows}),
        "units": len({r["orgUnit"] for r in rows}),
        "periods": len({r["period"] for r in rows}),
        "repeat": repeat,
        "executemany_s": baseline,
        "pull_s": first,
        "repull_s": again,
        "fetch_map_s": fetch_map,
        "summaries": summaries,
        "runs": ConnectorRun.objects.filter(connector=connector).count(),
    }
