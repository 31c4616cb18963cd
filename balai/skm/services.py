"""The write path of the SKM: invite a served citizen, take their answers.

``invitation_create`` is called where a citizen has just been served (the counter, the walk-in logbook, an
online application completed, or a kiosk through the API): it returns the survey link's token once; only its
SHA-256 is stored. ``response_submit`` checks the answers and the token and stores one anonymous response per
service event, or raises and stores nothing.

Responses are not audited: the audit log records the client's address and time, which would tie an anonymous
answer to a person. The invitation (audited when created) records *that* it was used, not what was answered.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from balai.core.audit import audit_record
from balai.publicservices.models import ServiceEvent
from balai.skm.choices import PROFILE_FIELDS
from balai.skm.models import SkmResponse, SurveyInvitation
from balai.skm.questions import CODES

TOKEN_BYTES = 32  # 43 URL-safe characters: not guessable, short enough for a QR code at a counter


class SurveyLinkInvalid(Exception):
    """The survey link cannot be used. ``reason`` is "unknown" (forged or mistyped), "expired" or "used"."""

    UNKNOWN = "unknown"
    EXPIRED = "expired"
    USED = "used"

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()


def link_lifetime() -> dt.timedelta:
    return dt.timedelta(hours=int(getattr(settings, "BALAI_SKM_LINK_HOURS", 72)))


def invitation_create(*, event: ServiceEvent, actor: Any = None) -> str:
    """Open the survey of one service event and return its token (shown once: only its hash is kept).

    Called again for the same event (the citizen lost the link, the kiosk restarted), it replaces the token:
    the older link stops working, so one event never has two live links. An event already rated gets no new
    link.
    """
    now = timezone.now()
    raw = secrets.token_urlsafe(TOKEN_BYTES)
    with transaction.atomic():
        # Serialises two invitations for the same event (two clicks): the later one wins, both are audited.
        locked = ServiceEvent.objects.select_for_update().select_related("unit").get(pk=event.pk)
        if SkmResponse.objects.filter(event_id=locked.pk).exists():
            raise ValidationError(_("This service has already been rated: a service is rated once."))
        invitation, created = SurveyInvitation.objects.update_or_create(
            event=locked,
            defaults={
                "token_hash": token_hash(raw),
                "created_at": now,
                "expires_at": now + link_lifetime(),
                "used_at": None,
            },
        )
        audit_record(
            actor=actor,
            action="skm.invitation_create" if created else "skm.invitation_renew",
            obj=invitation,
            org_unit=locked.unit,
            changes={"event": locked.pk, "expires_at": invitation.expires_at.isoformat()},
        )
    return raw


def citizen_survey_state(event: ServiceEvent | None, now: dt.datetime | None = None) -> str:
    """What a served citizen's own page offers: "open" (a button to rate), "rated", "closed" (too late) or ""."""
    if event is None:
        return ""
    if SkmResponse.objects.filter(event_id=event.pk).exists():
        return "rated"
    if event.occurred_at + link_lifetime() <= (now or timezone.now()):
        return "closed"
    return "open"


def citizen_invitation_create(*, event: ServiceEvent) -> str:
    """A survey link asked for by the citizen from their own ticket or application page.

    Owning the page (the ticket's secret URL, the signed-in applicant) is what authorises it, so the window
    is the same as a link a clerk hands over at the counter: open for BALAI_SKM_LINK_HOURS after the service.
    """
    state = citizen_survey_state(event)
    if state == "rated":
        raise ValidationError(_("This service has already been rated: a service is rated once."))
    if state == "closed":
        raise ValidationError(_("The time to rate this service has passed."))
    return invitation_create(event=event)


def invitation_check(token: str) -> SurveyInvitation:
    """The invitation of a live link (for showing the form), or :class:`SurveyLinkInvalid`."""
    invitation = (
        SurveyInvitation.objects.select_related("event__service", "event__unit")
        .filter(token_hash=token_hash(token or ""))
        .first()
    )
    _ensure_live(invitation, timezone.now())
    assert invitation is not None
    return invitation


