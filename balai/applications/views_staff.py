"""The application desk: the scoped list (overdue flagged), one application with its documents and actions,
and the form settings of a service (fields, required documents, result template)."""

from __future__ import annotations

from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from balai.applications import selectors, services
from balai.applications.choices import TRANSITIONS, Status
from balai.applications.forms import (
    DeskActionForm,
    DeskFilterForm,
    FormFieldForm,
    RequiredDocumentForm,
    ResultTemplateForm,
)
from balai.applications.models import (
    Application,
    ApplicationDocument,
    FormField,
    RequiredDocument,
    ResultDocument,
    ResultTemplate,
)
from balai.core.pagination import BoundedPaginator
from balai.org import access
from balai.org.models import User
from balai.org.roles import Action
from balai.publicservices.models import Service

PAGE_SIZE = 50


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)


@login_required
@require_GET
def desk(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if not access.can(user, Action.VIEW):
        raise Http404
    form = DeskFilterForm(request.GET or None, services=[(s.pk, s.name) for s in selectors.desk_services(user)])
    filters = selectors.DeskFilters()
    if form.is_valid():
        filters = selectors.DeskFilters(**form.cleaned_data)
    page = BoundedPaginator(selectors.desk_list(user, filters), PAGE_SIZE).get_page(request.GET.get("page"))
    now = timezone.now()
    rows = [(a, a.is_overdue(now)) for a in page.object_list]
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "applications/staff/desk.html",
        {
            "form": form,
            "page": page,
            "rows": rows,
            "query": query.urlencode(),
            "overdue_count": selectors.desk_overdue_count(user),
        },
    )


def _actions(user: User, app: Application) -> list[str]:
    """The actions this clerk may take on the application in its state."""
    if not selectors.can_edit(user, app):
        return []
    allowed = TRANSITIONS.get(app.status, set())
    out = []
    if Status.VERIFYING in allowed:
        out.append("verify")
    if Status.REVISION_REQUESTED in allowed:
        out.append("revision")
    if Status.PROCESSING in allowed:
        out.append("process")
    if Status.APPROVED in allowed:
        out.append("approve")
    if Status.REJECTED in allowed:
        out.append("reject")
    if Status.COMPLETED in allowed:
        out.append("issue")
    return out


@login_required
@require_http_methods(["GET", "POST"])
def detail(request: HttpRequest, tracking: str) -> HttpResponse:
    user = _user(request)
    app = selectors.desk_get(user, tracking)
    form = DeskActionForm(initial={"version": app.version})
    status = 200
    if request.method == "POST":
        form = DeskActionForm(request.POST)
        if form.is_valid() and form.cleaned_data["action"] in _actions(user, app):
            data = form.cleaned_data
            common = {"actor": user, "application": app, "version": data["version"]}
            try:
                _run(request, data["action"], common, data["reason"])
            except PermissionDenied as exc:
                raise Http404 from exc
            except services.StaleApplication as exc:
                messages.error(request, exc.messages[0])
                return redirect("applications:desk_detail", tracking=app.tracking_number)
            except ValidationError as exc:
                for message in exc.messages:
                    form.add_error("reason" if "reason" in getattr(exc, "error_dict", {}) else None, message)
                status = 400
            else:
                return redirect("applications:desk_detail", tracking=app.tracking_number)
        else:
            form.add_error(None, _("This action is not possible on the application now."))
            status = 400
    return render(
        request,
        "applications/staff/detail.html",
        {
            "app": app,
            "nik": selectors.nik_for(user, app),
            "contact": selectors.contact_for(user, app),
            "answers": _answer_rows(app),
            "documents": selectors.current_documents(app),
            "steps": list(app.steps.select_related("author").order_by("created_at", "id")),
            "result": ResultDocument.objects.filter(application=app).first(),
            "actions": _actions(user, app),
            "form": form,
            "overdue": app.is_overdue(),
        },
        status=status,
    )


def _run(request: HttpRequest, action: str, common: dict[str, Any], reason: str) -> None:
    if action == "verify":
        services.application_verify_documents(**common)
        messages.success(request, _("The documents are being verified."))
    elif action == "revision":
        services.application_request_revision(**common, reason=reason)
        messages.success(request, _("The applicant has been asked for a correction."))
    elif action == "process":
        services.application_process(**common)
        messages.success(request, _("Documents accepted; the application is being processed."))
    elif action == "approve":
        services.application_approve(**common, note=reason)
        messages.success(request, _("Approved. Issue the result document to complete it."))
    elif action == "reject":
        services.application_reject(**common, reason=reason)
        messages.success(request, _("The application has been rejected; the applicant is told why."))
    elif action == "issue":
        doc = services.application_issue_result(**common, public_base=request.build_absolute_uri("/"))
        messages.success(request, _("Result document %(n)s issued; the application is complete.") % {"n": doc.number})


