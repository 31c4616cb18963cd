"""User and role administration pages: admins manage users in their subtree; everyone else sees 404."""

from __future__ import annotations

import pytest
from django.test import Client

from balai.core.models import AuditEvent
from balai.core.testing import PASSWORD, Story, sign_in, token_in
from balai.org import services
from balai.org.models import ApiToken, OrgUnit, RoleAssignment, User
from balai.org.roles import Role

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english(client: Client) -> None:
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


@pytest.fixture
def kec_admin(story: Story) -> User:
    """An admin of Kecamatan Banjarbaru Utara only."""
    user = services.user_create(actor=None, username="admin_utara", password=PASSWORD)
    services.role_assign(actor=None, user=user, role=Role.ADMIN, org_unit=story.kec_utara)
    return user


@pytest.fixture
def cempaka_clerk(story: Story) -> User:
    """A clerk of Kelurahan Palam in Kecamatan Cempaka: outside Banjarbaru Utara."""
    user = services.user_create(actor=None, username="clerk_palam", password=PASSWORD)
    services.role_assign(
        actor=None, user=user, role=Role.KELURAHAN_OPERATOR, org_unit=OrgUnit.objects.get(code="63.72.03.1001")
    )
    return user


# ------------------------------------------------------------------------------------- who sees
@pytest.mark.parametrize("who", ["mentaos_clerk", "camat", "auditor", "head", "skpd_operator"])
def test_non_admin_gets_404_on_user_pages(client: Client, story: Story, who: str) -> None:
    sign_in(client, getattr(story, who))
    pk = story.mentaos_clerk.pk
    assert client.get("/org/users/").status_code == 404
    assert client.get("/org/users/add/").status_code == 404
    assert client.get(f"/org/users/{pk}/").status_code == 404
    assert client.post(f"/org/users/{pk}/active/").status_code == 404
    story.mentaos_clerk.refresh_from_db()
    assert story.mentaos_clerk.is_active


def test_anonymous_is_sent_to_login(client: Client, story: Story) -> None:
    response = client.get("/org/users/")
    assert response.status_code == 302
    assert response["Location"] == "/org/login/?next=/org/users/"


def test_admin_lists_users_with_their_roles(client: Client, story: Story) -> None:
    sign_in(client, story.admin)
    response = client.get("/org/users/")
    assert response.status_code == 200
    html = response.content.decode()
    for username in ["admin", "clerk_mentaos", "clerk_komet", "camat_utara", "auditor", "app_absensi", "warga"]:
        assert f">{username}" in html
    assert "Kelurahan operator · Mentaos" in html


def test_user_list_search(client: Client, story: Story) -> None:
    sign_in(client, story.admin)
    html = client.get("/org/users/", {"q": "komet"}).content.decode()
    assert html.count('data-testid="user-row"') == 1
    assert ">clerk_komet" in html


def test_user_list_paginates(client: Client, story: Story) -> None:
    for i in range(30):
        services.user_create(actor=None, username=f"pengguna{i:02d}", password=PASSWORD)
    sign_in(client, story.admin)
    first = client.get("/org/users/").content.decode()
    second = client.get("/org/users/", {"page": 2}).content.decode()
    total = User.objects.count()
    assert first.count('data-testid="user-row"') == 25
    assert second.count('data-testid="user-row"') == total - 25


def test_kecamatan_admin_cannot_see_users_of_another_kecamatan(
    client: Client, story: Story, kec_admin: User, cempaka_clerk: User
) -> None:
    sign_in(client, kec_admin)
    html = client.get("/org/users/").content.decode()
    assert ">clerk_mentaos" in html
    assert ">camat_utara" in html
    assert ">clerk_palam" not in html
    assert ">warga" not in html  # users with no role belong to the Pemda-level admins
    assert client.get(f"/org/users/{cempaka_clerk.pk}/").status_code == 404
    assert client.post(f"/org/users/{cempaka_clerk.pk}/active/").status_code == 404
    assert client.post(f"/org/users/{cempaka_clerk.pk}/totp-reset/").status_code == 404
    cempaka_clerk.refresh_from_db()
    assert cempaka_clerk.is_active
    assert client.get(f"/org/users/{story.mentaos_clerk.pk}/").status_code == 200


