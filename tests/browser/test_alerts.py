"""Alerts in a real Chromium: the head of region opens the alerts page, opens an alert and acknowledges it."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import BrowserSession

pytestmark = pytest.mark.browser


@pytest.fixture
def alerting_city(transactional_db: None) -> Any:
    """The story with Mentaos over the limit of open overdue reports this month, and its alert evaluated."""
    from django.utils import timezone

    from balai.alerts.choices import CheckedPeriod, RuleKind
    from balai.alerts.services import alert_rule_create, alerts_evaluate
    from balai.core.periods import Period, PeriodType
    from balai.core.testing import build_story
    from balai.indicators.models import Indicator
    from balai.indicators.services import dirty_drain, facts_import
    from balai.org.selectors import pemda_zone

    story = build_story()
    ind = Indicator.objects.create(
        code="test.overdue_open",
        name_id="Aduan terbuka lewat tenggat",
        name_en="Open reports past their deadline",
        period_type="month",
        aggregation="last",
        value_type="integer",
        polarity=-1,
        unit="aduan",
    )
    month = Period.containing(timezone.now().astimezone(pemda_zone()).date(), PeriodType.MONTH)
    facts_import(
        actor=None, rows=[{"dataElement": ind.code, "period": month.id, "orgUnit": "63.72.04.1002", "value": "14"}]
    )
    dirty_drain()
    alert_rule_create(
        actor=None,
        name="Aduan lewat tenggat lebih dari 10",
        indicator=ind,
        kind=RuleKind.ABOVE_THRESHOLD,
        threshold=10,
        scope_unit=story.kec_utara,
        checked_kinds=["kelurahan"],
        period_type="month",
        checked_period=CheckedPeriod.CURRENT,
        severity="critical",
        owner_roles=["kelurahan_operator", "camat"],
    )
    assert alerts_evaluate().opened == 1
    return story


def test_head_of_region_opens_an_alert_and_acknowledges_it(desktop: BrowserSession, alerting_city: Any) -> None:
    from django.utils import translation

    from balai.alerts.choices import AlertStatus
    from balai.alerts.models import Alert

    with translation.override("id"):  # the browser asks for Indonesian
        acknowledged = str(AlertStatus.ACKNOWLEDGED.label)
    page = desktop.page
    desktop.login("walikota")
    page.click("[data-testid=nav-alerts]")
    expect(page.locator("[data-testid=alert-row]")).to_have_count(1)
    row = page.locator("[data-testid=alert-row]").first
    expect(row).to_contain_text("Aduan lewat tenggat lebih dari 10 — Kelurahan Mentaos")
    desktop.screenshot("list")

    with page.expect_navigation():
        row.locator("[data-testid=alert-link]").click()
    expect(page.locator("[data-testid=alert-unit]")).to_have_text("Kelurahan Mentaos")
    expect(page.locator("[data-testid=alert-owners]")).to_contain_text("Clerk Mentaos")
    expect(page.locator("[data-testid=alert-dashboard-link]")).to_have_attribute(
        "href", f"/dasbor/63.72.04.1002/test.overdue_open/?period={Alert.objects.get().period}"
    )
    page.fill("[data-testid=acknowledge-form] textarea[name=note]", "Camat, mohon ditindaklanjuti minggu ini")
    with page.expect_navigation():
        page.click("[data-testid=acknowledge]")
    expect(page.locator("[data-testid=alert-status]")).to_have_text(acknowledged)
    expect(page.locator("[data-testid=acknowledge-form]")).to_have_count(0)
    expect(page.locator("[data-testid=alert-event-note]").last).to_have_text("Camat, mohon ditindaklanjuti minggu ini")
    desktop.screenshot("acknowledged")

    alert = Alert.objects.get()
    assert (alert.status, alert.acknowledged_by.username) == ("acknowledged", "walikota")  # type: ignore[union-attr]
    assert desktop.errors == [], "console errors or CSP violations:\n" + "\n".join(desktop.errors)
