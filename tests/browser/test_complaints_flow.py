"""A citizen report from a phone to its resolution, in a real Chromium (issue 3).

A citizen files a report with a photo on a phone, the complaint desk verifies it and sends it to a unit, the
unit works on it and resolves it with a proof photo, and the citizen follows it all by the tracking code.
Every page must run without a console error or a CSP violation.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from playwright.sync_api import expect

from tests.browser.conftest import BrowserSession, _open_session

pytestmark = pytest.mark.browser

# Near the centroid of Kelurahan Mentaos (balai/complaints/data/banjarbaru_kelurahan.csv).
MENTAOS_GPS = (-3.4401, 114.8352)
REPORTER_NAME = "Siti Aminah"
REPORTER_PHONE = "081234567890"
DESCRIPTION = "Lubang besar di Jalan Karang Anyar, motor sudah dua kali jatuh."
RESPONSE = "Lubang sudah ditambal oleh tim PUPR pada pagi ini."
GPS_IFD = 0x8825
STATUS_ORDER = ["received", "verified", "in_progress", "resolved"]


def jpeg(colour: tuple[int, int, int], gps: tuple[float, float] | None = None) -> bytes:
    """A real phone-like JPEG: a little picture with the maker's EXIF and, if given, the GPS position."""
    img = Image.new("RGB", (320, 240), colour)
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    if gps is not None:
        lat, lon = gps

        def dms(value: float) -> tuple[float, float, float]:
            value = abs(value)
            d = int(value)
            m = int((value - d) * 60)
            return (float(d), float(m), round((value - d - m / 60) * 3600, 4))

        exif[GPS_IFD] = {1: "S" if lat < 0 else "N", 2: dms(lat), 3: "W" if lon < 0 else "E", 4: dms(lon)}
    out = io.BytesIO()
    img.save(out, format="JPEG", exif=exif)
    return out.getvalue()


@dataclass
class City:
    story: Any
    category: Any
    pupr: Any
    desk: Any
    pupr_staff: Any


@pytest.fixture
def city(transactional_db: None, settings: Any, tmp_path: Path) -> City:
    """The shared story with kelurahan centroids, a roads category routed to Dinas PUPR, a desk and PUPR staff."""
    from balai.complaints import geo
    from balai.complaints.models import Category
    from balai.core.testing import build_story
    from balai.org import services as org
    from balai.org.choices import UnitKind
    from balai.org.roles import Role

    settings.MEDIA_ROOT = tmp_path  # uploads of this test stay with it
    # The live server serves MEDIA_URL by itself; `balai serve` (the demo, a one-machine install) does not.
    # Moving MEDIA_URL away from what the live server serves makes every photo go through Balai's own views.
    settings.MEDIA_URL = "/media-not-served/"
    story = build_story()
    assert geo.centroids_load(story.root) > 0
    pupr = org.orgunit_create(
        actor=None,
        parent=story.root,
        name="Dinas Pekerjaan Umum dan Penataan Ruang",
        short_name="Dinas PUPR",
        kind=UnitKind.PERANGKAT_DAERAH,
        code="PUPR",
    )
    category = Category.objects.create(
        code="jalan", name_id="Jalan rusak", name_en="Damaged road", default_unit=pupr, resolution_days=5
    )

    def staff(username: str, unit: Any) -> Any:
        from balai.core.testing import PASSWORD

        user = org.user_create(actor=None, username=username, full_name=username.title(), password=PASSWORD)
        org.role_assign(actor=None, user=user, role=Role.SKPD_OPERATOR, org_unit=unit)
        return user

    # The complaint desk is staff with an edit role on the Pemda root (services.is_desk).
    return City(story, category, pupr, staff("meja_aduan", story.root), staff("operator_pupr", pupr))


@pytest.fixture
def field_phone(chromium: Any, live_server: Any, request: pytest.FixtureRequest) -> Iterator[BrowserSession]:
    """A second phone: the unit's officer in the field, who photographs the repaired road as proof."""
    yield from _open_session(
        chromium,
        request,
        live_server.url,
        viewport={"width": 390, "height": 844},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
    )


def _no_errors(*sessions: BrowserSession) -> None:
    errors = [f"{s.name}: {e}" for s in sessions for e in s.errors]
    assert errors == [], "console errors or CSP violations:\n" + "\n".join(errors)


def _fits_the_phone(session: BrowserSession) -> None:
    overflow = session.page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{session.page.url} is {overflow}px wider than the phone screen"


