"""Open311 GeoReport v2 server (``/open311/v2/``): lets citizen apps list services and file and follow reports.

Only what the public pages show leaves through here (``Complaint.objects.public()``): never a reporter's name,
phone or e-mail, never a confidential or hidden report. Every answer exists as XML (required by the spec) and
JSON, chosen by the URL suffix.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import re
import time
import xml.etree.ElementTree as ET
import zoneinfo
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.cache import caches
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email
from django.db import connection, transaction
from django.db.models import Exists, OuterRef, QuerySet, Subquery
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.cache import patch_cache_control
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from balai.complaints.choices import OPEN_STATUSES, Channel, Status
from balai.complaints.media_fetch import fetch_open311_media
from balai.complaints.models import Category, Complaint, ComplaintPhoto, ComplaintUpdate
from balai.complaints.open311_keys import open311_client_verify
from balai.complaints.selectors import active_category
from balai.complaints.services import MAX_DESCRIPTION, complaint_submit
from balai.org.selectors import pemda_root, pemda_time_zone

FORMATS = {"xml": "text/xml; charset=utf-8", "json": "application/json; charset=utf-8"}
DEFAULT_DAYS = 90
MAX_RESULTS = 1000
DATATYPES = {"string", "number", "datetime", "text", "singlevaluelist", "multivaluelist"}
# The date this implementation last changed in a way clients could notice (discovery's changeset).
CHANGESET = "2026-11-22T00:00:00+00:00"

# Balai's LAPOR! statuses told in FixMyStreet's words for servicerequestupdates.
FMS_STATUS = {
    Status.RECEIVED: "investigating",
    Status.VERIFIED: "action_scheduled",
    Status.IN_PROGRESS: "in_progress",
    Status.WAITING: "internal_referral",
    Status.POSTPONED: "investigating",
    Status.RESOLVED: "fixed",
    Status.NOT_AUTHORITY: "not_councils_responsibility",
    Status.DUPLICATE: "duplicate",
    Status.ARCHIVED: "no_further_action",
    Status.CLOSED: "closed",
}

# XML element of one item inside a list-valued field.
XML_ITEM = {"attributes": "attribute", "values": "value", "endpoints": "endpoint", "formats": "format"}


class Open311Error(Exception):
    def __init__(self, status: int, description: str) -> None:
        super().__init__(description)
        self.status = status
        self.description = description


# ------------------------------------------------------------------------------------------ rendering
def _xml_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _xml_fill(parent: ET.Element, data: dict[str, Any]) -> None:
    for key, value in data.items():
        child = ET.SubElement(parent, key)
        if isinstance(value, list):
            item_tag = XML_ITEM.get(key, "item")
            for item in value:
                sub = ET.SubElement(child, item_tag)
                if isinstance(item, dict):
                    _xml_fill(sub, item)
                else:
                    sub.text = _xml_text(item)
        elif isinstance(value, dict):
            _xml_fill(child, value)
        else:
            child.text = _xml_text(value)


def _render(fmt: str, data: Any, *, root: str, item: str = "", status: int = 200) -> HttpResponse:
    """JSON as is; XML as <root><item>...</item></root> for lists, <root>...</root> for one object."""
    if fmt == "json":
        body = json.dumps(data, ensure_ascii=False)
    else:
        element = ET.Element(root)
        if isinstance(data, list):
            for entry in data:
                _xml_fill(ET.SubElement(element, item), entry)
        else:
            _xml_fill(element, data)
        body = ET.tostring(element, encoding="unicode", xml_declaration=True)
    return HttpResponse(body, content_type=FORMATS[fmt], status=status)


def _error(fmt: str, status: int, description: str) -> HttpResponse:
    # An unknown suffix has no format of its own: answer in XML, the one every Open311 client reads.
    fmt = fmt if fmt in FORMATS else "xml"
    return _render(fmt, [{"code": status, "description": description}], root="errors", item="error", status=status)


def _open311_view(view: Any) -> Any:
    """Check the suffix and turn Open311Error into the spec's error list."""

    def wrapper(request: HttpRequest, *args: Any, fmt: str, **kwargs: Any) -> HttpResponse:
        if fmt not in FORMATS:
            return _error("xml", 404, _("Unknown format %(fmt)s: use xml or json.") % {"fmt": fmt})
        # Apps without an Accept-Language header commonly send the extension parameter locale (en_US, id).
        locale = _param(request.GET, "locale").replace("_", "-").split("-")[0].lower()
        with translation.override(locale if locale in dict(settings.LANGUAGES) else translation.get_language()):
            try:
                return view(request, *args, fmt=fmt, **kwargs)
            except Open311Error as exc:
                return _error(fmt, exc.status, exc.description)

    wrapper.__name__ = view.__name__
    wrapper.__doc__ = view.__doc__
    return wrapper


