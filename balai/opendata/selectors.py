"""The reads of open data (Satu Data): the catalogue of public datasets and the Facts they publish.

A dataset is a public, active indicator; its organization is the unit that owns it (the Pemda when no
unit does); its resources are one CSV and one JSON file per year that has Facts. Like the rest of the
dashboard family this reads Facts, Indicator and OrgUnit only, never a module's tables (ARCHITECTURE
§3.4). It does not go through ``visible_to``: everything here is published to anonymous readers, and
the publication flag (``Indicator.is_public``) is the whole of the scope.

The catalogue costs a fixed number of queries whatever the number of datasets (one for the indicators
and their owners, one grouped query for the years, the Pemda root), so a ``package_search`` of 1,000
rows costs what one of 10 does. The grouped query scans the Facts of the public indicators, so its
answer is kept for ``BALAI_OPENDATA_CACHE_SECONDS``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, Max, Min
from django.db.models.functions import Substr

from balai.indicators.models import Fact, Indicator
from balai.org.models import OrgUnit
from balai.org.selectors import pemda_root

#: The columns of a CSV resource, in order (the JSON resource uses the same names).
COLUMNS = ("period", "org_unit_code", "org_unit_name", "kemendagri_code", "value", "numerator", "denominator")
FORMATS = ("csv", "json")
MEDIA_TYPES = {"csv": "text/csv", "json": "application/json"}
#: uuid5 namespace of the ids: the same indicator code gives the same dataset id on every server and reload.
NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://balai.id/opendata")
_UNSAFE = re.compile(r"[^a-z0-9_-]")
CACHE_PREFIX = "opendata:years:"


class NotFound(Exception):
    """No public dataset, organization or resource by that name or id."""


def ckan_name(code: str) -> str:
    """A code made safe for a CKAN name (``^[a-z0-9_-]{2,100}$``): ``complaints.received`` → ``complaints-received``.

    Character by character, so the name of a code never changes while the code does not.
    """
    name = _UNSAFE.sub("-", code.lower())[:100]
    return name if len(name) >= 2 else f"{name}--"[:2]


@dataclass(frozen=True)
class Organization:
    unit: OrgUnit
    name: str
    id: str

    @property
    def title(self) -> str:
        return self.unit.name


@dataclass(frozen=True)
class Year:
    year: int
    rows: int
    created: dt.datetime
    modified: dt.datetime


@dataclass(frozen=True)
class Resource:
    dataset: Dataset
    year: Year
    fmt: str
    position: int

    @property
    def id(self) -> str:
        return f"{self.dataset.name}-{self.year.year}-{self.fmt}"

    @property
    def media_type(self) -> str:
        return MEDIA_TYPES[self.fmt]


@dataclass(frozen=True)
class Dataset:
    indicator: Indicator
    name: str
    id: str
    organization: Organization
    tags: tuple[str, ...]
    years: tuple[Year, ...]  # oldest first

    @property
    def title(self) -> str:
        return self.indicator.name_id

    @property
    def notes(self) -> str:
        ind = self.indicator
        return ind.description_id or ind.description_en or ind.name_id

    @property
    def modified(self) -> dt.datetime | None:
        return max((y.modified for y in self.years), default=None)

    @property
    def created(self) -> dt.datetime | None:
        return min((y.created for y in self.years), default=None)

    @property
    def resources(self) -> list[Resource]:
        # Newest year first: what most readers came for.
        out: list[Resource] = []
        for year in reversed(self.years):
            for fmt in FORMATS:
                out.append(Resource(dataset=self, year=year, fmt=fmt, position=len(out)))
        return out

    @property
    def latest_year(self) -> Year | None:
        return self.years[-1] if self.years else None

    def year(self, year: int) -> Year | None:
        return next((y for y in self.years if y.year == year), None)


@dataclass
class Catalogue:
    datasets: list[Dataset]  # by name
    organizations: list[Organization] = field(default_factory=list)  # by name

    def dataset(self, name_or_id: str) -> Dataset:
        for ds in self.datasets:
            if name_or_id in (ds.name, ds.id):
                return ds
        raise NotFound(name_or_id)

    def organization(self, name_or_id: str) -> Organization:
        for org in self.organizations:
            if name_or_id in (org.name, org.id):
                return org
        raise NotFound(name_or_id)

    def resource(self, resource_id: str) -> Resource:
        for ds in self.datasets:
            for res in ds.resources:
                if res.id == resource_id:
                    return res
        raise NotFound(resource_id)

    def package_count(self, org: Organization) -> int:
        return sum(1 for ds in self.datasets if ds.organization.id == org.id)

    def tags(self) -> list[str]:
        return sorted({t for ds in self.datasets for t in ds.tags})


def public_indicators() -> list[Indicator]:
    return list(Indicator.objects.filter(is_public=True, is_active=True).select_related("owner").order_by("code"))


def _tags(ind: Indicator) -> tuple[str, ...]:
    tags = {t.strip().lower() for t in (ind.category, ind.source) if t and t.strip()}
    return tuple(sorted(tags))


def _years(indicator_ids: list[int]) -> dict[int, list[Year]]:
    """The years with Facts of each indicator (the year of a period is its first four digits, as DHIS2 spells it)."""
    if not indicator_ids:
        return {}
    key = CACHE_PREFIX + hashlib.sha1(",".join(map(str, indicator_ids)).encode(), usedforsecurity=False).hexdigest()
    seconds = settings.BALAI_OPENDATA_CACHE_SECONDS
    if seconds:
        hit = cache.get(key)
        if hit is not None:
            return hit  # type: ignore[no-any-return]
    rows = (
        Fact.objects.filter(indicator_id__in=indicator_ids)
        .annotate(year=Substr("period", 1, 4))
        .values("indicator_id", "year")
        .annotate(rows=Count("id"), created=Min("updated_at"), modified=Max("updated_at"))
        .order_by("indicator_id", "year")
    )
    out: dict[int, list[Year]] = {}
    for row in rows:
        out.setdefault(row["indicator_id"], []).append(
            Year(year=int(row["year"]), rows=row["rows"], created=row["created"], modified=row["modified"])
        )
    if seconds:
        cache.set(key, out, seconds)
    return out


def catalogue() -> Catalogue:
    """Every public dataset and the organizations that publish them, in three or four queries."""
    indicators = public_indicators()
    root = pemda_root()
    years = _years([ind.pk for ind in indicators])
    orgs: dict[int, Organization] = {}
    datasets = []
    taken: set[str] = set()
    for ind in indicators:
        unit = ind.owner or root
        if unit is None:  # no Pemda set up yet: nothing can be published on its behalf
            continue
        if unit.pk not in orgs:
            orgs[unit.pk] = Organization(
                unit=unit, name=ckan_name(unit.code), id=str(uuid.uuid5(NAMESPACE, f"org:{unit.code}"))
            )
        name = ckan_name(ind.code)
        if name in taken:
            # Two codes that differ only in unsafe characters (a.b, a-b): the first by code keeps the plain name,
            # the other gets a suffix from its own code, so each name still depends on its code alone.
            name = f"{name[:93]}-{hashlib.sha1(ind.code.encode(), usedforsecurity=False).hexdigest()[:6]}"
        taken.add(name)
        datasets.append(
            Dataset(
                indicator=ind,
                name=name,
                id=str(uuid.uuid5(NAMESPACE, f"dataset:{ind.code}")),
                organization=orgs[unit.pk],
                tags=_tags(ind),
                years=tuple(years.get(ind.pk, [])),
            )
        )
    datasets.sort(key=lambda d: (d.name, d.indicator.code))
    return Catalogue(datasets=datasets, organizations=sorted(orgs.values(), key=lambda o: o.name))


def fact_rows(dataset: Dataset, year: int, limit: int | None = None) -> Iterator[tuple[Any, ...]]:
    """The Facts of one dataset and year as ``COLUMNS`` tuples, streamed from the database in chunks.

    Periods of a year start between late December of the year before (an ISO week 01) and its end, so
    the date range keeps the query on the (indicator, period_start) index.
    """
    qs = (
        Fact.objects.filter(
            indicator_id=dataset.indicator.pk,
            period_start__gte=dt.date(year - 1, 12, 1),
            period_start__lt=dt.date(year + 1, 1, 1),
            period__startswith=f"{year:04d}",
        )
        .order_by("period_start", "period", "org_unit__code")
        .values_list(
            "period",
            "org_unit__code",
            "org_unit__name",
            "org_unit__kemendagri_code",
            "value",
            "numerator",
            "denominator",
        )
    )
    if limit is not None:
        yield from qs[:limit]
    else:
        yield from qs.iterator(chunk_size=2000)
