"""The perangkat daerah of the demo Kota Banjarbaru: real-style names, codes and relative sizes.

Names follow the nomenclature of PP 18/2016 (perangkat daerah) as a kota of this size uses it.
``weight`` is the share of the ASN register and ``budget`` the yearly ceiling (pagu) in billions of
rupiah; both are plausible for a city of 285,000 with an APBD of about Rp 1.9 trillion, not real figures.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Uptd:
    code: str
    name: str
    short_name: str
    head: str
    sector: str
    weight: float


@dataclass(frozen=True)
class Agency:
    code: str
    name: str
    short_name: str
    head: str  # the title of its head (Kepala Dinas, Inspektur, ...)
    sector: str  # which pool of functional positions its staff hold
    weight: float
    budget: int  # billions of rupiah
    uptd: list[Uptd] = field(default_factory=list)


_PUSKESMAS = [
    ("PKM-BJBU", "Banjarbaru Utara"),
    ("PKM-BJBS", "Banjarbaru Selatan"),
    ("PKM-BJB", "Banjarbaru"),
    ("PKM-GTPY", "Guntung Payung"),
    ("PKM-SGBR", "Sungai Besar"),
    ("PKM-SGUL", "Sungai Ulin"),
    ("PKM-CMPK", "Cempaka"),
    ("PKM-LGAG", "Liang Anggang"),
    ("PKM-LDUL", "Landasan Ulin"),
]

AGENCIES: list[Agency] = [
    Agency("SETDA", "Sekretariat Daerah", "Setda", "Sekretaris Daerah", "general", 3.0, 95),
    Agency("SETWAN", "Sekretariat DPRD", "Setwan", "Sekretaris DPRD", "general", 1.2, 60),
    Agency("INSPEKTORAT", "Inspektorat Daerah", "Inspektorat", "Inspektur", "audit", 1.2, 14),
    Agency(
        "BAPPEDA",
        "Badan Perencanaan Pembangunan, Riset dan Inovasi Daerah",
        "Bappeda",
        "Kepala Badan",
        "planning",
        1.0,
        18,
    ),
    Agency(
        "BPKPAD", "Badan Pengelolaan Keuangan, Pendapatan dan Aset Daerah", "BPKPAD", "Kepala Badan", "finance", 2.0, 55
    ),
    Agency(
        "BKPSDM", "Badan Kepegawaian dan Pengembangan Sumber Daya Manusia", "BKPSDM", "Kepala Badan", "general", 1.0, 16
    ),
    Agency("BPBD", "Badan Penanggulangan Bencana Daerah", "BPBD", "Kepala Pelaksana", "disaster", 0.8, 12),
    Agency("KESBANGPOL", "Badan Kesatuan Bangsa dan Politik", "Kesbangpol", "Kepala Badan", "general", 0.5, 9),
    Agency("DISDIK", "Dinas Pendidikan", "Disdik", "Kepala Dinas", "education", 38.0, 420),
    Agency(
        "DINKES",
        "Dinas Kesehatan",
        "Dinkes",
        "Kepala Dinas",
        "health",
        3.0,
        150,
        [
            *(
                Uptd(code, f"Puskesmas {name}", f"PKM {name}", "Kepala Puskesmas", "health", 0.8)
                for code, name in _PUSKESMAS
            ),
            Uptd("UPTD-LABKESDA", "UPTD Laboratorium Kesehatan Daerah", "Labkesda", "Kepala UPTD", "health", 0.3),
            Uptd("UPTD-IFK", "UPTD Instalasi Farmasi", "Instalasi Farmasi", "Kepala UPTD", "health", 0.2),
        ],
    ),
    Agency("RSD-IDAMAN", "RSD Idaman Banjarbaru", "RSD Idaman", "Direktur", "hospital", 11.0, 210),
    Agency("DPUPR", "Dinas Pekerjaan Umum dan Penataan Ruang", "Dinas PUPR", "Kepala Dinas", "works", 2.0, 260),
    Agency("DISPERKIM", "Dinas Perumahan dan Kawasan Permukiman", "Disperkim", "Kepala Dinas", "works", 1.0, 70),
    Agency("SATPOLPP", "Satuan Polisi Pamong Praja", "Satpol PP", "Kepala Satuan", "public_order", 2.0, 22),
    Agency("DAMKAR", "Dinas Pemadam Kebakaran dan Penyelamatan", "Damkar", "Kepala Dinas", "disaster", 1.2, 15),
    Agency("DINSOS", "Dinas Sosial", "Dinsos", "Kepala Dinas", "social", 0.8, 20),
    Agency("DP3A", "Dinas Pemberdayaan Perempuan dan Perlindungan Anak", "DP3A", "Kepala Dinas", "social", 0.6, 10),
    Agency("DKP", "Dinas Ketahanan Pangan", "DKP", "Kepala Dinas", "agriculture", 0.6, 9),
    Agency(
        "DLH",
        "Dinas Lingkungan Hidup",
        "DLH",
        "Kepala Dinas",
        "environment",
        1.5,
        65,
        [
            Uptd("UPTD-PS", "UPTD Pengelolaan Sampah", "UPTD Sampah", "Kepala UPTD", "environment", 0.5),
        ],
    ),
    Agency(
        "DISDUKCAPIL",
        "Dinas Kependudukan dan Pencatatan Sipil",
        "Disdukcapil",
        "Kepala Dinas",
        "civil_registry",
        1.0,
        12,
    ),
    Agency("DPPKB", "Dinas Pengendalian Penduduk dan Keluarga Berencana", "DPPKB", "Kepala Dinas", "social", 0.8, 11),
    Agency(
        "DISHUB",
        "Dinas Perhubungan",
        "Dishub",
        "Kepala Dinas",
        "transport",
        1.2,
        30,
        [
            Uptd("UPTD-PKB", "UPTD Pengujian Kendaraan Bermotor", "UPTD PKB", "Kepala UPTD", "transport", 0.3),
        ],
    ),
    Agency("DISKOMINFO", "Dinas Komunikasi dan Informatika", "Diskominfo", "Kepala Dinas", "ict", 0.9, 28),
    Agency(
        "DISKOPUMNAKER",
        "Dinas Koperasi, Usaha Mikro dan Tenaga Kerja",
        "Diskopumnaker",
        "Kepala Dinas",
        "economy",
        0.7,
        10,
    ),
    Agency(
        "DPMPTSP",
        "Dinas Penanaman Modal dan Pelayanan Terpadu Satu Pintu",
        "DPMPTSP",
        "Kepala Dinas",
        "licensing",
        0.7,
        9,
    ),
    Agency("DISPORAPAR", "Dinas Kepemudaan, Olahraga dan Pariwisata", "Disporapar", "Kepala Dinas", "general", 0.7, 24),
    Agency("DISBUD", "Dinas Kebudayaan", "Disbud", "Kepala Dinas", "general", 0.4, 8),
    Agency("DISPERPUSIP", "Dinas Perpustakaan dan Kearsipan", "Disperpusip", "Kepala Dinas", "library", 0.6, 8),
    Agency("DISPERIKTAN", "Dinas Perikanan dan Pertanian", "Disperiktan", "Kepala Dinas", "agriculture", 1.2, 25),
    Agency("DISPERDAGIN", "Dinas Perdagangan dan Perindustrian", "Disperdagin", "Kepala Dinas", "economy", 0.8, 18),
]

# Offices of the territorial tree and their share of the register (per office).
KECAMATAN_WEIGHT = 0.55
KELURAHAN_WEIGHT = 0.22
