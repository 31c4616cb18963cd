"""SKM over the API: submit a response (the survey token is the credential), open a survey, read results.

Submitting needs no account: the token of the survey link is a one-time credential for one service event, so a
citizen's phone, a kiosk showing the survey, or a mobile app posts with it alone. A kiosk or counter app gets the
token by opening the survey (``POST /skm/invitations``) with an account allowed to record work at the event's
unit; no account can submit answers without a token, so no integration key can stuff the survey.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router
from ninja.responses import Status

from balai.org.roles import Action
from balai.publicservices.models import ServiceEvent
from balai.skm import selectors, services
from balai.skm.schemas import (
    InvitationIn,
    InvitationOut,
    ResponseIn,
    ResponseOut,
    ResultOut,
    SkmErrorOut,
)

router = Router(tags=["skm"])

_LINK_STATUS = {
    services.SurveyLinkInvalid.UNKNOWN: 404,
    services.SurveyLinkInvalid.EXPIRED: 410,
    services.SurveyLinkInvalid.USED: 409,
}


def _link_message(reason: str) -> str:
    if reason == services.SurveyLinkInvalid.EXPIRED:
        return _("This survey link has expired.")
    if reason == services.SurveyLinkInvalid.USED:
        return _("This service has already been rated: a service is rated once.")
    return _("This survey link is not valid.")


@router.post(
    "/skm/responses",
    auth=None,
    response={201: ResponseOut, 400: SkmErrorOut, 404: SkmErrorOut, 409: SkmErrorOut, 410: SkmErrorOut},
    summary="Submit an SKM response for a service event (token of the survey link, no login)",
    description=(
        "Answers 1–4 for the nine elements of Permenpan-RB 14/2017 (at least one), and an optional profile. "
        "One response per service event: a second submission answers 409, an expired link 410, an unknown or "
        "altered token 404. A rejected submission stores nothing."
    ),
)
def response_post(request: HttpRequest, payload: ResponseIn) -> Any:
    try:
        response = services.response_submit(
            token=payload.token,
            answers=payload.answers.dict(),
            profile=payload.profile.dict(),
        )
    except services.SurveyLinkInvalid as exc:
        return Status(_LINK_STATUS[exc.reason], {"message": _link_message(exc.reason), "reason": exc.reason})
    except ValidationError as exc:
        return Status(
            400, {"message": _("The answers were not accepted."), "reason": "invalid", "errors": exc.message_dict}
        )
    return Status(201, {"received": True, "served_on": response.served_on})


@router.post(
    "/skm/invitations",
    response={201: InvitationOut, 409: SkmErrorOut},
    summary="Open the survey of a service event and get its one-time link",
    description=(
        "For counter apps and kiosks: the caller needs the right to record work at the event's unit (404 "
        "otherwise). The token is returned once; asking again replaces it. 409 when the service was already rated."
    ),
)
def invitation_post(request: HttpRequest, payload: InvitationIn) -> Any:
    from balai.skm.views_staff import survey_url

    event = ServiceEvent.objects.select_related("unit").get_visible(request.user, Action.EDIT, pk=payload.event)
    try:
        token = services.invitation_create(event=event, actor=request.user)
    except ValidationError as exc:
        return Status(409, {"message": exc.messages[0], "reason": "used"})
    invitation = event.skm_invitation
    invitation.refresh_from_db()
    return Status(201, {"token": token, "url": survey_url(request, token), "expires_at": invitation.expires_at})


@router.get(
    "/skm/results",
    response={200: ResultOut, 400: SkmErrorOut},
    summary="SKM results of a unit (pooled over its subtree) or a service, for a quarter or a year",
    description=(
        "`unit` = org unit code, `service` = service id (at least one), `period` = DHIS2 quarter (2026Q1) or "
        "year (2026), default the current quarter. NRR per element, IKM (1–4 and 25–100), grade, respondents and "
        "the Krejcie–Morgan minimum for the citizens served. Units and services outside the caller's scope: 404."
    ),
)
def results_get(
    request: HttpRequest, unit: str | None = None, service: int | None = None, period: str | None = None
) -> Any:
    try:
        selection = selectors.select(request.user, unit_code=unit, service_id=service, period_id=period)
    except selectors.BadFilter as exc:
        return Status(400, {"message": str(exc), "reason": "invalid"})
    result = selectors.result(selection, with_profile=False)
    grade = result.grade
    return {
        "unit": selection.unit.code if selection.unit else None,
        "unit_name": selection.unit.name if selection.unit else None,
        "service": selection.service.pk if selection.service else None,
        "service_name": selection.service.name if selection.service else None,
        "period": selection.period.id,
        "respondents": result.respondents,
        "population": result.population or 0,
        "minimum_sample": result.minimum_sample or 0,
        "sample_met": bool(result.sample_met),
        "elements": [
            {
                "code": s.element.code,
                "name": s.element.name,
                "answered": s.answered,
                "total": s.total,
                "nrr": float(s.nrr) if s.nrr is not None else None,
            }
            for s in result.elements
        ],
        "index": float(result.index) if result.index is not None else None,
        "ikm": float(result.ikm) if result.ikm is not None else None,
        "grade": grade.value if grade is not None else None,
        "grade_label": str(grade.label) if grade is not None else None,
        "missing_elements": [e.code for e in result.missing_elements] if result.respondents else [],
    }
