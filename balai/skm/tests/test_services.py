"""The SKM write path: one anonymous response per service event, bad input changes nothing."""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from balai.core.models import AuditEvent
from balai.skm import services
from balai.skm.models import SkmResponse, SurveyInvitation
from balai.skm.tests.conftest import ALL_FOUR, serve

pytestmark = pytest.mark.django_db


def test_invitation_stores_only_the_hash(mentaos_service: Any) -> None:
    event = serve(mentaos_service)
    token = services.invitation_create(event=event)
    invitation = SurveyInvitation.objects.get(event=event)
    assert len(token) >= 40
    assert invitation.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in str(SurveyInvitation.objects.filter(pk=invitation.pk).values().first())
    hours = (invitation.expires_at - invitation.created_at).total_seconds() / 3600
    assert hours == 72
    audit = AuditEvent.objects.get(action="skm.invitation_create")
    assert audit.object_id == str(invitation.pk)
    assert token not in str(audit.changes)


def test_link_lifetime_follows_the_setting(settings: Any, mentaos_service: Any) -> None:
    settings.BALAI_SKM_LINK_HOURS = 2
    event = serve(mentaos_service)
    services.invitation_create(event=event)
    invitation = SurveyInvitation.objects.get(event=event)
    assert invitation.expires_at - invitation.created_at == dt.timedelta(hours=2)


def test_submit_stores_one_anonymous_response(story: Any, mentaos_service: Any) -> None:
    event = serve(mentaos_service)
    token = services.invitation_create(event=event)
    audits = AuditEvent.objects.count()
    response = services.response_submit(
        token=token,
        answers={**ALL_FOUR, "u4": "3", "u9": None},
        profile={"sex": "P", "age_band": "30_39", "education": "d4_s1", "occupation": "wirausaha"},
    )
    response.refresh_from_db()
    assert response.event_id == event.pk
    assert response.unit_id == story.mentaos.pk
    assert response.service_id == mentaos_service.pk
    assert response.u4 == 3 and response.u9 is None and response.u1 == 4
    assert (response.sex, response.age_band, response.education, response.occupation) == (
        "P",
        "30_39",
        "d4_s1",
        "wirausaha",
    )
    assert SurveyInvitation.objects.get(event=event).used_at is not None
    assert AuditEvent.objects.count() == audits  # answers are anonymous: no audit row with an address


@pytest.mark.parametrize(
    "answers",
    [
        {**ALL_FOUR, "u1": 5},
        {**ALL_FOUR, "u2": 0},
        {**ALL_FOUR, "u3": -1},
        {**ALL_FOUR, "u4": "x"},
        {**ALL_FOUR, "u5": 2.5},
        {**ALL_FOUR, "u6": True},
        {**ALL_FOUR, "u10": 4},
        {},
        {f"u{i}": None for i in range(1, 10)},
    ],
)
def test_bad_answers_are_rejected_and_nothing_stored(mentaos_service: Any, answers: dict[str, Any]) -> None:
    event = serve(mentaos_service)
    token = services.invitation_create(event=event)
    with pytest.raises(ValidationError):
        services.response_submit(token=token, answers=answers)
    assert SkmResponse.objects.count() == 0
    assert SurveyInvitation.objects.get(event=event).used_at is None


def test_bad_answer_names_the_element(mentaos_service: Any) -> None:
    token = services.invitation_create(event=serve(mentaos_service))
    with pytest.raises(ValidationError) as exc:
        services.response_submit(token=token, answers={**ALL_FOUR, "u7": 9})
    assert exc.value.message_dict == {"u7": ["U7: the answer must be 1, 2, 3 or 4."]}


def test_bad_profile_is_rejected(mentaos_service: Any) -> None:
    token = services.invitation_create(event=serve(mentaos_service))
    with pytest.raises(ValidationError) as exc:
        services.response_submit(token=token, answers=ALL_FOUR, profile={"sex": "X", "nik": "6372"})
    assert set(exc.value.message_dict) == {"sex", "profile"}
    assert SkmResponse.objects.count() == 0


