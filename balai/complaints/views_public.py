"""Citizen pages: report without an account, follow a report by its code, the public list and map.

The tracking code is the secret: whoever holds it sees the report's progress (even a confidential one) but
never the reporter's personal data; the public list and map never show codes, names or contacts.
"""

from __future__ import annotations

import datetime as dt
import mimetypes
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from balai.complaints import geo
from balai.complaints.choices import CLOSED_STATUSES, Channel, Status, UpdateKind
from balai.complaints.forms_public import LookupForm, MapFilterForm, PublicReportForm, RatingForm, ReopenForm
from balai.complaints.models import Category, Complaint, ComplaintPhoto
from balai.complaints.photos import photo_add
from balai.complaints.services import REOPEN_WINDOW_DAYS, complaint_rate, complaint_reopen, complaint_submit
from balai.core.middleware import client_ip
from balai.core.models import AuditEvent
from balai.core.pagination import BoundedPaginator
from balai.org.models import OrgUnit
from balai.org.selectors import pemda_root

DEFAULT_INTAKE_RATE = (5, 600)  # reports per IP address (and per phone number) per that many seconds
MAP_LIMIT = 1000
PAGE_SIZE = 20
PUBLIC_UPDATE_KINDS = (UpdateKind.STATUS, UpdateKind.RESPONSE, UpdateKind.DISPOSITION, UpdateKind.REOPEN)


def _pemda() -> OrgUnit:
    root = pemda_root()
    if root is None:
        raise Http404
    return root


def _normalised(code: str) -> str:
    return code.strip().upper()


# ------------------------------------------------------------------------------------------ intake
# Where the channel of a submit event sits in its ``changes`` (JSON), per database Balai runs on.
_AUDIT_CHANNEL_SQL = {"postgresql": "changes ->> 'channel'", "sqlite": "json_extract(changes, '$.channel')"}