def _ensure_live(invitation: SurveyInvitation | None, now: dt.datetime) -> None:
    if invitation is None:
        raise SurveyLinkInvalid(SurveyLinkInvalid.UNKNOWN)
    if invitation.used_at is not None:
        raise SurveyLinkInvalid(SurveyLinkInvalid.USED)
    if invitation.expires_at <= now:
        raise SurveyLinkInvalid(SurveyLinkInvalid.EXPIRED)


def clean_answers(answers: Mapping[str, Any]) -> dict[str, int | None]:
    """Answers u1..u9 as 1–4 or None (skipped); ValidationError naming each bad field, and when none is given."""
    errors: dict[str, str] = {}
    unknown = sorted(set(answers) - set(CODES))
    if unknown:
        errors["answers"] = _("Unknown survey elements: %(names)s (expected u1 to u9).") % {
            "names": ", ".join(str(k) for k in unknown)
        }
    out: dict[str, int | None] = {}
    for code in CODES:
        value = answers.get(code)
        if value is None or value == "":
            out[code] = None
            continue
        number: int | None = None
        if isinstance(value, int) and not isinstance(value, bool):
            number = value
        elif isinstance(value, str) and value.strip().isdigit():
            number = int(value.strip())
        if number is None or not 1 <= number <= 4:
            errors[code] = _("%(element)s: the answer must be 1, 2, 3 or 4.") % {"element": code.upper()}
            continue
        out[code] = number
    if not errors and all(v is None for v in out.values()):
        errors["answers"] = _("Answer at least one of the nine questions.")
    if errors:
        raise ValidationError(errors)
    return out


def clean_profile(profile: Mapping[str, Any]) -> dict[str, str]:
    """The respondent profile (every question optional); ValidationError for a value not on the form."""
    errors: dict[str, str] = {}
    unknown = sorted(set(profile) - set(PROFILE_FIELDS))
    if unknown:
        errors["profile"] = _("Unknown profile questions: %(names)s.") % {"names": ", ".join(str(k) for k in unknown)}
    out: dict[str, str] = {}
    for name, choices in PROFILE_FIELDS.items():
        value = profile.get(name)
        value = "" if value is None else str(value).strip()
        if value and value not in choices.values:
            errors[name] = _("Choose one of the listed answers.")
            continue
        out[name] = value
    if errors:
        raise ValidationError(errors)
    return out


def response_submit(*, token: str, answers: Mapping[str, Any], profile: Mapping[str, Any] | None = None) -> SkmResponse:
    """Store one citizen's answers for the service event of ``token``.

    Bad answers raise ValidationError and a dead link raises :class:`SurveyLinkInvalid`; in both cases nothing is
    stored. Two submissions with the same token (a double tap, a retry) give one response: the invitation row is
    locked, and the one-response-per-event constraint catches what a lock cannot (SQLite has no row locks).
    """
    clean = clean_answers(answers)
    person = clean_profile(profile or {})
    now = timezone.now()
    with transaction.atomic():
        invitation = (
            SurveyInvitation.objects.select_for_update()
            .select_related("event")
            .filter(token_hash=token_hash(token or ""))
            .first()
        )
        _ensure_live(invitation, now)
        assert invitation is not None
        event = invitation.event
        from balai.org.selectors import pemda_zone

        response = SkmResponse(
            event=event,
            unit_id=event.unit_id,
            service_id=event.service_id,
            served_on=event.occurred_at.astimezone(pemda_zone()).date(),
            submitted_at=now,
            **clean,
            **person,
        )
        try:
            with transaction.atomic():
                response.save()
        except IntegrityError as exc:
            raise SurveyLinkInvalid(SurveyLinkInvalid.USED) from exc
        SurveyInvitation.objects.filter(pk=invitation.pk).update(used_at=now)
        _mark_quarter_dirty(response.served_on)
    return response


def _mark_quarter_dirty(served_on: dt.date) -> None:
    """The SKM Facts of the answer's quarter are rebuilt by the worker within a minute, not at night."""
    from balai.core.periods import Period, PeriodType
    from balai.indicators.models import Indicator
    from balai.indicators.services import periods_mark_dirty
    from balai.skm.indicators import SOURCE

    quarter = Period.containing(served_on, PeriodType.QUARTER).id
    ids = Indicator.objects.filter(source=SOURCE, is_active=True).values_list("id", flat=True)
    periods_mark_dirty(pairs={(i, quarter) for i in ids})
