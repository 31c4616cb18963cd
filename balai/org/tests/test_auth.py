"""Sign-in security: lockout, second factor, integration accounts, sessions and personal API tokens."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pyotp
import pytest
from django.apps import apps
from django.db import connection
from django.db.models import F
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from balai.core.testing import ADMIN_TOTP_SECRET, PASSWORD, TOKEN_RE, Story, token_in
from balai.org import services
from balai.org.middleware import SESSION_KEY
from balai.org.models import ApiToken, LoginAttempt
from balai.org.roles import Role

pytestmark = pytest.mark.django_db

LOGIN = "/org/login/"
SECOND_FACTOR = "/org/second-factor/"


@pytest.fixture(autouse=True)
def english(client: Client) -> None:
    # Assertions read the English source strings; the default language (Indonesian) would translate them.
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


def post_login(client: Client, username: str, password: str, **extra: str):
    return client.post(LOGIN, {"username": username, "password": password, **extra})


def signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


# ------------------------------------------------------------------------------------ login page
def test_login_page_shows_brand_pemda_and_csp(client: Client, story: Story) -> None:
    response = client.get(LOGIN)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Balai" in html
    assert "Pemerintah Kota Banjarbaru" in html
    assert 'name="username"' in html and 'name="password"' in html
    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert "style-src 'self'" in response["Content-Security-Policy"]


def test_login_post_without_csrf_token_is_refused(story: Story) -> None:
    client = Client(enforce_csrf_checks=True, HTTP_ACCEPT_LANGUAGE="en")
    response = post_login(client, "clerk_mentaos", PASSWORD)
    assert response.status_code == 403
    assert not signed_in(client)
    # With the token from the form, the same request goes through.
    client.get(LOGIN)
    token = client.cookies["csrftoken"].value
    response = post_login(client, "clerk_mentaos", PASSWORD, csrfmiddlewaretoken=token, next="/org/tokens/")
    assert response.status_code == 302
    assert signed_in(client)


def test_login_lands_on_next(client: Client, story: Story) -> None:
    response = post_login(client, "clerk_mentaos", PASSWORD, next="/org/tokens/")
    assert response.status_code == 302
    assert response["Location"] == "/org/tokens/"
    assert client.session["_auth_user_id"] == str(story.mentaos_clerk.pk)


def test_login_without_next_lands_on_dashboard(client: Client, story: Story) -> None:
    response = post_login(client, "Clerk_Mentaos", PASSWORD)  # usernames are case-insensitive
    assert response.status_code == 302
    assert response["Location"] == reverse("dashboard:home")


def test_login_ignores_next_to_another_site(client: Client, story: Story) -> None:
    response = post_login(client, "clerk_mentaos", PASSWORD, next="https://evil.example/phish")
    assert response["Location"] == reverse("dashboard:home")


def test_login_rotates_the_session_key(client: Client, story: Story) -> None:
    client.get(LOGIN)
    session = client.session
    session["planted"] = "x"
    session.save()
    before = session.session_key
    post_login(client, "clerk_mentaos", PASSWORD)
    assert client.session.session_key != before


def test_wrong_password_and_unknown_user_get_the_same_message(client: Client, story: Story) -> None:
    wrong = post_login(client, "clerk_mentaos", "not-the-password")
    unknown = post_login(client, "nobody_here", "not-the-password")
    assert wrong.status_code == unknown.status_code == 400
    assert "Wrong username or password" in wrong.content.decode()
    assert "Wrong username or password" in unknown.content.decode()
    assert not signed_in(client)
    assert list(LoginAttempt.objects.order_by("created_at").values_list("username", "succeeded")) == [
        ("clerk_mentaos", False),
        ("nobody_here", False),
    ]


def test_successful_login_is_recorded(client: Client, story: Story) -> None:
    post_login(client, "clerk_mentaos", PASSWORD)
    assert list(LoginAttempt.objects.values_list("username", "succeeded")) == [("clerk_mentaos", True)]


# -------------------------------------------------------------------------------------- lockout
def test_lockout_after_max_failures_refuses_the_right_password(client: Client, story: Story, settings) -> None:
    assert settings.BALAI_LOGIN_MAX_FAILURES == 5
    for _ in range(5):
        post_login(client, "clerk_mentaos", "wrong-password")
    response = post_login(client, "clerk_mentaos", PASSWORD)
    assert response.status_code == 429
    assert not signed_in(client)
    last = LoginAttempt.objects.order_by("-created_at").first()
    assert last is not None
    opens = timezone.localtime(last.created_at + dt.timedelta(minutes=15), zoneinfo.ZoneInfo("Asia/Makassar"))
    html = response.content.decode()
    assert "locked until" in html
    assert f"{opens:%H:%M} WITA" in html
    # While locked, no password is checked and nothing more is counted.
    assert LoginAttempt.objects.count() == 5
    assert LoginAttempt.objects.filter(succeeded=True).count() == 0


def test_lockout_message_appears_on_the_failure_that_locks(client: Client, story: Story) -> None:
    for _ in range(4):
        assert "Wrong username or password" in post_login(client, "clerk_mentaos", "wrong").content.decode()
    assert "locked until" in post_login(client, "clerk_mentaos", "wrong").content.decode()


def test_lockout_of_one_user_leaves_others_alone(client: Client, story: Story) -> None:
    for _ in range(5):
        post_login(client, "clerk_mentaos", "wrong-password")
    assert post_login(client, "clerk_komet", PASSWORD).status_code == 302


def test_account_opens_again_after_the_window(client: Client, story: Story) -> None:
    for _ in range(5):
        post_login(client, "clerk_mentaos", "wrong-password")
    assert post_login(client, "clerk_mentaos", PASSWORD).status_code == 429
    LoginAttempt.objects.update(created_at=F("created_at") - dt.timedelta(minutes=16))
    response = post_login(client, "clerk_mentaos", PASSWORD)
    assert response.status_code == 302
    assert signed_in(client)


def test_failures_before_a_success_do_not_add_up(client: Client, story: Story) -> None:
    for _ in range(4):
        post_login(client, "clerk_mentaos", "wrong-password")
    assert post_login(client, "clerk_mentaos", PASSWORD).status_code == 302
    client.post("/org/logout/")
    for _ in range(4):
        post_login(client, "clerk_mentaos", "wrong-password")
    assert post_login(client, "clerk_mentaos", PASSWORD).status_code == 302


# --------------------------------------------------------------------------------- second factor
def test_admin_must_pass_totp_before_any_page(client: Client, story: Story) -> None:
    response = post_login(client, "admin", PASSWORD, next="/org/users/")
    assert response.status_code == 302
    assert response["Location"] == f"{SECOND_FACTOR}?next=%2Forg%2Fusers%2F"
    home = client.get("/")
    assert home.status_code == 302
    assert home["Location"] == f"{SECOND_FACTOR}?next=/"
    assert client.get("/org/users/").status_code == 302
    page = client.get(SECOND_FACTOR, {"next": "/org/users/"})
    assert page.status_code == 200
    assert "<svg" not in page.content.decode()  # already enrolled: no QR code, no secret
    assert ADMIN_TOTP_SECRET not in page.content.decode()

    code = pyotp.TOTP(ADMIN_TOTP_SECRET).now()
    response = client.post(SECOND_FACTOR, {"code": code, "next": "/org/users/"})
    assert response.status_code == 302
    assert response["Location"] == "/org/users/"
    assert client.session[SESSION_KEY] is True
    assert client.get("/org/users/").status_code == 200

    # The same code cannot be used twice, even from a fresh sign-in.
    client.post("/org/logout/")
    post_login(client, "admin", PASSWORD)
    replay = client.post(SECOND_FACTOR, {"code": code})
    assert replay.status_code == 400
    assert "That code is not right" in replay.content.decode()
    assert not client.session.get(SESSION_KEY)
    assert client.get("/org/users/").status_code == 302


def test_admin_success_is_recorded_only_after_the_code(client: Client, story: Story) -> None:
    post_login(client, "admin", PASSWORD)
    assert LoginAttempt.objects.filter(succeeded=True).count() == 0
    client.post(SECOND_FACTOR, {"code": pyotp.TOTP(ADMIN_TOTP_SECRET).now()})
    assert list(LoginAttempt.objects.values_list("username", "succeeded")) == [("admin", True)]


def test_wrong_codes_count_as_failed_logins_and_lock(client: Client, story: Story) -> None:
    post_login(client, "admin", PASSWORD)
    for _ in range(4):
        assert client.post(SECOND_FACTOR, {"code": "000000"}).status_code == 400
    response = client.post(SECOND_FACTOR, {"code": "000000"})
    assert response.status_code == 302
    assert response["Location"] == LOGIN
    assert not signed_in(client)
    assert LoginAttempt.objects.filter(username="admin", succeeded=False).count() == 5
    # The right password is refused now too.
    assert post_login(client, "admin", PASSWORD).status_code == 429


def test_non_numeric_code_is_rejected_without_counting(client: Client, story: Story) -> None:
    post_login(client, "admin", PASSWORD)
    response = client.post(SECOND_FACTOR, {"code": "abc"})
    assert response.status_code == 400
    assert "Enter the 6 digits" in response.content.decode()
    assert LoginAttempt.objects.count() == 0


def test_enrolment_flow_for_a_new_admin(client: Client, story: Story) -> None:
    new_admin = services.user_create(actor=None, username="admin_baru", password=PASSWORD)
    services.role_assign(actor=None, user=new_admin, role=Role.ADMIN, org_unit=story.root)
    post_login(client, "admin_baru", PASSWORD)
    first = client.get(SECOND_FACTOR)
    assert first.status_code == 200
    new_admin.refresh_from_db()
    secret = new_admin.totp_secret
    assert len(secret) == 32
    html = first.content.decode()
    assert "<svg" in html and 'class="segno"' in html
    assert " ".join(secret[i : i + 4] for i in range(0, 32, 4)) in html
    # Reloading keeps the secret the phone has just scanned.
    assert " ".join(secret[i : i + 4] for i in range(0, 32, 4)) in client.get(SECOND_FACTOR).content.decode()
    new_admin.refresh_from_db()
    assert new_admin.totp_secret == secret
    assert new_admin.totp_confirmed_at is None

    response = client.post(SECOND_FACTOR, {"code": pyotp.TOTP(secret).now()})
    assert response.status_code == 302
    assert response["Location"] == reverse("dashboard:home")
    new_admin.refresh_from_db()
    assert new_admin.totp_confirmed_at is not None
    assert client.session[SESSION_KEY] is True


def test_user_without_admin_role_is_not_asked_for_a_code(client: Client, story: Story) -> None:
    client.force_login(story.mentaos_clerk)
    response = client.get(SECOND_FACTOR, {"next": "/org/tokens/"})
    assert response.status_code == 302
    assert response["Location"] == "/org/tokens/"


# ------------------------------------------------------------------------- integration accounts
def test_integration_account_is_refused_at_login(client: Client, story: Story) -> None:
    response = post_login(client, "app_absensi", "anything-at-all")
    assert response.status_code == 400
    assert "integration account" in response.content.decode()
    assert not signed_in(client)


def test_integration_account_with_a_password_is_still_refused(client: Client, story: Story) -> None:
    services.user_set_password(actor=None, user=story.integration, password="Integrasi-Rahasia-99")
    response = post_login(client, "app_absensi", "Integrasi-Rahasia-99")
    assert response.status_code == 400
    assert "integration account" in response.content.decode()
    assert not signed_in(client)
    assert list(LoginAttempt.objects.values_list("username", "succeeded")) == [("app_absensi", False)]


# ---------------------------------------------------------------------------- logout, password
def test_logout_is_post_only(client: Client, story: Story) -> None:
    client.force_login(story.mentaos_clerk)
    assert client.get("/org/logout/").status_code == 405
    assert signed_in(client)
    response = client.post("/org/logout/")
    assert response.status_code == 302
    assert response["Location"] == LOGIN
    assert not signed_in(client)


def test_password_change_keeps_this_session(client: Client, story: Story) -> None:
    client.force_login(story.mentaos_clerk)
    response = client.post(
        "/org/password/",
        {"old_password": PASSWORD, "new_password1": "Mentaos-Baru-2026#", "new_password2": "Mentaos-Baru-2026#"},
    )
    assert response.status_code == 302
    story.mentaos_clerk.refresh_from_db()
    assert story.mentaos_clerk.check_password("Mentaos-Baru-2026#")
    assert client.get("/org/tokens/").status_code == 200  # still signed in
    from balai.core.models import AuditEvent

    assert AuditEvent.objects.filter(action="user.set_password", actor=story.mentaos_clerk).count() == 1


def test_password_change_with_wrong_old_password_changes_nothing(client: Client, story: Story) -> None:
    client.force_login(story.mentaos_clerk)
    response = client.post(
        "/org/password/",
        {"old_password": "not-it", "new_password1": "Mentaos-Baru-2026#", "new_password2": "Mentaos-Baru-2026#"},
    )
    assert response.status_code == 400
    story.mentaos_clerk.refresh_from_db()
    assert story.mentaos_clerk.check_password(PASSWORD)


def test_password_change_rejects_a_weak_password(client: Client, story: Story) -> None:
    client.force_login(story.mentaos_clerk)
    response = client.post(
        "/org/password/", {"old_password": PASSWORD, "new_password1": "12345678", "new_password2": "12345678"}
    )
    assert response.status_code == 400
    assert "too short" in response.content.decode()
    story.mentaos_clerk.refresh_from_db()
    assert story.mentaos_clerk.check_password(PASSWORD)


def test_password_page_needs_sign_in(client: Client, story: Story) -> None:
    response = client.get("/org/password/")
    assert response.status_code == 302
    assert response["Location"] == f"{LOGIN}?next=/org/password/"


# ------------------------------------------------------------------------------------ API tokens
def _all_database_text() -> str:
    """Every row of every table as text: to prove a secret is stored nowhere."""
    chunks: list[str] = []
    with connection.cursor() as cursor:
        for model in apps.get_models():
            cursor.execute(f'SELECT * FROM "{model._meta.db_table}"')  # noqa: S608 (table names from models)
            chunks.extend(repr(row) for row in cursor.fetchall())
    return "\n".join(chunks)


def test_token_secret_is_shown_once_and_stored_only_hashed(client: Client, story: Story) -> None:
    client.force_login(story.mentaos_clerk)
    response = client.post("/org/tokens/", {"name": "Skrip laporan"})
    assert response.status_code == 200
    found = TOKEN_RE.findall(response.content.decode())
    assert len(set(found)) == 1
    secret = found[0]
    token = ApiToken.objects.get(user=story.mentaos_clerk)
    assert token.name == "Skrip laporan"
    assert token.key_hash == services.hash_token(secret)
    assert secret not in _all_database_text()
    listing = client.get("/org/tokens/").content.decode()
    assert "Skrip laporan" in listing
    assert secret not in listing
    assert TOKEN_RE.search(listing) is None
    assert response["Cache-Control"].startswith("max-age=0")
    me = client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert me.json()["username"] == "clerk_mentaos"


def test_token_with_expiry_works_through_the_chosen_local_day(client: Client, story: Story) -> None:
    client.force_login(story.mentaos_clerk)
    day = timezone.localdate() + dt.timedelta(days=30)
    client.post("/org/tokens/", {"name": "Sementara", "expires_on": day.isoformat()})
    token = ApiToken.objects.get(user=story.mentaos_clerk)
    local = timezone.localtime(token.expires_at, zoneinfo.ZoneInfo("Asia/Makassar"))
    assert (local.date(), local.hour, local.minute) == (day + dt.timedelta(days=1), 0, 0)


def test_token_expiry_in_the_past_is_refused(client: Client, story: Story) -> None:
    client.force_login(story.mentaos_clerk)
    response = client.post("/org/tokens/", {"name": "Lama", "expires_on": "2020-01-01"})
    assert response.status_code == 400
    assert "today or later" in response.content.decode()
    assert ApiToken.objects.count() == 0


def test_revoked_token_gets_401_from_the_api(client: Client, story: Story) -> None:
    client.force_login(story.mentaos_clerk)
    secret = token_in(client.post("/org/tokens/", {"name": "Sync"}).content.decode())
    api = Client()
    assert api.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {secret}").status_code == 200
    token = ApiToken.objects.get(user=story.mentaos_clerk)
    response = client.post(f"/org/tokens/{token.pk}/revoke/")
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert api.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {secret}").status_code == 401
    assert "revoked" in client.get("/org/tokens/").content.decode()


def test_token_of_another_user_gets_404(client: Client, story: Story) -> None:
    token, _secret = services.token_create(actor=None, user=story.mentaos_clerk, name="Milik Mentaos")
    client.force_login(story.komet_clerk)
    assert client.post(f"/org/tokens/{token.pk}/revoke/").status_code == 404
    assert "Milik Mentaos" not in client.get("/org/tokens/").content.decode()
    token.refresh_from_db()
    assert token.revoked_at is None


def test_token_revoke_is_post_only(client: Client, story: Story) -> None:
    token, _secret = services.token_create(actor=None, user=story.mentaos_clerk, name="x")
    client.force_login(story.mentaos_clerk)
    assert client.get(f"/org/tokens/{token.pk}/revoke/").status_code == 405
