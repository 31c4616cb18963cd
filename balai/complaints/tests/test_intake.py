"""Public intake at volume: what every report reads is kept per process yet never stale, the per-address
limit counts only web reports, and the write path stays a fixed, small number of statements."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Mapping
from typing import Any

import pytest
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from balai.complaints import geo
from balai.complaints import indicators as ci
from balai.complaints.choices import Channel
from balai.complaints.models import Category, Complaint
from balai.complaints.services import complaint_submit
from balai.core.testing import Story
from balai.indicators.models import DirtyPeriod, Indicator
from balai.org import services as org
from balai.org.choices import UnitKind
from balai.workdays.models import HolidayKind
from balai.workdays.services import holiday_set

pytestmark = pytest.mark.django_db
NEW = reverse("complaints_public:new")
MENTAOS = (-3.4400, 114.8350)
WITA = zoneinfo.ZoneInfo("Asia/Makassar")


@pytest.fixture
def located(story: Story) -> Story:
    assert geo.centroids_load(story.root) == 20
    return story


@pytest.fixture
def category(db: None) -> Category:
    return Category.objects.create(code="jalan", name_id="Jalan rusak", name_en="Broken road")


def form_data(category: Category, **extra: object) -> dict[str, object]:
    data: dict[str, object] = {
        "category": category.pk,
        "description": "Lubang besar di Jalan Karang Anyar",
        "latitude": MENTAOS[0],
        "longitude": MENTAOS[1],
        "phone": "081234567890",
        "reporter_name": "Siti Aminah",
    }
    data.update(extra)
    return data


# ------------------------------------------------------------------------------ kelurahan centroids
def test_a_centroid_moved_or_a_kelurahan_closed_shows_at_once(located: Story) -> None:
    assert geo.territory_for_point(located.root, *MENTAOS) == located.mentaos
    # The clerk puts Komet's centroid right on the point: the next report there goes to Komet.
    org.orgunit_update(actor=None, unit=located.komet, latitude=MENTAOS[0], longitude=MENTAOS[1] + 0.0001)
    assert geo.territory_for_point(located.root, MENTAOS[0], MENTAOS[1] + 0.0001) == located.komet
    org.orgunit_update(actor=None, unit=located.komet, is_active=False)
    assert located.komet not in geo.villages_located(located.root)
    assert geo.territory_for_point(located.root, MENTAOS[0], MENTAOS[1] + 0.0001) == located.mentaos


def test_a_new_kelurahan_is_found_at_once(located: Story) -> None:
    before = len(geo.villages_located(located.root))
    spot = (-3.4700, 114.8000)
    new = org.orgunit_create(
        actor=None, parent=located.kec_utara, name="Kelurahan Baru", kind=UnitKind.KELURAHAN, code="63.72.04.1099"
    )
    org.orgunit_update(actor=None, unit=new, latitude=spot[0], longitude=spot[1])
    assert len(geo.villages_located(located.root)) == before + 1
    assert geo.territory_for_point(located.root, *spot) == new


def test_the_kelurahan_handed_out_is_a_copy(located: Story) -> None:
    found = geo.territory_for_point(located.root, *MENTAOS)
    assert found is not None
    found.name = "changed by a caller, not saved"
    again = geo.territory_for_point(located.root, *MENTAOS)
    assert again is not None and again.name == located.mentaos.name


def test_once_read_the_centroids_cost_one_small_query(located: Story, django_assert_num_queries: Any) -> None:
    geo.villages_located(located.root)
    with django_assert_num_queries(1):
        assert len(geo.villages_located(located.root)) == 20


# ---------------------------------------------------------------------------- the web form's limit
def test_reports_from_other_channels_do_not_count_against_the_web_limit(
    client: Client, located: Story, category: Category, settings: Any
) -> None:
    from balai.core.audit import RequestContext, current_request

    settings.BALAI_INTAKE_RATE = (2, 600)
    token = current_request.set(RequestContext(ip_address="127.0.0.1", request_id="x"))
    try:  # an Open311 app on the same address filed three reports
        for i in range(3):
            complaint_submit(
                channel=Channel.OPEN311, category=category, description="x", pemda=located.root, reporter_ref=f"d{i}"
            )
    finally:
        current_request.reset(token)
    for i in range(2):
        assert client.post(NEW, form_data(category, phone=f"08123456780{i}")).status_code == 302
    assert client.post(NEW, form_data(category, phone="081234567809")).status_code == 429
    # Another address is not limited by this one.
    assert client.post(NEW, form_data(category, phone="081234567808"), REMOTE_ADDR="10.9.8.7").status_code == 302


def test_the_limit_counts_only_the_window(client: Client, located: Story, category: Category, settings: Any) -> None:
    from balai.core.models import AuditEvent

    settings.BALAI_INTAKE_RATE = (1, 600)
    assert client.post(NEW, form_data(category, phone="081200000001")).status_code == 302
    assert client.post(NEW, form_data(category, phone="081200000002")).status_code == 429
    AuditEvent.objects.filter(action="complaint.submit").update(
        created_at=dt.datetime.now(dt.UTC) - dt.timedelta(seconds=601)
    )
    Complaint.objects.update(received_at=dt.datetime.now(dt.UTC) - dt.timedelta(seconds=601))
    assert client.post(NEW, form_data(category, phone="081200000001")).status_code == 302


# ----------------------------------------------------------------------------------- the write path
def test_a_report_marks_every_complaint_indicator_dirty_in_one_statement(located: Story, category: Category) -> None:
    ci.sync_category_indicators()
    with transaction.atomic():
        with CaptureQueriesContext(connection) as captured:
            complaint = complaint_submit(channel=Channel.WEB, category=category, description="x", pemda=located.root)
        marks = [q for q in captured.captured_queries if "dirtyperiod" in q["sql"].lower()]
        assert len(marks) == 1
        assert set(DirtyPeriod.objects.values_list("indicator_id", "period")) == ci.dirty_pairs_for(complaint)
        # The drain is woken once per transaction, however many reports it holds.
        complaint_submit(channel=Channel.WEB, category=category, description="y", pemda=located.root)
        wakes = [e for e in connection.run_on_commit if getattr(e[1], "__name__", "") == "_wake_drain"]
        assert len(wakes) == 1


def test_a_category_indicator_added_since_is_marked_too(located: Story, category: Category) -> None:
    ci.sync_category_indicators()
    complaint_submit(channel=Channel.WEB, category=category, description="x", pemda=located.root)
    trees = Category.objects.create(code="pohon", name_id="Pohon tumbang", name_en="Fallen tree")
    ci.sync_category_indicators()
    DirtyPeriod.objects.all().delete()
    complaint_submit(channel=Channel.WEB, category=trees, description="y", pemda=located.root)
    marked = set(DirtyPeriod.objects.values_list("indicator__code", flat=True))
    assert "complaints.received.cat.pohon" in marked
    assert marked == set(Indicator.objects.filter(source=ci.SOURCE, is_active=True).values_list("code", flat=True))


def test_a_holiday_set_moves_the_deadline_of_the_next_report(located: Story, category: Category) -> None:
    monday = dt.datetime(2026, 7, 6, 9, 0, tzinfo=WITA)
    first = complaint_submit(
        channel=Channel.WEB, category=category, description="x", pemda=located.root, received_at=monday
    )
    holiday_set(actor=None, pemda=located.root, date=dt.date(2026, 7, 7), name="Hari Jadi", kind=HolidayKind.REGIONAL)
    second = complaint_submit(
        channel=Channel.WEB, category=category, description="y", pemda=located.root, received_at=monday
    )
    # Three and five working days: Thursday and next Monday; with Tuesday off, Friday (closing 16:30) and Tuesday.
    assert (first.first_response_due, first.resolution_due) == (
        dt.datetime(2026, 7, 9, 16, 0, tzinfo=WITA),
        dt.datetime(2026, 7, 13, 16, 0, tzinfo=WITA),
    )
    assert (second.first_response_due, second.resolution_due) == (
        dt.datetime(2026, 7, 10, 16, 30, tzinfo=WITA),
        dt.datetime(2026, 7, 14, 16, 0, tzinfo=WITA),
    )


@pytest.mark.django_db(transaction=True)  # the transactions of production: the report's own, no test around it
def test_a_web_report_is_a_fixed_small_number_of_statements(
    client: Client, located: Story, category: Category, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from balai.indicators import services as indicator_services

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}  # as in production
    monkeypatch.setattr(indicator_services, "_pending_wake", None)
    assert client.post(NEW, form_data(category, phone="081200000001")).status_code == 302  # reads the calendar
    with CaptureQueriesContext(connection) as captured:
        assert client.post(NEW, form_data(category, phone="081200000002")).status_code == 302
    sql = [q["sql"] for q in captured.captured_queries]
    # Pemda, limit, category, centroids, holidays (each a stamp: tests trust nothing); the report with its
    # first timeline entry, follower, audit event and dirty marks; after that, whether the indicator worker's
    # wake-up (the first report's) still waits. On PostgreSQL the report is one statement, its own
    # transaction (balai.core.inserts); on SQLite five INSERTs between BEGIN and COMMIT. No savepoint: a
    # tracking code collision leaves nothing written and draws again (bench/intake_profile.py: 15 before).
    assert not any("SAVEPOINT" in s for s in sql)
    if connection.vendor == "postgresql":
        assert len(sql) == 7, "\n".join(sql)
        assert sql[5].startswith("WITH p AS (INSERT INTO") and sql[5].count("INSERT INTO") == 5
    else:
        assert len(sql) == 13, "\n".join(sql)
        assert sum(s.startswith("INSERT") for s in sql) == 5


@pytest.mark.django_db(transaction=True)
def test_with_a_trust_window_a_report_is_the_limit_and_its_own_transaction(
    client: Client, located: Story, category: Category, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """As in production (BALAI_LOCAL_CACHE_SECONDS=1): within the window the Pemda, category, centroids,
    holidays and the pending wake-up are trusted, so a report is the limit's count and its own transaction."""
    from balai.indicators import services as indicator_services

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.BALAI_LOCAL_CACHE_SECONDS = 60
    monkeypatch.setattr(indicator_services, "_pending_wake", None)
    assert client.post(NEW, form_data(category, phone="081200000001")).status_code == 302
    with CaptureQueriesContext(connection) as captured:
        assert client.post(NEW, form_data(category, phone="081200000002")).status_code == 302
    sql = [q["sql"] for q in captured.captured_queries]
    if connection.vendor == "postgresql":
        assert len(sql) == 2, "\n".join(sql)
        assert sql[1].startswith("WITH p AS (INSERT INTO")
    else:
        assert len(sql) == 8, "\n".join(sql)
        assert sql[1].startswith("BEGIN") and sql[-1] == "COMMIT"
        assert sum(s.startswith("INSERT") for s in sql) == 5


