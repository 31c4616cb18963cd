"""Open data on a phone: a citizen finds a dataset by its perangkat daerah, reads the preview, downloads the CSV."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.cache import cache
from playwright.sync_api import expect

from balai.opendata.tests.conftest import Published
from balai.opendata.tests.conftest import published as published  # the fixture, re-exported
from tests.browser.conftest import BrowserSession

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_citizen_filters_opens_a_dataset_and_downloads_a_year(phone: BrowserSession, published: Published) -> None:
    cache.clear()
    page = phone.page
    phone.goto("/aduan/lacak/")
    with page.expect_navigation():
        page.locator("[data-testid=nav-opendata]").click()
    expect(page.locator("[data-testid=dataset]")).to_have_count(4)
    page.select_option("#id_organization", "diskominfo")
    with page.expect_navigation():
        page.locator("[data-testid=search-form] button[type=submit]").click()
    expect(page.locator("[data-testid=dataset-link]")).to_have_text(
        ["Laporan selesai tepat waktu", "Laporan warga diterima"]
    )
    with page.expect_navigation():
        page.get_by_text("Laporan warga diterima").click()
    expect(page.locator("[data-testid=preview] tbody tr")).to_have_count(3)
    expect(page.locator("[data-testid=organization]")).to_have_text("Dinas Komunikasi dan Informatika")
    phone.screenshot("dataset")
    with page.expect_download() as download:
        page.locator("[data-testid=resource]").first.click()
    assert download.value.suggested_filename == "reports-received-2026.csv"
    assert Path(download.value.path()).read_text().splitlines() == [
        "period,org_unit_code,org_unit_name,kemendagri_code,value,numerator,denominator",
        "202601,63.72.04.1002,Kelurahan Mentaos,63.72.04.1002,12,,",
        "202601,63.72.04.1003,Kelurahan Komet,63.72.04.1003,7,,",
        "202602,63.72.04.1002,Kelurahan Mentaos,63.72.04.1002,3,,",
    ]
    assert phone.errors == []
