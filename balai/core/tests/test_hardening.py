"""Regressions found in review: each bad input or abuse gets a clear answer, never a 500 or a bypass."""

from __future__ import annotations

import pyotp
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client, override_settings

from balai.core.testing import ADMIN_TOTP_SECRET, PASSWORD, Story, sign_in
from balai.indicators.services import facts_import
from balai.org import services as org
from balai.org.models import LoginAttempt, OrgUnit, User
from balai.org.roles import Role

pytestmark = pytest.mark.django_db


@override_settings(BALAI_TRUSTED_PROXIES=1)
def test_forged_forwarded_for_cannot_dodge_the_lockout(client: Client, story: Story) -> None:
    for _ in range(5):
        client.post("/org/login/", {"username": "admin", "password": "wrong"}, HTTP_X_FORWARDED_FOR="not-an-ip")
    assert LoginAttempt.objects.filter(username="admin", succeeded=False).count() == 5
    response = client.post("/org/login/", {"username": "admin", "password": PASSWORD}, HTTP_X_FORWARDED_FOR="not-an-ip")
    assert response.status_code == 429


@override_settings(BALAI_TRUSTED_PROXIES=1)
def test_client_address_is_the_one_our_proxy_appended(client: Client, story: Story) -> None:
    client.post("/org/login/", {"username": "walikota", "password": "wrong"}, HTTP_X_FORWARDED_FOR="6.6.6.6, 10.1.2.3")
    assert LoginAttempt.objects.get(username="walikota").ip_address == "10.1.2.3"


def test_password_only_admin_session_gets_401_from_the_api(client: Client, story: Story) -> None:
    client.force_login(story.admin)  # password checked, second factor not yet
    assert client.get("/api/v1/me").status_code == 401
    sign_in(client, story.admin)  # second factor passed
    assert client.get("/api/v1/me").status_code == 200


def test_kecamatan_admin_cannot_lock_out_the_pemda_admin(story: Story) -> None:
    kec_admin = org.user_create(actor=None, username="admin_utara", password=PASSWORD)
    org.role_assign(actor=None, user=kec_admin, role=Role.ADMIN, org_unit=story.kec_utara)
    # The Pemda admin also holds a role inside the kecamatan: visible to the kecamatan admin, not theirs to manage.
    org.role_assign(actor=None, user=story.admin, role=Role.KELURAHAN_OPERATOR, org_unit=story.mentaos)
    with pytest.raises(PermissionDenied):
        org.totp_reset(actor=kec_admin, user=story.admin)
    with pytest.raises(PermissionDenied):
        org.user_set_active(actor=kec_admin, user=story.admin, active=False)
    story.admin.refresh_from_db()
    assert story.admin.is_active and story.admin.totp_secret == ADMIN_TOTP_SECRET
    # Their own kelurahan clerk is theirs to manage.
    org.user_set_active(actor=kec_admin, user=story.mentaos_clerk, active=False)
    assert not User.objects.get(pk=story.mentaos_clerk.pk).is_active


def test_root_admin_cannot_touch_a_superuser(story: Story) -> None:
    root = User.objects.create_superuser("root", password=PASSWORD)
    with pytest.raises(PermissionDenied):
        org.user_set_active(actor=story.admin, user=root, active=False)
    with pytest.raises(PermissionDenied):
        org.role_assign(actor=story.admin, user=root, role=Role.AUDITOR, org_unit=story.root)


@pytest.mark.parametrize("code", ["RW/9", "RW 9", "../x", "", "x" * 41])
def test_unit_codes_that_would_break_urls_are_refused(story: Story, code: str) -> None:
    before = OrgUnit.objects.count()
    with pytest.raises(ValidationError):
        org.orgunit_create(actor=story.admin, parent=story.mentaos, name="RW 09", kind="rw", code=code)
    assert OrgUnit.objects.count() == before


def test_a_bad_time_zone_is_refused(story: Story) -> None:
    with pytest.raises(ValidationError) as exc:
        org.orgunit_update(actor=None, unit=story.root, time_zone="Asia/Banjarbaru")
    assert "Asia/Banjarbaru" in str(exc.value)
    story.root.refresh_from_db()
    assert story.root.time_zone == "Asia/Makassar"


def test_module_computed_indicators_cannot_be_imported(story: Story) -> None:
    from django.utils import translation

    with translation.override("en"):
        summary = facts_import(
            actor=story.integration,
            rows=[{"dataElement": "asn.headcount", "period": "202601", "orgUnit": "DINKES", "value": "999"}],
        )
    assert (summary.imported, summary.ignored) == (0, 1)
    assert "computed by Balai" in summary.conflicts[0].value


def test_dashboard_period_far_in_the_past_is_explained_not_a_500(client: Client, story: Story) -> None:
    from balai.indicators.models import Indicator
    from balai.indicators.services import dirty_drain

    Indicator.objects.create(code="test.yearly", name_id="y", name_en="y", period_type="year")
    facts_import(
        actor=None, rows=[{"dataElement": "test.yearly", "period": "2025", "orgUnit": "63.72.04", "value": "1"}]
    )
    dirty_drain()
    client.force_login(story.head)
    assert client.get("/", {"period": "190101"}).status_code == 200
    assert client.get("/dasbor/63.72/", {"period": "190106"}).status_code == 200


def test_audit_dates_out_of_range_are_explained_not_a_500(client: Client, story: Story) -> None:
    client.force_login(story.auditor)
    assert client.get("/audit/", {"date_to": "9999-12-31"}).status_code == 200
    assert client.get("/audit/", {"date_from": "0001-01-01"}).status_code == 200


def test_csv_with_a_monstrous_field_is_a_400(client: Client, story: Story) -> None:
    secret = story.token(story.integration)
    body = "dataElement,period,orgUnit,value\n" + '"' + "x" * 200_000 + '",202601,DINKES,1\n'
    response = client.post(
        "/api/v1/dataValueSets",
        body,
        content_type="text/csv",
        HTTP_AUTHORIZATION=f"Bearer {secret}",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    assert "cannot be read" in response.json()["message"]


def test_totp_code_for_the_demo_secret_still_verifies(story: Story) -> None:
    # Guards the review fix in totp_verify (the locked row's secret is used, not a stale object's).
    stale = User.objects.get(pk=story.admin.pk)
    stale.totp_secret = ""
    assert org.totp_verify(user=stale, code=pyotp.TOTP(ADMIN_TOTP_SECRET).now())


def test_the_api_does_not_name_a_parent_outside_the_scope(client: Client, story: Story) -> None:
    komet = Client(HTTP_AUTHORIZATION=f"Bearer {story.token(story.komet_clerk)}")
    assert komet.get("/api/v1/orgUnits/63.72.04.1003").json()["parent"] is None
    listed = komet.get("/api/v1/orgUnits").json()["items"]
    assert [(u["code"], u["parent"]) for u in listed] == [("63.72.04.1003", None)]
    camat = Client(HTTP_AUTHORIZATION=f"Bearer {story.token(story.camat)}")
    assert camat.get("/api/v1/orgUnits/63.72.04.1003").json()["parent"] == "63.72.04"


def test_usernames_are_case_insensitive_everywhere(client: Client, story: Story) -> None:
    User.objects.create_superuser("SuperAdmin", password=PASSWORD)
    assert User.objects.filter(username="superadmin").exists()
