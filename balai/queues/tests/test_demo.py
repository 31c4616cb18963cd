"""The demo queue history: working days and office hours only, believable volumes, coherent rows."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
from django.db.models import Count

from balai.core.testing import Story
from balai.publicservices.demo import seed_catalogue
from balai.publicservices.models import ServiceEvent
from balai.queues.choices import TicketState
from balai.queues.demo import seed_visits
from balai.queues.models import Ticket
from balai.workdays.services import holidays_load_national

pytestmark = pytest.mark.django_db
WITA = zoneinfo.ZoneInfo("Asia/Makassar")
# Wednesday 10 June 2026, 10:00.
NOW = dt.datetime(2026, 6, 10, 10, 0, tzinfo=WITA)


def test_demo_visits_fall_on_working_days_in_office_hours(story: Story) -> None:
    holidays_load_national(actor=None, pemda=story.root, year=2026)
    seed_catalogue(story.root)
    counts = seed_visits(story.root, days=14, seed=7, now=NOW)
    assert counts["tickets"] > 0 and counts["walk_ins"] > 0
    events = list(ServiceEvent.objects.values_list("occurred_at", "wait_seconds", "service_seconds", "kind"))
    local = [at.astimezone(WITA) for at, *_ in events]
    assert all(d.weekday() < 5 for d in local)
    assert dt.date(2026, 6, 1) not in {d.date() for d in local}  # Hari Lahir Pancasila
    assert all(dt.time(7, 30) <= d.time() <= dt.time(18, 0) for d in local)
    assert all(at <= NOW for at, *_ in events)
    assert all(w is not None and w >= 0 for _at, w, _s, kind in events if kind == "queue")
    # 20–30 citizens a working day at each kelurahan (no-shows aside).
    per_day = ServiceEvent.objects.filter(unit=story.mentaos).values("occurred_at__date").annotate(n=Count("pk"))
    assert per_day and all(17 <= row["n"] <= 30 for row in per_day)
    served = Ticket.objects.filter(state=TicketState.SERVED)
    assert served.count() == ServiceEvent.objects.filter(kind="queue").count()
    assert not served.filter(event__isnull=True).exists()
    assert set(Ticket.objects.values_list("state", flat=True)) == {TicketState.SERVED, TicketState.SKIPPED}
    # Numbers run 1, 2, 3... per office and day.
    day = Ticket.objects.filter(day=dt.date(2026, 6, 9), unit=story.mentaos)
    assert sorted(day.values_list("number", flat=True)) == list(range(1, day.count() + 1))
    # History only: today's queue is the clerks' own, and a load at another hour gives the same rows.
    assert not Ticket.objects.filter(day=dt.date(2026, 6, 10)).exists()


def test_demo_is_deterministic(story: Story) -> None:
    seed_catalogue(story.root)
    first = seed_visits(story.root, days=5, seed=3, now=NOW)
    codes = list(Ticket.objects.order_by("unit_id", "day", "number").values_list("prefix", "number", "taken_at"))
    Ticket.objects.all().delete()
    ServiceEvent.objects.all().delete()
    from balai.queues.models import CounterShift, TicketSequence

    TicketSequence.objects.all().delete()
    CounterShift.objects.all().delete()
    assert seed_visits(story.root, days=5, seed=3, now=NOW) == first
    assert codes == list(
        Ticket.objects.order_by("unit_id", "day", "number").values_list("prefix", "number", "taken_at")
    )