def test_kecamatan_admin_sees_only_roles_inside_their_area(client: Client, story: Story, kec_admin: User) -> None:
    services.role_assign(actor=None, user=story.camat, role=Role.SKPD_OPERATOR, org_unit=story.dinkes)
    sign_in(client, kec_admin)
    html = client.get(f"/org/users/{story.camat.pk}/").content.decode()
    assert "Banjarbaru Utara" in html
    assert "Dinas Kesehatan" not in html
    assert "Dinas Kesehatan" not in client.get("/org/users/").content.decode()


def test_kecamatan_admin_cannot_assign_a_role_outside_their_area(client: Client, story: Story, kec_admin: User) -> None:
    sign_in(client, kec_admin)
    palam = OrgUnit.objects.get(code="63.72.03.1001")
    response = client.post(
        f"/org/users/{story.mentaos_clerk.pk}/roles/add/", {"role": Role.KELURAHAN_OPERATOR, "org_unit": palam.pk}
    )
    assert response.status_code == 400
    assert not RoleAssignment.objects.filter(user=story.mentaos_clerk, org_unit=palam).exists()
    # The unit select offers only their own subtree.
    html = client.get(f"/org/users/{story.mentaos_clerk.pk}/").content.decode()
    assert f'value="{palam.pk}"' not in html
    assert f'value="{story.komet.pk}"' in html


# --------------------------------------------------------------------------------------- roles
def test_camat_cannot_assign_roles(client: Client, story: Story) -> None:
    sign_in(client, story.camat)
    response = client.post(
        f"/org/users/{story.komet_clerk.pk}/roles/add/", {"role": Role.CAMAT, "org_unit": story.kec_utara.pk}
    )
    assert response.status_code == 404
    assert RoleAssignment.objects.filter(user=story.komet_clerk).count() == 1


def test_admin_assigns_a_role(client: Client, story: Story) -> None:
    sign_in(client, story.admin)
    response = client.post(
        f"/org/users/{story.komet_clerk.pk}/roles/add/", {"role": Role.KELURAHAN_OPERATOR, "org_unit": story.mentaos.pk}
    )
    assert response.status_code == 302
    assert response["Location"] == f"/org/users/{story.komet_clerk.pk}/"
    assert set(RoleAssignment.objects.filter(user=story.komet_clerk).values_list("org_unit__code", flat=True)) == {
        "63.72.04.1002",
        "63.72.04.1003",
    }
    assert AuditEvent.objects.filter(action="role.assign", actor=story.admin).count() == 1


def test_duplicate_role_shows_the_service_message(client: Client, story: Story) -> None:
    sign_in(client, story.admin)
    response = client.post(
        f"/org/users/{story.komet_clerk.pk}/roles/add/", {"role": Role.KELURAHAN_OPERATOR, "org_unit": story.komet.pk}
    )
    assert response.status_code == 400
    assert "already has this role on this unit" in response.content.decode()
    assert RoleAssignment.objects.filter(user=story.komet_clerk).count() == 1


def test_integration_account_is_offered_only_the_integration_role(client: Client, story: Story) -> None:
    sign_in(client, story.admin)
    response = client.post(
        f"/org/users/{story.integration.pk}/roles/add/", {"role": Role.ADMIN, "org_unit": story.root.pk}
    )
    assert response.status_code == 400
    assert not RoleAssignment.objects.filter(user=story.integration, role=Role.ADMIN).exists()


def test_admin_revokes_a_role(client: Client, story: Story) -> None:
    sign_in(client, story.admin)
    assignment = RoleAssignment.objects.get(user=story.komet_clerk)
    assert client.get(f"/org/users/{story.komet_clerk.pk}/roles/{assignment.pk}/revoke/").status_code == 405
    response = client.post(f"/org/users/{story.komet_clerk.pk}/roles/{assignment.pk}/revoke/")
    assert response.status_code == 302
    assert not RoleAssignment.objects.filter(pk=assignment.pk).exists()
    assert AuditEvent.objects.filter(action="role.revoke").count() == 1


