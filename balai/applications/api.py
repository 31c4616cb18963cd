"""Online applications over the API: the desk's scoped list and one application; a citizen's own ones.

Staff calls are scoped like the token's owner (out of scope = 404) and mask the NIK for roles without the
need. Citizen calls authenticate with the citizen's browser session (signed in by a one-time code): the
tracking number alone is never enough to read an application.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from ninja import Field, Router, Schema
from ninja.pagination import LimitOffsetPagination, paginate
from ninja.security import APIKeyCookie

from balai.applications import accounts, selectors
from balai.applications.models import Application, ResultDocument

router = Router(tags=["applications"])


class CitizenSession(APIKeyCookie):
    """A citizen's session cookie (the web sign-in by code). GET only here, so no CSRF token is needed."""

    param_name = settings.SESSION_COOKIE_NAME
    openapi_description = "Session of a citizen signed in on /layanan/masuk/ with a one-time code."

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        return accounts.current(request) if key else None


class StepOut(Schema):
    at: dt.datetime
    status: str = Field("", description="The status the step moved to, empty for a note")
    text: str
    byApplicant: bool


class DocumentOut(Schema):
    code: str
    name: str
    contentType: str
    size: int


def _steps(app: Application, public_only: bool) -> list[dict[str, Any]]:
    steps = [s for s in app.steps.all() if s.is_public or not public_only]
    return [{"at": s.created_at, "status": s.status_to, "text": s.text, "byApplicant": s.by_citizen} for s in steps]


class ApplicationOut(Schema):
    trackingNumber: str
    service: str = Field(description="Service code, unique within its unit")
    serviceName: str
    unit: str = Field(description="Org unit code of the office giving the service")
    status: str
    submittedAt: dt.datetime
    dueAt: dt.datetime
    completedAt: dt.datetime | None = None
    overdue: bool = Field(description="Open on the office's side and past the service's time limit")

    @staticmethod
    def resolve_service(obj: Application) -> str:
        return obj.service.code

    @staticmethod
    def resolve_serviceName(obj: Application) -> str:
        return obj.service.name_id

    @staticmethod
    def resolve_unit(obj: Application) -> str:
        return obj.unit.code

    @staticmethod
    def resolve_overdue(obj: Application) -> bool:
        return obj.is_overdue()

    @staticmethod
    def resolve_trackingNumber(obj: Application) -> str:
        return obj.tracking_number

    @staticmethod
    def resolve_submittedAt(obj: Application) -> dt.datetime:
        return obj.submitted_at

    @staticmethod
    def resolve_dueAt(obj: Application) -> dt.datetime:
        return obj.due_at

    @staticmethod
    def resolve_completedAt(obj: Application) -> dt.datetime | None:
        return obj.completed_at


class StaffApplicationOut(ApplicationOut):
    applicantName: str
    nik: str = Field(description="Masked unless the caller's role needs personal data")

    @staticmethod
    def resolve_applicantName(obj: Application) -> str:
        return obj.applicant_name

    @staticmethod
    def resolve_nik(obj: Application, context: Any) -> str:
        return selectors.nik_for(context["request"].user, obj)


def _result_number(app: Application) -> str | None:
    result = ResultDocument.objects.filter(application=app).first()
    return result.number if result is not None else None


class ApplicationDetailOut(StaffApplicationOut):
    answers: dict[str, str]
    documents: list[DocumentOut]
    steps: list[StepOut]
    resultNumber: str | None = None

    @staticmethod
    def resolve_documents(obj: Application) -> list[dict[str, Any]]:
        return [
            {"code": d.code, "name": d.name, "contentType": d.content_type, "size": d.size}
            for d in selectors.current_documents(obj)
        ]

    @staticmethod
    def resolve_steps(obj: Application) -> list[dict[str, Any]]:
        return _steps(obj, public_only=False)

    @staticmethod
    def resolve_resultNumber(obj: Application) -> str | None:
        return _result_number(obj)


class CitizenApplicationOut(ApplicationOut):
    answers: dict[str, str]
    steps: list[StepOut]
    resultNumber: str | None = None

    @staticmethod
    def resolve_steps(obj: Application) -> list[dict[str, Any]]:
        return _steps(obj, public_only=True)

    @staticmethod
    def resolve_resultNumber(obj: Application) -> str | None:
        return _result_number(obj)


@router.get(
    "/applications",
    response=list[StaffApplicationOut],
    summary="Online applications in the caller's scope, newest first",
)
@paginate(LimitOffsetPagination)
def application_list(request: HttpRequest, status: str = "", overdue: bool = False) -> Any:
    # The lazy queryset: the paginator slices it, so only one page is ever loaded.
    return selectors.desk_list(request.user, selectors.DeskFilters(status=status, overdue=overdue))


@router.get(
    "/applications/{tracking_number}",
    response=ApplicationDetailOut,
    summary="One application (404 when outside the scope)",
)
def application_detail(request: HttpRequest, tracking_number: str) -> Any:
    return selectors.desk_get(request.user, tracking_number)


@router.get(
    "/citizen/applications",
    response=list[CitizenApplicationOut],
    auth=CitizenSession(),
    summary="The signed-in citizen's own applications (at most the newest 200)",
)
def citizen_applications(request: HttpRequest) -> Any:
    return list(selectors.citizen_list(request.auth)[:200])  # type: ignore[attr-defined]


@router.get(
    "/citizen/applications/{tracking_number}",
    response=CitizenApplicationOut,
    auth=CitizenSession(),
    summary="One of the signed-in citizen's applications (404 for anyone else's)",
)
def citizen_application(request: HttpRequest, tracking_number: str) -> Any:
    return selectors.citizen_get(request.auth, tracking_number)  # type: ignore[attr-defined]
