"""Complaint indicators as the issue lists them: received by channel and by category, the median days to
resolve (a histogram that rolls up exactly), satisfaction over all ratings; one query per kind of read."""

from __future__ import annotations

import datetime as dt
import statistics
import zoneinfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from balai.complaints import indicators as ci
from balai.complaints import services as svc
from balai.complaints.choices import Channel, Status
from balai.complaints.models import Category, Complaint
from balai.core.periods import Period, PeriodType
from balai.core.testing import Story
from balai.indicators import distribution
from balai.indicators.models import Fact, FactRollup, Indicator
from balai.indicators.services import dirty_drain, module_facts_recompute
from balai.org import services as org
from balai.org.models import OrgUnit
from balai.org.roles import Role
from balai.workdays.services import holidays_load_national

pytestmark = pytest.mark.django_db
WITA = zoneinfo.ZoneInfo("Asia/Makassar")
MENTAOS, KOMET, UTARA, ROOT = "63.72.04.1002", "63.72.04.1003", "63.72.04", "63.72"


@pytest.fixture
def setup(story: Story) -> dict[str, object]:
    holidays_load_national(actor=None, pemda=story.root, year=2026)
    dishub = org.orgunit_create(
        actor=None, parent=story.root, name="Dinas Perhubungan", kind="perangkat_daerah", code="DISHUB"
    )
    lights = Category.objects.create(
        code="lampu", name_id="Lampu jalan mati", name_en="Street light out", default_unit=dishub, sort_order=1
    )
    roads = Category.objects.create(
        code="jalan", name_id="Jalan rusak", name_en="Damaged road", default_unit=story.dinkes, sort_order=2
    )
    desk = org.user_create(actor=None, username="meja_aduan", password="Balai-Test-2026!")
    org.role_assign(actor=None, user=desk, role=Role.SKPD_OPERATOR, org_unit=story.root)
    return {"lights": lights, "roads": roads, "dishub": dishub, "desk": desk}


def report(
    story: Story,
    category: Category,
    received_at: dt.datetime,
    territory: OrgUnit | None = None,
    channel: str = Channel.WEB,
) -> Complaint:
    return svc.complaint_submit(
        channel=channel,
        category=category,
        description="Ada masalah di Jl. A",
        pemda=story.root,
        territory=territory or story.mentaos,
        reporter_email="warga@example.id",
        received_at=received_at,
    )


def resolve(setup: dict, c: Complaint, unit: OrgUnit, at: dt.datetime) -> Complaint:
    c = svc.complaint_verify(
        actor=setup["desk"],
        complaint=c,
        version=c.version,
        title="t",
        classification="pengaduan",
        category=c.category,
        unit=unit,
        at=c.received_at + dt.timedelta(minutes=30),
    )
    svc.complaint_respond(
        actor=setup["desk"], complaint=c, version=c.version, text="Selesai.", status=Status.RESOLVED, at=at
    )
    return Complaint.objects.get(pk=c.pk)


def recompute(first: dt.date, last: dt.date) -> None:
    module_facts_recompute(start=first, end=last, sources=["complaints"])
    dirty_drain()


def facts(code: str) -> dict[tuple[str, str], float]:
    return {
        (u, p): v
        for u, p, v in Fact.objects.filter(indicator__code=code).values_list("org_unit__code", "period", "value")
    }


def rollup(code: str, unit: str, period: str) -> FactRollup | None:
    return FactRollup.objects.filter(indicator__code=code, org_unit__code=unit, period=period).first()


# ------------------------------------------------------------------------------------ the list
def test_the_declared_indicators_are_the_issues_list(db: None) -> None:
    codes = set(Indicator.objects.filter(source="complaints", is_active=True).values_list("code", flat=True))
    assert codes == {
        "complaints.received",
        *{f"complaints.received.{c}" for c in Channel.values},
        "complaints.verified_3d_rate",
        "complaints.resolved",
        "complaints.resolved_on_time_rate",
        "complaints.overdue_open",
        "complaints.resolution_days_median",
        "complaints.reopen_rate",
        "complaints.satisfaction",
    }
    median = Indicator.objects.get(code="complaints.resolution_days_median")
    assert (median.aggregation, median.decimals, median.unit, median.polarity) == ("median", 1, "hari", -1)
    assert "calendar days" in median.name_en


