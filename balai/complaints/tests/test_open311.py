from __future__ import annotations

import datetime as dt
import json
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
from django.core.cache import caches
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry
from referencing.jsonschema import DRAFT202012

from balai.complaints.choices import Channel, Classification, Status
from balai.complaints.models import Category, Complaint, ComplaintPhoto, Open311Client
from balai.complaints.open311_keys import open311_client_create, open311_client_verify
from balai.complaints.services import complaint_respond, complaint_submit, complaint_verify
from balai.core.audit import AuditEvent
from balai.core.testing import Story
from balai.org.services import hash_token

SPECS = Path("/work/shared/specs/open311")
BASE = "/open311/v2"
WITA = dt.timezone(dt.timedelta(hours=8))
# 1x1 transparent GIF
GIF = (
    b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01\x00\x00\x00\x00"
    b",\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;"
)


# The formats the schemas use, checked strictly without the optional rfc3339/rfc3987 packages.
FORMATS = FormatChecker(formats=())


@FORMATS.checks("date-time", raises=ValueError)
def _is_w3c_datetime(value: object) -> bool:
    return not isinstance(value, str) or dt.datetime.fromisoformat(value).tzinfo is not None


@FORMATS.checks("uri")
def _is_uri(value: object) -> bool:
    return not isinstance(value, str) or value.startswith(("http://", "https://"))


def _validator(name: str) -> Draft202012Validator:
    resources = [(p.name, DRAFT202012.create_resource(json.loads(p.read_text()))) for p in SPECS.glob("*.json")]
    registry: Registry = Registry().with_resources(resources)
    return Draft202012Validator(json.loads((SPECS / name).read_text()), registry=registry, format_checker=FORMATS)


def _datetimes_have_offset(rows: list[dict[str, Any]]) -> None:
    for row in rows:
        for key, value in row.items():
            if key.endswith("_datetime") and value is not None:
                assert dt.datetime.fromisoformat(value).utcoffset() == dt.timedelta(hours=8), (key, value)


def get_json(client: Client, url: str, schema: str | None = None, lang: str = "id", **params: Any) -> Any:
    response = client.get(f"{BASE}/{url}", params, headers={"accept-language": lang})
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("application/json")
    data = response.json()
    if schema:
        _validator(schema).validate(data)
    return data


def get_xml(client: Client, url: str, lang: str = "id", **params: Any) -> ET.Element:
    response = client.get(f"{BASE}/{url}", params, headers={"accept-language": lang})
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("text/xml")
    return ET.fromstring(response.content)  # noqa: S314 - our own output


def xml_rows(root: ET.Element) -> list[dict[str, str | None]]:
    return [{child.tag: child.text for child in item} for item in root]


def json_as_xml_text(rows: list[dict[str, Any]]) -> list[dict[str, str | None]]:
    def text(v: Any) -> str | None:
        if v is None:
            return None
        if isinstance(v, bool):
            return "true" if v else "false"
        return str(v)

    return [{k: text(v) for k, v in row.items()} for row in rows]


@pytest.fixture(autouse=True)
def empty_open311_cache() -> None:
    """Answers are cached per complaints version, and rolled-back ids make versions repeat across tests."""
    caches["open311"].clear()


@pytest.fixture
def world(story: Story, settings: Any, tmp_path: Path) -> dict[str, Any]:
    settings.MEDIA_ROOT = tmp_path
    roads = Category.objects.create(
        code="roads",
        name_id="Jalan rusak",
        name_en="Damaged road",
        description_id="Jalan berlubang",
        description_en="Potholes",
        keywords="jalan,lubang",
        attributes=[
            {
                "code": "size",
                "datatype": "singlevaluelist",
                "required": True,
                "description": "How big is it?",
                "values": [{"key": "s", "name": "Small"}, {"key": "l", "name": "Large"}],
            },
            {"code": "lanes", "datatype": "multivaluelist", "required": False, "values": ["left", "right"]},
        ],
        sort_order=1,
    )
    lights = Category.objects.create(code="lights", name_id="Lampu jalan", name_en="Street light", sort_order=2)
    Category.objects.create(code="old", name_id="Lama", name_en="Old", is_active=False)
    client_obj, key = open311_client_create(actor=None, name="Warga App")
    return {"roads": roads, "lights": lights, "key": key, "client": client_obj}


