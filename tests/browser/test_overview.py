"""The head of region's overview in a real Chromium: tiles, the map, a kecamatan clicked on it, a kelurahan."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import BrowserSession

pytestmark = pytest.mark.browser

UTARA_URL = re.compile(r"/dasbor/63\.72\.04/\?period=\d{6}$")
MENTAOS_URL = re.compile(r"/dasbor/63\.72\.04\.1002/\?period=\d{6}$")


@pytest.fixture
def mapped_city(alive_city: Any) -> Any:
    """The living city with the kecamatan and kelurahan placed, and the head of region's tiles chosen."""
    from balai.dashboard.demo import kecamatan_load
    from balai.dashboard.services import TileSpec, overview_layout_set
    from balai.indicators.models import FactRollup, Indicator
    from balai.org.roles import Role

    kecamatan_load(alive_city.root)
    with_data = FactRollup.objects.filter(org_unit=alive_city.root).values("indicator_id")
    chosen = Indicator.objects.filter(pk__in=with_data, is_active=True).order_by("-sort_order", "code")
    codes = list(chosen.values_list("code", flat=True))
    overview_layout_set(actor=None, role=Role.HEAD_OF_REGION, tiles=[TileSpec(c) for c in codes[:6]])
    alive_city.tile_codes = codes[:6]
    return alive_city


def test_head_of_region_clicks_a_kecamatan_on_the_map_and_drills_to_a_kelurahan(
    desktop: BrowserSession, mapped_city: Any
) -> None:
    page = desktop.page
    desktop.login("walikota")
    expect(page).to_have_url(desktop.url("/"))
    tiles = page.locator("[data-testid=kpi-card]")
    expect(tiles).to_have_count(len(mapped_city.tile_codes))
    assert [tiles.nth(i).get_attribute("data-indicator") for i in range(tiles.count())] == mapped_city.tile_codes
    expect(page.locator("#overview-map[data-map-ready=true]")).to_be_visible()
    markers = page.locator("#overview-map path.map-unit")
    expect(markers).to_have_count(5)  # the five kecamatan
    desktop.screenshot("overview")

    with page.expect_navigation():
        page.locator("#overview-map path.map-unit-63-72-04").click()
    expect(page).to_have_url(UTARA_URL)
    expect(page.locator("h1.page-title")).to_have_text("Kecamatan Banjarbaru Utara")
    expect(page.locator("#overview-map path.map-unit")).to_have_count(4)  # its kelurahan
    desktop.screenshot("kecamatan")

    territories = page.locator("[data-testid=children-territories]")
    with page.expect_navigation():
        territories.locator("[data-testid=drilldown-row][data-unit='63.72.04.1002'] a").click()
    expect(page).to_have_url(MENTAOS_URL)
    expect(page.locator("h1.page-title")).to_have_text("Kelurahan Mentaos")
    expect(page.locator("[data-testid=kpi-card]").first).to_be_visible()
    assert desktop.errors == [], "console errors or CSP violations:\n" + "\n".join(desktop.errors)


def test_citizen_opens_the_transparency_dashboard_without_signing_in(desktop: BrowserSession, mapped_city: Any) -> None:
    page = desktop.page
    desktop.goto("/aduan/baru/")
    with page.expect_navigation():
        page.click("[data-testid=nav-transparency]")
    expect(page.locator("[data-testid=kpi-card]").first).to_be_visible()
    expect(page.locator("#overview-map[data-map-ready=true]")).to_be_visible()
    with page.expect_navigation():
        page.locator("#overview-map path.map-unit-63-72-04").click()
    expect(page).to_have_url(re.compile(r"/transparansi/63\.72\.04/\?period=\d{6}$"))
    desktop.screenshot("public")
    assert desktop.errors == [], "console errors or CSP violations:\n" + "\n".join(desktop.errors)
