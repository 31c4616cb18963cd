from __future__ import annotations

from typing import Any

from django.http import HttpRequest


def balai(request: HttpRequest) -> dict[str, Any]:
    from balai.org import access
    from balai.org.roles import Action

    user = getattr(request, "user", None)
    return {
        "can_admin": access.can(user, Action.ADMIN),
        "can_audit": access.can(user, Action.AUDIT),
        "can_import": access.can(user, Action.IMPORT),
    }
