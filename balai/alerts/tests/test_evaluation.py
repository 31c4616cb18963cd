"""Each rule kind with exact values, idempotent evaluation, auto-resolve and reopening."""

from __future__ import annotations

from typing import Any

import pytest

from balai.alerts.choices import AlertStatus, CheckedPeriod, EventKind, RuleKind
from balai.alerts.conditions import judge
from balai.alerts.models import Alert
from balai.alerts.services import alert_resolve, alerts_evaluate
from balai.alerts.tests.helpers import KOMET, MENTAOS, UTARA, load, make_indicator, now, rule
from balai.core.models import AuditEvent
from balai.core.testing import Story
from balai.indicators.models import Target

pytestmark = pytest.mark.django_db
UP, DOWN, NEUTRAL = 1, -1, 0
LOKTABAT_UTARA, SUNGAI_ULIN = "63.72.04.1001", "63.72.04.1004"


@pytest.fixture(autouse=True)
def english(settings: Any) -> None:
    """Alert texts are stored in the Pemda's language; English keeps these exact texts independent of the .po."""
    settings.LANGUAGE_CODE = "en"


# ---------------------------------------------------------------------------------- pure judgements
@pytest.mark.parametrize(
    ("polarity", "threshold", "value", "target", "holds"),
    [
        (UP, 100, 80, 100, True),  # 80 % achieved
        (UP, 100, 100, 100, False),  # exactly on target
        (UP, 80, 80, 100, False),  # 80 % is not under 80 %
        (UP, 80, 79.9, 100, True),
        (DOWN, 100, 12, 10, True),  # lower is better: 10 / 12 = 83.3 %
        (DOWN, 100, 8, 10, False),  # beat a lower-is-better target: 125 %
        (DOWN, 100, 0, 10, False),  # zero of a lower-is-better figure beats any target
        (UP, 100, 0, 50, True),  # zero against a positive target: 0 %
        (UP, 100, 5, 0, False),  # a target of 0 cannot be missed
        (UP, 100, 50, None, False),  # no target, no judgement
    ],
)
def test_below_target(polarity: int, threshold: float, value: float, target: float, holds: bool) -> None:
    result = judge(
        kind=RuleKind.BELOW_TARGET, polarity=polarity, threshold=threshold, value=value, target=target, previous=None
    )
    assert result == (holds, target)


def test_below_target_without_a_value_is_no_judgement() -> None:
    # A missing figure is the "no data" rule's business.
    assert judge(kind=RuleKind.BELOW_TARGET, polarity=UP, threshold=100, value=None, target=50, previous=None) == (
        False,
        None,
    )


@pytest.mark.parametrize(
    ("polarity", "value", "previous", "holds"),
    [
        (UP, 90, 100, True),  # fell exactly 10 %
        (UP, 91, 100, False),  # fell 9 %
        (UP, 120, 100, False),  # rose: better
        (DOWN, 110, 100, True),  # backlog rose exactly 10 %
        (DOWN, 90, 100, False),  # backlog fell: better
        (UP, 0, 100, True),  # fell to zero: 100 %
        (UP, 5, 0, False),  # from zero there is no percentage
        (DOWN, 5, 0, False),
        (UP, 90, None, False),  # no previous period
    ],
)
def test_worse_than_previous_by_ten_percent(polarity: int, value: float, previous: float | None, holds: bool) -> None:
    result = judge(
        kind=RuleKind.WORSE_THAN_PREVIOUS, polarity=polarity, threshold=10, value=value, target=None, previous=previous
    )
    assert result == (holds, previous)


