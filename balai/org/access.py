"""Who may do what where. Every scoped read and every permission check ends here."""

from __future__ import annotations

from typing import Any

from balai.org.roles import ROLE_SPECS


def _assignments(user: Any) -> list[tuple[str, str]]:
    """(role, unit path) pairs of the user, cached on the user object for the request."""
    cached = getattr(user, "_balai_assignments", None)
    if cached is None:
        from balai.org.models import RoleAssignment

        cached = list(
            RoleAssignment.objects.filter(user_id=user.pk, org_unit__is_active=True).values_list(
                "role", "org_unit__path"
            )
        )
        user._balai_assignments = cached
    return cached


def forget(user: Any) -> None:
    if hasattr(user, "_balai_assignments"):
        del user._balai_assignments


def scope_paths(user: Any, action: str) -> list[str]:
    """The minimal set of subtree roots where the user may perform ``action``."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    paths = sorted({path for role, path in _assignments(user) if action in ROLE_SPECS[role].actions})
    minimal: list[str] = []
    for path in paths:  # sorted, so an ancestor comes before its descendants
        if not any(path.startswith(kept) for kept in minimal):
            minimal.append(path)
    return minimal


def can(user: Any, action: str, unit: Any = None) -> bool:
    """May ``user`` perform ``action`` on ``unit`` (or anywhere at all when unit is None)?"""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.is_superuser:
        return True
    paths = scope_paths(user, action)
    if unit is None:
        return bool(paths)
    return any(unit.path.startswith(p) for p in paths)


def roles_of(user: Any) -> set[str]:
    if user is None or not getattr(user, "is_authenticated", False):
        return set()
    return {role for role, _path in _assignments(user)}


def requires_second_factor(user: Any) -> bool:
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    return user.is_superuser or any(ROLE_SPECS[r].requires_second_factor for r in roles_of(user))


def is_api_only(user: Any) -> bool:
    if getattr(user, "is_integration", False):
        return True
    roles = roles_of(user)
    return bool(roles) and all(ROLE_SPECS[r].api_only for r in roles)


def mask(value: str, user: Any, unit: Any = None, keep: int = 4) -> str:
    """Personal data (NIK, phone) unmasked only for roles that need it (UU 27/2022)."""
    if not value:
        return value
    if can(user, "personal", unit):
        return value
    if len(value) <= keep:
        return "•" * len(value)
    return "•" * (len(value) - keep) + value[-keep:]
