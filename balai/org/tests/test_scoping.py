"""Scope is the org tree: who sees which units, ASN and events; out of scope answers 404, never 403."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.utils import translation

from balai.core.models import AuditEvent
from balai.core.scoping import subtree_q
from balai.core.testing import PASSWORD, ScopingContract, Story
from balai.org import access
from balai.org import services as org
from balai.org.choices import UnitKind
from balai.org.models import OrgUnit, Pegawai
from balai.org.roles import Action, Role

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def in_english(client: Any) -> Iterator[None]:
    # Assert the English source strings; Indonesian (the default) is the translators' concern.
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    with translation.override("en"):
        yield


MENTAOS_NIP = "198001012005011001"
SELATAN_PREFIX = "63.72.05"


def _mentaos_pegawai(story: Story) -> Pegawai:
    return org.pegawai_create(
        actor=None,
        org_unit=story.mentaos,
        nip=MENTAOS_NIP,
        name="Budi Santoso",
        nik="6372040101800001",
        phone="081234567890",
    )


def _codes(user: Any, action: str = Action.VIEW) -> set[str]:
    return set(OrgUnit.objects.visible_to(user, action).values_list("code", flat=True))


def _get(client: Any, story: Story, user: Any, url: str) -> Any:
    return client.get(url, HTTP_AUTHORIZATION=f"Bearer {story.token(user)}")


class TestMentaosApiScoping(ScopingContract):
    """The contract every module inherits, applied to the org API."""

    def mentaos_urls(self, story: Story) -> list[str]:
        return []

    def mentaos_api_urls(self, story: Story) -> list[str]:
        return ["/api/v1/orgUnits/63.72.04.1002", f"/api/v1/pegawai/{_mentaos_pegawai(story).pk}"]


def test_komet_clerk_gets_404_on_mentaos_unit_and_asn(client: Any, story: Story) -> None:
    pegawai = _mentaos_pegawai(story)
    for url in ("/api/v1/orgUnits/63.72.04.1002", f"/api/v1/pegawai/{pegawai.pk}"):
        response = _get(client, story, story.komet_clerk, url)
        assert response.status_code == 404, url
        assert "Mentaos" not in response.content.decode()
        assert _get(client, story, story.mentaos_clerk, url).status_code == 200, url


def test_unknown_and_hidden_objects_answer_alike(client: Any, story: Story) -> None:
    # Same status and body whether the object is missing or merely outside the scope: no id leaks.
    hidden = _get(client, story, story.komet_clerk, "/api/v1/orgUnits/63.72.04.1002")
    missing = _get(client, story, story.komet_clerk, "/api/v1/orgUnits/63.72.04.9999")
    assert (hidden.status_code, hidden.json()) == (missing.status_code, missing.json())
    assert _get(client, story, story.komet_clerk, "/api/v1/pegawai/999999").status_code == 404
    assert _get(client, story, story.komet_clerk, "/api/v1/pegawai/abc").status_code in {404, 422}


def test_camat_sees_mentaos_and_komet_but_not_banjarbaru_selatan(client: Any, story: Story) -> None:
    assert _codes(story.camat) == {"63.72.04", "63.72.04.1001", "63.72.04.1002", "63.72.04.1003", "63.72.04.1004"}
    for code in ("63.72.04.1002", "63.72.04.1003"):
        assert _get(client, story, story.camat, f"/api/v1/orgUnits/{code}").status_code == 200
    for code in ("63.72.05", "63.72.05.1001", "63.72.05.1004", "63.72", "DINKES"):
        assert _get(client, story, story.camat, f"/api/v1/orgUnits/{code}").status_code == 404, code


def test_head_of_region_sees_all_territory_and_agencies(story: Story) -> None:
    codes = _codes(story.head)
    assert len(codes) == 28
    assert len([c for c in codes if c.startswith("63.72")]) == 26
    assert {"DINKES", "DISKOMINFO"} <= codes


@pytest.mark.parametrize(
    ("who", "count"),
    [
        ("head", 28),
        ("auditor", 28),
        ("admin", 28),
        ("integration", 28),
        ("camat", 5),
        ("mentaos_clerk", 1),
        ("komet_clerk", 1),
        ("skpd_operator", 1),
        ("citizen", 0),
    ],
)
def test_visible_units_per_role(story: Story, who: str, count: int) -> None:
    assert OrgUnit.objects.visible_to(getattr(story, who), Action.VIEW).count() == count


@pytest.mark.parametrize(
    ("who", "action", "count"),
    [
        ("admin", Action.ADMIN, 28),
        ("head", Action.ADMIN, 0),
        ("camat", Action.EDIT, 5),
        ("camat", Action.IMPORT, 0),
        ("skpd_operator", Action.IMPORT, 1),
        ("integration", Action.IMPORT, 28),
        ("integration", Action.EDIT, 0),
        ("auditor", Action.AUDIT, 28),
        ("mentaos_clerk", Action.PERSONAL, 1),
    ],
)
def test_visible_units_per_action(story: Story, who: str, action: str, count: int) -> None:
    assert OrgUnit.objects.visible_to(getattr(story, who), action).count() == count


def test_anonymous_inactive_and_superuser(story: Story) -> None:
    from django.contrib.auth.models import AnonymousUser

    assert OrgUnit.objects.visible_to(AnonymousUser()).count() == 0
    assert OrgUnit.objects.visible_to(None).count() == 0
    org.user_set_active(actor=None, user=story.head, active=False)
    story.head.refresh_from_db()
    assert OrgUnit.objects.visible_to(story.head).count() == 0
    superuser = org.user_create(actor=None, username="root", password=PASSWORD, is_superuser=True)
    assert OrgUnit.objects.visible_to(superuser).count() == 28
    assert access.can(superuser, Action.ADMIN, story.mentaos)


def test_pegawai_visible_to_follows_the_unit(story: Story) -> None:
    mentaos_p = _mentaos_pegawai(story)
    komet_p = org.pegawai_create(actor=None, org_unit=story.komet, nip="199002142015032002", name="Sari")
    dinkes_p = org.pegawai_create(actor=None, org_unit=story.dinkes, nip="198505052010011003", name="Dewi")
    seen = {
        u: set(Pegawai.objects.visible_to(getattr(story, u)).values_list("pk", flat=True))
        for u in ("mentaos_clerk", "komet_clerk", "camat", "head", "skpd_operator")
    }
    assert seen == {
        "mentaos_clerk": {mentaos_p.pk},
        "komet_clerk": {komet_p.pk},
        "camat": {mentaos_p.pk, komet_p.pk},
        "head": {mentaos_p.pk, komet_p.pk, dinkes_p.pk},
        "skpd_operator": set(),
    }


def test_audit_events_without_unit_are_visible_only_to_root_scopes(story: Story) -> None:
    no_unit = AuditEvent.objects.filter(org_unit__isnull=True).count()
    assert no_unit > 0
    assert AuditEvent.objects.visible_to(story.auditor, Action.AUDIT).filter(org_unit__isnull=True).count() == no_unit
    assert not AuditEvent.objects.visible_to(story.camat).filter(org_unit__isnull=True).exists()
    assert set(AuditEvent.objects.visible_to(story.camat).values_list("org_unit__code", flat=True)) <= _codes(
        story.camat
    )


def test_scope_paths_keep_only_the_topmost_units(story: Story) -> None:
    org.role_assign(actor=None, user=story.camat, role=Role.KELURAHAN_OPERATOR, org_unit=story.mentaos)
    org.role_assign(actor=None, user=story.camat, role=Role.SKPD_OPERATOR, org_unit=story.dinkes)
    assert access.scope_paths(story.camat, Action.VIEW) == sorted([story.kec_utara.path, story.dinkes.path])
    assert access.scope_paths(story.camat, Action.IMPORT) == [story.dinkes.path]
    assert access.can(story.camat, Action.IMPORT, story.dinkes)
    assert not access.can(story.camat, Action.IMPORT, story.mentaos)
    assert access.can(story.camat, Action.IMPORT)  # somewhere
    assert not access.can(story.head, Action.IMPORT)


def test_inactive_unit_grants_nothing(story: Story) -> None:
    org.orgunit_update(actor=None, unit=story.mentaos, is_active=False)
    access.forget(story.mentaos_clerk)
    assert access.scope_paths(story.mentaos_clerk, Action.VIEW) == []
    assert OrgUnit.objects.visible_to(story.mentaos_clerk).count() == 0


def test_subtree_range_holds_exactly_the_subtree(story: Story) -> None:
    # A sibling whose path sorts right after the subtree must stay out of the range.
    inside = set(OrgUnit.objects.filter(subtree_q(story.kec_utara.path)).values_list("code", flat=True))
    assert inside == {"63.72.04", "63.72.04.1001", "63.72.04.1002", "63.72.04.1003", "63.72.04.1004"}
    assert set(OrgUnit.objects.subtree_of(story.mentaos).values_list("code", flat=True)) == {"63.72.04.1002"}
    assert OrgUnit.objects.subtree_of(story.root).count() == 28


def test_personal_data_is_masked_for_roles_without_the_right(client: Any, story: Story) -> None:
    pegawai = _mentaos_pegawai(story)
    url = f"/api/v1/pegawai/{pegawai.pk}"
    clerk = _get(client, story, story.mentaos_clerk, url).json()
    head = _get(client, story, story.head, url).json()
    assert (clerk["nik"], clerk["phone"]) == ("6372040101800001", "081234567890")
    assert (head["nik"], head["phone"]) == ("••••••••••••0001", "••••••••7890")
    assert access.mask("123", story.head) == "•••"
    assert access.mask("", story.head) == ""


def test_second_factor_and_api_only_flags(story: Story) -> None:
    assert access.requires_second_factor(story.admin)
    assert not access.requires_second_factor(story.camat)
    assert access.is_api_only(story.integration)
    assert not access.is_api_only(story.head)
    assert access.roles_of(story.camat) == {Role.CAMAT}


# ------------------------------------------------------------------------ moving a kelurahan
def test_moved_kelurahan_takes_its_rw_rt_into_the_new_scope(client: Any, story: Story) -> None:
    rw = org.orgunit_create(actor=None, parent=story.mentaos, name="RW 01", kind=UnitKind.RW, code="M.RW01")
    rt = org.orgunit_create(actor=None, parent=rw, name="RT 001", kind=UnitKind.RT, code="M.RW01.RT001")
    pegawai = _mentaos_pegawai(story)
    selatan = OrgUnit.objects.get(code=SELATAN_PREFIX)
    camat_selatan = org.user_create(actor=None, username="camat_selatan", password=PASSWORD)
    org.role_assign(actor=None, user=camat_selatan, role=Role.CAMAT, org_unit=selatan)
    assert {"63.72.04.1002", "M.RW01", "M.RW01.RT001"} <= _codes(story.camat)

    org.orgunit_move(actor=story.admin, unit=story.mentaos, new_parent=selatan)
    for user in (story.camat, camat_selatan, story.mentaos_clerk):
        access.forget(user)

    rw.refresh_from_db()
    rt.refresh_from_db()
    story.mentaos.refresh_from_db()
    assert rw.path == story.mentaos.path + f"{rw.pk:08d}"
    assert rt.path == rw.path + f"{rt.pk:08d}"
    assert (rw.depth, rt.depth) == (3, 4)
    assert _codes(story.camat) == {"63.72.04", "63.72.04.1001", "63.72.04.1003", "63.72.04.1004"}
    assert {"63.72.04.1002", "M.RW01", "M.RW01.RT001"} <= _codes(camat_selatan)
    assert _codes(story.mentaos_clerk) == {"63.72.04.1002", "M.RW01", "M.RW01.RT001"}
    assert not Pegawai.objects.visible_to(story.camat).filter(pk=pegawai.pk).exists()
    assert Pegawai.objects.visible_to(camat_selatan).filter(pk=pegawai.pk).exists()
    assert _get(client, story, story.camat, "/api/v1/orgUnits/M.RW01.RT001").status_code == 404
    assert _get(client, story, camat_selatan, "/api/v1/orgUnits/M.RW01.RT001").status_code == 200
    assert _get(client, story, story.mentaos_clerk, f"/api/v1/pegawai/{pegawai.pk}").status_code == 200