def test_thresholds_and_no_data() -> None:
    def j(kind: str, value: float | None) -> tuple[bool, float | None]:
        return judge(kind=kind, polarity=DOWN, threshold=10, value=value, target=None, previous=None)

    assert j(RuleKind.ABOVE_THRESHOLD, 11) == (True, 10)
    assert j(RuleKind.ABOVE_THRESHOLD, 10) == (False, 10)
    assert j(RuleKind.ABOVE_THRESHOLD, 0) == (False, 10)
    assert j(RuleKind.BELOW_THRESHOLD, 9.5) == (True, 10)
    assert j(RuleKind.BELOW_THRESHOLD, 10) == (False, 10)
    assert j(RuleKind.ABOVE_THRESHOLD, None) == (False, None)
    assert j(RuleKind.NO_DATA, None) == (True, None)
    assert j(RuleKind.NO_DATA, 0) == (False, None)  # a reported zero is data


# ------------------------------------------------------------------------------ evaluation on Facts
def test_below_target_opens_one_alert_per_unit_with_owner_link_and_values(story: Story) -> None:
    ind = make_indicator("test.ontime", aggregation="average", value_type="percentage", unit="%", decimals=1)
    load([("test.ontime", "202611", MENTAOS, 72.5), ("test.ontime", "202611", KOMET, 95)])
    for unit in (story.mentaos, story.komet):
        Target.objects.create(indicator=ind, org_unit=unit, period="202611", value=90)
    r = rule(ind, RuleKind.BELOW_TARGET, 100, story.kec_utara, ["kelurahan"], name="Tepat waktu di bawah target")
    summary = alerts_evaluate(now=now())
    assert (summary.opened, summary.resolved) == (1, 0)
    alert = Alert.objects.get()
    assert (alert.rule, alert.org_unit, alert.period, alert.value, alert.target) == (
        r,
        story.mentaos,
        "202611",
        72.5,
        90.0,
    )
    assert alert.title == "Tepat waktu di bawah target — Kelurahan Mentaos (November 2026)"
    assert alert.link == f"/dasbor/{MENTAOS}/test.ontime/?period=202611"
    assert alert.detail == (
        "November 2026: 72.5 % against a target of 90.0 %, 80.6% achieved (the rule alerts under 100%)."
    )
    # The kelurahan's operator and the camat above it own it; the Komet clerk and the head of region do not.
    assert sorted(u.username for u in alert.owners.all()) == ["camat_utara", "clerk_mentaos"]
    assert AuditEvent.objects.filter(action="alert.open").count() == 1


def test_evaluation_is_idempotent(story: Story) -> None:
    ind = make_indicator("test.overdue", aggregation="last", polarity=-1)
    load([("test.overdue", "202612", MENTAOS, 14), ("test.overdue", "202612", KOMET, 3)])
    rule(ind, RuleKind.ABOVE_THRESHOLD, 10, story.kec_utara, ["kelurahan"], checked_period=CheckedPeriod.CURRENT)
    first = alerts_evaluate(now=now())
    second = alerts_evaluate(now=now())
    assert (first.opened, second.opened, second.updated, second.resolved) == (1, 0, 0, 0)
    assert Alert.objects.count() == 1
    assert Alert.objects.get().events.count() == 1


def test_condition_cleared_resolves_by_system_with_note_and_reopens_when_it_returns(story: Story) -> None:
    ind = make_indicator("test.overdue", aggregation="last", polarity=-1)
    load([("test.overdue", "202612", MENTAOS, 14)])
    rule(ind, RuleKind.ABOVE_THRESHOLD, 10, story.mentaos, checked_period=CheckedPeriod.CURRENT)
    alerts_evaluate(now=now())
    load([("test.overdue", "202612", MENTAOS, 6)])
    summary = alerts_evaluate(now=now())
    alert = Alert.objects.get()
    assert (summary.resolved, alert.status, alert.resolved_by_system) == (1, AlertStatus.RESOLVED, True)
    assert alert.resolution_note == "The condition no longer holds (value 6 aduan)."
    load([("test.overdue", "202612", MENTAOS, 12)])
    summary = alerts_evaluate(now=now())
    alert.refresh_from_db()
    assert (summary.reopened, alert.status, alert.value) == (1, AlertStatus.OPEN, 12.0)
    assert [e.kind for e in alert.events.all()] == [EventKind.OPENED, EventKind.AUTO_RESOLVED, EventKind.REOPENED]


