"""The resource files (exact content), the DCAT catalogue, and the open-data pages for people."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext

from balai.opendata.tests.conftest import Published

HEADER = "period,org_unit_code,org_unit_name,kemendagri_code,value,numerator,denominator\n"


def body(response: Any) -> str:
    return b"".join(response.streaming_content).decode() if response.streaming else response.content.decode()


# ------------------------------------------------------------------------------------------ files
def test_csv_resource_exact_content(published: Published) -> None:
    response = Client().get("/data/reports-received/2026.csv")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="reports-received-2026.csv"'
    assert response["Access-Control-Allow-Origin"] == "*"
    assert body(response) == (
        HEADER
        + "202601,63.72.04.1002,Kelurahan Mentaos,63.72.04.1002,12,,\n"
        + "202601,63.72.04.1003,Kelurahan Komet,63.72.04.1003,7,,\n"
        + "202602,63.72.04.1002,Kelurahan Mentaos,63.72.04.1002,3,,\n"
    )
    assert body(Client().get("/data/reports-received/2025.csv")) == (
        HEADER + "202511,63.72.04.1002,Kelurahan Mentaos,63.72.04.1002,5,,\n"
    )


def test_ratio_resource_carries_numerator_and_denominator(published: Published) -> None:
    assert body(Client().get("/data/reports-on_time_rate/2026.csv")) == (
        HEADER + "202601,63.72.04.1002,Kelurahan Mentaos,63.72.04.1002,75,9,12\n"
    )


def test_json_resource_exact_content(published: Published) -> None:
    response = Client().get("/data/reports-on_time_rate/2026.json")
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert json.loads(body(response)) == {
        "dataset": "reports-on_time_rate",
        "year": 2026,
        "indicator": {
            "code": "reports.on_time_rate",
            "name_id": "Laporan selesai tepat waktu",
            "name_en": "Reports resolved on time",
            "unit": "%",
        },
        "fields": [
            {"id": "period", "type": "text"},
            {"id": "org_unit_code", "type": "text"},
            {"id": "org_unit_name", "type": "text"},
            {"id": "kemendagri_code", "type": "text"},
            {"id": "value", "type": "numeric"},
            {"id": "numerator", "type": "numeric"},
            {"id": "denominator", "type": "numeric"},
        ],
        "records": [
            {
                "period": "202601",
                "org_unit_code": "63.72.04.1002",
                "org_unit_name": "Kelurahan Mentaos",
                "kemendagri_code": "63.72.04.1002",
                "value": 75,
                "numerator": 9,
                "denominator": 12,
            }
        ],
    }
    assert json.loads(body(Client().get("/data/reports-received/2025.json")))["records"] == [
        {
            "period": "202511",
            "org_unit_code": "63.72.04.1002",
            "org_unit_name": "Kelurahan Mentaos",
            "kemendagri_code": "63.72.04.1002",
            "value": 5,
            "numerator": None,
            "denominator": None,
        }
    ]


@pytest.mark.parametrize(
    "url",
    [
        "/data/staff-sick_days/2026.csv",  # private: its Facts exist but are never served
        "/data/staff-sick_days/2025.json",
        "/data/old-metric/2026.csv",  # retired
        "/data/reports-received/2024.csv",  # no Facts that year
        "/data/health-clinic_visits/2026.csv",  # no Facts at all
        "/data/reports-received/2026.xml",
        "/data/staff-sick_days/",
    ],
)
def test_private_retired_and_empty_files_are_not_found(published: Published, url: str) -> None:
    assert Client().get(url).status_code == 404


# ------------------------------------------------------------------------------------------- DCAT
def test_dcat_catalog_shape(published: Published) -> None:
    response = Client().get("/catalog.jsonld")
    assert (response.status_code, response["Content-Type"]) == (200, "application/ld+json; charset=utf-8")
    doc = response.json()
    assert doc["@context"] == {
        "dcat": "http://www.w3.org/ns/dcat#",
        "dct": "http://purl.org/dc/terms/",
        "foaf": "http://xmlns.com/foaf/0.1/",
        "xsd": "http://www.w3.org/2001/XMLSchema#",
    }
    assert (doc["@type"], doc["@id"], doc["dct:title"]) == (
        "dcat:Catalog",
        "http://testserver/catalog.jsonld",
        "Satu Data Pemerintah Kota Banjarbaru",
    )
    assert doc["dct:publisher"] == {"@type": "foaf:Organization", "foaf:name": "Pemerintah Kota Banjarbaru"}
    assert [d["dct:identifier"] for d in doc["dcat:dataset"]] == [
        "census-residents",
        "health-clinic_visits",
        "reports-on_time_rate",
        "reports-received",
    ]
    received = doc["dcat:dataset"][3]
    assert {k: v for k, v in received.items() if k != "dcat:distribution"} == {
        "@id": "http://testserver/data/reports-received/",
        "@type": "dcat:Dataset",
        "dct:identifier": "reports-received",
        "dct:title": [
            {"@value": "Laporan warga diterima", "@language": "id"},
            {"@value": "Citizen reports received", "@language": "en"},
        ],
        "dct:description": "Jumlah laporan warga yang diterima per bulan.",
        "dct:publisher": {
            "@id": "http://testserver/data/?organization=diskominfo",
            "@type": "foaf:Organization",
            "foaf:name": "Dinas Komunikasi dan Informatika",
        },
        "dcat:keyword": ["lapor", "pengaduan"],
        "dcat:landingPage": {"@id": "http://testserver/data/reports-received/"},
        "dct:license": {"@id": "https://creativecommons.org/licenses/by/4.0/"},
        "dct:modified": {"@value": "2026-03-01T02:30:00.000000Z", "@type": "xsd:dateTime"},
    }
    assert [d["dcat:downloadURL"]["@id"] for d in received["dcat:distribution"]] == [
        "http://testserver/data/reports-received/2026.csv",
        "http://testserver/data/reports-received/2026.json",
        "http://testserver/data/reports-received/2025.csv",
        "http://testserver/data/reports-received/2025.json",
    ]
    assert received["dcat:distribution"][1] == {
        "@id": "http://testserver/data/reports-received/2026.json",
        "@type": "dcat:Distribution",
        "dct:identifier": "reports-received-2026-json",
        "dct:title": "Laporan warga diterima 2026 (JSON)",
        "dcat:downloadURL": {"@id": "http://testserver/data/reports-received/2026.json"},
        "dcat:accessURL": {"@id": "http://testserver/data/reports-received/"},
        "dcat:mediaType": "application/json",
        "dct:format": "JSON",
        "dct:modified": {"@value": "2026-03-01T02:30:00.000000Z", "@type": "xsd:dateTime"},
    }
    assert doc["dcat:dataset"][1]["dcat:distribution"] == []
    assert "dct:modified" not in doc["dcat:dataset"][1]
    # Valid JSON-LD for a compacting reader: every prefixed term is declared in @context.
    prefixes = set(re.findall(r'"([a-z]+):[A-Za-z]+"', response.content.decode()))
    assert prefixes <= set(doc["@context"]) | {"http", "https"}


@override_settings(BALAI_OPENDATA_LICENSE="Lisensi-Pemda-1.0", BALAI_PUBLIC_URL="https://data.banjarbarukota.go.id")
def test_licence_and_public_address_come_from_settings(published: Published) -> None:
    doc = Client().get("/catalog.jsonld").json()
    assert (doc["@id"], doc["dct:license"]) == ("https://data.banjarbarukota.go.id/catalog.jsonld", "Lisensi-Pemda-1.0")
    pkg = Client().get("/api/action/package_show", {"id": "reports-received"}).json()
    assert pkg["help"] == "https://data.banjarbarukota.go.id/api/3/action/help_show?name=package_show"
    assert (pkg["result"]["license_id"], pkg["result"]["license_title"], pkg["result"]["isopen"]) == (
        "Lisensi-Pemda-1.0",
        "Lisensi-Pemda-1.0",
        False,
    )
    assert pkg["result"]["resources"][0]["url"] == "https://data.banjarbarukota.go.id/data/reports-received/2026.csv"


# ------------------------------------------------------------------------------------------ pages
def titles(response: Any) -> list[str]:
    return re.findall(r'data-testid="dataset-link">([^<]+)</a>', response.content.decode())


def test_index_lists_searches_and_filters_without_login(published: Published) -> None:
    client = Client()
    page = client.get("/data/")
    assert page.status_code == 200
    assert titles(page) == [
        "Jumlah penduduk",
        "Kunjungan puskesmas",
        "Laporan selesai tepat waktu",
        "Laporan warga diterima",
    ]
    assert "Hari sakit pegawai" not in page.content.decode()
    assert titles(client.get("/data/", {"q": "penduduk"})) == ["Jumlah penduduk"]
    assert titles(client.get("/data/", {"organization": "diskominfo"})) == [
        "Laporan selesai tepat waktu",
        "Laporan warga diterima",
    ]
    assert titles(client.get("/data/", {"tag": "external"})) == ["Jumlah penduduk", "Kunjungan puskesmas"]
    assert titles(client.get("/data/", {"organization": "dinkes", "tag": "lapor"})) == []
    assert 'data-testid="no-results"' in client.get("/data/", {"q": "zebra"}).content.decode()
    assert "/api/3/action/package_search?q=penduduk" in client.get("/data/", {"q": "penduduk"}).content.decode()


def test_dataset_page_shows_resources_preview_and_api_hint(published: Published) -> None:
    response = Client().get("/data/reports-received/")
    assert response.status_code == 200
    html = response.content.decode()
    links = re.findall(r'href="([^"]+)" download data-testid="resource"', html)
    assert links == [
        "http://testserver/data/reports-received/2026.csv",
        "http://testserver/data/reports-received/2026.json",
        "http://testserver/data/reports-received/2025.csv",
        "http://testserver/data/reports-received/2025.json",
    ]
    preview = html[html.index('data-testid="preview"') : html.index("</table>")]
    rows = [re.sub(r"<[^>]+>", "|", r) for r in re.findall(r"<tr><td>(.*?)</tr>", preview)]
    cells = [[c.strip() for c in row.split("|") if c.strip()] for row in rows]
    assert cells == [
        ["Januari 2026", "Kelurahan Mentaos", "63.72.04.1002", "63.72.04.1002", "12"],
        ["Januari 2026", "Kelurahan Komet", "63.72.04.1003", "63.72.04.1003", "7"],
        ["Februari 2026", "Kelurahan Mentaos", "63.72.04.1002", "63.72.04.1002", "3"],
    ]
    assert "http://testserver/api/3/action/package_show?id=reports-received" in html
    assert "Dinas Komunikasi dan Informatika" in html
    assert "Creative Commons Attribution 4.0" in html


def test_dataset_page_without_facts_and_private_one(published: Published) -> None:
    response = Client().get("/data/health-clinic_visits/")
    assert response.status_code == 200
    assert 'data-testid="preview"' not in response.content.decode()
    assert Client().get("/data/staff-sick_days/").status_code == 404


def test_pages_cost_a_fixed_number_of_queries(published: Published) -> None:
    client = Client()
    client.get("/data/")
    with CaptureQueriesContext(connection) as index:
        client.get("/data/")
    with CaptureQueriesContext(connection) as dataset:
        client.get("/data/reports-received/")
    # Indicators and root stamp (years cached) + the session-less page; the dataset page adds its preview.
    assert (len(index), len(dataset)) == (2, 3)


def test_public_report_pages_link_to_open_data(published: Published) -> None:
    response = Client().get("/aduan/lacak/")
    assert response.status_code == 200
    assert '<a class="nav-link px-2" href="/data/" data-testid="nav-opendata">' in response.content.decode()


def test_pages_speak_english_on_request(published: Published) -> None:
    client = Client(headers={"accept-language": "en"})
    assert titles(client.get("/data/", {"organization": "diskominfo"})) == [
        "Reports resolved on time",
        "Citizen reports received",
    ]
    html = client.get("/data/reports-received/").content.decode()
    assert '<p data-testid="notes">Citizen reports received per month.</p>' in html
    assert "Laporan warga diterima: Jumlah laporan warga yang diterima per bulan." in html
