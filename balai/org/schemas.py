from __future__ import annotations

from typing import Any

from ninja import Schema


class OrgUnitOut(Schema):
    code: str
    name: str
    kind: str
    parent: str | None = None
    depth: int
    kemendagri_code: str
    is_active: bool

    @staticmethod
    def resolve_parent(obj: Any) -> str | None:
        if isinstance(obj, dict):
            return obj.get("parent")
        code = getattr(obj, "parent_code", None)
        if code is None and obj.parent_id:
            code = obj.parent.code
        return code


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