# ------------------------------------------------------------------------------------------ helpers
def _zone() -> dt.tzinfo:
    # The Pemda's zone is cached per process (as the time zone middleware reads it): no query per request.
    name = settings.BALAI_TIME_ZONE or pemda_time_zone()
    return zoneinfo.ZoneInfo(name) if name else timezone.get_current_timezone()


def _w3c(value: dt.datetime | None, zone: dt.tzinfo) -> str | None:
    return value.astimezone(zone).isoformat(timespec="seconds") if value else None


def _param(data: Any, name: str) -> str:
    """An empty optional parameter means the same as an absent one."""
    return (data.get(name) or "").strip()


def _parse_when(value: str, name: str, zone: dt.tzinfo, *, end: bool = False) -> dt.datetime | None:
    if not value:
        return None
    try:
        parsed = parse_datetime(value)
    except ValueError:
        parsed = None
    if parsed is None:
        day = None
        with contextlib.suppress(ValueError):
            day = parse_date(value)
        if day is None:
            raise Open311Error(
                400, _("%(name)s must be a W3C date-time such as 2026-11-22T08:00:00+08:00.") % {"name": name}
            )
        # A bare end date includes the whole day.
        parsed = dt.datetime.combine(day + dt.timedelta(days=1) if end else day, dt.time())
    if timezone.is_naive(parsed):
        parsed = parsed.replace(tzinfo=zone)
    return parsed


def _date_range(data: Any, zone: dt.tzinfo) -> tuple[dt.datetime, dt.datetime | None]:
    start = _parse_when(_param(data, "start_date"), "start_date", zone)
    end = _parse_when(_param(data, "end_date"), "end_date", zone, end=True)
    if start and end and start > end:
        raise Open311Error(400, _("start_date is after end_date."))
    if start is None:
        start = (end or timezone.now()) - dt.timedelta(days=DEFAULT_DAYS)
    return start, end


def _page(data: Any, qs: QuerySet[Any]) -> QuerySet[Any]:
    """The extension page/page_size (1-based); never more than MAX_RESULTS at once."""
    try:
        page = int(_param(data, "page") or 1)
        size = int(_param(data, "page_size") or MAX_RESULTS)
    except ValueError:
        raise Open311Error(400, _("page and page_size must be whole numbers.")) from None
    if page < 1 or size < 1:
        raise Open311Error(400, _("page and page_size start at 1."))
    size = min(size, MAX_RESULTS)
    return qs[(page - 1) * size : page * size]


def _localized(value: Any) -> str | None:
    """A text given either as a string or as {"id": ..., "en": ...}."""
    if isinstance(value, dict):
        lang = "en" if (get_language() or "id").startswith("en") else "id"
        value = value.get(lang) or value.get("id") or value.get("en")
    return str(value) if value not in (None, "") else None


def _values(spec: dict[str, Any]) -> list[dict[str, str]]:
    out = []
    for value in spec.get("values") or []:
        if isinstance(value, dict):
            key = str(value.get("key", ""))
            out.append({"key": key, "name": _localized(value.get("name")) or key})
        else:
            out.append({"key": str(value), "name": str(value)})
    return out


def _category_description(category: Category) -> str | None:
    lang_en = (get_language() or "id").startswith("en")
    return (category.description_en if lang_en else category.description_id) or category.description_id or None


def _active_category(code: str) -> Category:
    category = active_category(code=code)
    if category is None:
        raise Open311Error(404, _("Unknown service_code %(code)s.") % {"code": code})
    return category


#: What one service request is made of, read as plain tuples: building ~500 model instances and parsing
#: every timeline entry's timestamps for a page of 100 cost more than the whole rest of the answer (bench/).
REQUEST_COLUMNS = (
    "tracking_code",
    "status",
    "category__code",
    "category__name_id",
    "category__name_en",
    "public_description",
    "description",
    "unit__name",
    "received_at",
    "resolution_due",
    "address",
    "latitude",
    "longitude",
    "note",
    "note_at",
    "photo_id",
)


