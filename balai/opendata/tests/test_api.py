"""The CKAN Action API subset: envelopes, error shapes and status codes asserted exactly, on both prefixes."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from balai.indicators.models import Indicator
from balai.opendata.ckan import stamp
from balai.opendata.selectors import ckan_name
from balai.opendata.tests.conftest import Published
from balai.org.models import OrgUnit

PREFIXES = ("/api/3/action/", "/api/action/")
HELP = "http://testserver/api/3/action/help_show?name="
#: uuid5 of the indicator code: the same on every server and after a reload of the database.
RECEIVED_ID = "ba11248a-fc26-53f4-bda5-67b0b8de2bae"
NAMES = ["census-residents", "health-clinic_visits", "reports-on_time_rate", "reports-received"]


def call(action: str, prefix: str = "/api/3/action/", method: str = "get", **params: Any) -> tuple[int, dict[str, Any]]:
    client = Client()
    if method == "post":
        response = client.post(prefix + action, data=json.dumps(params), content_type="application/json")
    else:
        response = client.get(prefix + action, params)
    assert response["Content-Type"] == "application/json"
    assert response["Access-Control-Allow-Origin"] == "*"
    return response.status_code, response.json()


def ok(action: str, **kw: Any) -> Any:
    status, body = call(action, **kw)
    assert status == 200, body
    assert set(body) == {"help", "success", "result"}
    assert body["help"] == HELP + action
    assert body["success"] is True
    return body["result"]


def error(action: str, status: int, error: dict[str, Any], **kw: Any) -> None:
    got_status, body = call(action, **kw)
    assert (got_status, body) == (status, {"help": HELP + action, "success": False, "error": error})


def not_found(message: str = "Not found") -> dict[str, str]:
    return {"__type": "Not Found Error", "message": message}


# ---------------------------------------------------------------------------------------- names
def test_codes_become_ckan_names_character_by_character() -> None:
    assert ckan_name("complaints.received") == "complaints-received"
    assert ckan_name("SKM.IKM U1") == "skm-ikm-u1"
    assert ckan_name("x") == "x-"
    assert ckan_name("a" * 120) == "a" * 100


# ---------------------------------------------------------------------------------- package_list
@pytest.mark.parametrize("prefix", PREFIXES)
@pytest.mark.parametrize("method", ["get", "post"])
def test_package_list_names_public_active_datasets_only(published: Published, prefix: str, method: str) -> None:
    assert ok("package_list", prefix=prefix, method=method) == NAMES


def test_package_list_pages_with_limit_and_offset(published: Published) -> None:
    assert ok("package_list", limit=2, offset=1) == ["health-clinic_visits", "reports-on_time_rate"]
    error("package_list", 409, {"__type": "Validation Error", "limit": ["Invalid integer"]}, limit="two")


def test_form_posts_are_read_too(published: Published) -> None:
    response = Client().post("/api/action/package_show", {"id": "reports-received"})
    assert response.status_code == 200
    assert response.json()["result"]["name"] == "reports-received"


def test_no_trailing_slash_redirect(published: Published) -> None:
    # ckanapi never follows redirects: both spellings answer in place.
    assert Client().get("/api/action/package_list/").status_code == 200
    assert Client().post("/api/action/package_list", data="{}", content_type="application/json").status_code == 200


# ---------------------------------------------------------------------------------- package_show
def test_package_show_full_dataset(published: Published) -> None:
    result = ok("package_show", id="reports-received")
    diskominfo = OrgUnit.objects.get(code="DISKOMINFO")
    assert result == {
        "id": RECEIVED_ID,
        "name": "reports-received",
        "title": "Laporan warga diterima",
        "notes": "Jumlah laporan warga yang diterima per bulan.",
        "type": "dataset",
        "state": "active",
        "private": False,
        "author": "Dinas Komunikasi dan Informatika",
        "author_email": None,
        "maintainer": "Dinas Komunikasi dan Informatika",
        "maintainer_email": None,
        "license_id": "CC-BY-4.0",
        "license_title": "Creative Commons Attribution 4.0",
        "license_url": "https://creativecommons.org/licenses/by/4.0/",
        "isopen": True,
        "metadata_created": "2025-12-05T01:00:00.000000",
        "metadata_modified": "2026-03-01T02:30:00.000000",
        "url": "http://testserver/data/reports-received/",
        "version": None,
        "owner_org": "33e58630-b2e2-5614-8097-495594c9853f",
        "organization": {
            "id": "33e58630-b2e2-5614-8097-495594c9853f",
            "name": "diskominfo",
            "title": "Dinas Komunikasi dan Informatika",
            "display_name": "Dinas Komunikasi dan Informatika",
            "description": "",
            "image_url": "",
            "image_display_url": "",
            "created": stamp(diskominfo.created_at),
            "is_organization": True,
            "approval_status": "approved",
            "state": "active",
            "type": "organization",
        },
        "num_resources": 4,
        "resources": [
            _resource("reports-received", 2026, "csv", 0, 3, "2026-03-01T02:30:00.000000", RECEIVED_ID),
            _resource("reports-received", 2026, "json", 1, 3, "2026-03-01T02:30:00.000000", RECEIVED_ID),
            _resource("reports-received", 2025, "csv", 2, 1, "2025-12-05T01:00:00.000000", RECEIVED_ID),
            _resource("reports-received", 2025, "json", 3, 1, "2025-12-05T01:00:00.000000", RECEIVED_ID),
        ],
        "num_tags": 2,
        "tags": [
            {"name": "lapor", "display_name": "lapor", "state": "active", "vocabulary_id": None},
            {"name": "pengaduan", "display_name": "pengaduan", "state": "active", "vocabulary_id": None},
        ],
        "extras": [
            {"key": "indicator_code", "value": "reports.received"},
            {"key": "title_en", "value": "Citizen reports received"},
            {"key": "notes_en", "value": "Citizen reports received per month."},
            {"key": "unit_of_measure", "value": "laporan"},
            {"key": "period_type", "value": "month"},
            {"key": "aggregation", "value": "sum"},
            {"key": "polarity", "value": "neutral"},
            {"key": "source", "value": "lapor"},
        ],
        "groups": [],
        "relationships_as_object": [],
        "relationships_as_subject": [],
    }
    assert ok("package_show", id=RECEIVED_ID)["name"] == "reports-received"


def _resource(ds: str, year: int, fmt: str, position: int, rows: int, modified: str, pkg: str) -> dict[str, Any]:
    titles = {"reports-received": ("Laporan warga diterima", "Citizen reports received")}
    return {
        "id": f"{ds}-{year}-{fmt}",
        "package_id": pkg,
        "name": f"{titles[ds][0]} {year} ({fmt.upper()})",
        "description": f"{titles[ds][1]}, {year}: {rows} rows.",
        "format": fmt.upper(),
        "mimetype": {"csv": "text/csv", "json": "application/json"}[fmt],
        "url": f"http://testserver/data/{ds}/{year}.{fmt}",
        "url_type": None,
        "created": modified,
        "last_modified": modified,
        "metadata_modified": modified,
        "position": position,
        "state": "active",
        "size": None,
        "hash": "",
        "datastore_active": False,
    }


def test_owner_falls_back_to_the_pemda_and_no_facts_means_no_resources(published: Published) -> None:
    census = ok("package_show", id="census-residents")
    assert (census["organization"]["name"], census["author"]) == ("63-72", "Pemerintah Kota Banjarbaru")
    clinics = ok("package_show", id="health-clinic_visits")
    assert (clinics["num_resources"], clinics["resources"], clinics["metadata_modified"]) == (0, [], None)
    assert clinics["organization"]["name"] == "dinkes"


@pytest.mark.parametrize("prefix", PREFIXES)
def test_private_inactive_and_unknown_datasets_are_not_found(published: Published, prefix: str) -> None:
    for key in ("staff-sick_days", "old-metric", "nothing-here", ckan_name(published.secret.code)):
        error("package_show", 404, not_found(), prefix=prefix, id=key)
        error("package_show", 404, not_found(), prefix=prefix, method="post", id=key)


def test_package_show_without_id_is_a_validation_error(published: Published) -> None:
    error("package_show", 409, {"__type": "Validation Error", "id": ["Missing value"]})
    error("package_show", 409, {"__type": "Validation Error", "id": ["Missing value"]}, method="post")


def test_unpublishing_hides_a_dataset_at_once(published: Published) -> None:
    Indicator.objects.filter(pk=published.received.pk).update(is_public=False)
    error("package_show", 404, not_found(), id="reports-received")
    assert "reports-received" not in ok("package_list")


# -------------------------------------------------------------------------------- package_search
def names(result: dict[str, Any]) -> list[str]:
    return [r["name"] for r in result["results"]]


@pytest.mark.parametrize("prefix", PREFIXES)
def test_search_defaults(published: Published, prefix: str) -> None:
    result = ok("package_search", prefix=prefix)
    assert set(result) == {"count", "sort", "facets", "search_facets", "results"}
    assert (result["count"], result["sort"], result["facets"], result["search_facets"]) == (
        4,
        "score desc, metadata_modified desc",
        {},
        {},
    )
    # No q: every score is equal, so the newest first (ties by name); the dataset without Facts last.
    assert names(result) == ["census-residents", "reports-on_time_rate", "reports-received", "health-clinic_visits"]


def test_search_q_matches_title_and_notes(published: Published) -> None:
    assert names(ok("package_search", q="penduduk")) == ["census-residents"]  # title and notes
    assert names(ok("package_search", q="disdukcapil")) == ["census-residents"]  # notes only
    assert names(ok("package_search", q="LAPORAN tenggat")) == ["reports-on_time_rate"]  # every term must match
    assert names(ok("package_search", q="clinic")) == ["health-clinic_visits"]  # the English title
    assert ok("package_search", q="zebra")["count"] == 0
    assert ok("package_search", q="*:*")["count"] == 4


def test_search_fq_by_organization_and_tag(published: Published) -> None:
    assert names(ok("package_search", fq="organization:diskominfo", sort="name asc")) == [
        "reports-on_time_rate",
        "reports-received",
    ]
    assert names(ok("package_search", fq="tags:external", sort="name asc")) == [
        "census-residents",
        "health-clinic_visits",
    ]
    assert names(ok("package_search", fq='+organization:"63-72" +tags:"kependudukan"')) == ["census-residents"]
    assert ok("package_search", fq="organization:dinkes tags:lapor")["count"] == 0
    assert names(ok("package_search", method="post", fq="res_format:CSV", sort="name desc")) == [
        "reports-received",
        "reports-on_time_rate",
        "census-residents",
    ]


def test_search_sort(published: Published) -> None:
    assert names(ok("package_search", sort="name asc")) == NAMES
    assert names(ok("package_search", sort="name desc")) == NAMES[::-1]
    assert names(ok("package_search", sort="title_string asc")) == [
        "census-residents",  # Jumlah penduduk
        "health-clinic_visits",  # Kunjungan puskesmas
        "reports-on_time_rate",  # Laporan selesai tepat waktu
        "reports-received",  # Laporan warga diterima
    ]
    assert names(ok("package_search", sort="metadata_modified desc, name desc")) == [
        "reports-received",
        "reports-on_time_rate",
        "census-residents",
        "health-clinic_visits",
    ]
    assert ok("package_search", sort="name asc")["sort"] == "name asc"


def test_search_start_and_rows(published: Published) -> None:
    result = ok("package_search", sort="name asc", start=1, rows=2)
    assert (result["count"], names(result)) == (4, ["health-clinic_visits", "reports-on_time_rate"])
    assert names(ok("package_search", sort="name asc", start="3", rows="1000")) == ["reports-received"]
    assert ok("package_search", start=10)["results"] == []
    assert ok("package_search", rows=0)["results"] == []


@pytest.mark.parametrize(
    ("params", "error_fields"),
    [
        ({"rows": 1001}, {"rows": ["Must be less than or equal to 1000"]}),
        ({"rows": "1001"}, {"rows": ["Must be less than or equal to 1000"]}),
        ({"rows": "ten"}, {"rows": ["Invalid integer"]}),
        ({"rows": 2.5}, {"rows": ["Invalid integer"]}),
        ({"rows": -1}, {"rows": ["Must be a natural number"]}),
        ({"start": -1}, {"start": ["Must be a natural number"]}),
        ({"start": "first"}, {"start": ["Invalid integer"]}),
        ({"facet.field": "[organization"}, {"facet.field": ["Could not parse as valid JSON"]}),
        ({"facet.field": '{"a": 1}'}, {"facet.field": ["Not a list"]}),
        ({"facet.field": "[1]"}, {"facet.field": ["1 is not a string"]}),
        (
            {"facet.field": '["colour"]'},
            {"facet.field": ["Cannot facet on colour; use one of: organization, tags, res_format, license_id"]},
        ),
        (
            {"fq": "colour:red"},
            {"fq": ["Cannot filter on colour; use one of: organization, tags, name, id, res_format, license_id"]},
        ),
        ({"fq": "organization"}, {"fq": ["Cannot read 'organization'; write field:value or field:\"a value\""]}),
        (
            {"sort": "size asc"},
            {"sort": ["Cannot sort by 'size asc'; use e.g. 'metadata_modified desc' or 'name asc'"]},
        ),
        (
            {"sort": "name upwards"},
            {"sort": ["Cannot sort by 'name upwards'; use e.g. 'metadata_modified desc' or 'name asc'"]},
        ),
    ],
)
@pytest.mark.parametrize("method", ["get", "post"])
def test_search_bad_parameters_are_validation_errors(
    published: Published, params: dict[str, Any], error_fields: dict[str, list[str]], method: str
) -> None:
    error("package_search", 409, {"__type": "Validation Error", **error_fields}, method=method, **params)


def test_search_facets_in_ckan_shape(published: Published) -> None:
    result = ok("package_search", **{"facet.field": json.dumps(["organization", "tags"]), "rows": 0})
    assert result["facets"] == {
        "organization": {"diskominfo": 2, "63-72": 1, "dinkes": 1},
        "tags": {"external": 2, "lapor": 2, "pengaduan": 2, "kependudukan": 1, "kesehatan": 1},
    }
    assert result["search_facets"]["organization"] == {
        "title": "organization",
        "items": [
            {"name": "diskominfo", "display_name": "Dinas Komunikasi dan Informatika", "count": 2},
            {"name": "63-72", "display_name": "Pemerintah Kota Banjarbaru", "count": 1},
            {"name": "dinkes", "display_name": "Dinas Kesehatan", "count": 1},
        ],
    }
    assert result["search_facets"]["tags"]["items"][0] == {"name": "external", "display_name": "external", "count": 2}
    # Facets count the matches of q and fq; a JSON body may send the list itself; facet.limit cuts each list.
    posted = ok("package_search", method="post", fq="tags:pengaduan", **{"facet.field": ["organization"]})
    assert posted["facets"] == {"organization": {"diskominfo": 2}}
    limited = ok("package_search", **{"facet.field": '["tags"]', "facet.limit": 1})
    assert limited["facets"] == {"tags": {"external": 2}}


def test_search_of_1000_rows_costs_a_fixed_number_of_queries(published: Published) -> None:
    ok("package_search", rows=1)  # the Pemda root is then known to this process
    cache.clear()
    with CaptureQueriesContext(connection) as few:
        ok("package_search", rows=1)
    cache.clear()
    with CaptureQueriesContext(connection) as many:
        ok("package_search", rows=1000, **{"facet.field": '["organization", "tags"]'})
    # The indicators with their owners, the Pemda root's stamp, the years of every dataset.
    assert len(few) == len(many) == 3
    # The year counts are kept: the next search reads the indicators and the root's stamp only.
    with CaptureQueriesContext(connection) as cached:
        ok("package_search", rows=1000)
    assert len(cached) == 2


# ---------------------------------------------------------------------------- organizations, tags
def test_organization_list(published: Published) -> None:
    assert ok("organization_list") == ["63-72", "dinkes", "diskominfo"]
    assert ok("organization_list", all_fields="false") == ["63-72", "dinkes", "diskominfo"]
    full = ok("organization_list", all_fields="true")
    assert [(o["name"], o["title"], o["package_count"], o["type"]) for o in full] == [
        ("63-72", "Pemerintah Kota Banjarbaru", 1, "organization"),
        ("dinkes", "Dinas Kesehatan", 1, "organization"),
        ("diskominfo", "Dinas Komunikasi dan Informatika", 2, "organization"),
    ]
    assert ok("organization_list", method="post", all_fields=True) == full


def test_organization_show(published: Published) -> None:
    org = ok("organization_show", id="diskominfo")
    assert (org["id"], org["package_count"], "packages" in org) == ("33e58630-b2e2-5614-8097-495594c9853f", 2, False)
    assert ok("organization_show", id=org["id"])["name"] == "diskominfo"
    with_datasets = ok("organization_show", id="diskominfo", include_datasets="true")
    assert [p["name"] for p in with_datasets["packages"]] == ["reports-on_time_rate", "reports-received"]
    # A unit that publishes nothing (the Komet clerk's kelurahan) is no organization.
    error("organization_show", 404, not_found(), id="63-72-04-1003")
    error("organization_show", 409, {"__type": "Validation Error", "id": ["Missing value"]})


def test_tag_list(published: Published) -> None:
    assert ok("tag_list") == ["external", "kependudukan", "kesehatan", "lapor", "pengaduan"]
    assert ok("tag_list", query="pen") == ["kependudukan", "pengaduan"]
    assert ok("tag_list", all_fields=True, method="post")[0] == {
        "id": "external",
        "name": "external",
        "vocabulary_id": None,
    }


# -------------------------------------------------------------------------------------- resources
def test_resource_show(published: Published) -> None:
    result = ok("resource_show", id="reports-received-2025-json")
    assert result == _resource("reports-received", 2025, "json", 3, 1, "2025-12-05T01:00:00.000000", RECEIVED_ID)
    error("resource_show", 404, not_found("Not found: Resource was not found."), id="reports-received-2024-csv")
    error("resource_show", 404, not_found("Not found: Resource was not found."), id="staff-sick_days-2026-csv")
    error("resource_show", 409, {"__type": "Validation Error", "id": ["Missing value"]})


# ------------------------------------------------------------------------------- unknown and help
@pytest.mark.parametrize("prefix", PREFIXES)
@pytest.mark.parametrize("method", ["get", "post"])
def test_unknown_action_is_not_found(published: Published, prefix: str, method: str) -> None:
    error(
        "package_create",
        404,
        not_found("Not found: Action name not known: package_create"),
        prefix=prefix,
        method=method,
        name="x",
    )


def test_help_show_answers_the_help_link(published: Published) -> None:
    assert (
        ok("help_show", name="package_list")
        == "Return the names of the public datasets, by name. Parameters: limit, offset."
    )
    error("help_show", 404, not_found(), name="package_delete")


def test_bad_json_body_is_a_bad_request(published: Published) -> None:
    response = Client().post("/api/action/package_list", data="{nope", content_type="application/json")
    assert response.status_code == 400
    body = response.json()
    assert (body["success"], body["error"]["__type"]) == (False, "Validation Error")
    assert body["error"]["message"].startswith("JSON Error: ")
    response = Client().post("/api/action/package_list", data="[1]", content_type="application/json")
    assert (response.status_code, response.json()["error"]) == (
        400,
        {"__type": "Validation Error", "message": "Request data JSON decoded but it needs to be a dictionary."},
    )


def test_other_methods_are_refused_and_cors_preflight_is_answered(published: Published) -> None:
    response = Client().put("/api/3/action/package_list")
    assert response.status_code == 405
    assert response.json()["error"] == {"__type": "Validation Error", "message": "Method not allowed: use GET or POST"}
    preflight = Client().options("/api/3/action/package_search")
    assert (preflight.status_code, preflight["Access-Control-Allow-Methods"]) == (204, "GET, POST, OPTIONS")


def test_search_score_ranks_title_hits_above_description_hits(published: Published) -> None:
    # "jumlah" is in the census title and in the notes of reports-received: the title hit ranks first
    # whatever the name order says.
    assert names(ok("package_search", q="jumlah", sort="score desc, name desc")) == [
        "census-residents",
        "reports-received",
    ]
    assert names(ok("package_search", q="jumlah", sort="score asc, name desc")) == [
        "reports-received",
        "census-residents",
    ]


def test_search_facets_on_formats_and_licence(published: Published) -> None:
    result = ok("package_search", **{"facet.field": '["res_format", "license_id"]', "facet.mincount": 2})
    assert result["facets"] == {"res_format": {"CSV": 3, "JSON": 3}, "license_id": {"CC-BY-4.0": 4}}
    assert names(ok("package_search", fq="license_id:CC-BY-4.0 name:reports-received")) == ["reports-received"]


def test_codes_that_collide_as_names_keep_distinct_names(published: Published) -> None:
    Indicator.objects.create(
        code="reports-received", name_id="Tiruan", name_en="Lookalike", period_type="month", is_public=True
    )
    listed = ok("package_list")
    assert "reports-received" in listed
    twin = [n for n in listed if n.startswith("reports-received-")]
    assert len(twin) == 1 and re.fullmatch(r"reports-received-[0-9a-f]{6}", twin[0])
    # "reports-received" sorts before "reports.received": the hyphenated code keeps the plain name.
    assert ok("package_show", id="reports-received")["title"] == "Tiruan"
    assert ok("package_show", id=twin[0])["title"] == "Laporan warga diterima"
