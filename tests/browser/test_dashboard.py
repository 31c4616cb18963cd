"""The pages that matter, in a real Chromium: the head of region's dashboard, scoping, a phone screen."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import BrowserSession

pytestmark = pytest.mark.browser

TREND_CHART = "[data-testid=trend-chart] canvas, [data-testid=trend-chart] svg"
# The home page draws a sparkline in each KPI card, or a trend chart: either proves ECharts ran under our CSP.
HOME_CHART = f"{TREND_CHART}, [data-testid=kpi-card] [data-chart] canvas, [data-testid=kpi-card] [data-chart] svg"
UTARA_URL = re.compile(r"/dasbor/63\.72\.04/(\?.*)?$")
UTARA_KELURAHAN = ["Loktabat Utara", "Mentaos", "Komet", "Sungai Ulin"]


def _nav(session: BrowserSession) -> Any:
    return session.page.locator("#navbar-menu")


def test_head_of_region_sees_dashboard_drills_down_and_switches_language(
    desktop: BrowserSession, alive_city: Any
) -> None:
    page = desktop.page
    desktop.login("walikota")
    expect(page).to_have_url(desktop.url("/"))
    expect(page.locator("html")).to_have_attribute("lang", "id")
    expect(page.locator("[data-testid=kpi-card]").first).to_be_visible()
    expect(page.locator(HOME_CHART).first).to_be_visible()
    desktop.screenshot("home")

    with page.expect_navigation():
        page.locator("[data-testid=kpi-card] [data-testid=kpi-name]").first.click()
    expect(page.locator(TREND_CHART).first).to_be_visible()
    desktop.screenshot("indicator")
    desktop.goto("/")

    rows = page.locator("[data-testid=drilldown-row]").filter(has_text="Banjarbaru Utara")
    expect(rows.first).to_be_visible()
    link = rows.first if rows.first.evaluate("el => el.tagName") == "A" else rows.first.locator("a").first
    link.click()
    expect(page).to_have_url(UTARA_URL)
    body = page.locator("body")
    for name in UTARA_KELURAHAN:
        expect(body).to_contain_text(name)
    desktop.screenshot("kecamatan")

    page.click("[data-testid=lang-en]")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page).to_have_url(UTARA_URL)
    expect(_nav(desktop)).to_contain_text("Dashboard")
    desktop.screenshot("english")

    page.click("[data-testid=lang-id]")
    expect(page.locator("html")).to_have_attribute("lang", "id")
    expect(_nav(desktop)).to_contain_text("Dasbor")
    expect(_nav(desktop)).not_to_contain_text("Dashboard")

    assert desktop.errors == [], "console errors or CSP violations:\n" + "\n".join(desktop.errors)


def test_komet_clerk_gets_404_on_mentaos_dashboard_and_unit(desktop: BrowserSession, alive_city: Any) -> None:
    desktop.login("clerk_komet")
    for path in ["/dasbor/63.72.04.1002/", "/org/units/63.72.04.1002/"]:
        response = desktop.goto(path)
        assert response is not None
        assert response.status == 404, path
    # Their own kelurahan still opens, so the 404 above is scoping and not a broken page.
    response = desktop.goto("/dasbor/63.72.04.1003/")
    assert response is not None
    assert response.status == 200


def test_dashboard_fits_a_phone_screen(phone: BrowserSession, alive_city: Any) -> None:
    page = phone.page
    phone.login("walikota")
    expect(page.locator("[data-testid=kpi-card]").first).to_be_visible()
    expect(page.locator(HOME_CHART).first).to_be_visible()
    # Mobile first: nothing may push the page sideways on a 390 px wide phone.
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    phone.screenshot("home")
    assert overflow <= 0, f"the page is {overflow}px wider than the phone screen"
    assert phone.errors == [], "console errors or CSP violations:\n" + "\n".join(phone.errors)


def test_login_page_has_no_console_errors(desktop: BrowserSession, transactional_db: None) -> None:
    response = desktop.goto("/org/login/")
    assert response is not None
    assert response.status == 200
    expect(desktop.page.locator("input[name=username]")).to_be_visible()
    expect(desktop.page.locator("input[name=password]")).to_be_visible()
    desktop.screenshot()
    assert re.search(r"\bBalai\b", desktop.page.title())
    assert desktop.errors == [], "console errors or CSP violations:\n" + "\n".join(desktop.errors)
