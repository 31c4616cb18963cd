"""Synthetic ASN: positions, ranks (golongan), and NIP/NIK whose digits agree with the person.

NIP (18): birth date YYYYMMDD, TMT CPNS YYYYMM (at least 18 years after birth), sex (1/2), serial.
NIK (16): kecamatan code PPKKCC where the person lives, birth date DDMMYY (women: day + 40), serial.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from balai.demo.names import person_name, with_title

RANKS = [
    "I/a",
    "I/b",
    "I/c",
    "I/d",
    "II/a",
    "II/b",
    "II/c",
    "II/d",
    "III/a",
    "III/b",
    "III/c",
    "III/d",
    "IV/a",
    "IV/b",
    "IV/c",
    "IV/d",
    "IV/e",
]


@dataclass(frozen=True)
class Level:
    ranks: tuple[str, str]  # lowest and highest golongan
    ages: tuple[int, int]
    min_service: int  # years since TMT CPNS, at least
    female_share: float = 0.5


LEVELS = {
    "head": Level(("IV/c", "IV/d"), (48, 57), 20, 0.25),
    "deputy": Level(("IV/a", "IV/c"), (45, 57), 18, 0.3),
    "kabid": Level(("IV/a", "IV/b"), (42, 56), 15, 0.4),
    "kasi": Level(("III/c", "III/d"), (35, 55), 10, 0.45),
    "madya": Level(("IV/a", "IV/c"), (45, 59), 18),
    "muda": Level(("III/c", "III/d"), (33, 55), 8),
    "pertama": Level(("III/a", "III/b"), (24, 45), 0),
    "terampil": Level(("II/c", "III/b"), (22, 50), 0),
    "pelaksana": Level(("II/a", "III/b"), (22, 56), 2),
}
# PPPK (contract ASN) have their own grades; they are hired for entry-level posts.
PPPK_RANKS = {"pertama": "IX", "terampil": "VII", "pelaksana": "V"}

# (position, level, titles "prefix|suffix" or suffix, weight, share of women)
Job = tuple[str, str, tuple[str, ...], float, float]

_ADMIN: list[Job] = [
    ("Pengadministrasi Perkantoran", "pelaksana", ("",), 4, 0.5),
    ("Penata Layanan Operasional", "pelaksana", (", S.Sos.", ", S.E.", ""), 3, 0.5),
    ("Pengolah Data dan Informasi", "pelaksana", ("", ", A.Md."), 2, 0.5),
    ("Operator Layanan Operasional", "pelaksana", ("",), 2, 0.4),
    ("Analis Kebijakan Ahli Pertama", "pertama", (", S.IP.", ", S.Sos."), 1.5, 0.5),
    ("Analis Kebijakan Ahli Muda", "muda", (", S.Sos., M.Si.", ", S.IP., M.AP."), 1, 0.45),
    ("Analis Keuangan Pusat dan Daerah Ahli Pertama", "pertama", (", S.E.", ", S.Ak."), 1, 0.6),
    ("Arsiparis Terampil", "terampil", (", A.Md.",), 0.6, 0.6),
    ("Perencana Ahli Pertama", "pertama", (", S.E.", ", S.T."), 0.6, 0.5),
]
_SECTOR_JOBS: dict[str, list[Job]] = {
    "general": [
        ("Analis Sumber Daya Manusia Aparatur Ahli Pertama", "pertama", (", S.Psi.", ", S.AP."), 1.5, 0.55),
        ("Pranata Hubungan Masyarakat Ahli Pertama", "pertama", (", S.I.Kom.",), 1, 0.5),
        ("Perancang Peraturan Perundang-undangan Ahli Muda", "muda", (", S.H., M.H.",), 0.7, 0.45),
    ],
    "audit": [
        ("Auditor Ahli Pertama", "pertama", (", S.E.", ", S.Ak."), 3, 0.5),
        ("Auditor Ahli Muda", "muda", (", S.E., Ak.", ", S.E., M.Ak."), 3, 0.45),
        ("Auditor Ahli Madya", "madya", (", S.E., M.Si., Ak.",), 1, 0.4),
        ("Pengawas Penyelenggaraan Urusan Pemerintahan di Daerah Ahli Muda", "muda", (", S.STP.", ", S.H."), 2, 0.4),
    ],
    "planning": [
        ("Perencana Ahli Pertama", "pertama", (", S.T.", ", S.E.", ", S.P."), 3, 0.5),
        ("Perencana Ahli Muda", "muda", (", S.T., M.T.", ", S.E., M.E."), 2, 0.45),
        ("Peneliti Ahli Pertama", "pertama", (", S.Si.", ", M.Sc."), 1, 0.5),
        ("Statistisi Ahli Pertama", "pertama", (", S.Stat.", ", S.Si."), 1, 0.5),
    ],
    "finance": [
        ("Analis Keuangan Pusat dan Daerah Ahli Pertama", "pertama", (", S.E.", ", S.Ak."), 4, 0.6),
        ("Analis Keuangan Pusat dan Daerah Ahli Muda", "muda", (", S.E., M.Si.", ", S.Ak., M.Ak."), 2, 0.55),
        ("Penilai Pemerintah Ahli Pertama", "pertama", (", S.T.", ", S.E."), 1, 0.4),
        ("Pengelola Pajak dan Retribusi Daerah", "pelaksana", ("", ", A.Md."), 3, 0.5),
        ("Bendahara", "pelaksana", ("", ", S.E."), 1, 0.7),
    ],
    "disaster": [
        ("Penata Penanggulangan Bencana Ahli Pertama", "pertama", (", S.T.", ", S.Si."), 2, 0.25),
        ("Analis Kebakaran Terampil", "terampil", ("", ", A.Md."), 3, 0.05),
        ("Petugas Pemadam Kebakaran", "pelaksana", ("",), 6, 0.05),
    ],
    "education": [
        ("Guru Ahli Pertama", "pertama", (", S.Pd.",), 34, 0.7),
        ("Guru Ahli Muda", "muda", (", S.Pd.", ", S.Pd.I."), 30, 0.7),
        ("Guru Ahli Madya", "madya", (", S.Pd., M.Pd.", ", S.Pd."), 12, 0.65),
        ("Pengawas Sekolah Ahli Madya", "madya", (", S.Pd., M.Pd.",), 0.6, 0.5),
        ("Penilik Ahli Muda", "muda", (", S.Pd.",), 0.4, 0.5),
        ("Pamong Belajar Ahli Pertama", "pertama", (", S.Pd.",), 0.4, 0.6),
    ],
    "health": [
        ("Dokter Ahli Pertama", "pertama", ("dr. |",), 3, 0.65),
        ("Dokter Gigi Ahli Pertama", "pertama", ("drg. |",), 1, 0.75),
        ("Perawat Ahli Pertama", "pertama", (", S.Kep., Ns.",), 5, 0.7),
        ("Perawat Terampil", "terampil", (", A.Md.Kep.",), 6, 0.7),
        ("Bidan Terampil", "terampil", (", A.Md.Keb.",), 5, 1.0),
        ("Bidan Ahli Pertama", "pertama", (", S.Tr.Keb.",), 2, 1.0),
        ("Apoteker Ahli Pertama", "pertama", (", S.Farm., Apt.",), 1, 0.75),
        ("Asisten Apoteker Terampil", "terampil", (", A.Md.Farm.",), 1.5, 0.8),
        ("Nutrisionis Terampil", "terampil", (", A.Md.Gz.",), 1, 0.85),
        ("Sanitarian Terampil", "terampil", (", A.Md.KL.",), 1, 0.5),
        ("Pranata Laboratorium Kesehatan Terampil", "terampil", (", A.Md.AK.",), 1.2, 0.7),
        ("Epidemiolog Kesehatan Ahli Pertama", "pertama", (", S.KM.",), 0.6, 0.6),
        ("Penyuluh Kesehatan Masyarakat Ahli Pertama", "pertama", (", S.KM.",), 0.8, 0.7),
    ],
    "hospital": [
        ("Dokter Ahli Madya", "madya", ("dr. |, Sp.PD.", "dr. |, Sp.A.", "dr. |, Sp.OG.", "dr. |, Sp.B."), 1.5, 0.45),
        ("Dokter Ahli Pertama", "pertama", ("dr. |",), 2, 0.6),
        ("Perawat Ahli Pertama", "pertama", (", S.Kep., Ns.",), 8, 0.7),
        ("Perawat Terampil", "terampil", (", A.Md.Kep.",), 10, 0.7),
        ("Bidan Terampil", "terampil", (", A.Md.Keb.",), 3, 1.0),
        ("Apoteker Ahli Pertama", "pertama", (", S.Farm., Apt.",), 1, 0.75),
        ("Radiografer Terampil", "terampil", (", A.Md.Rad.",), 1, 0.4),
        ("Perekam Medis Terampil", "terampil", (", A.Md.RMIK.",), 1.5, 0.6),
        ("Pranata Laboratorium Kesehatan Terampil", "terampil", (", A.Md.AK.",), 1.5, 0.7),
    ],
    "works": [
        ("Teknik Jalan dan Jembatan Ahli Pertama", "pertama", (", S.T.",), 3, 0.2),
        ("Teknik Pengairan Ahli Muda", "muda", (", S.T.", ", S.T., M.T."), 1.5, 0.2),
        ("Penata Ruang Ahli Pertama", "pertama", (", S.T.", ", S.PWK."), 1.5, 0.4),
        ("Teknik Tata Bangunan dan Perumahan Ahli Pertama", "pertama", (", S.T.",), 2, 0.3),
        ("Pengawas Jalan dan Jembatan", "pelaksana", ("", ", A.Md.T."), 3, 0.1),
    ],
    "public_order": [
        ("Polisi Pamong Praja Terampil", "terampil", ("",), 8, 0.15),
        ("Polisi Pamong Praja Ahli Pertama", "pertama", (", S.H.",), 3, 0.2),
        ("Penyidik Pegawai Negeri Sipil", "muda", (", S.H.",), 0.5, 0.2),
    ],
    "social": [
        ("Pekerja Sosial Ahli Pertama", "pertama", (", S.Sos.", ", S.Tr.Sos."), 3, 0.6),
        ("Penyuluh Sosial Ahli Pertama", "pertama", (", S.Sos.",), 1, 0.6),
        ("Penyuluh Keluarga Berencana Ahli Pertama", "pertama", (", S.Sos.", ", S.KM."), 2, 0.65),
        ("Penyuluh Keluarga Berencana Ahli Muda", "muda", (", S.Sos.",), 1, 0.6),
    ],
    "agriculture": [
        ("Penyuluh Pertanian Ahli Pertama", "pertama", (", S.P.",), 3, 0.4),
        ("Penyuluh Pertanian Terampil", "terampil", (", A.Md.",), 2, 0.35),
        ("Penyuluh Perikanan Ahli Pertama", "pertama", (", S.Pi.",), 1, 0.35),
        ("Analis Ketahanan Pangan Ahli Pertama", "pertama", (", S.P.", ", S.TP."), 1, 0.5),
        ("Medik Veteriner Ahli Pertama", "pertama", ("drh. |",), 0.5, 0.55),
    ],
    "environment": [
        ("Pengendali Dampak Lingkungan Ahli Pertama", "pertama", (", S.T.", ", S.Si."), 2, 0.5),
        ("Pengawas Lingkungan Hidup Ahli Pertama", "pertama", (", S.T.",), 1, 0.45),
        ("Petugas Kebersihan dan Pertamanan", "pelaksana", ("",), 5, 0.2),
    ],
    "civil_registry": [
        ("Administrator Database Kependudukan Ahli Pertama", "pertama", (", S.Kom.",), 2, 0.5),
        ("Pengadministrasi Registrasi Kependudukan", "pelaksana", ("", ", A.Md."), 5, 0.6),
    ],
    "transport": [
        ("Penguji Kendaraan Bermotor Terampil", "terampil", (", A.Md.",), 2, 0.1),
        ("Analis Transportasi Ahli Pertama", "pertama", (", S.T.", ", S.Tr.T."), 1, 0.3),
        ("Petugas Lalu Lintas", "pelaksana", ("",), 4, 0.1),
    ],
    "ict": [
        ("Pranata Komputer Ahli Pertama", "pertama", (", S.Kom.", ", S.T."), 4, 0.4),
        ("Pranata Komputer Ahli Muda", "muda", (", S.Kom., M.Kom.", ", S.Kom."), 2, 0.35),
        ("Pranata Hubungan Masyarakat Ahli Pertama", "pertama", (", S.I.Kom.",), 1.5, 0.55),
        ("Statistisi Ahli Pertama", "pertama", (", S.Stat.", ", S.Si."), 1, 0.5),
        ("Sandiman Ahli Pertama", "pertama", (", S.Kom.", ", S.Tr.Kom."), 1, 0.35),
    ],
    "economy": [
        ("Pengawas Koperasi Ahli Pertama", "pertama", (", S.E.",), 1.5, 0.5),
        ("Pengawas Perdagangan Ahli Pertama", "pertama", (", S.E.",), 1.5, 0.45),
        ("Mediator Hubungan Industrial Ahli Muda", "muda", (", S.H.",), 1, 0.4),
        ("Pengantar Kerja Ahli Pertama", "pertama", (", S.Psi.", ", S.E."), 1, 0.55),
    ],
    "licensing": [
        ("Penata Perizinan Ahli Pertama", "pertama", (", S.H.", ", S.AP."), 3, 0.55),
        ("Analis Penanaman Modal Ahli Pertama", "pertama", (", S.E.",), 1.5, 0.5),
    ],
    "library": [
        ("Pustakawan Ahli Pertama", "pertama", (", S.IP.", ", S.Hum."), 2, 0.65),
        ("Pustakawan Terampil", "terampil", (", A.Md.",), 2, 0.65),
        ("Arsiparis Ahli Pertama", "pertama", (", S.Hum.", ", S.IP."), 1.5, 0.6),
    ],
    "territory": [],
}
_BIDANG: dict[str, list[str]] = {
    "education": [
        "Pembinaan Sekolah Dasar",
        "Pembinaan Sekolah Menengah Pertama",
        "Pendidikan Anak Usia Dini dan Pendidikan Nonformal",
        "Guru dan Tenaga Kependidikan",
    ],
    "health": ["Kesehatan Masyarakat", "Pencegahan dan Pengendalian Penyakit", "Pelayanan dan Sumber Daya Kesehatan"],
    "ict": [
        "Aplikasi Informatika",
        "Informasi dan Komunikasi Publik",
        "Statistik dan Persandian",
        "Infrastruktur Teknologi Informasi dan Komunikasi",
    ],
    "works": ["Bina Marga", "Sumber Daya Air", "Cipta Karya", "Penataan Ruang"],
    "finance": ["Anggaran", "Perbendaharaan", "Akuntansi", "Pendapatan Daerah", "Aset"],
    "general": ["Perencanaan dan Evaluasi", "Pembinaan", "Pengembangan"],
}
_HEAD_TITLES: dict[str, tuple[str, ...]] = {
    "education": (", S.Pd., M.Pd.",),
    "health": ("dr. |, M.Kes.",),
    "hospital": ("dr. |, Sp.PD., M.Kes.", "dr. |, M.MRS."),
    "works": (", S.T., M.T.",),
    "finance": (", S.E., M.Si.", ", S.E., Ak., M.M."),
    "ict": (", S.Kom., M.T.", ", S.T., M.Kom."),
    "audit": (", S.E., M.Si., Ak.",),
}
_LEADER_TITLES: tuple[str, ...] = (
    ", S.STP., M.Si.",
    ", S.Sos., M.AP.",
    ", S.H., M.H.",
    ", S.E., M.M.",
    ", S.IP., M.Si.",
)


@dataclass
class Person:
    nip: str
    nik: str
    name: str
    sex: str
    birth_date: dt.date
    tmt_cpns: dt.date
    employment_type: str
    position: str
    rank: str
    phone: str
    unit_code: str


@dataclass(frozen=True)
class Office:
    """A unit that employs people, with what kind of work it does."""

    code: str
    kind: str  # agency | setda | uptd | kecamatan | kelurahan
    sector: str
    head: str


Post = tuple[str, str, tuple[str, ...]]  # position, level, titles


def leaders(office: Office, count: int) -> list[Post]:
    """The structural positions an office fills first."""
    titles = _HEAD_TITLES.get(office.sector, _LEADER_TITLES)
    out: list[Post]
    if office.kind == "kecamatan":
        out = [("Camat", "deputy", _LEADER_TITLES), ("Sekretaris Camat", "kabid", _LEADER_TITLES)]
        out += [
            (f"Kepala Seksi {s}", "kasi", (", S.Sos.", ", S.STP.", ", S.H."))
            for s in ("Pemerintahan", "Ketenteraman dan Ketertiban Umum", "Pemberdayaan Masyarakat", "Pelayanan Umum")
        ]
    elif office.kind == "kelurahan":
        out = [("Lurah", "kasi", (", S.STP.", ", S.Sos.", ", S.IP.")), ("Sekretaris Lurah", "kasi", (", S.Sos.", ""))]
        out += [
            (f"Kepala Seksi {s}", "pelaksana", ("", ", S.Sos."))
            for s in (
                "Pemerintahan",
                "Pemberdayaan Masyarakat dan Kesejahteraan Sosial",
                "Ketenteraman dan Ketertiban Umum",
            )
        ]
    elif office.kind == "uptd":
        out = [(office.head, "kabid", titles), ("Kepala Subbagian Tata Usaha", "kasi", (", S.E.", ", S.KM."))]
    elif office.kind == "setda":
        out = [(office.head, "head", _LEADER_TITLES)]
        out += [
            (f"Asisten {s}", "deputy", _LEADER_TITLES)
            for s in ("Pemerintahan dan Kesejahteraan Rakyat", "Perekonomian dan Pembangunan", "Administrasi Umum")
        ]
        out += [
            (f"Kepala Bagian {s}", "kabid", _LEADER_TITLES)
            for s in (
                "Pemerintahan",
                "Hukum",
                "Organisasi",
                "Umum",
                "Perekonomian",
                "Pengadaan Barang dan Jasa",
                "Kesejahteraan Rakyat",
                "Protokol dan Komunikasi Pimpinan",
                "Perencanaan dan Keuangan",
            )
        ]
    else:
        deputy = "Wakil Direktur Pelayanan" if office.sector == "hospital" else "Sekretaris"
        out = [(office.head, "head", titles), (deputy, "deputy", titles)]
        bidang = _BIDANG.get(office.sector, _BIDANG["general"])
        out += [(f"Kepala Bidang {b}", "kabid", titles) for b in bidang]
        out.append(("Kepala Subbagian Umum dan Kepegawaian", "kasi", (", S.E.", ", S.Sos.", ", S.AP.")))
    # A small office fills only its top posts: a kelurahan of 8 has a lurah and a secretary, not 5 chiefs.
    return out[: min(count, len(out), max(1, count // 3))]


class PeopleFactory:
    """Makes people one at a time from one seeded random source, keeping NIP and NIK unique."""

    def __init__(self, rng: random.Random, today: dt.date, window_start: dt.date) -> None:
        self.rng = rng
        self.today = today
        self.window_start = window_start
        self.nips: set[str] = set()
        self.niks: set[str] = set()
        self._jobs = {sector: [*jobs, *_ADMIN] for sector, jobs in _SECTOR_JOBS.items()}

    def staff(self, office: Office, count: int) -> list[Person]:
        out = []
        posts = leaders(office, count)
        for position, level, titles in posts:
            female = LEVELS[level].female_share
            out.append(self.person(office.code, position, level, self.rng.choice(titles), female, pppk=False))
        jobs = self._jobs[office.sector]
        weights = [job[3] for job in jobs]
        for _i in range(count - len(posts)):
            position, level, titles, _w, female = self.rng.choices(jobs, weights)[0]
            pppk = level in PPPK_RANKS and self.rng.random() < 0.2
            out.append(self.person(office.code, position, level, self.rng.choice(titles), female, pppk=pppk))
        return out

    def person(
        self, unit_code: str, position: str, level: str, title: str, female_share: float, *, pppk: bool
    ) -> Person:
        rng, spec = self.rng, LEVELS[level]
        sex = "P" if rng.random() < female_share else "L"
        age = rng.randint(*spec.ages)
        birth = self._birth_date(age)
        recent = level in {"pertama", "terampil"} and age <= 35 and rng.random() < 0.04
        tmt = self._tmt(birth, spec.min_service, recent=recent, pppk=pppk)
        if pppk:
            rank = PPPK_RANKS[level]
        else:
            lo, hi = RANKS.index(spec.ranks[0]), RANKS.index(spec.ranks[1])
            # Rank grows with years of service across the level's band, give or take a promotion.
            years = self.today.year - tmt.year
            step = round((hi - lo) * min(1.0, years / 30) + rng.uniform(-0.5, 0.5))
            rank = RANKS[lo + max(0, min(hi - lo, step))]
        name = with_title(person_name(rng, sex, age), title)
        return Person(
            nip=self._nip(birth, tmt, sex),
            nik=self._nik(birth, sex),
            name=name,
            sex=sex,
            birth_date=birth,
            tmt_cpns=tmt,
            employment_type="pppk" if pppk else "pns",
            position=position,
            rank=rank,
            phone=self._phone() if rng.random() < 0.7 else "",
            unit_code=unit_code,
        )

    def _birth_date(self, age: int) -> dt.date:
        year = self.today.year - age
        day_of_year = self.rng.randint(0, 364)
        birth = dt.date(year, 1, 1) + dt.timedelta(days=day_of_year)
        return min(birth, self.today - dt.timedelta(days=365 * 18))

    def _tmt(self, birth: dt.date, min_service: int, *, recent: bool, pppk: bool) -> dt.date:
        """Start of service: the first of a month, 18 to 32 years after birth, never in the future.

        PPPK (contract ASN) exist since 2019, so their start is never earlier.
        """
        if recent and self.window_start.year - birth.year >= 18:
            months = (self.today.year - self.window_start.year) * 12 + self.today.month - self.window_start.month
            pick = self.rng.randint(0, months)
            year = self.window_start.year + (self.window_start.month - 1 + pick) // 12
            return dt.date(year, (self.window_start.month - 1 + pick) % 12 + 1, 1)
        lo = max(birth.year + 18, 2019) if pppk else birth.year + 18
        hi = max(
            lo,
            min(
                birth.year + 32 if not pppk else self.today.year,
                self.today.year - min_service,
                self.window_start.year - 1,
            ),
        )
        year = self.rng.randint(lo, hi)
        month = self.rng.choice([1, 3, 4, 12]) if self.rng.random() < 0.7 else self.rng.randint(1, 12)
        if year >= self.today.year:
            year, month = self.today.year, min(month, self.today.month)
        return dt.date(year, month, 1)

    def _nip(self, birth: dt.date, tmt: dt.date, sex: str) -> str:
        base = f"{birth:%Y%m%d}{tmt:%Y%m}{'1' if sex == 'L' else '2'}"
        while True:
            nip = f"{base}{self.rng.randint(1, 999):03d}"
            if nip not in self.nips:
                self.nips.add(nip)
                return nip

    def _nik(self, birth: dt.date, sex: str) -> str:
        roll = self.rng.random()
        if roll < 0.85:  # lives in Banjarbaru (kecamatan 02–06)
            region = f"6372{self.rng.randint(2, 6):02d}"
        elif roll < 0.95:  # Kabupaten Banjar next door
            region = f"6303{self.rng.randint(1, 20):02d}"
        else:  # Kota Banjarmasin
            region = f"6371{self.rng.randint(1, 5):02d}"
        day = birth.day + (40 if sex == "P" else 0)
        base = f"{region}{day:02d}{birth:%m%y}"
        while True:
            nik = f"{base}{self.rng.randint(1, 9999):04d}"
            if nik not in self.niks:
                self.niks.add(nik)
                return nik

    def _phone(self) -> str:
        prefix = self.rng.choice(["0811", "0812", "0813", "0821", "0822", "0852", "0853", "0857", "0878", "0895"])
        return f"{prefix}{self.rng.randint(0, 99_999_999):08d}"
