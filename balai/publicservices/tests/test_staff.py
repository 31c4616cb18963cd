"""Catalogue admin pages: a unit's staff manage their own office only; other offices answer 404."""

from __future__ import annotations

import pytest
from django.urls import reverse

from balai.core.models import AuditEvent
from balai.core.testing import ScopingContract, Story, sign_in
from balai.org.models import OrgUnit
from balai.publicservices import services
from balai.publicservices.models import Counter, Service
from balai.publicservices.tests.conftest import make_service

pytestmark = pytest.mark.django_db
MANAGE = "/layanan/kelola/"


def _mentaos_objects(story: Story) -> tuple[Service, Counter]:
    service = Service.objects.filter(unit=story.mentaos, code="domisili").first() or make_service(
        story.mentaos, "domisili"
    )
    counter = Counter.objects.filter(unit=story.mentaos).first() or services.counter_create(
        actor=None, unit=story.mentaos, name="Loket 1", services=[service]
    )
    return service, counter


class TestCatalogueScoping(ScopingContract):
    def mentaos_urls(self, story: Story) -> list[str]:
        service, counter = _mentaos_objects(story)
        return [
            reverse("publicservices:manage_service_edit", args=[service.pk]),
            reverse("publicservices:manage_counter_edit", args=[counter.pk]),
            reverse("publicservices:manage_counter_new") + f"?unit={story.mentaos.code}",
            reverse("publicservices:manage_service_new") + f"?unit={story.mentaos.code}",
        ]


