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
import shlex
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

REPO = Path(__file__).resolve().parents[1]
VAR = REPO / "var" / "bench"
OUTPUT = REPO / "docs" / "benchmarks.md"
PART_TIMEOUT_S = 1800

GOAL_IMPORT_RATIO = 0.5
GOAL_P95_MS = 100.0
GOAL_PAGE_RATIO = 1.5
GOAL_RSS_MB = 150.0


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


def run_part(backend: Backend, db: str, args: list[str]) -> dict[str, Any]:
    env = {
        **os.environ,
        "BALAI_ENV": "test",
        "BALAI_DATABASE_URL": backend.url(db),
        # The import request must not rebuild roll-ups inline (the immediate test backend would):
        # in production the worker does that, and we time it separately.
        "BALAI_TASKS_BACKEND": "django_tasks.backends.dummy.DummyBackend",
        "BALAI_LOG_LEVEL": "WARNING",
        "DJANGO_SETTINGS_MODULE": "balai.settings",
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
    return "\n".join(lines).rstrip() + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="small sizes; print the report, do not write it")
    parser.add_argument("--no-postgres", action="store_true", help="SQLite only, even if BALAI_DATABASE_URL is set")
    parser.add_argument("--output", type=Path, default=OUTPUT)
    args = parser.parse_args()

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


if __name__ == "__main__":
    main()
