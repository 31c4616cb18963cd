"""Citizen pages: sign in with a code, apply, my applications, track one, answer a revision, download.

Phone first: one column, big buttons, the keyboard that fits each field. A citizen sees only their own
applications: another citizen's tracking number answers 404, exactly like a number that does not exist.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from balai.applications import accounts, results, selectors, services
from balai.applications.choices import Status
from balai.applications.forms import ApplyForm, CodeForm, ContactForm, RevisionForm
from balai.applications.models import Application, ApplicationDocument, ResultDocument
from balai.core.middleware import client_ip
from balai.publicservices.models import Service
from balai.skm import services as skm

PENDING_KEY = "balai_citizen_pending"


def _next(request: HttpRequest, default: str = "") -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=False):
        return target
    return default or reverse("applications:mine")


def _sign_in_url(request: HttpRequest) -> str:
    return reverse("applications:sign_in") + "?" + urlencode({"next": request.get_full_path()})


# ------------------------------------------------------------------------------------------- sign in
@require_http_methods(["GET", "POST"])
def sign_in(request: HttpRequest) -> HttpResponse:
    next_url = _next(request)
    pending: Any = request.session.get(PENDING_KEY)
    contact_form = ContactForm()
    code_form = CodeForm()
    status = 200
    if request.method == "POST":
        step = request.POST.get("step")
        if step == "restart":
            request.session.pop(PENDING_KEY, None)
            pending = None
        elif step == "send" or (step == "resend" and isinstance(pending, dict)):
            contact_form = ContactForm(request.POST if step == "send" else {"contact": pending["address"]})
            if contact_form.is_valid():
                raw = contact_form.cleaned_data["contact"]
                channel = pending["channel"] if step == "resend" else accounts.guess_channel(raw)
                try:
                    address = accounts.citizen_start(channel=channel, contact=raw, ip_address=client_ip(request))
                except ValidationError as exc:
                    for message in exc.messages:
                        contact_form.add_error("contact", message)
                    status = 400
                else:
                    pending = {"channel": channel, "address": address}
                    request.session[PENDING_KEY] = pending
                    messages.success(
                        request, _("We sent a code to %(to)s.") % {"to": accounts.mask_contact(channel, address)}
                    )
                    return redirect(reverse("applications:sign_in") + "?" + urlencode({"next": next_url}))
            else:
                status = 400
        elif step == "verify" and isinstance(pending, dict):
            code_form = CodeForm(request.POST)
            if code_form.is_valid():
                try:
                    citizen = accounts.citizen_verify(
                        channel=pending["channel"], contact=pending["address"], code=code_form.cleaned_data["code"]
                    )
                except ValidationError as exc:
                    for message in exc.messages:
                        code_form.add_error("code", message)
                    status = 400
                else:
                    request.session.pop(PENDING_KEY, None)
                    accounts.sign_in(request, citizen)
                    return redirect(next_url)
            else:
                status = 400
    context = {
        "contact_form": contact_form,
        "code_form": code_form,
        "pending": pending if isinstance(pending, dict) else None,
        "pending_label": accounts.mask_contact(pending["channel"], pending["address"])
        if isinstance(pending, dict)
        else "",
        "next": next_url,
        "phone_available": accounts.whatsapp_configured(),
    }
    return render(request, "applications/citizen/sign_in.html", context, status=status)


@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    accounts.sign_out(request)
    messages.info(request, _("You have signed out."))
    return redirect("applications:sign_in")


# --------------------------------------------------------------------------------------------- apply
@require_http_methods(["GET", "POST"])
def apply(request: HttpRequest, service_id: int) -> HttpResponse:
    service = get_object_or_404(Service.objects.select_related("unit"), pk=service_id, is_active=True, is_online=True)
    citizen = accounts.current(request)
    if citizen is None:
        return redirect(_sign_in_url(request))
    status = 200
    if request.method == "POST":
        form = ApplyForm(request.POST, request.FILES, service=service)
        if form.is_valid():
            try:
                application = services.application_submit(
                    citizen=citizen,
                    service=service,
                    applicant_name=form.cleaned_data["applicant_name"],
                    nik=form.cleaned_data["nik"],
                    answers=form.answers(),
                    documents=form.uploads(),
                    idempotency_key=form.cleaned_data["idempotency_key"],
                )
            except ValidationError as exc:
                form.add_service_errors(exc)
                status = 400
            else:
                messages.success(
                    request,
                    _("Your application has been received. Your tracking number is %(n)s.")
                    % {"n": application.tracking_number},
                )
                return redirect("applications:track", tracking=application.tracking_number)
        else:
            status = 400
    else:
        form = ApplyForm(service=service, initial={"applicant_name": citizen.name})
    return render(
        request,
        "applications/citizen/apply.html",
        {"service": service, "form": form, "citizen": citizen, "citizen_label": _label(citizen)},
        status=status,
    )


def _label(citizen: Any) -> str:
    return accounts.mask_contact(citizen.channel, citizen.address)


# ------------------------------------------------------------------------------------------ tracking
@require_GET
def mine(request: HttpRequest) -> HttpResponse:
    citizen = accounts.current(request)
    if citizen is None:
        return redirect(_sign_in_url(request))
    rows = list(selectors.citizen_list(citizen)[:200])
    return render(
        request,
        "applications/citizen/mine.html",
        {"rows": rows, "citizen": citizen, "citizen_label": _label(citizen)},
    )


def _own(request: HttpRequest, tracking: str) -> Application | HttpResponse:
    citizen = accounts.current(request)
    if citizen is None:
        return redirect(_sign_in_url(request))
    return selectors.citizen_get(citizen, tracking)


@require_GET
def track(request: HttpRequest, tracking: str) -> HttpResponse:
    found = _own(request, tracking)
    if isinstance(found, HttpResponse):
        return found
    return _track_page(request, found)


def _track_page(request: HttpRequest, application: Application, form: RevisionForm | None = None) -> HttpResponse:
    steps = list(application.steps.filter(is_public=True).order_by("created_at", "id"))
    result = ResultDocument.objects.filter(application=application).first()
    if form is None and application.status == Status.REVISION_REQUESTED:
        form = RevisionForm(
            service=application.service,
            answers=application.answers,
            initial={"version": application.version},
        )
    revision_reason = next((s.text for s in reversed(steps) if s.status_to == Status.REVISION_REQUESTED), "")
    return render(
        request,
        "applications/citizen/track.html",
        {
            "application": application,
            "steps": steps,
            "documents": selectors.current_documents(application),
            "result": result,
            "form": form,
            "revision_reason": revision_reason,
            "overdue": application.is_overdue(),
            "citizen_label": _label(application.citizen),
            "survey": skm.citizen_survey_state(application.event) if result is not None else "",
        },
        status=400 if form is not None and form.is_bound else 200,
    )


@require_POST
def rate(request: HttpRequest, tracking: str) -> HttpResponse:
    """The applicant opens the SKM survey of their completed application (once, within the survey window)."""
    found = _own(request, tracking)
    if isinstance(found, HttpResponse):
        return found
    if found.event is None:
        messages.error(request, _("The survey opens once the application is complete."))
        return redirect("applications:track", tracking=found.tracking_number)
    try:
        token = skm.citizen_invitation_create(event=found.event)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("applications:track", tracking=found.tracking_number)
    return redirect("skm:survey", token=token)


@require_POST
def revise(request: HttpRequest, tracking: str) -> HttpResponse:
    found = _own(request, tracking)
    if isinstance(found, HttpResponse):
        return found
    application = found
    form = RevisionForm(request.POST, request.FILES, service=application.service, answers=application.answers)
    if form.is_valid():
        try:
            services.application_revise(
                citizen=application.citizen,
                application=application,
                version=form.cleaned_data["version"],
                answers=form.answers(),
                documents=form.uploads(),
                note=form.cleaned_data["note"],
            )
        except (ValidationError, PermissionDenied) as exc:
            if isinstance(exc, PermissionDenied):
                raise Http404 from exc
            form.add_service_errors(exc)
        else:
            messages.success(request, _("Your correction has been sent to the office."))
            return redirect("applications:track", tracking=application.tracking_number)
    application.refresh_from_db()
    return _track_page(request, application, form)


def _file_response(field: Any, content_type: str, filename: str, *, inline: bool) -> FileResponse:
    response = FileResponse(field.open("rb"), content_type=content_type, as_attachment=not inline, filename=filename)
    response["Cache-Control"] = "private, no-store"
    return response


@require_GET
def document(request: HttpRequest, tracking: str, pk: int) -> HttpResponseBase:
    found = _own(request, tracking)
    if isinstance(found, HttpResponse):
        return found
    doc = get_object_or_404(ApplicationDocument, pk=pk, application=found)
    return _file_response(doc.file, doc.content_type, (doc.file.name or "").rsplit("/", 1)[-1], inline=True)


@require_GET
def result_download(request: HttpRequest, tracking: str) -> HttpResponseBase:
    found = _own(request, tracking)
    if isinstance(found, HttpResponse):
        return found
    result = get_object_or_404(ResultDocument, application=found)
    return _file_response(result.file, "application/pdf", f"{found.tracking_number}.pdf", inline=False)


# -------------------------------------------------------------------------------------------- verify
@require_GET
def verify(request: HttpRequest, code: str) -> HttpResponse:
    """Public: anyone holding the paper scans its QR. Shows only what the paper itself shows, name masked."""
    doc = results.document_for_code(code)
    if doc is None:
        response = render(request, "applications/citizen/verify_invalid.html", status=404)
    else:
        app = doc.application
        response = render(
            request,
            "applications/citizen/verify.html",
            {
                "doc": doc,
                "service": app.service,
                "unit": app.unit,
                "masked_name": results.mask_name(app.applicant_name),
            },
        )
    response["Cache-Control"] = "no-store"
    response["X-Robots-Tag"] = "noindex"
    return response
