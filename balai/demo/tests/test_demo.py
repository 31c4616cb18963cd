from __future__ import annotations

import hashlib
import io
import zoneinfo
from collections.abc import Iterator
from typing import Any

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import override_settings
from django.utils import timezone

from balai.core.models import AuditEvent
from balai.core.periods import Period, PeriodType
from balai.demo import facts, holidays
from balai.demo.accounts import ADMIN_TOTP_SECRET, PASSWORD
from balai.demo.agencies import AGENCIES
from balai.indicators.models import Fact, FactRollup, Target
from balai.org.choices import UnitKind
from balai.org.models import OrgUnit, Pegawai, RoleAssignment, User
from balai.org.validators import parse_nik, parse_nip

pytestmark = pytest.mark.django_db

# Small enough to keep the suite fast, big enough that every office has its head.
ASN = 300

KELURAHAN = {
    "63.72.02.1003": "Landasan Ulin Timur",
    "63.72.02.1004": "Guntung Payung",
    "63.72.02.1005": "Guntung Manggis",
    "63.72.02.1006": "Syamsudin Noor",
    "63.72.03.1001": "Palam",
    "63.72.03.1002": "Bangkal",
    "63.72.03.1003": "Sungai Tiung",
    "63.72.03.1004": "Cempaka",
    "63.72.04.1001": "Loktabat Utara",
    "63.72.04.1002": "Mentaos",
    "63.72.04.1003": "Komet",
    "63.72.04.1004": "Sungai Ulin",
    "63.72.05.1001": "Sungai Besar",
    "63.72.05.1002": "Loktabat Selatan",
    "63.72.05.1003": "Kemuning",
    "63.72.05.1004": "Guntung Paikat",
    "63.72.06.1001": "Landasan Ulin Barat",
    "63.72.06.1002": "Landasan Ulin Tengah",
    "63.72.06.1003": "Landasan Ulin Utara",
    "63.72.06.1004": "Landasan Ulin Selatan",
}
KECAMATAN = {
    "63.72.02": "Landasan Ulin",
    "63.72.03": "Cempaka",
    "63.72.04": "Banjarbaru Utara",
    "63.72.05": "Banjarbaru Selatan",
    "63.72.06": "Liang Anggang",
}


def run_demo(*args: str, **options: object) -> str:
    out = io.StringIO()
    call_command("demo", *args, stdout=out, **options)
    return out.getvalue()


def wipe() -> None:
    """Empty the database inside the test's transaction (rolled back afterwards, like the rest)."""
    call_command("flush", interactive=False, verbosity=0)
    ContentType.objects.clear_cache()


@pytest.fixture
def fresh_content_types(db: None) -> Iterator[None]:
    yield
    ContentType.objects.clear_cache()  # a flush in the test re-created content types that the rollback removes


@pytest.fixture
def empty_db(fresh_content_types: None) -> None:
    """A test that needs no Pemda at all, even when this module's shared city is loaded."""
    wipe()


@pytest.fixture(scope="module")
def city(django_db_setup: Any, django_db_blocker: Any) -> Iterator[str]:
    """One demo load shared by the read-only tests of this module (a load takes seconds)."""
    with django_db_blocker.unblock():
        output = run_demo(asn=ASN)
        yield output
        wipe()


def nip_checksum() -> str:
    nips = "\n".join(Pegawai.objects.order_by("nip").values_list("nip", flat=True))
    return hashlib.sha256(nips.encode()).hexdigest()


def test_demo_builds_the_real_kecamatan_and_kelurahan(city: str) -> None:
    kec = dict(OrgUnit.objects.filter(kind=UnitKind.KECAMATAN).values_list("code", "short_name"))
    kel = dict(OrgUnit.objects.filter(kind=UnitKind.KELURAHAN).values_list("code", "short_name"))
    assert kec == KECAMATAN
    assert kel == KELURAHAN
    assert OrgUnit.objects.get(code="63.72").time_zone == "Asia/Makassar"


def test_demo_has_thirty_perangkat_daerah_and_puskesmas_under_dinkes(city: str) -> None:
    agencies = OrgUnit.objects.filter(kind=UnitKind.PERANGKAT_DAERAH)
    assert agencies.count() == len(AGENCIES) == 30
    assert agencies.get(code="DISKOMINFO").name == "Dinas Komunikasi dan Informatika"
    puskesmas = OrgUnit.objects.filter(kind=UnitKind.UPTD, parent__code="DINKES", name__startswith="Puskesmas")
    assert puskesmas.count() == 9
    assert puskesmas.filter(name="Puskesmas Guntung Payung").exists()


def test_demo_rw_rt_have_codes_kinds_and_paths_of_their_parents(city: str) -> None:
    rt = OrgUnit.objects.select_related("parent__parent").get(code="63.72.04.1002.RW01.RT001")
    rw = rt.parent
    assert rw is not None
    assert rw.parent is not None
    assert rt.kind == UnitKind.RT
    assert rw.code == "63.72.04.1002.RW01"
    assert rw.kind == UnitKind.RW
    assert rw.parent.code == "63.72.04.1002"
    assert rt.depth == 4
    assert rt.path == rw.path + f"{rt.pk:08d}"
    assert rw.path == rw.parent.path + f"{rw.pk:08d}"
    mentaos = OrgUnit.objects.get(code="63.72.04.1002")
    assert (
        OrgUnit.objects.subtree_of(mentaos).filter(kind=UnitKind.RW).count()
        == OrgUnit.objects.filter(parent=mentaos, kind=UnitKind.RW).count()
    )
    assert not OrgUnit.objects.filter(path="").exists()
    assert 6 * 20 <= OrgUnit.objects.filter(kind=UnitKind.RW).count() <= 15 * 20


