"""One benchmark part against one database, in its own process (Django's settings are per process).

Called by bench/run.py, which gives each part a fresh database through BALAI_DATABASE_URL and
collects the JSON this prints on its last line. Parts:

- ``import``: DHIS2 dataValueSets import of N rows through the API vs a raw ``executemany``.
- ``dashboard``: the head of region's home page vs re-running the SQL it made.
- ``memory``: RSS of one gunicorn sync worker after it served a few pages many times.
- ``complaints``: N citizen reports (bench/complaints_data.py), then the staff queue and the public map and
  list, timed in-process like the dashboard.
- ``intake``: gunicorn as ``balai serve`` starts it, against the database ``complaints`` left behind; a load
  generator on loopback (bench/loadgen.py) posts reports through the web form and Open311 at a fixed rate,
  and compares Open311 ``GET requests.json`` with a bare JSON view of the same size (bench/bench_urls.py).

Public services (issue 4), each part in its own module of bench/, whose docstring says what it measures:

- ``catalogue``: the public catalogue (``/layanan/``, its search, details and API) at ``balai demo --scale N``
  (bench/publicservices_bench.py).
- ``skm``: the IKM of one unit-year over N survey responses vs a raw GROUP BY (bench/skm_bench.py).
- ``queues``: call-next by N concurrent clerks vs plain UPDATEs, counting duplicates and lost tickets
  (bench/queues_bench.py); meant for PostgreSQL.
- ``overview``: the head of region's overview with 40 tiles and the map vs its own Fact SQL (bench/overview_bench.py).
- ``applications``: online submissions, then the desk and tracking pages over N applications, on the demo city
  the ``catalogue`` part left in the database, or a fresh one (bench/applications_bench.py).

Satu Dasbor (issue 5):

- ``rakor``: the monthly rakor pack (PDF + XLSX) for N perangkat daerah: build time and peak memory
  (bench/rakor_bench.py, which parses its own options: ``rakor --agencies 40 --indicators 12 --repeat 3``).
- ``connector``: a connector pull of N data values from an agency app on 127.0.0.1 vs a raw ``executemany``
  (bench/connectors_bench.py).

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
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

REPO = Path(__file__).resolve().parents[1]
BENCH = REPO / "bench"
sys.path.insert(0, str(REPO))
sys.path.insert(1, str(BENCH))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "balai.settings")
os.environ.setdefault("BALAI_ENV", "test")

import django  # noqa: E402

django.setup()

from baseline import fact_executemany  # noqa: E402
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
            "source": "external",  # pushed by an outside system, as the import benchmark does
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
    executemany = fact_executemany(rows)

    client = Client()
    auth = {"Authorization": f"Bearer {secret}"}

    def post() -> dict[str, Any]:
        response = client.post("/api/v1/dataValueSets", data=body, content_type="application/json", headers=auth)
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
                stderr = server.stderr.read().decode()[-2000:] if server.stderr else ""
                raise SystemExit(f"gunicorn did not come up: {stderr}")
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


# ------------------------------------------------------------------------------------ complaints
def complaint_pages(desk: User, operator: User, clerk: User) -> list[tuple[str, User | None, str]]:
    """What is timed at scale: (label, who, URL); None is an anonymous citizen."""
    from balai.complaints.models import Category

    kelurahan = OrgUnit.objects.filter(code="63.72.04.1002").first() or OrgUnit.objects.filter(kind="kelurahan").first()
    assert kelurahan is not None and kelurahan.latitude is not None and kelurahan.longitude is not None
    lamp = Category.objects.get(code="lampu")
    road = Category.objects.get(code="jalan")
    # About one kelurahan's area around its centroid: what a phone shows zoomed in on a neighbourhood.
    lat, lon = kelurahan.latitude, kelurahan.longitude
    bbox = f"{lat - 0.01:.4f},{lon - 0.01:.4f},{lat + 0.01:.4f},{lon + 0.01:.4f}"
    return [
        ("Staff queue, complaint desk, default tab (incoming)", desk, "/pengaduan/"),
        ("Staff queue, complaint desk, tab All", desk, "/pengaduan/?tab=all"),
        (
            "Staff queue, complaint desk, filtered (category, kelurahan, status)",
            desk,
            f"/pengaduan/?tab=all&category=lampu&kelurahan={kelurahan.code}&status=resolved",
        ),
        ("Staff queue, unit operator (Dishub), default tab (All)", operator, "/pengaduan/"),
        ("Staff queue, unit operator (Dishub), overdue only", operator, "/pengaduan/?tab=all&overdue=on"),
        ("Staff queue, kelurahan operator (Mentaos), default tab (All)", clerk, "/pengaduan/"),
        ("Public map JSON, no filter", None, "/aduan/peta.json"),
        ("Public map JSON, category and status", None, f"/aduan/peta.json?category={road.pk}&status=in_progress"),
        ("Public map JSON, one kelurahan", None, f"/aduan/peta.json?territory={kelurahan.pk}"),
        ("Public map JSON, bbox of a neighbourhood", None, f"/aduan/peta.json?bbox={bbox}"),
        ("Public list and map page, page 1", None, "/aduan/peta/"),
        ("Public list, category filter, page 20", None, f"/aduan/peta/?category={lamp.pk}&page=20"),
    ]


def part_complaints(reports: int, requests: int) -> dict[str, Any]:
    migrate()
    import complaints_data

    problems = list(complaints_data.check_columns())
    if problems:
        raise SystemExit("; ".join(problems))
    start = time.perf_counter()
    call_command("demo", scale=1, verbosity=0, stdout=open(os.devnull, "w"))  # noqa: SIM115
    demo_s = time.perf_counter() - start
    generated = complaints_data.generate(reports)
    from balai.complaints.models import Complaint, ComplaintUpdate

    public = Complaint.objects.public()
    return {
        "demo_s": demo_s,
        "generated": generated,
        "reports": Complaint.objects.count(),
        "updates": ComplaintUpdate.objects.count(),
        "public": public.count(),
        "located_public": public.filter(latitude__isnull=False).count(),
        "requests": requests,
        "pages": complaint_pages_timed(requests),
    }


def complaint_pages_timed(requests: int) -> list[dict[str, Any]]:
    import complaints_data

    desk = User.objects.get(username=complaints_data.DESK_USER)
    operator = User.objects.get(username=complaints_data.UNIT_USER.format(code=complaints_data.UNIT_MEASURED.lower()))
    clerk = User.objects.get(username="lurah.mentaos")  # the demo's kelurahan operator
    clients: dict[int | None, Client] = {}
    for user in (desk, operator, clerk, None):
        client = Client(HTTP_ACCEPT_LANGUAGE="id")
        if user is not None:
            client.force_login(user)
        clients[user.pk if user else None] = client
    pages = []
    for label, user, url in complaint_pages(desk, operator, clerk):
        client = clients[user.pk if user else None]
        for _ in range(5):  # warm caches, template loader, first connection
            response = client.get(url)
            if response.status_code != 200:
                raise SystemExit(f"GET {url} answered {response.status_code} for {user}")
        times = []
        for _ in range(requests):
            start = time.perf_counter()
            response = client.get(url)
            times.append(time.perf_counter() - start)
            assert response.status_code == 200
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        sql_s = sum(float(q["time"]) for q in captured.captured_queries)
        pages.append(
            {
                "label": label,
                "user": user.username if user else "anonymous",
                "url": url,
                "times_s": times,
                "queries": len(captured.captured_queries),
                "sql_s": sql_s,
                "bytes": len(response.content),
                "points": response.json()["count"] if url.startswith("/aduan/peta.json") else None,
            }
        )
    return pages


def start_server(port: int, env: dict[str, str]) -> tuple[subprocess.Popen[bytes], int]:
    """gunicorn with the argv of `balai serve` (its default workers for this machine), on 127.0.0.1."""
    from balai.core.management.commands.serve import default_workers, gunicorn_argv

    workers = default_workers()
    argv = gunicorn_argv(host="127.0.0.1", port=port, workers=workers, timeout=60)
    argv += ["--pythonpath", str(BENCH)]
    server = subprocess.Popen(
        argv, cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True
    )
    return server, workers


def stop_server(server: subprocess.Popen[bytes]) -> None:
    server.send_signal(signal.SIGTERM)
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait(timeout=5)


def wait_idle(port: int, seconds: float = 60.0) -> None:
    """Until the server answers at once: requests a run left behind must not slow the next one."""
    import loadgen

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        start = time.perf_counter()
        try:
            loadgen.fetch_sync(port, loadgen.request_bytes("GET", port, "/health/"), timeout=10)
        except (OSError, TimeoutError):
            continue
        if time.perf_counter() - start < 0.5:  # a queue in front of the workers takes longer than this
            return
        time.sleep(0.5)


def wait_up(server: subprocess.Popen[bytes], port: int) -> None:
    import loadgen

    deadline = time.monotonic() + 60
    while True:
        try:
            if loadgen.fetch_sync(port, loadgen.request_bytes("GET", port, "/health/"), timeout=5).status == 200:
                return
        except (OSError, TimeoutError, ValueError, IndexError):
            pass
        if time.monotonic() > deadline or server.poll() is not None:
            stderr = server.stderr.read().decode()[-3000:] if server.stderr and server.poll() is not None else ""
            raise SystemExit(f"gunicorn did not come up: {stderr}")
        time.sleep(0.3)


class IntakeRequests:
    """Citizens filing reports: the web form as a phone sends it, and an Open311 app's POST.

    Each request comes from another client address (X-Forwarded-For, as the reverse proxy in front of a
    real server sets it) and another phone number, so the per-address limit is exercised, not hit.
    """

    def __init__(self, port: int, tokens: list[tuple[str, str]], api_key: str) -> None:
        from balai.complaints.models import Category
        from balai.org.selectors import pemda_root

        root = pemda_root()
        assert root is not None
        from balai.complaints.geo import villages_located

        self.port = port
        self.tokens = tokens
        self.api_key = api_key
        self.categories = list(Category.objects.filter(is_active=True).values_list("pk", "code"))
        self.places = [
            (v.latitude, v.longitude)
            for v in villages_located(root)
            if v.latitude is not None and v.longitude is not None  # always, by villages_located
        ]
        if not self.places:
            raise SystemExit("the bench city has no located kelurahan")

    def _common(self, i: int) -> tuple[int, str, float, float, str, str]:
        import random

        rng = random.Random(i)
        pk, code = self.categories[i % len(self.categories)]
        lat, lon = self.places[i % len(self.places)]
        ip = f"10.{i // 65536 % 256}.{i // 256 % 256}.{i % 256}"
        phone = f"08{rng.randint(1_100_000_000, 1_399_999_999)}"
        return pk, code, lat + rng.uniform(-0.003, 0.003), lon + rng.uniform(-0.003, 0.003), ip, phone

    def web(self, i: int, path: str = "/aduan/baru/") -> bytes:
        import loadgen

        pk, _code, lat, lon, ip, phone = self._common(i)
        cookie, token = self.tokens[i % len(self.tokens)]
        content_type, body = loadgen.multipart(
            [
                ("csrfmiddlewaretoken", token),
                ("category", str(pk)),
                ("description", f"Lampu jalan mati sejak tiga hari, jalan gelap (bench {i})."),
                ("latitude", f"{lat:.6f}"),
                ("longitude", f"{lon:.6f}"),
                ("territory", ""),
                ("address", f"Jl. A. Yani km {i % 40}"),
                ("reporter_name", "Warga"),
                ("phone", phone),
                ("email", ""),
            ]
        )
        headers = {
            "Content-Type": content_type,
            "Cookie": f"csrftoken={cookie}",
            "X-Forwarded-For": ip,
            "Accept-Language": "id",
        }
        return loadgen.request_bytes("POST", self.port, path, headers=headers, body=body)

    def open311(self, i: int) -> bytes:
        import loadgen

        _pk, code, lat, lon, ip, phone = self._common(i)
        body = urlencode(
            {
                "api_key": self.api_key,
                "service_code": code,
                "lat": f"{lat:.6f}",
                "long": f"{lon:.6f}",
                "description": f"Lampu jalan mati sejak tiga hari, jalan gelap (bench {i}).",
                "first_name": "Warga",
                "phone": phone,
                "device_id": f"bench-{i}",
            }
        ).encode()
        headers = {"Content-Type": "application/x-www-form-urlencoded", "X-Forwarded-For": ip}
        return loadgen.request_bytes("POST", self.port, "/open311/v2/requests.json", headers=headers, body=body)


def csrf_tokens(port: int, count: int) -> list[tuple[str, str]]:
    """(cookie, form token) pairs as a citizen's browser gets them by opening the report form."""
    import loadgen

    pairs = []
    for _ in range(count):
        response = loadgen.fetch_sync(port, loadgen.request_bytes("GET", port, "/aduan/baru/"))
        if response.status != 200:
            raise SystemExit(f"GET /aduan/baru/ answered {response.status}")
        match = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', response.body)
        cookie = response.cookies().get("csrftoken")
        if match is None or cookie is None:
            raise SystemExit("the report form carries no CSRF token")
        pairs.append((cookie, match.group(1).decode()))
    return pairs