def _form(**overrides: object) -> dict[str, object]:
    data: dict[str, object] = {
        "code": "sk-domisili",
        "name_id": "Surat Keterangan Domisili",
        "name_en": "Certificate of domicile",
        "requirements": "Surat pengantar RT/RW\nFotokopi KTP-el",
        "procedure": "Datang ke kantor\nSurat ditandatangani lurah",
        "time_limit_days": "1",
        "cost": "0",
        "is_active": "on",
        "sort_order": "10",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def test_list_shows_only_own_office(client, story: Story) -> None:
    make_service(story.mentaos, "domisili", name_id="Domisili Mentaos")
    make_service(story.komet, "domisili-komet", name_id="Domisili Komet")
    client.force_login(story.mentaos_clerk)
    html = client.get(MANAGE).content.decode()
    assert "Domisili Mentaos" in html
    assert "Domisili Komet" not in html


def test_people_without_edit_rights_get_404(client, story: Story) -> None:
    for user in (story.head, story.auditor, story.citizen):
        client.force_login(user)
        assert client.get(MANAGE).status_code == 404, user.username
    client.logout()
    assert client.get(MANAGE).status_code == 302  # to the sign-in page


def test_clerk_creates_a_service_for_their_office(client, story: Story) -> None:
    client.force_login(story.mentaos_clerk)
    page = client.get(reverse("publicservices:manage_service_new")).content.decode()
    assert f'<option value="{story.mentaos.code}" selected>' in page
    response = client.post(reverse("publicservices:manage_service_new"), _form(unit=story.mentaos.code))
    assert response.status_code == 302
    service = Service.objects.get(unit=story.mentaos, code="sk-domisili")
    assert (service.name_id, service.requirements, service.is_active) == (
        "Surat Keterangan Domisili",
        "Surat pengantar RT/RW\nFotokopi KTP-el",
        True,
    )
    assert AuditEvent.objects.filter(action="service.create", actor=story.mentaos_clerk).count() == 1


def test_clerk_cannot_create_for_another_office(client, story: Story) -> None:
    client.force_login(story.komet_clerk)
    response = client.post(reverse("publicservices:manage_service_new"), _form(unit=story.mentaos.code))
    assert response.status_code == 200
    assert 'data-testid="error-unit"' in response.content.decode()
    assert not Service.objects.exists()


def test_bad_input_shows_the_message_on_the_field_and_saves_nothing(client, story: Story) -> None:
    make_service(story.mentaos, "sk-domisili")
    client.force_login(story.mentaos_clerk)
    response = client.post(
        reverse("publicservices:manage_service_new"),
        _form(unit=story.mentaos.code, requirements="  ", time_limit_days="400"),
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="error-time_limit_days"' in html
    # The form passes, the service rules answer: the code is taken and an active service needs requirements.
    response = client.post(
        reverse("publicservices:manage_service_new"), _form(unit=story.mentaos.code, requirements="")
    )
    html = response.content.decode()
    assert "Kelurahan Mentaos already has a service with the code sk-domisili." in html
    assert "An active service needs its requirements (persyaratan), one per line." in html
    assert Service.objects.count() == 1


def test_edit_and_deactivate(client, story: Story) -> None:
    service = make_service(story.mentaos, "domisili")
    client.force_login(story.mentaos_clerk)
    url = reverse("publicservices:manage_service_edit", args=[service.pk])
    assert 'name="unit"' not in client.get(url).content.decode()  # the office is fixed
    response = client.post(url, _form(code="domisili", name_id="Domisili Baru", cost="5000"))
    assert response.status_code == 302
    service.refresh_from_db()
    assert (service.name_id, service.cost) == ("Domisili Baru", 5000)
    client.post(reverse("publicservices:manage_service_deactivate", args=[service.pk]))
    service.refresh_from_db()
    assert service.is_active is False


def test_other_kelurahan_cannot_deactivate(client, story: Story) -> None:
    service = make_service(story.mentaos, "domisili")
    client.force_login(story.komet_clerk)
    response = client.post(reverse("publicservices:manage_service_deactivate", args=[service.pk]))
    assert response.status_code == 404
    service.refresh_from_db()
    assert service.is_active is True


def test_counter_create_and_assign_services(client, story: Story) -> None:
    domisili = make_service(story.mentaos, "domisili")
    sktm = make_service(story.mentaos, "sktm")
    komet = make_service(story.komet, "komet")
    client.force_login(story.mentaos_clerk)
    url = reverse("publicservices:manage_counter_new")
    page = client.get(url).content.decode()  # one office: no need to choose it
    assert f'value="{domisili.pk}"' in page
    assert f'value="{komet.pk}"' not in page
    response = client.post(url, {"name": "Loket 1", "services": [domisili.pk, sktm.pk], "is_active": "on"})
    assert response.status_code == 302
    counter = Counter.objects.get(unit=story.mentaos)
    assert set(counter.services.all()) == {domisili, sktm}
    # A service of another office is not even a choice.
    edit = reverse("publicservices:manage_counter_edit", args=[counter.pk])
    response = client.post(edit, {"name": "Loket 1", "services": [komet.pk], "is_active": "on"})
    assert response.status_code == 200
    assert set(counter.services.all()) == {domisili, sktm}
    response = client.post(edit, {"name": "Loket Utama", "services": [sktm.pk]})
    assert response.status_code == 302
    counter.refresh_from_db()
    assert (counter.name, counter.is_active, list(counter.services.all())) == ("Loket Utama", False, [sktm])


def test_admin_with_many_offices_chooses_the_office_of_a_new_counter(client, story: Story, mpp: OrgUnit) -> None:
    domisili = make_service(story.mentaos, "domisili")
    sign_in(client, story.admin)
    page = client.get(reverse("publicservices:manage_counter_new")).content.decode()
    assert 'data-testid="counter-unit"' in page
    # At the MPP every active service of the Pemda can be served.
    page = client.get(reverse("publicservices:manage_counter_new") + "?unit=MPP").content.decode()
    assert f'value="{domisili.pk}"' in page
    response = client.post(
        reverse("publicservices:manage_counter_new") + "?unit=MPP",
        {"name": "Loket Kelurahan", "services": [domisili.pk], "is_active": "on"},
    )
    assert response.status_code == 302
    assert list(Counter.objects.get(unit=mpp).services.all()) == [domisili]


def test_counter_list_scoped(client, story: Story) -> None:
    services.counter_create(actor=None, unit=story.mentaos, name="Loket Mentaos")
    services.counter_create(actor=None, unit=story.komet, name="Loket Komet")
    client.force_login(story.mentaos_clerk)
    html = client.get(reverse("publicservices:manage_counters")).content.decode()
    assert "Loket Mentaos" in html
    assert "Loket Komet" not in html


def test_staff_lists_query_count_does_not_grow(client, story: Story) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    sign_in(client, story.admin)

    def count(url: str) -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    a = make_service(story.mentaos, "a")
    services.counter_create(actor=None, unit=story.mentaos, name="Loket 1", services=[a])
    few = (count(MANAGE), count(reverse("publicservices:manage_counters")))
    for unit in (story.komet, story.dinkes, story.kec_utara):
        more = [make_service(unit, f"s{i}") for i in range(4)]
        services.counter_create(actor=None, unit=unit, name="Loket 1", services=more)
    assert (count(MANAGE), count(reverse("publicservices:manage_counters"))) == few