def make_report(story: Story, category: Category, days_ago: float, *, public: bool = True, **kw: Any) -> Complaint:
    complaint = complaint_submit(
        channel=Channel.WEB,
        category=category,
        description=kw.pop("description", "Lubang besar di depan sekolah"),
        pemda=story.root,
        latitude=kw.pop("latitude", -3.4417),
        longitude=kw.pop("longitude", 114.8302),
        address=kw.pop("address", "Jl. Ahmad Yani km 34"),
        reporter_name="Budi Santoso",
        reporter_phone="081234567890",
        reporter_email="budi@example.id",
        received_at=timezone.now() - dt.timedelta(days=days_ago),
        **kw,
    )
    if public:
        complaint = complaint_verify(
            actor=story.admin,
            complaint=complaint,
            version=complaint.version,
            title="Jalan rusak",
            classification=Classification.PENGADUAN,
            category=category,
            unit=story.diskominfo,
        )
    return complaint


def close(story: Story, complaint: Complaint) -> Complaint:
    complaint_respond(
        actor=story.admin, complaint=complaint, version=complaint.version, text="Sudah diperbaiki.", status="resolved"
    )
    return Complaint.objects.get(pk=complaint.pk)


def post_request(client: Client, fmt: str = "json", **data: Any) -> Any:
    return client.post(f"{BASE}/requests.{fmt}", data)


# ------------------------------------------------------------------------------------------ keys
def test_key_is_stored_only_as_its_hash_and_audited(world: dict[str, Any]) -> None:
    client_obj: Open311Client = world["client"]
    assert client_obj.key_hash == hash_token(world["key"])
    assert world["key"] not in {client_obj.key_hash, client_obj.key_prefix}
    assert open311_client_verify(world["key"]) == client_obj
    assert open311_client_verify("o311_wrong") is None
    assert open311_client_verify("") is None
    assert AuditEvent.objects.filter(action="open311_client.create", object_id=str(client_obj.pk)).count() == 1


def test_revoked_key_no_longer_verifies(world: dict[str, Any]) -> None:
    Open311Client.objects.filter(pk=world["client"].pk).update(is_active=False)
    assert open311_client_verify(world["key"]) is None


def test_kelurahan_clerk_cannot_create_key(world: dict[str, Any], story: Story) -> None:
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        open311_client_create(actor=story.mentaos_clerk, name="Sneaky")
    assert Open311Client.objects.count() == 1


# ------------------------------------------------------------------------------------------ discovery, services
def test_discovery_in_both_formats(client: Client, world: dict[str, Any]) -> None:
    data = get_json(client, "discovery.json")
    assert data["endpoints"] == [
        {
            "specification": "http://wiki.open311.org/GeoReport_v2",
            "url": "http://testserver/open311/v2",
            "changeset": "2026-11-22T00:00:00+00:00",
            "type": "production",
            "formats": ["text/xml", "application/json"],
        }
    ]
    root = get_xml(client, "discovery.xml")
    assert root.tag == "discovery"
    assert [f.text for f in root.findall("endpoints/endpoint/formats/format")] == ["text/xml", "application/json"]


def test_services_list_active_categories_in_the_request_language(client: Client, world: dict[str, Any]) -> None:
    data = get_json(client, "services.json", "services.json", lang="en")
    assert data == [
        {
            "service_code": "roads",
            "service_name": "Damaged road",
            "description": "Potholes",
            "metadata": True,
            "type": "realtime",
            "keywords": "jalan,lubang",
            "group": "Complaint (pengaduan)",
        },
        {
            "service_code": "lights",
            "service_name": "Street light",
            "description": None,
            "metadata": False,
            "type": "realtime",
            "keywords": None,
            "group": "Complaint (pengaduan)",
        },
    ]
    root = get_xml(client, "services.xml", lang="en")
    assert root.tag == "services"
    assert xml_rows(root) == json_as_xml_text(data)
    indonesian = get_json(client, "services.json", lang="id")
    assert [s["service_name"] for s in indonesian] == ["Jalan rusak", "Lampu jalan"]
    by_parameter = get_json(client, "services.json", lang="id", locale="en_US")
    assert [s["service_name"] for s in by_parameter] == ["Damaged road", "Street light"]


