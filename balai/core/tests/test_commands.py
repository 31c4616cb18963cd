from __future__ import annotations

import datetime as dt
import io
import shutil
import sqlite3
import subprocess
import tarfile
import zoneinfo
from collections import Counter
from pathlib import Path

import pyotp
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test import override_settings
from django_tasks_db.models import DBTaskResult

from balai.core.management.commands import backup, scheduler, serve
from balai.core.models import SchedulerState
from balai.core.tasks import heartbeat
from balai.org import services as org
from balai.org.choices import UnitKind
from balai.org.models import OrgUnit

pytestmark = pytest.mark.django_db

DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
HEARTBEAT = "balai.core.tasks.heartbeat"
DIRTY = "balai.indicators.tasks.recompute_dirty"
RECENT = "balai.indicators.tasks.recompute_recent"
ESCALATE = "balai.complaints.tasks.escalate_overdue_task"
DIGEST = "balai.complaints.tasks.daily_digest_task"
ALERTS = "balai.alerts.tasks.alerts_evaluate_task"
ALERTS_DIGEST = "balai.alerts.tasks.alerts_digest_task"
CONNECTORS = "balai.connectors.tasks.pull_due"


def run(name: str, *args: str, **options: object) -> str:
    out = io.StringIO()
    call_command(name, *args, stdout=out, stderr=io.StringIO(), **options)
    return out.getvalue()


# ------------------------------------------------------------------------------------------ init
def test_init_twice_creates_no_duplicates() -> None:
    first = run("init", wilayah="63.72")
    assert OrgUnit.objects.count() == 26
    second = run("init", wilayah="63.72")
    assert OrgUnit.objects.count() == 26
    assert "created 26, updated 0, unchanged 0" in first
    assert "created 0, updated 0, unchanged 26" in second
    assert "5 kecamatan, 20 kelurahan, 0 desa" in second
    assert "time zone Asia/Makassar" in second


def test_init_unknown_code_is_an_error_naming_the_code() -> None:
    with pytest.raises(CommandError, match=r"99\.98"):
        run("init", wilayah="99.98")
    assert not OrgUnit.objects.exists()


def test_init_banjarmasin_has_five_kecamatan_and_52_kelurahan() -> None:
    out = run("init", wilayah="63.71")
    assert "Pemerintah Kota Banjarmasin (63.71)" in out
    assert OrgUnit.objects.filter(kind=UnitKind.KECAMATAN).count() == 5
    assert OrgUnit.objects.filter(kind=UnitKind.KELURAHAN).count() == 52


def test_init_banyuwangi_creates_desa_and_kelurahan_in_wib() -> None:
    out = run("init", wilayah="35.10")
    counts = Counter(OrgUnit.objects.values_list("kind", flat=True))
    assert counts[UnitKind.KECAMATAN] == 25
    assert counts[UnitKind.KELURAHAN] == 28
    assert counts[UnitKind.DESA] == 189
    assert OrgUnit.objects.get(code="35.10").time_zone == "Asia/Jakarta"
    assert "time zone Asia/Jakarta" in out
    assert OrgUnit.objects.get(code="35.10").name == "Pemerintah Kabupaten Banyuwangi"


# ------------------------------------------------------------------------------------------ totp
def test_totp_prints_the_current_code_of_the_user() -> None:
    user = org.user_create(actor=None, username="admin", password="Balai-Test-2026!")
    org.totp_set_secret(user=user, secret="JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP")
    code = run("totp", "admin").strip()
    assert len(code) == 6
    assert code.isdigit()
    assert pyotp.TOTP("JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP").verify(code, valid_window=1)


def test_totp_of_a_user_without_second_factor_is_an_error() -> None:
    org.user_create(actor=None, username="warga", password="Balai-Test-2026!")
    with pytest.raises(CommandError, match="warga has no second factor"):
        run("totp", "warga")
    with pytest.raises(CommandError, match="no user nobody"):
        run("totp", "nobody")


@override_settings(PRODUCTION=True)
def test_totp_is_refused_in_production() -> None:
    user = org.user_create(actor=None, username="admin", password="Balai-Test-2026!")
    org.totp_set_secret(user=user, secret="JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP")
    with pytest.raises(CommandError, match="refused with BALAI_ENV=production"):
        run("totp", "admin")


