"""Demo indicator admin for Kota Banjarbaru: computed rates per 1,000 residents and the year's targets.

Called by the demo loader after the Facts are imported and before the roll-ups are drained, so the computed
indicators' roll-ups come out of the same drain as their components'. Deterministic: no randomness, the
years are those of the demo window (the Pemda's day).
"""

from __future__ import annotations

from collections.abc import Iterable

from balai.indicators import services
from balai.indicators.models import Indicator
from balai.org.choices import UnitKind
from balai.org.models import OrgUnit

COMPLAINTS_PER_1000 = "rates.complaints_per_1000"
VISITS_PER_1000 = "rates.kelurahan_visits_per_1000"

#: (indicator, city target, kecamatan target): the Pemda's service standards for the year (percentages).
YEAR_TARGETS = [
    ("complaints.verified_3d_rate", 95.0, 95.0),
    ("complaints.resolved_on_time_rate", 90.0, 85.0),
    ("applications.completed_on_time_rate", 90.0, 90.0),
    ("attendance.presence_rate", 95.0, 95.0),
]
#: Kelurahan office visits per resident and year: a busy office serves about a third of its residents.
VISITS_PER_RESIDENT = 0.35


def seed_admin(root: OrgUnit, years: Iterable[int]) -> list[Indicator]:
    """The computed indicators an administrator of Banjarbaru would define, and targets for ``years``."""
    owner = OrgUnit.objects.filter(code="DISKOMINFO", path__startswith=root.path).first()
    created = [
        services.indicator_create(
            actor=None,
            definition=services.IndicatorDefinition(
                code=COMPLAINTS_PER_1000,
                name_id="Aduan per 1.000 penduduk",
                name_en="Reports per 1,000 residents",
                description_id=(
                    "Aduan warga yang diterima dalam sebulan per 1.000 penduduk terdaftar pada akhir bulan: "
                    "1.000 × aduan diterima ÷ jumlah penduduk. Membandingkan kelurahan yang berbeda ukurannya."
                ),
                description_en=(
                    "Citizen reports received in the month per 1,000 residents registered at the end of the month: "
                    "1,000 × reports received ÷ residents. Compares kelurahan of different sizes."
                ),
                period_type="month",
                aggregation="computed",
                value_type="number",
                unit="per 1.000",
                polarity=0,
                decimals=2,
                ratio_factor=1000.0,
                owner=owner,
                is_public=True,
                category="pengaduan",
                sort_order=205,
                numerator=["complaints.received"],
                denominator=["population.residents"],
            ),
        ),
        services.indicator_create(
            actor=None,
            definition=services.IndicatorDefinition(
                code=VISITS_PER_1000,
                name_id="Kunjungan kantor kelurahan per 1.000 penduduk",
                name_en="Kelurahan office visits per 1,000 residents",
                description_id="1.000 × kunjungan layanan kelurahan dalam sebulan ÷ jumlah penduduk akhir bulan.",
                description_en="1,000 × kelurahan office visits in the month ÷ residents at the end of the month.",
                period_type="month",
                aggregation="computed",
                value_type="number",
                unit="per 1.000",
                polarity=0,
                decimals=1,
                ratio_factor=1000.0,
                owner=root,
                is_public=True,
                category="pelayanan",
                sort_order=45,
                numerator=["kelurahan.visits"],
                denominator=["population.residents"],
            ),
        ),
    ]
    _targets(root, sorted(set(years)))
    return created


def _targets(root: OrgUnit, years: list[int]) -> None:
    kecamatan = list(OrgUnit.objects.filter(path__startswith=root.path, kind=UnitKind.KECAMATAN).order_by("path"))
    indicators = {i.code: i for i in Indicator.objects.filter(code__in=[c for c, _city, _kec in YEAR_TARGETS])}
    visits = Indicator.objects.get(code="kelurahan.visits")
    residents = _latest_residents(root)
    for year in years:
        for code, city, per_kecamatan in YEAR_TARGETS:
            indicator = indicators.get(code)
            if indicator is None:  # a module not installed in this deployment
                continue
            services.target_set(actor=None, indicator=indicator, org_unit=root, period=str(year), value=city)
            services.targets_set_bulk(
                actor=None,
                indicator=indicator,
                period=str(year),
                values=dict.fromkeys(kecamatan, per_kecamatan),
            )
        # Each kelurahan's yearly visits target follows its size, rounded to 50 visits.
        services.targets_set_bulk(
            actor=None,
            indicator=visits,
            period=str(year),
            values={
                unit: float(round(count * VISITS_PER_RESIDENT / 50) * 50) for unit, count in residents if count > 0
            },
        )


def _latest_residents(root: OrgUnit) -> list[tuple[OrgUnit, float]]:
    """Each kelurahan's latest imported resident count (population.residents Facts)."""
    from balai.indicators.models import Fact

    latest: dict[int, tuple[str, float]] = {}
    for unit_id, period, value in Fact.objects.filter(
        indicator__code="population.residents", org_unit__path__startswith=root.path
    ).values_list("org_unit_id", "period", "value"):
        if unit_id not in latest or period > latest[unit_id][0]:
            latest[unit_id] = (period, value)
    units = OrgUnit.objects.in_bulk(list(latest))
    return [(units[uid], value) for uid, (_period, value) in sorted(latest.items()) if uid in units]
