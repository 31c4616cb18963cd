"""`make bench`: measure Balai against baselines taken in the same run, write docs/benchmarks.md.

Ratios are the headline because they travel between machines; absolute numbers are secondary.
Each part runs in its own process (bench/suite.py) on a throwaway database: SQLite files under
var/bench/, and PostgreSQL too when BALAI_DATABASE_URL names a PostgreSQL server (databases
``balai_bench_*`` are created on it and dropped afterwards).

    .venv/bin/python bench/run.py            # full run, writes docs/benchmarks.md
    .venv/bin/python bench/run.py --quick    # small sizes, prints only: checks the harness works
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import re
import shlex
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from overview_bench import render_overview, run_overview

REPO = Path(__file__).resolve().parents[1]
VAR = REPO / "var" / "bench"
OUTPUT = REPO / "docs" / "benchmarks.md"
PART_TIMEOUT_S = 1800

GOAL_IMPORT_RATIO = 0.5
GOAL_P95_MS = 100.0
GOAL_PAGE_RATIO = 1.5
GOAL_RSS_MB = 150.0
# Issue 3 (citizen reports).
GOAL_INTAKE_RATE = 200.0  # reports per second, sustained for INTAKE_SECONDS
GOAL_INTAKE_P99_MS = 500.0
GOAL_OPEN311_RATIO = 0.5
INTAKE_SECONDS = 60.0
REPORTS = 1_000_000
# Issue 4 (public services).
GOAL_IKM_RATIO = 1.5
SERVICES_SCALE = 10  # the catalogue and tracking pages goal is at demo scale x10
SKM_RESPONSES = 1_000_000
QUEUE_CLERKS = 20
QUEUE_TICKETS = 2_000
APPLICATIONS = 100_000
RAKOR_AGENCIES = 40
# Issue 5 (Satu Dasbor).
GOAL_CONNECTOR_RATIO = 0.5
CONNECTOR_ROWS = 100_000


# ------------------------------------------------------------------------------------ databases
class Backend:
    label = ""

    def url(self, name: str) -> str:
        raise NotImplementedError

    def fresh(self, name: str) -> None:
        raise NotImplementedError

    def drop(self, name: str) -> None:
        raise NotImplementedError


class SQLite(Backend):
    label = "SQLite"

    def path(self, name: str) -> Path:
        return VAR / f"{name}.sqlite3"

    def url(self, name: str) -> str:
        return f"sqlite:///{self.path(name)}"

    def fresh(self, name: str) -> None:
        VAR.mkdir(parents=True, exist_ok=True)
        for suffix in ("", "-wal", "-shm"):
            Path(f"{self.path(name)}{suffix}").unlink(missing_ok=True)

    def drop(self, name: str) -> None:
        """Keep the files: they are gitignored and handy to inspect after a run."""


class Postgres(Backend):
    label = "PostgreSQL"

    def __init__(self, url: str) -> None:
        self.base = url

    def url(self, name: str) -> str:
        parts = urlsplit(self.base)
        return urlunsplit(parts._replace(path=f"/balai_bench_{name}"))

    def _admin(self, sql: str) -> None:
        import psycopg

        with psycopg.connect(self.base.replace("postgres://", "postgresql://", 1), autocommit=True) as conn:
            conn.execute(sql)

    def fresh(self, name: str) -> None:
        self.drop(name)
        self._admin(f'CREATE DATABASE "balai_bench_{name}"')

    def drop(self, name: str) -> None:
        self._admin(f'DROP DATABASE IF EXISTS "balai_bench_{name}" WITH (FORCE)')


def run_part(backend: Backend, db: str, args: list[str], env: dict[str, str] | None = None) -> dict[str, Any]:
    env = {
        **os.environ,
        "BALAI_ENV": "test",
        "BALAI_DATABASE_URL": backend.url(db),
        # The import request must not rebuild roll-ups inline (the immediate test backend would):
        # in production the worker does that, and we time it separately.
        "BALAI_TASKS_BACKEND": "django_tasks.backends.dummy.DummyBackend",
        "BALAI_LOG_LEVEL": "WARNING",
        "DJANGO_SETTINGS_MODULE": "balai.settings",
        **(env or {}),
    }
    command = [sys.executable, str(REPO / "bench" / "suite.py"), *args]
    print(f"  {backend.label}: {' '.join(args)}", flush=True)
    start = time.perf_counter()
    proc = subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True, timeout=PART_TIMEOUT_S)
    took = time.perf_counter() - start
    lines = [line for line in proc.stdout.splitlines() if line.startswith("BENCH-RESULT ")]
    if proc.returncode != 0 or not lines:
        sys.stderr.write(proc.stdout[-4000:] + proc.stderr[-4000:])
        raise SystemExit(f"bench part {args} on {backend.label} failed (exit {proc.returncode})")
    print(f"    done in {took:.1f}s", flush=True)
    result: dict[str, Any] = json.loads(lines[-1].removeprefix("BENCH-RESULT "))
    return result


def run_backend(backend: Backend, quick: bool) -> dict[str, Any]:
    rows, repeat, requests, rounds = (5_000, 1, 10, 5) if quick else (100_000, 3, 50, 50)
    out: dict[str, Any] = {"label": backend.label}
    backend.fresh("import")
    try:
        out["import"] = run_part(backend, "import", ["import", "--rows", str(rows), "--repeat", str(repeat)])
    finally:
        backend.drop("import")
    for scale in (1, 10):
        db = f"x{scale}"
        backend.fresh(db)
        try:
            out[f"dashboard_x{scale}"] = run_part(
                backend, db, ["dashboard", "--scale", str(scale), "--requests", str(requests)]
            )
            if scale == 10:
                out["memory"] = run_part(backend, db, ["memory", "--requests", str(rounds)])
        finally:
            backend.drop(db)
    # Citizen reports: the lists at a million reports, then a real server filing more into the same database.
    reports, seconds = (5_000, 3.0) if quick else (REPORTS, INTAKE_SECONDS)
    backend.fresh("complaints")
    try:
        out["complaints"] = run_part(
            backend, "complaints", ["complaints", "--reports", str(reports), "--requests", str(requests)]
        )
        out["intake"] = run_part(
            backend,
            "complaints",
            ["intake", "--duration", str(seconds), "--rate", str(GOAL_INTAKE_RATE)],
            # As in production: each report wakes the indicator worker through the task table.
            env={"BALAI_TASKS_BACKEND": "django_tasks_db.DatabaseBackend"},
        )
    finally:
        backend.drop("complaints")
    out.update(run_publicservices(backend, quick))
    out.update(run_satudasbor(backend, quick))
    return out


SATUDASBOR_PARTS = ("overview", "rakor", "connector")


def run_satudasbor(backend: Backend, quick: bool, only: set[str] | None = None) -> dict[str, Any]:
    """Issue 5: the overview at scale 10, the rakor pack for 40 perangkat daerah, a connector pull of 100,000 rows."""
    wanted = set(SATUDASBOR_PARTS) if only is None else only
    out: dict[str, Any] = {}
    if "overview" in wanted:
        out.update(run_overview(backend, quick, run_part))
    if "rakor" in wanted:
        out.update(run_rakor(backend, quick))
    if "connector" in wanted:
        out.update(run_connector(backend, quick))
    return out


def run_rakor(backend: Backend, quick: bool) -> dict[str, Any]:
    backend.fresh("rakor")
    try:
        agencies, repeat = (10, 1) if quick else (RAKOR_AGENCIES, 3)
        return {"rakor": run_part(backend, "rakor", ["rakor", "--agencies", str(agencies), "--repeat", str(repeat)])}
    finally:
        backend.drop("rakor")


def run_connector(backend: Backend, quick: bool) -> dict[str, Any]:
    """Issue 5: a connector pull of N rows from an agency app on 127.0.0.1 (bench/connectors_bench.py)."""
    rows, repeat = (5_000, 1) if quick else (CONNECTOR_ROWS, 3)
    backend.fresh("connector")
    try:
        return {
            "connector": run_part(backend, "connector", ["connector", "--rows", str(rows), "--repeat", str(repeat)])
        }
    finally:
        backend.drop("connector")


PUBLICSERVICES_PARTS = ("catalogue", "applications", "skm", "queues")


def run_publicservices(backend: Backend, quick: bool, only: set[str] | None = None) -> dict[str, Any]:
    """Issue 4: catalogue and applications on one demo city, SKM on its own, call-next on PostgreSQL only.

    ``only``: just these parts (``--rerun``), the others are not run.
    """
    wanted = set(PUBLICSERVICES_PARTS) if only is None else only
    scale, requests = (1, 10) if quick else (SERVICES_SCALE, 100)
    applications, submits = (2_000, 10) if quick else (APPLICATIONS, 200)
    responses, repeat = (20_000, 3) if quick else (SKM_RESPONSES, 5)
    tickets = 200 if quick else QUEUE_TICKETS
    out: dict[str, Any] = {}
    media = VAR / f"media-{backend.label.lower()}"  # the documents submitted, kept to inspect like the databases
    shutil.rmtree(media, ignore_errors=True)
    if wanted & {"catalogue", "applications"}:
        backend.fresh("services")
    try:
        if "catalogue" in wanted:
            out["catalogue"] = run_part(
                backend, "services", ["catalogue", "--scale", str(scale), "--requests", str(requests)]
            )
        if "applications" in wanted:
            out["applications"] = run_part(
                backend,
                "services",
                [
                    *("applications", "--scale", str(scale), "--applications", str(applications)),
                    *("--submits", str(submits), "--requests", str(requests)),
                ],
                # As in production: a submission enqueues the indicator recompute in the database for the worker.
                env={"BALAI_MEDIA_ROOT": str(media), "BALAI_TASKS_BACKEND": "django_tasks_db.DatabaseBackend"},
            )
    finally:
        backend.drop("services")
    if "skm" in wanted:
        backend.fresh("skm")
        try:
            out["skm"] = run_part(backend, "skm", ["skm", "--responses", str(responses), "--repeat", str(repeat)])
        finally:
            backend.drop("skm")
    # SQLite serialises every writer: there call-next would measure the database lock, not the queue.
    if isinstance(backend, Postgres) and "queues" in wanted:
        backend.fresh("queues")
        try:
            out["queues"] = run_part(
                backend,
                "queues",
                ["queues", "--clerks", str(QUEUE_CLERKS), "--tickets", str(tickets)],
            )
        finally:
            backend.drop("queues")
    return out


# --------------------------------------------------------------------------------------- report
def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


def rate(rows: int, seconds: float) -> str:
    return f"{rows / seconds:,.0f} rows/s"


def counts(import_count: dict[str, int]) -> str:
    return ", ".join(f"{n:,} {what}" for what, n in import_count.items() if n) or "nothing"


def mark(ok: bool) -> str:
    return "met" if ok else "**missed**"


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(0.95 * (len(ordered) - 1))))]


def summarize(result: dict[str, Any]) -> dict[str, Any]:
    imp = result["import"]
    base = statistics.median(imp["executemany_s"])
    first = statistics.median(imp["import_s"])
    again = statistics.median(imp["reimport_s"])
    s: dict[str, Any] = {
        "rows": imp["rows"],
        "base_s": base,
        "import_s": first,
        "reimport_s": again,
        "import_ratio": base / first,
        "reimport_ratio": base / again,
    }
    for scale in (1, 10):
        d = result[f"dashboard_x{scale}"]
        p50 = statistics.median(d["page_s"])
        fact = statistics.median(d["replay_fact_s"])
        every = statistics.median(d["replay_all_s"])
        floor = statistics.median(d["floor_s"])
        s[f"x{scale}"] = {
            "p50": p50,
            "p95": p95(d["page_s"]),
            "fact_sql": fact,
            "all_sql": every,
            "floor": floor,
            "floor_ratio": p50 / floor,
            "fact_ratio": p50 / fact if fact else float("inf"),
            "all_ratio": p50 / every if every else float("inf"),
        }
    s["rss_mb"] = result["memory"]["worker_rss_kb"] / 1024
    return s


def machine() -> dict[str, str]:
    cpu = "unknown"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    memory = "unknown"
    meminfo = Path("/proc/meminfo")
    if meminfo.exists():
        kb = int(meminfo.read_text().split("MemTotal:")[1].split()[0])
        memory = f"{kb / 1024 / 1024:.1f} GiB"
    os_name = platform.platform()
    release = Path("/etc/os-release")
    if release.exists():
        for line in release.read_text().splitlines():
            if line.startswith("PRETTY_NAME="):
                os_name = line.split("=", 1)[1].strip('"')
    import django

    return {
        "cpu": f"{cpu}, {os.cpu_count()} cores",
        "memory": memory,
        "os": os_name,
        "python": platform.python_version(),
        "django": django.get_version(),
    }


def render(results: list[dict[str, Any]], command: str, started: dt.datetime, took_s: float) -> str:
    info = machine()
    lines = [
        "# Benchmarks",
        "",
        "Written by `make bench` (`bench/run.py`); do not edit by hand, run it again. Each figure is "
        "compared with a baseline measured in the same run on the same machine, so the **ratio** is the "
        "number to watch; absolute times depend on the machine.",
        "",
        f"- Command: `{command}`",
        f"- Date: {started:%Y-%m-%d %H:%M} UTC (run took {took_s / 60:.1f} min)",
        f"- Machine: {info['cpu']}, {info['memory']} RAM, {info['os']}",
        f"- Software: Python {info['python']}, Django {info['django']}, "
        + ", ".join(r["import"]["db_version"] for r in results),
        "",
        "## Headline",
        "",
        "| Database | Benchmark | Balai | Baseline (same run) | Ratio | Goal | |",
        "|---|---|---|---|---|---|---|",
    ]
    for result in results:
        s = summarize(result)
        db, rows = result["label"], s["rows"]
        lines += [
            f"| {db} | Fact import, {rows:,} rows, `POST /api/v1/dataValueSets` | {rate(rows, s['import_s'])} "
            f"| `executemany` INSERT: {rate(rows, s['base_s'])} | {s['import_ratio']:.2f} "
            f"| ≥ {GOAL_IMPORT_RATIO} | {mark(s['import_ratio'] >= GOAL_IMPORT_RATIO)} |",
            f"| {db} | Re-import of the same payload (all ignored) | {rate(rows, s['reimport_s'])} "
            f"| `executemany` INSERT: {rate(rows, s['base_s'])} | {s['reimport_ratio']:.2f} "
            f"| ≥ {GOAL_IMPORT_RATIO} | {mark(s['reimport_ratio'] >= GOAL_IMPORT_RATIO)} |",
        ]
        for scale in (1, 10):
            x = s[f"x{scale}"]
            ratio_ok = x["fact_ratio"] <= GOAL_PAGE_RATIO
            if scale == 10:
                goal = f"p95 ≤ {GOAL_P95_MS:.0f} ms, ratio ≤ {GOAL_PAGE_RATIO}"
                verdict = f"p95 {mark(x['p95'] * 1000 <= GOAL_P95_MS)}, ratio {mark(ratio_ok)}"
            else:
                goal, verdict = f"ratio ≤ {GOAL_PAGE_RATIO}", mark(ratio_ok)
            lines.append(
                f"| {db} | Dashboard home (head of region), scale {scale}: p50 / p95 | {ms(x['p50'])} / "
                f"{ms(x['p95'])} | its Fact SQL re-run: {ms(x['fact_sql'])} | {x['fact_ratio']:.2f} "
                f"| {goal} | {verdict} |"
            )
        lines.append(
            f"| {db} | RSS of one gunicorn sync worker after "
            f"{result['memory']['requests']} requests | {s['rss_mb']:.0f} MB | — | — "
            f"| ≤ {GOAL_RSS_MB:.0f} MB | {mark(s['rss_mb'] <= GOAL_RSS_MB)} |"
        )
    lines += [
        "",
        "How to read it: the import ratio is Balai's rows per second through the whole API (parse, "
        "validate every row, scope check, upsert, audit, mark roll-ups dirty) divided by a bare "
        "`executemany` of ready-made rows into the same table; above 1 means the idempotent path skips "
        "the write altogether. The dashboard ratio is the page's median server time divided by the time "
        "of re-running, with a plain cursor, the SQL on Facts and roll-ups that the page issued; the "
        "details give the same page against all of its SQL and against a signed-in request that does "
        "nothing, which is the floor of any page.",
        "",
        "## Details",
        "",
    ]
    for result in results:
        s = summarize(result)
        imp = result["import"]
        lines += [
            f"### {result['label']}",
            "",
            f"**Import.** {imp['rows']:,} data values ({imp['payload_bytes'] / 1e6:.1f} MB of JSON): "
            f"{imp['indicators']} indicators (daily and monthly) x {imp['units']} org units x "
            f"{imp['periods']:,} periods, posted with an integration token through the Django test client "
            f"(no network), median of {imp['repeat']} runs, each on an empty Fact table. "
            f"First import {s['import_s']:.2f} s ({counts(imp['summaries']['first'])}), re-import "
            f"{s['reimport_s']:.2f} s ({counts(imp['summaries']['again'])}); the baseline is one "
            f'`cursor.executemany("INSERT INTO indicators_fact ...")` of the same rows, prepared in '
            f"advance, in one transaction: {s['base_s']:.2f} s. The import marks {imp['dirty_pairs']:,} "
            f"(indicator, period) pairs dirty; the worker's roll-up rebuild of them (not part of the "
            f"request) took {imp['rollup_rebuild_s']:.1f} s and wrote {imp['rollups']:,} roll-ups.",
            "",
        ]
        for scale in (1, 10):
            d = result[f"dashboard_x{scale}"]
            x = s[f"x{scale}"]
            lines += [
                f"**Dashboard, scale {scale}** ({d['data_source']}; {d['facts']:,} Facts, {d['rollups']:,} "
                f"roll-ups, {d['units']} org units; built in {d['build_s']:.0f} s). `GET /` as "
                f"`{d['user']}`, {d['requests']} requests after 5 warm-up: p50 {ms(x['p50'])}, p95 "
                f"{ms(x['p95'])}. The page runs {d['queries']} queries ({d['selects']} SELECTs, "
                f"{d['fact_selects']} on Facts/roll-ups); re-running its Fact SELECTs takes {ms(x['fact_sql'])} "
                f"(ratio {x['fact_ratio']:.2f}), all its SELECTs {ms(x['all_sql'])} (ratio {x['all_ratio']:.2f}). "
                f"A signed-in request that does nothing (`GET /health/`, same session and middleware) takes "
                f"{ms(x['floor'])}: the page costs {x['floor_ratio']:.1f} times that floor.",
                "",
            ]
        mem = result["memory"]
        lines += [
            f"**Memory.** `gunicorn balai.wsgi:application --workers 1 --worker-class sync` on 127.0.0.1 "
            f"against the scale-10 database, signed in as the head of region; {mem['rounds']} rounds over "
            f"{', '.join(f'`{p}`' for p in mem['pages'])} (statuses {mem['statuses']}). Worker RSS "
            f"{mem['worker_rss_start_kb'] / 1024:.0f} MB after start, {mem['worker_rss_kb'] / 1024:.0f} MB "
            f"after {mem['requests']} requests (peak {mem['worker_hwm_kb'] / 1024:.0f} MB); the master "
            f"process {mem['master_rss_kb'] / 1024:.0f} MB.",
            "",
        ]
    lines += render_complaints(results)
    lines += render_publicservices(results)
    lines += render_overview(results)
    lines += render_rakor(results)
    lines += render_connector(results)
    return "\n".join(lines).rstrip() + "\n"


def render_rakor(results: list[dict[str, Any]]) -> list[str]:
    """Issue 5: the monthly rakor pack, built as the worker builds it (bench/rakor_bench.py)."""
    rows = [r for r in results if "rakor" in r]
    if not rows:
        return []
    lines = [
        "## Satu Dasbor (issue 5): monthly rakor pack",
        "",
        "| Database | Perangkat daerah × monthly indicators | Pages | Build time (median) | Python peak "
        "(tracemalloc) | Max RSS growth (first build) | PDF / XLSX |",
        "|---|---|---|---|---|---|---|",
    ]
    for result in rows:
        r = result["rakor"]
        lines.append(
            f"| {result['label']} | {r['agencies']} × {r['indicators']} | {r['pages']} | {r['seconds']:.2f} s "
            f"(runs: {', '.join(f'{x:.2f}' for x in r['seconds_all'])}) | {r['tracemalloc_peak_mb']:.1f} MB "
            f"| {r['rss_delta_mb']:.1f} MB | {r['pdf_kb']:.0f} KB / {r['xlsx_kb']:.0f} KB |"
        )
    lines += [
        "",
        "How to read it: `balai.rakor.services.rakor_pack_build` reads the month's roll-ups, targets and the "
        "scorecard's 12-month trend (a fixed number of queries), draws the PDF with fpdf2 (cover, city summary, "
        "one page per perangkat daerah with its chart) and the XLSX with openpyxl, and stores both. The first "
        "build of a process also imports fpdf2 and openpyxl, which the RSS growth includes; the tracemalloc "
        "peak is of a later build. Most of the time is fpdf2 laying out table cells.",
        "",
    ]
    return lines


def render_connector(results: list[dict[str, Any]]) -> list[str]:
    """Issue 5: the connector pull against a raw executemany of the same rows."""
    measured = [r for r in results if "connector" in r]
    if not measured:
        return []
    lines = [
        "## Satu Dasbor (issue 5): connectors",
        "",
        "| Database | Benchmark | Balai | Baseline (same run) | Ratio | Goal | |",
        "|---|---|---|---|---|---|---|",
    ]
    for result in measured:
        c = result["connector"]
        base = statistics.median(c["executemany_s"])
        pull = statistics.median(c["pull_s"])
        repull = statistics.median(c["repull_s"])
        db, n = result["label"], c["rows"]
        lines += [
            f"| {db} | Connector pull, {n:,} rows (HTTP on 127.0.0.1, JSON, mapping, import) | {rate(n, pull)} "
            f"| `executemany` INSERT: {rate(n, base)} | {base / pull:.2f} | ≥ {GOAL_CONNECTOR_RATIO} "
            f"| {mark(base / pull >= GOAL_CONNECTOR_RATIO)} |",
            f"| {db} | Pull of the same answer again (all unchanged) | {rate(n, repull)} "
            f"| `executemany` INSERT: {rate(n, base)} | {base / repull:.2f} | ≥ {GOAL_CONNECTOR_RATIO} "
            f"| {mark(base / repull >= GOAL_CONNECTOR_RATIO)} |",
        ]
    lines.append("")
    for result in measured:
        c = result["connector"]
        lines += [
            f"**{result['label']}.** An agency app in the benchmark process (`ThreadingHTTPServer` on 127.0.0.1) "
            f"answers {c['rows']:,} records ({c['payload_bytes'] / 1e6:.1f} MB of JSON; {c['indicators']} "
            f"indicators x {c['units']} org units x {c['periods']:,} periods, the `import` part's rows); "
            f"`connector_pull` fetches, parses, maps every record and imports them through `facts_import` in one "
            f"transaction, then records the run: median of {c['repeat']} runs on an empty Fact table. First pull "
            f"{statistics.median(c['pull_s']):.2f} s ({counts(c['summaries']['first'])}), second pull "
            f"{statistics.median(c['repull_s']):.2f} s ({counts(c['summaries']['again'])}); of a pull, fetch, parse "
            f"and mapping alone take {c['fetch_map_s']:.2f} s. Baseline: the `import` part's `executemany` of the "
            f"same rows, prepared in advance: {statistics.median(c['executemany_s']):.2f} s.",
            "",
        ]
    return lines


def per_s(value: float) -> str:
    return f"{value:,.1f}/s"


def median_rate(runs: list[dict[str, Any]]) -> float:
    return statistics.median(r["per_second"] for r in runs)


def steady_ok(run: dict[str, Any]) -> bool:
    """Kept the offered rate: every request answered as expected, and the p99 (counted from when each
    request was due, so falling behind shows) under the goal."""
    return run["errors"] == 0 and run["ok"] > 0 and run["p99_s"] * 1000 < GOAL_INTAKE_P99_MS


def steady_cell(run: dict[str, Any]) -> str:
    return (
        f"{run['ok']:,} of {run['offered']:,} answered ({per_s(run['ok'] / run['elapsed_s'])}), "
        f"{run['errors']} errors, p50 {ms(run['p50_s'])} / p99 {ms(run['p99_s'])}"
    )


def statuses(run: dict[str, Any]) -> str:
    answered = [f"{code} × {n:,}" for code, n in run["statuses"].items()]
    failed = [f"{why} × {n:,}" for why, n in run["failures"].items()]
    return ", ".join(answered + failed) or "none"


def render_complaints(results: list[dict[str, Any]]) -> list[str]:
    lines = [
        "",
        "## Citizen reports (issue 3)",
        "",
        "| Database | Benchmark | Balai | Baseline (same run) | Ratio | Goal | |",
        "|---|---|---|---|---|---|---|",
    ]
    for result in results:
        db, intake, comp = result["label"], result["intake"], result["complaints"]
        rate, secs = intake["rate"], intake["duration_s"]
        goal = f"{rate:.0f}/s for {secs:.0f} s, 0 errors, p99 < {GOAL_INTAKE_P99_MS:.0f} ms"
        cap, bare_post = intake["capacity"]["web"], intake["capacity"]["bare_post"]
        open311, bare_json = median_rate(intake["reads"]["open311"]), median_rate(intake["reads"]["bare_json"])
        ratio = open311 / bare_json if bare_json else 0.0
        lines += [
            f"| {db} | Intake: web form `POST /aduan/baru/` offered at {rate:.0f}/s for {secs:.0f} s "
            f"| {steady_cell(intake['web'])} | — | — | {goal} | {mark(steady_ok(intake['web']))} |",
            f"| {db} | Intake: Open311 `POST requests.json` offered at {rate:.0f}/s for {secs:.0f} s "
            f"| {steady_cell(intake['open311_post'])} | — | — | {goal} | {mark(steady_ok(intake['open311_post']))} |",
            f"| {db} | Intake capacity: web form POSTs, {cap['concurrency']} in flight | {per_s(cap['per_second'])} "
            f"| bare view, same POST: {per_s(bare_post['per_second'])} "
            f"| {cap['per_second'] / bare_post['per_second'] if bare_post['per_second'] else 0:.2f} | — | |",
            f"| {db} | Open311 `GET requests.json` ({intake['open311_items']} items, "
            f"{intake['bytes']['open311'] / 1000:.0f} kB), {cap['concurrency']} in flight | {per_s(open311)} "
            f"| bare JSON view, same body: {per_s(bare_json)} | {ratio:.2f} | ≥ {GOAL_OPEN311_RATIO} "
            f"| {mark(ratio >= GOAL_OPEN311_RATIO)} |",
        ]
        for page in comp["pages"]:
            p50, p95_ = statistics.median(page["times_s"]), p95(page["times_s"])
            lines.append(
                f"| {db} | {page['label']}, {comp['reports']:,} reports: p50 / p95 | {ms(p50)} / {ms(p95_)} "
                f"| — | — | p95 ≤ {GOAL_P95_MS:.0f} ms | {mark(p95_ * 1000 <= GOAL_P95_MS)} |"
            )
    lines += [
        "",
        "How to read it: intake is measured on a real server, `gunicorn` started with the arguments of "
        "`balai serve` (its default worker count for this machine), on 127.0.0.1, by a load generator in "
        "another process (`bench/loadgen.py`, asyncio) that offers requests at a fixed rate whatever the "
        "server does; each latency counts from when its request was due, so a server that falls behind pays "
        "for its queue. The web form is the headline: it is the citizens' own door and the heaviest path "
        "(CSRF, form and location checks, the per-address and per-phone limits, the report, its first "
        "timeline entry, followers, audit, indicator bookkeeping); Open311 is what citizen apps use. The "
        "baselines are views in `bench/bench_urls.py` (never in production URLs) served by the same workers "
        "behind the same middleware: the ratio is Balai's throughput divided by theirs. The list pages are "
        "timed in-process like the dashboard (Django test client, no network).",
        "",
    ]
    for result in results:
        comp, intake = result["complaints"], result["intake"]
        gen = comp["generated"]
        lines += [
            f"### Citizen reports, {result['label']}",
            "",
            f"**Data.** The demo city (`balai demo`, loaded in {comp['demo_s']:.0f} s), then "
            f"{gen['reports']:,} reports with {gen['updates']:,} timeline entries by `bench/complaints_data.py` "
            f"in {gen['load_s']:.0f} s ({gen['index_s']:.0f} s of it rebuilding {gen['indexes_rebuilt']} "
            f"indexes and constraints; then ANALYZE {gen['analyze_s']:.0f} s): two years, categories, channels "
            f"and kelurahan as the demo spreads them, walked through the LAPOR! workflow by age. "
            f"{comp['reports']:,} reports in all, {comp['public']:,} public ({comp['located_public']:,} with a "
            f"point), {comp['updates']:,} timeline entries.",
            "",
            f"**Lists.** {comp['requests']} requests each after 5 warm-up:",
            "",
            "| Page | URL | p50 | p95 | Queries | Their SQL | Size |",
            "|---|---|---|---|---|---|---|",
        ]
        for page in comp["pages"]:
            size = f"{page['bytes'] / 1000:.0f} kB" + (
                f", {page['points']} points" if page["points"] is not None else ""
            )
            lines.append(
                f"| {page['label']} (as `{page['user']}`) | `{page['url']}` | {ms(statistics.median(page['times_s']))} "
                f"| {ms(p95(page['times_s']))} | {page['queries']} | {ms(page['sql_s'])} | {size} |"
            )
        cap = intake["capacity"]
        lines += [
            "",
            f"**Intake.** {intake['workers']} gunicorn sync workers on {intake['cpus']} CPUs, the load generator "
            f"on the same machine. Before the timed runs: 32 report forms fetched for their CSRF cookie and "
            f"token (each POST uses one, as a browser that opened the form would), and a 2 s warm-up. Each "
            f"report comes from its own client address (`X-Forwarded-For`, with one trusted proxy as in "
            f"production) and phone number, so the per-address limit is checked on every report but never "
            f"hit. Answers (HTTP status × count): web form {statuses(intake['web'])}; Open311 "
            f"{statuses(intake['open311_post'])}. Capacity, {cap['web']['concurrency']} requests in flight for "
            f"{intake['capacity_s']:.0f} s: web form {per_s(cap['web']['per_second'])} (p50 "
            f"{ms(cap['web']['p50_s'])}), the bare POST view {per_s(cap['bare_post']['per_second'])}, a bare "
            f"`GET` that returns two bytes {per_s(cap['bare_get']['per_second'])}. Open311 reads and the bare "
            f"JSON view ({intake['bytes']['bare_json'] / 1000:.0f} kB) alternated twice for "
            f"{intake['capacity_s'] / 2:.0f} s each: "
            + ", ".join(per_s(r["per_second"]) for r in intake["reads"]["open311"])
            + " vs "
            + ", ".join(per_s(r["per_second"]) for r in intake["reads"]["bare_json"])
            + f". The server answered {intake['reports_filed']:,} reports as filed; the table grew by "
            f"{intake['reports_created']:,}.",
            "",
        ]
    return lines


def in_ms(value: float | None) -> str:
    """A time the part already gave in milliseconds."""
    return "—" if value is None else f"{value:,.1f} ms"


def ratio_cell(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}"


def p95_ok(value_ms: float) -> str:
    return mark(value_ms <= GOAL_P95_MS)


def render_publicservices(results: list[dict[str, Any]]) -> list[str]:
    lines = [
        "",
        "## Public services (issue 4)",
        "",
        "| Database | Benchmark | Balai | Baseline (same run) | Ratio | Goal | |",
        "|---|---|---|---|---|---|---|",
    ]
    page_goal = f"p95 ≤ {GOAL_P95_MS:.0f} ms"
    for result in results:
        db, skm, cat, apps = result["label"], result["skm"], result["catalogue"], result["applications"]
        ikm_ok = skm["ratio"] is not None and skm["ratio"] <= GOAL_IKM_RATIO
        lines.append(
            f"| {db} | SKM: IKM of one unit-year over {skm['responses']:,} responses (`skm.ikm.compute`) "
            f"| {in_ms(skm['ikm_ms'])} | raw `GROUP BY` of the same sums: {in_ms(skm['raw_group_by_ms'])} "
            f"| {ratio_cell(skm['ratio'])} | ≤ {GOAL_IKM_RATIO} | {mark(ikm_ok)} |"
        )
        if "queues" in result:
            q = result["queues"]
            clean = q["duplicates"] == 0 and q["lost"] == 0 and q["calls"] == q["tickets"]
            lines.append(
                f"| {db} | Queues: call-next by {q['clerks']} concurrent clerks ({q['clerks_as']}), "
                f"{q['tickets']:,} waiting tickets | {per_s(q['calls_per_s'])}, {q['duplicates']} duplicates, "
                f"{q['lost']} lost; per call p50 {in_ms(q['call_ms_p50'])} / p95 {in_ms(q['call_ms_p95'])} "
                f"| two plain UPDATEs per ticket: {per_s(q['baseline_cycles_per_s'])} | {q['ratio']:.2f} "
                f"| 0 duplicates, 0 lost | {mark(clean)} |"
            )
        worst = max(cat["pages"], key=lambda page: page["p95_ms"])
        lines.append(
            f"| {db} | Public catalogue, scale {cat['scale']}: worst p95 of {len(cat['pages'])} pages (list, "
            f"search, filters, details, API): {worst['label']} | {in_ms(worst['p95_ms'])} | — | — "
            f"| {page_goal} at scale {SERVICES_SCALE} | {p95_ok(worst['p95_ms'])} |"
        )
        lines.append(
            f"| {db} | Online applications: `application_submit` (NIK, 2 documents sniffed and stored), "
            f"{apps['submits']} in a row | {per_s(apps['submit_per_s'])}, p95 {in_ms(apps['submit_p95_ms'])} "
            f"| — | — | — | |"
        )
        for page in apps["pages"]:
            if page["url"] == "/health/":
                continue
            public = "tracking" in page["page"]
            goal = f"{page_goal} at scale {SERVICES_SCALE}" if public else page_goal
            lines.append(
                f"| {db} | {page['page'].capitalize()}, {apps['applications']:,} applications, scale "
                f"{apps['scale']}: p50 / p95 | {in_ms(page['p50_ms'])} / {in_ms(page['p95_ms'])} | — | — "
                f"| {goal} | {p95_ok(page['p95_ms'])} |"
            )
    lines += [
        "",
        "How to read it: the SKM ratio is the median time of `balai.skm.ikm.compute` over the results selector "
        "for one kelurahan and one year (what the results page and the API run: one aggregation with SUM and "
        "COUNT per element) divided by a hand-written `SELECT unit_id, COUNT(*), SUM(u1), COUNT(u1), … GROUP "
        "BY unit_id` of the same rows on a bare cursor, the two alternated in one process. Call-next is "
        "measured on PostgreSQL only (SQLite serialises every writer, so it would measure its lock, not the "
        "queue): the clerks start together, each with its own database connection and counter, and loop "
        "call-next (the service function: shift check, `SELECT … FOR UPDATE SKIP LOCKED`, conditional UPDATE, "
        "audit) then skip, to free the counter, until nobody waits; the baseline does as many cycles as two "
        "plain single-row UPDATE transactions, by as many clerks. A duplicate is a ticket called twice, a lost "
        "ticket one never called: both must be 0. The pages are timed in-process like the dashboard (Django "
        "test client, no network, server time): the catalogue as an anonymous citizen, the tracking page as "
        "the signed-in citizen who applied, the desk as kelurahan clerk and head of region. Issue 4's goal is "
        f"the public catalogue and tracking pages at scale {SERVICES_SCALE}; the desk pages are held to the "
        "same p95.",
        "",
    ]
    for result in results:
        lines += publicservices_details(result)
    return lines


def publicservices_details(result: dict[str, Any]) -> list[str]:
    cat, apps, skm = result["catalogue"], result["applications"], result["skm"]
    built = (
        f"`balai demo --scale {cat['scale']}`, loaded in {cat['build_s']:.0f} s"
        if cat["loaded"]
        else "the demo city already in the database"
    )
    lines = [
        f"### Public services, {result['label']}",
        "",
        f"**Catalogue.** {built}: {cat['units']:,} org units, {cat['services']:,} active services, "
        f"{cat['counters']:,} counters. An anonymous citizen in Indonesian, {cat['requests']} requests per page "
        f"after 5 warm-up; `GET /health/` through the same middleware: p95 {in_ms(cat['floor_p95_ms'])}.",
        "",
        "| Page | URL | p50 | p95 | Queries | Their SQL | Size |",
        "|---|---|---|---|---|---|---|",
    ]
    for page in cat["pages"]:
        lines.append(
            f"| {page['label']} | `{page['url']}` | {in_ms(page['p50_ms'])} | {in_ms(page['p95_ms'])} "
            f"| {page['queries']} | {ms(page['sql_s'])} | {page['bytes'] / 1000:.0f} kB |"
        )
    lines += [
        "",
        f"**Online applications**, in the same database after the catalogue: {apps['applications']:,} "
        "applications bulk-inserted over every online service (a third each submitted, processing and "
        "completed; the open ones mostly past their SLA), then "
        f"{apps['submits']} submitted one after another through `application_submit` (NIK check, two documents "
        "sniffed and stored, audit, the indicator recompute enqueued on the database task backend as in "
        f"production): {per_s(apps['submit_per_s'])}, p95 {in_ms(apps['submit_p95_ms'])}. Pages, "
        f"{apps['requests']} requests each after one warm-up:",
        "",
        "| Page | URL | p50 | p95 |",
        "|---|---|---|---|",
    ]
    for page in apps["pages"]:
        lines.append(f"| {page['page']} | `{page['url']}` | {in_ms(page['p50_ms'])} | {in_ms(page['p95_ms'])} |")
    loaded = f", loaded in {skm['load_s']:.1f} s by `INSERT … SELECT` inside the database" if skm["load_s"] else ""
    lines += [
        "",
        f"**SKM.** {skm['rows_in_table']:,} responses in the table{loaded}: {skm['responses']:,} for the "
        "kelurahan and year measured, 10 % for another kelurahan the same year and 10 % for the same kelurahan "
        f"the year before, so the filters have rows to skip. Medians of {skm['repeat']} round(s) after a "
        f"warm-up, alternating: `ikm.compute` {in_ms(skm['ikm_ms'])}, the raw `GROUP BY` "
        f"{in_ms(skm['raw_group_by_ms'])} "
        f"(ratio {ratio_cell(skm['ratio'])}); everything the results page computes (profile counts and the "
        f"population of service events for the Krejcie–Morgan minimum) {in_ms(skm['page_result_ms'])}. Both "
        f"paths counted the same respondents and sums: IKM {skm['ikm']}, grade {skm['grade']}, Krejcie–Morgan "
        f"minimum {skm['minimum_sample']:,} respondents.",
        "",
    ]
    if "queues" in result:
        q = result["queues"]
        lines += [
            f"**Call-next.** {q['clerks']} clerks ({q['clerks_as']}, each its own connection and counter, all "
            f"serving the same service of one kelurahan office) started together on {q['tickets']:,} waiting "
            f"tickets: {q['calls']:,} calls in {q['seconds']:.1f} s by {q['clerks_used']} clerks, "
            f"{per_s(q['calls_per_s'])}, per call p50 {in_ms(q['call_ms_p50'])}, p95 {in_ms(q['call_ms_p95'])}; "
            f"{q['duplicates']} tickets called twice, {q['lost']} never called; {q['skipped_rows']:,} tickets "
            f"skipped and {q['audit_calls']:,} call audit rows afterwards. Baseline, the same cycles as two plain "
            f"single-row UPDATE transactions per ticket: {q['baseline_seconds']:.2f} s, "
            f"{per_s(q['baseline_cycles_per_s'])} (ratio {q['ratio']:.2f}).",
            "",
        ]
    else:
        lines += [
            "**Call-next** is measured on PostgreSQL only: SQLite serialises every writer, so concurrent "
            "clerks would measure its database lock, not the queue.",
            "",
        ]
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="small sizes; print the report, do not write it")
    parser.add_argument("--no-postgres", action="store_true", help="SQLite only, even if BALAI_DATABASE_URL is set")
    parser.add_argument("--output", type=Path, default=OUTPUT)
    parser.add_argument(
        "--rerun",
        choices=(*PUBLICSERVICES_PARTS, *SATUDASBOR_PARTS),
        action="append",
        help="after a change: run only this part again on each database, keep the rest of the last full run "
        "(var/bench/results.json) and say so in the report",
    )
    parser.add_argument(
        "--section",
        choices=SATUDASBOR_PARTS,
        action="append",
        help="run only this issue-5 part on each database and replace (or add) its own section of the report, "
        "leaving every other section as it is; needs no saved results of a full run",
    )
    args = parser.parse_args()
    if args.rerun:
        rerun(args.rerun, args.output, args.no_postgres)
        return
    if args.section:
        sections(args.section, args.output, args.no_postgres)
        return

    backends: list[Backend] = [SQLite()]
    url = os.environ.get("BALAI_DATABASE_URL", "")
    if url.startswith(("postgres://", "postgresql://")) and not args.no_postgres:
        backends.append(Postgres(url))
    started = dt.datetime.now(dt.UTC)
    t0 = time.perf_counter()
    results = []
    for backend in backends:
        print(f"{backend.label}:", flush=True)
        results.append(run_backend(backend, args.quick))
    command = (
        "make bench" if os.environ.get("MAKELEVEL") else shlex.join([".venv/bin/python", "bench/run.py", *sys.argv[1:]])
    )
    if url and len(backends) > 1:
        command = f"BALAI_DATABASE_URL=<postgres> {command}"
    report = render(results, command, started, time.perf_counter() - t0)
    if args.quick:
        print(report)
        return
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(report)
    (VAR / "results.json").write_text(json.dumps(results, indent=1))
    print(report)
    print(f"wrote {args.output}")


def rerun(parts: list[str], output: Path, no_postgres: bool) -> None:
    """Run some parts again and rewrite the report from the last full run with their new figures.

    The header keeps the full run's command and date and names what was rerun, when: a reader sees that a
    table mixes two runs on the same machine.
    """
    saved = VAR / "results.json"
    if not saved.exists() or not output.exists():
        raise SystemExit("no full run to update: run make bench first")
    results = json.loads(saved.read_text())
    header = output.read_text()
    command = re.search(r"^- Command: `(.+)`$", header, re.M)
    date = re.search(r"^- Date: (\d{4}-\d\d-\d\d \d\d:\d\d) UTC \(run took ([\d.]+) min\)", header, re.M)
    if command is None or date is None:
        raise SystemExit(f"{output} has no header of a full run")
    url = os.environ.get("BALAI_DATABASE_URL", "")
    backends: list[Backend] = [SQLite()]
    if url.startswith(("postgres://", "postgresql://")) and not no_postgres:
        backends.append(Postgres(url))
    now = dt.datetime.now(dt.UTC)
    for backend in backends:
        result = next((r for r in results if r["label"] == backend.label), None)
        if result is None:
            raise SystemExit(f"the last full run has no {backend.label} results")
        print(f"{backend.label}:", flush=True)
        if set(parts) & set(PUBLICSERVICES_PARTS):
            result.update(run_publicservices(backend, quick=False, only=set(parts) & set(PUBLICSERVICES_PARTS)))
        if set(parts) & set(SATUDASBOR_PARTS):
            result.update(run_satudasbor(backend, quick=False, only=set(parts) & set(SATUDASBOR_PARTS)))
    started = dt.datetime.strptime(date.group(1), "%Y-%m-%d %H:%M").replace(tzinfo=dt.UTC)
    report = render(results, command.group(1), started, float(date.group(2)) * 60)
    again = shlex.join(["bench/run.py", *(f"--rerun={p}" for p in parts)])
    note = (
        f"- Rerun: {', '.join(parts)} at {now:%Y-%m-%d %H:%M} UTC (`{again}`), after a change; "
        "every other figure is from the full run above."
    )
    report = report.replace("\n- Machine:", f"\n{note}\n- Machine:", 1)
    output.write_text(report)
    saved.write_text(json.dumps(results, indent=1))
    print(report)
    print(f"wrote {output}")


SECTION_RENDERERS = {"overview": render_overview, "rakor": render_rakor, "connector": render_connector}


def sections(parts: list[str], output: Path, no_postgres: bool) -> None:
    """Measure some issue-5 parts and splice their sections into the existing report.

    Unlike ``--rerun`` this needs no saved results: each part renders its own ``## `` section from its own
    figures, which replaces the section of the same title (or is added at the end); the header says when.
    """
    if not output.exists():
        raise SystemExit(f"{output} does not exist: run make bench first")
    url = os.environ.get("BALAI_DATABASE_URL", "")
    backends: list[Backend] = [SQLite()]
    if url.startswith(("postgres://", "postgresql://")) and not no_postgres:
        backends.append(Postgres(url))
    now = dt.datetime.now(dt.UTC)
    results = []
    for backend in backends:
        print(f"{backend.label}:", flush=True)
        results.append({"label": backend.label, **run_satudasbor(backend, quick=False, only=set(parts))})
    report = output.read_text()
    for part in SATUDASBOR_PARTS:
        if part in parts:
            report = splice_section(report, "\n".join(SECTION_RENDERERS[part](results)).rstrip() + "\n")
    again = shlex.join(["bench/run.py", *(f"--section={p}" for p in parts)])
    if len(backends) > 1:
        again = f"BALAI_DATABASE_URL=<postgres> {again}"
    note = f"- Sections {', '.join(parts)}: measured at {now:%Y-%m-%d %H:%M} UTC (`{again}`) on the same machine."
    report = re.sub(rf"^- Sections {re.escape(', '.join(parts))}: measured at .*\n", "", report, flags=re.M)
    report = report.replace("\n- Machine:", f"\n{note}\n- Machine:", 1)
    output.write_text(report)
    VAR.mkdir(parents=True, exist_ok=True)
    (VAR / f"sections-{'-'.join(parts)}.json").write_text(json.dumps(results, indent=1))
    print(report)
    print(f"wrote {output}")


def splice_section(report: str, section: str) -> str:
    """Replace the ``## `` section with the same title as ``section`` (up to the next ``## ``), or append it."""
    title = section.split("\n", 1)[0]
    lines = report.splitlines(keepends=True)
    start = next((i for i, line in enumerate(lines) if line.rstrip("\n") == title), None)
    if start is None:
        return report.rstrip("\n") + "\n\n" + section
    end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("## ")), len(lines))
    tail = "".join(lines[end:])
    return "".join(lines[:start]) + section + ("\n" + tail if tail else "")


if __name__ == "__main__":
    main()