# The kelurahan names on the map: none may cover another (they must stay readable on a phone).
LABELS_OVERLAP = """() => {
  const rects = [...document.querySelectorAll('.leaflet-tooltip:not(.invisible)')].map(e => e.getBoundingClientRect());
  let clashes = 0;
  rects.forEach((a, i) => rects.slice(i + 1).forEach(b => {
    if (a.left < b.right && a.right > b.left && a.top < b.bottom && a.bottom > b.top) { clashes += 1; }
  }));
  return {shown: rects.length, clashes: clashes};
}"""


def _image_loaded(img: Any) -> None:
    img.scroll_into_view_if_needed()  # the photos load lazily, as they should on a phone
    img.page.wait_for_function("el => el.complete && el.naturalWidth > 0", arg=img.element_handle())
    assert img.evaluate("el => el.naturalWidth") > 0


def _file_report(phone: BrowserSession, city: City, *, anonymous: bool = False, pin: bool = True) -> str:
    """The citizen's side of filing: the form, touched like on a phone; returns the tracking code shown."""
    page = phone.page
    response = phone.goto("/aduan/baru/")
    assert response is not None and response.status == 200
    expect(page.locator("[data-testid=report-form]")).to_be_visible()
    _fits_the_phone(phone)
    page.select_option("select[name=category]", value=str(city.category.pk))
    page.fill("textarea[name=description]", DESCRIPTION)
    page.set_input_files(
        "input[name=photos]",
        files=[{"name": "IMG_20260512.jpg", "mimeType": "image/jpeg", "buffer": jpeg((180, 60, 40), MENTAOS_GPS)}],
    )
    labels = page.evaluate(LABELS_OVERLAP)
    assert labels["shown"] > 0 and labels["clashes"] == 0, labels
    if pin:
        # A tap in the middle of the map drops the pin: the map opens on the kelurahan of the Pemda.
        page.locator("[data-testid=report-map]").tap()
        expect(page.locator("#clear-pin")).to_be_visible()
        _image_loaded(page.locator("[data-testid=report-map] .leaflet-marker-icon"))
        # The pin is drawn above the names (Leaflet's own order puts every label over every marker).
        z = page.evaluate(
            """() => Object.fromEntries(['tooltip', 'marker'].map(p => [p, Number(getComputedStyle(
                     document.querySelector('#report-map .leaflet-' + p + '-pane')).zIndex)]))"""
        )
        assert z["tooltip"] < z["marker"], f"the kelurahan labels cover the pin: {z}"
        assert page.input_value("input[name=latitude]") != ""
        assert page.input_value("input[name=longitude]") != ""
    page.fill("input[name=address]", "Jl. Karang Anyar, depan masjid")
    page.fill("input[name=reporter_name]", REPORTER_NAME)
    page.fill("input[name=phone]", REPORTER_PHONE)
    if anonymous:
        page.locator("input[name=is_anonymous]").tap()
        expect(page.locator("input[name=is_anonymous]")).to_be_checked()
    phone.screenshot("anonymous-form" if anonymous else "1-citizen-form")
    with page.expect_navigation():
        page.locator("[data-testid=submit-report]").tap()
    code_el = page.locator("[data-testid=tracking-code]")
    expect(code_el).to_be_visible()
    code = code_el.inner_text().strip()
    assert code
    expect(page.locator("[data-testid=track-link]")).to_have_attribute("href", phone.url(f"/aduan/lacak/{code}/"))
    _fits_the_phone(phone)
    phone.screenshot("anonymous-done" if anonymous else "1-citizen-done")
    return code


def _open_from_queue(session: BrowserSession, code: str, tab: str = "") -> None:
    page = session.page
    session.goto("/pengaduan/" + (f"?tab={tab}" if tab else ""))
    row = page.locator("[data-testid=queue-row]").filter(has_text=code)
    expect(row).to_have_count(1)
    with page.expect_navigation():
        row.click()
    expect(page.locator(".page-title")).to_contain_text(code)


def _respond(session: BrowserSession, *, text: str, status: str, proof: bytes | None = None) -> None:
    """A public response with a status change, tapped on a phone."""
    page = session.page
    form = page.locator("[data-testid=form-respond]")
    if not form.is_visible():  # the action sits in a closed <details> while another is open
        page.locator("details:has([data-testid=form-respond]) > summary").tap()
    form.locator("textarea[name=respond-text]").fill(text)
    public_choice = "input[name=respond-is_public][value='1']"
    public = form.locator(public_choice)
    form.locator("label.form-check", has=page.locator(public_choice)).tap()  # the label is the touch target
    expect(public).to_be_checked()
    form.locator("select[name=respond-status]").select_option(status)
    if proof is not None:
        form.locator("input[name=respond-photos]").set_input_files(
            files=[{"name": "bukti.jpg", "mimeType": "image/jpeg", "buffer": proof}]
        )
    submit = form.locator("button[type=submit]")
    expect(submit).to_be_visible()
    with page.expect_navigation():
        submit.tap()
    expect(page.locator(".alert-success")).to_be_visible()
    _fits_the_phone(session)


