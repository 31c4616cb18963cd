"""The API through ckanapi, the client CKAN harvesters and scripts use: it POSTs JSON to /api/action/,
never follows a redirect, and turns the error envelope into its own exceptions. A live server on
127.0.0.1, nothing outside."""

from __future__ import annotations

from typing import Any

import pytest

from balai.opendata.tests.conftest import Published

ckanapi = pytest.importorskip("ckanapi")


@pytest.mark.django_db(transaction=True)
def test_ckanapi_reads_the_catalogue(live_server: Any, published: Published) -> None:
    portal = ckanapi.RemoteCKAN(live_server.url)
    assert portal.action.package_list() == [
        "census-residents",
        "health-clinic_visits",
        "reports-on_time_rate",
        "reports-received",
    ]
    found = portal.action.package_search(
        fq="organization:diskominfo", sort="name asc", rows=1000, **{"facet.field": ["tags"]}
    )
    assert (found["count"], [d["name"] for d in found["results"]]) == (2, ["reports-on_time_rate", "reports-received"])
    assert found["search_facets"]["tags"]["items"] == [
        {"name": "lapor", "display_name": "lapor", "count": 2},
        {"name": "pengaduan", "display_name": "pengaduan", "count": 2},
    ]
    assert portal.action.package_show(id="reports-received")["resources"][0]["url"] == (
        f"{live_server.url}/data/reports-received/2026.csv"
    )
    assert portal.action.resource_show(id="reports-received-2026-csv")["format"] == "CSV"
    assert [o["name"] for o in portal.action.organization_list(all_fields=True)] == ["63-72", "dinkes", "diskominfo"]
    with pytest.raises(ckanapi.NotFound):
        portal.action.package_show(id="staff-sick_days")
    with pytest.raises(ckanapi.ValidationError) as invalid:
        portal.action.package_search(rows=1001)
    assert invalid.value.error_dict == {"__type": "Validation Error", "rows": ["Must be less than or equal to 1000"]}
    with pytest.raises(ckanapi.NotFound):
        portal.action.package_create(name="new-dataset")
    # The GET mode of the client (query parameters) reads the same.
    assert ckanapi.RemoteCKAN(live_server.url, get_only=True).action.package_search(q="penduduk")["count"] == 1
