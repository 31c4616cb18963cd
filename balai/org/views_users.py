"""User, role and integration-account administration, for holders of the admin action only.

An admin manages the users holding a role inside their subtree (``selectors.users_visible``);
anyone else, and any user outside that subtree, gets 404 so the pages reveal nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Prefetch, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST

from balai.core.scoping import PATH_SEGMENT
from balai.org import access, selectors, services
from balai.org.forms_auth import TokenCreateForm, add_service_errors, bootstrap
from balai.org.forms_users import RoleAddForm, UserAddForm, UserSearchForm
from balai.org.models import RoleAssignment, User
from balai.org.roles import Action

PAGE_SIZE = 25

View = Callable[..., HttpResponse]


def admin_required(view: View) -> View:
    """Signed in and holding the admin action somewhere; otherwise these pages do not exist (404)."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not access.can(request.user, Action.ADMIN):
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper


def _is_root_admin(user: Any) -> bool:
    return bool(user.is_superuser) or any(len(p) == PATH_SEGMENT for p in access.scope_paths(user, Action.ADMIN))


def _admin_units(admin: User) -> Any:
    return selectors.units_visible(admin, Action.ADMIN)


@admin_required
@require_http_methods(["GET"])
def user_list(request: HttpRequest) -> HttpResponse:
    admin: User = request.user  # type: ignore[assignment]
    search = UserSearchForm(request.GET or None)
    qs = selectors.users_visible(admin)
    q = search.cleaned_data["q"].strip() if search.is_valid() else ""
    if q:
        qs = qs.filter(Q(username__icontains=q) | Q(full_name__icontains=q) | Q(email__icontains=q))
    # Only the roles inside the admin's own scope: a kecamatan admin must not learn a user's other posts.
    roles = Prefetch(
        "role_assignments",
        queryset=RoleAssignment.objects.visible_to(admin, Action.ADMIN)
        .select_related("org_unit")
        .order_by("org_unit__path", "role"),
        to_attr="visible_roles",
    )
    page = Paginator(qs.order_by("username").prefetch_related(roles), PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "org/users/list.html",
        {
            "page": page,
            "search": bootstrap(search),
            "q": q,
            "query": query.urlencode(),
        },
    )


@sensitive_post_parameters("password")
@never_cache
@admin_required
@require_http_methods(["GET", "POST"])
def user_add(request: HttpRequest) -> HttpResponse:
    admin: User = request.user  # type: ignore[assignment]
    form = UserAddForm(request.POST or None, units=_admin_units(admin), role_required=not _is_root_admin(admin))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            # One unit of work: a user whose role failed to save must not be left behind half made.
            with transaction.atomic():
                user = services.user_create(
                    actor=admin,
                    username=data["username"],
                    full_name=data["full_name"].strip(),
                    email=data["email"],
                    password=data["password"] or None,
                    is_integration=bool(data["is_integration"]),
                )
                if data.get("role"):
                    services.role_assign(actor=admin, user=user, role=data["role"], org_unit=data["org_unit"])
        except ValidationError as exc:
            add_service_errors(form, exc, default_field="password" if not hasattr(exc, "error_dict") else None)
        except PermissionDenied as exc:
            raise Http404 from exc
        else:
            messages.success(request, _("User %(username)s has been created.") % {"username": user.username})
            return redirect("org:user_detail", pk=user.pk)
    return render(
        request, "org/users/add.html", {"form": bootstrap(form)}, status=400 if form.is_bound and form.errors else 200
    )


def _detail_context(admin: User, user: User, **extra: Any) -> dict[str, Any]:
    units = _admin_units(admin)
    context: dict[str, Any] = {
        "subject": user,
        "assignments": selectors.assignments_of(admin, user).order_by("org_unit__path", "role"),
        "tokens": selectors.tokens_of(admin, user).order_by("-created_at"),
        "role_form": bootstrap(RoleAddForm(units=units, integration=user.is_integration)),
        "token_form": bootstrap(TokenCreateForm()),
        "is_self": admin.pk == user.pk,
    }
    context.update(extra)
    return context


