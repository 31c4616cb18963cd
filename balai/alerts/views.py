"""Alert pages: the scoped list, an alert with its actions and history, and the rules admin.

Thin: reads go through ``selectors`` (out of scope is 404), writes through ``services``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from balai.alerts import selectors, services
from balai.alerts.forms import AcknowledgeForm, FilterForm, ResolveForm, RuleForm
from balai.alerts.models import Alert
from balai.core.pagination import BoundedPaginator
from balai.org import access
from balai.org.roles import Action
from balai.org.selectors import unit_get

PAGE_SIZE = 50


@require_GET
@login_required
def alert_list(request: HttpRequest) -> HttpResponse:
    form = FilterForm(request.GET or {"status": selectors.ACTIVE}, user=request.user)
    form.is_valid()
    data = getattr(form, "cleaned_data", {})
    unit = unit_get(request.user, data["unit"]) if data.get("unit") else None
    alerts = selectors.alerts_visible(
        request.user, status=data.get("status", selectors.ACTIVE), severity=data.get("severity", ""), unit=unit
    )
    page = BoundedPaginator(alerts, PAGE_SIZE).get_page(request.GET.get("page"))
    query = {k: v for k, v in request.GET.items() if k != "page"}
    return render(
        request,
        "alerts/list.html",
        {
            "form": form,
            "page": page,
            "unit": unit,
            "query": urlencode(query),
            "can_manage_rules": access.can(request.user, Action.ADMIN),
        },
    )


@require_GET
@login_required
def alert_detail(request: HttpRequest, pk: int) -> HttpResponse:
    alert = selectors.alert_get(request.user, pk)
    return _detail(request, alert)


def _detail(
    request: HttpRequest,
    alert: Alert,
    ack_form: AcknowledgeForm | None = None,
    resolve_form: ResolveForm | None = None,
    status: int = 200,
) -> HttpResponse:
    return render(
        request,
        "alerts/detail.html",
        {
            "alert": alert,
            "history": selectors.alert_history(alert),
            "owners": list(alert.owners.order_by("username")),
            "may_act": services.may_act(request.user, alert.org_unit),
            "ack_form": ack_form or AcknowledgeForm(),
            "resolve_form": resolve_form or ResolveForm(),
        },
        status=status,
    )


@require_POST
@login_required
def alert_acknowledge(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(request, pk, AcknowledgeForm, services.alert_acknowledge, _("Alert acknowledged."))


@require_POST
@login_required
def alert_resolve(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(request, pk, ResolveForm, services.alert_resolve, _("Alert resolved."))


def _act(
    request: HttpRequest,
    pk: int,
    form_class: type[forms.Form],
    action: Callable[..., Any],
    done: str,
) -> HttpResponse:
    """Acknowledge or resolve: the same form → service → outcome, only the form and the service differ.

    A state conflict (someone acted first) answers 409 with the alert as it is now; a refusal 403.
    """
    alert = selectors.alert_get(request.user, pk)
    form = form_class(request.POST)
    if not form.is_valid():
        ack = form if isinstance(form, AcknowledgeForm) else None
        resolve = form if isinstance(form, ResolveForm) else None
        return _detail(request, alert, ack_form=ack, resolve_form=resolve, status=400)
    try:
        action(actor=request.user, alert=alert, note=form.cleaned_data["note"])
    except services.AlertStateError as exc:
        messages.warning(request, exc.message)
        return _detail(request, selectors.alert_get(request.user, pk), status=409)
    except PermissionDenied as exc:
        messages.error(request, str(exc))
        return _detail(request, alert, status=403)
    messages.success(request, done)
    return redirect("alerts:detail", pk=pk)


# ------------------------------------------------------------------------------------------ rules
def _require_admin(request: HttpRequest) -> None:
    if not access.can(request.user, Action.ADMIN):
        raise Http404


@require_GET
@login_required
def rule_list(request: HttpRequest) -> HttpResponse:
    _require_admin(request)
    rules = list(selectors.rules_visible(request.user).order_by("name", "pk"))
    return render(request, "alerts/rules.html", {"rules": rules})


@require_http_methods(["GET", "POST"])
@login_required
def rule_create(request: HttpRequest) -> HttpResponse:
    _require_admin(request)
    form = RuleForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        rule = _save(request, form, None)
        if rule is not None:
            messages.success(request, _("Rule %(name)s saved.") % {"name": rule.name})
            return redirect("alerts:rules")
    return render(request, "alerts/rule_form.html", {"form": form, "rule": None}, status=400 if form.errors else 200)


@require_http_methods(["GET", "POST"])
@login_required
def rule_edit(request: HttpRequest, pk: int) -> HttpResponse:
    _require_admin(request)
    rule = selectors.rule_get(request.user, pk)
    form = RuleForm(request.POST or None, user=request.user, initial=RuleForm.initial_for(rule))
    if request.method == "POST" and form.is_valid():
        saved = _save(request, form, rule)
        if saved is not None:
            messages.success(request, _("Rule %(name)s saved.") % {"name": saved.name})
            return redirect("alerts:rules")
    return render(request, "alerts/rule_form.html", {"form": form, "rule": rule}, status=400 if form.errors else 200)


def _save(request: HttpRequest, form: RuleForm, rule: Any) -> Any:
    data = {k: form.cleaned_data[k] for k in form.fields}
    try:
        if rule is None:
            return services.alert_rule_create(actor=request.user, **data)
        return services.alert_rule_update(actor=request.user, rule=rule, **data)
    except ValidationError as exc:
        for name, errors in exc.message_dict.items():
            for error in errors:
                form.add_error(name if name in form.fields else None, error)
    except PermissionDenied as exc:
        form.add_error(None, str(exc))
    return None


@require_POST
@login_required
def rule_toggle(request: HttpRequest, pk: int) -> HttpResponse:
    _require_admin(request)
    rule = selectors.rule_get(request.user, pk)
    active = request.POST.get("active") == "1"
    try:
        services.alert_rule_set_active(actor=request.user, rule=rule, active=active)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Rule activated.") if active else _("Rule deactivated."))
    return redirect(reverse("alerts:rules"))
