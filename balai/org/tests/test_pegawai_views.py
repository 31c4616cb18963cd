"""The ASN register pages: scoped list and detail, admin forms, NIP messages, masked personal data."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from balai.core.testing import Story, sign_in
from balai.org import services
from balai.org.models import Pegawai

pytestmark = pytest.mark.django_db

NIP = "198503122010011001"  # born 12 March 1985, TMT January 2010, male, serial 001
NIK = "6372041203850001"
PHONE = "081234567890"


@pytest.fixture(autouse=True)
def english(client: Client) -> None:
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


@pytest.fixture
def siti(story: Story) -> Pegawai:
    return services.pegawai_create(
        actor=None, org_unit=story.mentaos, nip=NIP, name="Siti Aminah", nik=NIK, phone=PHONE, position="Lurah"
    )


def form_data(story: Story, **overrides: str) -> dict[str, str]:
    data = {
        "nip": "199001152015032002",
        "name": "Rina Wati",
        "org_unit": story.mentaos.code,
        "employment_type": "pns",
        "is_active": "on",
    }
    data.update(overrides)
    return data


# ------------------------------------------------------------------------------------ list
def test_list_is_scoped_searchable_and_filtered(client: Client, story: Story, siti: Pegawai) -> None:
    services.pegawai_create(actor=None, org_unit=story.komet, nip="199001152015032002", name="Rina Wati")
    sign_in(client, story.mentaos_clerk)
    response = client.get(reverse("org:pegawai_list"))
    assert [p.name for p in response.context["page"]] == ["Siti Aminah"]

    sign_in(client, story.camat)
    assert [p.name for p in client.get(reverse("org:pegawai_list")).context["page"]] == ["Rina Wati", "Siti Aminah"]
    by_nip = client.get(reverse("org:pegawai_list"), {"q": "19850312"})
    assert [p.name for p in by_nip.context["page"]] == ["Siti Aminah"]
    by_name = client.get(reverse("org:pegawai_list"), {"q": "rina"})
    assert [p.name for p in by_name.context["page"]] == ["Rina Wati"]
    by_unit = client.get(reverse("org:pegawai_list"), {"unit": story.komet.code})
    assert [p.name for p in by_unit.context["page"]] == ["Rina Wati"]


def test_list_paginates_by_50(client: Client, story: Story) -> None:
    for i in range(51):
        services.pegawai_create(
            actor=None, org_unit=story.mentaos, nip=f"1985031220100110{i + 1:02d}", name=f"Pegawai {i:02d}"
        )
    sign_in(client, story.mentaos_clerk)
    first = client.get(reverse("org:pegawai_list"))
    assert len(first.context["page"].object_list) == 50
    assert first.context["page"].paginator.num_pages == 2
    second = client.get(reverse("org:pegawai_list"), {"page": 2})
    assert [p.name for p in second.context["page"]] == ["Pegawai 50"]


def test_list_filtered_by_a_unit_out_of_scope_is_404(client: Client, story: Story) -> None:
    sign_in(client, story.komet_clerk)
    assert client.get(reverse("org:pegawai_list"), {"unit": story.mentaos.code}).status_code == 404


# ---------------------------------------------------------------------------------- detail
def test_other_kelurahan_gets_404_on_a_mentaos_pegawai(client: Client, story: Story, siti: Pegawai) -> None:
    sign_in(client, story.komet_clerk)
    assert client.get(reverse("org:pegawai_detail", args=[siti.pk])).status_code == 404
    assert client.get(reverse("org:pegawai_edit", args=[siti.pk])).status_code == 404


def test_nik_and_phone_are_masked_for_the_head_of_region(client: Client, story: Story, siti: Pegawai) -> None:
    sign_in(client, story.head)
    response = client.get(reverse("org:pegawai_detail", args=[siti.pk]))
    assert response.status_code == 200
    assert response.context["nik"] == "••••••••••••0001"
    assert response.context["phone"] == "••••••••7890"
    html = response.content.decode()
    assert NIK not in html
    assert PHONE not in html
    assert response.context["can_edit"] is False


def test_nik_is_masked_for_the_auditor(client: Client, story: Story, siti: Pegawai) -> None:
    sign_in(client, story.auditor)
    assert client.get(reverse("org:pegawai_detail", args=[siti.pk])).context["nik"] == "••••••••••••0001"


def test_nik_is_shown_to_the_admin(client: Client, story: Story, siti: Pegawai) -> None:
    sign_in(client, story.admin)
    response = client.get(reverse("org:pegawai_detail", args=[siti.pk]))
    assert response.context["nik"] == NIK
    assert response.context["phone"] == PHONE
    assert NIK in response.content.decode()
    assert response.context["can_edit"] is True


# ----------------------------------------------------------------------------------- forms
def test_admin_adds_a_pegawai_with_dates_and_sex_from_the_nip(client: Client, story: Story) -> None:
    sign_in(client, story.admin)
    response = client.post(reverse("org:pegawai_add"), form_data(story, nip="19900115 201503 2 002"))
    assert response.status_code == 302
    p = Pegawai.objects.get(nip="199001152015032002")
    assert (p.name, p.org_unit_id, p.sex, p.birth_date, p.tmt_cpns) == (
        "Rina Wati",
        story.mentaos.pk,
        "P",
        dt.date(1990, 1, 15),
        dt.date(2015, 3, 1),
    )
    assert response["Location"] == reverse("org:pegawai_detail", args=[p.pk])


def test_nip_with_month_13_in_the_tmt_part_shows_the_tmt_message(client: Client, story: Story) -> None:
    sign_in(client, story.admin)
    response = client.post(reverse("org:pegawai_add"), form_data(story, nip="199001152015132002"))
    assert response.status_code == 200
    assert response.context["form"].errors["nip"] == [
        "NIP digits 9–14 must be the start of service (TMT CPNS) as YYYYMM; month 13 is not valid."
    ]
    assert "NIP digits 9–14 must be the start of service" in response.content.decode()
    assert not Pegawai.objects.exists()


def test_nip_and_other_field_errors_show_together(client: Client, story: Story) -> None:
    sign_in(client, story.admin)
    response = client.post(
        reverse("org:pegawai_add"), form_data(story, nip="199001152015132002", org_unit="", nik="63720412038")
    )
    errors = response.context["form"].errors
    assert errors["nip"] == [
        "NIP digits 9–14 must be the start of service (TMT CPNS) as YYYYMM; month 13 is not valid."
    ]
    assert errors["org_unit"] == ["This field is required."]
    assert errors["nik"] == ["NIK must be 16 digits; this one has 11."]


def test_nip_with_a_bad_birth_date_names_digits_1_to_8(client: Client, story: Story) -> None:
    sign_in(client, story.admin)
    response = client.post(reverse("org:pegawai_add"), form_data(story, nip="199002302015032002"))
    assert response.context["form"].errors["nip"] == [
        "NIP digits 1–8 must be a valid birth date (YYYYMMDD); 19900230 is not."
    ]


def test_nip_of_the_wrong_length_says_how_many_digits(client: Client, story: Story) -> None:
    sign_in(client, story.admin)
    response = client.post(reverse("org:pegawai_add"), form_data(story, nip="1990011520150320"))
    assert response.context["form"].errors["nip"] == ["NIP must be 18 digits; this one has 16."]


def test_birth_date_contradicting_the_nip_is_shown_on_its_field(client: Client, story: Story) -> None:
    sign_in(client, story.admin)
    response = client.post(reverse("org:pegawai_add"), form_data(story, birth_date="1991-01-15"))
    assert response.context["form"].errors["birth_date"] == ["Birth date does not match NIP digits 1–8."]


def test_kelurahan_operator_cannot_add_or_edit(client: Client, story: Story, siti: Pegawai) -> None:
    sign_in(client, story.mentaos_clerk)
    assert client.get(reverse("org:pegawai_add")).status_code == 404
    assert client.post(reverse("org:pegawai_add"), form_data(story)).status_code == 404
    assert client.get(reverse("org:pegawai_edit", args=[siti.pk])).status_code == 404
    assert Pegawai.objects.count() == 1


def test_admin_edits_a_pegawai_and_a_new_nip_rederives_the_dates(client: Client, story: Story, siti: Pegawai) -> None:
    sign_in(client, story.admin)
    url = reverse("org:pegawai_edit", args=[siti.pk])
    form = client.get(url).context["form"]
    data = {name: form[name].value() for name in form.fields}
    data = {k: ("on" if v is True else v) for k, v in data.items() if v not in (None, False)}
    data["birth_date"] = siti.birth_date.isoformat()
    data["tmt_cpns"] = siti.tmt_cpns.isoformat()
    data.update(nip="198604202011012003", position="Sekretaris Lurah")
    response = client.post(url, data)
    assert response.status_code == 302
    siti.refresh_from_db()
    assert (siti.nip, siti.position, siti.birth_date, siti.tmt_cpns, siti.sex) == (
        "198604202011012003",
        "Sekretaris Lurah",
        dt.date(1986, 4, 20),
        dt.date(2011, 1, 1),
        "P",
    )
    assert siti.nik == NIK