def test_citizen_report_from_phone_to_resolution(
    phone: BrowserSession, desktop: BrowserSession, field_phone: BrowserSession, city: City
) -> None:
    from balai.complaints import geo
    from balai.complaints.models import Complaint

    # 1. The citizen files the report on a phone.
    code = _file_report(phone, city)
    complaint = Complaint.objects.get(tracking_code=code)
    assert complaint.latitude is not None and complaint.longitude is not None  # the pin, not the photo's GPS
    assert (complaint.latitude, complaint.longitude) != pytest.approx(MENTAOS_GPS, abs=1e-4)
    assert complaint.territory == geo.territory_for_point(city.story.root, complaint.latitude, complaint.longitude)
    assert complaint.reporter_phone == REPORTER_PHONE
    assert complaint.photos.count() == 1

    # 2. The complaint desk verifies it and sends it to the unit the routing suggests.
    page = desktop.page
    desktop.login("meja_aduan")
    _open_from_queue(desktop, code)
    expect(page.locator("[data-testid=reporter-name]")).to_have_text(REPORTER_NAME)
    _image_loaded(page.locator("[data-testid=complaint-photos] img").first)
    verify = page.locator("[data-testid=form-verify]")
    expect(verify).to_be_visible()
    unit_select = verify.locator("select[name=verify-unit]")
    assert unit_select.input_value() == str(city.pupr.pk), "the suggested unit is preselected"
    verify.locator("input[name=verify-title]").fill("Jalan berlubang di Karang Anyar")
    desktop.screenshot("2-desk-verify")
    with page.expect_navigation():
        verify.locator("button[type=submit]").click()
    expect(page.locator(".alert-success")).to_be_visible()
    expect(page.locator("[data-testid=complaint-unit]")).to_contain_text(city.pupr.name)
    complaint.refresh_from_db()
    assert (complaint.status, complaint.unit) == ("verified", city.pupr)
    desktop.screenshot("2-desk-verified")

    # 3. Dinas PUPR's officer, on a phone in the field, finds it through the menu, starts work, and resolves
    # it with a photo of the repaired road.
    unit_page = field_phone.page
    field_phone.login("operator_pupr")
    unit_page.locator(".navbar-toggler").tap()
    with unit_page.expect_navigation():
        unit_page.locator("#navbar-menu a[href='/pengaduan/']").tap()
    row = unit_page.locator("[data-testid=queue-row]").filter(has_text=code)
    expect(row).to_have_count(1)
    _fits_the_phone(field_phone)
    field_phone.screenshot("3-unit-queue")
    with unit_page.expect_navigation():
        row.tap()
    expect(unit_page.locator(".page-title")).to_contain_text(code)
    expect(unit_page.locator("[data-testid=form-verify]")).to_have_count(0)
    _respond(field_phone, text="Tim kami menuju lokasi hari ini.", status="in_progress")
    complaint.refresh_from_db()
    assert complaint.status == "in_progress"
    field_phone.screenshot("3-unit-in-progress")
    _respond(field_phone, text=RESPONSE, status="resolved", proof=jpeg((40, 160, 60)))
    complaint.refresh_from_db()
    assert complaint.status == "resolved"
    assert complaint.photos.filter(is_proof=True).count() == 1
    for img in unit_page.locator("[data-testid=complaint-photos] img").all():
        _image_loaded(img)
    field_phone.screenshot("3-unit-resolved")

    # 4. The citizen follows the report by its code, on the phone, without an account.
    ppage = phone.page
    response = phone.goto(f"/aduan/lacak/{code}/")
    assert response is not None and response.status == 200
    expect(ppage.locator("[data-testid=status]")).to_be_visible()
    events = ppage.locator("[data-testid=timeline] [data-status]")
    statuses = [s for s in events.evaluate_all("els => els.map(e => e.dataset.status)") if s]
    assert statuses == STATUS_ORDER
    resolved = ppage.locator("[data-testid=timeline] [data-status=resolved]")
    expect(resolved).to_contain_text(RESPONSE)
    expect(ppage.locator("[data-testid=timeline] [data-status=verified]")).to_contain_text("PUPR")
    _image_loaded(resolved.locator("img").first)
    _image_loaded(ppage.locator("[data-testid=own-photos] img").first)
    expect(ppage.locator("[data-testid=resolution-due]")).not_to_be_empty()
    expect(ppage.locator("[data-testid=first-response-due]")).not_to_be_empty()
    body = ppage.locator("body")
    expect(body).not_to_contain_text(REPORTER_PHONE)
    expect(body).not_to_contain_text(REPORTER_NAME)
    _fits_the_phone(phone)
    phone.screenshot("4-citizen-timeline")

    rating = ppage.locator("[data-testid=rating-form]")
    expect(rating).to_be_visible()
    rating.locator("label[for=rating-4]").tap()
    rating.locator("textarea[name=comment]").fill("Cepat, terima kasih.")
    with ppage.expect_navigation():
        rating.locator("button[type=submit]").tap()
    expect(ppage.locator("[data-testid=current-rating]")).to_contain_text("4")
    expect(rating.locator("#rating-4")).to_be_checked()  # a second visit shows the rating given
    complaint.refresh_from_db()
    assert complaint.rating == 4
    phone.screenshot("4-citizen-rated")

    # The resolved report is on the public map too, among readable kelurahan names.
    response = phone.goto("/aduan/peta/")
    assert response is not None and response.status == 200
    expect(ppage.locator("[data-testid=public-list]")).to_contain_text("Lubang besar")
    villages = len(geo.villages_located(city.story.root))
    expect(ppage.locator("[data-testid=complaints-map] path")).to_have_count(villages + 1)
    labels = ppage.evaluate(LABELS_OVERLAP)
    assert labels["shown"] > 0 and labels["clashes"] == 0, labels
    _fits_the_phone(phone)
    phone.screenshot("5-citizen-map")

    _no_errors(phone, desktop, field_phone)


