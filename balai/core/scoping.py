"""The one scoped read path: ``Model.objects.visible_to(user, action)``.

Scope is the org tree (ARCHITECTURE §3.3): every role assignment names an OrgUnit and grants its
subtree. A queryset declares which field leads to the OrgUnit (``scope_field``); this module turns
the user's assignments into index-backed path-range filters on that unit.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Generic, TypeVar

from django.core.exceptions import ObjectDoesNotExist
from django.db import models
from django.db.models import Q
from django.http import Http404

if TYPE_CHECKING:
    from balai.org.models import User

M = TypeVar("M", bound=models.Model)


def subtree_q(path: str, prefix: str = "") -> Q:
    """Rows whose unit path starts with ``path``, written as a range so a plain B-tree index serves it.

    Paths are digits only (fixed-width segments), so a range [path, path + "9"*k] holds exactly the
    subtree in every collation, SQLite's BINARY and PostgreSQL's locale collations alike.
    """
    from balai.org.models import PATH_MAX

    field = f"{prefix}path"
    return Q(**{f"{field}__gte": path, f"{field}__lte": path + "9" * (PATH_MAX - len(path))})


def user_scope_paths(user: User | Any, action: str = "view") -> list[str] | None:
    """The tree paths an active user may act on; None for a superuser (everything); [] for nobody."""
    from balai.org.access import scope_paths

    if user is None or not user.is_authenticated or not user.is_active:
        return []
    if user.is_superuser:
        return None
    return list(scope_paths(user, action))


def scope_unit_ids(user: User | Any, action: str = "view") -> models.QuerySet[Any] | None:
    """The ids of the units in the user's scope, as a subquery; None for a superuser (everything).

    For tables that filter on their own unit columns (``unit_id IN (...)``) rather than join the units' paths:
    the filter then stays on the table, where its indexes are.
    """
    from balai.org.models import OrgUnit

    paths = user_scope_paths(user, action)
    if paths is None:
        return None
    in_scope = Q(pk__in=[])
    for path in paths:
        in_scope |= subtree_q(path)
    return OrgUnit.objects.filter(in_scope).values_list("pk", flat=True)


class ScopedQuerySet(models.QuerySet[M], Generic[M]):
    #: Django lookup from this model to its OrgUnit ("org_unit", "report__org_unit", or "" for OrgUnit).
    scope_field: str = "org_unit"
    scope_allow_null_for_root: bool = False

    def visible_to(self, user: User | Any, action: str = "view") -> ScopedQuerySet[M]:
        paths = user_scope_paths(user, action)
        if paths is None:
            return self
        if not paths:
            return self.none()
        prefix = f"{self.scope_field}__" if self.scope_field else ""
        cond = Q()
        for path in paths:
            cond |= subtree_q(path, prefix)
        if self.scope_allow_null_for_root and any(len(p) == PATH_SEGMENT for p in paths):
            cond |= Q(**{f"{self.scope_field}__isnull": True})
        return self.filter(cond)

    def get_visible(self, user: User | Any, action: str = "view", **lookup: Any) -> M:
        """The object if the user may see it, else 404: an object out of scope must not reveal it exists."""
        try:
            return self.visible_to(user, action).get(**lookup)
        except (ObjectDoesNotExist, ValueError, TypeError) as exc:
            raise Http404 from exc


PATH_SEGMENT = 8
