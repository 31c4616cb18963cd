"""The read path of the org app; every view and API op reads units, ASN and users through here."""

from __future__ import annotations

import copy
import zoneinfo
from functools import lru_cache
from typing import Any

from django.db import connection
from django.db.models import Count, QuerySet

from balai.core.localcache import StampedCache
from balai.core.scoping import subtree_q
from balai.org import access
from balai.org.models import ApiToken, OrgUnit, Pegawai, RoleAssignment, User
from balai.org.roles import Action


def units_visible(user: Any, action: str = Action.VIEW) -> QuerySet[OrgUnit]:
    return OrgUnit.objects.visible_to(user, action)


def unit_get(user: Any, code: str, action: str = Action.VIEW) -> OrgUnit:
    return OrgUnit.objects.get_visible(user, action, code=code)


def unit_children(user: Any, unit: OrgUnit, action: str = Action.VIEW) -> QuerySet[OrgUnit]:
    return units_visible(user, action).filter(parent=unit, is_active=True).order_by("kind", "name")


def home_units(user: Any, action: str = Action.VIEW) -> list[OrgUnit]:
    """The top units of a user's scope: where their dashboard and tree start."""
    if user.is_superuser:
        return list(OrgUnit.objects.roots())
    paths = access.scope_paths(user, action)
    return list(OrgUnit.objects.filter(path__in=paths).order_by("path"))


def unit_tree(user: Any, root: OrgUnit, max_depth: int | None = None) -> list[OrgUnit]:
    qs = units_visible(user, Action.VIEW).filter(subtree_q(root.path)).annotate(n_children=Count("children"))
    if max_depth is not None:
        qs = qs.filter(depth__lte=root.depth + max_depth)
    return list(qs.order_by("path"))


def pegawai_list(user: Any, *, unit: OrgUnit | None = None, q: str = "") -> QuerySet[Pegawai]:
    qs = Pegawai.objects.visible_to(user, Action.VIEW).select_related("org_unit")
    if unit is not None:
        qs = qs.filter(subtree_q(unit.path, "org_unit__"))
    if q:
        from django.db.models import Q

        qs = qs.filter(Q(name__icontains=q) | Q(nip__startswith=q.replace(" ", "")))
    return qs.order_by("name")


def pegawai_get(user: Any, pk: int, action: str = Action.VIEW) -> Pegawai:
    return Pegawai.objects.select_related("org_unit").get_visible(user, action, pk=pk)


def users_visible(user: Any) -> QuerySet[User]:
    """Users holding a role inside the admin's scope (plus users with no role yet, for root admins)."""
    if user.is_superuser:
        return User.objects.all()
    paths = access.scope_paths(user, Action.ADMIN)
    if not paths:
        return User.objects.none()
    assigned = RoleAssignment.objects.visible_to(user, Action.ADMIN).values("user_id")
    qs = User.objects.filter(pk__in=assigned)
    if any(len(p) == 8 for p in paths):
        qs = qs | User.objects.filter(role_assignments__isnull=True)
    # Superusers are above every Pemda role: only another superuser may see or manage them.
    return qs.exclude(is_superuser=True).distinct()


def user_get(user: Any, pk: int) -> User:
    from django.http import Http404

    try:
        return users_visible(user).get(pk=pk)
    except (User.DoesNotExist, ValueError) as exc:
        raise Http404 from exc


def assignments_of(viewer: Any, user: User) -> QuerySet[RoleAssignment]:
    return RoleAssignment.objects.visible_to(viewer, Action.ADMIN).filter(user=user).select_related("org_unit")


def tokens_of(viewer: Any, user: User) -> QuerySet[ApiToken]:
    if viewer.pk != user.pk and not access.can(viewer, Action.ADMIN):
        return ApiToken.objects.none()
    return ApiToken.objects.filter(user=user)


def _root_stamp(_key: Any) -> tuple[Any, Any] | None:
    table = connection.ops.quote_name(OrgUnit._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id, updated_at FROM {table} WHERE parent_id IS NULL ORDER BY id LIMIT 1")  # noqa: S608
        row = cursor.fetchone()
    return None if row is None else (row[0], row[1])


def _root_load(_key: Any) -> OrgUnit | None:
    return OrgUnit.objects.roots().order_by("pk").first()


# The root as last read by this process, validated by its (id, updated_at): see balai.core.localcache.
_root_cache: StampedCache[OrgUnit | None] = StampedCache("org.root", _root_stamp, _root_load, models=(OrgUnit,))


def pemda_root() -> OrgUnit | None:
    """The Pemda: the first root unit. Nearly every public request asks for it (a citizen's report, Open311).

    Kept per process and re-validated by one small indexed read of its id and ``updated_at`` (at most every
    ``BALAI_LOCAL_CACHE_SECONDS``); the ORM query and a fresh instance cost several times more (bench/).
    Each caller gets its own copy: changing it does not change the cached one.
    """
    root = _root_cache.get(None, None)
    return None if root is None else copy.copy(root)


@lru_cache(maxsize=1)
def _cached_tz(_marker: int) -> str:
    root = pemda_root()
    return root.time_zone if root else ""


def pemda_zone() -> zoneinfo.ZoneInfo:
    """The zone "today" and month ends are counted in, also outside a request (tasks, indicators)."""
    from django.conf import settings

    return zoneinfo.ZoneInfo(settings.BALAI_TIME_ZONE or pemda_time_zone() or settings.TIME_ZONE)


def pemda_time_zone() -> str:
    # Cached per process: a Pemda's time zone does not change while the server runs.
    tz = _cached_tz(0)
    if not tz:
        _cached_tz.cache_clear()
    return tz
