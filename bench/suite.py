"""One benchmark part against one database, in its own process (Django's settings are per process).

Called by bench/run.py, which gives each part a fresh database through BALAI_DATABASE_URL and
collects the JSON this prints on its last line. Parts:

- ``import``: DHIS2 dataValueSets import of N rows through the API vs a raw ``executemany``.
- ``dashboard``: the head of region's home page vs re-running the SQL it made.
- ``memory``: RSS of one gunicorn sync worker after it served a few pages many times.

Every loop is bounded by a count; all traffic goes to 127.0.0.1.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "balai.settings")
os.environ.setdefault("BALAI_ENV", "test")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from balai.core.periods import Period, PeriodType  # noqa: E402
from balai.core.testing import build_story  # noqa: E402
from balai.indicators.models import DirtyPeriod, Fact, FactRollup, ImportJob, Indicator  # noqa: E402
from balai.org.models import OrgUnit, User  # noqa: E402

FACT_TABLES = re.compile(r'"?indicators_fact(rollup)?"?\b')


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    index = max(0, min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1))))
    return ordered[index]


def timed(fn: Any) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def migrate() -> None:
    call_command("migrate", verbosity=0, interactive=False)


# ------------------------------------------------------------------------------------------ data
def bench_indicator(code: str, period_type: str, name: str) -> Indicator:
    indicator, _ = Indicator.objects.get_or_create(
        code=code,
        defaults={
            "name_id": name,
            "name_en": name,
            "period_type": period_type,
            "aggregation": "sum",
            "value_type": "integer",
            "unit": "kali",
            "source": "bench",
        },
    )
    return indicator


def periods_back(period_type: str, count: int, until: dt.date) -> list[Period]:
    period = Period.containing(until, PeriodType(period_type))
    out = []
    for _ in range(count):
        out.append(period)
        period = period.previous()
    return out


def import_payload(rows_wanted: int) -> list[dict[str, str]]:
    """Daily indicators for each kelurahan plus monthly ones for every territorial unit, ~90/10."""
    kelurahan = list(OrgUnit.objects.filter(kind__in=["kelurahan", "desa"]).order_by("code"))
    territorial = list(OrgUnit.objects.filter(kind__in=["kecamatan", "kelurahan", "desa"]).order_by("code"))
    today = dt.date(2026, 1, 31)
    monthly_rows = rows_wanted // 10
    months = 40
    monthly_count = max(1, monthly_rows // (len(territorial) * months))
    daily_rows = rows_wanted - monthly_count * len(territorial) * months
    days = 900
    daily_count = max(1, -(-daily_rows // (len(kelurahan) * days)))
    rows: list[dict[str, str]] = []
    for i in range(monthly_count):
        code = bench_indicator(f"bench.monthly.{i + 1}", "month", f"Bench monthly {i + 1}").code
        for u, unit in enumerate(territorial):
            for p, period in enumerate(periods_back("month", months, today)):
                rows.append(
                    {
                        "dataElement": code,
                        "period": period.id,
                        "orgUnit": unit.code,
                        "value": str((u * 31 + p * 7 + i) % 1000),
                    }
                )
    for i in range(daily_count):
        code = bench_indicator(f"bench.daily.{i + 1}", "day", f"Bench daily {i + 1}").code
        for u, unit in enumerate(kelurahan):
            for p, period in enumerate(periods_back("day", days, today)):
                if len(rows) >= rows_wanted:
                    return rows
                rows.append(
                    {
                        "dataElement": code,
                        "period": period.id,
                        "orgUnit": unit.code,
                        "value": str((u * 17 + p * 3 + i) % 500),
                    }
                )
    return rows


def reset_facts() -> None:
    """An empty Fact table for each timed run; on PostgreSQL without the dead rows a DELETE leaves."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("TRUNCATE indicators_fact, indicators_factrollup, indicators_dirtyperiod")
        else:
            Fact.objects.all().delete()
            FactRollup.objects.all().delete()
            DirtyPeriod.objects.all().delete()
        ImportJob.objects.all().delete()


