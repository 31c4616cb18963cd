"""A citizen finds a service on a phone: searches the catalogue, opens the standar pelayanan (issue 4).

The pages have no inline script or style, and must run without a console error or a CSP violation.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import BrowserSession

pytestmark = pytest.mark.browser


@pytest.fixture
def catalogue(transactional_db: None) -> dict[str, int]:
    from balai.core.testing import build_story
    from balai.publicservices import services

    story = build_story()
    akta = services.service_create(
        actor=None,
        unit=story.dinkes,
        code="akta-kelahiran",
        name_id="Akta Kelahiran",
        requirements="Surat keterangan kelahiran dari rumah sakit atau bidan\nFotokopi KK dan KTP-el orang tua",
        procedure="Ambil nomor antrean\nSerahkan berkas\nAkta dicetak dan diserahkan",
        time_limit_days=1,
        product="Kutipan Akta Kelahiran",
        cost_note="Tidak dipungut biaya (UU 24/2013 Pasal 79A)",
    )
    services.service_create(
        actor=None,
        unit=story.mentaos,
        code="sk-domisili",
        name_id="Surat Keterangan Domisili",
        requirements="Surat pengantar RT/RW\nFotokopi KTP-el",
        procedure="Datang ke kantor kelurahan\nSurat ditandatangani lurah",
    )
    services.counter_create(actor=None, unit=story.dinkes, name="Loket 3", services=[akta])
    return {"akta": akta.pk}


def test_citizen_finds_a_service_on_a_phone(phone: BrowserSession, catalogue: dict[str, int]) -> None:
    page = phone.page
    phone.goto("/layanan/")
    expect(page.get_by_test_id("catalogue-count")).to_contain_text("2")
    page.locator("input[name=q]").fill("akte kelahiran")  # the everyday spelling
    with page.expect_navigation():
        page.get_by_test_id("catalogue-submit").tap()
    expect(page.get_by_test_id("catalogue-count")).to_contain_text("1")
    phone.screenshot("search")
    with page.expect_navigation():
        page.get_by_test_id(f"service-{catalogue['akta']}").tap()
    expect(page.get_by_test_id("requirements")).to_contain_text("Surat keterangan kelahiran")
    # "Gratis" once the Indonesian catalogue is compiled; the English source string until then.
    expect(page.get_by_test_id("cost")).to_contain_text(re.compile("Gratis|Free"))
    expect(page.get_by_test_id("counters")).to_contain_text("Loket 3")
    # Phone-first: nothing wider than the screen.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    phone.screenshot("detail")
    assert phone.errors == []
