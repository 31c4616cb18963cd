"""Connector pages: the list with health, a connector's history, the form, the preview, "Pull now".

Who: an administrator (``admin`` on the owning unit) registers, edits and previews; whoever may import
for the owning unit (the agency's SKPD operator) sees the health and history and may pull now. Anyone
else gets 404, as for every admin page.
"""

from __future__ import annotations

from typing import cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from balai.connectors import selectors, services
from balai.connectors.forms import ConnectorForm
from balai.connectors.mapping import importable_indicators
from balai.connectors.models import Connector
from balai.connectors.tasks import pull_connector
from balai.indicators.models import Indicator
from balai.org import access
from balai.org import selectors as org_selectors
from balai.org.choices import UnitKind
from balai.org.forms import add_service_errors
from balai.org.models import OrgUnit, User
from balai.org.roles import Action

# An agency app belongs to an office, not to an RW or RT (and listing those would make the select huge).
OWNER_KINDS = [k for k in UnitKind.values if k not in {UnitKind.RW, UnitKind.RT}]


def _owners(user: User) -> QuerySet[OrgUnit]:
    return org_selectors.units_visible(user, Action.ADMIN).filter(kind__in=OWNER_KINDS, is_active=True).order_by("path")


def _indicator_codes() -> list[Indicator]:
    return list(Indicator.objects.filter(is_active=True, source="external").order_by("code"))


@require_GET
@login_required
def connector_list(request: HttpRequest) -> HttpResponse:
    user = cast(User, request.user)
    if not access.can(user, Action.IMPORT):
        raise Http404
    connectors = list(selectors.connectors_visible(user))
    return render(
        request,
        "connectors/list.html",
        {"connectors": connectors, "can_add": access.can(user, Action.ADMIN)},
    )


def _form_page(request: HttpRequest, form: ConnectorForm, connector: Connector | None) -> HttpResponse:
    return render(
        request,
        "connectors/form.html",
        {"form": form, "connector": connector, "indicator_codes": _indicator_codes()},
    )


@login_required
def connector_new(request: HttpRequest) -> HttpResponse:
    user = cast(User, request.user)
    if not access.can(user, Action.ADMIN):
        raise Http404
    owners = _owners(user)
    if request.method != "POST":
        return _form_page(request, ConnectorForm(owners=owners), None)
    form = ConnectorForm(request.POST, owners=owners)
    if form.is_valid():
        try:
            connector = services.connector_create(
                actor=user, values=form.values(), token=form.secret("token"), password=form.secret("password")
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        except PermissionDenied as exc:
            raise Http404 from exc
        else:
            messages.success(request, _("Connector saved. Preview it before its first pull."))
            return redirect("connectors:detail", pk=connector.pk)
    return _form_page(request, form, None)


@login_required
def connector_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = cast(User, request.user)
    connector = selectors.connector_get(user, pk, Action.ADMIN)
    owners = _owners(user)
    if request.method != "POST":
        return _form_page(request, ConnectorForm(owners=owners, connector=connector), connector)
    form = ConnectorForm(request.POST, owners=owners, connector=connector)
    if form.is_valid():
        try:
            services.connector_update(
                actor=user,
                connector=connector,
                values=form.values(),
                token=form.secret("token"),
                password=form.secret("password"),
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        except PermissionDenied as exc:
            raise Http404 from exc
        else:
            messages.success(request, _("Connector saved."))
            return redirect("connectors:detail", pk=connector.pk)
    return _form_page(request, form, connector)


@require_GET
@login_required
def connector_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = cast(User, request.user)
    connector = selectors.connector_get(user, pk, Action.IMPORT)
    runs = selectors.runs_recent(connector)
    return render(
        request,
        "connectors/detail.html",
        {
            "connector": connector,
            "runs": runs,
            "spark": selectors.sparkline(runs, _("Rows")),
            "url": selectors.display_url(connector.url),
            "mapping": services.mapping_summary(connector),
            "can_edit": access.can(user, Action.ADMIN, connector.owner),
        },
    )


@require_POST
@login_required
def connector_preview(request: HttpRequest, pk: int) -> HttpResponse:
    user = cast(User, request.user)
    connector = selectors.connector_get(user, pk, Action.ADMIN)
    preview = services.connector_preview(actor=user, connector=connector)
    indicators = importable_indicators({m.indicator for m in preview.rows})
    return render(
        request,
        "connectors/preview.html",
        {
            "connector": connector,
            "preview": preview,
            "rows": [(m, indicators.get(m.indicator)) for m in preview.rows],
        },
    )


@require_POST
@login_required
def connector_pull(request: HttpRequest, pk: int) -> HttpResponse:
    user = cast(User, request.user)
    connector = selectors.connector_get(user, pk, Action.IMPORT)
    # A task, so a large pull does not hold the page; with the immediate backend (tests) it runs here.
    pull_connector.enqueue(connector_id=connector.pk, actor_id=user.pk)
    messages.success(request, _("Pull started. Its result appears in the history below."))
    return redirect("connectors:detail", pk=connector.pk)
