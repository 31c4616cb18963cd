"""``balai scheduler``: the one process that enqueues periodic tasks (the workers run them).

Each job remembers the last slot it was enqueued for in ``SchedulerState``, read under
``select_for_update`` in the same transaction as the enqueue. So two schedulers started by
mistake (or during a rolling deploy) never enqueue a slot twice, and a scheduler that was down
enqueues a missed slot once when it comes back, not once per missed minute.
"""

from __future__ import annotations

import datetime as dt
import signal
import threading
import time
import zoneinfo
from dataclasses import dataclass
from types import FrameType
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError, close_old_connections, transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from balai.core.models import SchedulerState


@dataclass(frozen=True)
class Job:
    """A periodic task: every minute (the default), every N minutes, or once a day.

    ``every_minutes`` must divide 60: its slots are aligned to the hour in Pemda time (15 → :00, :15,
    :30, :45), so they do not drift with the moment the scheduler started.
    """

    name: str
    task: str  # dotted path of a django-tasks task
    daily_at: dt.time | None = None  # once a day at this Pemda-local time
    every_minutes: int | None = None

    def __post_init__(self) -> None:
        if self.daily_at is not None and self.every_minutes is not None:
            raise ValueError(f"job {self.name}: give daily_at or every_minutes, not both")
        if self.every_minutes is not None and not (1 <= self.every_minutes <= 60 and 60 % self.every_minutes == 0):
            raise ValueError(f"job {self.name}: every_minutes must divide 60, got {self.every_minutes}")


JOBS = [
    Job("heartbeat", "balai.core.tasks.heartbeat"),
    Job("recompute_dirty", "balai.indicators.tasks.recompute_dirty"),
    Job("recompute_recent", "balai.indicators.tasks.recompute_recent", daily_at=dt.time(2, 0)),
    Job("complaints_escalate", "balai.complaints.tasks.escalate_overdue_task", every_minutes=15),
    Job("complaints_digest", "balai.complaints.tasks.daily_digest_task", daily_at=dt.time(7, 0)),
    Job("alerts_evaluate", "balai.alerts.tasks.alerts_evaluate_task", every_minutes=15),
    Job("alerts_digest", "balai.alerts.tasks.alerts_digest_task", daily_at=dt.time(7, 0)),
    Job("connectors_pull_due", "balai.connectors.tasks.pull_due", every_minutes=5),
]


def pemda_zone() -> zoneinfo.ZoneInfo:
    if settings.BALAI_TIME_ZONE:
        return zoneinfo.ZoneInfo(settings.BALAI_TIME_ZONE)
    from balai.org.selectors import pemda_time_zone

    return zoneinfo.ZoneInfo(pemda_time_zone() or settings.TIME_ZONE)


def latest_slot(job: Job, now: dt.datetime, zone: zoneinfo.ZoneInfo) -> dt.datetime:
    """The most recent moment at or before ``now`` when ``job`` was due."""
    local = now.astimezone(zone)
    if job.every_minutes is not None:
        return local.replace(minute=local.minute - local.minute % job.every_minutes, second=0, microsecond=0)
    if job.daily_at is None:
        return local.replace(second=0, microsecond=0)
    slot = dt.datetime.combine(local.date(), job.daily_at, tzinfo=zone)
    return slot if slot <= local else slot - dt.timedelta(days=1)


def tick(now: dt.datetime, zone: zoneinfo.ZoneInfo, jobs: list[Job] = JOBS) -> list[str]:
    """Enqueue every job whose latest slot has not been enqueued yet; return their names."""
    enqueued = []
    for job in jobs:
        slot = latest_slot(job, now, zone)
        with transaction.atomic():
            state, created = SchedulerState.objects.select_for_update().get_or_create(
                job=job.name, defaults={"last_run_at": slot}
            )
            if created and job.daily_at is not None:
                continue  # a new daily job waits for its first night instead of running at install time
            if not created and state.last_run_at >= slot:
                continue
            import_string(job.task).enqueue()
            if not created:
                state.last_run_at = slot
                state.save(update_fields=["last_run_at"])
        enqueued.append(job.name)
    return enqueued


class Command(BaseCommand):
    help = (
        "Enqueue the periodic tasks: heartbeat and dirty roll-ups every minute, overdue report escalation "
        "every 15 minutes, the recent recompute nightly at 02:00 and the complaint digest at 07:00 Pemda "
        "time. Run exactly one; a second one is harmless (it never double-enqueues)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="Run one tick and exit.")
        parser.add_argument(
            "--now", help="Pretend it is this ISO date-time (for tests), e.g. 2026-03-02T02:00:10+08:00."
        )

    verbosity = 1

    def handle(self, *args: Any, **options: Any) -> None:
        self.verbosity = options["verbosity"]
        now = None
        if options["now"]:
            try:
                now = dt.datetime.fromisoformat(options["now"])
            except ValueError as exc:
                raise CommandError(f"--now {options['now']} is not an ISO date-time.") from exc
            if timezone.is_naive(now):
                now = now.replace(tzinfo=pemda_zone())
        if options["once"]:
            self._tick(now or timezone.now())
            return
        stop = threading.Event()

        def request_stop(signum: int, _frame: FrameType | None) -> None:
            self.stdout.write(f"scheduler: {signal.Signals(signum).name} received, stopping")
            stop.set()

        signal.signal(signal.SIGTERM, request_stop)
        signal.signal(signal.SIGINT, request_stop)
        self.stdout.write(f"scheduler: started; jobs {', '.join(j.name for j in JOBS)}")
        while not stop.is_set():
            try:
                self._tick(timezone.now())
            except DatabaseError as exc:  # the database restarting must not kill the scheduler
                self.stderr.write(f"scheduler: database error, retrying next minute: {exc}")
            close_old_connections()
            # Wake just after the next minute starts, so each tick lands in a fresh slot.
            stop.wait(60 - time.time() % 60 + 0.5)
        self.stdout.write("scheduler: stopped")

    def _tick(self, now: dt.datetime) -> None:
        zone = pemda_zone()
        enqueued = tick(now, zone)
        if enqueued and self.verbosity > 0:
            self.stdout.write(f"scheduler: {now.astimezone(zone):%Y-%m-%d %H:%M:%S %Z} enqueued {', '.join(enqueued)}")
