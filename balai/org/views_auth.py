"""Sign-in, the second factor, sign-out, password change and personal API tokens.

Sign-in is where an attacker knocks, so the pages say as little as possible ("Wrong username or
password"), count every failure (a wrong TOTP code too) and lock the username for a while after
``BALAI_LOGIN_MAX_FAILURES`` failures, before any password is checked.
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

import pyotp
import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate, login, logout, update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordChangeForm
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST

from balai.core.audit import current_request
from balai.org import access, selectors, services
from balai.org.forms_auth import LoginForm, TokenCreateForm, TotpCodeForm, add_service_errors, bootstrap
from balai.org.middleware import SESSION_KEY
from balai.org.models import ApiToken, User


def _client_ip() -> str | None:
    # The CSP middleware already resolved the client address (proxy-aware) for the audit log.
    ctx = current_request.get()
    return ctx.ip_address if ctx else None


def safe_next(request: HttpRequest, default: str = "dashboard:home") -> str:
    """The ``next`` target when it stays on this site, else the default page (no open redirect)."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse(default)


def _locked_message(until: dt.datetime) -> str:
    local = timezone.localtime(until)
    return _("Too many failed sign-in attempts. This account is locked until %(time)s; try again after that.") % {
        "time": f"{date_format(local, 'H:i')} {local.strftime('%Z')}".strip()
    }


def _pemda_context() -> dict[str, object]:
    root = selectors.pemda_root()
    return {"pemda": root}