def _first_visible_photo(**link: Any) -> Subquery:
    photos = ComplaintPhoto.objects.filter(is_hidden=False, **link).order_by("created_at", "id")
    return Subquery(photos.values("pk")[:1])


def _public_requests() -> QuerySet[Any]:
    """Public reports as REQUEST_COLUMNS rows, newest first; only their newest public note is read."""
    newest_note = (
        ComplaintUpdate.objects.filter(complaint=OuterRef("pk"), is_public=True)
        .exclude(text="")
        .order_by("-created_at", "-id")
    )
    return (
        Complaint.objects.public()
        .annotate(
            note=Subquery(newest_note.values("text")[:1]),
            note_at=Subquery(newest_note.values("created_at")[:1]),
            photo_id=_first_visible_photo(complaint=OuterRef("pk")),
        )
        .values_list(*REQUEST_COLUMNS)
    )


class _Media:
    """media_url of a report's photo: through the tracking page's photo view, which refuses hidden photos
    (/media/ itself is not public). The address is built once per answer, not per row."""

    def __init__(self, request: HttpRequest) -> None:
        self.site = request.build_absolute_uri("/")[:-1]

    def url(self, code: str, photo_id: int | None) -> str | None:
        if photo_id is None:
            return None
        return self.site + reverse("complaints_public:photo", args=[code, photo_id])


def _requests_data(request: HttpRequest, rows: Any, zone: dt.tzinfo) -> list[dict[str, Any]]:
    english = (get_language() or "id").startswith("en")
    media = _Media(request)
    data = []
    for (
        code,
        status,
        service_code,
        name_id,
        name_en,
        public_description,
        description,
        unit_name,
        received_at,
        resolution_due,
        address,
        latitude,
        longitude,
        note,
        note_at,
        photo_id,
    ) in rows:
        data.append(
            {
                "service_request_id": code,
                "status": "open" if status in OPEN_STATUSES else "closed",
                "status_notes": note,
                "service_name": name_en if english else name_id,
                "service_code": service_code,
                "description": public_description or description or None,
                "agency_responsible": unit_name,
                "service_notice": None,
                "requested_datetime": _w3c(received_at, zone),
                "updated_datetime": _w3c(note_at or received_at, zone),
                "expected_datetime": _w3c(resolution_due, zone),
                "address": address or None,
                "address_id": None,
                "zipcode": None,
                "lat": latitude,
                "long": longitude,
                "media_url": media.url(code, photo_id),
            }
        )
    return data


# ------------------------------------------------------------------------------------------ cache
CACHE = "open311"


#: How long a worker without a database connection trusts the version it read last (see _complaints_version).
VERSION_RECHECK_SECONDS = 1.0
_version_read: tuple[float, str] | None = None  # (_clock() at the read, version)
_clock = time.monotonic


def _complaints_version() -> str:
    """Changes with every timeline entry and every photo, whichever worker or task wrote it.

    Every write of a report (filing, each staff step, moderation, escalation) adds a timeline entry, so the
    newest entry's id is a version all workers and machines read from the database in one indexed lookup; a
    counter bumped by the services in one process would not reach the others. Renamed categories or units
    show within BALAI_OPEN311_CACHE_SECONDS, as does the rare entry committed after a later one.

    A request that has no database connection yet (SQLite: every request, Django closes them) would pay more
    for opening one than a cached answer costs: ~1.7 ms of SQLite reading the schema, as much as the whole
    bare JSON view (bench/). Then the version this worker read less than VERSION_RECHECK_SECONDS ago is used:
    another worker's write shows within that second. With a connection open (PostgreSQL keeps them) it is
    read every time.
    """
    global _version_read
    now = _clock()
    if connection.connection is None and _version_read is not None and now - _version_read[0] < VERSION_RECHECK_SECONDS:
        return _version_read[1]
    quote = connection.ops.quote_name
    updates, photos = quote(ComplaintUpdate._meta.db_table), quote(ComplaintPhoto._meta.db_table)
    with connection.cursor() as cursor:
        # Only table names from the models go into the SQL.
        cursor.execute(f"SELECT (SELECT MAX(id) FROM {updates}), (SELECT MAX(id) FROM {photos})")  # noqa: S608
        row = cursor.fetchone()
    version = f"{row[0]}.{row[1]}"
    _version_read = (now, version)
    return version


