"""The indicator catalogue, targets, and the CSV import of Facts (upload → preview → confirm)."""

from __future__ import annotations

import csv
import io
from typing import Any, cast

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from balai.core.csvio import decode
from balai.core.periods import Period, PeriodType
from balai.indicators import selectors, services
from balai.indicators.choices import Aggregation, ImportStatus
from balai.indicators.csv_import import rows_from_csv
from balai.indicators.forms import CsvUploadForm, TargetForm
from balai.indicators.models import FactRollup, ImportJob, Target
from balai.org import access
from balai.org import selectors as org_selectors
from balai.org.choices import UnitKind
from balai.org.forms import add_service_errors
from balai.org.models import OrgUnit, User
from balai.org.roles import Action

LATEST_PERIODS = 12
TARGETS_SHOWN = 50
# The uploaded CSV waits in the session between preview and confirmation, keyed by the preview job.
PENDING_KEY = "balai_fact_imports"
DONE_KEY = "balai_fact_imports_done"
PENDING_KEPT = 3
TEMPLATE_HEADERS = ["dataElement", "period", "orgUnit", "value", "comment"]


# ------------------------------------------------------------------------------------ catalogue
@login_required
def indicator_list(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "").strip()
    indicators = selectors.indicators_all().select_related("owner")
    if q:
        indicators = indicators.filter(
            Q(code__icontains=q) | Q(name_id__icontains=q) | Q(name_en__icontains=q) | Q(category__icontains=q)
        )
    context = {
        "indicators": indicators,
        "q": q,
        "can_manage_indicators": services.indicator_admin_allowed(request.user),
    }
    return render(request, "indicators/list.html", context)


def _selected_unit(request: HttpRequest) -> OrgUnit | None:
    code = request.GET.get("unit", "").strip()
    if code:
        return org_selectors.unit_get(request.user, code)
    homes = org_selectors.home_units(request.user)
    return homes[0] if homes else None


@login_required
def indicator_detail(request: HttpRequest, code: str) -> HttpResponse:
    user = cast(User, request.user)  # login_required: never anonymous here
    indicator = get_object_or_404(selectors.indicators_all().select_related("owner"), code=code)
    unit = _selected_unit(request)
    rows: list[dict[str, Any]] = []
    if unit is not None:
        rollups = list(
            FactRollup.objects.visible_to(user, Action.VIEW)
            .filter(indicator=indicator, org_unit=unit, period_type=indicator.period_type)
            .order_by("-period_start")[:LATEST_PERIODS]
        )
        targets = dict(
            Target.objects.visible_to(user, Action.VIEW)
            .filter(indicator=indicator, org_unit=unit, period__in=[r.period for r in rollups])
            .values_list("period", "value")
        )
        for r in rollups:
            target = targets.get(r.period)
            achieved = (r.value / target * 100) if target else None
            rows.append(
                {
                    "period": r.period,
                    "value": r.value,
                    "target": target,
                    "achieved": achieved,
                    "fact_count": r.fact_count,
                }
            )
    targets_in_scope = (
        Target.objects.visible_to(user, Action.VIEW)
        .filter(indicator=indicator)
        .select_related("org_unit")
        .order_by("-period", "org_unit__path")[:TARGETS_SHOWN]
    )
    context = {
        "indicator": indicator,
        "unit": unit,
        "units": org_selectors.units_visible(user)
        .filter(is_active=True)
        .exclude(kind__in=[UnitKind.RW, UnitKind.RT])
        .order_by("path"),
        "rows": rows,
        "targets": targets_in_scope,
        "can_set_target": access.can(user, Action.IMPORT),
        "can_manage_indicators": services.indicator_admin_allowed(user),
        "terms": _terms(indicator),
    }
    return render(request, "indicators/detail.html", context)


def _terms(indicator: Any) -> dict[str, list[str]] | None:
    """A computed indicator's component codes per side, for its formula."""
    if indicator.aggregation != Aggregation.COMPUTED:
        return None
    out: dict[str, list[str]] = {"numerator": [], "denominator": []}
    for role, code in indicator.terms.order_by("component__code").values_list("role", "component__code"):
        out[role].append(code)
    return out


