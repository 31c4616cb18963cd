"""What one citizen report costs the web worker, measured so that a busy machine changes the answer little.

The intake benchmark (``bench/suite.py intake``) is throughput on a real server, so it moves with whatever
else runs on the machine. This counts instead: it files ``--reports`` web form POSTs (``/aduan/baru/``, the
body a phone sends, each from its own address and phone number) through Django's WSGI handler in this
process, as gunicorn calls it, and prints the CPU time of this process per report (the Python side), the
CPU of the PostgreSQL server process serving it, the SQL statements of one report, the Python function
calls per report and the top costs under cProfile. CPU time moves far less than wall time when other
processes share the CPUs, but it still moves (caches, a busy second CPU); the number of statements and of
function calls does not, so compare two versions by those, and by CPU time over alternated runs.

The database must hold the demo city; ``--existing`` reports are generated first if it has fewer
(``bench/complaints_data.py``, as ``bench/suite.py complaints`` does)::

    createdb -h 127.0.0.1 -U postgres balai_intake_prof
    BALAI_DATABASE_URL=postgres://postgres@127.0.0.1:5432/balai_intake_prof \\
        .venv/bin/python bench/intake_profile.py --existing 100000 --reports 2000

The task backend is the database's (as in production: each report wakes the indicator worker).
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import re
import sys
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
BENCH = REPO / "bench"
sys.path.insert(0, str(REPO))
sys.path.insert(1, str(BENCH))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "balai.settings")
os.environ.setdefault("BALAI_ENV", "test")
os.environ.setdefault("BALAI_TASKS_BACKEND", "django_tasks_db.DatabaseBackend")
os.environ.setdefault("BALAI_LOG_LEVEL", "WARNING")
# As in the intake benchmark: the client address comes from the proxy, the limit is checked, never hit.
os.environ.setdefault("BALAI_TRUSTED_PROXIES", "1")
os.environ.setdefault("BALAI_INTAKE_RATE_COUNT", "1000000")
# As in production (BALAI_ENV=test checks the per-process caches at every use).
os.environ.setdefault("BALAI_LOCAL_CACHE_SECONDS", "1")

import django  # noqa: E402

django.setup()

from django.core.handlers.wsgi import WSGIHandler  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

PATH = "/aduan/baru/"


class Citizens:
    """WSGI requests for the report form, as ``bench/suite.py``'s IntakeRequests sends them over HTTP."""

    def __init__(self) -> None:
        from balai.complaints.geo import villages_located
        from balai.complaints.models import Category
        from balai.org.selectors import pemda_root

        root = pemda_root()
        if root is None:
            raise SystemExit("the database holds no city: load it first (bench/suite.py complaints)")
        self.categories = list(Category.objects.filter(is_active=True).values_list("pk", flat=True))
        self.places = [
            (v.latitude, v.longitude)
            for v in villages_located(root)
            if v.latitude is not None and v.longitude is not None  # always, by villages_located
        ]
        self.app = WSGIHandler()
        self.cookie, self.token = self._csrf()

    def call(self, environ: dict[str, Any]) -> tuple[int, bytes]:
        status: list[str] = []

        def start_response(s: str, headers: list[tuple[str, str]], exc_info: Any = None) -> None:
            status.append(s)
            status.extend(f"{k}: {v}" for k, v in headers)

        result = self.app(environ, start_response)  # type: ignore[arg-type]  # never calls write()
        try:
            body = b"".join(result)
        finally:
            close = getattr(result, "close", None)
            if close is not None:
                close()
        return int(status[0].split()[0]), "\n".join(status[1:]).encode() + b"\n\n" + body

    @staticmethod
    def environ(method: str, path: str, body: bytes = b"", **headers: str) -> dict[str, Any]:
        env = {
            "REQUEST_METHOD": method,
            "PATH_INFO": path,
            "QUERY_STRING": "",
            "SERVER_NAME": "127.0.0.1",
            "SERVER_PORT": "8000",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "REMOTE_ADDR": "127.0.0.1",
            "HTTP_HOST": "127.0.0.1",
            "wsgi.version": (1, 0),
            "wsgi.url_scheme": "http",
            "wsgi.input": io.BytesIO(body),
            "wsgi.errors": sys.stderr,
            "wsgi.multithread": False,
            "wsgi.multiprocess": True,
            "wsgi.run_once": False,
            "CONTENT_LENGTH": str(len(body)),
        }
        for name, value in headers.items():
            key = name.upper().replace("-", "_")
            env[key if key == "CONTENT_TYPE" else f"HTTP_{key}"] = value
        return env

    def _csrf(self) -> tuple[str, str]:
        status, raw = self.call(self.environ("GET", PATH, accept_language="id"))
        if status != 200:
            raise SystemExit(f"GET {PATH} answered {status}")
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', raw)
        cookie = re.search(rb"csrftoken=([^;]+);", raw)
        if token is None or cookie is None:
            raise SystemExit("the report form carries no CSRF token")
        return cookie.group(1).decode(), token.group(1).decode()

    def post(self, i: int) -> dict[str, Any]:
        import random

        import loadgen

        rng = random.Random(i)
        lat, lon = self.places[i % len(self.places)]
        content_type, body = loadgen.multipart(
            [
                ("csrfmiddlewaretoken", self.token),
                ("category", str(self.categories[i % len(self.categories)])),
                ("description", f"Lampu jalan mati sejak tiga hari, jalan gelap (profile {i})."),
                ("latitude", f"{lat + rng.uniform(-0.003, 0.003):.6f}"),
                ("longitude", f"{lon + rng.uniform(-0.003, 0.003):.6f}"),
                ("territory", ""),
                ("address", f"Jl. A. Yani km {i % 40}"),
                ("reporter_name", "Warga"),
                ("phone", f"08{rng.randint(1_100_000_000, 1_399_999_999)}"),
                ("email", ""),
            ]
        )
        return self.environ(
            "POST",
            PATH,
            body,
            content_type=content_type,
            cookie=f"csrftoken={self.cookie}",
            x_forwarded_for=f"10.{i // 65536 % 256}.{i // 256 % 256}.{i % 256}",
            accept_language="id",
        )

    def file(self, i: int) -> None:
        status, raw = self.call(self.post(i))
        if status != 302:
            raise SystemExit(f"POST {PATH} answered {status}: {raw[:2000]!r}")