# --------------------------------------------------------------------------------- by category
def test_reports_received_per_category_at_the_kelurahan(story: Story, setup: dict) -> None:
    assert ci.sync_category_indicators() == 2
    lights_ind = Indicator.objects.get(code="complaints.received.cat.lampu")
    assert (lights_ind.name_en, lights_ind.name_id, lights_ind.aggregation, lights_ind.source) == (
        "Reports received: Street light out",
        "Aduan diterima: Lampu jalan mati",
        "sum",
        "complaints",
    )
    day = dt.date(2026, 5, 12)
    at = dt.datetime(2026, 5, 12, 9, 0, tzinfo=WITA)
    report(story, setup["lights"], at)
    report(story, setup["lights"], at + dt.timedelta(hours=2), channel=Channel.WHATSAPP)
    report(story, setup["roads"], at, territory=story.komet)
    report(story, setup["roads"], at + dt.timedelta(hours=3))
    recompute(day, day)

    assert facts("complaints.received.cat.lampu") == {(MENTAOS, "20260512"): 2.0}
    assert facts("complaints.received.cat.jalan") == {(MENTAOS, "20260512"): 1.0, (KOMET, "20260512"): 1.0}
    for unit, period in ((UTARA, "20260512"), (ROOT, "202605"), (ROOT, "2026")):
        lights = rollup("complaints.received.cat.lampu", unit, period)
        roads = rollup("complaints.received.cat.jalan", unit, period)
        total = rollup("complaints.received", unit, period)
        assert lights and roads and total
        assert (lights.value, roads.value, total.value) == (2.0, 2.0, 4.0)


def test_a_deactivated_category_keeps_its_indicator_and_history(story: Story, setup: dict) -> None:
    ci.sync_category_indicators()
    day = dt.date(2026, 5, 12)
    report(story, setup["roads"], dt.datetime(2026, 5, 12, 9, 0, tzinfo=WITA))
    recompute(day, day)
    Category.objects.filter(code="jalan").update(is_active=False)
    assert ci.sync_category_indicators() == 0
    recompute(day, day)
    assert Indicator.objects.filter(code="complaints.received.cat.jalan", is_active=True).exists()
    assert facts("complaints.received.cat.jalan") == {(MENTAOS, "20260512"): 1.0}
    assert rollup("complaints.received.cat.jalan", ROOT, "202605").value == 1.0  # type: ignore[union-attr]


def test_a_category_added_without_a_sync_is_counted_by_the_next_recompute(story: Story, setup: dict) -> None:
    trees = Category.objects.create(code="pohon", name_id="Pohon tumbang", name_en="Fallen tree")
    assert not Indicator.objects.filter(code="complaints.received.cat.pohon").exists()
    day = dt.date(2026, 5, 12)
    report(story, trees, dt.datetime(2026, 5, 12, 9, 0, tzinfo=WITA))
    recompute(day, day)
    assert facts("complaints.received.cat.pohon") == {(MENTAOS, "20260512"): 1.0}


def test_renaming_a_category_renames_its_indicator(story: Story, setup: dict) -> None:
    ci.sync_category_indicators()
    Category.objects.filter(code="lampu").update(name_en="Street lighting", name_id="Penerangan jalan")
    assert ci.sync_category_indicators() == 1
    assert Indicator.objects.get(code="complaints.received.cat.lampu").name_en == "Reports received: Street lighting"


def test_a_report_change_marks_its_category_indicator_dirty(story: Story, setup: dict) -> None:
    ci.sync_category_indicators()
    c = report(story, setup["lights"], dt.datetime(2026, 5, 12, 9, 0, tzinfo=WITA))
    pairs = ci.dirty_pairs_for(c)
    cat_id = Indicator.objects.get(code="complaints.received.cat.lampu").pk
    median_id = Indicator.objects.get(code="complaints.resolution_days_median").pk
    assert {(cat_id, "20260512"), (median_id, "20260512")} <= pairs