def test_an_alert_a_person_resolved_stays_resolved(story: Story) -> None:
    ind = make_indicator("test.overdue", aggregation="last", polarity=-1)
    load([("test.overdue", "202612", MENTAOS, 14)])
    rule(ind, RuleKind.ABOVE_THRESHOLD, 10, story.mentaos, checked_period=CheckedPeriod.CURRENT)
    alerts_evaluate(now=now())
    alert_resolve(actor=story.mentaos_clerk, alert=Alert.objects.get(), note="Petugas lapangan dikerahkan")
    summary = alerts_evaluate(now=now())
    assert (summary.opened, summary.reopened) == (0, 0)
    assert Alert.objects.get().status == AlertStatus.RESOLVED


def test_worse_than_previous_reads_the_previous_period(story: Story) -> None:
    ind = make_indicator("test.resolved")
    load(
        [
            ("test.resolved", "202610", MENTAOS, 50),
            ("test.resolved", "202611", MENTAOS, 40),  # -20 %
            ("test.resolved", "202610", KOMET, 50),
            ("test.resolved", "202611", KOMET, 48),  # -4 %
            ("test.resolved", "202611", LOKTABAT_UTARA, 30),  # Loktabat Utara: no October, no judgement
        ]
    )
    rule(ind, RuleKind.WORSE_THAN_PREVIOUS, 15, story.kec_utara, ["kelurahan"])
    alerts_evaluate(now=now())
    alert = Alert.objects.get()
    assert (alert.org_unit, alert.value, alert.target) == (story.mentaos, 40.0, 50.0)
    assert alert.detail == (
        "November 2026: 40 aduan against 50 aduan in October 2026, 20.0% worse (the rule alerts at 15%)."
    )


def test_no_data_alerts_every_kelurahan_without_a_figure(story: Story) -> None:
    ind = make_indicator("test.population", aggregation="last")
    load([("test.population", "202611", MENTAOS, 0), ("test.population", "202611", KOMET, 5000)])
    rule(ind, RuleKind.NO_DATA, None, story.kec_utara, ["kelurahan"])
    alerts_evaluate(now=now())
    names = sorted(Alert.objects.values_list("org_unit__code", flat=True))
    # Mentaos reported 0, which is a figure; Loktabat Utara and Sungai Ulin reported nothing.
    assert names == [LOKTABAT_UTARA, SUNGAI_ULIN]
    assert {a.value for a in Alert.objects.all()} == {None}
    assert Alert.objects.get(org_unit__code=SUNGAI_ULIN).detail == "No figure was reported for November 2026."
    # Late data for Sungai Ulin: its alert resolves, Loktabat Utara's stays.
    load([("test.population", "202611", SUNGAI_ULIN, 7000)])
    alerts_evaluate(now=now())
    assert list(Alert.objects.open().values_list("org_unit__code", flat=True)) == [LOKTABAT_UTARA]


def test_checked_scope_itself_uses_the_rollup(story: Story) -> None:
    ind = make_indicator("test.overdue", aggregation="sum", polarity=-1)
    load([("test.overdue", "202611", MENTAOS, 6), ("test.overdue", "202611", KOMET, 6)])
    rule(ind, RuleKind.ABOVE_THRESHOLD, 10, story.kec_utara)
    alerts_evaluate(now=now())
    alert = Alert.objects.get()
    assert (alert.org_unit.code, alert.value, alert.target) == (UTARA, 12.0, 10.0)
    assert [u.username for u in alert.owners.all()] == ["camat_utara"]


def test_inactive_indicator_stops_the_rule_and_closes_its_alerts_saying_why(story: Story) -> None:
    ind = make_indicator("test.overdue", aggregation="last", polarity=-1)
    load([("test.overdue", "202612", MENTAOS, 14)])
    r = rule(ind, RuleKind.ABOVE_THRESHOLD, 10, story.mentaos, checked_period=CheckedPeriod.CURRENT)
    alerts_evaluate(now=now())
    ind.is_active = False
    ind.save()
    r.refresh_from_db()
    assert r.stopped_reason == "Stopped: indicator test.overdue is inactive."
    summary = alerts_evaluate(now=now())
    assert summary.stopped == [r.pk]
    alert = Alert.objects.get()
    assert alert.status == AlertStatus.RESOLVED
    assert "test.overdue" in alert.resolution_note


