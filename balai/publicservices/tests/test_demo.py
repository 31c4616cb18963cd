"""The demo catalogue: every kelurahan's e-kelurahan letters, the agencies' services and the MPP's counters."""

from __future__ import annotations

import pytest

from balai.core.testing import Story
from balai.org import services as org
from balai.org.choices import UnitKind
from balai.org.models import OrgUnit
from balai.publicservices import demo, services
from balai.publicservices.models import Counter, Service

pytestmark = pytest.mark.django_db


@pytest.fixture
def agencies(story: Story) -> dict[str, OrgUnit]:
    out = {}
    for code, name in (
        ("DISDUKCAPIL", "Dinas Kependudukan dan Pencatatan Sipil"),
        ("DPMPTSP", "Dinas Penanaman Modal dan Pelayanan Terpadu Satu Pintu"),
        ("DISHUB", "Dinas Perhubungan"),
    ):
        out[code] = org.orgunit_create(
            actor=None, parent=story.root, name=name, kind=UnitKind.PERANGKAT_DAERAH, code=code
        )
    out["UPTD-PKB"] = org.orgunit_create(
        actor=None,
        parent=out["DISHUB"],
        name="UPTD Pengujian Kendaraan Bermotor",
        kind=UnitKind.UPTD,
        code="UPTD-PKB",
    )
    return out


def test_seed_gives_every_kelurahan_its_letters_and_the_mpp_its_desks(
    story: Story, agencies: dict[str, OrgUnit]
) -> None:
    counts = demo.seed_catalogue(story.root)
    kelurahan = OrgUnit.objects.filter(kind=UnitKind.KELURAHAN).count()
    kecamatan = OrgUnit.objects.filter(kind=UnitKind.KECAMATAN).count()
    expected = (
        kelurahan * len(demo.KELURAHAN_SERVICES)
        + kecamatan * len(demo.KECAMATAN_SERVICES)
        + len(demo.DISDUKCAPIL_SERVICES)
        + len(demo.DPMPTSP_SERVICES)
        + len(demo.UPTD_PKB_SERVICES)
    )
    assert kelurahan == 20
    assert counts == {"services": expected, "counters": kelurahan * 2 + kecamatan + 3 + 2 + 1 + 3, "mpp": 1}
    mentaos = {s.code: s for s in Service.objects.filter(unit=story.mentaos)}
    assert {"sk-domisili", "sktm", "pengantar-nikah", "sk-usaha", "legalisasi", "pengantar-ktp", "pengantar-kk"} <= set(
        mentaos
    )
    assert all(s.is_free and s.is_active and s.requirements and s.procedure for s in mentaos.values())
    # Civil-registry documents are free by law; the PBG levy is computed per building.
    dukcapil = Service.objects.filter(unit=agencies["DISDUKCAPIL"])
    assert {s.code for s in dukcapil} == {
        "ktp-el",
        "kartu-keluarga",
        "akta-kelahiran",
        "akta-kematian",
        "pindah-datang",
        "kia",
    }
    assert all(s.is_free and "79A" in s.cost_note for s in dukcapil)
    pbg = Service.objects.get(code="pbg")
    assert (pbg.is_free, pbg.cost_varies, pbg.time_limit_days) == (False, True, 28)
    mpp = OrgUnit.objects.get(code="MPP")
    assert (mpp.parent_id, mpp.kind, services.is_mpp(mpp)) == (agencies["DPMPTSP"].pk, UnitKind.UPTD, True)
    at_mpp = Service.objects.filter(counters__unit=mpp).distinct()
    assert set(at_mpp.values_list("unit__code", flat=True)) == {"DISDUKCAPIL", "DPMPTSP"}
    assert at_mpp.count() == len(demo.DISDUKCAPIL_SERVICES) + len(demo.DPMPTSP_SERVICES)


def test_seed_is_deterministic_and_idempotent(story: Story, agencies: dict[str, OrgUnit]) -> None:
    demo.seed_catalogue(story.root)
    first = list(
        Service.objects.order_by("unit__code", "code").values_list("unit__code", "code", "name_id", "sort_order")
    )
    again = demo.seed_catalogue(story.root)
    assert again["counters"] == 0
    assert (
        list(Service.objects.order_by("unit__code", "code").values_list("unit__code", "code", "name_id", "sort_order"))
        == first
    )
    assert Counter.objects.filter(unit=story.mentaos).count() == 2


def test_seed_without_the_agencies_skips_them_and_the_mpp(story: Story) -> None:
    counts = demo.seed_catalogue(story.root)
    assert counts["mpp"] == 0
    assert not Service.objects.filter(unit__kind=UnitKind.PERANGKAT_DAERAH).exists()
