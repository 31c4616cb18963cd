"""Visit indicators: the e-kelurahan count (queue + logbook, not online), per service, average wait and service
time as ratios of sums so a kecamatan is the mean over all its visits; one grouped query."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from balai.core.periods import Period
from balai.core.testing import Story
from balai.indicators.models import Fact, FactRollup, Indicator
from balai.indicators.services import dirty_drain, indicators_sync, module_facts_recompute
from balai.publicservices.services import service_event_record
from balai.queues import indicators as qi
from balai.queues import services as q
from balai.queues.tests.conftest import Office

pytestmark = pytest.mark.django_db
WITA = zoneinfo.ZoneInfo("Asia/Makassar")
MONDAY = dt.datetime(2026, 6, 8, 8, 0, tzinfo=WITA)
MENTAOS, KOMET, UTARA, ROOT = "63.72.04.1002", "63.72.04.1003", "63.72.04", "63.72"


def serve(story: Story, office: Office, counter: object, taken: dt.datetime, wait_min: int, service_min: int) -> None:
    unit = counter.unit  # type: ignore[attr-defined]
    service = counter.services.first()  # type: ignore[attr-defined]
    clerk = story.mentaos_clerk if unit == story.mentaos else story.komet_clerk
    t = q.ticket_take(office=unit, service=service, at=taken)
    called = taken + dt.timedelta(minutes=wait_min)
    q.call_next(actor=clerk, counter=counter, at=called)  # type: ignore[arg-type]
    q.serve_start(actor=clerk, counter=counter, ticket=t, at=called + dt.timedelta(minutes=1))  # type: ignore[arg-type]
    q.serve_finish(
        actor=clerk,
        counter=counter,  # type: ignore[arg-type]
        ticket=t,
        at=called + dt.timedelta(minutes=1 + service_min),
    )


@pytest.fixture
def visits(story: Story, office: Office) -> None:
    serve(story, office, office.loket1, MONDAY, 10, 5)
    serve(story, office, office.loket1, MONDAY + dt.timedelta(hours=1), 20, 7)
    q.walk_in_record(
        actor=story.mentaos_clerk, office=story.mentaos, service=office.letter, service_minutes=3, at=MONDAY
    )
    # Late in the evening in Banjarbaru: still 8 June there, though already 15:30 UTC.
    q.walk_in_record(
        actor=story.mentaos_clerk,
        office=story.mentaos,
        service=office.domicile,
        at=dt.datetime(2026, 6, 8, 23, 30, tzinfo=WITA),
    )
    serve(story, office, office.komet_counter, MONDAY, 4, 2)
    # An online application completed: counted by the applications module, not here.
    service_event_record(kind="online", service=office.domicile, unit=story.mentaos, occurred_at=MONDAY)


def facts(code: str) -> dict[tuple[str, str], tuple[float, float | None, float | None]]:
    return {
        (f.org_unit.code, f.period): (round(f.value, 4), f.numerator, f.denominator)
        for f in Fact.objects.filter(indicator__code=code).select_related("org_unit")
    }


def rollup(code: str, unit: str, period: str) -> float:
    return round(FactRollup.objects.get(indicator__code=code, org_unit__code=unit, period=period).value, 4)


def recompute() -> None:
    module_facts_recompute(start=dt.date(2026, 6, 1), end=dt.date(2026, 6, 30), sources=["queues"])
    dirty_drain()


def test_visits_count_queue_and_logbook_at_the_office(story: Story, office: Office, visits: None) -> None:
    recompute()
    assert facts(qi.VISITS) == {(MENTAOS, "20260608"): (4.0, None, None), (KOMET, "20260608"): (1.0, None, None)}
    assert facts(qi.VISITS_QUEUE)[(MENTAOS, "20260608")][0] == 2.0
    assert facts(qi.VISITS_WALK_IN)[(MENTAOS, "20260608")][0] == 2.0
    assert rollup(qi.VISITS, UTARA, "202606") == 5.0
    assert rollup(qi.VISITS, ROOT, "2026Q2") == 5.0


def test_wait_and_service_time_roll_up_as_ratios_of_sums(story: Story, office: Office, visits: None) -> None:
    recompute()
    assert facts(qi.WAIT) == {(MENTAOS, "20260608"): (15.0, 30.0, 2.0), (KOMET, "20260608"): (4.0, 4.0, 1.0)}
    # Service time: 5 and 7 minutes from the queue, 3 from the logbook; the walk-in without a time is left out.
    assert facts(qi.SERVICE_TIME)[(MENTAOS, "20260608")] == (5.0, 15.0, 3.0)
    assert rollup(qi.WAIT, UTARA, "20260608") == round(34 / 3, 4)  # not (15 + 4) / 2
    assert rollup(qi.SERVICE_TIME, UTARA, "202606") == round(17 / 4, 4)


def test_one_indicator_per_service_code_across_offices(story: Story, office: Office, visits: None) -> None:
    indicators_sync(actor=None, sources=["queues"])
    ind = Indicator.objects.get(code="services.visits.svc.sk-domisili")
    assert (ind.name_en, ind.aggregation, ind.source) == (
        "Citizens served: Surat keterangan domisili",
        "sum",
        "queues",
    )
    recompute()
    domicile = facts("services.visits.svc.sk-domisili")
    assert domicile == {(MENTAOS, "20260608"): (3.0, None, None), (KOMET, "20260608"): (1.0, None, None)}
    assert facts("services.visits.svc.sk-usaha") == {(MENTAOS, "20260608"): (1.0, None, None)}
    assert rollup("services.visits.svc.sk-domisili", UTARA, "2026") == 4.0


def test_compute_is_one_query(story: Story, office: Office, visits: None) -> None:
    codes = [s.code for s in qi.INDICATORS]
    periods = [Period.parse(f"202606{d:02d}") for d in range(1, 31)]
    with CaptureQueriesContext(connection) as ctx:
        values = list(qi.compute(codes, periods))
    assert len(ctx.captured_queries) == 1
    assert len(values) == 9  # visits, queue, walk-in, wait, service time at Mentaos; Komet has no walk-in
