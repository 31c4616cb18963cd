"""Roles and what they may do. A role is always granted on an OrgUnit and covers its subtree."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _


class Action:
    VIEW = "view"  # read records and facts
    EDIT = "edit"  # record work: create and change records
    APPROVE = "approve"  # sign off as head of a unit
    IMPORT = "import"  # push Facts (API, CSV)
    ADMIN = "admin"  # manage the org tree, ASN register, users, roles, tokens
    AUDIT = "audit"  # read the audit log
    PERSONAL = "personal"  # see personal data (NIK, phone, address) unmasked


class Role(models.TextChoices):
    HEAD_OF_REGION = "head_of_region", _("Head of region / Sekda")
    ADMIN = "admin", _("Administrator (Bappeda / Diskominfo)")
    SKPD_OPERATOR = "skpd_operator", _("Agency operator")
    SKPD_HEAD = "skpd_head", _("Agency head")
    CAMAT = "camat", _("Camat")
    KELURAHAN_OPERATOR = "kelurahan_operator", _("Kelurahan operator")
    AUDITOR = "auditor", _("Auditor (read only)")
    INTEGRATION = "integration", _("Integration (API only)")


@dataclass(frozen=True)
class RoleSpec:
    actions: frozenset[str]
    requires_second_factor: bool = False
    api_only: bool = False


A = Action
ROLE_SPECS: dict[str, RoleSpec] = {
    Role.HEAD_OF_REGION: RoleSpec(frozenset({A.VIEW})),
    Role.ADMIN: RoleSpec(frozenset({A.VIEW, A.EDIT, A.IMPORT, A.ADMIN, A.PERSONAL}), requires_second_factor=True),
    Role.SKPD_OPERATOR: RoleSpec(frozenset({A.VIEW, A.EDIT, A.IMPORT, A.PERSONAL})),
    Role.SKPD_HEAD: RoleSpec(frozenset({A.VIEW, A.EDIT, A.APPROVE, A.IMPORT, A.PERSONAL})),
    Role.CAMAT: RoleSpec(frozenset({A.VIEW, A.EDIT, A.APPROVE, A.PERSONAL})),
    Role.KELURAHAN_OPERATOR: RoleSpec(frozenset({A.VIEW, A.EDIT, A.PERSONAL})),
    Role.AUDITOR: RoleSpec(frozenset({A.VIEW, A.AUDIT})),
    Role.INTEGRATION: RoleSpec(frozenset({A.VIEW, A.IMPORT}), api_only=True),
}


def roles_with(action: str) -> list[str]:
    return [role for role, spec in ROLE_SPECS.items() if action in spec.actions]