def test_anonymous_report_hides_the_reporter_from_the_unit(
    phone: BrowserSession, desktop: BrowserSession, city: City
) -> None:
    from balai.complaints import services
    from balai.complaints.models import Complaint

    # No pin and no kelurahan: the photo's GPS places the report.
    code = _file_report(phone, city, anonymous=True, pin=False)
    complaint = Complaint.objects.get(tracking_code=code)
    assert complaint.is_anonymous
    assert complaint.territory == city.story.mentaos
    assert complaint.latitude is not None
    services.complaint_verify(
        actor=city.desk,
        complaint=complaint,
        version=complaint.version,
        title="Jalan berlubang",
        classification=complaint.classification,
        category=city.category,
        unit=city.pupr,
    )

    page = desktop.page
    desktop.login("operator_pupr")
    _open_from_queue(desktop, code, tab="unit")
    expect(page.locator("[data-testid=complaint-description]")).to_contain_text("Lubang besar")
    expect(page.locator("[data-testid=reporter-phone]")).to_have_count(0)
    body = page.locator("body")
    expect(body).not_to_contain_text(REPORTER_NAME)
    expect(body).not_to_contain_text(REPORTER_PHONE)
    desktop.screenshot("anonymous-unit-detail")

    _no_errors(phone, desktop)


def test_a_crowded_map_asks_again_for_the_visible_area(
    city: City, desktop: BrowserSession, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Past the map's point limit the page says so, and panning fetches just the visible area (older reports)."""
    from balai.complaints import services as svc
    from balai.complaints import views_public

    monkeypatch.setattr(views_public, "MAP_LIMIT", 1)
    for lat, lon in (MENTAOS_GPS, (-3.4600, 114.8100)):
        c = svc.complaint_submit(
            channel="web",
            category=city.category,
            description=DESCRIPTION,
            pemda=city.story.root,
            latitude=lat,
            longitude=lon,
            reporter_email="warga@example.id",
        )
        svc.complaint_verify(
            actor=city.desk,
            complaint=c,
            version=c.version,
            title="Jalan berlubang",
            classification="pengaduan",
            category=city.category,
            unit=city.pupr,
        )
    asked: list[str] = []
    desktop.page.on("request", lambda r: asked.append(r.url) if "/aduan/peta.json" in r.url else None)
    desktop.goto("/aduan/peta/")
    expect(desktop.page.get_by_test_id("map-truncated")).to_be_visible()
    expect(desktop.page.locator(".leaflet-interactive[fill-opacity='0.7']")).to_have_count(1)
    box = desktop.page.get_by_test_id("complaints-map").bounding_box()
    assert box is not None
    desktop.page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    desktop.page.mouse.down()
    desktop.page.mouse.move(box["x"] + box["width"] / 2 + 60, box["y"] + box["height"] / 2 + 40, steps=5)
    desktop.page.mouse.up()
    desktop.page.wait_for_timeout(800)  # the 300 ms debounce, then the request
    assert any("bbox=" in url for url in asked[1:]), asked
    _no_errors(desktop)
