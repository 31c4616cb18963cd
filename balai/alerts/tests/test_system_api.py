"""The system alerts API other modules call (a connector failing N times in a row)."""

from __future__ import annotations

import pytest

from balai.alerts.choices import AlertStatus, EventKind
from balai.alerts.models import Alert
from balai.alerts.services import alert_clear, alert_raise
from balai.core.models import AuditEvent
from balai.core.testing import Story

pytestmark = pytest.mark.django_db


def raise_connector(story: Story, detail: str = "3 pulls failed: timeout", severity: str = "warning") -> Alert:
    return alert_raise(
        key="connector:7",
        unit=story.diskominfo,
        title="Connector SIMPEG failing",
        detail=detail,
        link="/indicators/connectors/7/",
        severity=severity,
    )


def test_raise_opens_one_alert_with_owners_and_audit(story: Story) -> None:
    alert = raise_connector(story)
    assert (alert.status, alert.org_unit, alert.title, alert.link) == (
        AlertStatus.OPEN,
        story.diskominfo,
        "Connector SIMPEG failing",
        "/indicators/connectors/7/",
    )
    assert alert.rule is None
    assert [u.username for u in alert.owners.all()] == ["operator_kominfo"]
    assert [e.kind for e in alert.events.all()] == [EventKind.OPENED]
    assert AuditEvent.objects.filter(action="alert.raise", object_id=str(alert.pk)).count() == 1


def test_raise_again_while_open_updates_the_same_alert(story: Story) -> None:
    first = raise_connector(story)
    second = raise_connector(story, detail="4 pulls failed: HTTP 500", severity="critical")
    assert second.pk == first.pk
    assert Alert.objects.count() == 1
    first.refresh_from_db()
    assert (first.detail, first.severity) == ("4 pulls failed: HTTP 500", "critical")


def test_clear_resolves_and_the_next_raise_opens_a_new_alert(story: Story) -> None:
    first = raise_connector(story)
    cleared = alert_clear(key="connector:7", note="Pull succeeded again")
    assert cleared is not None
    assert (cleared.pk, cleared.status, cleared.resolved_by_system, cleared.resolution_note) == (
        first.pk,
        AlertStatus.RESOLVED,
        True,
        "Pull succeeded again",
    )
    assert alert_clear(key="connector:7", note="again") is None
    again = raise_connector(story)
    assert again.pk != first.pk
    assert Alert.objects.filter(key="connector:7").count() == 2


def test_raise_refuses_an_unknown_severity_and_empty_key(story: Story) -> None:
    with pytest.raises(ValueError, match="severity"):
        raise_connector(story, severity="urgent")
    with pytest.raises(ValueError, match="key"):
        alert_raise(key=" ", unit=story.root, title="t", detail="d", link="", severity="info")
    assert Alert.objects.count() == 0


def test_a_concurrent_raise_finds_the_alert_the_other_process_opened(
    story: Story, monkeypatch: pytest.MonkeyPatch
) -> None:
    from balai.alerts import services
    from balai.alerts.models import AlertQuerySet

    first = raise_connector(story)
    real_first = AlertQuerySet.first
    calls = {"n": 0}

    def stale_first(self: AlertQuerySet) -> Alert | None:
        # The first look happens before the other process committed: it sees nothing.
        calls["n"] += 1
        return None if calls["n"] == 1 else real_first(self)

    monkeypatch.setattr(AlertQuerySet, "first", stale_first)
    again = services.alert_raise(
        key="connector:7", unit=story.diskominfo, title="t", detail="5 pulls failed", link="", severity="warning"
    )
    assert again.pk == first.pk
    assert Alert.objects.count() == 1
    assert Alert.objects.get().detail == "5 pulls failed"


def test_a_system_alert_on_a_unit_nobody_holds_goes_to_the_pemda_administrators(story: Story) -> None:
    from balai.org.models import RoleAssignment

    RoleAssignment.objects.filter(org_unit=story.diskominfo).delete()
    alert = raise_connector(story)
    assert [u.username for u in alert.owners.all()] == [story.admin.username]
