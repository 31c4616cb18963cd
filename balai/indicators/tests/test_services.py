"""The spine's other services: registry sync, module recompute (asn.headcount), targets, import rules."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from balai.core.models import AuditEvent
from balai.core.periods import Period, PeriodType
from balai.core.testing import Story
from balai.indicators.models import DirtyPeriod, Fact, FactRollup, Indicator, Target
from balai.indicators.services import (
    ImportSummary,
    dirty_drain,
    facts_import,
    indicators_sync,
    module_facts_recompute,
    target_set,
)
from balai.indicators.tests.conftest import SpineIndicators
from balai.org import services as org

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(in_english: None) -> None:
    """English source strings (see conftest)."""


# ------------------------------------------------------------------------------------ registry
def test_declared_indicators_are_mirrored_after_migrate(db: None) -> None:
    headcount = Indicator.objects.get(code="asn.headcount")
    assert (headcount.aggregation, headcount.period_type, headcount.value_type, headcount.source) == (
        "last",
        "month",
        "integer",
        "org",
    )
    assert Indicator.objects.get(code="attendance.presence_rate").ratio_factor == 100.0


def test_indicators_sync_is_idempotent_and_restores_edits(db: None) -> None:
    assert indicators_sync(actor=None) == 0
    Indicator.objects.filter(code="asn.headcount").update(name_id="Diubah", aggregation="sum")
    assert indicators_sync(actor=None) == 1
    assert Indicator.objects.filter(code="asn.headcount").values_list("name_id", "aggregation").get() == (
        "Jumlah ASN",
        "last",
    )
    assert AuditEvent.objects.filter(action="indicators.sync").latest("id").changes == {"changed": 1}


# ------------------------------------------------------------------------- asn.headcount module
def _month_id() -> str:
    return Period.containing(timezone.localdate(), PeriodType.MONTH).id


def test_module_recompute_counts_active_asn_per_unit(story: Story) -> None:
    org.pegawai_create(actor=None, org_unit=story.mentaos, nip="198001012005011001", name="A")
    org.pegawai_create(actor=None, org_unit=story.mentaos, nip="199002142015032002", name="B")
    komet = org.pegawai_create(actor=None, org_unit=story.komet, nip="198505052010011003", name="C")
    org.pegawai_create(actor=None, org_unit=story.dinkes, nip="198707072012012004", name="D")
    today = timezone.localdate()
    month = _month_id()

    assert module_facts_recompute(start=today, end=today) == 1
    facts = set(
        Fact.objects.filter(indicator__code="asn.headcount").values_list("org_unit__code", "period", "value", "source")
    )
    assert facts == {
        ("63.72.04.1002", month, 2.0, "module:org"),
        ("63.72.04.1003", month, 1.0, "module:org"),
        ("DINKES", month, 1.0, "module:org"),
    }
    dirty_drain()
    rollups = dict(
        FactRollup.objects.filter(indicator__code="asn.headcount", period=month).values_list("org_unit__code", "value")
    )
    assert rollups == {"63.72.04.1002": 2.0, "63.72.04.1003": 1.0, "63.72.04": 3.0, "DINKES": 1.0, "63.72": 4.0}

    # Nothing changed: nothing written, nothing dirty.
    assert module_facts_recompute(start=today, end=today) == 0
    assert not DirtyPeriod.objects.exists()

    # The only Komet ASN leaves: its count drops to 0 (kept, so a "last" roll-up over the quarter does not
    # fall back to an older month), and the roll-ups follow.
    org.pegawai_update(actor=None, pegawai=komet, is_active=False)
    assert module_facts_recompute(start=today, end=today, sources=["org"]) == 1
    assert Fact.objects.get(org_unit=story.komet).value == 0.0
    dirty_drain()
    assert FactRollup.objects.get(indicator__code="asn.headcount", org_unit=story.root, period=month).value == 3.0


def test_module_recompute_of_another_source_does_nothing(story: Story) -> None:
    org.pegawai_create(actor=None, org_unit=story.mentaos, nip="198001012005011001", name="A")
    today = timezone.localdate()
    assert module_facts_recompute(start=today, end=today, sources=["complaints"]) == 0
    assert not Fact.objects.exists()


def test_module_recompute_covers_every_month_in_the_range(story: Story) -> None:
    org.pegawai_create(actor=None, org_unit=story.mentaos, nip="198001012005011001", name="A")
    today = timezone.localdate()
    module_facts_recompute(start=today - dt.timedelta(days=62), end=today)
    periods = sorted(Fact.objects.values_list("period", flat=True))
    # Months that ended before the record existed count nobody; the current month counts one.
    assert periods[-1] == _month_id()
    assert Fact.objects.get(period=_month_id()).value == 1.0


# ------------------------------------------------------------------------------------- targets
def test_target_set_update_and_clear(story: Story, spine: SpineIndicators) -> None:
    target_set(actor=story.skpd_operator, indicator=spine.visits, org_unit=story.diskominfo, period="2026Q1", value=100)
    target_set(actor=story.skpd_operator, indicator=spine.visits, org_unit=story.diskominfo, period="2026Q1", value=120)
    assert Target.objects.get().value == 120.0
    target_set(actor=story.integration, indicator=spine.visits, org_unit=story.mentaos, period="202601", value=5)
    target_set(
        actor=story.skpd_operator, indicator=spine.visits, org_unit=story.diskominfo, period="2026Q1", value=None
    )
    assert list(Target.objects.values_list("org_unit__code", "period", "value")) == [("63.72.04.1002", "202601", 5.0)]
    changes = [e.changes for e in AuditEvent.objects.filter(action="target.set").order_by("id")]
    assert changes[0] == {"period": "2026Q1", "value": {"before": None, "after": 100}}
    assert changes[1] == {"period": "2026Q1", "value": {"before": 100.0, "after": 120}}
    assert changes[3] == {"period": "2026Q1", "value": {"before": 120.0, "after": None}}


def test_target_outside_scope_or_without_right_is_refused(story: Story, spine: SpineIndicators) -> None:
    for actor, unit in ((story.skpd_operator, story.dinkes), (story.camat, story.mentaos), (story.head, story.root)):
        with pytest.raises(PermissionDenied):
            target_set(actor=actor, indicator=spine.visits, org_unit=unit, period="2026", value=1)
    assert not Target.objects.exists()


def test_target_needs_a_period_of_the_indicator_type_or_coarser(story: Story, spine: SpineIndicators) -> None:
    with pytest.raises(ValidationError) as exc:
        target_set(actor=None, indicator=spine.visits, org_unit=story.mentaos, period="20260105", value=1)
    assert exc.value.message_dict == {"period": ["A target needs a period of the indicator's type or coarser."]}
    target_set(actor=None, indicator=spine.weekly_cases, org_unit=story.mentaos, period="202601", value=10)
    assert Target.objects.get().period == "202601"


def test_target_with_a_malformed_period_is_a_validation_error(story: Story, spine: SpineIndicators) -> None:
    # BUG (balai/indicators/services.py target_set): Period.parse raises InvalidPeriod (a ValueError),
    # which a form view that catches ValidationError turns into a 500.
    with pytest.raises(ValidationError):
        target_set(actor=None, indicator=spine.visits, org_unit=story.mentaos, period="2026-13", value=1)


# ------------------------------------------------------------------------------ import service
def test_facts_import_rejects_an_unknown_strategy(story: Story, spine: SpineIndicators) -> None:
    with pytest.raises(ValidationError, match="importStrategy must be one of"):
        facts_import(actor=None, rows=[], strategy="MERGE")


def test_facts_import_needs_the_import_right(story: Story, spine: SpineIndicators) -> None:
    with pytest.raises(PermissionDenied):
        facts_import(actor=story.camat, rows=[])


def test_facts_import_by_the_system_has_no_scope_limit(story: Story, spine: SpineIndicators) -> None:
    summary = facts_import(
        actor=None,
        rows=[{"dataElement": "test.visits", "orgUnit": "DINKES", "period": "202601", "value": 1}],
        channel="csv",
        filename="dinkes.csv",
    )
    assert (summary.imported, summary.status) == (1, "SUCCESS")
    assert Fact.objects.get().source == "csv"


def test_inactive_indicator_and_unit_are_unknown(story: Story, spine: SpineIndicators) -> None:
    Indicator.objects.filter(pk=spine.stock.pk).update(is_active=False)
    org.orgunit_update(actor=None, unit=story.komet, is_active=False)
    summary = facts_import(
        actor=None,
        rows=[
            {"dataElement": "test.stock", "orgUnit": "63.72.04.1002", "period": "202601", "value": 1},
            {"dataElement": "test.visits", "orgUnit": "63.72.04.1003", "period": "202601", "value": 1},
        ],
    )
    assert [c.value for c in summary.conflicts] == [
        "row 0: indicator (dataElement) test.stock does not exist",
        "row 1: org unit 63.72.04.1003 does not exist or is outside your scope",
    ]


@pytest.mark.parametrize(
    ("counts", "conflicts", "status"),
    [
        ({}, 0, "SUCCESS"),
        ({"imported": 2}, 0, "SUCCESS"),
        ({"ignored": 3}, 0, "SUCCESS"),
        ({"imported": 1, "ignored": 1}, 1, "WARNING"),
        ({"ignored": 2}, 2, "ERROR"),
        ({"ignored": 3}, 2, "WARNING"),
        ({"deleted": 1, "ignored": 1}, 1, "WARNING"),
    ],
)
def test_import_summary_status(counts: dict[str, Any], conflicts: int, status: str) -> None:
    from balai.indicators.services import Conflict

    summary = ImportSummary(strategy="CREATE_AND_UPDATE", dry_run=False, **counts)
    summary.conflicts = [Conflict("x", "y", i) for i in range(conflicts)]
    assert summary.status == status


def test_marking_dirty_wakes_the_drain_once_per_transaction(django_capture_on_commit_callbacks: Any) -> None:
    from django.db import transaction

    from balai.indicators import services as svc

    indicator = Indicator.objects.create(code="x.dirty", name_id="x", name_en="x")
    with django_capture_on_commit_callbacks() as callbacks, transaction.atomic():
        for day in ("20260105", "20260106", "20260107"):
            svc.periods_mark_dirty(pairs={(indicator.pk, day)})
    assert [c.__name__ for c in callbacks] == ["_wake_drain"]


def test_a_waiting_wake_up_is_not_enqueued_again(settings: Any) -> None:
    """Under a busy intake one queued drain is enough; once a worker took it, the next commit wakes again."""
    from django_tasks_db.models import DBTaskResult

    from balai.indicators import services as svc

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    svc._pending_wake = None
    queued = DBTaskResult.objects.filter(task_path="balai.indicators.tasks.recompute_dirty")
    svc._wake_drain()
    svc._wake_drain()
    svc._wake_drain()
    assert queued.count() == 1
    queued.update(status="RUNNING")  # a worker took it: it may already have read the dirty table
    svc._wake_drain()
    assert queued.filter(status="READY").count() == 1
    queued.all().delete()  # pruned: the remembered id is unknown, so wake again rather than lose a drain
    svc._wake_drain()
    assert queued.count() == 1
    svc._pending_wake = None


def test_a_mean_of_ratios_indicator_cannot_be_imported(story: Story, spine: SpineIndicators) -> None:
    """Its value is computed from parts only Balai's records carry: an imported bare value could not roll up."""
    Indicator.objects.create(code="x.index", name_id="x", name_en="x", aggregation="mean_of_ratios")
    summary = facts_import(
        actor=None, rows=[{"dataElement": "x.index", "orgUnit": "DINKES", "period": "202601", "value": 80}]
    )
    assert summary.imported == 0 and "cannot be imported" in summary.conflicts[0].value
    assert not Fact.objects.exists()
