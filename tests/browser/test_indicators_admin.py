"""Indicator admin in a real Chromium: the city administrator defines a computed indicator and sets targets."""

from __future__ import annotations

from typing import Any

import pyotp
import pytest
from playwright.sync_api import expect

from tests.browser.conftest import BrowserSession

pytestmark = pytest.mark.browser

MENTAOS, KOMET = "63.72.04.1002", "63.72.04.1003"


@pytest.fixture
def city(transactional_db: None) -> Any:
    """The story city with residents and cases for January 2026 in two kelurahan."""
    from balai.core.testing import build_story
    from balai.indicators.models import Indicator
    from balai.indicators.services import dirty_drain, facts_import

    story = build_story()
    Indicator.objects.create(code="test.cases", name_id="Kasus", name_en="Cases", period_type="day", aggregation="sum")
    Indicator.objects.create(
        code="test.residents",
        name_id="Penduduk",
        name_en="Residents",
        period_type="month",
        aggregation="last",
        value_type="integer",
    )
    rows = [
        {"dataElement": "test.residents", "orgUnit": MENTAOS, "period": "202601", "value": "4000"},
        {"dataElement": "test.residents", "orgUnit": KOMET, "period": "202601", "value": "2000"},
        {"dataElement": "test.cases", "orgUnit": MENTAOS, "period": "20260105", "value": "8"},
        {"dataElement": "test.cases", "orgUnit": KOMET, "period": "20260107", "value": "1"},
    ]
    assert not facts_import(actor=None, rows=rows).conflicts
    dirty_drain()
    return story


def _admin_login(session: BrowserSession) -> None:
    from balai.core.testing import ADMIN_TOTP_SECRET

    session.login("admin")
    session.page.fill("input[name=code]", pyotp.TOTP(ADMIN_TOTP_SECRET).now())
    with session.page.expect_navigation():
        session.page.press("input[name=code]", "Enter")


def test_admin_defines_a_computed_indicator_and_sets_kelurahan_targets(desktop: BrowserSession, city: Any) -> None:
    from balai.indicators.models import FactRollup, Target

    page = desktop.page
    _admin_login(desktop)
    desktop.goto("/indicators/")
    page.click("[data-testid=indicators-manage]")
    page.click("[data-testid=indicator-add]")
    page.fill("input[name=code]", "rates.cases_per_1000")
    page.fill("input[name=name_id]", "Kasus per 1.000 penduduk")
    page.fill("input[name=name_en]", "Cases per 1,000 residents")
    page.select_option("select[name=aggregation]", "computed")
    page.select_option("select[name=period_type]", "month")
    page.fill("input[name=decimals]", "2")
    page.fill("input[name=ratio_factor]", "1000")
    page.select_option("select[name=numerator]", ["test.cases"])
    page.select_option("select[name=denominator]", ["test.residents"])
    with page.expect_navigation():
        page.click("[data-testid=indicator-save]")
    expect(page.locator("[data-testid='manage-row-rates.cases_per_1000']")).to_be_visible()
    desktop.screenshot("manage")
    rollups = dict(
        FactRollup.objects.filter(indicator__code="rates.cases_per_1000", period="202601").values_list(
            "org_unit__code", "value"
        )
    )
    assert rollups[MENTAOS] == 2.0 and rollups["63.72.04"] == 1.5

    desktop.goto("/indicators/test.residents/targets/bulk/?kind=kelurahan&period=2026")
    page.fill(f"input[name='u-{MENTAOS}']", "4100")
    page.fill(f"input[name='u-{KOMET}']", "-5")
    with page.expect_navigation():
        page.click("[data-testid=targets-save]")
    expect(page.locator(f"[data-testid='target-error-{KOMET}']")).to_be_visible()
    assert not Target.objects.exists()
    page.fill(f"input[name='u-{KOMET}']", "2050")
    with page.expect_navigation():
        page.click("[data-testid=targets-save]")
    assert sorted(Target.objects.values_list("org_unit__code", "value")) == [(MENTAOS, 4100.0), (KOMET, 2050.0)]
    desktop.screenshot("targets")
    # The refused page answers 400 (as every refused form does); nothing else may be logged (CSP, scripts).
    assert [e for e in desktop.errors if "status of 400" not in e] == []
