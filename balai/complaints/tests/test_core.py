"""The complaints write path: intake, LAPOR! workflow, deadlines on working days, concurrency, scope."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from balai.complaints import services as svc
from balai.complaints.choices import Channel, Status, UpdateKind
from balai.complaints.models import Category, Complaint, RoutingRule
from balai.core.models import AuditEvent
from balai.core.testing import Story
from balai.org import services as org
from balai.org.models import OrgUnit
from balai.org.roles import Role
from balai.workdays.services import holidays_load_national

pytestmark = pytest.mark.django_db
WITA = zoneinfo.ZoneInfo("Asia/Makassar")


@pytest.fixture
def setup(story: Story) -> dict[str, object]:
    holidays_load_national(actor=None, pemda=story.root, year=2026)
    lights = Category.objects.create(
        code="lampu", name_id="Lampu jalan mati", name_en="Street light out", default_unit=story.dinkes
    )
    dishub = org.orgunit_create(
        actor=None, parent=story.root, name="Dinas Perhubungan", kind="perangkat_daerah", code="DISHUB"
    )
    RoutingRule.objects.create(category=lights, territory=story.kec_utara, unit=dishub)
    desk = org.user_create(actor=None, username="meja_aduan", password="Balai-Test-2026!")
    org.role_assign(actor=None, user=desk, role=Role.SKPD_OPERATOR, org_unit=story.root)
    dishub_op = org.user_create(actor=None, username="op_dishub", password="Balai-Test-2026!")
    org.role_assign(actor=None, user=dishub_op, role=Role.SKPD_OPERATOR, org_unit=dishub)
    return {"lights": lights, "dishub": dishub, "desk": desk, "dishub_op": dishub_op}


def submit(
    story: Story,
    category: Category,
    *,
    reporter_phone: str = "",
    received_at: dt.datetime = dt.datetime(2026, 5, 29, 15, 0, tzinfo=WITA),
) -> Complaint:
    return svc.complaint_submit(
        channel=Channel.WEB,
        category=category,
        description="Lampu jalan mati di Jl. A",
        pemda=story.root,
        territory=story.mentaos,
        reporter_email="warga@example.id",
        reporter_phone=reporter_phone,
        received_at=received_at,
    )


def test_intake_sets_lapor_deadlines_on_working_days(story: Story, setup: dict) -> None:
    c = submit(story, setup["lights"])
    # Friday 29 May 2026 15:00 WITA is the intake day; the weekend and Pancasila day (Monday 1 June) are
    # not working days: 3 working days later is Thursday 4 June, 5 is Monday 8 June, at closing time.
    assert c.first_response_due is not None and c.resolution_due is not None
    assert c.first_response_due.astimezone(WITA) == dt.datetime(2026, 6, 4, 16, 0, tzinfo=WITA)
    assert c.resolution_due.astimezone(WITA) == dt.datetime(2026, 6, 8, 16, 0, tzinfo=WITA)
    assert c.status == Status.RECEIVED and c.tracking_code.startswith("AD26-") and len(c.tracking_code) == 11
    assert list(c.updates.values_list("kind", "status_to")) == [(UpdateKind.STATUS, Status.RECEIVED)]
    assert list(c.followers.values_list("address", flat=True)) == ["warga@example.id"]
    assert AuditEvent.objects.filter(action="complaint.submit", object_id=str(c.pk)).count() == 1


@pytest.mark.parametrize(
    ("field", "kwargs"),
    [
        ("description", {"description": "x" * 4001}),
        ("description", {"description": "   "}),
        ("location", {"latitude": -3.4}),
        ("location", {"latitude": 95.0, "longitude": 114.8}),
    ],
)
def test_bad_intake_is_refused_and_stores_nothing(story: Story, setup: dict, field: str, kwargs: dict) -> None:
    args = {"channel": Channel.WEB, "category": setup["lights"], "description": "ok", "pemda": story.root}
    args.update(kwargs)
    with pytest.raises(ValidationError) as exc:
        svc.complaint_submit(**args)
    assert field in exc.value.message_dict
    assert not Complaint.objects.exists()


def test_a_place_of_another_pemda_is_refused(story: Story, setup: dict) -> None:
    other = org.pemda_init(actor=None, wilayah_code="63.71").root
    kel = OrgUnit.objects.filter(path__startswith=other.path, kind="kelurahan").first()
    with pytest.raises(ValidationError):
        svc.complaint_submit(
            channel=Channel.WEB, category=setup["lights"], description="x", pemda=story.root, territory=kel
        )


def test_routing_suggests_the_unit_of_the_kecamatan_rule(story: Story, setup: dict) -> None:
    assert svc.suggested_unit(category=setup["lights"], territory=story.mentaos) == setup["dishub"]
    other_kel = OrgUnit.objects.get(code="63.72.05.1001")
    assert svc.suggested_unit(category=setup["lights"], territory=other_kel) == story.dinkes


def test_desk_verifies_and_the_unit_sees_it_then_resolves(story: Story, setup: dict) -> None:
    c = submit(story, setup["lights"])
    desk, op = setup["desk"], setup["dishub_op"]
    assert not Complaint.objects.visible_to(op).exists()  # not disposed yet
    c = svc.complaint_verify(
        actor=desk,
        complaint=c,
        version=c.version,
        title="Lampu mati",
        classification="pengaduan",
        category=setup["lights"],
        unit=setup["dishub"],
        tags=["lampu", " "],
    )
    assert (c.status, c.unit, c.tags, c.version) == (Status.VERIFIED, setup["dishub"], ["lampu"], 2)
    assert c.verified_at is not None and c.first_response_at is not None
    assert list(Complaint.objects.visible_to(op).values_list("pk", flat=True)) == [c.pk]
    update = svc.complaint_respond(
        actor=op, complaint=c, version=c.version, text="Sudah diganti.", status=Status.RESOLVED
    )
    c.refresh_from_db()
    assert (c.status, update.status_from, update.status_to) == (Status.RESOLVED, Status.VERIFIED, Status.RESOLVED)
    assert c.resolved_at is not None


def test_only_the_desk_verifies(story: Story, setup: dict) -> None:
    c = submit(story, setup["lights"])
    with pytest.raises(PermissionDenied):
        svc.complaint_verify(
            actor=story.mentaos_clerk,
            complaint=c,
            version=c.version,
            title="t",
            classification="pengaduan",
            category=setup["lights"],
            unit=setup["dishub"],
        )


def test_other_units_cannot_act(story: Story, setup: dict) -> None:
    c = submit(story, setup["lights"])
    with pytest.raises(PermissionDenied):
        svc.complaint_respond(actor=story.komet_clerk, complaint=c, version=c.version, text="x")
    assert Complaint.objects.visible_to(story.komet_clerk).count() == 0
    assert Complaint.objects.visible_to(story.mentaos_clerk).count() == 1
    assert Complaint.objects.visible_to(story.camat).count() == 1


def test_concurrent_actions_one_wins_the_other_sees_the_current_state(story: Story, setup: dict) -> None:
    c = submit(story, setup["lights"])
    seen = c.version
    svc.complaint_postpone(actor=setup["desk"], complaint=c, version=seen, reason="Foto kurang jelas")
    with pytest.raises(svc.StaleReport) as exc:
        svc.complaint_archive(actor=setup["desk"], complaint=c, version=seen, reason="spam")
    assert exc.value.current.status == Status.POSTPONED
    assert Complaint.objects.get(pk=c.pk).status == Status.POSTPONED


def test_illegal_transition_is_explained(story: Story, setup: dict) -> None:
    c = submit(story, setup["lights"])
    with pytest.raises(ValidationError) as exc:
        svc.complaint_respond(actor=setup["desk"], complaint=c, version=c.version, text="x", status=Status.CLOSED)
    assert "cannot become" in exc.value.messages[0]


def test_not_authority_and_archive_need_their_reason(story: Story, setup: dict) -> None:
    c = submit(story, setup["lights"])
    with pytest.raises(ValidationError):
        svc.complaint_not_authority(actor=setup["desk"], complaint=c, version=c.version, authority=" ")
    c = svc.complaint_not_authority(actor=setup["desk"], complaint=c, version=c.version, authority="PLN UP3 Banjarbaru")
    assert (c.status, c.not_authority_of) == (Status.NOT_AUTHORITY, "PLN UP3 Banjarbaru")
    assert c.closed_at is not None


def test_merge_moves_the_followers_to_the_original(story: Story, setup: dict) -> None:
    first = submit(story, setup["lights"])
    second = submit(story, setup["lights"], reporter_phone="081234567890")
    svc.complaint_merge(actor=setup["desk"], duplicate=second, version=second.version, original=first)
    second.refresh_from_db()
    assert (second.status, second.duplicate_of_id) == (Status.DUPLICATE, first.pk)
    assert set(first.followers.values_list("address", flat=True)) == {"warga@example.id", "081234567890"}


def test_reopen_within_14_days_only_and_rating(story: Story, setup: dict) -> None:
    c = submit(story, setup["lights"])
    c = svc.complaint_verify(
        actor=setup["desk"],
        complaint=c,
        version=c.version,
        title="t",
        classification="pengaduan",
        category=setup["lights"],
        unit=setup["dishub"],
    )
    svc.complaint_respond(actor=setup["dishub_op"], complaint=c, version=c.version, text="ok", status=Status.RESOLVED)
    c = svc.complaint_reopen(complaint=c, reason="Mati lagi")
    assert (c.status, c.reopen_count) == (Status.IN_PROGRESS, 1)
    svc.complaint_respond(actor=setup["dishub_op"], complaint=c, version=c.version, text="ok", status=Status.RESOLVED)
    Complaint.objects.filter(pk=c.pk).update(resolved_at=timezone.now() - dt.timedelta(days=15))
    with pytest.raises(ValidationError):
        svc.complaint_reopen(complaint=c, reason="lagi")
    with pytest.raises(ValidationError):
        svc.complaint_rate(complaint=c, rating=6)
    assert svc.complaint_rate(complaint=c, rating=4).rating == 4


def test_indicators_count_intake_at_the_kelurahan_and_resolution_at_the_unit(story: Story, setup: dict) -> None:
    from balai.indicators.models import Fact
    from balai.indicators.services import module_facts_recompute

    c = submit(story, setup["lights"], received_at=timezone.now())
    c = svc.complaint_verify(
        actor=setup["desk"],
        complaint=c,
        version=c.version,
        title="t",
        classification="pengaduan",
        category=setup["lights"],
        unit=setup["dishub"],
    )
    svc.complaint_respond(actor=setup["dishub_op"], complaint=c, version=c.version, text="ok", status=Status.RESOLVED)
    today = timezone.localdate(timezone=WITA)
    module_facts_recompute(start=today, end=today, sources=["complaints"])
    facts = dict(
        Fact.objects.filter(indicator__code__startswith="complaints.").values_list("indicator__code", "org_unit__code")
    )
    assert facts["complaints.received"] == "63.72.04.1002"
    assert facts["complaints.received.web"] == "63.72.04.1002"
    assert facts["complaints.resolved"] == "DISHUB"
    on_time = Fact.objects.get(indicator__code="complaints.resolved_on_time_rate")
    assert (on_time.value, on_time.numerator, on_time.denominator) == (100.0, 1.0, 1.0)