# ------------------------------------------------------------------------------------- scheduler
def enqueued() -> Counter[str]:
    return Counter(DBTaskResult.objects.values_list("task_path", flat=True))


@override_settings(TASKS=DB_TASKS, BALAI_TIME_ZONE="Asia/Makassar")
def test_scheduler_once_enqueues_each_job_once_per_slot() -> None:
    run("scheduler", once=True, now="2026-03-02T01:59:10+08:00")
    run("scheduler", once=True, now="2026-03-02T01:59:50+08:00")  # same minute: nothing new
    # The daily jobs wait for their first 02:00 / 07:00; the 15-minute escalation starts at once.
    assert enqueued() == Counter({HEARTBEAT: 1, DIRTY: 1, ESCALATE: 1, ALERTS: 1, CONNECTORS: 1})

    run("scheduler", once=True, now="2026-03-02T02:00:05+08:00")
    run("scheduler", once=True, now="2026-03-02T02:00:55+08:00")
    assert enqueued() == Counter({HEARTBEAT: 2, DIRTY: 2, RECENT: 1, ESCALATE: 2, ALERTS: 2, CONNECTORS: 2})

    run("scheduler", once=True, now="2026-03-02T14:30:00+08:00")
    # 02:00 WITA happens once a day; 07:00 has passed, so the digest goes out (late) once.
    assert enqueued() == Counter(
        {HEARTBEAT: 3, DIRTY: 3, RECENT: 1, ESCALATE: 3, DIGEST: 1, ALERTS: 3, ALERTS_DIGEST: 1, CONNECTORS: 3}
    )


@override_settings(TASKS=DB_TASKS, BALAI_TIME_ZONE="Asia/Makassar")
def test_scheduler_catches_up_a_missed_night_once() -> None:
    run("scheduler", once=True, now="2026-03-02T12:00:00+08:00")
    # Down for three nights: the recompute runs once when the scheduler is back, not three times.
    run("scheduler", once=True, now="2026-03-05T09:15:00+08:00")
    assert enqueued()[RECENT] == 1
    state = SchedulerState.objects.get(job="recompute_recent")
    assert state.last_run_at.isoformat() == "2026-03-04T18:00:00+00:00"  # 02:00 WITA on 5 March


@override_settings(TASKS=DB_TASKS, BALAI_TIME_ZONE="Asia/Makassar")
def test_scheduler_runs_an_every_15_minutes_job_once_per_quarter_hour() -> None:
    for now in (
        "2026-03-02T09:07:10+08:00",  # first tick: slot 09:00
        "2026-03-02T09:14:59+08:00",  # same slot
        "2026-03-02T09:15:00+08:00",  # slot 09:15
        "2026-03-02T09:15:30+08:00",
        "2026-03-02T09:29:00+08:00",
        "2026-03-02T10:31:00+08:00",  # down for an hour: 10:30 once, not the four missed slots
        "2026-03-02T10:44:00+08:00",
    ):
        run("scheduler", once=True, now=now)
    assert enqueued()[ESCALATE] == 3
    state = SchedulerState.objects.get(job="complaints_escalate")
    assert state.last_run_at.isoformat() == "2026-03-02T02:30:00+00:00"  # 10:30 WITA


def test_every_minutes_slots_are_aligned_to_the_pemda_hour() -> None:
    wita = zoneinfo.ZoneInfo("Asia/Makassar")
    job = scheduler.Job("x", "t", every_minutes=15)
    utc = dt.UTC

    def slot(h: int, m: int, s: int = 0, zone: dt.tzinfo = wita) -> str:
        return scheduler.latest_slot(job, dt.datetime(2026, 3, 2, h, m, s, tzinfo=zone), wita).isoformat()

    assert slot(9, 0) == "2026-03-02T09:00:00+08:00"
    assert slot(9, 14, 59) == "2026-03-02T09:00:00+08:00"
    assert slot(9, 59, 59) == "2026-03-02T09:45:00+08:00"
    assert slot(16, 7, zone=utc) == "2026-03-03T00:00:00+08:00"  # 00:07 WITA the next day
    # India (+05:30): aligned to the local hour, not to UTC's.
    ist = zoneinfo.ZoneInfo("Asia/Kolkata")
    at = dt.datetime(2026, 3, 2, 4, 20, tzinfo=utc)  # 09:50 IST
    assert scheduler.latest_slot(job, at, ist).isoformat() == "2026-03-02T09:45:00+05:30"
    hourly = scheduler.Job("y", "t", every_minutes=60)
    assert scheduler.latest_slot(hourly, at, ist).isoformat() == "2026-03-02T09:00:00+05:30"


