"""Foundation indicators fed from outside Balai (agency apps, Dukcapil, the finance system).

They have no compute function: the numbers arrive through the import API (DHIS2 dataValueSets or
CSV) or a connector. Declaring them here gives every Pemda the same codes from day one, so an
attendance or finance app can be connected without an administrator typing indicator definitions.
Codes use prefixes no module owns (``complaints.*`` and ``services.*`` belong to those modules).
"""

from __future__ import annotations

from balai.indicators.registry import IndicatorSpec, register

INDICATORS = [
    IndicatorSpec(
        code="attendance.presence_rate",
        name_id="Tingkat kehadiran ASN",
        name_en="ASN attendance rate",
        period_type="month",
        aggregation="ratio",
        value_type="percentage",
        unit="%",
        polarity=1,
        decimals=1,
        ratio_factor=100.0,
        category="kepegawaian",
        description_id=(
            "Hari-orang hadir dibagi hari-orang kerja pada bulan itu, per perangkat daerah dan kantor "
            "kecamatan/kelurahan (dari aplikasi absensi). Pembilang: hari hadir; penyebut: hari kerja x ASN."
        ),
        description_en=(
            "Person-days present divided by working person-days in the month, per agency and "
            "kecamatan/kelurahan office (from the attendance app). Numerator: days present; denominator: "
            "working days x civil servants."
        ),
        sort_order=20,
    ),
    IndicatorSpec(
        code="population.residents",
        name_id="Jumlah penduduk",
        name_en="Residents",
        period_type="month",
        aggregation="last",
        value_type="integer",
        unit="jiwa",
        polarity=0,
        category="kependudukan",
        public=True,
        description_id="Penduduk terdaftar (Dukcapil) per kelurahan/desa pada akhir bulan.",
        description_en="Registered residents (Dukcapil) per kelurahan/desa at the end of the month.",
        sort_order=30,
    ),
    IndicatorSpec(
        code="kelurahan.visits",
        name_id="Kunjungan layanan kelurahan",
        name_en="Kelurahan office visits",
        period_type="day",
        aggregation="sum",
        value_type="integer",
        unit="orang",
        polarity=0,
        category="pelayanan",
        public=True,
        description_id="Warga yang dilayani di kantor kelurahan per hari kerja (buku tamu atau aplikasi antrean).",
        description_en="Residents served at the kelurahan office per working day (guest book or queue app).",
        sort_order=40,
    ),
    IndicatorSpec(
        code="budget.realisation_rate",
        name_id="Realisasi anggaran",
        name_en="Budget realisation",
        period_type="month",
        aggregation="last_ratio",
        value_type="percentage",
        unit="%",
        polarity=1,
        decimals=1,
        ratio_factor=100.0,
        category="keuangan",
        public=True,
        description_id=(
            "Belanja terealisasi sejak 1 Januari dibagi pagu anggaran tahun berjalan, per perangkat daerah "
            "(kumulatif; dari sistem keuangan daerah). Bandingkan bulan akhir triwulan dengan target triwulan."
        ),
        description_en=(
            "Spending realised since 1 January divided by the year's budget ceiling, per agency (cumulative; "
            "from the regional finance system). Compare a quarter's last month with the quarter target."
        ),
        sort_order=50,
    ),
]

register("external", INDICATORS)