# --------------------------------------------------------------------------------------- median
def test_median_days_to_resolve_per_unit_and_over_the_city(story: Story, setup: dict) -> None:
    """Handling numbers count at the unit; the month's city median is over all reports, not unit medians."""
    resolved_at = dt.datetime(2026, 5, 20, 15, 0, tzinfo=WITA)
    cases = [
        # (received, unit): DISHUB takes 1.0, 1.0 and 6.0 days; DINKES 2.5, 10.0 and 12.25 (bucket 12.2).
        (resolved_at - dt.timedelta(days=1), setup["dishub"]),
        (resolved_at - dt.timedelta(days=1), setup["dishub"]),
        (resolved_at - dt.timedelta(days=6), setup["dishub"]),
        (resolved_at - dt.timedelta(days=2, hours=12), story.dinkes),
        (resolved_at - dt.timedelta(days=10), story.dinkes),
        (resolved_at - dt.timedelta(days=12, hours=6), story.dinkes),
    ]
    durations = []
    for received, unit in cases:
        c = resolve(setup, report(story, setup["lights"], received), unit, resolved_at)
        durations.append((c.resolved_at - c.received_at).total_seconds() / 86400)  # type: ignore[operator]
    recompute(dt.date(2026, 5, 7), dt.date(2026, 5, 20))

    code = "complaints.resolution_days_median"
    assert facts(code) == {("DISHUB", "20260520"): 1.0, ("DINKES", "20260520"): 10.0}
    dishub = Fact.objects.get(indicator__code=code, org_unit__code="DISHUB")
    assert (dishub.denominator, dishub.distribution) == (3.0, {"1.0": 2, "6.0": 1})
    # Unit medians 1.0 and 10.0 would give 5.5; the six reports give (2.5 + 6.0) / 2.
    expected = statistics.median(distribution.bucket(d, 1) for d in durations)
    assert expected == 4.25
    for period in ("20260520", "2026W21", "202605", "2026Q2", "2026"):
        city = rollup(code, ROOT, period)
        assert city is not None and (city.value, city.denominator) == (expected, 6.0), period


def test_satisfaction_is_the_mean_of_all_ratings_not_of_daily_means(story: Story, setup: dict) -> None:
    first = dt.datetime(2026, 5, 18, 15, 0, tzinfo=WITA)
    second = dt.datetime(2026, 5, 19, 15, 0, tzinfo=WITA)
    for resolved_at, rating in ((first, 4), (first, 5), (second, 2)):
        c = resolve(
            setup, report(story, setup["lights"], resolved_at - dt.timedelta(days=1)), story.dinkes, resolved_at
        )
        svc.complaint_rate(complaint=c, rating=rating)
    recompute(dt.date(2026, 5, 17), dt.date(2026, 5, 19))
    month = rollup("complaints.satisfaction", "DINKES", "202605")
    assert month is not None
    assert (month.numerator, month.denominator) == (11.0, 3.0)
    assert month.value == pytest.approx(11 / 3)  # the mean of daily means would be 3.25


# ---------------------------------------------------------------------------------- query count
def _compute_queries(first: dt.date, last: dt.date) -> int:
    tz_days = []
    p = Period.containing(last, PeriodType.DAY)
    while p.start >= first:
        tz_days.append(p)
        p = p.previous()
    codes = [s.code for s in ci.INDICATORS] + [s.code for s in ci.category_specs()]
    with CaptureQueriesContext(connection) as ctx:
        list(ci.compute(codes, tz_days))
    return len(ctx.captured_queries)


def test_compute_reads_a_fixed_number_of_queries_whatever_the_reports(story: Story, setup: dict) -> None:
    first, last = dt.date(2026, 5, 11), dt.date(2026, 5, 20)
    resolved_at = dt.datetime(2026, 5, 20, 15, 0, tzinfo=WITA)
    resolve(setup, report(story, setup["lights"], resolved_at - dt.timedelta(days=3)), setup["dishub"], resolved_at)
    few = _compute_queries(first, last)
    for i in range(6):
        category = setup["lights"] if i % 2 else setup["roads"]
        c = report(story, category, resolved_at - dt.timedelta(days=i + 1), territory=story.komet)
        resolve(setup, c, story.dinkes, resolved_at - dt.timedelta(hours=i))
    Category.objects.create(code="pohon", name_id="Pohon", name_en="Tree")
    assert _compute_queries(first, last) == few <= 4


def test_a_new_report_reaches_the_dashboard_without_waiting_for_the_night(
    story: Story, setup: dict, django_capture_on_commit_callbacks: object
) -> None:
    # The write marks its days dirty; draining them rewrites the module's Facts first, then the roll-ups.
    today = Period.containing(dt.datetime.now(WITA).date(), PeriodType.DAY).id
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        report(story, setup["lights"], dt.datetime.now(dt.UTC) - dt.timedelta(minutes=5))
    dirty_drain()
    received = Indicator.objects.get(code="complaints.received")
    assert Fact.objects.get(indicator=received, period=today, org_unit=story.mentaos).value == 1
    assert FactRollup.objects.get(indicator=received, period=today, org_unit=story.root).value == 1
    by_category = Indicator.objects.get(code="complaints.received.cat.lampu")
    assert FactRollup.objects.get(indicator=by_category, period=today, org_unit=story.root).value == 1