@never_cache
@admin_required
@require_http_methods(["GET"])
def user_detail(request: HttpRequest, pk: int) -> HttpResponse:
    admin: User = request.user  # type: ignore[assignment]
    user = selectors.user_get(admin, pk)
    return render(request, "org/users/detail.html", _detail_context(admin, user))


@admin_required
@require_POST
def role_add(request: HttpRequest, pk: int) -> HttpResponse:
    admin: User = request.user  # type: ignore[assignment]
    user = selectors.user_get(admin, pk)
    form = RoleAddForm(request.POST, units=_admin_units(admin), integration=user.is_integration)
    if form.is_valid():
        try:
            services.role_assign(
                actor=admin, user=user, role=form.cleaned_data["role"], org_unit=form.cleaned_data["org_unit"]
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        except PermissionDenied as exc:
            raise Http404 from exc
        else:
            messages.success(request, _("Role added."))
            return redirect("org:user_detail", pk=user.pk)
    return render(request, "org/users/detail.html", _detail_context(admin, user, role_form=bootstrap(form)), status=400)


@admin_required
@require_POST
def role_revoke(request: HttpRequest, pk: int, assignment_pk: int) -> HttpResponse:
    admin: User = request.user  # type: ignore[assignment]
    user = selectors.user_get(admin, pk)
    assignment = selectors.assignments_of(admin, user).filter(pk=assignment_pk).first()
    if assignment is None:
        raise Http404
    try:
        services.role_revoke(actor=admin, assignment=assignment)
    except PermissionDenied as exc:
        raise Http404 from exc
    messages.success(
        request,
        _("Role “%(role)s” at %(unit)s has been removed.")
        % {"role": assignment.get_role_display(), "unit": assignment.org_unit.name},
    )
    if not selectors.users_visible(admin).filter(pk=user.pk).exists():
        # Without that role the user is outside this admin's scope: their page would now be a 404.
        return redirect("org:user_list")
    return redirect("org:user_detail", pk=user.pk)


@admin_required
@require_POST
def user_toggle_active(request: HttpRequest, pk: int) -> HttpResponse:
    admin: User = request.user  # type: ignore[assignment]
    user = selectors.user_get(admin, pk)
    try:
        user = services.user_set_active(actor=admin, user=user, active=not user.is_active)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    except PermissionDenied as exc:
        raise Http404 from exc
    else:
        if user.is_active:
            messages.success(request, _("%(username)s can sign in again.") % {"username": user.username})
        else:
            messages.success(
                request,
                _("%(username)s has been deactivated and their API tokens revoked.") % {"username": user.username},
            )
    return redirect("org:user_detail", pk=user.pk)


@admin_required
@require_POST
def user_totp_reset(request: HttpRequest, pk: int) -> HttpResponse:
    admin: User = request.user  # type: ignore[assignment]
    user = selectors.user_get(admin, pk)
    try:
        services.totp_reset(actor=admin, user=user)
    except PermissionDenied as exc:
        raise Http404 from exc
    messages.success(
        request,
        _("The authenticator of %(username)s has been reset; they will set up a new one at their next sign-in.")
        % {"username": user.username},
    )
    return redirect("org:user_detail", pk=user.pk)


@never_cache
@admin_required
@require_POST
def user_token_add(request: HttpRequest, pk: int) -> HttpResponse:
    admin: User = request.user  # type: ignore[assignment]
    user = selectors.user_get(admin, pk)
    if not user.is_integration:
        # People make their own tokens (org:tokens); an admin holding one for them would be a shared secret.
        raise Http404
    form = TokenCreateForm(request.POST)
    if form.is_valid():
        try:
            token, secret = services.token_create(
                actor=admin, user=user, name=form.cleaned_data["name"], expires_at=form.expires_at()
            )
        except ValidationError as exc:
            add_service_errors(form, exc, default_field="name")
        except PermissionDenied as exc:
            raise Http404 from exc
        else:
            return render(
                request,
                "org/auth/token_created.html",
                {
                    "token": token,
                    "secret": secret,
                    "subject": user,
                    "back_url": reverse("org:user_detail", args=[user.pk]),
                },
            )
    return render(
        request, "org/users/detail.html", _detail_context(admin, user, token_form=bootstrap(form)), status=400
    )