def test_service_definition(client: Client, world: dict[str, Any]) -> None:
    data = get_json(client, "services/roads.json", "service-definition.json")
    assert data == {
        "service_code": "roads",
        "attributes": [
            {
                "variable": True,
                "code": "size",
                "datatype": "singlevaluelist",
                "required": True,
                "datatype_description": None,
                "order": 1,
                "description": "How big is it?",
                "values": [{"key": "s", "name": "Small"}, {"key": "l", "name": "Large"}],
            },
            {
                "variable": True,
                "code": "lanes",
                "datatype": "multivaluelist",
                "required": False,
                "datatype_description": None,
                "order": 2,
                "description": None,
                "values": [{"key": "left", "name": "left"}, {"key": "right", "name": "right"}],
            },
        ],
    }
    root = get_xml(client, "services/roads.xml")
    assert root.tag == "service_definition"
    assert root.findtext("service_code") == "roads"
    first = root.find("attributes/attribute")
    assert first is not None
    assert first.findtext("variable") == "true"
    assert first.findtext("required") == "true"
    assert first.findtext("order") == "1"
    assert [v.findtext("key") for v in first.findall("values/value")] == ["s", "l"]
    assert [v.findtext("name") for v in first.findall("values/value")] == ["Small", "Large"]


def test_unknown_or_inactive_service_definition_gets_404(client: Client, world: dict[str, Any]) -> None:
    for url in ("services/nope.json", "services/old.json"):
        response = client.get(f"{BASE}/{url}")
        assert response.status_code == 404
        assert response.json()[0]["code"] == 404
    response = client.get(f"{BASE}/services/nope.xml")
    assert response.status_code == 404
    root = ET.fromstring(response.content)  # noqa: S314
    assert root.tag == "errors"
    assert root.findtext("error/code") == "404"


def test_unknown_format_gets_404(client: Client, world: dict[str, Any]) -> None:
    response = client.get(f"{BASE}/services.csv")
    assert response.status_code == 404
    assert ET.fromstring(response.content).findtext("error/code") == "404"  # noqa: S314


# ------------------------------------------------------------------------------------------ GET requests
def test_request_fields_and_no_personal_data(client: Client, world: dict[str, Any], story: Story) -> None:
    complaint = make_report(story, world["roads"], 2)
    photo = ComplaintPhoto.objects.create(
        complaint=complaint, image=SimpleUploadedFile("a.gif", GIF, content_type="image/gif"), sha256="x"
    )
    ComplaintPhoto.objects.create(
        complaint=complaint,
        image=SimpleUploadedFile("b.gif", GIF, content_type="image/gif"),
        sha256="y",
        is_hidden=True,
    )
    complaint.refresh_from_db()
    data = get_json(client, "requests.json", "requests.json", lang="en")
    _datetimes_have_offset(data)
    zone = dt.timezone(dt.timedelta(hours=8))
    last_update = complaint.updates.order_by("-id").first()
    assert last_update is not None and complaint.resolution_due is not None
    assert data == [
        {
            "service_request_id": complaint.tracking_code,
            "status": "open",
            "status_notes": "Verified and forwarded to Dinas Komunikasi dan Informatika.",
            "service_name": "Damaged road",
            "service_code": "roads",
            "description": "Lubang besar di depan sekolah",
            "agency_responsible": "Dinas Komunikasi dan Informatika",
            "service_notice": None,
            "requested_datetime": complaint.received_at.astimezone(zone).isoformat(timespec="seconds"),
            "updated_datetime": last_update.created_at.astimezone(zone).isoformat(timespec="seconds"),
            "expected_datetime": complaint.resolution_due.astimezone(zone).isoformat(timespec="seconds"),
            "address": "Jl. Ahmad Yani km 34",
            "address_id": None,
            "zipcode": None,
            "lat": -3.4417,
            "long": 114.8302,
            "media_url": f"http://testserver/aduan/lacak/{complaint.tracking_code}/foto/{photo.pk}/",
        }
    ]
    body = client.get(f"{BASE}/requests.json").content.decode() + client.get(f"{BASE}/requests.xml").content.decode()
    for secret in ("Budi", "081234567890", "budi@example.id"):
        assert secret not in body
    root = get_xml(client, "requests.xml", lang="en")
    assert root.tag == "service_requests"
    assert xml_rows(root) == json_as_xml_text(data)