def test_revoking_the_last_role_in_scope_returns_to_the_list(client: Client, story: Story, kec_admin: User) -> None:
    sign_in(client, kec_admin)
    assignment = RoleAssignment.objects.get(user=story.komet_clerk)
    response = client.post(f"/org/users/{story.komet_clerk.pk}/roles/{assignment.pk}/revoke/")
    assert response["Location"] == "/org/users/"


def test_role_of_another_user_cannot_be_revoked_through_this_user(client: Client, story: Story) -> None:
    sign_in(client, story.admin)
    other = RoleAssignment.objects.get(user=story.mentaos_clerk)
    response = client.post(f"/org/users/{story.komet_clerk.pk}/roles/{other.pk}/revoke/")
    assert response.status_code == 404
    assert RoleAssignment.objects.filter(pk=other.pk).exists()


# ---------------------------------------------------------------------------------- add a user
def test_admin_adds_a_user_with_a_role(client: Client, story: Story) -> None:
    sign_in(client, story.admin)
    response = client.post(
        "/org/users/add/",
        {
            "username": "Operator_Komet2",
            "full_name": "Siti Aminah",
            "email": "siti@example.org",
            "password": "Komet-Kuat-2026!",
            "role": Role.KELURAHAN_OPERATOR,
            "org_unit": story.komet.pk,
        },
    )
    user = User.objects.get(username="operator_komet2")
    assert response.status_code == 302
    assert response["Location"] == f"/org/users/{user.pk}/"
    assert user.full_name == "Siti Aminah"
    assert user.check_password("Komet-Kuat-2026!")
    assert list(user.role_assignments.values_list("role", "org_unit__code")) == [
        ("kelurahan_operator", "63.72.04.1003")
    ]


def test_add_user_with_a_weak_password_changes_nothing(client: Client, story: Story) -> None:
    sign_in(client, story.admin)
    response = client.post("/org/users/add/", {"username": "lemah", "password": "12345678"})
    assert response.status_code == 400
    assert "too short" in response.content.decode()
    assert not User.objects.filter(username="lemah").exists()


def test_add_user_with_a_taken_username(client: Client, story: Story) -> None:
    sign_in(client, story.admin)
    response = client.post("/org/users/add/", {"username": "clerk_komet", "password": "Komet-Kuat-2026!"})
    assert response.status_code == 400
    assert "already taken" in response.content.decode()


def test_add_user_needs_a_password_unless_integration(client: Client, story: Story) -> None:
    sign_in(client, story.admin)
    response = client.post("/org/users/add/", {"username": "tanpa_sandi"})
    assert response.status_code == 400
    assert "Give a password" in response.content.decode()
    response = client.post(
        "/org/users/add/",
        {"username": "app_simpeg", "is_integration": "on", "role": Role.INTEGRATION, "org_unit": story.root.pk},
    )
    assert response.status_code == 302
    app = User.objects.get(username="app_simpeg")
    assert app.is_integration
    assert not app.has_usable_password()


def test_failed_role_leaves_no_half_made_user(client: Client, story: Story, kec_admin: User) -> None:
    """The form offers only units in scope; a forged unit outside it must not leave a role-less user."""
    sign_in(client, kec_admin)
    palam = OrgUnit.objects.get(code="63.72.03.1001")
    response = client.post(
        "/org/users/add/",
        {"username": "penyusup", "password": "Komet-Kuat-2026!", "role": Role.KELURAHAN_OPERATOR, "org_unit": palam.pk},
    )
    assert response.status_code == 400
    assert not User.objects.filter(username="penyusup").exists()