@pytest.mark.parametrize(
    "kwargs",
    [{"every_minutes": 7}, {"every_minutes": 0}, {"every_minutes": 90}, {"every_minutes": 15, "daily_at": dt.time(7)}],
)
def test_a_job_refuses_slots_that_do_not_fit_the_hour(kwargs: dict) -> None:
    with pytest.raises(ValueError, match="job x"):
        scheduler.Job("x", "t", **kwargs)


def test_scheduler_rejects_a_bad_now() -> None:
    with pytest.raises(CommandError, match="not an ISO date-time"):
        run("scheduler", once=True, now="yesterday")


# ---------------------------------------------------------------------------------------- worker
def test_worker_refuses_a_backend_without_a_queue() -> None:
    with pytest.raises(CommandError, match="ImmediateBackend"):
        run("worker", batch=True)


# Committed rows: the worker closes connections it finds inside a transaction, as it must in real use.
@pytest.mark.django_db(transaction=True)
@override_settings(TASKS=DB_TASKS)
def test_worker_batch_runs_what_is_queued_and_exits() -> None:
    result = heartbeat.enqueue()
    run("worker", batch=True, verbosity=0)
    assert DBTaskResult.objects.get(pk=result.id).status == "SUCCESSFUL"


# ----------------------------------------------------------------------------------------- serve
def test_serve_runs_gunicorn_with_the_bind_and_workers() -> None:
    argv = serve.gunicorn_argv(host="0.0.0.0", port=8123, workers=3, timeout=60)  # noqa: S104
    assert argv[1:4] == ["-m", "gunicorn", "balai.wsgi:application"]
    assert argv[argv.index("--bind") + 1] == "0.0.0.0:8123"
    assert argv[argv.index("--workers") + 1] == "3"
    assert 1 <= serve.default_workers() <= 8


@override_settings(PRODUCTION=True)
def test_serve_in_production_needs_collected_static_files(tmp_path: Path) -> None:
    with override_settings(STATIC_ROOT=tmp_path), pytest.raises(CommandError, match="balai collectstatic"):
        run("serve", port=8123)


# ---------------------------------------------------------------------------------------- backup
# Committed data, as in real use: SQLite cannot copy a shared in-memory database mid-transaction.
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite online backup")
def test_backup_of_sqlite_is_a_readable_database(tmp_path: Path) -> None:
    run("init", wilayah="63.72")
    out = run("backup", output=str(tmp_path), no_media=True)
    path = Path(out.strip())
    assert path.parent == tmp_path
    assert path.name.startswith("balai-")
    assert path.suffix == ".sqlite3"
    with sqlite3.connect(path) as copy:
        assert copy.execute("SELECT COUNT(*) FROM org_orgunit").fetchone()[0] == 26
        assert copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite online backup")
def test_backup_archives_the_media_folder(tmp_path: Path) -> None:
    media = tmp_path / "media"
    (media / "evidence").mkdir(parents=True)
    (media / "evidence" / "photo.jpg").write_bytes(b"jpeg")
    with override_settings(MEDIA_ROOT=media):
        files = run("backup", output=str(tmp_path / "out")).split()
    assert len(files) == 2
    assert files[1].endswith("-media.tar.gz")
    with tarfile.open(files[1]) as tar:
        assert "media/evidence/photo.jpg" in tar.getnames()


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql" or not shutil.which("pg_restore"), reason="pg_dump")
def test_backup_of_postgresql_is_a_custom_format_dump(tmp_path: Path) -> None:
    run("init", wilayah="63.72")
    path = Path(run("backup", output=str(tmp_path), no_media=True).strip())
    assert path.suffix == ".dump"
    listing = subprocess.run(["pg_restore", "--list", str(path)], capture_output=True, text=True, check=True)
    assert "TABLE DATA public org_orgunit" in listing.stdout


def test_backup_without_pg_dump_says_what_to_install(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(backup.shutil, "which", lambda _name: None)
    with pytest.raises(CommandError, match="pg_dump is not installed"):
        backup.Command()._postgres({"NAME": "balai"}, tmp_path / "x.dump")
