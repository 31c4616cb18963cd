from __future__ import annotations

from ninja import Schema


class OrgUnitOut(Schema):
    code: str
    name: str
    kind: str
    parent: str | None = None
    depth: int
    kemendagri_code: str
    is_active: bool


class RoleOut(Schema):
    role: str
    orgUnit: str


class MeOut(Schema):
    username: str
    full_name: str
    is_integration: bool
    roles: list[RoleOut]


class PegawaiOut(Schema):
    id: int
    nip: str
    name: str
    sex: str
    orgUnit: str
    position: str
    rank: str
    nik: str
    phone: str
