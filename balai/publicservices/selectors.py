"""Reads of the catalogue: the public search (no login) and the scoped lists of the catalogue editors."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Max, Prefetch, Q, QuerySet
from django.urls import reverse
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext_lazy as _

from balai.core.formatting import format_number
from balai.core.scoping import subtree_q
from balai.org.choices import OFFICE_KINDS, UnitKind
from balai.org.models import OrgUnit
from balai.org.roles import Action
from balai.org.selectors import pemda_root
from balai.publicservices.models import Counter, Service, ServiceEvent
from balai.publicservices.services import is_mpp, mpp_codes


class Group:
    """How the public catalogue groups the offices a citizen goes to."""

    MPP = "mpp"
    AGENCY = "perangkat_daerah"
    KECAMATAN = "kecamatan"
    KELURAHAN = "kelurahan"


GROUP_CHOICES = [
    (Group.MPP, _("Public service mall (MPP)")),
    (Group.AGENCY, _("Regional agencies (perangkat daerah)")),
    (Group.KECAMATAN, _("Kecamatan offices")),
    (Group.KELURAHAN, _("Kelurahan offices")),
]
GROUP_ORDER = [g for g, _label in GROUP_CHOICES]
MAX_QUERY_WORDS = 8

# Words a citizen types that say nothing about the service: "surat keterangan untuk usaha" finds SKU.
_STOPWORDS = {"dan", "di", "ke", "untuk", "yang", "cara", "buat", "membuat", "mengurus", "urus", "bagaimana", "saya"}
# Everyday spellings of the same document, so "ektp" or "e-ktp" finds "KTP-el" and "akte" finds "akta".
_SYNONYMS = {
    "ektp": "ktp",
    "e-ktp": "ktp",
    "ktp-el": "ktp",
    "akte": "akta",
    "kartu-keluarga": "kk",
    "sktm": "tidak mampu",
    "sku": "usaha",
    "imb": "pbg",
    "siup": "nib",
}


def group_of(unit: OrgUnit) -> str:
    if is_mpp(unit):
        return Group.MPP
    if unit.kind in (UnitKind.KELURAHAN, UnitKind.DESA):
        return Group.KELURAHAN
    if unit.kind == UnitKind.KECAMATAN:
        return Group.KECAMATAN
    return Group.AGENCY


def _group_q(group: str) -> Q:
    codes = list(mpp_codes())
    if group == Group.MPP:
        # The MPP's own services and those of other offices served at its counters.
        at_mpp = Counter.services.through.objects.filter(counter__unit__code__in=codes, counter__is_active=True).values(
            "service_id"
        )
        return Q(unit__code__in=codes) | Q(pk__in=at_mpp)
    if group == Group.KELURAHAN:
        return Q(unit__kind__in=[UnitKind.KELURAHAN, UnitKind.DESA]) & ~Q(unit__code__in=codes)
    if group == Group.KECAMATAN:
        return Q(unit__kind=UnitKind.KECAMATAN) & ~Q(unit__code__in=codes)
    if group == Group.AGENCY:
        return ~Q(unit__kind__in=[UnitKind.KELURAHAN, UnitKind.DESA, UnitKind.KECAMATAN]) & ~Q(unit__code__in=codes)
    return Q(pk__in=[])


def query_words(text: str) -> list[str]:
    """The words of a search, lower-cased, everyday spellings mapped, filler words dropped."""
    words = []
    for raw in re.findall(r"[\w-]+", (text or "").lower())[: MAX_QUERY_WORDS * 2]:
        word = _SYNONYMS.get(raw, raw).strip("-")
        if word and word not in _STOPWORDS and word not in words:
            words.append(word)
    return words[:MAX_QUERY_WORDS]


NAME_FIELDS = ("name_id", "name_en", "code", "product", "description")
ALL_FIELDS = (*NAME_FIELDS, "requirements")


def _text_q(words: Iterable[str], fields: Iterable[str] = ALL_FIELDS) -> Q:
    """Every word somewhere in the fields (AND of words, OR of fields)."""
    cond = Q()
    for word in words:
        any_field = Q()
        for name in fields:
            any_field |= Q(**{f"{name}__icontains": word})
        cond &= any_field
    return cond


# -------------------------------------------------------------------------------------------- public
def public_services() -> QuerySet[Service]:
    """Active services of active offices of the Pemda: what the public catalogue may show."""
    # One Pemda per database (``balai init``): every service is the Pemda's. A path-range filter here would make
    # the database walk the whole org tree (tens of thousands of RT at scale) to find a few hundred services.
    return Service.objects.filter(is_active=True, unit__is_active=True).select_related("unit", "unit__parent")


def public_areas() -> tuple[list[OrgUnit], list[OrgUnit]]:
    """(kecamatan, kelurahan/desa) of the Pemda for the area filter."""
    root = pemda_root()
    if root is None:
        return [], []
    units = list(
        OrgUnit.objects.filter(
            subtree_q(root.path), is_active=True, kind__in=[UnitKind.KECAMATAN, UnitKind.KELURAHAN, UnitKind.DESA]
        )
        .select_related("parent")
        .order_by("name")
    )
    return [u for u in units if u.kind == UnitKind.KECAMATAN], [u for u in units if u.kind != UnitKind.KECAMATAN]


def area_get(code: str) -> OrgUnit | None:
    """A kecamatan or kelurahan of the Pemda by its code (None when it is not one)."""
    root = pemda_root()
    if not code or root is None:
        return None
    return (
        OrgUnit.objects.filter(
            subtree_q(root.path),
            code=code,
            is_active=True,
            kind__in=[UnitKind.KECAMATAN, UnitKind.KELURAHAN, UnitKind.DESA],
        )
        .only("id", "path", "name", "kind", "code")
        .first()
    )


def catalogue_search(*, q: str = "", area: OrgUnit | None = None, group: str = "") -> QuerySet[Service]:
    """The public catalogue filtered by words, by area (offices in that kecamatan/kelurahan) and by group."""
    qs = public_services()
    if area is not None:
        qs = qs.filter(subtree_q(area.path, "unit__"))
    if group:
        qs = qs.filter(_group_q(group))
    words = query_words(q)
    if words:
        # "ktp" names one service but sits in the requirements of dozens: match on what the service is first,
        # and on what it needs only when nothing is named so ("fotokopi kk", "pengantar rt").
        named = qs.filter(_text_q(words, NAME_FIELDS))
        qs = named if named.exists() else qs.filter(_text_q(words, ALL_FIELDS))
    return qs.order_by("unit__path", "sort_order", "name_id")


@dataclass(frozen=True, slots=True)
class Row:
    """One service of the public list, with its labels ready: the list renders hundreds of them per page."""

    pk: int
    name: str
    unit_id: int
    unit_path: str
    sort_order: int
    url: str
    days_label: str
    cost_label: str
    is_free: bool
    is_online: bool


@dataclass
class UnitSection:
    unit: OrgUnit
    group: str
    services: list[Row] = field(default_factory=list)


@dataclass
class GroupSection:
    group: str
    label: Any
    units: list[UnitSection] = field(default_factory=list)

    @property
    def count(self) -> int:
        return sum(len(u.services) for u in self.units)


def cost_label(cost: Any, cost_varies: bool) -> str:
    """As the detail page's _cost.html says it: Free, Rp 14.000, From Rp 50.000, Depends on the application."""
    if cost_varies and cost:
        return str(_("From Rp %(amount)s") % {"amount": format_number(cost)})
    if cost_varies:
        return str(_("Depends on the application"))
    return str(_("Free")) if cost == 0 else f"Rp {format_number(cost)}"


