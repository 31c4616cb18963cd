"""The write path: service events, the catalogue (services, counters), their rules, permissions and audit."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from balai.core.models import AuditEvent
from balai.core.testing import Story
from balai.indicators.models import DirtyPeriod, Indicator
from balai.org import services as org
from balai.org.models import OrgUnit
from balai.org.roles import Role
from balai.publicservices import services
from balai.publicservices.choices import EventKind
from balai.publicservices.models import Counter, Service, ServiceEvent
from balai.publicservices.tests.conftest import make_service

pytestmark = pytest.mark.django_db


def _errors(exc: pytest.ExceptionInfo[ValidationError]) -> dict[str, list[str]]:
    return exc.value.message_dict


# ---------------------------------------------------------------------------------------- events
def test_event_at_the_services_own_office(story: Story) -> None:
    service = make_service(story.mentaos, "domisili")
    at = timezone.now() - dt.timedelta(minutes=5)
    event = services.service_event_record(
        kind=EventKind.WALK_IN,
        service=service,
        unit=story.mentaos,
        occurred_at=at,
        clerk=story.mentaos_clerk,
        wait_seconds=0,
        service_seconds=420,
        note="  minta surat domisili  ",
    )
    event.refresh_from_db()
    assert (event.kind, event.unit_id, event.service_id, event.clerk_id) == (
        "walk_in",
        story.mentaos.pk,
        service.pk,
        story.mentaos_clerk.pk,
    )
    assert (event.wait_seconds, event.service_seconds, event.note, event.occurred_at) == (
        0,
        420,
        "minta surat domisili",
        at,
    )
    audit = AuditEvent.objects.get(action="serviceevent.record")
    assert (audit.actor_id, audit.org_unit_id, audit.object_id) == (
        story.mentaos_clerk.pk,
        story.mentaos.pk,
        str(event.pk),
    )
    assert audit.changes == {"kind": "walk_in", "service": service.pk}


def test_event_at_another_office_needs_a_counter_serving_it(story: Story, mpp: OrgUnit) -> None:
    service = make_service(story.mentaos, "domisili")
    with pytest.raises(ValidationError) as exc:
        services.service_event_record(
            kind=EventKind.QUEUE, service=service, unit=story.komet, occurred_at=timezone.now()
        )
    assert list(_errors(exc)) == ["unit"]
    counter = services.counter_create(actor=None, unit=mpp, name="Loket 1", services=[service])
    event = services.service_event_record(
        kind=EventKind.QUEUE, service=service, unit=mpp, occurred_at=timezone.now(), counter=counter
    )
    assert (event.unit_id, event.counter_id) == (mpp.pk, counter.pk)
    # Without naming the counter, the MPP still serves it through one of its counters.
    assert (
        services.service_event_record(
            kind=EventKind.WALK_IN, service=service, unit=mpp, occurred_at=timezone.now()
        ).unit_id
        == mpp.pk
    )
    assert ServiceEvent.objects.count() == 2


def test_event_counter_must_be_of_the_unit(story: Story) -> None:
    domisili = make_service(story.mentaos, "domisili")
    sktm = make_service(story.mentaos, "sktm")
    komet_loket = services.counter_create(actor=None, unit=story.komet, name="Loket 1")
    with pytest.raises(ValidationError) as exc:
        services.service_event_record(
            kind=EventKind.QUEUE, service=domisili, unit=story.mentaos, occurred_at=timezone.now(), counter=komet_loket
        )
    assert _errors(exc) == {"counter": ["Counter Loket 1 belongs to another office."]}
    assert ServiceEvent.objects.count() == 0
    # A clerk at Loket 1 may log a walk-in for another service of the office than those the counter lists.
    loket = services.counter_create(actor=None, unit=story.mentaos, name="Loket 1", services=[domisili])
    event = services.service_event_record(
        kind=EventKind.WALK_IN, service=sktm, unit=story.mentaos, occurred_at=timezone.now(), counter=loket
    )
    assert (event.counter_id, event.service_id) == (loket.pk, sktm.pk)


@pytest.mark.parametrize(
    ("field", "kwargs"),
    [
        ("kind", {"kind": "phone"}),
        ("wait_seconds", {"wait_seconds": -1}),
        ("service_seconds", {"service_seconds": -5}),
        ("service_seconds", {"service_seconds": 1.5}),
        ("occurred_at", {"occurred_at": "future"}),
        ("occurred_at", {"occurred_at": "naive"}),
        ("note", {"note": "x" * 256}),
        ("note", {"note": "NIK 6372041234560001 minta SKTM"}),
    ],
)
def test_event_bad_input_is_refused_and_nothing_recorded(story: Story, field: str, kwargs: dict) -> None:
    service = make_service(story.mentaos, "domisili")
    args: dict[str, Any] = {
        "kind": EventKind.WALK_IN,
        "service": service,
        "unit": story.mentaos,
        "occurred_at": timezone.now(),
    }
    if kwargs.get("occurred_at") == "future":
        kwargs = {"occurred_at": timezone.now() + dt.timedelta(minutes=10)}
    elif kwargs.get("occurred_at") == "naive":
        kwargs = {"occurred_at": dt.datetime(2026, 1, 5, 9, 0)}
    args.update(kwargs)
    with pytest.raises(ValidationError) as exc:
        services.service_event_record(**args)
    assert field in _errors(exc)
    assert ServiceEvent.objects.count() == 0
    assert not AuditEvent.objects.filter(action="serviceevent.record").exists()


def test_event_marks_its_local_day_dirty_for_event_indicators(story: Story) -> None:
    visits = Indicator.objects.create(
        code="queues.test_visits", name_id="Kunjungan", source="queues", period_type="day"
    )
    other = Indicator.objects.create(code="complaints.test", name_id="Aduan", source="complaints", period_type="day")
    service = make_service(story.mentaos, "domisili")
    # 23:30 UTC on 4 January is 07:30 on 5 January in Banjarbaru (WITA, UTC+8).
    at = dt.datetime(2026, 1, 4, 23, 30, tzinfo=dt.UTC)
    services.service_event_record(kind=EventKind.WALK_IN, service=service, unit=story.mentaos, occurred_at=at)
    dirty = set(DirtyPeriod.objects.values_list("indicator_id", "period"))
    assert {p for i, p in dirty} == {"20260105"}
    assert (visits.pk, "20260105") in dirty
    assert not any(i == other.pk for i, _p in dirty)


# ------------------------------------------------------------------------------------- catalogue
def test_kelurahan_operator_creates_a_service_of_their_office(story: Story) -> None:
    service = services.service_create(
        actor=story.mentaos_clerk,
        unit=story.mentaos,
        code="SK-Domisili",
        name_id=" Surat Keterangan Domisili ",
        requirements="Fotokopi KTP\n\n  Surat pengantar RT/RW  \n",
        procedure="Datang ke kantor kelurahan\nSurat ditandatangani lurah",
        time_limit_days="1",
        cost="0",
    )
    service.refresh_from_db()
    assert (service.code, service.name_id, service.requirements, service.time_limit_days, service.cost) == (
        "sk-domisili",
        "Surat Keterangan Domisili",
        "Fotokopi KTP\nSurat pengantar RT/RW",
        1,
        Decimal(0),
    )
    assert service.is_active and service.is_free
    audit = AuditEvent.objects.get(action="service.create")
    assert (audit.actor_id, audit.org_unit_id) == (story.mentaos_clerk.pk, story.mentaos.pk)
    assert audit.changes["code"] == {"before": None, "after": "sk-domisili"}


def test_other_kelurahan_may_not_manage_the_service(story: Story) -> None:
    with pytest.raises(PermissionDenied):
        services.service_create(
            actor=story.komet_clerk, unit=story.mentaos, code="x", name_id="X", requirements="a", procedure="b"
        )
    service = make_service(story.mentaos, "domisili")
    with pytest.raises(PermissionDenied):
        services.service_update(actor=story.komet_clerk, service=service, name_id="Diubah")
    with pytest.raises(PermissionDenied):
        services.service_deactivate(actor=story.komet_clerk, service=service)
    with pytest.raises(PermissionDenied):  # the head of region reads, does not edit
        services.service_update(actor=story.head, service=service, name_id="Diubah")
    service.refresh_from_db()
    assert (service.name_id, service.is_active) == ("Surat domisili", True)
    # The camat manages the kelurahan of the kecamatan; the Pemda admin everything.
    services.service_update(actor=story.camat, service=service, name_id="Oleh camat")
    services.service_update(actor=story.admin, service=service, name_id="Oleh admin")
    assert Service.objects.get(pk=service.pk).name_id == "Oleh admin"


@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        ({"code": ""}, "code", "Give the service a short code (letters, digits and dashes)."),
        (
            {"code": "sk domisili"},
            "code",
            "The code may hold only letters, digits and dashes (at most 60), e.g. sk-domisili.",
        ),
        ({"name_id": "  "}, "name_id", "Give the name of the service in Indonesian."),
        ({"time_limit_days": 0}, "time_limit_days", "The time limit must be between 1 and 365 working days."),
        ({"time_limit_days": 366}, "time_limit_days", "The time limit must be between 1 and 365 working days."),
        ({"time_limit_days": "dua"}, "time_limit_days", "The time limit must be between 1 and 365 working days."),
        ({"cost": -1000}, "cost", "The cost cannot be negative (0 when free)."),
        ({"cost": "1500.50"}, "cost", "The cost must be a whole number of rupiah (0 when free)."),
        (
            {"requirements": " \n "},
            "requirements",
            "An active service needs its requirements (persyaratan), one per line.",
        ),
        ({"procedure": ""}, "procedure", "An active service needs its procedure (prosedur), one step per line."),
    ],
)
def test_service_bad_input_gets_a_clear_message_and_nothing_saved(
    story: Story, values: dict, field: str, message: str
) -> None:
    args = {"code": "sk-domisili", "name_id": "Domisili", "requirements": "KTP", "procedure": "Datang", **values}
    with pytest.raises(ValidationError) as exc:
        services.service_create(actor=story.mentaos_clerk, unit=story.mentaos, **args)
    assert _errors(exc)[field] == [message]
    assert Service.objects.count() == 0
    assert not AuditEvent.objects.filter(action="service.create").exists()


def test_an_inactive_draft_may_lack_requirements_but_cannot_be_published(story: Story) -> None:
    draft = services.service_create(
        actor=story.mentaos_clerk, unit=story.mentaos, code="draft", name_id="Draf", is_active=False
    )
    with pytest.raises(ValidationError) as exc:
        services.service_update(actor=story.mentaos_clerk, service=draft, is_active=True)
    assert set(_errors(exc)) == {"requirements", "procedure"}
    assert Service.objects.get(pk=draft.pk).is_active is False


def test_code_is_unique_per_unit_only(story: Story) -> None:
    make_service(story.mentaos, "domisili")
    with pytest.raises(ValidationError) as exc:
        make_service(story.mentaos, "domisili")
    assert _errors(exc)["code"] == ["Kelurahan Mentaos already has a service with the code domisili."]
    assert make_service(story.komet, "domisili").unit_id == story.komet.pk
    other = make_service(story.mentaos, "sktm")
    with pytest.raises(ValidationError):
        services.service_update(actor=None, service=other, code="domisili")


def test_update_records_only_the_changes_and_deactivate_is_audited(story: Story) -> None:
    service = make_service(story.mentaos, "domisili")
    services.service_update(actor=story.mentaos_clerk, service=service, cost=10000, time_limit_days=3)
    audit = AuditEvent.objects.get(action="service.update")
    assert audit.changes == {
        "time_limit_days": {"before": 1, "after": 3},
        "cost": {"before": "0", "after": "10000"},
    }
    services.service_update(actor=story.mentaos_clerk, service=service, cost=10000)  # no change: no event
    assert AuditEvent.objects.filter(action="service.update").count() == 1
    services.service_deactivate(actor=story.mentaos_clerk, service=service)
    services.service_deactivate(actor=story.mentaos_clerk, service=service)
    assert service.is_active is False
    assert AuditEvent.objects.filter(action="service.deactivate").count() == 1


def test_services_only_at_offices(story: Story) -> None:
    rw = org.orgunit_create(actor=None, parent=story.mentaos, name="RW 01", kind="rw", code="63.72.04.1002.RW01")
    with pytest.raises(ValidationError) as exc:
        make_service(rw, "x")
    assert list(_errors(exc)) == ["unit"]


def test_unknown_fields_are_a_programming_error(story: Story) -> None:
    with pytest.raises(TypeError):
        services.service_create(actor=None, unit=story.mentaos, code="x", name_id="X", colour="red")


# -------------------------------------------------------------------------------------- counters
def test_counter_serves_only_its_own_offices_services(story: Story) -> None:
    mentaos_svc = make_service(story.mentaos, "domisili")
    komet_svc = make_service(story.komet, "domisili")
    with pytest.raises(ValidationError) as exc:
        services.counter_create(
            actor=story.mentaos_clerk, unit=story.mentaos, name="Loket 1", services=[mentaos_svc, komet_svc]
        )
    assert _errors(exc) == {"services": ["A counter serves only the services of its own office (not: Surat domisili)."]}
    assert Counter.objects.count() == 0
    counter = services.counter_create(
        actor=story.mentaos_clerk, unit=story.mentaos, name=" Loket 1 ", services=[mentaos_svc]
    )
    assert (counter.name, list(counter.services.all())) == ("Loket 1", [mentaos_svc])
    audit = AuditEvent.objects.get(action="counter.create")
    assert audit.changes["services"] == {"before": [], "after": [mentaos_svc.pk]}


def test_mpp_counter_serves_services_of_other_offices(story: Story, mpp: OrgUnit) -> None:
    ktp = make_service(story.dinkes, "surat-sehat")
    domisili = make_service(story.mentaos, "domisili")
    counter = services.counter_create(actor=None, unit=mpp, name="Loket Dinkes", services=[ktp, domisili])
    assert set(counter.services.all()) == {ktp, domisili}


def test_mpp_is_marked_by_setting(story: Story, settings) -> None:
    settings.BALAI_MPP_UNIT_CODES = "MPP-BJB, OTHER"
    assert services.mpp_codes() == frozenset({"MPP-BJB", "OTHER"})
    assert not services.is_mpp(story.mentaos)


def test_counter_names_unique_per_office_and_inactive_services_refused(story: Story) -> None:
    services.counter_create(actor=None, unit=story.mentaos, name="Loket 1")
    with pytest.raises(ValidationError) as exc:
        services.counter_create(actor=None, unit=story.mentaos, name="loket 1")
    assert _errors(exc) == {"name": ["Kelurahan Mentaos already has a counter named loket 1."]}
    old = make_service(story.mentaos, "lama")
    services.service_deactivate(actor=None, service=old)
    with pytest.raises(ValidationError) as exc:
        services.counter_create(actor=None, unit=story.mentaos, name="Loket 2", services=[old])
    assert _errors(exc) == {"services": ["These services are no longer active: Surat lama."]}
    with pytest.raises(ValidationError) as exc:
        services.counter_create(actor=None, unit=story.mentaos, name="  ")
    assert _errors(exc) == {"name": ["Give the counter a name, e.g. Loket 1."]}


def test_counter_update_changes_only_what_is_passed(story: Story) -> None:
    a = make_service(story.mentaos, "a")
    b = make_service(story.mentaos, "b")
    counter = services.counter_create(actor=None, unit=story.mentaos, name="Loket 1", services=[a])
    services.counter_update(actor=story.mentaos_clerk, counter=counter, services=[a, b])
    services.counter_update(actor=story.mentaos_clerk, counter=counter, is_active=False)
    counter.refresh_from_db()
    assert (counter.name, counter.is_active, set(counter.services.all())) == ("Loket 1", False, {a, b})
    changes = [e.changes for e in AuditEvent.objects.filter(action="counter.update").order_by("id")]
    assert changes == [
        {"services": {"before": [a.pk], "after": sorted([a.pk, b.pk])}},
        {"is_active": {"before": True, "after": False}},
    ]
    with pytest.raises(PermissionDenied):
        services.counter_update(actor=story.komet_clerk, counter=counter, name="Diambil")


def test_skpd_operator_manages_own_agency_only(story: Story) -> None:
    services.service_create(
        actor=story.skpd_operator, unit=story.diskominfo, code="a", name_id="A", requirements="x", procedure="y"
    )
    with pytest.raises(PermissionDenied):
        services.service_create(
            actor=story.skpd_operator, unit=story.dinkes, code="a", name_id="A", requirements="x", procedure="y"
        )
    head = org.user_create(actor=None, username="kadis", full_name="Kadis", password="x-Long-Pass-2026")
    org.role_assign(actor=None, user=head, role=Role.SKPD_HEAD, org_unit=story.dinkes)
    assert services.counter_create(actor=head, unit=story.dinkes, name="Loket 1").unit_id == story.dinkes.pk
