"""Staff pages: SKM results per unit, service and period (with PDF and XLSX), and a survey link for a citizen."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from balai.org import access
from balai.org.roles import Action
from balai.publicservices.models import ServiceEvent
from balai.skm import exports, selectors, services
from balai.skm.choices import PROFILE_FIELDS
from balai.skm.forms import PROFILE_LABELS, ResultsFilterForm


def _report(request: HttpRequest) -> tuple[exports.Report | None, ResultsFilterForm, list[str]]:
    """The report the filters ask for (None with the errors when a filter is malformed)."""
    user = request.user
    if not access.can(user, Action.VIEW):
        raise Http404
    errors: list[str] = []
    try:
        selection = selectors.select(
            user,
            unit_code=request.GET.get("unit") or None,
            service_id=request.GET.get("service") or None,
            period_id=request.GET.get("period") or None,
        )
    except selectors.BadFilter as exc:
        errors.append(str(exc))
        selection = selectors.select(user, unit_code=request.GET.get("unit") or None, service_id=None, period_id=None)
    units = list(selectors.units_for_results(user).order_by("path").values_list("code", "name"))
    services_list = (
        [(str(s.pk), s.name) for s in selectors.services_for(selection.unit)] if selection.unit is not None else []
    )
    form = ResultsFilterForm(
        initial={
            "unit": selection.unit.code if selection.unit else "",
            "service": str(selection.service.pk) if selection.service else "",
            "period": selection.period.id,
        },
        units=units,
        services=services_list,
        periods=[(p.id, p.label()) for p in selectors.period_choices()],
    )
    if errors:
        return None, form, errors
    report = exports.Report(
        selection=selection,
        result=selectors.result(selection),
        by_unit=selectors.breakdown_by_unit(selection) if selection.unit is not None else [],
        by_service=selectors.breakdown_by_service(selection) if selection.service is None else [],
    )
    return report, form, errors


def _profile_table(report: exports.Report) -> list[dict[str, Any]]:
    total = report.result.respondents
    out = []
    for name, choices in PROFILE_FIELDS.items():
        counts = report.result.profile.get(name, {})
        rows = [
            {
                "label": label,
                "count": counts.get(value, 0),
                "share": counts.get(value, 0) * 100 / total if total else None,
            }
            for value, label in choices.choices
        ]
        blank = counts.get("", 0)
        if blank:
            rows.append({"label": None, "count": blank, "share": blank * 100 / total})
        out.append({"name": name, "title": PROFILE_LABELS[name], "rows": rows})
    return out


@login_required
@require_GET
def results(request: HttpRequest) -> HttpResponse:
    report, form, errors = _report(request)
    context: dict[str, Any] = {"form": form, "errors": errors, "report": report}
    if report is not None:
        context["profile"] = _profile_table(report)
        context["query"] = request.GET.urlencode()
    return render(request, "skm/results.html", context, status=400 if errors else 200)


@login_required
@require_GET
def results_pdf(request: HttpRequest) -> HttpResponse:
    report, _form, errors = _report(request)
    if report is None:
        return HttpResponse("\n".join(errors), status=400, content_type="text/plain; charset=utf-8")
    response = HttpResponse(exports.pdf_report(report), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{report.filename("pdf")}"'
    return response


@login_required
@require_GET
def results_xlsx(request: HttpRequest) -> HttpResponse:
    report, _form, errors = _report(request)
    if report is None:
        return HttpResponse("\n".join(errors), status=400, content_type="text/plain; charset=utf-8")
    response = HttpResponse(
        exports.xlsx_report(report),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="{report.filename("xlsx")}"'
    return response


def survey_url(request: HttpRequest | None, token: str) -> str:
    """The link a citizen opens (absolute: it goes into a QR code, a chat message or an e-mail)."""
    path = reverse("skm:survey", args=[token])
    base = getattr(settings, "BALAI_PUBLIC_URL", "")
    if base:
        return base + path
    return request.build_absolute_uri(path) if request is not None else path


@never_cache
@login_required
@require_POST
def invite(request: HttpRequest, event_id: int) -> HttpResponse:
    """A fresh survey link and QR code for a citizen just served (shown once: the token is not stored)."""
    import segno

    event = ServiceEvent.objects.select_related("service", "unit").get_visible(request.user, Action.EDIT, pk=event_id)
    try:
        token = services.invitation_create(event=event, actor=request.user)
    except ValidationError as exc:
        return render(request, "skm/invite.html", {"event": event, "error": exc.messages[0]}, status=409)
    url = survey_url(request, token)
    qr = segno.make(url, error="m").svg_data_uri(scale=6)
    return render(
        request,
        "skm/invite.html",
        {"event": event, "url": url, "qr": qr, "hours": services.link_lifetime().total_seconds() // 3600},
    )