@login_required
def target_edit(request: HttpRequest, code: str) -> HttpResponse:
    user = cast(User, request.user)  # login_required: never anonymous here
    if not access.can(user, Action.IMPORT):
        raise Http404
    indicator = get_object_or_404(selectors.indicators_all(), code=code)
    units = org_selectors.units_visible(user, Action.IMPORT)
    if request.method == "POST":
        form = TargetForm(request.POST, units=units)
        clearing = request.POST.get("action") == "clear"
        if form.is_valid():
            if form.cleaned_data["value"] is None and not clearing:
                form.add_error("value", _("Enter a target, or press “Clear target” to remove it."))
            else:
                unit = form.cleaned_data["org_unit"]
                period = form.cleaned_data["period"]
                value = None if clearing else form.cleaned_data["value"]
                try:
                    services.target_set(actor=user, indicator=indicator, org_unit=unit, period=period, value=value)
                except ValidationError as exc:
                    add_service_errors(form, exc)
                except PermissionDenied as exc:
                    raise Http404 from exc
                else:
                    if value is None:
                        messages.success(request, _("Target for %(period)s cleared.") % {"period": period})
                    else:
                        messages.success(request, _("Target for %(period)s saved.") % {"period": period})
                    url = reverse("indicators:detail", args=[indicator.code])
                    return redirect(f"{url}?{urlencode({'unit': unit.code})}")
    else:
        initial: dict[str, Any] = {}
        unit_code = request.GET.get("unit", "")
        if unit_code and units.filter(code=unit_code).exists():
            initial["org_unit"] = unit_code
        period = request.GET.get("period", "") or str(timezone.localdate().year)
        initial["period"] = period
        if unit_code:
            existing = (
                Target.objects.visible_to(user, Action.IMPORT)
                .filter(indicator=indicator, org_unit__code=unit_code, period=period)
                .first()
            )
            if existing is not None:
                initial["value"] = existing.value
        form = TargetForm(initial=initial, units=units)
    return render(request, "indicators/target_edit.html", {"indicator": indicator, "form": form})


# ------------------------------------------------------------------------------- CSV import
def _require_import(user: Any) -> None:
    if not access.can(user, Action.IMPORT):
        raise Http404


def _template_csv(user: Any) -> HttpResponse:
    """A file the clerk can fill in: real codes of an external indicator and of a unit in their scope."""
    indicators = list(selectors.indicators_all())
    indicator = next(
        (
            i
            for i in indicators
            if i.source == "external" and i.aggregation not in (Aggregation.RATIO, Aggregation.COMPUTED)
        ),
        indicators[0] if indicators else None,
    )
    in_scope = org_selectors.units_visible(user, Action.IMPORT).filter(is_active=True)
    unit = in_scope.filter(kind__in=[UnitKind.KELURAHAN, UnitKind.DESA]).order_by("path").first() or (
        in_scope.order_by("path").first()
    )
    unit_code = unit.code if unit else "63.72.04.1002"
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(TEMPLATE_HEADERS)
    if indicator is not None:
        period = Period.containing(timezone.localdate(), PeriodType(indicator.period_type))
        writer.writerow([indicator.code, period.id, unit_code, "12", ""])
        writer.writerow([indicator.code, period.previous().id, unit_code, "10", ""])
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="template_facts.csv"'
    return response


def _remember(request: HttpRequest, job_id: int, text: str, filename: str) -> None:
    pending: dict[str, Any] = request.session.get(PENDING_KEY) or {}
    pending[str(job_id)] = {"content": text, "filename": filename}
    # A clerk who previews many files keeps only the last few waiting, so the session stays small.
    for old in sorted(pending, key=int)[:-PENDING_KEPT]:
        del pending[old]
    request.session[PENDING_KEY] = pending


@login_required
def import_upload(request: HttpRequest) -> HttpResponse:
    user = cast(User, request.user)  # login_required: never anonymous here
    _require_import(user)
    if request.method == "GET" and request.GET.get("template"):
        return _template_csv(user)
    form = CsvUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            text, _encoding = decode(upload.read())
            rows = rows_from_csv(text)
            if not rows:
                raise ValidationError(_("The file has headers but no rows."))
            summary = services.facts_import(
                actor=user, rows=rows, dry_run=True, channel="csv", filename=upload.name[:255]
            )
        except ValidationError as exc:
            form.add_error("file", exc.messages)
        except PermissionDenied as exc:
            raise Http404 from exc
        else:
            assert summary.job_id is not None
            if len(text.encode()) <= settings.BALAI_IMPORT_MAX_BYTES:
                _remember(request, summary.job_id, text, upload.name[:255])
            return redirect("indicators:import_preview", pk=summary.job_id)
    return render(request, "indicators/import_upload.html", {"form": form})


