"""The audit log viewer: who did what, when, to which object (ARCHITECTURE §3.6).

Readable by auditors and admins, each within their subtree; events without a unit (sign-ins, system
jobs) only for roles held at a Pemda root. Anyone else gets 404.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from collections.abc import Iterator
from typing import Any

from django import forms
from django.apps import apps
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from balai.core.models import AuditEvent
from balai.org import access
from balai.org.roles import Action

PAGE_SIZE = 50
CSV_HEADERS = [
    "time",
    "actor",
    "action",
    "object_type",
    "object_id",
    "object",
    "org_unit",
    "ip_address",
    "request_id",
    "changes",
]


def _object_type_choices() -> list[tuple[str, Any]]:
    # The models of Balai's own apps: what services write events about. Read from the app registry,
    # not from a DISTINCT over the audit table, which grows without bound.
    choices = [
        (model._meta.label_lower, f"{model._meta.verbose_name} ({model._meta.label_lower})")
        for config in apps.get_app_configs()
        if config.name.startswith("balai.")
        for model in config.get_models()
    ]
    return [("", _("All types")), *sorted(choices, key=lambda c: c[0])]


class AuditFilterForm(forms.Form):
    actor = forms.CharField(
        label=_("User"),
        required=False,
        max_length=150,
        widget=forms.TextInput(attrs={"placeholder": _("username"), "autocapitalize": "none"}),
    )
    action = forms.CharField(
        label=_("Action"),
        required=False,
        max_length=80,
        help_text=_("The start is enough: “auth.” finds every sign-in event."),
        widget=forms.TextInput(attrs={"placeholder": "auth.login", "autocapitalize": "none"}),
    )
    object_type = forms.ChoiceField(label=_("Object type"), required=False)
    date_from = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_("Until"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        object_type = self.fields["object_type"]
        assert isinstance(object_type, forms.ChoiceField)
        object_type.choices = _object_type_choices()
        for field in self.fields.values():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs["class"] = css

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("date_from"), data.get("date_to")
        for name in ("date_from", "date_to"):
            day = data.get(name)
            if day and not dt.date(2000, 1, 1) <= day <= dt.date(2199, 12, 31):
                self.add_error(name, _("Choose a date between 2000 and 2199."))
                return data
        if start and end and start > end:
            self.add_error("date_to", _("The end date is before the start date."))
        return data


def _visible_events(user: Any) -> QuerySet[AuditEvent]:
    if not (access.can(user, Action.AUDIT) or access.can(user, Action.ADMIN)):
        raise Http404
    # An auditor reads their subtree, an admin the subtree they administer; someone with both, the union.
    return AuditEvent.objects.visible_to(user, Action.AUDIT) | AuditEvent.objects.visible_to(user, Action.ADMIN)


def _local_midnight(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min), timezone.get_current_timezone())


def filter_events(qs: QuerySet[AuditEvent], data: dict[str, Any]) -> QuerySet[AuditEvent]:
    if data.get("actor"):
        qs = qs.filter(actor_label__iexact=data["actor"].strip())
    if data.get("action"):
        qs = qs.filter(action__startswith=data["action"].strip())
    if data.get("object_type"):
        qs = qs.filter(object_type=data["object_type"])
    # Dates are the Pemda's local days: "2 January" ends at local midnight, not at UTC midnight.
    if data.get("date_from"):
        qs = qs.filter(created_at__gte=_local_midnight(data["date_from"]))
    if data.get("date_to"):
        qs = qs.filter(created_at__lt=_local_midnight(data["date_to"] + dt.timedelta(days=1)))
    return qs.order_by("-created_at", "-id")


@login_required
@require_GET
def audit_list(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    qs = _visible_events(request.user)
    form = AuditFilterForm(request.GET or None)
    if form.is_bound and form.is_valid():
        qs = filter_events(qs, form.cleaned_data)
    else:
        qs = qs.order_by("-created_at", "-id")
    if request.GET.get("format") == "csv":
        return _csv_response(qs)
    page = Paginator(qs.select_related("org_unit"), PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("format", None)
    return render(request, "core/audit_list.html", {"form": form, "page": page, "query": query.urlencode()})


class _Echo:
    """A file-like object whose write returns the line, so csv.writer can feed a streaming response."""

    def write(self, value: str) -> str:
        return value


def _cell(value: Any) -> str:
    text = "" if value is None else str(value)
    # A cell starting with = + - @ is run as a formula by spreadsheets (CSV injection); quote it.
    if text[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + text
    return text


def _csv_rows(qs: QuerySet[AuditEvent], tz: dt.tzinfo) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield "\ufeff"  # BOM: Excel then reads the file as UTF-8, names with accents intact
    yield writer.writerow(CSV_HEADERS)
    for event in qs.select_related("org_unit").iterator(chunk_size=2000):
        yield writer.writerow(
            [
                _cell(v)
                for v in (
                    timezone.localtime(event.created_at, tz).isoformat(timespec="seconds"),
                    event.actor_label,
                    event.action,
                    event.object_type,
                    event.object_id,
                    event.object_repr,
                    event.org_unit.code if event.org_unit else "",
                    event.ip_address or "",
                    event.request_id,
                    json.dumps(event.changes, ensure_ascii=False, sort_keys=True, default=str) if event.changes else "",
                )
            ]
        )


def _csv_response(qs: QuerySet[AuditEvent]) -> StreamingHttpResponse:
    # The rows are produced after the view returns, when the time-zone middleware has already
    # reset the zone: take the Pemda's zone now.
    tz = timezone.get_current_timezone()
    stamp = timezone.localtime(timezone=tz).strftime("%Y%m%d-%H%M")
    response = StreamingHttpResponse(_csv_rows(qs, tz), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="audit-{stamp}.csv"'
    return response


def _shown(value: Any) -> str | None:
    if value is None or isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)


def change_rows(changes: Any) -> list[dict[str, Any]]:
    """``changes`` as table rows: ``{"f": {"before": a, "after": b}}`` pairs, or plain facts (before empty)."""
    if not isinstance(changes, dict):
        return [{"field": "", "before": None, "after": _shown(changes), "has_before": False}]
    rows = []
    for key, value in changes.items():
        if isinstance(value, dict) and set(value) <= {"before", "after"} and value:
            rows.append(
                {
                    "field": key,
                    "before": _shown(value.get("before")),
                    "after": _shown(value.get("after")),
                    "has_before": True,
                }
            )
        else:
            rows.append({"field": key, "before": None, "after": _shown(value), "has_before": False})
    return rows


@login_required
@require_GET
def audit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    qs = _visible_events(request.user)
    event = qs.select_related("org_unit", "actor").filter(pk=pk).first()
    if event is None:
        raise Http404
    return render(
        request,
        "core/audit_detail.html",
        {
            "event": event,
            "rows": change_rows(event.changes),
            "changes_json": json.dumps(event.changes, ensure_ascii=False, indent=2, sort_keys=True, default=str),
        },
    )
