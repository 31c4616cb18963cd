"""Scoped reads of online applications: the desk's list and one application; the citizen's own."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

from balai.applications.choices import SLA_RUNNING_STATUSES
from balai.applications.models import Application, ApplicationDocument, Citizen
from balai.org import access
from balai.org.roles import Action
from balai.publicservices.models import Service


@dataclass(frozen=True)
class DeskFilters:
    status: str = ""
    service: int | None = None
    overdue: bool = False
    q: str = ""


def desk_list(user: Any, filters: DeskFilters | None = None) -> QuerySet[Application]:
    filters = filters or DeskFilters()
    qs = Application.objects.visible_to(user, Action.VIEW).select_related("service", "unit")
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.service:
        qs = qs.filter(service_id=filters.service)
    if filters.overdue:
        qs = qs.filter(status__in=list(SLA_RUNNING_STATUSES), due_at__lt=timezone.now())
    if filters.q:
        qs = qs.filter(tracking_number__iexact=filters.q.strip())
    return qs.order_by("-submitted_at", "-id")


def desk_overdue_count(user: Any) -> int:
    return (
        Application.objects.visible_to(user, Action.VIEW)
        .filter(status__in=list(SLA_RUNNING_STATUSES), due_at__lt=timezone.now())
        .count()
    )


def desk_get(user: Any, tracking_number: str) -> Application:
    """One application in the user's scope, else 404."""
    return Application.objects.select_related("service", "unit", "citizen").get_visible(
        user, Action.VIEW, tracking_number=(tracking_number or "").strip().upper()
    )


def desk_services(user: Any) -> QuerySet[Service]:
    return Service.objects.visible_to(user, Action.VIEW).filter(is_online=True).order_by("name_id")


def citizen_list(citizen: Citizen) -> QuerySet[Application]:
    return Application.objects.filter(citizen=citizen).select_related("service", "unit").order_by("-submitted_at")


def citizen_get(citizen: Citizen | None, tracking_number: str) -> Application:
    """The citizen's own application, else 404: another citizen's number reveals nothing."""
    if citizen is None:
        raise Http404
    found = (
        Application.objects.select_related("service", "unit", "citizen", "event")
        .filter(citizen=citizen, tracking_number=(tracking_number or "").strip().upper())
        .first()
    )
    if found is None:
        raise Http404
    return found


def current_documents(application: Application) -> list[ApplicationDocument]:
    return list(application.documents.filter(is_current=True).select_related("requirement").order_by("id"))


def can_edit(user: Any, application: Application) -> bool:
    return access.can(user, Action.EDIT, application.unit)


def nik_for(user: Any, application: Application) -> str:
    """The NIK unmasked only for roles that need personal data (UU 27/2022)."""
    return access.mask(application.nik, user, application.unit)


def contact_for(user: Any, application: Application) -> str:
    from balai.applications.accounts import mask_contact

    citizen = application.citizen
    if access.can(user, Action.PERSONAL, application.unit):
        return citizen.address
    return mask_contact(citizen.channel, citizen.address)