def _public_cached(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Anonymous reads of public reports, answered from a short per-worker cache.

    Apps poll the same lists over and over; an answer is kept BALAI_OPEN311_CACHE_SECONDS, keyed by the
    address, every parameter, the language and the complaints version, so a new timeline entry or photo shows
    at once (within a second on SQLite). Requests with an api_key or from a signed-in user are always answered
    afresh.
    """

    def wrapper(request: HttpRequest, *args: Any, fmt: str, **kwargs: Any) -> HttpResponse:
        seconds = settings.BALAI_OPEN311_CACHE_SECONDS
        user = getattr(request, "user", None)
        if (
            seconds <= 0
            or request.method != "GET"
            or "api_key" in request.GET
            or (user is not None and user.is_authenticated)
        ):
            return view(request, *args, fmt=fmt, **kwargs)
        query = sorted((k, v) for k in request.GET for v in request.GET.getlist(k))
        address = f"{request.build_absolute_uri(request.path)}?{query}|{get_language()}"
        key = f"open311:{hashlib.sha256(address.encode()).hexdigest()}:{_complaints_version()}"
        cache = caches[CACHE]
        hit = cache.get(key)
        if hit is not None:
            body, content_type = hit
            response = HttpResponse(body, content_type=content_type)
        else:
            response = view(request, *args, fmt=fmt, **kwargs)
            if response.status_code != 200:
                return response
            cache.set(key, (response.content, response["Content-Type"]), seconds)
        # The same public answer for everyone: a reverse proxy may keep it as long as we do.
        patch_cache_control(response, public=True, max_age=seconds)
        return response

    wrapper.__name__ = view.__name__
    wrapper.__doc__ = view.__doc__
    return wrapper


# ------------------------------------------------------------------------------------------ views
@require_GET
@_open311_view
def discovery(request: HttpRequest, fmt: str) -> HttpResponse:
    base = request.build_absolute_uri(reverse("complaints_open311:discovery", kwargs={"fmt": fmt}))
    root = pemda_root()
    data = {
        "changeset": CHANGESET,
        "contact": root.name if root else "Balai",
        "key_service": _("Ask the Pemda's administrator for an api_key."),
        "endpoints": [
            {
                "specification": "http://wiki.open311.org/GeoReport_v2",
                "url": base.rsplit("/", 1)[0],
                "changeset": CHANGESET,
                "type": "production",
                "formats": ["text/xml", "application/json"],
            }
        ],
    }
    return _render(fmt, data, root="discovery")


@require_GET
@_open311_view
def services(request: HttpRequest, fmt: str) -> HttpResponse:
    data = [
        {
            "service_code": c.code,
            "service_name": c.name,
            "description": _category_description(c),
            "metadata": bool(c.attributes),
            "type": "realtime",
            "keywords": c.keywords or None,
            "group": str(c.get_classification_display()),
        }
        for c in Category.objects.filter(is_active=True)
    ]
    return _render(fmt, data, root="services", item="service")


@require_GET
@_open311_view
def service_definition(request: HttpRequest, fmt: str, code: str) -> HttpResponse:
    category = _active_category(code)
    attributes = []
    for order, spec in enumerate(category.attributes or [], start=1):
        datatype = spec.get("datatype") if spec.get("datatype") in DATATYPES else "string"
        attributes.append(
            {
                "variable": True,
                "code": str(spec.get("code", "")),
                "datatype": datatype,
                "required": bool(spec.get("required", False)),
                "datatype_description": _localized(spec.get("datatype_description")),
                "order": order,
                "description": _localized(spec.get("description")),
                "values": _values(spec),
            }
        )
    data = {"service_code": category.code, "attributes": attributes}
    return _render(fmt, data, root="service_definition")


# An API with its own api_key, posted by apps that never saw our pages: there is no CSRF token to
# send, and no session cookie is used to authorise the write, so CSRF protection has nothing to protect.
@csrf_exempt
@require_http_methods(["GET", "POST"])
@_open311_view
@_public_cached
def requests(request: HttpRequest, fmt: str) -> HttpResponse:
    if request.method == "POST":
        return _request_create(request, fmt)
    zone = _zone()
    qs = _public_requests()
    ids = [i.strip() for i in _param(request.GET, "service_request_id").split(",") if i.strip()]
    if ids:
        qs = qs.filter(tracking_code__in=ids)
    else:
        codes = [c.strip() for c in _param(request.GET, "service_code").split(",") if c.strip()]
        if codes:
            qs = qs.filter(category__code__in=codes)
        start, end = _date_range(request.GET, zone)
        qs = qs.filter(received_at__gte=start)
        if end is not None:
            qs = qs.filter(received_at__lte=end)
        statuses = {s.strip() for s in _param(request.GET, "status").split(",") if s.strip()}
        if statuses - {"open", "closed"}:
            raise Open311Error(400, _("status must be open or closed."))
        if statuses == {"open"}:
            qs = qs.filter(status__in=OPEN_STATUSES)
        elif statuses == {"closed"}:
            qs = qs.exclude(status__in=OPEN_STATUSES)
    data = _requests_data(request, _page(request.GET, qs), zone)
    return _render(fmt, data, root="service_requests", item="request")


@require_GET
@_open311_view
@_public_cached
def request_detail(request: HttpRequest, fmt: str, request_id: str) -> HttpResponse:
    data = _requests_data(request, _public_requests().filter(tracking_code=request_id)[:1], _zone())
    if not data:
        raise Open311Error(404, _("No public service request %(id)s.") % {"id": request_id})
    return _render(fmt, data, root="service_requests", item="request")


@require_GET
@_open311_view
def token_status(request: HttpRequest, fmt: str, token: str) -> HttpResponse:
    # Ids are made at once, so a token is the tracking code itself; it only confirms what the app already
    # holds, which is why a report not yet public answers too (but never a confidential or hidden one).
    found = Complaint.objects.filter(tracking_code=token, is_confidential=False, is_hidden=False).exists()
    if not found:
        raise Open311Error(404, _("Unknown token %(token)s.") % {"token": token})
    return _render(fmt, [{"service_request_id": token, "token": token}], root="service_requests", item="request")


@require_GET
@_open311_view
@_public_cached
def service_request_updates(request: HttpRequest, fmt: str) -> HttpResponse:
    """FixMyStreet's extension: the public timeline of public reports, newest last."""
    zone = _zone()
    start, end = _date_range(request.GET, zone)
    status_then = (
        ComplaintUpdate.objects.filter(complaint=OuterRef("complaint"), created_at__lte=OuterRef("created_at"))
        .exclude(status_to="")
        .order_by("-created_at", "-id")
        .values("status_to")[:1]
    )
    # EXISTS per entry, walked in created_at order: `complaint__in=public()` made SQLite build the set of all
    # public reports first (5 s at a million reports, against 15 ms).
    public = Exists(Complaint.objects.public().filter(pk=OuterRef("complaint_id")))
    qs = (
        ComplaintUpdate.objects.filter(public, is_public=True, created_at__gte=start)
        .annotate(status_then=Subquery(status_then), photo_id=_first_visible_photo(update=OuterRef("pk")))
        .order_by("created_at", "id")
    )
    if end is not None:
        qs = qs.filter(created_at__lte=end)
    rows = qs.values_list(
        "pk",
        "complaint__tracking_code",
        "status_to",
        "status_then",
        "complaint__status",
        "created_at",
        "text",
        "photo_id",
    )
    media = _Media(request)
    data = [
        {
            "update_id": str(pk),
            "service_request_id": code,
            "status": FMS_STATUS.get(status_to or status_then or status, "investigating"),
            "updated_datetime": _w3c(created_at, zone),
            "description": text or None,
            "media_url": media.url(code, photo_id),
        }
        for pk, code, status_to, status_then, status, created_at, text, photo_id in _page(request.GET, rows)
    ]
    return _render(fmt, data, root="service_request_updates", item="request_update")


# ------------------------------------------------------------------------------------------ create
ATTRIBUTE_KEY = re.compile(r"^attribute\[([^\[\]]+)\](\[\])?$")


def _attributes(post: Any, category: Category) -> dict[str, Any]:
    """The answers to the category's attributes, checked against its service definition."""
    given: dict[str, list[str]] = {}
    for key in post:
        match = ATTRIBUTE_KEY.match(key)
        if match:
            values = [v.strip() for v in post.getlist(key) if v.strip()]
            if values:
                given.setdefault(match.group(1), []).extend(values)
    answers: dict[str, Any] = {}
    for spec in category.attributes or []:
        code = str(spec.get("code", ""))
        values = given.get(code, [])
        if not values:
            if spec.get("required"):
                raise Open311Error(400, _("attribute[%(code)s] is required.") % {"code": code})
            continue
        datatype = spec.get("datatype")
        keys = {v["key"] for v in _values(spec)}
        if datatype in ("singlevaluelist", "multivaluelist") and keys and any(v not in keys for v in values):
            raise Open311Error(
                400,
                _("attribute[%(code)s] must be one of: %(keys)s.") % {"code": code, "keys": ", ".join(sorted(keys))},
            )
        if datatype == "number":
            try:
                [float(v) for v in values]
            except ValueError:
                raise Open311Error(400, _("attribute[%(code)s] must be a number.") % {"code": code}) from None
        answers[code] = values if datatype == "multivaluelist" else values[0]
    return answers


def _location(post: Any) -> tuple[float | None, float | None, str]:
    lat, lon = _param(post, "lat"), _param(post, "long")
    address = _param(post, "address_string") or _param(post, "address_id")
    if lat or lon:
        try:
            latitude, longitude = float(lat), float(lon)
        except ValueError:
            raise Open311Error(400, _("lat and long must both be given as decimal degrees.")) from None
        if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
            raise Open311Error(400, _("lat and long are not a location on Earth."))
        return latitude, longitude, address
    if not address:
        raise Open311Error(400, _("Give a location: lat and long, address_string or address_id."))
    return None, None, address


def _request_create(request: HttpRequest, fmt: str) -> HttpResponse:
    post = request.POST
    client = open311_client_verify(_param(post, "api_key"))
    if client is None:
        raise Open311Error(403, _("A valid api_key is required."))
    code = _param(post, "service_code")
    if not code:
        raise Open311Error(400, _("service_code is required."))
    category = _active_category(code)
    latitude, longitude, address = _location(post)
    description = _param(post, "description")
    if len(description) > MAX_DESCRIPTION:
        raise Open311Error(
            400,
            _("The description is %(n)d characters long; at most %(max)d are allowed.")
            % {"n": len(description), "max": MAX_DESCRIPTION},
        )
    email = _param(post, "email")
    if email:
        try:
            validate_email(email)
        except ValidationError:
            raise Open311Error(400, _("email is not a valid e-mail address.")) from None
    attributes = _attributes(post, category)
    media_url = _param(post, "media_url")
    if media_url:
        try:
            URLValidator(schemes=["http", "https"])(media_url)
        except ValidationError:
            raise Open311Error(400, _("media_url must be an http or https address.")) from None
        # Kept with the answers until a task fetches it into a ComplaintPhoto: no network call in a request.
        attributes["_media_url"] = media_url
    account_id = _param(post, "account_id")
    name = " ".join(p for p in (_param(post, "first_name"), _param(post, "last_name")) if p)
    pemda = pemda_root()
    if pemda is None:  # pragma: no cover - a server without `balai init`
        raise Open311Error(404, _("This server has no Pemda yet."))
    try:
        complaint = complaint_submit(
            channel=Channel.OPEN311,
            category=category,
            description=description,
            pemda=pemda,
            latitude=latitude,
            longitude=longitude,
            address=address,
            reporter_name=name,
            reporter_phone=_param(post, "phone"),
            reporter_email=email,
            reporter_ref=account_id or _param(post, "device_id"),
            attributes=attributes,
            actor=f"open311:{client.name}",
        )
    except ValidationError as exc:
        raise Open311Error(400, " ".join(exc.messages)) from None
    if media_url:
        # Fetched by a worker: a slow or hostile host must not hold this request (or a web worker) open.
        transaction.on_commit(lambda: fetch_open311_media.enqueue(complaint.pk))
    data = [
        {
            "service_request_id": complaint.tracking_code,
            "service_notice": _("Your report is received; it appears publicly once it is verified."),
            "account_id": account_id or None,
        }
    ]
    return _render(fmt, data, root="service_requests", item="request", status=201)