def test_kecamatan_admin_must_give_a_role(client: Client, story: Story, kec_admin: User) -> None:
    sign_in(client, kec_admin)
    response = client.post("/org/users/add/", {"username": "tanpa_peran", "password": "Komet-Kuat-2026!"})
    assert response.status_code == 400
    assert not User.objects.filter(username="tanpa_peran").exists()
    response = client.post(
        "/org/users/add/",
        {
            "username": "dengan_peran",
            "password": "Komet-Kuat-2026!",
            "role": Role.KELURAHAN_OPERATOR,
            "org_unit": story.komet.pk,
        },
    )
    assert response.status_code == 302
    assert client.get(response["Location"]).status_code == 200


# --------------------------------------------------------------------- activate, totp, tokens
def test_admin_deactivates_and_reactivates_a_user(client: Client, story: Story) -> None:
    token, _secret = services.token_create(actor=None, user=story.komet_clerk, name="t")
    sign_in(client, story.admin)
    url = f"/org/users/{story.komet_clerk.pk}/active/"
    assert client.post(url).status_code == 302
    story.komet_clerk.refresh_from_db()
    token.refresh_from_db()
    assert not story.komet_clerk.is_active
    assert token.revoked_at is not None
    client.post(url)
    story.komet_clerk.refresh_from_db()
    assert story.komet_clerk.is_active


def test_admin_cannot_deactivate_themself(client: Client, story: Story) -> None:
    sign_in(client, story.admin)
    response = client.post(f"/org/users/{story.admin.pk}/active/", follow=True)
    assert "You cannot deactivate your own account" in response.content.decode()
    story.admin.refresh_from_db()
    assert story.admin.is_active


def test_admin_resets_an_authenticator(client: Client, story: Story) -> None:
    other = services.user_create(actor=None, username="admin_dua", password=PASSWORD)
    services.role_assign(actor=None, user=other, role=Role.ADMIN, org_unit=story.root)
    services.totp_set_secret(user=other, secret="JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXQ")
    sign_in(client, story.admin)
    assert client.post(f"/org/users/{other.pk}/totp-reset/").status_code == 302
    other.refresh_from_db()
    assert (other.totp_secret, other.totp_confirmed_at) == ("", None)


def test_token_for_an_integration_account_is_shown_once(client: Client, story: Story) -> None:
    sign_in(client, story.admin)
    response = client.post(f"/org/users/{story.integration.pk}/tokens/", {"name": "Absensi produksi"})
    assert response.status_code == 200
    secret = token_in(response.content.decode())
    token = ApiToken.objects.get(user=story.integration)
    assert token.key_hash == services.hash_token(secret)
    assert token.created_by == story.admin
    detail = client.get(f"/org/users/{story.integration.pk}/").content.decode()
    assert "Absensi produksi" in detail
    assert secret not in detail
    assert Client().get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {secret}").json()["username"] == "app_absensi"
    # The admin can revoke it from the account's page.
    response = client.post(f"/org/tokens/{token.pk}/revoke/")
    assert response["Location"] == f"/org/users/{story.integration.pk}/"
    assert Client().get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {secret}").status_code == 401


def test_admin_cannot_make_tokens_for_people(client: Client, story: Story) -> None:
    sign_in(client, story.admin)
    assert client.post(f"/org/users/{story.komet_clerk.pk}/tokens/", {"name": "x"}).status_code == 404
    assert not ApiToken.objects.filter(user=story.komet_clerk).exists()


def test_kecamatan_admin_cannot_revoke_tokens_outside_their_area(
    client: Client, story: Story, kec_admin: User, cempaka_clerk: User
) -> None:
    token, _secret = services.token_create(actor=None, user=cempaka_clerk, name="Palam")
    sign_in(client, kec_admin)
    assert client.post(f"/org/tokens/{token.pk}/revoke/").status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_user_pages_answer_post_only_for_writes(client: Client, story: Story) -> None:
    sign_in(client, story.admin)
    pk = story.komet_clerk.pk
    for url in [
        f"/org/users/{pk}/active/",
        f"/org/users/{pk}/totp-reset/",
        f"/org/users/{pk}/tokens/",
        f"/org/users/{pk}/roles/add/",
    ]:
        assert client.get(url).status_code == 405, url