def days_label(days: int) -> str:
    return ngettext("%(n)d working day", "%(n)d working days", days) % {"n": days}


def catalogue_rows(qs: QuerySet[Service]) -> tuple[list[Row], dict[int, OrgUnit]]:
    """The list rows of a catalogue queryset (only the columns the list shows) and their offices."""
    english = (get_language() or "id").startswith("en")
    url = reverse("publicservices:detail", args=[999999999]).replace("999999999", "%d")
    days_cache: dict[int, str] = {}
    rows = []
    for pk, name_id, name_en, unit_id, path, order, days, cost, varies, online in qs.values_list(
        "pk",
        "name_id",
        "name_en",
        "unit_id",
        "unit__path",
        "sort_order",
        "time_limit_days",
        "cost",
        "cost_varies",
        "is_online",
    ):
        days_text = days_cache.get(days)
        if days_text is None:
            days_text = days_cache[days] = days_label(days)
        rows.append(
            Row(
                pk=pk,
                name=name_en if english and name_en else name_id,
                unit_id=unit_id,
                unit_path=path,
                sort_order=order,
                url=url % pk,
                days_label=days_text,
                cost_label=cost_label(cost, varies),
                is_free=cost == 0 and not varies,
                is_online=online,
            )
        )
    units = OrgUnit.objects.only("id", "name", "short_name", "code", "kind", "path").in_bulk(
        list({r.unit_id for r in rows})
    )
    return rows, units


def mpp_sections(rows: list[Row]) -> list[UnitSection]:
    """The MPP offices with the services (of these) served at their open counters, whoever gives them."""
    codes = list(mpp_codes())
    by_id = {r.pk: r for r in rows}
    if not codes or not by_id:
        return []
    pairs = (
        Counter.services.through.objects.filter(
            counter__unit__code__in=codes,
            counter__unit__is_active=True,
            counter__is_active=True,
            service_id__in=list(by_id),
        )
        .values_list("counter__unit_id", "service_id")
        .distinct()
    )
    offered: dict[int, set[int]] = {}
    for unit_id, service_id in pairs:
        offered.setdefault(unit_id, set()).add(service_id)
    units = OrgUnit.objects.only("id", "name", "short_name", "code", "kind", "path").in_bulk(list(offered))
    sections = []
    for unit_id, ids in offered.items():
        chosen = sorted((by_id[i] for i in ids), key=lambda r: (r.unit_path, r.sort_order, r.name))
        sections.append(UnitSection(units[unit_id], Group.MPP, chosen))
    return sorted(sections, key=lambda sec: sec.unit.name)