def _answer_rows(app: Application) -> list[tuple[str, str]]:
    labels = {f.code: f.label for f in FormField.objects.filter(service_id=app.service_id)}
    return [(labels.get(code, code), str(value)) for code, value in (app.answers or {}).items()]


@login_required
@require_GET
def document(request: HttpRequest, tracking: str, pk: int) -> HttpResponseBase:
    app = selectors.desk_get(_user(request), tracking)
    doc = get_object_or_404(ApplicationDocument, pk=pk, application=app)
    response = FileResponse(doc.file.open("rb"), content_type=doc.content_type)
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_GET
def result(request: HttpRequest, tracking: str) -> HttpResponseBase:
    app = selectors.desk_get(_user(request), tracking)
    doc = get_object_or_404(ResultDocument, application=app)
    response = FileResponse(doc.file.open("rb"), content_type="application/pdf", filename=f"{app.tracking_number}.pdf")
    response["Cache-Control"] = "private, no-store"
    return response


# ------------------------------------------------------------------------------------- form settings
def _service_for_edit(request: HttpRequest, service_id: int) -> Service:
    service = Service.objects.select_related("unit").get_visible(_user(request), Action.EDIT, pk=service_id)
    return service


@login_required
@require_http_methods(["GET", "POST"])
def form_settings(request: HttpRequest, service_id: int) -> HttpResponse:
    """One page: the questions, the documents and the result wording of a service's online form."""
    user = _user(request)
    service = _service_for_edit(request, service_id)
    field_form = FormFieldForm(prefix="field")
    doc_form = RequiredDocumentForm(prefix="doc")
    tpl = ResultTemplate.objects.filter(service=service).first()
    tpl_form = ResultTemplateForm(
        prefix="tpl",
        initial={k: getattr(tpl, k) for k in ResultTemplateForm.base_fields} if tpl else None,
    )
    status = 200
    if request.method == "POST":
        part = request.POST.get("part")
        try:
            if part == "field":
                field_form = FormFieldForm(request.POST, prefix="field")
                if field_form.is_valid():
                    services.form_field_save(actor=user, service=service, **field_form.cleaned_data)
                    messages.success(request, _("Question saved."))
                    return redirect("applications:form_settings", service_id=service.pk)
            elif part == "doc":
                doc_form = RequiredDocumentForm(request.POST, prefix="doc")
                if doc_form.is_valid():
                    services.required_document_save(actor=user, service=service, **doc_form.cleaned_data)
                    messages.success(request, _("Document saved."))
                    return redirect("applications:form_settings", service_id=service.pk)
            elif part == "tpl":
                tpl_form = ResultTemplateForm(request.POST, prefix="tpl")
                if tpl_form.is_valid():
                    services.result_template_save(actor=user, service=service, **tpl_form.cleaned_data)
                    messages.success(request, _("Result document wording saved."))
                    return redirect("applications:form_settings", service_id=service.pk)
        except ValidationError as exc:
            target = {"field": field_form, "doc": doc_form, "tpl": tpl_form}[part or "field"]
            for key, msgs in exc.message_dict.items() if hasattr(exc, "error_dict") else [(None, exc.messages)]:
                target.add_error(key if key in target.fields else None, msgs)
        status = 400
    return render(
        request,
        "applications/staff/form_settings.html",
        {
            "service": service,
            "fields": FormField.objects.filter(service=service),
            "documents": RequiredDocument.objects.filter(service=service),
            "field_form": field_form,
            "doc_form": doc_form,
            "tpl_form": tpl_form,
        },
        status=status,
    )


@login_required
@require_POST
def form_settings_delete(request: HttpRequest, service_id: int, kind: str, pk: int) -> HttpResponse:
    user = _user(request)
    service = _service_for_edit(request, service_id)
    if kind == "field":
        services.form_field_delete(actor=user, field=get_object_or_404(FormField, pk=pk, service=service))
    elif kind == "doc":
        services.required_document_delete(
            actor=user, document=get_object_or_404(RequiredDocument, pk=pk, service=service)
        )
    else:
        raise Http404
    messages.success(request, _("Removed."))
    return redirect("applications:form_settings", service_id=service.pk)
