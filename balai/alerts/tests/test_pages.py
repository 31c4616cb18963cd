"""Acknowledge and resolve (one wins, the other sees the current state), the scoped list and the alert page."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import translation

from balai.alerts.choices import AlertStatus, CheckedPeriod, EventKind, RuleKind
from balai.alerts.models import Alert
from balai.alerts.services import AlertStateError, alert_acknowledge, alert_raise, alert_resolve, alerts_evaluate
from balai.alerts.tests.helpers import KOMET, MENTAOS, load, make_indicator, now, rule
from balai.core.models import AuditEvent
from balai.core.testing import ScopingContract, Story

pytestmark = pytest.mark.django_db
HOUR = dt.timedelta(hours=1)


@pytest.fixture
def alerts(story: Story) -> dict[str, Alert]:
    """An overdue-reports alert at Mentaos and one at Komet, and a system alert at Diskominfo."""
    ind = make_indicator("test.overdue", aggregation="last", polarity=-1)
    load([("test.overdue", "202612", MENTAOS, 14), ("test.overdue", "202612", KOMET, 11)])
    rule(
        ind,
        RuleKind.ABOVE_THRESHOLD,
        10,
        story.kec_utara,
        ["kelurahan"],
        checked_period=CheckedPeriod.CURRENT,
        name="Aduan lewat tenggat",
    )
    alerts_evaluate(now=now())
    kominfo = alert_raise(
        key="connector:1", unit=story.diskominfo, title="Konektor gagal", detail="3x", link="", severity="critical"
    )
    return {
        "mentaos": Alert.objects.get(org_unit=story.mentaos),
        "komet": Alert.objects.get(org_unit=story.komet),
        "kominfo": kominfo,
    }


class TestScoping(ScopingContract):
    @pytest.fixture(autouse=True)
    def _alerts(self, alerts: dict[str, Alert]) -> None:
        self.alerts = alerts

    def mentaos_urls(self, story: Story) -> list[str]:
        return [reverse("alerts:detail", args=[self.alerts["mentaos"].pk])]


# ------------------------------------------------------------------------------------------ actions
def test_acknowledge_then_resolve_with_history_and_audit(story: Story, alerts: dict[str, Alert]) -> None:
    alert = alerts["mentaos"]
    alert_acknowledge(actor=story.mentaos_clerk, alert=alert, note="Sedang dicek", now=now() + HOUR)
    alert_resolve(actor=story.camat, alert=alert, note="Petugas dikerahkan, 4 aduan selesai", now=now() + 2 * HOUR)
    alert.refresh_from_db()
    assert (alert.status, alert.acknowledged_by, alert.resolved_by, alert.resolution_note) == (
        AlertStatus.RESOLVED,
        story.mentaos_clerk,
        story.camat,
        "Petugas dikerahkan, 4 aduan selesai",
    )
    assert [(e.kind, e.actor, e.note) for e in alert.events.all()] == [
        (EventKind.OPENED, None, alert.events.first().note),  # type: ignore[union-attr]
        (EventKind.ACKNOWLEDGED, story.mentaos_clerk, "Sedang dicek"),
        (EventKind.RESOLVED, story.camat, "Petugas dikerahkan, 4 aduan selesai"),
    ]
    assert list(
        AuditEvent.objects.filter(object_id=str(alert.pk), action__startswith="alert.").values_list("action", flat=True)
    ) == ["alert.resolve", "alert.acknowledge", "alert.open"]


def test_the_second_of_two_concurrent_actions_sees_the_current_state(story: Story, alerts: dict[str, Alert]) -> None:
    alert = alerts["mentaos"]
    stale = Alert.objects.get(pk=alert.pk)  # what the second person's page showed: open
    alert_resolve(actor=story.mentaos_clerk, alert=alert, note="Selesai")
    with translation.override("en"), pytest.raises(AlertStateError) as exc:
        alert_acknowledge(actor=story.camat, alert=stale, note="")
    assert exc.value.message == "This alert was already resolved by Clerk Mentaos."
    assert exc.value.alert.status == AlertStatus.RESOLVED
    with pytest.raises(AlertStateError):
        alert_resolve(actor=story.camat, alert=stale, note="Juga selesai")
    assert Alert.objects.get(pk=alert.pk).resolution_note == "Selesai"


def test_resolving_needs_a_note_and_the_right_person(story: Story, alerts: dict[str, Alert]) -> None:
    alert = alerts["mentaos"]
    with pytest.raises(ValidationError):
        alert_resolve(actor=story.mentaos_clerk, alert=alert, note="  ")
    for outsider in (story.auditor, story.komet_clerk, story.skpd_operator):
        with pytest.raises(PermissionDenied):
            alert_acknowledge(actor=outsider, alert=alert, note="")
    alert.refresh_from_db()
    assert alert.status == AlertStatus.OPEN


# --------------------------------------------------------------------------------------------- pages
def listed(client: Any, **params: str) -> list[str]:
    response = client.get(reverse("alerts:list"), params)
    assert response.status_code == 200
    return [a.org_unit.code for a in response.context["page"]]


def test_head_of_region_sees_every_alert_most_severe_first(client: Any, story: Story, alerts: dict[str, Alert]) -> None:
    client.force_login(story.head)
    assert listed(client) == ["DISKOMINFO", MENTAOS, KOMET]


def test_skpd_operator_sees_only_their_unit(client: Any, story: Story, alerts: dict[str, Alert]) -> None:
    client.force_login(story.skpd_operator)
    assert listed(client) == ["DISKOMINFO"]
    assert client.get(reverse("alerts:detail", args=[alerts["mentaos"].pk])).status_code == 404
    assert client.get(reverse("alerts:detail", args=[alerts["kominfo"].pk])).status_code == 200


def test_camat_sees_their_kelurahan_and_filters(client: Any, story: Story, alerts: dict[str, Alert]) -> None:
    client.force_login(story.camat)
    assert listed(client) == [MENTAOS, KOMET]
    assert listed(client, unit=KOMET) == [KOMET]
    assert listed(client, severity="critical") == []
    alert_resolve(actor=story.camat, alert=alerts["komet"], note="Beres")
    assert listed(client) == [MENTAOS]
    assert listed(client, status="resolved") == [KOMET]
    assert client.get(reverse("alerts:list"), {"unit": "DISKOMINFO"}).status_code == 404


def test_head_of_region_acknowledges_on_the_page(client: Any, story: Story, alerts: dict[str, Alert]) -> None:
    alert = alerts["mentaos"]
    client.force_login(story.head)
    page = client.get(reverse("alerts:detail", args=[alert.pk]))
    html = page.content.decode()
    assert f'href="/dasbor/{MENTAOS}/test.overdue/?period=202612"' in html
    assert "Camat Utara, Clerk Mentaos" in html
    response = client.post(reverse("alerts:acknowledge", args=[alert.pk]), {"note": "Tolong segera"}, follow=True)
    assert response.status_code == 200
    alert.refresh_from_db()
    assert (alert.status, alert.acknowledged_by) == (AlertStatus.ACKNOWLEDGED, story.head)
    assert "Tolong segera" in response.content.decode()


def test_acting_on_a_resolved_alert_answers_409_with_the_current_state(
    client: Any, story: Story, alerts: dict[str, Alert]
) -> None:
    alert = alerts["mentaos"]
    alert_resolve(actor=story.mentaos_clerk, alert=alert, note="Selesai")
    client.force_login(story.camat)
    response = client.post(reverse("alerts:resolve", args=[alert.pk]), {"note": "Saya juga"})
    assert response.status_code == 409
    assert response.context["alert"].status == AlertStatus.RESOLVED
    assert Alert.objects.get(pk=alert.pk).resolution_note == "Selesai"


def test_resolve_without_a_note_is_refused_on_the_page(client: Any, story: Story, alerts: dict[str, Alert]) -> None:
    client.force_login(story.mentaos_clerk)
    response = client.post(reverse("alerts:resolve", args=[alerts["mentaos"].pk]), {"note": ""})
    assert response.status_code == 400
    assert Alert.objects.get(pk=alerts["mentaos"].pk).status == AlertStatus.OPEN


def test_auditor_sees_but_has_no_action_forms(client: Any, story: Story, alerts: dict[str, Alert]) -> None:
    client.force_login(story.auditor)
    html = client.get(reverse("alerts:detail", args=[alerts["mentaos"].pk])).content.decode()
    assert 'data-testid="acknowledge-form"' not in html
    assert client.post(reverse("alerts:acknowledge", args=[alerts["mentaos"].pk]), {"note": ""}).status_code == 403


def test_list_query_count_is_pinned(
    client: Any, story: Story, alerts: dict[str, Alert], django_assert_num_queries: Any
) -> None:
    client.force_login(story.head)
    client.get(reverse("alerts:list"))  # warm the session and the Pemda caches
    # session, user, role assignments, the filter's units, the bounded count, the page
    with django_assert_num_queries(6):
        client.get(reverse("alerts:list"))