def catalogue_grouped(rows: list[Row], units: dict[int, OrgUnit], *, group: str = "") -> list[GroupSection]:
    """Services → groups (MPP, agencies, kecamatan, kelurahan) → offices, in the order of the tree.

    A service served at the MPP shows under the MPP too: citizens look for "what can I do at the MPP".
    """
    by_unit: dict[int, UnitSection] = {}
    for row in rows:
        section = by_unit.get(row.unit_id)
        if section is None:
            unit = units[row.unit_id]
            section = by_unit[row.unit_id] = UnitSection(unit, group_of(unit))
        section.services.append(row)
    for section in mpp_sections(rows):
        own = by_unit.get(section.unit.pk)
        if own is not None:
            seen = {r.pk for r in own.services}
            own.services.extend(r for r in section.services if r.pk not in seen)
        else:
            by_unit[section.unit.pk] = section
    labels = dict(GROUP_CHOICES)
    groups = {g: GroupSection(g, labels[g]) for g in GROUP_ORDER}
    for section in by_unit.values():
        groups[section.group].units.append(section)
    for g in groups.values():
        g.units.sort(key=lambda s: s.unit.name if g.group != Group.AGENCY else s.unit.path)
    return [g for g in groups.values() if g.units and (not group or g.group == group)]


def catalogue_version() -> str:
    """Changes whenever a service or a counter's services change: the key of the cached public list."""
    services_agg = Service.objects.aggregate(n=Count("id"), at=Max("updated_at"))
    pairs = Counter.services.through.objects.aggregate(n=Count("id"), top=Max("id"))
    open_counters = Counter.objects.filter(is_active=True).aggregate(n=Count("id"), top=Max("id"))
    at = services_agg["at"].timestamp() if services_agg["at"] else 0
    return f"{services_agg['n']}.{at}.{pairs['n']}.{pairs['top']}.{open_counters['n']}.{open_counters['top']}"


def public_service_get(pk: Any) -> Service | None:
    """An active service of the catalogue (None when unknown or inactive: the page answers 404)."""
    try:
        return public_services().get(pk=int(pk))
    except (Service.DoesNotExist, TypeError, ValueError):
        return None


def counters_serving(service: Service) -> list[Counter]:
    """Open counters serving the service (its office's and the MPP's), with their office."""
    return list(
        Counter.objects.filter(services=service, is_active=True, unit__is_active=True)
        .select_related("unit")
        .order_by("unit__path", "name")
    )


# --------------------------------------------------------------------------------------------- staff
def managed_units(user: Any) -> QuerySet[OrgUnit]:
    """Offices whose catalogue the user may edit (their own unit, and for a Pemda admin every office)."""
    return (
        OrgUnit.objects.visible_to(user, Action.EDIT)
        .filter(is_active=True, kind__in=OFFICE_KINDS)
        .select_related("parent")
        .order_by("path")
    )


def staff_services(user: Any, *, unit: OrgUnit | None = None, q: str = "", status: str = "") -> QuerySet[Service]:
    qs = Service.objects.visible_to(user, Action.EDIT).select_related("unit")
    if unit is not None:
        qs = qs.filter(unit=unit)
    words = query_words(q)
    if words:
        qs = qs.filter(_text_q(words))
    if status == "active":
        qs = qs.filter(is_active=True)
    elif status == "inactive":
        qs = qs.filter(is_active=False)
    return qs.annotate(counter_count=Count("counters", distinct=True)).order_by("unit__path", "sort_order", "name_id")


def staff_service_get(user: Any, pk: Any) -> Service:
    """A service the user may edit; 404 otherwise (out of scope must not reveal it exists)."""
    return Service.objects.select_related("unit").get_visible(user, Action.EDIT, pk=pk)


def staff_counters(user: Any, *, unit: OrgUnit | None = None) -> QuerySet[Counter]:
    qs = Counter.objects.visible_to(user, Action.EDIT).select_related("unit")
    if unit is not None:
        qs = qs.filter(unit=unit)
    return qs.prefetch_related(
        Prefetch("services", queryset=Service.objects.only("id", "name_id", "name_en", "unit_id", "sort_order"))
    ).order_by("unit__path", "name")


def staff_counter_get(user: Any, pk: Any) -> Counter:
    return Counter.objects.select_related("unit").get_visible(user, Action.EDIT, pk=pk)


def counter_service_choices(unit: OrgUnit) -> QuerySet[Service]:
    """Services a counter of this office may serve: its own, or every active one of the Pemda for the MPP."""
    qs = Service.objects.filter(is_active=True).select_related("unit")
    if is_mpp(unit):
        return qs.order_by("unit__path", "sort_order", "name_id")  # one Pemda per database (see public_services)
    return qs.filter(unit=unit).order_by("sort_order", "name_id")


def events_visible(user: Any, action: str = Action.VIEW) -> QuerySet[ServiceEvent]:
    return ServiceEvent.objects.visible_to(user, action)
