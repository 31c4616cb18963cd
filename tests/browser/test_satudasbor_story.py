"""Issue 5's story in one Chromium session: the head of region opens the overview, clicks a kecamatan on the map,
drills to a kelurahan, opens an alert, and downloads the month's rakor pack, which carries that alert."""

from __future__ import annotations

import datetime as dt
import io
import re
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import BrowserSession

pytestmark = pytest.mark.browser

ALERT_TITLE = "Data absensi Diskominfo belum masuk 3 hari"


@pytest.fixture
def meeting_city(alive_city: Any) -> Any:
    """The living city placed on the map, the head of region's tiles chosen, and an alert on Diskominfo opened
    in the middle of last month (so it belongs to last month's pack)."""
    from balai.alerts.models import Alert
    from balai.alerts.services import alert_raise
    from balai.core.periods import Period, PeriodType
    from balai.dashboard.demo import kecamatan_load
    from balai.dashboard.services import TileSpec, overview_layout_set
    from balai.indicators.models import FactRollup, Indicator
    from balai.org.roles import Role
    from balai.org.selectors import pemda_zone

    kecamatan_load(alive_city.root)
    with_data = FactRollup.objects.filter(org_unit=alive_city.root).values("indicator_id")
    codes = list(
        Indicator.objects.filter(pk__in=with_data, is_active=True)
        .order_by("sort_order", "code")
        .values_list("code", flat=True)
    )
    overview_layout_set(actor=None, role=Role.HEAD_OF_REGION, tiles=[TileSpec(c) for c in codes[:4]])
    month = Period.containing(dt.datetime.now(pemda_zone()).date(), PeriodType.MONTH).previous()
    alert = alert_raise(
        key="story:absensi",
        unit=alive_city.diskominfo,
        title=ALERT_TITLE,
        detail="Konektor absensi BKPSDM gagal menarik data.",
        link="/dasbor/",
        severity="warning",
    )
    opened = dt.datetime.combine(month.start + dt.timedelta(days=9), dt.time(9, 0), tzinfo=pemda_zone())
    Alert.objects.filter(pk=alert.pk).update(opened_at=opened)
    alive_city.month = month.id
    alive_city.alert_id = alert.pk
    return alive_city


def test_head_of_region_from_the_map_to_the_rakor_pack(desktop: BrowserSession, meeting_city: Any) -> None:
    from pypdf import PdfReader

    page = desktop.page
    desktop.login("walikota")
    expect(page.locator("[data-testid=kpi-card]")).to_have_count(4)
    expect(page.locator("#overview-map[data-map-ready=true]")).to_be_visible()

    with page.expect_navigation():
        page.locator("#overview-map path.map-unit-63-72-04").click()
    expect(page.locator("h1.page-title")).to_have_text("Kecamatan Banjarbaru Utara")
    with page.expect_navigation():
        page.locator(
            "[data-testid=children-territories] [data-testid=drilldown-row][data-unit='63.72.04.1002'] a"
        ).click()
    expect(page.locator("h1.page-title")).to_have_text("Kelurahan Mentaos")

    with page.expect_navigation():
        page.click("[data-testid=nav-alerts]")
    with page.expect_navigation():
        page.locator(f"[data-testid=alert-row][data-alert='{meeting_city.alert_id}'] [data-testid=alert-link]").click()
    expect(page.locator("[data-testid=alert-title]")).to_have_text(ALERT_TITLE)
    expect(page.locator("[data-testid=alert-unit]")).to_have_text("Dinas Komunikasi dan Informatika")

    with page.expect_navigation():
        page.click("[data-testid=nav-rakor]")
    page.select_option("[data-testid=rakor-month]", meeting_city.month)
    with page.expect_navigation():
        page.click("[data-testid=rakor-generate-button]")
    expect(page.locator("[data-testid=rakor-progress]")).to_have_attribute("data-status", "done")
    with page.expect_download() as info:
        page.click("[data-testid=rakor-download-pdf]")
    with open(info.value.path(), "rb") as fh:
        pages = [re.sub(r"\s+", " ", p.extract_text()) for p in PdfReader(io.BytesIO(fh.read())).pages]
    kominfo = next(p for p in pages if p.startswith("Perangkat daerah: Dinas Komunikasi dan Informatika"))
    assert f"[Waspada] {ALERT_TITLE} - Dinas Komunikasi dan Informatika" in kominfo
    assert desktop.errors == [], "console errors or CSP violations:\n" + "\n".join(desktop.errors)
