"""Report settings (``/pengaduan/kelola/``): categories, routing rules and Open311 client apps.

For the Pemda's administrators and the head of the complaint desk (see ``catalogue``); anyone else gets
404, as on the other administration pages, so the pages do not say they exist.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from functools import wraps
from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from balai.complaints import catalogue, forms_manage
from balai.complaints.models import Category, Open311Client, RoutingRule
from balai.complaints.open311_keys import open311_client_create
from balai.org.import_preview import import_flow
from balai.org.models import User

View = Callable[..., HttpResponse]
RULES_PAGE_SIZE = 100
IMPORT_SESSION_KEY = "balai_routing_import"


def _allowed(check: Callable[[Any], bool]) -> Callable[[View], View]:
    def decorate(view: View) -> View:
        @login_required
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not check(request.user):
                raise Http404
            try:
                return view(request, *args, **kwargs)
            except PermissionDenied as exc:  # the rights changed between the check and the write
                raise Http404 from exc

        return wrapper

    return decorate


categories_required = _allowed(catalogue.can_manage_categories)
open311_required = _allowed(catalogue.can_manage_open311)


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)  # login_required: never anonymous here


def _context(request: HttpRequest, tab: str, **extra: Any) -> dict[str, Any]:
    user = _user(request)
    return {
        "tab": tab,
        "can_categories": catalogue.can_manage_categories(user),
        "can_open311": catalogue.can_manage_open311(user),
        **extra,
    }


@login_required
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if catalogue.can_manage_categories(user):
        return redirect("complaints_staff:manage_categories")
    if catalogue.can_manage_open311(user):
        return redirect("complaints_staff:manage_open311")
    raise Http404


# ------------------------------------------------------------------------------------------ categories
@categories_required
@require_GET
def category_list(request: HttpRequest) -> HttpResponse:
    return render(
        request, "complaints/manage/categories.html", _context(request, "categories", rows=catalogue.category_rows())
    )


def _category_form_page(request: HttpRequest, category: Category | None) -> HttpResponse:
    user = _user(request)
    post = request.POST if request.method == "POST" else None
    form = forms_manage.CategoryForm(post, instance=category)
    attributes = forms_manage.attribute_formset(post, category=category)
    if post is not None:
        form_ok = form.is_valid()
        attributes_ok = attributes.is_valid()  # both run, so every problem shows at once
        if form_ok and attributes_ok:
            fields = {**form.service_fields(), "attributes": attributes.specs()}
            try:
                if category is None:
                    saved = catalogue.category_create(actor=user, code=form.cleaned_data["code"], **fields)
                else:
                    saved = catalogue.category_update(actor=user, category=category, **fields)
            except ValidationError as exc:
                forms_manage.put_errors(form, exc)
            else:
                messages.success(request, _("Category “%(name)s” saved.") % {"name": saved.name})
                return redirect("complaints_staff:manage_categories")
    context = _context(request, "categories", form=form, attributes=attributes, category=category)
    if category is not None:
        context["reports"] = category.complaints.count()
    return render(request, "complaints/manage/category_form.html", context)


@categories_required
@require_http_methods(["GET", "POST"])
def category_create(request: HttpRequest) -> HttpResponse:
    return _category_form_page(request, None)


@categories_required
@require_http_methods(["GET", "POST"])
def category_edit(request: HttpRequest, code: str) -> HttpResponse:
    return _category_form_page(request, get_object_or_404(Category, code=code))


@categories_required
@require_POST
def category_set_active(request: HttpRequest, code: str) -> HttpResponse:
    category = get_object_or_404(Category, code=code)
    active = request.POST.get("active") == "1"
    category = catalogue.category_set_active(actor=_user(request), category=category, active=active)
    if active:
        messages.success(
            request, _("“%(name)s” is active again: citizens and apps can choose it.") % {"name": category.name}
        )
    else:
        messages.success(
            request,
            _("“%(name)s” is deactivated: citizens and apps can no longer choose it; its reports keep it.")
            % {"name": category.name},
        )
    return redirect("complaints_staff:manage_categories")


@categories_required
@require_POST
def category_delete(request: HttpRequest, code: str) -> HttpResponse:
    category = get_object_or_404(Category, code=code)
    name = category.name
    try:
        catalogue.category_delete(actor=_user(request), category=category)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("complaints_staff:manage_category_edit", code=category.code)
    messages.success(request, _("Category “%(name)s” deleted.") % {"name": name})
    return redirect("complaints_staff:manage_categories")


# ------------------------------------------------------------------------------------------ routing rules
@categories_required
@require_GET
def routing_list(request: HttpRequest) -> HttpResponse:
    filters = forms_manage.RoutingFilterForm(request.GET or None)
    page = Paginator(catalogue.routing_rules(**filters.filters()), RULES_PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = _context(request, "routing", filters=filters, page=page, query=query.urlencode())
    return render(request, "complaints/manage/routing.html", context)


@categories_required
@require_http_methods(["GET", "POST"])
def routing_add(request: HttpRequest) -> HttpResponse:
    form = forms_manage.RoutingRuleForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            rule = catalogue.routing_rule_add(actor=_user(request), **form.cleaned_data)
        except ValidationError as exc:
            forms_manage.put_errors(form, exc)
        else:
            messages.success(
                request,
                _("Reports of “%(category)s” in %(territory)s will be suggested to %(unit)s.")
                % {"category": rule.category.name, "territory": rule.territory.name, "unit": rule.unit.name},
            )
            return redirect("complaints_staff:manage_routing")
    return render(request, "complaints/manage/routing_add.html", _context(request, "routing", form=form))


@categories_required
@require_POST
def routing_delete(request: HttpRequest, pk: int) -> HttpResponse:
    rule = get_object_or_404(RoutingRule.objects.select_related("category", "territory", "unit"), pk=pk)
    catalogue.routing_rule_delete(actor=_user(request), rule=rule)
    messages.success(
        request,
        _("Rule deleted: reports of “%(category)s” in %(territory)s follow the category's default unit again.")
        % {"category": rule.category.name, "territory": rule.territory.name},
    )
    return redirect("complaints_staff:manage_routing")


def _template_csv() -> HttpResponse:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(catalogue.ROUTING_CSV_HEADERS)
    category = Category.objects.filter(is_active=True).first()
    kelurahan = forms_manage.kelurahan().first()
    unit = forms_manage.offices().exclude(kind__in=catalogue.ROUTABLE_KINDS).exclude(parent=None).first()
    writer.writerow(
        [
            category.code if category else "lampu",
            kelurahan.code if kelurahan else "63.72.04.1002",
            unit.code if unit else "DISHUB",
        ]
    )
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="template_routing.csv"'
    return response


@categories_required
@require_http_methods(["GET", "POST"])
def routing_import(request: HttpRequest) -> HttpResponse:
    """Preview first (dry run), then confirm (org/import_preview.py)."""
    user = _user(request)
    if request.method == "GET" and request.GET.get("template"):
        return _template_csv()
    context = _context(request, "routing")
    done = import_flow(
        request,
        run=lambda content, dry_run: catalogue.routing_rules_import_csv(actor=user, content=content, dry_run=dry_run),
        session_key=IMPORT_SESSION_KEY,
        again="complaints_staff:manage_routing_import",
        done="complaints_staff:manage_routing",
        done_message=_("Import done: %(created)s rules added, %(updated)s changed, %(ignored)s unchanged."),
        context=context,
    )
    return done or render(request, "complaints/manage/routing_import.html", context)


# ------------------------------------------------------------------------------------------ Open311 apps
@open311_required
@never_cache
@require_http_methods(["GET", "POST"])
def open311_list(request: HttpRequest) -> HttpResponse:
    form = forms_manage.Open311ClientForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            client, key = open311_client_create(actor=_user(request), name=form.cleaned_data["name"])
        except ValidationError as exc:
            forms_manage.put_errors(form, exc)
        else:
            # Rendered in the POST answer, never stored: reloading or going back cannot show it again.
            context = _context(
                request,
                "open311",
                client=client,
                key=key,
                requests_url=request.build_absolute_uri(reverse("complaints_open311:requests", kwargs={"fmt": "json"})),
            )
            return render(request, "complaints/manage/open311_created.html", context)
    context = _context(request, "open311", form=form, clients=catalogue.open311_clients())
    return render(request, "complaints/manage/open311.html", context)


@open311_required
@require_POST
def open311_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    client = get_object_or_404(Open311Client, pk=pk)
    catalogue.open311_client_revoke(actor=_user(request), client=client)
    messages.success(
        request, _("The key of “%(name)s” is revoked: the app can no longer send reports.") % {"name": client.name}
    )
    return redirect("complaints_staff:manage_open311")