def part_intake(duration: float, rate: float, only: str = "") -> dict[str, Any]:
    """Reports filed through a real gunicorn at a fixed rate, then throughput against bare views.

    ``only="open311"``: just the Open311 reads against the bare JSON view (no reports filed).
    """
    import loadgen

    from balai.complaints.models import Complaint
    from balai.complaints.open311_keys import open311_client_create
    from balai.org.selectors import pemda_root

    migrate()
    if pemda_root() is None:  # run on its own: the complaints part has not loaded the city
        call_command("demo", scale=1, verbosity=0, stdout=open(os.devnull, "w"))  # noqa: SIM115
    _client, api_key = open311_client_create(actor=None, name="Bench app")
    # What the bare JSON view serves: Open311's own answer for 100 reports, taken in-process first.
    open311_path = "/open311/v2/requests.json?page_size=100"
    answer = Client().get(open311_path)
    if answer.status_code != 200:
        raise SystemExit(f"GET {open311_path} answered {answer.status_code}")
    items = len(answer.json())
    bare_file = REPO / "var" / "bench" / "open311_requests.json"
    bare_file.parent.mkdir(parents=True, exist_ok=True)
    bare_file.write_bytes(answer.content)
    port = free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench_settings",
        "BALAI_BENCH_BARE_JSON": str(bare_file),
        # Each simulated citizen has its own address, set by "the proxy" (X-Forwarded-For), and the limit
        # per address is far above what one address sends: the limit is checked on every report, never hit.
        "BALAI_TRUSTED_PROXIES": "1",
        "BALAI_INTAKE_RATE_COUNT": "1000000",
        # As in production: BALAI_ENV=test would check the per-process caches at every use.
        "BALAI_LOCAL_CACHE_SECONDS": "1",
    }
    before = Complaint.objects.count()
    server, workers = start_server(port, env)
    try:
        wait_up(server, port)
        tokens = csrf_tokens(port, 32)
        intake = IntakeRequests(port, tokens, api_key)
        offset = iter(range(0, 10**9, 1_000_000))  # each run its own addresses and phone numbers
        filed = 0  # reports the server said it filed, to check against the table afterwards

        def run(make: Callable[[int], bytes], expect: set[int], seconds: float, *, steady: bool) -> dict[str, Any]:
            nonlocal filed
            wait_idle(port)
            base = next(offset)
            if steady:
                result = loadgen.constant_rate(
                    port, lambda i: make(base + i), rate=rate, duration=seconds, expect=expect
                )
            else:
                result = loadgen.closed_loop(
                    port, lambda i: make(base + i), concurrency=2 * workers, duration=seconds, expect=expect
                )
            if make in (intake.web, intake.open311):
                filed += result.ok
            return result.as_dict()

        capacity_s = max(2.0, min(20.0, duration / 3))
        # Open311 reads against the bare JSON view first, before intake puts thousands of new reports on
        # top of the table; alternated, so a noisy neighbour slows both alike.
        get_open311 = loadgen.request_bytes("GET", port, open311_path)
        get_json = loadgen.request_bytes("GET", port, "/bench/bare.json")
        run(lambda i: get_open311, {200}, 1.0, steady=False)  # warm-up: every worker imports and connects
        reads: dict[str, list[dict[str, Any]]] = {"open311": [], "bare_json": []}
        for _round in range(2):
            reads["bare_json"].append(run(lambda i: get_json, {200}, capacity_s / 2, steady=False))
            reads["open311"].append(run(lambda i: get_open311, {200}, capacity_s / 2, steady=False))
        sizes = {
            "open311": len(loadgen.fetch_sync(port, get_open311).body),
            "bare_json": len(loadgen.fetch_sync(port, get_json).body),
        }
        if only == "open311":
            return {
                "workers": workers,
                "cpus": os.cpu_count(),
                "capacity_s": capacity_s,
                "reads": reads,
                "open311_items": items,
                "bytes": sizes,
            }
        run(intake.web, {302}, min(2.0, duration), steady=True)  # warm-up of the intake path
        web_steady = run(intake.web, {302}, duration, steady=True)
        open311_steady = run(intake.open311, {201}, duration, steady=True)
        get_bare = loadgen.request_bytes("GET", port, "/bench/bare/")
        capacity = {
            "web": run(intake.web, {302}, capacity_s, steady=False),
            "bare_post": run(lambda i: intake.web(i, "/bench/bare-post/"), {201}, capacity_s, steady=False),
            "bare_get": run(lambda i: get_bare, {200}, capacity_s, steady=False),
        }
    finally:
        stop_server(server)
    created = Complaint.objects.count() - before
    return {
        "workers": workers,
        "cpus": os.cpu_count(),
        "rate": rate,
        "duration_s": duration,
        "web": web_steady,
        "open311_post": open311_steady,
        "capacity_s": capacity_s,
        "capacity": capacity,
        "reads": reads,
        "open311_items": items,
        "bytes": sizes,
        "reports_before": before,
        "reports_created": created,
        "reports_filed": filed,
    }


