"""Connectors in a real Chromium: the SKPD operator finds their agency's app, reads its history, pulls now."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from balai.connectors.tests.conftest import agency, make_connector, presence_records  # noqa: F401 - fixture
from tests.browser.conftest import BrowserSession

pytestmark = pytest.mark.browser


def test_operator_opens_the_connector_sees_its_sparkline_and_pulls_now(
    desktop: BrowserSession,
    transactional_db: None,
    agency: Any,  # noqa: F811 - the fixture imported above
) -> None:
    from balai.connectors.models import ConnectorRun
    from balai.connectors.services import connector_pull
    from balai.core.testing import build_story

    story = build_story()
    url = agency.json("/api", {"data": {"items": presence_records()}})
    connector = make_connector(story, url)
    connector_pull(connector_id=connector.pk)
    connector_pull(connector_id=connector.pk)

    page = desktop.page
    desktop.login("operator_kominfo")
    page.click("[data-testid=nav-connectors]")
    row = page.locator("[data-testid=connector-row]")
    expect(row).to_have_count(1)
    expect(row.locator("[data-testid=health-ok]")).to_be_visible()
    with page.expect_navigation():
        row.locator("a").first.click()
    expect(page.locator("[data-testid=sparkline]")).to_have_attribute("data-chart-ready", "true")
    expect(page.locator("[data-testid=sparkline] svg")).to_be_visible()
    expect(page.locator("[data-testid=run-row]")).to_have_count(2)
    desktop.screenshot("connector")

    with page.expect_navigation():
        page.click("[data-testid=pull-now]")
    expect(page.locator("[data-testid=run-row]")).to_have_count(3)
    assert ConnectorRun.objects.filter(triggered_by=story.skpd_operator, status="success").count() == 1
    assert desktop.errors == []
