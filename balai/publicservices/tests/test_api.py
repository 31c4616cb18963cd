"""The public catalogue over the API: no token needed, inactive services hidden, the standar pelayanan as lists."""

from __future__ import annotations

import pytest

from balai.core.testing import Story
from balai.org.models import OrgUnit
from balai.publicservices import services
from balai.publicservices.tests.conftest import make_service

pytestmark = pytest.mark.django_db


def test_list_and_search_without_a_token(client, story: Story) -> None:
    domisili = make_service(story.mentaos, "domisili", name_id="Surat Keterangan Domisili")
    make_service(story.komet, "sktm", name_id="Surat Keterangan Tidak Mampu")
    old = make_service(story.mentaos, "lama")
    services.service_deactivate(actor=None, service=old)
    body = client.get("/api/v1/catalogue/services").json()
    assert body["count"] == 2
    body = client.get("/api/v1/catalogue/services", {"q": "domisili"}).json()
    assert body["count"] == 1
    item = body["items"][0]
    assert item == {
        "id": domisili.pk,
        "code": "domisili",
        "name": "Surat Keterangan Domisili",
        "office": {"code": story.mentaos.code, "name": "Kelurahan Mentaos", "group": "kelurahan"},
        "timeLimitDays": 1,
        "cost": 0,
        "costVaries": False,
        "isFree": True,
        "isOnline": False,
        "url": f"http://testserver/layanan/{domisili.pk}/",
    }
    assert client.get("/api/v1/catalogue/services", {"area": story.komet.code}).json()["count"] == 1
    assert client.get("/api/v1/catalogue/services", {"office": story.mentaos.code}).json()["count"] == 1


def test_detail_with_standard_and_counters(client, story: Story, mpp: OrgUnit) -> None:
    service = make_service(story.mentaos, "domisili", requirements="Pengantar RT/RW\nFotokopi KTP-el")
    services.counter_create(actor=None, unit=mpp, name="Loket 5", services=[service])
    body = client.get(f"/api/v1/catalogue/services/{service.pk}").json()
    assert body["requirements"] == ["Pengantar RT/RW", "Fotokopi KTP-el"]
    assert body["counters"] == [
        {
            "id": body["counters"][0]["id"],
            "name": "Loket 5",
            "office": {"code": "MPP", "name": mpp.name, "group": "mpp"},
        }
    ]
    services.service_deactivate(actor=None, service=service)
    assert client.get(f"/api/v1/catalogue/services/{service.pk}").status_code == 404