def _clock(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    from balai.core import localcache

    now = [1000.0]
    monkeypatch.setattr(localcache, "_clock", lambda: now[0])
    return now


def test_another_process_edit_shows_once_the_trust_window_passed(
    located: Story, category: Category, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Edits that bypass this process (another web worker's, a bulk UPDATE) show within the window."""
    from balai.complaints.selectors import active_category

    settings.BALAI_LOCAL_CACHE_SECONDS = 30
    now = _clock(monkeypatch)
    assert active_category(pk=category.pk) == category
    assert active_category(code="jalan") == category
    Category.objects.filter(pk=category.pk).update(is_active=False, updated_at=dt.datetime(2030, 1, 1, tzinfo=WITA))
    now[0] += 29
    assert active_category(pk=category.pk) == category  # trusted: no read within the window
    now[0] += 2
    assert active_category(pk=category.pk) is None
    assert active_category(code="jalan") is None
    # The same for the kelurahan centroids.
    assert located.komet in geo.villages_located(located.root)
    type(located.komet).objects.filter(pk=located.komet.pk).update(
        is_active=False, updated_at=dt.datetime(2030, 1, 1, tzinfo=WITA)
    )
    assert located.komet in geo.villages_located(located.root)
    now[0] += 31
    assert located.komet not in geo.villages_located(located.root)


def test_this_process_own_edit_shows_at_once_whatever_the_window(
    located: Story, category: Category, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from balai.complaints.catalogue import category_set_active
    from balai.complaints.selectors import active_category
    from balai.org.selectors import pemda_root
    from balai.workdays.selectors import holiday_dates

    settings.BALAI_LOCAL_CACHE_SECONDS = 3600
    _clock(monkeypatch)
    assert active_category(pk=category.pk) == category
    category_set_active(actor=None, category=category, active=False)
    assert active_category(pk=category.pk) is None
    assert located.komet in geo.villages_located(located.root)
    org.orgunit_update(actor=None, unit=located.komet, is_active=False)
    assert located.komet not in geo.villages_located(located.root)
    root = pemda_root()
    assert root is not None
    org.orgunit_update(actor=None, unit=located.root, short_name="Kota BJB")
    assert pemda_root().short_name == "Kota BJB"  # type: ignore[union-attr]
    day = dt.date(2031, 3, 3)
    assert day not in holiday_dates(located.root)
    holiday_set(actor=None, pemda=located.root, date=day, name="Cuti bersama", kind=HolidayKind.CUTI_BERSAMA)
    assert day in holiday_dates(located.root)


def test_the_wake_up_check_is_made_once_per_window(settings: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """Within the window a taken wake-up is not noticed (the scheduler drains every minute); after it, it is."""
    from django_tasks_db.models import DBTaskResult

    from balai.indicators import services as svc

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.BALAI_LOCAL_CACHE_SECONDS = 5
    now = _clock(monkeypatch)
    monkeypatch.setattr(svc, "_pending_wake", None)
    monkeypatch.setattr(svc, "_wake_checks", svc.Throttle())
    queued = DBTaskResult.objects.filter(task_path="balai.indicators.tasks.recompute_dirty")
    svc._wake_drain()
    queued.update(status="SUCCESSFUL")  # a worker drained at once
    with CaptureQueriesContext(connection) as captured:
        svc._wake_drain()
    assert captured.captured_queries == [] and queued.count() == 1
    now[0] += 5
    svc._wake_drain()
    assert queued.filter(status="READY").count() == 1


def _taken_first(monkeypatch: pytest.MonkeyPatch, taken: str) -> list[str]:
    """The first code drawn is one already in use; then the usual draw. Returns the codes drawn."""
    from balai.complaints import services

    real = services.tracking_code_new
    drawn: list[str] = []

    def draw(received_at: dt.datetime) -> str:
        drawn.append(taken if not drawn else real(received_at))
        return drawn[-1]

    monkeypatch.setattr(services, "tracking_code_new", draw)
    return drawn


@pytest.mark.django_db(transaction=True)
def test_a_tracking_code_collision_draws_again_in_the_reports_own_transaction(
    story: Story, category: Category, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = complaint_submit(channel=Channel.OPEN311, category=category, description="Lampu mati", pemda=story.root)
    drawn = _taken_first(monkeypatch, first.tracking_code)
    second = complaint_submit(
        channel=Channel.OPEN311, category=category, description="Jalan berlubang", pemda=story.root, reporter_ref="d1"
    )
    assert len(drawn) == 2 and drawn[0] == first.tracking_code and second.tracking_code == drawn[1]
    assert Complaint.objects.count() == 2
    # The rolled-back attempt left nothing behind: one timeline entry, follower and audit event per report.
    assert second.updates.count() == 1 and list(second.followers.values_list("address", flat=True)) == ["d1"]
    assert first.updates.count() == 1 and first.followers.count() == 0
    from balai.core.models import AuditEvent

    assert AuditEvent.objects.filter(action="complaint.submit").count() == 2


@pytest.mark.django_db(transaction=True)
def test_an_integrity_error_that_is_no_code_collision_is_raised_not_retried(
    story: Story, category: Category, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A category deleted meanwhile: the foreign key fails at the end of the statement (PostgreSQL) or at
    COMMIT (SQLite). Drawing new codes would not help: the error reaches the caller and nothing is written."""
    from django.db import IntegrityError

    gone = Category.objects.create(code="hilang", name_id="Hilang", name_en="Gone")
    Category.objects.filter(pk=gone.pk).delete()
    drawn = _taken_first(monkeypatch, "AD26-XXXXXX")  # counts the draws; that code is free
    with pytest.raises(IntegrityError):
        complaint_submit(channel=Channel.OPEN311, category=gone, description="Lampu mati", pemda=story.root)
    assert len(drawn) == 1 and not Complaint.objects.exists()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the one-statement insert is PostgreSQL's")
def test_the_one_statement_insert_writes_what_save_writes(
    located: Story, category: Category, monkeypatch: pytest.MonkeyPatch
) -> None:
    """balai.core.inserts on PostgreSQL against the save() path SQLite takes: the same rows, field by field."""
    import functools

    from balai.complaints import services
    from balai.core import inserts
    from balai.core.models import AuditEvent
    from balai.indicators.models import DirtyPeriod

    received = dt.datetime(2026, 7, 6, 9, 30, tzinfo=WITA)
    rows = []
    for one_statement in (False, True):
        DirtyPeriod.objects.all().delete()
        monkeypatch.setattr(
            services, "insert_family", functools.partial(inserts.insert_family, one_statement=one_statement)
        )
        complaint = complaint_submit(
            channel=Channel.WHATSAPP,
            category=category,
            description="Banjir setinggi lutut",
            pemda=located.root,
            territory=located.mentaos,
            latitude=MENTAOS[0],
            longitude=MENTAOS[1],
            reporter_name="Siti",
            reporter_phone="081234567890",
            reporter_email="siti@example.id",
            reporter_ref="6281234567890",
            is_anonymous=True,
            attributes={"depth": "50"},
            received_at=received,
        )
        assert complaint.pk is not None and not complaint._state.adding
        skip = {"id", "complaint_id", "tracking_code", "updated_at", "created_at", "object_id", "object_repr"}
        rows.append(
            {
                "complaint": _without(Complaint.objects.filter(pk=complaint.pk).values().get(), skip),
                "updates": [_without(u, skip) for u in complaint.updates.values()],
                "followers": sorted(tuple(_without(f, skip).items()) for f in complaint.followers.values()),
                "audit": [
                    _without(a, skip | {"request_id"})
                    for a in AuditEvent.objects.filter(object_id=str(complaint.pk), action="complaint.submit").values()
                ],
                "dirty": set(DirtyPeriod.objects.values_list("indicator_id", "period")),
            }
        )
        assert complaint.updates.get().complaint_id == complaint.pk
    assert rows[0] == rows[1]
    assert len(rows[1]["followers"]) == 3 and len(rows[1]["audit"]) == 1 and rows[1]["dirty"]


def _without(row: Mapping[str, Any], keys: set[str]) -> dict[str, Any]:
    return {k: v for k, v in row.items() if k not in keys}


def test_a_tracking_code_collision_inside_a_callers_transaction_keeps_the_callers_work(
    story: Story, category: Category, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = complaint_submit(channel=Channel.OPEN311, category=category, description="Lampu mati", pemda=story.root)
    drawn = _taken_first(monkeypatch, first.tracking_code)
    with transaction.atomic():
        before = Category.objects.create(code="air", name_id="Air", name_en="Water")  # the caller's own work
        second = complaint_submit(channel=Channel.WEB, category=category, description="Banjir", pemda=story.root)
    assert len(drawn) == 2 and second.tracking_code == drawn[1] != first.tracking_code
    assert Category.objects.filter(pk=before.pk).exists() and Complaint.objects.count() == 2


@pytest.mark.parametrize(
    ("index_name", "query_condition"),
    [("complaint_incoming", "INCOMING_Q"), ("complaint_open_unit_due", "OPEN_Q"), ("complaint_public", "PUBLIC_Q")],
)
def test_partial_index_conditions(index_name: str, query_condition: str) -> None:
    """The lists state each partial index's condition exactly, values written in: SQLite uses the index only
    then (balai.core.lookups); a unit's "overdue only" list at a million reports took 230 ms instead of 1."""
    from balai.complaints import models

    index = next(i for i in Complaint._meta.indexes if i.name == index_name)
    expected_sql, params = Complaint.objects.filter(index.condition).query.sql_with_params()
    expected = expected_sql % tuple(f"'{p}'" for p in params)
    sql, query_params = Complaint.objects.filter(getattr(models, query_condition)).query.sql_with_params()
    assert query_params == () and sql == expected


def test_literal_in_takes_choice_values_only() -> None:
    with pytest.raises(ValueError, match="choice values"):
        str(Complaint.objects.filter(status__literal_in=["received' OR 1=1 --"]).query)
