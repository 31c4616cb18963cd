"""The public catalogue (no login): grouping, search, filters, the standar pelayanan page, the apply link."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from balai.core.testing import Story
from balai.org.models import OrgUnit
from balai.publicservices import services
from balai.publicservices.models import Service
from balai.publicservices.tests.conftest import make_service

pytestmark = pytest.mark.django_db
CATALOGUE = "/layanan/"


def _detail(pk: int) -> str:
    return reverse("publicservices:detail", args=[pk])


def test_catalogue_groups_services_by_office_without_login(client, story: Story, mpp: OrgUnit) -> None:
    domisili = make_service(story.mentaos, "domisili", name_id="Surat Keterangan Domisili")
    make_service(story.komet, "sktm", name_id="Surat Keterangan Tidak Mampu")
    web = make_service(story.diskominfo, "subdomain", name_id="Permohonan Subdomain", cost=0)
    services.counter_create(actor=None, unit=mpp, name="Loket Kominfo", services=[web])
    response = client.get(CATALOGUE)
    assert response.status_code == 200
    html = response.content.decode()
    assert "3 services" in html
    # The Kominfo service shows under its agency and under the MPP, where it is served.
    assert html.count(f'href="{_detail(web.pk)}"') == 2
    for group in ("mpp", "perangkat_daerah", "kelurahan"):
        assert f'data-testid="group-{group}"' in html
    assert 'data-testid="unit-MPP"' in html
    assert f'href="{_detail(domisili.pk)}"' in html
    # Strict CSP: no inline script or style anywhere on the page.
    assert "<script>" not in html
    assert 'style="' not in html
    assert re.search(r"<script(?![^>]*\bsrc=)", html) is None


def test_inactive_services_are_hidden(client, story: Story) -> None:
    old = make_service(story.mentaos, "lama", name_id="Surat Lama")
    services.service_deactivate(actor=None, service=old)
    assert "Surat Lama" not in client.get(CATALOGUE).content.decode()
    assert client.get(_detail(old.pk)).status_code == 404
    assert client.get(_detail(999999)).status_code == 404


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ("domisili", {"domisili"}),
        ("DOMISILI", {"domisili"}),
        ("surat keterangan tidak mampu", {"sktm"}),
        ("sktm", {"sktm"}),  # a common abbreviation maps to the words of the name
        ("e-ktp", {"ktp"}),
        ("akte kelahiran", {"akta"}),  # everyday spelling of akta
        ("fotokopi kk", {"domisili", "sktm", "ktp", "akta"}),  # no name has it: the requirements do
        ("ktp", {"ktp"}),  # named by one service, required by all: the named one
        ("paspor", set()),
    ],
)
def test_search_in_plain_indonesian(client, story: Story, query: str, found: set[str]) -> None:
    make_service(story.mentaos, "domisili", name_id="Surat Keterangan Domisili")
    make_service(story.mentaos, "sktm", name_id="Surat Keterangan Tidak Mampu")
    make_service(story.dinkes, "ktp", name_id="Kartu Tanda Penduduk Elektronik (KTP-el)")
    make_service(story.dinkes, "akta", name_id="Akta Kelahiran", product="Kutipan akta kelahiran")
    html = client.get(CATALOGUE, {"q": query}).content.decode()
    shown = {s.code for s in Service.objects.all() if f'href="{_detail(s.pk)}"' in html}
    assert shown == found
    if not found:
        assert 'data-testid="catalogue-empty"' in html


def test_filter_by_area_and_by_office_kind(client, story: Story) -> None:
    mentaos = make_service(story.mentaos, "domisili")
    komet = make_service(story.komet, "domisili")
    kec = make_service(story.kec_utara, "ahli-waris")
    agency = make_service(story.dinkes, "sehat")

    def shown(params: dict) -> set[int]:
        html = client.get(CATALOGUE, params).content.decode()
        return {s.pk for s in (mentaos, komet, kec, agency) if f'href="{_detail(s.pk)}"' in html}

    assert shown({"wilayah": story.mentaos.code}) == {mentaos.pk}
    assert shown({"wilayah": story.kec_utara.code}) == {mentaos.pk, komet.pk, kec.pk}
    assert shown({"jenis": "kelurahan"}) == {mentaos.pk, komet.pk}
    assert shown({"jenis": "kecamatan"}) == {kec.pk}
    assert shown({"jenis": "perangkat_daerah"}) == {agency.pk}
    # Unknown values are ignored, not an error page.
    assert shown({"wilayah": "NOPE", "jenis": "x"}) == {mentaos.pk, komet.pk, kec.pk, agency.pk}
    assert shown({"wilayah": story.mentaos.code, "jenis": "x"}) == {mentaos.pk}
    assert shown({"wilayah": story.root.code}) == {mentaos.pk, komet.pk, kec.pk, agency.pk}  # not an area


def test_detail_shows_the_standar_pelayanan(client, story: Story) -> None:
    service = make_service(
        story.mentaos,
        "domisili",
        name_id="Surat Keterangan Domisili",
        requirements="Surat pengantar RT/RW\nFotokopi KTP-el",
        procedure="Datang ke kantor kelurahan\nSurat ditandatangani lurah",
        time_limit_days=3,
        product="Surat Keterangan Domisili",
        complaint_channel="Kotak saran di kantor kelurahan",
        cost_note="Tidak dipungut biaya",
    )
    services.counter_create(actor=None, unit=story.mentaos, name="Loket 2", services=[service])
    html = client.get(_detail(service.pk)).content.decode()
    assert "<li>Surat pengantar RT/RW</li><li>Fotokopi KTP-el</li>" in html
    assert "<li>Datang ke kantor kelurahan</li><li>Surat ditandatangani lurah</li>" in html
    assert re.search(r'data-testid="time-limit">3 working days<', html)
    assert re.search(r'data-testid="cost"><span class="text-success">Free</span><div[^>]*>Tidak dipungut biaya', html)
    assert "Kotak saran di kantor kelurahan" in html
    assert f'href="{reverse("complaints_public:new")}" data-testid="complaint-link"' in html
    assert "Kelurahan Mentaos · <strong>Loket 2</strong>" in html
    assert 'data-testid="apply-online"' not in html  # not an online service


def test_detail_cost_fixed_and_per_application(client, story: Story) -> None:
    fixed = make_service(story.dinkes, "uji", cost=14000)
    varies = make_service(story.dinkes, "pbg", cost_varies=True, cost_note="Retribusi sesuai luas bangunan")
    assert re.search(r'data-testid="cost">Rp 14,000<', client.get(_detail(fixed.pk)).content.decode())
    html = client.get(_detail(varies.pk)).content.decode()
    assert re.search(r'data-testid="cost">Depends on the application<div[^>]*>Retribusi sesuai luas bangunan', html)


def test_detail_in_indonesian_formats_the_cost(client, story: Story) -> None:
    fixed = make_service(story.dinkes, "uji", cost=1250000)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "id"
    assert "Rp 1.250.000" in client.get(_detail(fixed.pk)).content.decode()


def test_apply_online_link_only_when_the_applications_page_exists(client, story: Story, monkeypatch) -> None:
    service = make_service(story.mentaos, "domisili", is_online=True)
    from balai.publicservices import views_public

    html = client.get(_detail(service.pk)).content.decode()
    expected = views_public.apply_url(service)
    assert ('data-testid="apply-online"' in html) == (expected is not None)
    monkeypatch.setattr(views_public, "reverse", lambda name, **kw: f"/permohonan/{kw.get('args', [0])[0]}/")
    html = client.get(_detail(service.pk)).content.decode()
    assert f'href="/permohonan/{service.pk}/" data-testid="apply-online"' in html


def test_detail_query_count_is_pinned(client, story: Story, mpp: OrgUnit) -> None:
    service = make_service(story.mentaos, "domisili")
    services.counter_create(actor=None, unit=story.mentaos, name="Loket 1", services=[service])
    services.counter_create(actor=None, unit=mpp, name="Loket 9", services=[service])
    with CaptureQueriesContext(connection) as captured:
        assert client.get(_detail(service.pk)).status_code == 200
    assert len(captured) == 2  # the service with its office, the counters with theirs


def test_catalogue_query_count_does_not_grow_with_services(client, story: Story, mpp: OrgUnit) -> None:
    from balai.org.selectors import pemda_root

    for i in range(3):
        make_service(story.mentaos, f"a{i}")
    pemda_root()  # the process keeps the Pemda once read: both counts below see it warm
    with CaptureQueriesContext(connection) as few:
        client.get(CATALOGUE)
    for unit in (story.komet, story.dinkes, story.kec_utara):
        for i in range(5):
            make_service(unit, f"b{i}")
    with CaptureQueriesContext(connection) as many:
        client.get(CATALOGUE)
    assert len(many) == len(few)


def test_cached_list_follows_every_catalogue_change(client, story: Story, mpp: OrgUnit) -> None:
    service = make_service(story.mentaos, "domisili", name_id="Surat Domisili")
    assert "Surat Domisili" in client.get(CATALOGUE).content.decode()
    services.service_update(actor=None, service=service, name_id="Surat Keterangan Domisili Baru")
    html = client.get(CATALOGUE).content.decode()
    assert "Surat Keterangan Domisili Baru" in html
    assert 'data-testid="unit-MPP"' not in html
    counter = services.counter_create(actor=None, unit=mpp, name="Loket 1", services=[service])
    assert 'data-testid="unit-MPP"' in client.get(CATALOGUE).content.decode()
    services.counter_update(actor=None, counter=counter, is_active=False)
    assert 'data-testid="unit-MPP"' not in client.get(CATALOGUE).content.decode()
    services.service_deactivate(actor=None, service=service)
    assert "Surat Keterangan Domisili Baru" not in client.get(CATALOGUE).content.decode()
    # Each language has its own copy.
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "id"
    make_service(story.mentaos, "sktm", name_id="SKTM", name_en="Low-income letter")
    assert "Low-income letter" not in client.get(CATALOGUE).content.decode()
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    assert "Low-income letter" in client.get(CATALOGUE).content.decode()