def test_deleted_indicator_keeps_the_rule_stopped(story: Story) -> None:
    ind = make_indicator("test.gone")
    r = rule(ind, RuleKind.ABOVE_THRESHOLD, 10, story.mentaos)
    ind.delete()
    r.refresh_from_db()
    assert r.indicator is None
    assert r.stopped_reason == "Stopped: its indicator was deleted."
    assert alerts_evaluate(now=now()).stopped == [r.pk]


def test_a_concurrent_evaluation_cannot_open_the_same_alert_twice(story: Story) -> None:
    from balai.alerts import conditions
    from balai.alerts.services import _open

    ind = make_indicator("test.overdue", aggregation="last", polarity=-1)
    load([("test.overdue", "202612", MENTAOS, 14)])
    r = rule(ind, RuleKind.ABOVE_THRESHOLD, 10, story.mentaos, checked_period=CheckedPeriod.CURRENT)
    period = conditions.checked_period(r, now().date())
    judgement = conditions.findings(r, period, [story.mentaos])[story.mentaos.pk]
    # Two workers that both read "no alert yet" and both try to open it: the unique constraint lets one win.
    assert _open(r, story.mentaos, period, judgement, [], now()) is True
    assert _open(r, story.mentaos, period, judgement, [], now()) is False
    assert Alert.objects.count() == 1
    assert AuditEvent.objects.filter(action="alert.open").count() == 1


def test_deactivated_rule_and_narrowed_scope_close_their_alerts_with_the_reason(story: Story) -> None:
    from balai.alerts.services import alert_rule_set_active, alert_rule_update

    ind = make_indicator("test.overdue", aggregation="last", polarity=-1)
    load([("test.overdue", "202612", MENTAOS, 14), ("test.overdue", "202612", UTARA, 0)])
    r = rule(ind, RuleKind.ABOVE_THRESHOLD, 10, story.kec_utara, ["kelurahan"], checked_period=CheckedPeriod.CURRENT)
    alerts_evaluate(now=now())
    data = {f: getattr(r, f) for f in ("name", "indicator", "kind", "threshold", "scope_unit", "period_type")}
    data.update(checked_kinds=["self"], checked_period=r.checked_period, severity=r.severity, owner_roles=r.owner_roles)
    alert_rule_update(actor=story.admin, rule=r, **data)
    alerts_evaluate(now=now())
    alert = Alert.objects.get(org_unit=story.mentaos)
    assert (alert.status, alert.resolution_note) == (AlertStatus.RESOLVED, "The rule no longer checks this unit.")
    # The kecamatan itself is now checked: its roll-up is 14 (Mentaos 14 + its own 0).
    assert Alert.objects.open().get().org_unit == story.kec_utara

    data["checked_kinds"] = ["kelurahan"]
    alert_rule_update(actor=story.admin, rule=r, **data)
    load([("test.overdue", "202612", KOMET, 20)])
    alerts_evaluate(now=now())
    # Mentaos reopened (the system had closed it), Komet opened, the kecamatan no longer checked.
    assert sorted(Alert.objects.open().values_list("org_unit__code", flat=True)) == [MENTAOS, KOMET]
    alert_rule_set_active(actor=story.admin, rule=r, active=False)
    summary = alerts_evaluate(now=now())
    assert (summary.stopped, summary.resolved) == ([r.pk], 2)
    notes = dict(Alert.objects.values_list("org_unit__code", "resolution_note"))
    assert notes == {
        MENTAOS: "The rule stopped: Deactivated.",
        KOMET: "The rule stopped: Deactivated.",
        UTARA: "The rule no longer checks this unit.",
    }