def _reason(conflict: dict[str, Any]) -> str:
    """The conflict message without the service's "row N:" prefix.

    The service counts rows from 0 (as DHIS2 does); next to the CSV line number (header = line 1)
    a second, different number would only confuse the clerk.
    """
    text = str(conflict.get("value", ""))
    indexes = conflict.get("indexes") or []
    if indexes:
        prefix = _("row %(i)d: %(e)s") % {"i": indexes[0], "e": ""}
        if prefix and text.startswith(prefix):
            return text[len(prefix) :]
    return text


def _job_for(user: Any, pk: int) -> ImportJob:
    _require_import(user)
    return get_object_or_404(ImportJob.objects.visible_to(user), pk=pk, channel="csv")


@login_required
def import_preview(request: HttpRequest, pk: int) -> HttpResponse:
    """The dry-run summary of an upload with its confirm button, or the summary of an applied import."""
    job = _job_for(request.user, pk)
    summary = job.summary or {}
    counts = summary.get("importCount", {})
    conflicts = [
        {
            "line": c["indexes"][0] + 2 if c.get("indexes") else None,
            "object": c.get("object", ""),
            "property": c.get("property", ""),
            "reason": _reason(c),
        }
        for c in summary.get("conflicts", [])
    ]
    ignored = counts.get("ignored", 0)
    is_preview = job.status == ImportStatus.PREVIEW
    done = (request.session.get(DONE_KEY) or {}).get(str(job.pk))
    pending = str(job.pk) in (request.session.get(PENDING_KEY) or {})
    to_write = counts.get("imported", 0) + counts.get("updated", 0)
    context = {
        "job": job,
        "is_preview": is_preview,
        "imported": counts.get("imported", 0),
        "updated": counts.get("updated", 0),
        "unchanged": max(ignored - len(summary.get("conflicts", [])), 0),
        "conflict_count": len(conflicts),
        "conflicts": conflicts,
        "done_job": done,
        "can_confirm": is_preview and pending and not done and to_write > 0,
        "expired": is_preview and not pending and not done,
    }
    return render(request, "indicators/import_preview.html", context)


@login_required
@require_POST
def import_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    user = cast(User, request.user)  # login_required: never anonymous here
    job = _job_for(user, pk)
    if job.status != ImportStatus.PREVIEW:
        raise Http404
    done: dict[str, int] = request.session.get(DONE_KEY) or {}
    if str(job.pk) in done:
        messages.info(request, _("This file was already imported."))
        return redirect("indicators:import_preview", pk=done[str(job.pk)])
    pending: dict[str, Any] = request.session.get(PENDING_KEY) or {}
    stored = pending.get(str(job.pk))
    if stored is None:
        messages.error(request, _("This preview has expired. Upload the file again."))
        return redirect("indicators:import")
    try:
        summary = services.facts_import(
            actor=user, rows=rows_from_csv(stored["content"]), dry_run=False, channel="csv", filename=stored["filename"]
        )
    except PermissionDenied as exc:
        raise Http404 from exc
    assert summary.job_id is not None
    del pending[str(job.pk)]
    request.session[PENDING_KEY] = pending
    done[str(job.pk)] = summary.job_id
    request.session[DONE_KEY] = dict(list(done.items())[-20:])
    previewed = job.summary.get("importCount", {})
    if not (summary.imported or summary.updated) and (previewed.get("imported") or previewed.get("updated")):
        # A double click raced the first confirm past the session check; the import is idempotent,
        # so this second run changed nothing.
        messages.info(request, _("This file was already imported."))
    else:
        messages.success(
            request,
            _("Import done: %(imported)s new, %(updated)s updated.")
            % {"imported": summary.imported, "updated": summary.updated},
        )
    return redirect("indicators:import_preview", pk=summary.job_id)