# ------------------------------------------------------------------------------- public services
def part_catalogue(scale: int, requests: int) -> dict[str, Any]:
    import publicservices_bench

    return publicservices_bench.part_catalogue(scale=scale, requests=requests)


def part_skm(responses: int, repeat: int) -> dict[str, Any]:
    import skm_bench

    return skm_bench.part_skm(responses, repeat)


def part_queues(clerks: int, tickets: int, processes: bool) -> dict[str, Any]:
    import queues_bench

    return queues_bench.part_queues(clerks, tickets, processes=processes)


def part_applications(scale: int, applications: int, submits: int, requests: int) -> dict[str, Any]:
    import applications_bench

    result = applications_bench.part_applications(scale, applications, submits, requests)
    return {**result, "scale": scale, "requests": requests}


def part_rakor(argv: list[str]) -> dict[str, Any]:
    import rakor_bench

    return rakor_bench.part_rakor_cli(argv)


def part_connector(rows_wanted: int, repeat: int) -> dict[str, Any]:
    import connectors_bench

    migrate()
    return connectors_bench.part_connector(
        rows_wanted,
        repeat,
        story=build_story(),
        payload=import_payload,
        reset_facts=reset_facts,
        raw_insert=fact_executemany,
    )


def main() -> None:
    if sys.argv[1:2] == ["rakor"]:  # parses its own options (bench/rakor_bench.py)
        result = part_rakor(sys.argv[2:])
        result["vendor"] = connection.vendor
        result["db_version"] = db_version()
        print("BENCH-RESULT " + json.dumps(result))
        return
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "part",
        choices=[
            *("import", "dashboard", "memory", "complaints", "intake", "catalogue", "skm", "queues", "applications"),
            "overview",
            "connector",
        ],
    )
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--scale", type=int, default=1)
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--reports", type=int, default=1_000_000)
    parser.add_argument("--duration", type=float, default=60.0, help="seconds of each timed load (intake)")
    parser.add_argument("--rate", type=float, default=200.0, help="reports per second offered (intake)")
    parser.add_argument("--only", choices=["open311"], default="", help="intake: only the Open311 reads")
    parser.add_argument("--responses", type=int, default=1_000_000, help="SKM responses of the unit-year (skm)")
    parser.add_argument("--clerks", type=int, default=20, help="concurrent clerks (queues)")
    parser.add_argument("--tickets", type=int, default=2000, help="waiting tickets (queues)")
    parser.add_argument("--processes", action="store_true", help="queues: each clerk in its own process")
    parser.add_argument("--applications", type=int, default=100_000, help="applications in the table (applications)")
    parser.add_argument("--submits", type=int, default=200, help="applications submitted, timed (applications)")
    args = parser.parse_args()
    if args.part == "import":
        result = part_import(args.rows, args.repeat)
    elif args.part == "dashboard":
        result = part_dashboard(args.scale, args.requests)
    elif args.part == "memory":
        result = part_memory(args.requests)
    elif args.part == "complaints":
        result = part_complaints(args.reports, args.requests)
    elif args.part == "catalogue":
        result = part_catalogue(args.scale, args.requests)
    elif args.part == "skm":
        result = part_skm(args.responses, args.repeat)
    elif args.part == "queues":
        result = part_queues(args.clerks, args.tickets, args.processes)
    elif args.part == "applications":
        result = part_applications(args.scale, args.applications, args.submits, args.requests)
    elif args.part == "overview":
        from overview_bench import part_overview

        result = part_overview(args.scale, args.requests)
    elif args.part == "connector":
        result = part_connector(args.rows, args.repeat)
    else:
        result = part_intake(args.duration, args.rate, args.only)
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
