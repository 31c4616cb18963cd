"""The daily digest to the people responsible, and the alerts section of the monthly rakor pack."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core import mail

from balai.alerts.choices import AlertStatus, CheckedPeriod, RuleKind
from balai.alerts.digest import daily_digest
from balai.alerts.models import Alert
from balai.alerts.selectors import AlertLine, alerts_for_pack
from balai.alerts.services import alert_raise, alert_resolve, alerts_evaluate
from balai.alerts.tests.helpers import KOMET, MENTAOS, load, make_indicator, now, rule
from balai.core.periods import Period
from balai.core.testing import Story
from balai.org.models import User
from balai.org.selectors import pemda_zone

pytestmark = pytest.mark.django_db
THURSDAY, SATURDAY = dt.date(2026, 12, 10), dt.date(2026, 12, 12)


@pytest.fixture(autouse=True)
def english(settings: Any) -> None:
    settings.LANGUAGE_CODE = "en"
    settings.BALAI_PUBLIC_URL = "https://balai.banjarbarukota.go.id"


@pytest.fixture
def city(story: Story) -> Story:
    ind = make_indicator("test.overdue", aggregation="last", polarity=-1)
    load([("test.overdue", "202612", MENTAOS, 14), ("test.overdue", "202612", KOMET, 11)])
    rule(
        ind,
        RuleKind.ABOVE_THRESHOLD,
        10,
        story.kec_utara,
        ["kelurahan"],
        checked_period=CheckedPeriod.CURRENT,
        name="Overdue reports",
        severity="warning",
    )
    alerts_evaluate(now=now())
    for username in ("camat_utara", "clerk_mentaos", "clerk_komet"):
        User.objects.filter(username=username).update(email=f"{username}@banjarbarukota.go.id")
    return story


def test_digest_lists_each_owners_open_alerts(city: Story) -> None:
    mentaos = Alert.objects.get(org_unit=city.mentaos)
    komet = Alert.objects.get(org_unit=city.komet)
    assert daily_digest(THURSDAY) == 3
    by_to = {m.to[0]: m for m in mail.outbox}
    assert sorted(by_to) == [
        "camat_utara@banjarbarukota.go.id",
        "clerk_komet@banjarbarukota.go.id",
        "clerk_mentaos@banjarbarukota.go.id",
    ]
    camat = by_to["camat_utara@banjarbarukota.go.id"]
    assert camat.subject == "[Balai] 2 open alerts, 10 December 2026"
    assert camat.body == (
        "You are responsible for 2 open alerts in Balai:\n"
        "\n"
        "- [Warning] Overdue reports — Kelurahan Mentaos (December 2026) (Awaiting action)\n"
        "  December 2026: 14 aduan, above the limit of 10 aduan.\n"
        f"  https://balai.banjarbarukota.go.id/peringatan/{mentaos.pk}/\n"
        "\n"
        "- [Warning] Overdue reports — Kelurahan Komet (December 2026) (Awaiting action)\n"
        "  December 2026: 11 aduan, above the limit of 10 aduan.\n"
        f"  https://balai.banjarbarukota.go.id/peringatan/{komet.pk}/\n"
        "\n"
        "All alerts: https://balai.banjarbarukota.go.id/peringatan/\n"
        "\n"
        "You get this digest because you hold a role responsible for these alerts in Balai.\n"
    )
    clerk = by_to["clerk_komet@banjarbarukota.go.id"]
    assert clerk.subject == "[Balai] 1 open alert, 10 December 2026"
    assert "Kelurahan Mentaos" not in clerk.body
    html = clerk.alternatives[0][0]  # type: ignore[attr-defined]
    assert f'<a href="https://balai.banjarbarukota.go.id/peringatan/{komet.pk}/">' in html


def test_digest_skips_resolved_alerts_and_days_off(city: Story) -> None:
    assert daily_digest(SATURDAY) == 0
    for alert in Alert.objects.all():
        alert_resolve(actor=city.camat, alert=alert, note="Selesai")
    assert daily_digest(THURSDAY) == 0
    assert mail.outbox == []


# ------------------------------------------------------------------------------------------ rakor pack
def test_pack_lists_alerts_open_during_the_month_per_perangkat_daerah(city: Story) -> None:
    zone = pemda_zone()
    system = alert_raise(
        key="connector:1", unit=city.diskominfo, title="Konektor SIMPEG gagal", detail="", link="", severity="critical"
    )
    # Opened in October and resolved on 1 November: it was open during November.
    Alert.objects.filter(pk=system.pk).update(
        opened_at=dt.datetime(2026, 10, 20, 9, tzinfo=zone),
        status=AlertStatus.RESOLVED,
        resolved_at=dt.datetime(2026, 11, 1, 8, tzinfo=zone),
    )
    old = alert_raise(key="connector:2", unit=city.diskominfo, title="Lama", detail="", link="", severity="info")
    Alert.objects.filter(pk=old.pk).update(
        opened_at=dt.datetime(2026, 9, 1, 9, tzinfo=zone),
        status=AlertStatus.RESOLVED,
        resolved_at=dt.datetime(2026, 10, 31, 23, 59, tzinfo=zone),
    )
    november = alerts_for_pack(
        unit_ids=[city.diskominfo.pk, city.dinkes.pk, city.kec_utara.pk], period=Period.parse("202611")
    )
    assert november == {
        city.diskominfo.pk: [
            AlertLine(
                title="Konektor SIMPEG gagal",
                severity="critical",
                status="resolved",
                unit_name="Dinas Komunikasi dan Informatika",
                opened_at=dt.datetime(2026, 10, 20, 1, tzinfo=dt.UTC),
                value=None,
                target=None,
            )
        ],
        city.dinkes.pk: [],
        city.kec_utara.pk: [],  # its alerts were opened in December
    }
    december = alerts_for_pack(unit_ids=[city.kec_utara.pk], period=Period.parse("202612"))
    assert [(a.unit_name, a.value, a.target, a.status) for a in december[city.kec_utara.pk]] == [
        ("Kelurahan Mentaos", 14.0, 10.0, "open"),
        ("Kelurahan Komet", 11.0, 10.0, "open"),
    ]
