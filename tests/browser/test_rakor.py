"""In Chromium: the head of region generates the monthly rakor pack, watches it complete, downloads the PDF;
the scorecard ranking and a unit's scorecard open under our CSP."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import BrowserSession

pytestmark = pytest.mark.browser


@pytest.fixture
def scored_city(transactional_db: None) -> dict[str, Any]:
    """The shared story, our test indicators with last month's Facts for both agencies, and their scorecard."""
    from balai.core.periods import Period, PeriodType
    from balai.core.testing import build_story
    from balai.scorecards.services import scorecard_save
    from balai.scorecards.tests.conftest import load_facts, make_indicators, pd_items

    story = build_story()
    make_indicators()
    month = Period.containing(dt.date.today(), PeriodType.MONTH).previous().id
    load_facts(
        [
            ("t.on_time", "DISKOMINFO", month, 81),
            ("t.backlog", "DISKOMINFO", month, 5),
            ("t.realisation", "DISKOMINFO", month, 40),
            ("t.on_time", "DINKES", month, 99),
            ("t.backlog", "DINKES", month, 20),
        ]
    )
    card = scorecard_save(
        actor=None, name="Kinerja perangkat daerah", unit_kind="perangkat_daerah", period_type="month", items=pd_items()
    )
    return {"story": story, "month": month, "scorecard": card}


def test_head_of_region_generates_and_downloads_the_rakor_pack(desktop: BrowserSession, scored_city: Any) -> None:
    from pypdf import PdfReader

    page = desktop.page
    desktop.login("walikota")
    page.click("[data-testid=nav-rakor]")
    expect(page.locator("[data-testid=rakor-empty]")).to_be_visible()
    page.select_option("[data-testid=rakor-month]", scored_city["month"])
    with page.expect_navigation():
        page.click("[data-testid=rakor-generate-button]")
    progress = page.locator("[data-testid=rakor-progress]")
    expect(progress).to_have_attribute("data-status", "done")
    expect(page.locator("[data-testid=rakor-percent]")).to_have_text("100%")
    expect(page.locator("[data-testid=rakor-bar]")).to_have_attribute("value", "100")
    desktop.screenshot("pack-ready")
    with page.expect_download() as info:
        page.click("[data-testid=rakor-download-pdf]")
    download = info.value
    assert download.suggested_filename == f"rakor-{scored_city['month']}-v1.pdf"
    with open(download.path(), "rb") as fh:
        reader = PdfReader(io.BytesIO(fh.read()))
    texts = [p.extract_text() for p in reader.pages]
    assert len(texts) == 4
    assert "Perangkat daerah: Dinas Kesehatan" in texts[2]
    assert "Perangkat daerah: Dinas Komunikasi dan Informatika" in texts[3]

    page.click("[data-testid=nav-rakor]")
    expect(page.locator("[data-testid=rakor-pack]")).to_have_count(1)
    assert desktop.errors == []


def test_head_opens_the_ranking_and_an_agency_scorecard(desktop: BrowserSession, scored_city: Any) -> None:
    page = desktop.page
    desktop.login("walikota")
    page.click("[data-testid=nav-scorecards]")
    with page.expect_navigation():
        page.click("[data-testid=scorecard-link]")
    rows = page.locator("[data-testid=ranking-row]")
    expect(rows).to_have_count(2)
    expect(rows.first).to_have_attribute("data-unit", "DISKOMINFO")
    # 45 (on time 81 vs 90) + 36 (backlog 5 vs 10, capped) + 10 (realisation 40 vs the default 80)
    expect(rows.first.locator("[data-testid=ranking-score]")).to_have_text("91,0")
    with page.expect_navigation():
        rows.nth(1).locator("a").click()
    expect(page.locator("[data-testid=unit-score]")).to_have_text("70,0")
    expect(page.locator("[data-pulls-down=true]")).to_have_count(2)
    desktop.screenshot("scorecard")
    assert desktop.errors == []


def test_progress_bar_follows_the_worker_until_done(
    desktop: BrowserSession, scored_city: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The worker is late: the page shows the pack waiting, then the htmx poll brings it to 100 %."""
    from balai.rakor import services
    from balai.rakor.models import RakorPack

    monkeypatch.setattr(services, "_enqueue", lambda pack_id: None)  # no worker yet
    page = desktop.page
    desktop.login("walikota")
    desktop.goto("/rakor/")
    page.select_option("[data-testid=rakor-month]", scored_city["month"])
    with page.expect_navigation():
        page.click("[data-testid=rakor-generate-button]")
    expect(page.locator("[data-testid=rakor-progress]")).to_have_attribute("data-status", "queued")
    expect(page.locator("[data-testid=rakor-percent]")).to_have_text("0%")
    pack = RakorPack.objects.get()
    services.rakor_pack_build(pack_id=pack.pk)  # the worker picks it up
    expect(page.locator("[data-testid=rakor-progress]")).to_have_attribute("data-status", "done")
    expect(page.locator("[data-testid=rakor-percent]")).to_have_text("100%")
    expect(page.locator("[data-testid=rakor-download-xlsx]")).to_be_visible()
    assert desktop.errors == []
