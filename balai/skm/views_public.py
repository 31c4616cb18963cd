"""The citizen's survey page: nine taps and four optional profile taps on a phone, then a thank-you.

A dead link (forged, altered, expired or already used) gets the same friendly page, which names nothing: no
unit, no service, no date, so a guessed token learns nothing.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from balai.skm import forms, services
from balai.skm.choices import PROFILE_FIELDS
from balai.skm.questions import CODES


def _invalid(request: HttpRequest, exc: services.SurveyLinkInvalid) -> HttpResponse:
    status = 404 if exc.reason == services.SurveyLinkInvalid.UNKNOWN else 410
    return render(request, "skm/invalid.html", status=status)


@never_cache
@require_http_methods(["GET", "POST"])
def survey(request: HttpRequest, token: str) -> HttpResponse:
    try:
        invitation = services.invitation_check(token)
    except services.SurveyLinkInvalid as exc:
        return _invalid(request, exc)
    data = request.POST if request.method == "POST" else {}
    errors: dict[str, list[str]] = {}
    status = 200
    if request.method == "POST":
        answers = {code: request.POST.get(code) for code in CODES}
        profile = {name: request.POST.get(name) for name in PROFILE_FIELDS}
        try:
            services.response_submit(token=token, answers=answers, profile=profile)
        except services.SurveyLinkInvalid as exc:
            return _invalid(request, exc)
        except ValidationError as exc:
            errors = exc.message_dict
            status = 400
        else:
            return redirect("skm:thanks")
    event = invitation.event
    return render(
        request,
        "skm/survey.html",
        {
            "service": event.service,
            "unit": event.unit,
            "questions": forms.survey_questions(data, errors),
            "profile_questions": forms.profile_questions(data, errors),
            "general_errors": errors.get("answers", []) + errors.get("profile", []),
        },
        status=status,
    )


@require_GET
def thanks(request: HttpRequest) -> HttpResponse:
    return render(request, "skm/thanks.html")
