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
        if hasattr(obj, "parent_code"):  # annotated by the list view, None when outside the caller's scope
            return obj.parent_code
        return obj.parent.code if obj.parent_id else None


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