def test_second_survey_for_the_same_event_is_rejected(mentaos_service: Any) -> None:
    event = serve(mentaos_service)
    token = services.invitation_create(event=event)
    services.response_submit(token=token, answers=ALL_FOUR)
    with pytest.raises(services.SurveyLinkInvalid) as exc:
        services.response_submit(token=token, answers=ALL_FOUR)
    assert exc.value.reason == "used"
    with pytest.raises(ValidationError):
        services.invitation_create(event=event)  # no new link for a rated service
    assert SkmResponse.objects.count() == 1


def test_database_refuses_a_second_response_for_an_event(mentaos_service: Any) -> None:
    event = serve(mentaos_service)
    token = services.invitation_create(event=event)
    first = services.response_submit(token=token, answers=ALL_FOUR)
    with pytest.raises(IntegrityError), transaction.atomic():
        SkmResponse.objects.create(
            event=event,
            unit=first.unit,
            service=first.service,
            served_on=first.served_on,
            u1=1,
            submitted_at=first.submitted_at,
        )


@pytest.mark.parametrize("column", ["u1", "u9"])
def test_database_refuses_answers_outside_1_to_4(mentaos_service: Any, column: str) -> None:
    event = serve(mentaos_service)
    with pytest.raises(IntegrityError), transaction.atomic():
        SkmResponse.objects.create(
            event=event,
            unit=event.unit,
            service=event.service,
            served_on=timezone.localdate(),
            submitted_at=timezone.now(),
            **{column: 5},
        )


def test_database_refuses_a_response_with_no_answer(mentaos_service: Any) -> None:
    event = serve(mentaos_service)
    with pytest.raises(IntegrityError), transaction.atomic():
        SkmResponse.objects.create(
            event=event,
            unit=event.unit,
            service=event.service,
            served_on=timezone.localdate(),
            submitted_at=timezone.now(),
        )


def test_expired_link_is_rejected(mentaos_service: Any) -> None:
    event = serve(mentaos_service)
    token = services.invitation_create(event=event)
    SurveyInvitation.objects.filter(event=event).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    with pytest.raises(services.SurveyLinkInvalid) as exc:
        services.response_submit(token=token, answers=ALL_FOUR)
    assert exc.value.reason == "expired"
    assert SkmResponse.objects.count() == 0


@pytest.mark.parametrize("forged", ["", "x", "A" * 43, "balai_" + "0" * 40])
def test_forged_token_is_rejected(mentaos_service: Any, forged: str) -> None:
    services.invitation_create(event=serve(mentaos_service))
    with pytest.raises(services.SurveyLinkInvalid) as exc:
        services.response_submit(token=forged, answers=ALL_FOUR)
    assert exc.value.reason == "unknown"
    assert SkmResponse.objects.count() == 0


def test_altered_token_is_rejected(mentaos_service: Any) -> None:
    token = services.invitation_create(event=serve(mentaos_service))
    altered = token[:-1] + ("A" if token[-1] != "A" else "B")
    with pytest.raises(services.SurveyLinkInvalid):
        services.response_submit(token=altered, answers=ALL_FOUR)


def test_renewed_link_replaces_the_old_one(mentaos_service: Any) -> None:
    event = serve(mentaos_service)
    old = services.invitation_create(event=event)
    new = services.invitation_create(event=event)
    assert old != new
    with pytest.raises(services.SurveyLinkInvalid):
        services.response_submit(token=old, answers=ALL_FOUR)
    services.response_submit(token=new, answers=ALL_FOUR)
    assert SurveyInvitation.objects.count() == 1
    assert AuditEvent.objects.filter(action="skm.invitation_renew").count() == 1


def test_served_on_is_the_local_date_of_the_service(story: Any, mentaos_service: Any) -> None:
    # 23:30 UTC on 1 March is 07:30 on 2 March in Banjarbaru (WITA, UTC+8).
    when = dt.datetime(2026, 3, 1, 23, 30, tzinfo=dt.UTC)
    if when > timezone.now():
        pytest.skip("the clock is before March 2026")
    event = serve(mentaos_service, when=when)
    token = services.invitation_create(event=event)
    response = services.response_submit(token=token, answers=ALL_FOUR)
    assert response.served_on == dt.date(2026, 3, 2)
