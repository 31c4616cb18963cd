"""The staff side of citizen reports: the queue, one report with its actions, moderation and the export."""

from __future__ import annotations

import importlib.util
import mimetypes
from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from balai.complaints import exports, forms_staff, selectors, services
from balai.complaints.choices import TRANSITIONS, Status
from balai.complaints.models import Category, Complaint, ComplaintPhoto
from balai.complaints.moderation import complaint_moderate
from balai.core.pagination import BoundedPaginator
from balai.org import access
from balai.org.choices import UnitKind
from balai.org.models import OrgUnit, User
from balai.org.roles import Action

PAGE_SIZE = 50
HAS_PHOTOS = importlib.util.find_spec("balai.complaints.photos") is not None
# Statuses a unit may set with a response (verification and closing by the desk have their own forms).
RESPONSE_STATUSES = [Status.IN_PROGRESS, Status.WAITING, Status.RESOLVED, Status.CLOSED]


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)  # login_required: never anonymous here


@login_required
@require_GET
def queue(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if not access.can(user, Action.VIEW):
        raise Http404
    desk = selectors.is_desk(user)
    tab = request.GET.get("tab") or (selectors.Tab.INCOMING if desk else selectors.Tab.ALL)
    if tab not in selectors.TABS:
        tab = selectors.Tab.ALL
    form = forms_staff.QueueFilterForm(
        request.GET,
        categories=[(c.code, c.name) for c in Category.objects.all()],
        kelurahan=[
            (u.code, u.name)
            for u in OrgUnit.objects.visible_to(user)
            .filter(kind__in=[UnitKind.KELURAHAN, UnitKind.DESA], is_active=True)
            .order_by("name")
        ],
    )
    filters = selectors.QueueFilters()
    if form.is_valid():
        filters = selectors.QueueFilters(**form.cleaned_data)
    reports = selectors.queue(user, tab=tab, filters=filters)
    page = BoundedPaginator(reports, PAGE_SIZE).get_page(request.GET.get("page"))
    now = timezone.now()
    rows = [(c, selectors.is_overdue(c, now)) for c in page.object_list]
    query = request.GET.copy()
    query.pop("page", None)
    tab_query = query.copy()
    tab_query.pop("tab", None)
    context = {
        "page": page,
        "rows": rows,
        "tab": tab,
        "tabs": [
            (selectors.Tab.INCOMING, _("Incoming")),
            (selectors.Tab.MINE, _("Mine")),
            (selectors.Tab.UNIT, _("My unit")),
            (selectors.Tab.ALL, _("All")),
        ],
        "form": form,
        "filters_open": any(request.GET.get(name) for name in form.fields),
        "query": query.urlencode(),
        "tab_query": tab_query.urlencode(),
    }
    return render(request, "complaints/staff/queue.html", context)


# ------------------------------------------------------------------------------------------- detail
def _forms(user: User, c: Complaint, data: Any = None, files: Any = None, only: str = "") -> dict[str, Any]:
    """The action forms this user may use on the report in its current state (bound only for ``only``)."""
    desk = selectors.is_desk(user)
    may_act = selectors.can_act(user, c)
    version = {"version": c.version}
    units = selectors.disposable_units()
    is_open = c.is_open
    built: dict[str, Any] = {}

    def make(name: str, cls: type, **kw: Any) -> None:
        bound = name == only
        built[name] = cls(
            data if bound else None,
            *([files] if bound and files is not None and cls is forms_staff.RespondForm else []),
            initial={**version, **kw.pop("initial", {})},
            **kw,
        )

    if desk and c.status in (Status.RECEIVED, Status.POSTPONED):
        suggested = services.suggested_unit(category=c.category, territory=c.territory)
        make(
            "verify",
            forms_staff.VerifyForm,
            units=units,
            initial={
                "title": c.title,
                "classification": c.classification,
                "category": c.category_id,
                "tags": ", ".join(c.tags),
                "unit": suggested.pk if suggested else None,
            },
        )
        if c.status == Status.RECEIVED:
            make("postpone", forms_staff.PostponeForm)
        make("not_authority", forms_staff.NotAuthorityForm)
        make("archive", forms_staff.ArchiveForm)
    if may_act and is_open and c.status not in (Status.RECEIVED, Status.POSTPONED):
        make("dispose", forms_staff.DisposeForm, units=units)
        make(
            "assign",
            forms_staff.AssignForm,
            people=selectors.assignable_people(c),
            initial={"assignee": c.assignee_id},
        )
    if may_act:
        allowed = [s for s in RESPONSE_STATUSES if s in TRANSITIONS.get(c.status, set())]
        make("respond", forms_staff.RespondForm, next_statuses=allowed, with_photos=HAS_PHOTOS)
    if may_act and Status.DUPLICATE in TRANSITIONS.get(c.status, set()):
        make("merge", forms_staff.MergeForm)
    if desk or (c.unit is not None and access.can(user, Action.EDIT, c.unit)):
        make(
            "moderate",
            forms_staff.ModerateForm,
            photo_choices=[
                (p.pk, _("Photo %(n)d") % {"n": i}) for i, p in enumerate(c.photos.all(), 1) if not p.is_hidden
            ],
            initial={"public_description": c.public_description, "hide": c.is_hidden},
        )
    return built


def _reporter(user: User, c: Complaint) -> dict[str, str]:
    name, phone, email = exports.reporter_fields(c, user)
    return {"name": name, "phone": phone, "email": email}


def _render_detail(request: HttpRequest, c: Complaint, forms: dict[str, Any], status: int = 200) -> HttpResponse:
    user = _user(request)
    context = {
        "complaint": c,
        "reporter": _reporter(user, c),
        "overdue": selectors.is_overdue(c),
        "photos": list(c.photos.all()),
        "timeline": list(c.updates.all()),
        "duplicates": selectors.duplicate_suggestions(user, c) if c.is_open else [],
        "forms": forms,
        "suggested_unit": services.suggested_unit(category=c.category, territory=c.territory),
    }
    return render(request, "complaints/staff/detail.html", context, status=status)


def _run(user: User, c: Complaint, name: str, form: Any) -> None:
    """Call the service behind one action form (already valid)."""
    d = form.cleaned_data
    v = d["version"]
    if name == "verify":
        services.complaint_verify(
            actor=user,
            complaint=c,
            version=v,
            title=d["title"],
            classification=d["classification"],
            category=d["category"],
            unit=d["unit"],
            tags=d["tags"],
        )
    elif name == "postpone":
        services.complaint_postpone(actor=user, complaint=c, version=v, reason=d["reason"])
    elif name == "not_authority":
        services.complaint_not_authority(actor=user, complaint=c, version=v, authority=d["authority"])
    elif name == "archive":
        services.complaint_archive(actor=user, complaint=c, version=v, reason=d["reason"])
    elif name == "dispose":
        services.complaint_dispose(actor=user, complaint=c, version=v, unit=d["unit"], reason=d["reason"])
    elif name == "assign":
        services.complaint_assign(actor=user, complaint=c, version=v, assignee=d["assignee"])
    elif name == "respond":
        with transaction.atomic():
            update = services.complaint_respond(
                actor=user,
                complaint=c,
                version=v,
                text=d["text"],
                is_public=d["is_public"],
                status=d["status"] or None,
            )
            if d.get("photos"):
                from balai.complaints import photos

                for upload in d["photos"]:
                    upload.seek(0)  # the form's image check has read it
                    photos.photo_add(complaint=update.complaint, content=upload.read(), update=update, is_proof=True)
    elif name == "merge":
        original = selectors.complaint_by_code(user, d["original"])
        if original is None:
            raise ValidationError({"original": _("No report with this tracking code in your area.")})
        services.complaint_merge(actor=user, duplicate=c, version=v, original=original)
    elif name == "moderate":
        complaint_moderate(
            actor=user,
            complaint=c,
            version=v,
            public_description=d["public_description"],
            hide=d["hide"],
            hide_photo_ids=d["hide_photos"],
        )
    else:  # pragma: no cover - _forms only builds the names above
        raise Http404


@login_required
def detail(request: HttpRequest, code: str) -> HttpResponse:
    user = _user(request)
    c = selectors.complaint_get(user, code)
    if request.method != "POST":
        return _render_detail(request, c, _forms(user, c))
    name = request.POST.get("action", "")
    forms = _forms(user, c, request.POST, request.FILES, only=name)
    form = forms.get(name)
    if form is None:  # an action this user may not take on the report in this state
        raise Http404
    if not form.is_valid():
        return _render_detail(request, c, forms, status=400)
    try:
        _run(user, c, name, form)
    except services.StaleReport as exc:
        messages.warning(request, exc.messages[0])
        fresh = selectors.complaint_get(user, code)
        return _render_detail(request, fresh, _forms(user, fresh), status=409)
    except PermissionDenied as exc:
        raise Http404 from exc
    except ValidationError as exc:
        forms_staff.add_service_errors(form, exc)
        return _render_detail(request, c, forms, status=400)
    messages.success(request, _("Saved."))
    try:
        selectors.complaint_get(user, code)
    except Http404:  # disposed away from the user's scope: back to the queue
        return redirect("complaints_staff:queue")
    return redirect("complaints_staff:detail", code=code)


@login_required
@require_GET
def photo(request: HttpRequest, code: str, pk: int) -> FileResponse:
    """A photo of a report the user may see, hidden ones included (the detail page marks them).

    Served by the app rather than from MEDIA_URL: `balai serve` alone (the demo, a one-machine install) serves
    no media, and this way a photo is scoped like its report.
    """
    visible = Complaint.objects.visible_to(_user(request), Action.VIEW)
    photo = get_object_or_404(ComplaintPhoto, pk=pk, complaint__in=visible, complaint__tracking_code=code)
    content_type = mimetypes.guess_type(photo.image.name or "")[0] or "application/octet-stream"
    response = FileResponse(photo.image.open("rb"), content_type=content_type)
    response["Cache-Control"] = "private, max-age=3600"
    return response


# ------------------------------------------------------------------------------------------- export
@login_required
@require_GET
def export(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if not access.can(user, Action.VIEW):
        raise Http404
    fmt = request.GET.get("format", "csv")
    if fmt not in exports.FORMATS:
        return HttpResponseBadRequest(_("Unknown format; use format=csv or format=xlsx."), content_type="text/plain")
    try:
        start, end = exports.parse_range(request.GET.get("from", ""), request.GET.get("to", ""))
    except ValidationError as exc:
        return HttpResponseBadRequest(exc.messages[0], content_type="text/plain; charset=utf-8")
    filename = f"pengaduan_{start:%Y%m%d}_{end:%Y%m%d}.{fmt}"
    if fmt == "csv":
        response = HttpResponse(exports.export_csv(user, start, end), content_type="text/csv; charset=utf-8")
    else:
        response = HttpResponse(
            exports.export_xlsx(user, start, end),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