def test_every_generated_nip_and_nik_agrees_with_the_person(city: str) -> None:
    people = list(Pegawai.objects.all())
    assert len(people) == ASN
    for p in people:
        nip, nik = parse_nip(p.nip), parse_nik(p.nik)
        assert (nip.birth_date, nip.sex) == (p.birth_date, p.sex), p.nip
        assert nip.tmt_cpns == p.tmt_cpns
        assert p.tmt_cpns.year >= p.birth_date.year + 18
        assert (nik.birth_date, nik.sex) == (p.birth_date, p.sex), p.nik
    assert len({p.nip for p in people}) == ASN


def test_bulk_rows_leave_one_audit_event_per_batch(city: str) -> None:
    assert AuditEvent.objects.get(action="pegawai.bulk_create").changes["count"] == ASN
    rw_rt = AuditEvent.objects.get(action="orgunit.bulk_create").changes
    assert rw_rt["rw"] == OrgUnit.objects.filter(kind=UnitKind.RW).count()
    assert rw_rt["rt"] == OrgUnit.objects.filter(kind=UnitKind.RT).count()


def test_demo_logins_have_their_roles_and_units(city: str) -> None:
    out = city
    expected = {
        "walikota": ("head_of_region", "63.72"),
        "admin": ("admin", "63.72"),
        "operator.kominfo": ("skpd_operator", "DISKOMINFO"),
        "kadis.kominfo": ("skpd_head", "DISKOMINFO"),
        "camat.utara": ("camat", "63.72.04"),
        "lurah.mentaos": ("kelurahan_operator", "63.72.04.1002"),
        "lurah.komet": ("kelurahan_operator", "63.72.04.1003"),
        "auditor": ("auditor", "63.72"),
        "app.absensi": ("integration", "63.72"),
    }
    got = {
        ra.user.username: (ra.role, ra.org_unit.code)
        for ra in RoleAssignment.objects.select_related("user", "org_unit")
    }
    assert got == expected
    for username in expected:
        assert username in out
    assert User.objects.get(username="lurah.mentaos").check_password(PASSWORD)
    assert not User.objects.get(username="app.absensi").has_usable_password()
    assert User.objects.get(username="admin").totp_secret == ADMIN_TOTP_SECRET
    assert ADMIN_TOTP_SECRET in out
    assert "balai totp admin" in out
    assert "API token of app.absensi (shown only now): balai_" in out
    kadis = User.objects.select_related("pegawai").get(username="kadis.kominfo").pegawai
    assert kadis is not None
    assert kadis.position == "Kepala Dinas"


def test_roll_ups_exist_for_the_city_in_the_current_month(city: str) -> None:
    month = Period.containing(timezone.localdate(timezone=zoneinfo.ZoneInfo("Asia/Makassar")), PeriodType.MONTH)
    root = OrgUnit.objects.get(code="63.72")
    rollups = dict(FactRollup.objects.filter(org_unit=root, period=month.id).values_list("indicator__code", "value"))
    assert rollups["population.residents"] == facts.POPULATION
    assert rollups["asn.headcount"] == ASN
    assert 0 < rollups["budget.realisation_rate"] < 100
    assert Target.objects.filter(
        indicator__code="attendance.presence_rate", org_unit=root, period=str(month.start.year), value=95.0
    ).exists()


def test_visits_are_recorded_on_working_days_only(city: str) -> None:
    days = {
        Period.parse(p).start
        for p in Fact.objects.filter(indicator__code="kelurahan.visits").values_list("period", flat=True).distinct()
    }
    assert days
    assert all(holidays.is_working_day(day) for day in days)


def test_demo_twice_prints_the_logins_and_loads_nothing(city: str) -> None:
    events = AuditEvent.objects.count()
    out = run_demo(asn=ASN)
    assert "already loaded (seed 2026, scale 1, 300 ASN)" in out
    assert "lurah.komet" in out
    assert Pegawai.objects.count() == ASN
    assert AuditEvent.objects.count() == events


def test_demo_is_deterministic_on_a_fresh_database(city: str, fresh_content_types: None) -> None:
    first = nip_checksum()
    first_facts = sorted(Fact.objects.values_list("indicator__code", "org_unit__code", "period", "value"))
    run_demo(asn=ASN, reset=True)  # wipes the shared city (inside this test's transaction) and loads again
    assert nip_checksum() == first
    assert sorted(Fact.objects.values_list("indicator__code", "org_unit__code", "period", "value")) == first_facts


def test_demo_refuses_a_database_holding_another_pemda(empty_db: None) -> None:
    call_command("init", wilayah="63.71", stdout=io.StringIO())
    with pytest.raises(CommandError, match=r"Kota Banjarmasin \(63.71\)"):
        run_demo(asn=ASN)
    assert not Pegawai.objects.exists()


@override_settings(PRODUCTION=True)
def test_demo_is_refused_in_production(empty_db: None) -> None:
    with pytest.raises(CommandError, match="BALAI_ENV=development"):
        run_demo(asn=ASN)
    assert not OrgUnit.objects.exists()


def test_apportion_splits_exactly() -> None:
    assert facts.apportion(10, [1, 1, 1]) == [4, 3, 3]
    assert sum(facts.apportion(285_546, [0.5, 1.7, 1.1, 0.9])) == 285_546