# ---------------------------------------------------------------------------------------- import
def part_import(rows_wanted: int, repeat: int) -> dict[str, Any]:
    migrate()
    story = build_story()
    secret = story.token(story.integration, name="bench")
    rows = import_payload(rows_wanted)
    body = json.dumps({"dataValues": rows})
    indicators = {i.code: i.pk for i in Indicator.objects.all()}
    units = dict(OrgUnit.objects.values_list("code", "id"))
    now = dt.datetime.now(dt.UTC)
    # The baseline gets its rows ready-made: it stands for the database's own best insert rate.
    raw = [
        (
            indicators[r["dataElement"]],
            units[r["orgUnit"]],
            r["period"],
            Period.parse(r["period"]).start,
            float(r["value"]),
            None,
            None,
            "bench",
            "",
            now,
        )
        for r in rows
    ]
    insert = (
        "INSERT INTO indicators_fact (indicator_id, org_unit_id, period, period_start, value, numerator, "
        "denominator, source, comment, updated_at) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)"
    )

    def executemany() -> None:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.executemany(insert, raw)

    client = Client()
    auth = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}

    def post() -> dict[str, Any]:
        response = client.post("/api/v1/dataValueSets", data=body, content_type="application/json", **auth)
        if response.status_code != 200:
            raise SystemExit(f"import answered {response.status_code}: {response.content[:500]!r}")
        return response.json()

    baseline, first, again = [], [], []
    summaries: dict[str, Any] = {}
    for _ in range(repeat):
        reset_facts()
        baseline.append(timed(executemany))
        assert Fact.objects.count() == len(rows)
        reset_facts()
        start = time.perf_counter()
        summary = post()
        first.append(time.perf_counter() - start)
        summaries["first"] = summary["importCount"]
        assert summary["importCount"]["imported"] == len(rows), summary["importCount"]
        start = time.perf_counter()
        summary = post()
        again.append(time.perf_counter() - start)
        summaries["again"] = summary["importCount"]
        assert summary["importCount"]["ignored"] == len(rows), summary["importCount"]
    dirty = DirtyPeriod.objects.count()
    # What the worker then owes: the roll-ups of every dirty period (not part of the request).
    from balai.indicators.services import dirty_drain

    rollup_seconds = timed(dirty_drain)
    return {
        "rows": len(rows),
        "payload_bytes": len(body),
        "indicators": len({r["dataElement"] for r in rows}),
        "units": len({r["orgUnit"] for r in rows}),
        "periods": len({r["period"] for r in rows}),
        "repeat": repeat,
        "executemany_s": baseline,
        "import_s": first,
        "reimport_s": again,
        "summaries": summaries,
        "dirty_pairs": dirty,
        "rollup_rebuild_s": rollup_seconds,
        "rollups": FactRollup.objects.count(),
    }


# ------------------------------------------------------------------------------------- dashboard
def head_of_region() -> User:
    from balai.org.models import RoleAssignment
    from balai.org.roles import Role

    assignment = (
        RoleAssignment.objects.filter(role=Role.HEAD_OF_REGION, user__is_active=True)
        .select_related("user")
        .order_by("pk")
        .first()
    )
    if assignment is None:
        raise SystemExit("no head-of-region user in the bench database")
    return assignment.user


def build_city(scale: int) -> str:
    """The demo city at this scale, through `balai demo` when it exists; else Facts of our own."""
    from django.core.management import get_commands

    if "demo" in get_commands():
        call_command("demo", scale=scale, verbosity=0)
        return f"balai demo --scale {scale}"
    story = build_story()
    from balai.indicators.services import dirty_drain, facts_import, indicators_sync

    indicators_sync(actor=None)
    kelurahan = list(OrgUnit.objects.filter(kind__in=["kelurahan", "desa"]).order_by("code"))
    today = dt.date.today()
    rows = []
    for i in range(8):
        code = bench_indicator(f"bench.kpi.{i + 1}", "month", f"KPI {i + 1}").code
        for u, unit in enumerate(kelurahan):
            for p, period in enumerate(periods_back("month", 24, today)):
                rows.append(
                    {
                        "dataElement": code,
                        "period": period.id,
                        "orgUnit": unit.code,
                        "value": str((u * 13 + p * 5 + i) % 300),
                    }
                )
    for i in range(2 * scale):
        code = bench_indicator(f"bench.daily.{i + 1}", "day", f"Daily {i + 1}").code
        for u, unit in enumerate(kelurahan):
            for p, period in enumerate(periods_back("day", 365, today)):
                rows.append(
                    {"dataElement": code, "period": period.id, "orgUnit": unit.code, "value": str((u * 7 + p + i) % 50)}
                )
    facts_import(actor=story.integration, rows=rows)
    dirty_drain()
    return f"bench/suite.py synthetic Facts, scale {scale} (balai demo not available)"


def replay(statements: list[str]) -> float:
    start = time.perf_counter()
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)
            cursor.fetchall()
    return time.perf_counter() - start


