"""API keys of the apps that file reports through Open311: only the SHA-256 of a key is ever stored."""

from __future__ import annotations

import secrets
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from balai.complaints.models import Open311Client
from balai.core.audit import audit_record
from balai.org import access
from balai.org.roles import Action
from balai.org.selectors import pemda_root
from balai.org.services import hash_token

KEY_PREFIX = "o311_"


def _require_admin(actor: Any) -> None:
    """Keys let an outside app write reports for the whole Pemda: only its administrators hand them out."""
    if actor is None or actor.is_superuser:
        return
    root = pemda_root()
    if root is None or not access.can(actor, Action.ADMIN, root):
        raise PermissionDenied(_("Only the Pemda's administrators can create Open311 keys."))


def open311_client_create(*, actor: Any, name: str) -> tuple[Open311Client, str]:
    """Register an app and return it with its key; the key is never stored nor shown again."""
    _require_admin(actor)
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("Give the app a name, such as the one its users know it by.")})
    prefix = secrets.token_hex(4)
    key = f"{KEY_PREFIX}{prefix}_{secrets.token_urlsafe(32)}"
    with transaction.atomic():
        client = Open311Client.objects.create(name=name[:100], key_prefix=prefix, key_hash=hash_token(key))
        audit_record(actor=actor, action="open311_client.create", obj=client, changes={"name": client.name})
    return client, key


def open311_client_verify(key: str) -> Open311Client | None:
    """The active app this key belongs to, or None (missing, wrong or revoked key)."""
    key = (key or "").strip()
    if not key:
        return None
    return Open311Client.objects.filter(key_hash=hash_token(key), is_active=True).first()
