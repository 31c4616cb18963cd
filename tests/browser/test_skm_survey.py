"""A citizen just served answers the SKM on a phone, in one page, and sees the thank-you (issue 4).

Every tap target is a full-width label, the page has no inline script or style, and it must run without a
console error or a CSP violation.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import BrowserSession

pytestmark = pytest.mark.browser

ANSWERS = {"u1": 4, "u2": 3, "u3": 4, "u4": 4, "u5": 3, "u6": 4, "u7": 4, "u8": 3, "u9": 2}


@pytest.fixture
def survey_token(transactional_db: None) -> str:
    from balai.core.testing import build_story
    from balai.skm import services
    from balai.skm.tests.conftest import make_service, serve

    story = build_story()
    return services.invitation_create(event=serve(make_service(story.mentaos)))


def test_respondent_fills_the_skm_on_a_phone(phone: BrowserSession, survey_token: str) -> None:
    from balai.skm.models import SkmResponse

    page = phone.page
    phone.goto(f"/skm/{survey_token}/")
    expect(page.get_by_test_id("skm-service")).to_contain_text("Surat Keterangan Domisili")
    # Indonesian by default: the regulated wording of U4.
    expect(page.locator("#q-u4")).to_contain_text("Sangat mahal")
    expect(page.locator("#q-u4")).to_contain_text("Gratis")
    # Each answer is a tap target at least 48 px square (two per row on a 390 px phone).
    box = page.locator("label:has([data-testid='u7-1'])").bounding_box()
    assert box is not None and box["height"] >= 48 and box["width"] >= 150, box
    for code, value in ANSWERS.items():
        page.locator(f"label:has([data-testid='{code}-{value}'])").tap()
        expect(page.get_by_test_id(f"{code}-{value}")).to_be_checked()
    page.locator("label:has([data-testid='sex-P'])").tap()
    page.locator("label:has([data-testid='age_band-30_39'])").tap()
    page.locator("label:has([data-testid='education-sma'])").tap()
    page.locator("label:has([data-testid='occupation-wirausaha'])").tap()
    phone.screenshot("form")
    with page.expect_navigation():
        page.get_by_test_id("skm-submit").tap()
    expect(page.get_by_test_id("skm-thanks")).to_be_visible()
    assert "/skm/terima-kasih/" in page.url
    phone.screenshot("thanks")

    response = SkmResponse.objects.get()
    assert response.answers() == ANSWERS
    assert (response.sex, response.age_band, response.education, response.occupation) == (
        "P",
        "30_39",
        "sma",
        "wirausaha",
    )
    assert phone.errors == []
    # The link is spent: opening it again shows the friendly page (answered 410 Gone, which the console logs).
    phone.goto(f"/skm/{survey_token}/")
    expect(page.get_by_test_id("skm-invalid")).to_be_visible()
    assert [e for e in phone.errors if "status of 410" not in e] == []
