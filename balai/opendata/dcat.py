"""The catalogue as DCAT in JSON-LD (``/catalog.jsonld``), the shape harvesters such as ckanext-dcat and
data.europa.eu read: one dcat:Catalog, a dcat:Dataset per public indicator, a dcat:Distribution per file.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.urls import reverse

from balai.opendata.ckan import license_info, stamp
from balai.opendata.selectors import Catalogue, Dataset, Organization
from balai.org.selectors import pemda_root

CONTEXT = {
    "dcat": "http://www.w3.org/ns/dcat#",
    "dct": "http://purl.org/dc/terms/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
}


def _date(value: Any) -> dict[str, str] | None:
    text = stamp(value)
    return {"@value": text + "Z", "@type": "xsd:dateTime"} if text else None


def _publisher(org: Organization, base: str) -> dict[str, Any]:
    return {
        "@id": f"{base}{reverse('opendata:index')}?organization={org.name}",
        "@type": "foaf:Organization",
        "foaf:name": org.title,
    }


def _dataset(ds: Dataset, base: str) -> dict[str, Any]:
    ind = ds.indicator
    landing = base + reverse("opendata:dataset", args=[ds.name])
    lic = license_info()
    out: dict[str, Any] = {
        "@id": landing,
        "@type": "dcat:Dataset",
        "dct:identifier": ds.name,
        "dct:title": [{"@value": ind.name_id, "@language": "id"}, {"@value": ind.name_en, "@language": "en"}],
        "dct:description": ds.notes,
        "dct:publisher": _publisher(ds.organization, base),
        "dcat:keyword": list(ds.tags),
        "dcat:landingPage": {"@id": landing},
        "dct:license": {"@id": lic["license_url"]} if lic["license_url"] else lic["license_id"],
        "dcat:distribution": [],
    }
    modified = _date(ds.modified)
    if modified:
        out["dct:modified"] = modified
    for res in ds.resources:
        url = base + reverse("opendata:resource", args=[ds.name, res.year.year, res.fmt])
        out["dcat:distribution"].append(
            {
                "@id": url,
                "@type": "dcat:Distribution",
                "dct:identifier": res.id,
                "dct:title": f"{ind.name_id} {res.year.year} ({res.fmt.upper()})",
                "dcat:downloadURL": {"@id": url},
                "dcat:accessURL": {"@id": landing},
                "dcat:mediaType": res.media_type,
                "dct:format": res.fmt.upper(),
                "dct:modified": _date(res.year.modified),
            }
        )
    return out


def catalog(cat: Catalogue, base: str) -> dict[str, Any]:
    root = pemda_root()
    name = root.name if root else "Balai"
    return {
        "@context": CONTEXT,
        "@id": base + reverse("opendata_api:catalog"),
        "@type": "dcat:Catalog",
        "dct:title": f"Satu Data {name}",
        "dct:description": f"Open data of {name}: the public indicators of Balai, by year, as CSV and JSON.",
        "dct:publisher": {"@type": "foaf:Organization", "foaf:name": name},
        "dct:language": "id",
        "dct:license": {"@id": license_info()["license_url"]}
        if license_info()["license_url"]
        else settings.BALAI_OPENDATA_LICENSE,
        "dcat:dataset": [_dataset(ds, base) for ds in cat.datasets],
    }