def test_unverified_confidential_and_hidden_reports_are_never_listed_nor_fetchable(
    client: Client, world: dict[str, Any], story: Story
) -> None:
    shown = make_report(story, world["roads"], 1)
    confidential = make_report(story, world["roads"], 1, is_confidential=True)
    hidden = make_report(story, world["roads"], 1)
    Complaint.objects.filter(pk=hidden.pk).update(is_hidden=True)
    unverified = make_report(story, world["roads"], 1, public=False)
    ids = [r["service_request_id"] for r in get_json(client, "requests.json")]
    assert ids == [shown.tracking_code]
    everything = ",".join(c.tracking_code for c in (shown, confidential, hidden, unverified))
    assert [r["service_request_id"] for r in get_json(client, "requests.json", service_request_id=everything)] == [
        shown.tracking_code
    ]
    for other in (confidential, hidden, unverified):
        for fmt in ("json", "xml"):
            assert client.get(f"{BASE}/requests/{other.tracking_code}.{fmt}").status_code == 404
    assert client.get(f"{BASE}/tokens/{confidential.tracking_code}.json").status_code == 404
    assert client.get(f"{BASE}/tokens/{hidden.tracking_code}.json").status_code == 404


def test_request_detail(client: Client, world: dict[str, Any], story: Story) -> None:
    complaint = make_report(story, world["lights"], 3)
    data = get_json(client, f"requests/{complaint.tracking_code}.json", "requests.json")
    assert [r["service_request_id"] for r in data] == [complaint.tracking_code]
    assert data[0]["media_url"] is None
    root = get_xml(client, f"requests/{complaint.tracking_code}.xml")
    assert xml_rows(root) == json_as_xml_text(data)
    assert client.get(f"{BASE}/requests/AD26-NOPE.json").status_code == 404


def test_service_request_id_list_overrides_other_filters(client: Client, world: dict[str, Any], story: Story) -> None:
    old = make_report(story, world["roads"], 200)
    recent = make_report(story, world["lights"], 1)
    make_report(story, world["roads"], 2)
    data = get_json(
        client,
        "requests.json",
        "requests.json",
        service_request_id=f"{old.tracking_code}, {recent.tracking_code}",
        service_code="roads",
        status="closed",
    )
    assert sorted(r["service_request_id"] for r in data) == sorted([old.tracking_code, recent.tracking_code])


def test_status_and_service_code_filters(client: Client, world: dict[str, Any], story: Story) -> None:
    open_road = make_report(story, world["roads"], 1)
    closed_road = close(story, make_report(story, world["roads"], 2))
    light = make_report(story, world["lights"], 3)

    def ids(**params: Any) -> list[str]:
        return [r["service_request_id"] for r in get_json(client, "requests.json", "requests.json", **params)]

    assert ids(status="open") == [open_road.tracking_code, light.tracking_code]
    assert ids(status="closed") == [closed_road.tracking_code]
    assert ids(status="open,closed") == [open_road.tracking_code, closed_road.tracking_code, light.tracking_code]
    assert ids(status="") == ids()
    assert ids(service_code="lights") == [light.tracking_code]
    assert ids(service_code="roads", status="closed") == [closed_road.tracking_code]
    response = client.get(f"{BASE}/requests.json", {"status": "pending"})
    assert response.status_code == 400
    assert response.json() == [{"code": 400, "description": "status must be open or closed."}]