def _backend_pid() -> int | None:
    """This connection's PostgreSQL server process, when the server runs on this machine (its CPU counts too)."""
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = int(cursor.fetchone()[0])
    return pid if Path(f"/proc/{pid}/stat").exists() else None


def _cpu_of(pid: int | None) -> float:
    if pid is None:
        return 0.0
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


# Where a report's time goes: cumulative time of these functions (they nest as listed, indented), per report.
BREAKDOWN = [
    ("WSGI request, all of it", "django/core/handlers/wsgi.py", "__call__"),
    ("  request body parsing (multipart, for the CSRF check)", "django/http/request.py", "_load_post_and_files"),
    ("  the view", "balai/complaints/views_public.py", "report_new"),
    ("    the form (built, validated)", "django/forms/forms.py", "full_clean"),
    ("    the per-address/phone limit", "balai/complaints/views_public.py", "_intake_limited"),
    ("    complaint_submit", "balai/complaints/services.py", "complaint_submit"),
    ("      deadlines (holiday calendar)", "balai/complaints/services.py", "_deadlines"),
    ("      audit_record", "balai/core/audit.py", "audit_record"),
    ("      dirty marks", "balai/complaints/services.py", "_mark_dirty"),
    ("    after commit: waking the indicator worker", "balai/indicators/services.py", "_wake_drain"),
    ("  SQL executed (all statements)", "django/db/backends/utils.py", "execute"),
    ("    waiting for PostgreSQL", "psycopg/connection.py", "wait"),
]


def _breakdown(stats: pstats.Stats, reports: int) -> None:
    entries = stats.stats  # type: ignore[attr-defined]  # {(file, line, name): (cc, nc, tt, ct, callers)}
    print("where the time goes (wall, under the profiler), ms per report:")
    for label, path, name in BREAKDOWN:
        total = sum(v[3] for (f, _l, n), v in entries.items() if n == name and f.endswith(path))
        print(f"  {label:<60} {total / reports * 1000:7.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--reports", type=int, default=2000, help="reports filed under measure")
    parser.add_argument("--existing", type=int, default=100_000, help="reports in the table before")
    parser.add_argument("--dump", default="", help="write the profile there too (for pstats / snakeviz)")
    parser.add_argument("--top", type=int, default=25, help="functions listed by their own and cumulative time")
    args = parser.parse_args()

    from balai.complaints.models import Complaint
    from balai.org.selectors import pemda_root

    call_command("migrate", verbosity=0, interactive=False)
    if pemda_root() is None:
        call_command("demo", scale=1, verbosity=0, stdout=open(os.devnull, "w"))  # noqa: SIM115
    have = Complaint.objects.count()
    if have < args.existing:
        import complaints_data

        print(f"generating {args.existing - have} reports ...", flush=True)
        complaints_data.generate(args.existing - have)
    print(f"{connection.vendor}, {Complaint.objects.count()} reports in the table")

    citizens = Citizens()
    base = int(time.time() * 1000) % 10**9  # each run its own addresses and phone numbers
    for i in range(50):  # warm-up: imports, translations, the connection, per-process caches
        citizens.file(base + i)
    base += 50

    backend = _backend_pid()
    with CaptureQueriesContext(connection) as captured:
        citizens.file(base)
    base += 1
    statements = [q["sql"] for q in captured.captured_queries]

    # Timed without the profiler first: its own overhead would inflate the figure.
    cpu, wall, db_start = time.process_time(), time.perf_counter(), _cpu_of(backend)
    for i in range(args.reports):
        citizens.file(base + i)
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    db_cpu = _cpu_of(backend) - db_start if backend else None
    base += args.reports

    # The default (wall) timer: a process_time() timer costs a system call per event and skews the picture
    # toward code that makes many small calls; waits on the database show as psycopg's wait().
    profiler = cProfile.Profile()
    profiler.enable()
    for i in range(args.reports):
        citizens.file(base + i)
    profiler.disable()
    if args.dump:
        profiler.dump_stats(args.dump)

    print(f"statements per report: {len(statements)}")
    for sql in statements:
        print(f"  {sql[:160]}")
    print(
        f"reports: {args.reports}; CPU (this process) per report: {cpu / args.reports * 1000:.2f} ms;"
        f" wall per report: {wall / args.reports * 1000:.2f} ms; one worker's ceiling: {args.reports / cpu:.0f}/s"
    )
    if db_cpu is not None:
        print(f"CPU of the PostgreSQL backend per report: {db_cpu / args.reports * 1000:.2f} ms")
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    # Unlike time, this barely moves with the machine's load: the figure to compare two versions by.
    calls = stats.total_calls / args.reports  # type: ignore[attr-defined]
    print(f"Python function calls per report (under the profiler): {calls:.0f}")
    _breakdown(stats, args.reports)
    stats.sort_stats("tottime").print_stats(args.top)
    stats.sort_stats("cumulative").print_stats(args.top)
    # Paths relative to the virtualenv / the repository: shorter lines.
    print(re.sub(r"/\S+?/(site-packages|balai|python3\.\d+)/", r"\1/", out.getvalue()))


if __name__ == "__main__":
    main()