def part_dashboard(scale: int, requests: int) -> dict[str, Any]:
    migrate()
    start = time.perf_counter()
    source = build_city(scale)
    build_seconds = time.perf_counter() - start
    from balai.indicators.services import dirty_drain

    dirty_drain()
    if connection.vendor == "postgresql":
        # A live server has planner statistics (autovacuum); a database loaded a second ago does not,
        # and without them PostgreSQL picks plans ten times slower than it would in production.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    head = head_of_region()
    client = Client()
    client.force_login(head)
    for _ in range(5):  # warm caches, template loader, first connection
        response = client.get("/")
        if response.status_code != 200:
            raise SystemExit(f"GET / answered {response.status_code} for {head.username}")
    page_times = []
    for _ in range(requests):
        start = time.perf_counter()
        response = client.get("/")
        page_times.append(time.perf_counter() - start)
        assert response.status_code == 200
    # The floor every signed-in request pays (session, user, middleware): a view that does nothing.
    floor_times = []
    for _ in range(requests):
        start = time.perf_counter()
        response = client.get("/health/")
        floor_times.append(time.perf_counter() - start)
        assert response.status_code == 200
    with CaptureQueriesContext(connection) as captured:
        client.get("/")
    selects = [q["sql"] for q in captured.captured_queries if q["sql"].lstrip().upper().startswith(("SELECT", "WITH"))]
    fact_selects = [sql for sql in selects if FACT_TABLES.search(sql)]
    all_sql, fact_sql = [], []
    for _ in range(requests):
        all_sql.append(replay(selects))
        fact_sql.append(replay(fact_selects))
    return {
        "scale": scale,
        "data_source": source,
        "build_s": build_seconds,
        "facts": Fact.objects.count(),
        "rollups": FactRollup.objects.count(),
        "units": OrgUnit.objects.count(),
        "user": head.username,
        "requests": requests,
        "page_s": page_times,
        "floor_s": floor_times,
        "queries": len(captured.captured_queries),
        "selects": len(selects),
        "fact_selects": len(fact_selects),
        "replay_all_s": all_sql,
        "replay_fact_s": fact_sql,
    }


# ---------------------------------------------------------------------------------------- memory
def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def proc_status(pid: int) -> dict[str, int]:
    out = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in {"VmRSS", "VmHWM"}:
            out[key] = int(value.split()[0])  # kB
    return out


def children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(p) for p in path.read_text().split()] if path.exists() else []


def part_memory(rounds: int) -> dict[str, Any]:
    """Serve pages from a real gunicorn worker against the dashboard database already built."""
    head = head_of_region()
    client = Client()
    client.force_login(head)
    from django.conf import settings

    cookie = f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
    kecamatan = OrgUnit.objects.filter(kind="kecamatan").order_by("code").values_list("code", flat=True).first()
    pages = ["/", f"/dasbor/{kecamatan}/", "/indicators/", "/org/units/", "/api/v1/indicators"]
    port = free_port()
    gunicorn = Path(sys.executable).with_name("gunicorn")
    server = subprocess.Popen(
        [
            str(gunicorn),
            "balai.wsgi:application",
            "--workers",
            "1",
            "--worker-class",
            "sync",
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
        ],
        cwd=REPO,
        env=os.environ.copy(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"

    def get(path: str) -> int:
        # Always http://127.0.0.1:<port>: the URL is ours, never user input.
        request = urllib.request.Request(base + path, headers={"Cookie": cookie})  # noqa: S310
        try:
            with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
                response.read()
                return int(response.status)
        except urllib.error.HTTPError as exc:
            return int(exc.code)

    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if get("/health/") == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline or server.poll() is not None:
                raise SystemExit(f"gunicorn did not come up: {server.stderr.read().decode()[-2000:]}")
            time.sleep(0.2)
        workers = children(server.pid)
        if len(workers) != 1:
            raise SystemExit(f"expected one gunicorn worker, found {workers}")
        worker = workers[0]
        after_start = proc_status(worker)
        statuses: dict[str, set[int]] = {p: set() for p in pages}
        start = time.perf_counter()
        for _ in range(rounds):
            for path in pages:
                statuses[path].add(get(path))
        served_s = time.perf_counter() - start
        after = proc_status(worker)
        master = proc_status(server.pid)
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=5)
    return {
        "pages": pages,
        "statuses": {p: sorted(s) for p, s in statuses.items()},
        "rounds": rounds,
        "requests": rounds * len(pages),
        "served_s": served_s,
        "worker_rss_start_kb": after_start["VmRSS"],
        "worker_rss_kb": after["VmRSS"],
        "worker_hwm_kb": after["VmHWM"],
        "master_rss_kb": master["VmRSS"],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("part", choices=["import", "dashboard", "memory"])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--scale", type=int, default=1)
    parser.add_argument("--requests", type=int, default=50)
    args = parser.parse_args()
    if args.part == "import":
        result = part_import(args.rows, args.repeat)
    elif args.part == "dashboard":
        result = part_dashboard(args.scale, args.requests)
    else:
        result = part_memory(args.requests)
    result["vendor"] = connection.vendor
    result["db_version"] = db_version()
    print("BENCH-RESULT " + json.dumps(result))


def db_version() -> str:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("select sqlite_version()")
            return "SQLite " + cursor.fetchone()[0]
        cursor.execute("show server_version")
        return "PostgreSQL " + cursor.fetchone()[0]


if __name__ == "__main__":
    main()