def test_date_filters_default_to_the_last_90_days(client: Client, world: dict[str, Any], story: Story) -> None:
    a = make_report(story, world["roads"], 1)
    b = make_report(story, world["roads"], 30)
    c = make_report(story, world["roads"], 105)

    def ids(**params: Any) -> list[str]:
        return [r["service_request_id"] for r in get_json(client, "requests.json", "requests.json", **params)]

    assert ids() == [a.tracking_code, b.tracking_code]
    now = timezone.now().astimezone(WITA)
    w3c = lambda days: (now - dt.timedelta(days=days)).isoformat(timespec="seconds")  # noqa: E731
    assert ids(start_date=w3c(120)) == [a.tracking_code, b.tracking_code, c.tracking_code]
    assert ids(start_date=w3c(120), end_date=w3c(10)) == [b.tracking_code, c.tracking_code]
    assert ids(end_date=w3c(10)) == [b.tracking_code]  # 90 days before the end date
    assert ids(start_date=w3c(10)) == [a.tracking_code]
    assert ids(start_date="", end_date="") == ids()
    response = client.get(f"{BASE}/requests.json", {"start_date": "yesterday"})
    assert response.status_code == 400
    assert client.get(f"{BASE}/requests.json", {"start_date": w3c(1), "end_date": w3c(5)}).status_code == 400


def test_page_and_page_size(client: Client, world: dict[str, Any], story: Story) -> None:
    reports = [make_report(story, world["roads"], d) for d in (1, 2, 3, 4, 5)]
    codes = [r.tracking_code for r in reports]

    def ids(**params: Any) -> list[str]:
        return [r["service_request_id"] for r in get_json(client, "requests.json", **params)]

    assert ids(page_size=2) == codes[:2]
    assert ids(page=2, page_size=2) == codes[2:4]
    assert ids(page=3, page_size=2) == codes[4:]
    assert ids(page=4, page_size=2) == []
    assert client.get(f"{BASE}/requests.json", {"page": "0"}).status_code == 400
    assert client.get(f"{BASE}/requests.json", {"page_size": "x"}).status_code == 400