@sensitive_post_parameters("password")
@csrf_protect
@never_cache
@require_http_methods(["GET", "POST"])
def login_view(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated and request.method == "GET":
        return HttpResponseRedirect(safe_next(request))
    form = LoginForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        username = form.cleaned_data["username"]
        locked_until = services.login_locked_until(username=username)
        if locked_until is not None:
            # No password check at all while locked: a correct guess must not be distinguishable.
            form.add_error(None, _locked_message(locked_until))
            status = 429
        else:
            response = _attempt_login(request, form, username)
            if response is not None:
                return response
            status = 400
    context = {"form": bootstrap(form), "next": request.POST.get("next") or request.GET.get("next", "")}
    return render(request, "org/auth/login.html", context | _pemda_context(), status=status)


def _attempt_login(request: HttpRequest, form: LoginForm, username: str) -> HttpResponse | None:
    """Check the password; on success sign in and answer the redirect, else put the error on the form."""
    user = authenticate(request, username=username, password=form.cleaned_data["password"])
    ip = _client_ip()
    integration = (
        access.is_api_only(user)
        if user is not None
        else User.objects.filter(username=username, is_integration=True).exists()
    )
    if user is None or integration:
        services.login_attempt_record(username=username, ip_address=ip, succeeded=False)
        if integration:
            # Saying so names an integration account, but its users are apps, not people to phish;
            # a clerk who pasted its name here needs to know why it will never work.
            form.add_error(
                None, _("This is an integration account: it works only with an API token, not on the web pages.")
            )
        else:
            locked_until = services.login_locked_until(username=username)
            form.add_error(None, _locked_message(locked_until) if locked_until else _("Wrong username or password."))
        return None
    login(request, user)  # rotates the session key: a planted session id is worthless afterwards
    if access.requires_second_factor(user):
        # The success is recorded only once the code is right too; recording it now would reset the
        # failure count and let someone who knows the password guess codes without ever being locked.
        return redirect(f"{reverse('org:second_factor')}?{_next_query(safe_next(request))}")
    services.login_attempt_record(username=username, ip_address=ip, succeeded=True)
    return HttpResponseRedirect(safe_next(request))


def _next_query(target: str) -> str:
    return urlencode({"next": target})


@sensitive_post_parameters("code")
@csrf_protect
@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def second_factor(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    if not access.requires_second_factor(user) or request.session.get(SESSION_KEY):
        return HttpResponseRedirect(safe_next(request))
    locked_until = services.login_locked_until(username=user.username)
    if locked_until is not None:
        # Guessing codes counts like guessing passwords: once locked, the half-signed-in session ends.
        logout(request)
        messages.error(request, _locked_message(locked_until))
        return redirect("org:login")
    enrolling = user.totp_confirmed_at is None
    if enrolling and not user.totp_secret:
        # Begin once and keep the secret until it is confirmed, so reloading the page does not
        # invalidate the QR code the user has just scanned.
        user.totp_secret = services.totp_begin(user=user)
    form = TotpCodeForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        if services.totp_verify(user=user, code=form.cleaned_data["code"]):
            services.login_attempt_record(username=user.username, ip_address=_client_ip(), succeeded=True)
            request.session.cycle_key()  # a new session id for the now fully trusted session
            request.session[SESSION_KEY] = True
            if enrolling:
                messages.success(
                    request, _("Your authenticator app is set up. You will need a code from it each time you sign in.")
                )
            return HttpResponseRedirect(safe_next(request))
        services.login_attempt_record(username=user.username, ip_address=_client_ip(), succeeded=False)
        locked_until = services.login_locked_until(username=user.username)
        if locked_until is not None:
            logout(request)
            messages.error(request, _locked_message(locked_until))
            return redirect("org:login")
        form.add_error("code", _("That code is not right. Check the time on your phone and use the newest code."))
        status = 400
    elif request.method == "POST":
        status = 400
    context: dict[str, object] = {
        "form": bootstrap(form),
        "enrolling": enrolling,
        "next": request.POST.get("next") or request.GET.get("next", ""),
    }
    if enrolling:
        uri = pyotp.TOTP(user.totp_secret).provisioning_uri(name=user.username, issuer_name=settings.BALAI_TOTP_ISSUER)
        # A viewBox instead of a fixed size lets the stylesheet scale the code to fit.
        context["qr_svg"] = segno.make(uri).svg_inline(scale=4, omitsize=True)
        context["secret_groups"] = " ".join(user.totp_secret[i : i + 4] for i in range(0, len(user.totp_secret), 4))
    return render(request, "org/auth/second_factor.html", context | _pemda_context(), status=status)


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    logout(request)
    messages.info(request, _("You have signed out."))
    return redirect("org:login")


@sensitive_post_parameters()
@csrf_protect
@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def password_change(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    form = PasswordChangeForm(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.user_set_password(actor=user, user=user, password=form.cleaned_data["new_password1"])
        except ValidationError as exc:
            add_service_errors(form, exc, default_field="new_password1")
        else:
            user.refresh_from_db()
            update_session_auth_hash(request, user)  # stay signed in here; other sessions end
            messages.success(request, _("Your password has been changed."))
            return redirect("org:password_change")
    return render(
        request,
        "org/auth/password_change.html",
        {"form": bootstrap(form)},
        status=400 if form.is_bound and form.errors else 200,
    )


@csrf_protect
@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def tokens(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    form = TokenCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            token, secret = services.token_create(
                actor=user, user=user, name=form.cleaned_data["name"], expires_at=form.expires_at()
            )
        except ValidationError as exc:
            add_service_errors(form, exc, default_field="name")
        else:
            # Rendered in the POST answer, never stored: reloading or going back cannot show it again.
            return render(
                request,
                "org/auth/token_created.html",
                {"token": token, "secret": secret, "back_url": reverse("org:tokens")},
            )
    context = {"form": bootstrap(form), "tokens": selectors.tokens_of(user, user).order_by("-created_at")}
    return render(request, "org/auth/tokens.html", context, status=400 if form.is_bound and form.errors else 200)


def _revocable_token(user: User, pk: int) -> ApiToken:
    """The user's own token, or one of a user they administer; anything else does not exist (404)."""
    token = ApiToken.objects.filter(pk=pk).select_related("user").first()
    if token is None:
        raise Http404
    if token.user_id == user.pk:
        return token
    if access.can(user, "admin") and selectors.users_visible(user).filter(pk=token.user_id).exists():
        return token
    raise Http404


@csrf_protect
@login_required
@require_POST
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    token = _revocable_token(user, pk)
    try:
        services.token_revoke(actor=user, token=token)
    except PermissionDenied as exc:
        raise Http404 from exc
    messages.success(request, _("Token “%(name)s” has been revoked; it no longer works.") % {"name": token.name})
    if token.user_id != user.pk:
        return redirect("org:user_detail", pk=token.user_id)
    return redirect("org:tokens")
