"""Report settings: categories (with their Open311 questions), routing rules and Open311 client apps."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from balai.complaints import catalogue, services
from balai.complaints.choices import Channel
from balai.complaints.models import Category, Complaint, Open311Client, RoutingRule
from balai.core.models import AuditEvent
from balai.core.testing import Story, sign_in
from balai.org import services as org
from balai.org.choices import UnitKind
from balai.org.models import OrgUnit, User
from balai.org.roles import Role

pytestmark = pytest.mark.django_db

CATEGORIES = reverse("complaints_staff:manage_categories")
CREATE = reverse("complaints_staff:manage_category_create")
ROUTING = reverse("complaints_staff:manage_routing")
ROUTING_ADD = reverse("complaints_staff:manage_routing_add")
ROUTING_IMPORT = reverse("complaints_staff:manage_routing_import")
OPEN311 = reverse("complaints_staff:manage_open311")


def edit_url(code: str) -> str:
    return reverse("complaints_staff:manage_category_edit", args=[code])


@pytest.fixture
def world(story: Story) -> dict[str, Any]:
    dishub = org.orgunit_create(
        actor=None, parent=story.root, name="Dinas Perhubungan", short_name="Dishub", kind=UnitKind.PERANGKAT_DAERAH,
        code="DISHUB",
    )  # fmt: skip
    lampu = Category.objects.create(
        code="lampu", name_id="Lampu jalan mati", name_en="Street light out", default_unit=dishub, sort_order=1
    )
    jalan = Category.objects.create(code="jalan", name_id="Jalan rusak", name_en="Damaged road", sort_order=2)
    return {"dishub": dishub, "lampu": lampu, "jalan": jalan}


@pytest.fixture
def admin(client: Client, story: Story) -> Client:
    sign_in(client, story.admin)
    return client


def staff(username: str, role: str, unit: OrgUnit) -> User:
    user = org.user_create(actor=None, username=username, full_name=username.title(), password="x-Long-Pass-2026")
    org.role_assign(actor=None, user=user, role=role, org_unit=unit)
    return user


def report(story: Story, category: Category) -> Complaint:
    return services.complaint_submit(
        channel=Channel.WEB,
        category=category,
        description="Lampu mati di depan sekolah",
        pemda=story.root,
        territory=story.mentaos,
        latitude=-3.4420,
        longitude=114.8310,
    )


def category_post(attributes: list[dict[str, Any]] | None = None, initial: int = 0, **fields: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "code": "sampah",
        "name_id": "Sampah menumpuk",
        "name_en": "Uncollected rubbish",
        "description_id": "",
        "description_en": "",
        "classification": "pengaduan",
        "first_response_days": "3",
        "resolution_days": "5",
        "default_unit": "",
        "keywords": "sampah, tps",
        "sort_order": "10",
    }
    data.update(fields)
    rows = attributes or []
    data.update(
        {
            "attributes-TOTAL_FORMS": str(len(rows)),
            "attributes-INITIAL_FORMS": str(initial),
            "attributes-MIN_NUM_FORMS": "0",
            "attributes-MAX_NUM_FORMS": "1000",
        }
    )
    for i, row in enumerate(rows):
        for key, value in row.items():
            if value is True:
                value = "on"
            if value is not False:
                data[f"attributes-{i}-{key}"] = value
    return data


def question(**overrides: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "code": "size",
        "datatype": "singlevaluelist",
        "required": True,
        "order": "",
        "description_id": "Seberapa besar?",
        "description_en": "How big?",
        "datatype_description": "",
        "values": "s=Kecil | Small\nl=Besar | Large",
    }
    row.update(overrides)
    return row


def errors_of(response: Any) -> str:
    return response.content.decode()


# ------------------------------------------------------------------------------------------ who may
def page_urls(world: dict[str, Any]) -> list[str]:
    return [CATEGORIES, CREATE, edit_url("lampu"), ROUTING, ROUTING_ADD, ROUTING_IMPORT, OPEN311]


def test_every_page_renders_for_the_admin(admin: Client, world: dict[str, Any]) -> None:
    for url in page_urls(world):
        response = admin.get(url)
        assert response.status_code == 200, url
        assert b'data-testid="manage-tabs"' in response.content, url
    assert admin.get(reverse("complaints_staff:manage"))["Location"] == CATEGORIES


@pytest.mark.parametrize("who", ["mentaos_clerk", "skpd_operator", "camat", "head", "auditor"])
def test_other_roles_get_404_on_every_page_and_post(
    client: Client, story: Story, world: dict[str, Any], who: str
) -> None:
    client.force_login(getattr(story, who))
    rule = RoutingRule.objects.create(category=world["lampu"], territory=story.mentaos, unit=world["dishub"])
    app, _key = catalogue_app()
    for url in [*page_urls(world), reverse("complaints_staff:manage")]:
        assert client.get(url).status_code == 404, url
    posts = [
        (CREATE, category_post()),
        (edit_url("lampu"), category_post(code="lampu", name_id="Diganti")),
        (reverse("complaints_staff:manage_category_active", args=["lampu"]), {"active": "0"}),
        (reverse("complaints_staff:manage_category_delete", args=["jalan"]), {}),
        (ROUTING_ADD, {"category": "jalan", "territory": story.komet.code, "unit": "DISHUB"}),
        (reverse("complaints_staff:manage_routing_delete", args=[rule.pk]), {}),
        (OPEN311, {"name": "Sneaky"}),
        (reverse("complaints_staff:manage_open311_revoke", args=[app.pk]), {}),
    ]
    for url, data in posts:
        assert client.post(url, data).status_code == 404, url
    assert Category.objects.count() == 2
    assert Category.objects.get(code="lampu").is_active
    assert RoutingRule.objects.count() == 1
    assert list(Open311Client.objects.values_list("name", "is_active")) == [("Warga App", True)]
    assert b"Report settings" not in client.get(reverse("complaints_staff:queue")).content


def catalogue_app() -> tuple[Open311Client, str]:
    from balai.complaints.open311_keys import open311_client_create

    return open311_client_create(actor=None, name="Warga App")


def test_the_desk_head_manages_categories_and_routing_but_not_open311_keys(
    client: Client, story: Story, world: dict[str, Any]
) -> None:
    client.force_login(staff("kabid_pengaduan", Role.SKPD_HEAD, story.root))
    for url in [CATEGORIES, CREATE, edit_url("lampu"), ROUTING, ROUTING_ADD, ROUTING_IMPORT]:
        assert client.get(url).status_code == 200, url
    assert client.get(OPEN311).status_code == 404
    assert client.get(reverse("complaints_staff:manage"))["Location"] == CATEGORIES
    # A desk operator works the queue but does not change its configuration.
    client.force_login(staff("desk", Role.SKPD_OPERATOR, story.root))
    assert client.get(CATEGORIES).status_code == 404


def test_menu_links_to_the_settings_for_the_admin(admin: Client, world: dict[str, Any]) -> None:
    html = admin.get(reverse("complaints_staff:queue")).content.decode()
    assert f'href="{reverse("complaints_staff:manage")}" data-testid="nav-report-settings"' in html


def test_posts_need_the_csrf_token(story: Story, world: dict[str, Any]) -> None:
    strict = Client(enforce_csrf_checks=True, HTTP_ACCEPT_LANGUAGE="en")
    sign_in(strict, story.admin)
    assert strict.post(CREATE, category_post()).status_code == 403
    assert strict.post(OPEN311, {"name": "App"}).status_code == 403
    assert not Category.objects.filter(code="sampah").exists()
    assert not Open311Client.objects.exists()


def test_services_refuse_a_clerk(story: Story, world: dict[str, Any]) -> None:
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        catalogue.category_create(actor=story.mentaos_clerk, code="x", name_id="X", name_en="X")
    with pytest.raises(PermissionDenied):
        catalogue.routing_rule_add(
            actor=story.camat, category=world["lampu"], territory=story.mentaos, unit=world["dishub"]
        )
    app, _key = catalogue_app()
    with pytest.raises(PermissionDenied):
        catalogue.open311_client_revoke(actor=story.mentaos_clerk, client=app)
    assert Category.objects.count() == 2 and not RoutingRule.objects.exists()
    assert Open311Client.objects.get().is_active


# ------------------------------------------------------------------------------------------ categories
def test_list_counts_open_reports_and_rules(admin: Client, story: Story, world: dict[str, Any]) -> None:
    report(story, world["lampu"])
    report(story, world["lampu"])
    RoutingRule.objects.create(category=world["lampu"], territory=story.mentaos, unit=world["dishub"])
    rows = {row.category.code: row for row in catalogue.category_rows()}
    assert (rows["lampu"].open_reports, rows["lampu"].reports, rows["lampu"].rules) == (2, 2, 1)
    assert (rows["jalan"].open_reports, rows["jalan"].reports, rows["jalan"].rules) == (0, 0, 0)
    html = admin.get(CATEGORIES).content.decode()
    assert '<td class="text-end" data-testid="open-lampu">2</td>' in html
    assert '<td class="text-end" data-testid="open-jalan">0</td>' in html


def test_create_a_category(admin: Client, world: dict[str, Any]) -> None:
    response = admin.post(CREATE, category_post(default_unit="DISHUB", attributes=[question()]))
    assert response.status_code == 302, errors_of(response)
    assert response["Location"] == CATEGORIES
    category = Category.objects.get(code="sampah")
    assert (category.name_id, category.name_en, category.first_response_days, category.resolution_days) == (
        "Sampah menumpuk",
        "Uncollected rubbish",
        3,
        5,
    )
    assert category.default_unit == world["dishub"]
    assert category.keywords == "sampah, tps"
    assert category.attributes == [
        {
            "code": "size",
            "datatype": "singlevaluelist",
            "required": True,
            "order": 1,
            "description": {"id": "Seberapa besar?", "en": "How big?"},
            "values": [
                {"key": "s", "name": {"id": "Kecil", "en": "Small"}},
                {"key": "l", "name": {"id": "Besar", "en": "Large"}},
            ],
        }
    ]
    event = AuditEvent.objects.get(action="category.create")
    assert event.actor_label == "admin"
    assert event.object_id == str(category.pk)
    assert event.changes["code"] == "sampah"


BAD_CATEGORY = [
    ({"code": "Lampu Jalan"}, "code", "lower-case letters, digits"),
    ({"code": "lampu"}, "code", "The code lampu is already used by another category."),
    ({"code": ""}, "code", "This field is required."),
    ({"name_id": ""}, "name_id", "The Indonesian name is required."),
    ({"name_en": "  "}, "name_en", "The English name is required."),
    ({"first_response_days": "0"}, "first_response_days", "The first response is due within 1 to 60 working days"),
    ({"first_response_days": "61", "resolution_days": "61"}, "first_response_days", "within 1 to 60 working days"),
    ({"first_response_days": "5", "resolution_days": "3"}, "resolution_days", "cannot be due before the first"),
    ({"resolution_days": "61"}, "resolution_days", "at most 60 working days"),
    ({"resolution_days": "lima"}, "resolution_days", "Enter a whole number."),
    ({"default_unit": "NOPE"}, "default_unit", "Choose an active office of the Pemda"),
    ({"default_unit": "RW01"}, "default_unit", "Choose an active office of the Pemda"),
    ({"classification": "gosip"}, "classification", "Select a valid choice."),
]


@pytest.mark.parametrize(("fields", "field", "message"), BAD_CATEGORY)
def test_bad_category_input_is_refused_and_changes_nothing(
    admin: Client, story: Story, world: dict[str, Any], fields: dict[str, Any], field: str, message: str
) -> None:
    org.orgunit_create(actor=None, parent=story.mentaos, name="RW 01", kind=UnitKind.RW, code="RW01")
    events = AuditEvent.objects.count()
    response = admin.post(CREATE, category_post(**fields))
    assert response.status_code == 200
    html = errors_of(response)
    start = html.index(f'data-testid="error-{field}"')
    assert message in html[start : start + 400]
    assert Category.objects.count() == 2
    assert AuditEvent.objects.count() == events


def test_the_service_checks_the_same_rules(story: Story, world: dict[str, Any]) -> None:
    from django.core.exceptions import ValidationError

    rw = org.orgunit_create(actor=None, parent=story.mentaos, name="RW 01", kind=UnitKind.RW, code="RW01")
    with pytest.raises(ValidationError) as exc:
        catalogue.category_create(
            actor=story.admin, code="x", name_id="X", name_en="", first_response_days=4, resolution_days=3,
            default_unit=rw,
        )  # fmt: skip
    assert set(exc.value.message_dict) == {"name_en", "resolution_days", "default_unit"}
    inactive = org.orgunit_create(
        actor=None, parent=story.root, name="Dinas Lama", kind=UnitKind.PERANGKAT_DAERAH, code="OLD"
    )
    inactive = org.orgunit_update(actor=None, unit=inactive, is_active=False)
    with pytest.raises(ValidationError) as exc:
        catalogue.category_update(actor=story.admin, category=world["lampu"], default_unit=inactive)
    assert list(exc.value.message_dict) == ["default_unit"]
    with pytest.raises(ValidationError):
        catalogue.category_update(actor=story.admin, category=world["lampu"], code="other")
    assert Category.objects.get(code="lampu").default_unit == world["dishub"]


def test_edit_a_category_keeps_its_code_and_audits_the_change(admin: Client, world: dict[str, Any]) -> None:
    page = admin.get(edit_url("lampu")).content.decode()
    assert 'name="code" value="lampu"' in page and "disabled" in page
    data = category_post(code="hacked", name_id="Lampu PJU mati", first_response_days="2", resolution_days="14")
    data["default_unit"] = "DISHUB"
    response = admin.post(edit_url("lampu"), data)
    assert response.status_code == 302, errors_of(response)
    category = Category.objects.get(pk=world["lampu"].pk)
    assert (category.code, category.name_id, category.first_response_days, category.resolution_days) == (
        "lampu",
        "Lampu PJU mati",
        2,
        14,
    )
    event = AuditEvent.objects.get(action="category.update")
    assert event.changes["name_id"] == {"before": "Lampu jalan mati", "after": "Lampu PJU mati"}
    assert event.changes["resolution_days"] == {"before": 5, "after": 14}
    assert "code" not in event.changes


def test_bad_edit_changes_nothing(admin: Client, world: dict[str, Any]) -> None:
    data = category_post(code="lampu", name_id="Baru", first_response_days="7", resolution_days="5")
    response = admin.post(edit_url("lampu"), data)
    assert response.status_code == 200
    assert "The resolution cannot be due before the first response (7 working days)." in errors_of(response)
    category = Category.objects.get(pk=world["lampu"].pk)
    assert (category.name_id, category.first_response_days) == ("Lampu jalan mati", 3)
    assert not AuditEvent.objects.filter(action="category.update").exists()


def test_unknown_category_gets_404(admin: Client, world: dict[str, Any]) -> None:
    assert admin.get(edit_url("nope")).status_code == 404


def test_deactivate_hides_the_category_from_open311_and_activate_brings_it_back(
    admin: Client, world: dict[str, Any]
) -> None:
    def services_list() -> list[str]:
        return [s["service_code"] for s in admin.get("/open311/v2/services.json").json()]

    assert services_list() == ["lampu", "jalan"]
    url = reverse("complaints_staff:manage_category_active", args=["lampu"])
    response = admin.post(url, {"active": "0"}, follow=True)
    assert "is deactivated: citizens and apps can no longer choose it" in response.content.decode()
    assert services_list() == ["jalan"]
    assert admin.get("/open311/v2/services/lampu.json").status_code == 404
    admin.post(url, {"active": "1"})
    assert services_list() == ["lampu", "jalan"]
    assert list(
        AuditEvent.objects.filter(object_type="complaints.category", object_id=str(world["lampu"].pk))
        .order_by("id")
        .values_list("action", flat=True)
    ) == ["category.deactivate", "category.activate"]


def test_a_category_with_reports_is_never_deleted(admin: Client, story: Story, world: dict[str, Any]) -> None:
    report(story, world["lampu"])
    assert "It has 1 report, so it cannot be deleted." in admin.get(edit_url("lampu")).content.decode()
    url = reverse("complaints_staff:manage_category_delete", args=["lampu"])
    response = admin.post(url, follow=True)
    assert (
        "Street light out has 1 reports, so it cannot be deleted: deactivate it instead." in response.content.decode()
    )
    assert Category.objects.filter(code="lampu").exists()
    assert not AuditEvent.objects.filter(action="category.delete").exists()


def test_a_category_without_reports_can_be_deleted(admin: Client, world: dict[str, Any]) -> None:
    response = admin.post(reverse("complaints_staff:manage_category_delete", args=["jalan"]))
    assert response["Location"] == CATEGORIES
    assert not Category.objects.filter(code="jalan").exists()
    assert AuditEvent.objects.get(action="category.delete").changes["code"] == "jalan"


# ------------------------------------------------------------------------------------------ attributes
BAD_ATTRIBUTES = [
    ([question(values="")], "attributes-0-values", "A list question needs its choices"),
    ([question(values="s=Kecil\ns=Sedang")], "attributes-0-values", "Each choice needs its own key; repeated: s."),
    ([question(values="=Kecil")], "attributes-0-values", "Line 1: write the key before the “=”"),
    ([question(datatype="string")], "attributes-0-values", "Only list questions have choices"),
    ([question(code="ukuran lubang")], "attributes-0-code", "with no spaces"),
    ([question(code="")], "attributes-0-code", "This field is required."),
    ([question(description_id="")], "attributes-0-description_id", "This field is required."),
    ([question(datatype="photo")], "attributes-0-datatype", "Select a valid choice."),
    ([question(), question(datatype="text", values="")], "attributes-1-code", "Another question has this code."),
]


@pytest.mark.parametrize(("rows", "field", "message"), BAD_ATTRIBUTES)
def test_bad_questions_are_refused_and_change_nothing(
    admin: Client, world: dict[str, Any], rows: list[dict[str, Any]], field: str, message: str
) -> None:
    response = admin.post(edit_url("lampu"), category_post(code="lampu", attributes=rows))
    assert response.status_code == 200
    html = errors_of(response)
    start = html.index(f'data-testid="error-{field}"')
    assert message in html[start : start + 400]
    assert Category.objects.get(code="lampu").attributes == []
    assert not AuditEvent.objects.filter(action="category.update").exists()


def test_repeated_question_codes_are_named_on_top(admin: Client, world: dict[str, Any]) -> None:
    rows = [question(), question(datatype="text", values="")]
    html = errors_of(admin.post(edit_url("lampu"), category_post(code="lampu", attributes=rows)))
    assert "Each question needs its own code; repeated: size." in html


def test_empty_extra_rows_are_ignored_and_ticked_rows_deleted(admin: Client, world: dict[str, Any]) -> None:
    blank = {"code": "", "datatype": "string", "description_id": "", "values": ""}
    response = admin.post(edit_url("lampu"), category_post(code="lampu", attributes=[question(), blank]))
    assert response.status_code == 302, errors_of(response)
    assert [a["code"] for a in Category.objects.get(code="lampu").attributes] == ["size"]
    response = admin.post(edit_url("lampu"), category_post(code="lampu", initial=1, attributes=[question(DELETE=True)]))
    assert response.status_code == 302, errors_of(response)
    assert Category.objects.get(code="lampu").attributes == []


def test_edited_questions_make_the_open311_service_definition(admin: Client, world: dict[str, Any]) -> None:
    rows = [
        question(order="2"),
        question(
            code="depth_cm", datatype="number", required=False, order="1", description_id="Kedalaman",
            description_en="", datatype_description="cm", values="",
        ),
    ]  # fmt: skip
    response = admin.post(edit_url("lampu"), category_post(code="lampu", attributes=rows))
    assert response.status_code == 302, errors_of(response)
    definition = admin.get("/open311/v2/services/lampu.json", headers={"accept-language": "en"}).json()
    assert definition == {
        "service_code": "lampu",
        "attributes": [
            {
                "variable": True,
                "code": "depth_cm",
                "datatype": "number",
                "required": False,
                "datatype_description": "cm",
                "order": 1,
                "description": "Kedalaman",
                "values": [],
            },
            {
                "variable": True,
                "code": "size",
                "datatype": "singlevaluelist",
                "required": True,
                "datatype_description": None,
                "order": 2,
                "description": "How big?",
                "values": [{"key": "s", "name": "Small"}, {"key": "l", "name": "Large"}],
            },
        ],
    }
    indonesian = admin.get("/open311/v2/services/lampu.json", headers={"accept-language": "id"}).json()
    assert indonesian["attributes"][1]["values"] == [{"key": "s", "name": "Kecil"}, {"key": "l", "name": "Besar"}]
    services_list = {s["service_code"]: s["metadata"] for s in admin.get("/open311/v2/services.json").json()}
    assert services_list == {"lampu": True, "jalan": False}
    # The questions come back into the form as they were written.
    page = admin.get(edit_url("lampu")).content.decode()
    assert "s=Kecil | Small\nl=Besar | Large</textarea>" in page
    assert 'name="attributes-0-code" value="depth_cm"' in page


def test_stored_plain_values_round_trip_through_the_form() -> None:
    spec = {"code": "lanes", "datatype": "multivaluelist", "values": ["left", {"key": "r", "name": "Kanan"}]}
    initial = catalogue.attribute_form_initial(spec, 3)
    assert initial["values"] == "left\nr=Kanan"
    assert initial["order"] == 3
    assert catalogue.parse_values(initial["values"]) == [
        {"key": "left", "name": "left"},
        {"key": "r", "name": "Kanan"},
    ]


# ------------------------------------------------------------------------------------------ routing rules
def test_add_a_rule_then_a_duplicate_is_refused(admin: Client, story: Story, world: dict[str, Any]) -> None:
    data = {"category": "lampu", "territory": story.mentaos.code, "unit": "DISHUB"}
    response = admin.post(ROUTING_ADD, data)
    assert response.status_code == 302
    rule = RoutingRule.objects.get()
    assert (rule.category, rule.territory, rule.unit) == (world["lampu"], story.mentaos, world["dishub"])
    assert services.suggested_unit(category=world["lampu"], territory=story.mentaos) == world["dishub"]
    event = AuditEvent.objects.get(action="routing_rule.create")
    assert event.changes == {"category": "lampu", "territory": story.mentaos.code, "unit": "DISHUB"}

    again = admin.post(ROUTING_ADD, {**data, "unit": "DINKES"})
    assert again.status_code == 200
    assert (
        "Street light out in Kelurahan Mentaos already goes to Dinas Perhubungan. Delete that rule first"
        in errors_of(again)
    )
    assert RoutingRule.objects.get().unit == world["dishub"]
    assert AuditEvent.objects.filter(action="routing_rule.create").count() == 1


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("territory", "DISHUB", "Choose a kecamatan, kelurahan or desa of the Pemda"),  # an agency
        ("territory", "RW01", "Choose a kecamatan, kelurahan or desa of the Pemda"),
        ("unit", "RW01", "Choose an active office of the Pemda"),
        ("category", "nope", "Choose one of the categories."),
    ],
)
def test_bad_rules_are_refused(
    admin: Client, story: Story, world: dict[str, Any], field: str, value: str, message: str
) -> None:
    org.orgunit_create(actor=None, parent=story.mentaos, name="RW 01", kind=UnitKind.RW, code="RW01")
    data = {"category": "lampu", "territory": story.mentaos.code, "unit": "DISHUB", field: value}
    html = errors_of(admin.post(ROUTING_ADD, data))
    start = html.index(f'data-testid="error-{field}"')
    assert message in html[start : start + 300]
    assert not RoutingRule.objects.exists()


def test_the_service_refuses_an_agency_as_territory_but_takes_a_kecamatan(story: Story, world: dict[str, Any]) -> None:
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as exc:
        catalogue.routing_rule_add(
            actor=story.admin, category=world["lampu"], territory=world["dishub"], unit=world["dishub"]
        )
    assert exc.value.message_dict["territory"] == [
        "Dinas Perhubungan is a Regional agency (perangkat daerah): a routing rule is for one kecamatan, "
        "kelurahan or desa of the Pemda."
    ]
    # A kecamatan rule covers its kelurahan; suggested_unit() walks up to it.
    catalogue.routing_rule_add(
        actor=story.admin, category=world["lampu"], territory=story.kec_utara, unit=world["dishub"]
    )


def test_delete_a_rule(admin: Client, story: Story, world: dict[str, Any]) -> None:
    rule = RoutingRule.objects.create(category=world["lampu"], territory=story.mentaos, unit=world["dishub"])
    response = admin.post(reverse("complaints_staff:manage_routing_delete", args=[rule.pk]))
    assert response["Location"] == ROUTING
    assert not RoutingRule.objects.exists()
    event = AuditEvent.objects.get(action="routing_rule.delete")
    assert event.changes == {"category": "lampu", "territory": story.mentaos.code, "unit": "DISHUB"}
    assert admin.post(reverse("complaints_staff:manage_routing_delete", args=[rule.pk])).status_code == 404


def test_list_filters_by_category_and_kecamatan_or_kelurahan(
    admin: Client, story: Story, world: dict[str, Any]
) -> None:
    landasan = OrgUnit.objects.get(code="63.72.02.1003")  # a kelurahan of another kecamatan
    a = RoutingRule.objects.create(category=world["lampu"], territory=story.mentaos, unit=world["dishub"])
    b = RoutingRule.objects.create(category=world["jalan"], territory=story.komet, unit=world["dishub"])
    c = RoutingRule.objects.create(category=world["lampu"], territory=landasan, unit=world["dishub"])

    def shown(**params: str) -> set[int]:
        html = admin.get(ROUTING, params).content.decode()
        return {r.pk for r in (a, b, c) if f'data-testid="rule-{r.pk}"' in html}

    assert shown() == {a.pk, b.pk, c.pk}
    assert shown(category="lampu") == {a.pk, c.pk}
    assert shown(kecamatan="63.72.04") == {a.pk, b.pk}
    assert shown(kelurahan=story.komet.code) == {b.pk}
    assert shown(category="lampu", kecamatan="63.72.04") == {a.pk}


# ------------------------------------------------------------------------------------------ CSV import
def upload(admin: Client, text: str) -> Any:
    file = SimpleUploadedFile("rute.csv", text.encode(), content_type="text/csv")
    return admin.post(ROUTING_IMPORT, {"file": file})


def test_import_preview_reports_each_bad_row_and_imports_nothing(
    admin: Client, story: Story, world: dict[str, Any]
) -> None:
    text = (
        "category_code,kelurahan_code,unit_code\n"
        f"lampu,{story.mentaos.code},DISHUB\n"  # line 2: fine
        f"sampah,{story.mentaos.code},DISHUB\n"  # line 3: unknown category
        "lampu,DISHUB,DISHUB\n"  # line 4: an agency is no territory
        f"jalan,{story.komet.code},NOPE\n"  # line 5: unknown unit
        f"lampu,{story.mentaos.code},DINKES\n"  # line 6: repeats line 2
    )
    response = upload(admin, text)
    html = errors_of(response)
    assert 'data-testid="import-has-errors"' in html
    assert 'data-testid="import-confirm"' not in html
    report = catalogue.routing_rules_import_csv(actor=story.admin, content=text, dry_run=True)
    assert [(r.row, r.status, r.message) for r in report.rows] == [
        (2, "created", "Street light out · Kelurahan Mentaos → Dinas Perhubungan"),
        (3, "error", "no category has the code sampah"),
        (4, "error", "Dinas Perhubungan is a Regional agency (perangkat daerah): a routing rule is for one "
                     "kecamatan, kelurahan or desa of the Pemda."),
        (5, "error", "no unit has the code NOPE"),
        (6, "error", f"line 2 already routes lampu in {story.mentaos.code}"),
    ]  # fmt: skip
    for row in report.rows:
        assert f'data-testid="import-row-{row.row}"' in html
    assert "no category has the code sampah" in html
    # Not even the good row: all or nothing, also when applied directly.
    assert catalogue.routing_rules_import_csv(actor=story.admin, content=text).has_errors
    assert not RoutingRule.objects.exists()
    assert not AuditEvent.objects.filter(action="routing_rule.import").exists()


def test_import_preview_then_confirm(admin: Client, story: Story, world: dict[str, Any]) -> None:
    RoutingRule.objects.create(category=world["jalan"], territory=story.komet, unit=story.dinkes)
    RoutingRule.objects.create(category=world["lampu"], territory=story.komet, unit=world["dishub"])
    text = (
        "category_code;kelurahan_code;unit_code\n"  # Excel in an Indonesian locale
        f"lampu;{story.mentaos.code};DISHUB\n"
        f"jalan;{story.komet.code};DISHUB\n"
        f"lampu;{story.komet.code};DISHUB\n"
    )
    html = errors_of(upload(admin, text))
    assert 'data-testid="import-confirm"' in html
    assert RoutingRule.objects.count() == 2  # a preview changes nothing
    token = html.split('name="token" value="')[1].split('"')[0]
    response = admin.post(ROUTING_IMPORT, {"token": token})
    assert response["Location"] == ROUTING
    rules = {(r.category.code, r.territory.code): r.unit.code for r in RoutingRule.objects.select_related()}
    assert rules == {
        ("lampu", story.mentaos.code): "DISHUB",
        ("jalan", story.komet.code): "DISHUB",
        ("lampu", story.komet.code): "DISHUB",
    }
    event = AuditEvent.objects.get(action="routing_rule.import")
    assert (event.changes["created"], event.changes["updated"]) == (1, 1)
    assert event.actor_label == "admin"
    # The same token cannot apply the file twice.
    again = admin.post(ROUTING_IMPORT, {"token": token}, follow=True)
    assert "This preview has expired. Upload the file again." in again.content.decode()


def test_import_with_wrong_headers_is_explained(admin: Client, world: dict[str, Any]) -> None:
    html = errors_of(upload(admin, "kategori,kelurahan,unit\nlampu,63.72.04.1002,DISHUB\n"))
    assert "Wrong or missing column headers: category_code, kelurahan_code, unit_code." in html
    assert not RoutingRule.objects.exists()


def test_import_template_is_a_valid_file(admin: Client, story: Story, world: dict[str, Any]) -> None:
    response = admin.get(ROUTING_IMPORT, {"template": "1"})
    assert response["Content-Disposition"] == 'attachment; filename="template_routing.csv"'
    report = catalogue.routing_rules_import_csv(actor=story.admin, content=response.content, dry_run=True)
    assert [r.status for r in report.rows] == ["created"]


# ------------------------------------------------------------------------------------------ Open311 apps
def test_create_shows_the_key_once_and_it_files_reports_until_revoked(
    admin: Client, story: Story, world: dict[str, Any]
) -> None:
    response = admin.post(OPEN311, {"name": "Banjarbaru Smart"})
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    html = response.content.decode()
    key = html.split('data-testid="open311-key">')[1].split("</textarea>")[0]
    assert key.startswith("o311_")
    app = Open311Client.objects.get(name="Banjarbaru Smart")
    assert key not in (app.key_hash, app.key_prefix)
    assert key not in admin.get(OPEN311).content.decode()  # never shown again
    assert f"o311_{app.key_prefix}_…" in admin.get(OPEN311).content.decode()

    post = {
        "api_key": key,
        "service_code": "lampu",
        "lat": "-3.4420",
        "long": "114.8310",
        "description": "Lampu mati di depan sekolah",
    }
    anonymous = Client()
    created = anonymous.post("/open311/v2/requests.json", post)
    assert created.status_code == 201, created.content
    assert Complaint.objects.get().channel == Channel.OPEN311

    response = admin.post(reverse("complaints_staff:manage_open311_revoke", args=[app.pk]), follow=True)
    assert "The key of “Banjarbaru Smart” is revoked" in response.content.decode()
    refused = anonymous.post("/open311/v2/requests.json", post)
    assert refused.status_code == 403
    assert Complaint.objects.count() == 1
    assert list(
        AuditEvent.objects.filter(object_id=str(app.pk), object_type="complaints.open311client")
        .order_by("id")
        .values_list("action", "actor_label")
    ) == [("open311_client.create", "admin"), ("open311_client.revoke", "admin")]


def test_an_app_needs_a_name(admin: Client, world: dict[str, Any]) -> None:
    html = errors_of(admin.post(OPEN311, {"name": "  "}))
    assert 'data-testid="error-name"' in html
    assert not Open311Client.objects.exists()


def test_command_lists_and_revokes(story: Story, capsys: pytest.CaptureFixture[str]) -> None:
    app, key = catalogue_app()
    call_command("open311_client", "--list")
    assert capsys.readouterr().out.split("\t")[0] == f"o311_{app.key_prefix}_…"
    call_command("open311_client", "--revoke", key[:13])
    assert "revoked" in capsys.readouterr().out
    assert not Open311Client.objects.get().is_active
    assert AuditEvent.objects.get(action="open311_client.revoke").actor_label == "system"


def test_a_new_category_gets_its_indicator_at_once_and_a_rename_follows(story: Story, world: dict[str, Any]) -> None:
    from balai.indicators.models import Indicator

    category = catalogue.category_create(
        actor=story.admin, code="banjir", name_id="Banjir / genangan", name_en="Flooding"
    )
    indicator = Indicator.objects.get(code="complaints.received.cat.banjir")
    assert "Banjir / genangan" in indicator.name_id
    catalogue.category_update(actor=story.admin, category=category, name_id="Genangan air")
    indicator.refresh_from_db()
    assert "Genangan air" in indicator.name_id