# ------------------------------------------------------------------------------------------ POST requests
def valid_post(world: dict[str, Any], **overrides: Any) -> dict[str, Any]:
    data = {
        "api_key": world["key"],
        "service_code": "roads",
        "lat": "-3.4417",
        "long": "114.8302",
        "attribute[size]": "l",
        "attribute[lanes][]": ["left", "right"],
        "description": "Lubang di Jl. A. Yani",
        "account_id": "user-42",
        "device_id": "dev-9",
        "first_name": "Siti",
        "last_name": "Aminah",
        "phone": "0811111111",
        "email": "siti@example.id",
        "media_url": "",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def test_post_creates_one_open311_report(client: Client, world: dict[str, Any], story: Story) -> None:
    response = post_request(client, **valid_post(world))
    assert response.status_code == 201, response.content
    answer = response.json()
    complaint = Complaint.objects.get()
    assert answer == [
        {
            "service_request_id": complaint.tracking_code,
            "service_notice": "Your report is received; it appears publicly once it is verified.",
            "account_id": "user-42",
        }
    ]
    assert complaint.channel == Channel.OPEN311
    assert complaint.status == Status.RECEIVED
    assert complaint.category == world["roads"]
    assert (complaint.latitude, complaint.longitude) == (-3.4417, 114.8302)
    assert complaint.description == "Lubang di Jl. A. Yani"
    assert complaint.attributes == {"size": "l", "lanes": ["left", "right"]}
    assert complaint.reporter_ref == "user-42"
    assert complaint.reporter_name == "Siti Aminah"
    assert complaint.reporter_phone == "0811111111"
    assert complaint.reporter_email == "siti@example.id"
    event = AuditEvent.objects.get(action="complaint.submit")
    assert event.actor_label == "open311:Warga App"
    token = get_json(client, f"tokens/{complaint.tracking_code}.json")
    assert token == [{"service_request_id": complaint.tracking_code, "token": complaint.tracking_code}]
    assert client.get(f"{BASE}/tokens/AD26-NOPE.json").status_code == 404


def test_post_with_a_point_is_placed_in_its_kelurahan_and_reaches_its_staff(
    client: Client, world: dict[str, Any], story: Story
) -> None:
    """An app sends a point, not a kelurahan: the report takes the nearest kelurahan's, as the web form does,
    so the kelurahan's operator and the complaint desk both find it in their queues."""
    from balai.complaints import geo
    from balai.complaints.selectors import queue

    geo.centroids_load(story.root)
    response = post_request(client, **valid_post(world, lat="-3.4400", long="114.8350"))  # in Mentaos
    assert response.status_code == 201, response.content
    complaint = Complaint.objects.get()
    assert complaint.territory == story.mentaos
    assert complaint in queue(story.mentaos_clerk) and complaint in queue(story.admin)
    assert complaint not in queue(story.komet_clerk)


def test_post_with_a_point_outside_the_pemda_gets_400(client: Client, world: dict[str, Any], story: Story) -> None:
    from balai.complaints import geo

    geo.centroids_load(story.root)
    response = post_request(client, **valid_post(world, lat="-6.2000", long="106.8166"))  # Jakarta
    assert response.status_code == 400
    assert response.json() == [
        {
            "code": 400,
            "description": "This place is outside Kota Banjarbaru: we can only handle reports inside our area.",
        }
    ]
    assert Complaint.objects.count() == 0


def test_a_report_located_by_its_address_only_reaches_the_desk(
    client: Client, world: dict[str, Any], story: Story
) -> None:
    """No point, no kelurahan, no unit yet: nobody's by scope but the desk's, which verifies and places it."""
    from balai.complaints.selectors import queue

    data = valid_post(world, lat="", long="", address_string="Jl. Panglima Batur 1")
    assert post_request(client, **data).status_code == 201
    complaint = Complaint.objects.get()
    assert complaint.territory is None and complaint.unit is None
    assert complaint in queue(story.admin)
    assert complaint not in queue(story.mentaos_clerk) and complaint not in queue(story.camat)


def test_post_in_xml_with_address_and_device_id(client: Client, world: dict[str, Any]) -> None:
    data = valid_post(world, lat="", long="", address_string="Jl. Panglima Batur 1", account_id="", email="")
    response = post_request(client, "xml", **data)
    assert response.status_code == 201
    complaint = Complaint.objects.get()
    root = ET.fromstring(response.content)  # noqa: S314
    assert root.tag == "service_requests"
    assert root.findtext("request/service_request_id") == complaint.tracking_code
    assert root.findtext("request/account_id") == ""
    assert complaint.address == "Jl. Panglima Batur 1"
    assert complaint.latitude is None
    assert complaint.reporter_ref == "dev-9"


@pytest.mark.parametrize("key", [None, "", "o311_deadbeef_wrong"])
def test_post_without_or_with_wrong_key_gets_403(client: Client, world: dict[str, Any], key: str | None) -> None:
    response = post_request(client, **valid_post(world, api_key=key))
    assert response.status_code == 403
    assert response.json() == [{"code": 403, "description": "A valid api_key is required."}]
    assert Complaint.objects.count() == 0


def test_post_unknown_service_code_gets_404(client: Client, world: dict[str, Any]) -> None:
    for code in ("nope", "old"):
        response = post_request(client, **valid_post(world, service_code=code))
        assert response.status_code == 404
        assert response.json() == [{"code": 404, "description": f"Unknown service_code {code}."}]
    assert Complaint.objects.count() == 0


def test_post_without_location_gets_400(client: Client, world: dict[str, Any]) -> None:
    response = post_request(client, **valid_post(world, lat="", long=None, address_string="", address_id=""))
    assert response.status_code == 400
    assert response.json() == [
        {"code": 400, "description": "Give a location: lat and long, address_string or address_id."}
    ]
    assert Complaint.objects.count() == 0


def test_post_lat_without_long_gets_400(client: Client, world: dict[str, Any]) -> None:
    response = post_request(client, **valid_post(world, long=""))
    assert response.status_code == 400
    assert Complaint.objects.count() == 0


def test_post_description_of_4001_chars_gets_400(client: Client, world: dict[str, Any]) -> None:
    response = post_request(client, **valid_post(world, description="x" * 4001))
    assert response.status_code == 400
    assert response.json() == [
        {"code": 400, "description": "The description is 4001 characters long; at most 4000 are allowed."}
    ]
    assert Complaint.objects.count() == 0
    assert post_request(client, **valid_post(world, description="x" * 4000)).status_code == 201


def test_post_missing_required_attribute_gets_400(client: Client, world: dict[str, Any]) -> None:
    response = post_request(client, **valid_post(world, **{"attribute[size]": ""}))
    assert response.status_code == 400
    assert response.json() == [{"code": 400, "description": "attribute[size] is required."}]
    assert Complaint.objects.count() == 0


def test_post_attribute_outside_its_values_gets_400(client: Client, world: dict[str, Any]) -> None:
    response = post_request(client, **valid_post(world, **{"attribute[size]": "huge"}))
    assert response.status_code == 400
    assert response.json() == [{"code": 400, "description": "attribute[size] must be one of: l, s."}]
    assert Complaint.objects.count() == 0


def test_post_is_csrf_exempt(world: dict[str, Any]) -> None:
    strict = Client(enforce_csrf_checks=True)
    assert post_request(strict, **valid_post(world)).status_code == 201


def test_other_methods_are_refused(client: Client, world: dict[str, Any]) -> None:
    assert client.delete(f"{BASE}/requests.json").status_code == 405
    assert client.post(f"{BASE}/services.json").status_code == 405


# ------------------------------------------------------------------------------------------ FixMyStreet updates
def test_service_request_updates(client: Client, world: dict[str, Any], story: Story) -> None:
    complaint = close(story, make_report(story, world["roads"], 1))
    make_report(story, world["roads"], 1, is_confidential=True)
    complaint_respond(
        actor=story.admin, complaint=complaint, version=complaint.version, text="Catatan internal", is_public=False
    )
    response = client.get(f"{BASE}/servicerequestupdates.json")
    assert response.status_code == 200
    data = response.json()
    updates = list(complaint.updates.filter(is_public=True).order_by("created_at", "id"))
    assert [(u["update_id"], u["service_request_id"], u["status"], u["description"]) for u in data] == [
        (str(updates[0].pk), complaint.tracking_code, "investigating", "Report received."),
        (
            str(updates[1].pk),
            complaint.tracking_code,
            "action_scheduled",
            "Verified and forwarded to Dinas Komunikasi dan Informatika.",
        ),
        (str(updates[2].pk), complaint.tracking_code, "fixed", "Sudah diperbaiki."),
    ]
    assert all(u["media_url"] is None for u in data)
    _datetimes_have_offset(data)
    root = get_xml(client, "servicerequestupdates.xml")
    assert root.tag == "service_request_updates"
    assert xml_rows(root) == json_as_xml_text(data)
    future = (timezone.now() + dt.timedelta(days=1)).astimezone(WITA).isoformat(timespec="seconds")
    assert get_json(client, "servicerequestupdates.json", start_date=future) == []


def test_open311_client_command_prints_the_key_once(story: Story, capsys: pytest.CaptureFixture[str]) -> None:
    from django.core.management import call_command

    from balai.complaints.models import Open311Client
    from balai.complaints.open311_keys import open311_client_verify

    call_command("open311_client", "Aplikasi Banjarbaru Smart")
    key = capsys.readouterr().out.strip().rsplit(" ", 1)[-1]
    client = Open311Client.objects.get(name="Aplikasi Banjarbaru Smart")
    assert open311_client_verify(key) == client
    assert key not in (client.key_hash, client.key_prefix)