def _intake_limited(request: HttpRequest, phone: str) -> bool:
    """Too many web reports lately from this address or this phone: counted from what is already recorded.

    Checked at every report, so one statement: each count stops at the limit and runs on an index, the
    address's recent submit events (AuditEvent action, ip_address, created_at) and the phone's recent reports
    (Complaint reporter_phone, received_at). Two ORM counts cost about as much CPU as the report's own INSERT.
    """
    count, seconds = getattr(settings, "BALAI_INTAKE_RATE", DEFAULT_INTAKE_RATE)
    ip = client_ip(request)
    phone = "".join(c for c in phone if c.isdigit() or c == "+")
    if not ip and not phone:
        return False
    ops = connection.ops
    since = ops.adapt_datetimefield_value(timezone.now() - dt.timedelta(seconds=seconds))
    audit, complaint = ops.quote_name(AuditEvent._meta.db_table), ops.quote_name(Complaint._meta.db_table)
    sql = (
        f"SELECT (SELECT COUNT(*) FROM (SELECT 1 FROM {audit} WHERE action = %s AND ip_address = %s"  # noqa: S608
        f" AND created_at >= %s AND {_AUDIT_CHANNEL_SQL[connection.vendor]} = %s LIMIT %s) a),"
        f" (SELECT COUNT(*) FROM (SELECT 1 FROM {complaint} WHERE reporter_phone = %s AND received_at >= %s"
        " AND channel = %s LIMIT %s) p)"
    )
    params = [
        *("complaint.submit", ops.adapt_ipaddressfield_value(ip), since, Channel.WEB.value, count),
        *(phone, since, Channel.WEB.value, count),
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        by_address, by_phone = cursor.fetchone()
    return bool((ip and by_address >= count) or (phone and by_phone >= count))


def _file(form: PublicReportForm) -> Complaint:
    """The report and its photos in one transaction: a photo that fails leaves nothing behind."""
    data = form.cleaned_data

    def submit() -> Complaint:
        return complaint_submit(
            channel=Channel.WEB,
            category=data["category"],
            description=data["description"],
            pemda=form.pemda,
            territory=data["territory"],
            latitude=data["latitude"],
            longitude=data["longitude"],
            address=data["address"],
            reporter_name=data["reporter_name"],
            reporter_phone=data["phone"],
            reporter_email=data["email"],
            is_anonymous=data["is_anonymous"],
            is_confidential=data["is_confidential"],
        )

    if not form.photo_contents:  # the report alone: its own transaction, without a savepoint (see complaint_submit)
        return submit()
    stored: list[ComplaintPhoto] = []
    try:
        with transaction.atomic():
            complaint = submit()
            for content in form.photo_contents:
                stored.append(photo_add(complaint=complaint, content=content))
    except Exception:
        for photo in stored:  # the database rolled back; the files in storage did not
            if photo.image.name:  # always set once photo_add() returned; the check narrows the type
                photo.image.storage.delete(photo.image.name)
        raise
    return complaint


def report_new(request: HttpRequest) -> HttpResponse:
    pemda = _pemda()
    status = 200
    if request.method == "POST":
        form = PublicReportForm(request.POST, request.FILES, pemda=pemda)
        if _intake_limited(request, request.POST.get("phone", "")):
            form = PublicReportForm(request.POST, pemda=pemda)
            form.full_clean()
            form.errors.clear()
            form.add_error(
                None,
                _("Many reports were sent from here in the last minutes. Please wait a few minutes and send again."),
            )
            status = 429
        elif form.is_valid():
            try:
                complaint = _file(form)
            except ValidationError as exc:
                for field, errors in exc.message_dict.items() if hasattr(exc, "error_dict") else [(None, exc.messages)]:
                    form.add_error(field if field in form.fields else None, errors)
            else:
                return redirect("complaints_public:done", code=complaint.tracking_code)
    else:
        form = PublicReportForm(pemda=pemda)
    villages = [
        {"name": v.short_name or v.name, "lat": v.latitude, "lon": v.longitude} for v in geo.villages_located(pemda)
    ]
    return render(
        request,
        "complaints/public/report_new.html",
        {"form": form, "pemda": pemda, "villages": villages, "tile_url": _tile_url()},
        status=status,
    )


@require_GET
def report_done(request: HttpRequest, code: str) -> HttpResponse:
    complaint = get_object_or_404(Complaint, tracking_code=_normalised(code))
    url = request.build_absolute_uri(reverse("complaints_public:track", args=[complaint.tracking_code]))
    return render(request, "complaints/public/done.html", {"complaint": complaint, "track_url": url})


# ---------------------------------------------------------------------------------------- tracking
@require_GET
def track_lookup(request: HttpRequest) -> HttpResponse:
    form = LookupForm(request.GET or None)
    if form.is_valid():
        code = _normalised(form.cleaned_data["code"])
        if Complaint.objects.filter(tracking_code=code).exists():
            return redirect("complaints_public:track", code=code)
        form.add_error("code", _("No report has this code. Check the letters and try again."))
    return render(request, "complaints/public/lookup.html", {"form": form})


def _deadline(due: dt.datetime | None, done_at: dt.datetime | None, complaint: Complaint) -> dict[str, Any] | None:
    if due is None:
        return None
    overdue = done_at is None and complaint.is_open and timezone.now() > due
    return {"date": timezone.localtime(due).date(), "overdue": overdue, "met": done_at is not None}


def track(request: HttpRequest, code: str) -> HttpResponse:
    complaint = get_object_or_404(
        Complaint.objects.select_related("category", "territory", "unit"), tracking_code=_normalised(code)
    )
    updates = list(
        complaint.updates.filter(is_public=True, kind__in=PUBLIC_UPDATE_KINDS)
        .select_related("unit")
        .order_by("created_at", "id")
    )
    photos_by_update: dict[int | None, list[ComplaintPhoto]] = {}
    for photo in complaint.photos.filter(is_hidden=False):
        photos_by_update.setdefault(photo.update_id if photo.is_proof else None, []).append(photo)
    timeline = [
        {
            "update": u,
            "photos": photos_by_update.get(u.pk, []),
            "status_label": Status(u.status_to).label if u.status_to in Status.values else "",
        }
        for u in updates
    ]
    reopen_until = (
        complaint.resolved_at + dt.timedelta(days=REOPEN_WINDOW_DAYS)
        if complaint.status == Status.RESOLVED and complaint.resolved_at
        else None
    )
    can_reopen = reopen_until is not None and timezone.now() <= reopen_until
    can_rate = complaint.status in (Status.RESOLVED, Status.CLOSED) and complaint.resolved_at is not None
    return render(
        request,
        "complaints/public/track.html",
        {
            "complaint": complaint,
            "timeline": timeline,
            "own_photos": photos_by_update.get(None, []),
            "first_response": _deadline(complaint.first_response_due, complaint.first_response_at, complaint),
            "resolution": _deadline(complaint.resolution_due, complaint.resolved_at, complaint),
            "can_reopen": can_reopen,
            "reopen_until": timezone.localtime(reopen_until).date() if reopen_until else None,
            "can_rate": can_rate,
            "reopen_form": ReopenForm(),
            "rating_form": RatingForm(initial={"rating": complaint.rating}),
            "is_closed": complaint.status in CLOSED_STATUSES,
        },
    )


@require_POST
def track_reopen(request: HttpRequest, code: str) -> HttpResponse:
    complaint = get_object_or_404(Complaint, tracking_code=_normalised(code))
    form = ReopenForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Tell us what is wrong again."))
    else:
        try:
            complaint_reopen(complaint=complaint, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("The report is open again; the office has been told."))
    return redirect("complaints_public:track", code=complaint.tracking_code)


@require_POST
def track_rate(request: HttpRequest, code: str) -> HttpResponse:
    complaint = get_object_or_404(Complaint, tracking_code=_normalised(code))
    form = RatingForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give a rating from 1 to 5."))
    else:
        try:
            complaint_rate(
                complaint=complaint, rating=form.cleaned_data["rating"], comment=form.cleaned_data["comment"]
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Thank you for your rating."))
    return redirect("complaints_public:track", code=complaint.tracking_code)


@require_GET
def track_photo(request: HttpRequest, code: str, pk: int) -> FileResponse:
    photo = get_object_or_404(ComplaintPhoto, pk=pk, complaint__tracking_code=_normalised(code), is_hidden=False)
    content_type = mimetypes.guess_type(photo.image.name or "")[0] or "application/octet-stream"
    response = FileResponse(photo.image.open("rb"), content_type=content_type)
    response["Cache-Control"] = "private, max-age=3600"
    return response


# ------------------------------------------------------------------------------------- list and map
def _tile_url() -> str:
    return getattr(settings, "BALAI_MAP_TILE_URL", "")


def _filtered(request: HttpRequest, pemda: OrgUnit) -> tuple[MapFilterForm, Any]:
    form = MapFilterForm(request.GET or None, pemda=pemda)
    qs = Complaint.objects.public().select_related("category", "territory")
    if form.is_valid():
        data = form.cleaned_data
        if data["category"]:
            qs = qs.filter(category=data["category"])
        if data["territory"]:
            qs = qs.filter(territory=data["territory"])
        if data["status"]:
            qs = qs.filter(status=data["status"])
    return form, qs


def _public_text(complaint: Complaint) -> str:
    text = complaint.public_description or complaint.description
    return text if len(text) <= 300 else text[:299] + "…"


@require_GET
def public_map(request: HttpRequest) -> HttpResponse:
    pemda = _pemda()
    form, qs = _filtered(request, pemda)
    page = BoundedPaginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [
        {
            "complaint": c,
            "text": _public_text(c),
            "address": "" if c.is_anonymous else c.address,
        }
        for c in page.object_list
    ]
    query = request.GET.copy()
    query.pop("page", None)
    villages = [
        {"name": v.short_name or v.name, "lat": v.latitude, "lon": v.longitude} for v in geo.villages_located(pemda)
    ]
    return render(
        request,
        "complaints/public/map.html",
        {
            "form": form,
            "page": page,
            "rows": rows,
            "query": query.urlencode(),
            "villages": villages,
            "tile_url": _tile_url(),
            "map_limit": MAP_LIMIT,
            "json_url": reverse("complaints_public:map_json") + (f"?{query.urlencode()}" if query else ""),
        },
    )


def _bbox(raw: str) -> tuple[float, float, float, float] | None:
    try:
        south, west, north, east = (float(x) for x in raw.split(","))
    except ValueError:
        return None
    return south, west, north, east


@require_GET
def public_map_json(request: HttpRequest) -> JsonResponse:
    """The newest MAP_LIMIT public reports with a point (in the bbox, if given) that match the filters.

    Never every report: at a million reports the map would receive a million points. A client that
    wants older reports zooms in (a smaller bbox) or filters; ``truncated`` says there were more.
    Plain values, not model instances: building a thousand full reports cost more than the query.
    """
    _form, qs = _filtered(request, _pemda())
    qs = qs.filter(latitude__isnull=False, longitude__isnull=False)
    bbox = _bbox(request.GET.get("bbox", ""))
    if bbox:
        south, west, north, east = bbox
        qs = qs.filter(latitude__gte=south, latitude__lte=north, longitude__gte=west, longitude__lte=east)
    rows = list(
        qs.select_related(None).values_list(
            "latitude",
            "longitude",
            "is_anonymous",
            "category_id",
            "status",
            "territory_id",
            "received_at",
            "public_description",
            "description",
        )[: MAP_LIMIT + 1]
    )
    truncated = len(rows) > MAP_LIMIT
    categories = {c.pk: str(c) for c in Category.objects.filter(pk__in={r[3] for r in rows})}
    places = {
        u.pk: u.short_name or u.name
        for u in OrgUnit.objects.filter(pk__in={r[5] for r in rows if r[5]}).only("name", "short_name")
    }
    labels = {s.value: str(s.label) for s in Status}
    zone = timezone.get_current_timezone()
    points = []
    for lat, lon, anonymous, category_id, status, territory_id, received_at, public_text, text in rows[:MAP_LIMIT]:
        # An anonymous reporter's exact spot may be their house: show it to about 100 m only.
        digits = 3 if anonymous else 5
        points.append(
            {
                "lat": round(lat, digits),
                "lon": round(lon, digits),
                "category": categories[category_id],
                "status": status,
                "status_label": labels.get(status, status),
                "territory": places.get(territory_id, ""),
                "date": received_at.astimezone(zone).date().isoformat(),
                "text": (public_text or text)[:140],
            }
        )
    return JsonResponse({"count": len(points), "limit": MAP_LIMIT, "truncated": truncated, "points": points})
