"""The demo catalogue of Kota Banjarbaru: the e-kelurahan letters of every kelurahan, the PATEN services of every
kecamatan, Disdukcapil's civil-registry documents, DPMPTSP's permits, and the Mal Pelayanan Publik with counters
serving them.

Deterministic (no randomness: the same tree gives the same catalogue). Requirements, procedures and time limits
are the usual ones of such offices, written in plain Indonesian as the standar pelayanan shows them; they are
plausible demo data, not the regulations of the real offices. Civil-registry documents are free by law
(UU 24/2013 art. 79A), so are the kelurahan letters and the NIB.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from balai.org import services as org
from balai.org.choices import UnitKind
from balai.org.models import OrgUnit
from balai.publicservices import services
from balai.publicservices.models import Counter, Service

MPP_CODE = "MPP"
MPP_NAME = "Mal Pelayanan Publik Kota Banjarbaru"
MPP_PARENT = "DPMPTSP"  # the MPP is run by the one-stop licensing agency, as in most kota
FREE_KELURAHAN = "Tidak dipungut biaya"
FREE_ADMINDUK = "Tidak dipungut biaya (UU 24/2013 Pasal 79A)"
COMPLAINTS_KELURAHAN = "Kotak saran dan meja pengaduan di kantor kelurahan, SP4N-LAPOR!, atau menu Aduan Warga"
COMPLAINTS_KECAMATAN = "Meja pengaduan di kantor kecamatan, SP4N-LAPOR!, atau menu Aduan Warga"
COMPLAINTS_AGENCY = "Loket pengaduan di kantor dinas dan di MPP, SP4N-LAPOR!, atau menu Aduan Warga"


@dataclass(frozen=True)
class Spec:
    code: str
    name_id: str
    name_en: str
    requirements: tuple[str, ...]
    procedure: tuple[str, ...]
    days: int
    product: str
    cost_note: str = ""
    cost: int = 0
    cost_varies: bool = False
    online: bool = False
    description: str = ""

    def values(self, complaints: str, order: int) -> dict[str, Any]:
        return {
            "code": self.code,
            "name_id": self.name_id,
            "name_en": self.name_en,
            "description": self.description,
            "requirements": "\n".join(self.requirements),
            "procedure": "\n".join(self.procedure),
            "time_limit_days": self.days,
            "cost": self.cost,
            "cost_note": self.cost_note,
            "cost_varies": self.cost_varies,
            "product": self.product,
            "complaint_channel": complaints,
            "is_online": self.online,
            "is_active": True,
            "sort_order": order,
        }


_AT_KELURAHAN = (
    "Siapkan surat pengantar RT/RW dan persyaratan lainnya",
    "Datang ke kantor kelurahan dan ambil nomor antrean, atau ajukan daring bila tersedia",
    "Petugas memeriksa kelengkapan berkas dan menyiapkan surat",
    "Surat ditandatangani lurah dan diserahkan kepada pemohon",
)
_PENGANTAR = ("Surat pengantar RT/RW", "Fotokopi KTP-el pemohon", "Fotokopi Kartu Keluarga (KK)")

KELURAHAN_SERVICES = [
    Spec(
        "sk-domisili",
        "Surat Keterangan Domisili",
        "Certificate of domicile",
        _PENGANTAR,
        _AT_KELURAHAN,
        1,
        "Surat Keterangan Domisili",
        FREE_KELURAHAN,
        online=True,
        description="Keterangan bahwa pemohon bertempat tinggal di wilayah kelurahan, untuk keperluan sekolah, "
        "kerja, bank dan lainnya.",
    ),
    Spec(
        "sktm",
        "Surat Keterangan Tidak Mampu (SKTM)",
        "Certificate of low income (SKTM)",
        (*_PENGANTAR, "Surat pernyataan tidak mampu yang ditandatangani pemohon", "Keterangan keperluan SKTM"),
        _AT_KELURAHAN,
        1,
        "Surat Keterangan Tidak Mampu",
        FREE_KELURAHAN,
        online=True,
        description="Untuk keringanan biaya berobat, sekolah, beasiswa atau bantuan sosial.",
    ),
    Spec(
        "pengantar-nikah",
        "Surat Pengantar Perkawinan",
        "Marriage referral letter",
        (
            *_PENGANTAR,
            "Fotokopi akta kelahiran calon pengantin",
            "Pas foto 3x4 berlatar biru, 2 lembar",
            "Surat izin orang tua bagi calon pengantin di bawah 21 tahun",
            "Akta cerai atau akta kematian pasangan bagi duda/janda",
        ),
        _AT_KELURAHAN,
        1,
        "Surat Pengantar Perkawinan untuk KUA atau Dinas Kependudukan dan Pencatatan Sipil",
        FREE_KELURAHAN,
        online=True,
    ),
    Spec(
        "sk-usaha",
        "Surat Keterangan Usaha (SKU)",
        "Certificate of business (SKU)",
        (*_PENGANTAR, "Foto tempat usaha"),
        _AT_KELURAHAN,
        1,
        "Surat Keterangan Usaha",
        FREE_KELURAHAN,
        online=True,
        description="Keterangan bahwa pemohon menjalankan usaha mikro di wilayah kelurahan, misalnya untuk "
        "pengajuan kredit usaha rakyat (KUR).",
    ),
    Spec(
        "sk-belum-menikah",
        "Surat Keterangan Belum Menikah",
        "Certificate of unmarried status",
        (*_PENGANTAR, "Surat pernyataan belum pernah menikah yang ditandatangani pemohon dan dua saksi"),
        _AT_KELURAHAN,
        1,
        "Surat Keterangan Belum Menikah",
        FREE_KELURAHAN,
        online=True,
    ),
    Spec(
        "pengantar-ktp",
        "Surat Pengantar KTP-el",
        "Referral letter for an e-ID card (KTP-el)",
        ("Surat pengantar RT/RW", "Fotokopi Kartu Keluarga (KK)", "KTP-el lama bila rusak atau ganti data"),
        _AT_KELURAHAN,
        1,
        "Surat pengantar perekaman atau pencetakan KTP-el ke Disdukcapil",
        FREE_KELURAHAN,
    ),
    Spec(
        "pengantar-kk",
        "Surat Pengantar Kartu Keluarga",
        "Referral letter for a family card (KK)",
        (
            "Surat pengantar RT/RW",
            "Kartu Keluarga (KK) asli",
            "Dokumen perubahan: buku nikah, akta kelahiran, akta kematian atau surat pindah",
        ),
        _AT_KELURAHAN,
        1,
        "Surat pengantar penerbitan atau perubahan KK ke Disdukcapil",
        FREE_KELURAHAN,
    ),
    Spec(
        "sk-kematian",
        "Surat Keterangan Kematian",
        "Death certificate letter",
        (
            "Surat pengantar RT/RW",
            "Surat keterangan kematian dari rumah sakit, puskesmas atau dokter, bila ada",
            "Fotokopi KTP-el dan KK almarhum/almarhumah",
            "Fotokopi KTP-el pelapor",
        ),
        _AT_KELURAHAN,
        1,
        "Surat Keterangan Kematian untuk penerbitan akta kematian",
        FREE_KELURAHAN,
    ),
    Spec(
        "sk-ahli-waris",
        "Surat Keterangan Ahli Waris",
        "Certificate of heirs",
        (
            "Surat pengantar RT/RW",
            "Surat pernyataan ahli waris yang ditandatangani semua ahli waris dan dua saksi",
            "Fotokopi akta kematian pewaris",
            "Fotokopi KTP-el, KK dan akta kelahiran semua ahli waris",
            "Fotokopi buku nikah pewaris",
        ),
        (
            "Siapkan surat pernyataan ahli waris dan persyaratan lainnya",
            "Serahkan berkas di loket kantor kelurahan",
            "Petugas memeriksa berkas dan mencatat dalam register kelurahan",
            "Surat ditandatangani lurah, lalu disahkan camat (layanan kecamatan)",
        ),
        3,
        "Surat Keterangan Ahli Waris yang teregister di kelurahan",
        FREE_KELURAHAN,
    ),
    Spec(
        "pengantar-skck",
        "Surat Pengantar SKCK",
        "Referral letter for a police clearance (SKCK)",
        _PENGANTAR,
        _AT_KELURAHAN,
        1,
        "Surat pengantar permohonan SKCK ke Polsek atau Polres",
        FREE_KELURAHAN,
    ),
    Spec(
        "legalisasi",
        "Legalisasi Dokumen Kelurahan",
        "Legalisation of kelurahan documents",
        ("Dokumen asli yang diterbitkan kelurahan", "Fotokopi dokumen yang akan dilegalisasi"),
        (
            "Datang ke loket kantor kelurahan dengan dokumen asli dan fotokopinya",
            "Petugas mencocokkan fotokopi dengan dokumen asli",
            "Fotokopi dicap dan ditandatangani lurah",
        ),
        1,
        "Fotokopi dokumen yang telah dilegalisasi",
        FREE_KELURAHAN,
    ),
]

_AT_KECAMATAN = (
    "Datang ke loket PATEN kantor kecamatan dan ambil nomor antrean",
    "Petugas memeriksa kelengkapan berkas",
    "Berkas diproses dan ditandatangani camat",
    "Dokumen diserahkan kepada pemohon",
)
KECAMATAN_SERVICES = [
    Spec(
        "pengesahan-ahli-waris",
        "Pengesahan Surat Keterangan Ahli Waris",
        "Endorsement of the certificate of heirs",
        (
            "Surat Keterangan Ahli Waris dari kelurahan",
            "Fotokopi akta kematian pewaris",
            "Fotokopi KTP-el dan KK semua ahli waris",
        ),
        _AT_KECAMATAN,
        3,
        "Surat Keterangan Ahli Waris yang disahkan camat",
        FREE_KELURAHAN,
    ),
    Spec(
        "rekomendasi-keramaian",
        "Rekomendasi Izin Keramaian",
        "Recommendation for a public event permit",
        (
            "Surat permohonan yang menyebut acara, tempat, tanggal dan jumlah undangan",
            "Surat pengantar dari kelurahan",
            "Fotokopi KTP-el penanggung jawab acara",
        ),
        _AT_KECAMATAN,
        1,
        "Surat rekomendasi camat untuk izin keramaian dari kepolisian",
        FREE_KELURAHAN,
    ),
    Spec(
        "legalisasi-kecamatan",
        "Legalisasi Dokumen Kecamatan",
        "Legalisation of kecamatan documents",
        ("Dokumen asli yang diterbitkan atau disahkan kecamatan", "Fotokopi dokumen yang akan dilegalisasi"),
        _AT_KECAMATAN,
        1,
        "Fotokopi dokumen yang telah dilegalisasi",
        FREE_KELURAHAN,
    ),
]

_AT_DUKCAPIL = (
    "Ambil nomor antrean di Disdukcapil atau MPP, atau ajukan daring",
    "Serahkan berkas persyaratan kepada petugas loket",
    "Petugas memverifikasi data dan memproses dokumen",
    "Dokumen dicetak dan diserahkan, atau dikirim sebagai dokumen elektronik (TTE)",
)
DISDUKCAPIL_SERVICES = [
    Spec(
        "ktp-el",
        "Kartu Tanda Penduduk Elektronik (KTP-el)",
        "Electronic identity card (KTP-el)",
        (
            "Berusia 17 tahun, sudah kawin atau pernah kawin",
            "Fotokopi Kartu Keluarga (KK)",
            "KTP-el lama bila rusak atau ganti data",
            "Surat keterangan kehilangan dari kepolisian bila KTP-el hilang",
        ),
        (
            "Ambil nomor antrean di Disdukcapil atau MPP",
            "Perekaman foto, sidik jari, iris mata dan tanda tangan (bagi yang belum merekam)",
            "Petugas memverifikasi data kependudukan",
            "KTP-el dicetak dan diserahkan kepada pemohon",
        ),
        1,
        "KTP-el",
        FREE_ADMINDUK,
    ),
    Spec(
        "kartu-keluarga",
        "Kartu Keluarga (KK) baru atau perubahan",
        "Family card (KK), new or changed",
        (
            "Surat pengantar dari kelurahan",
            "KK lama untuk perubahan data",
            "Fotokopi buku nikah atau akta perkawinan",
            "Surat keterangan pindah bagi pendatang",
        ),
        _AT_DUKCAPIL,
        1,
        "Kartu Keluarga",
        FREE_ADMINDUK,
        online=True,
    ),
    Spec(
        "akta-kelahiran",
        "Akta Kelahiran",
        "Birth certificate",
        (
            "Surat keterangan kelahiran dari rumah sakit, puskesmas, bidan atau kelurahan",
            "Fotokopi buku nikah atau akta perkawinan orang tua",
            "Fotokopi KK dan KTP-el kedua orang tua",
            "Surat pernyataan tanggung jawab mutlak (SPTJM) bila tidak ada buku nikah",
        ),
        _AT_DUKCAPIL,
        1,
        "Kutipan Akta Kelahiran dan KK yang diperbarui",
        FREE_ADMINDUK,
        online=True,
    ),
    Spec(
        "akta-kematian",
        "Akta Kematian",
        "Death certificate",
        (
            "Surat keterangan kematian dari rumah sakit, puskesmas atau kelurahan",
            "KK dan KTP-el almarhum/almarhumah",
            "Fotokopi KTP-el pelapor",
        ),
        _AT_DUKCAPIL,
        1,
        "Kutipan Akta Kematian dan KK yang diperbarui",
        FREE_ADMINDUK,
        online=True,
    ),
    Spec(
        "pindah-datang",
        "Surat Pindah dan Pindah Datang",
        "Moving out and moving in (change of address)",
        (
            "KK dan KTP-el pemohon",
            "Surat pengantar dari kelurahan",
            "Surat keterangan pindah (SKPWNI) dari daerah asal, bagi pendatang",
        ),
        _AT_DUKCAPIL,
        1,
        "Surat Keterangan Pindah Warga Negara Indonesia (SKPWNI), KK dan KTP-el baru bagi pendatang",
        FREE_ADMINDUK,
        online=True,
    ),
    Spec(
        "kia",
        "Kartu Identitas Anak (KIA)",
        "Child identity card (KIA)",
        (
            "Fotokopi akta kelahiran anak",
            "KK asli orang tua",
            "KTP-el asli kedua orang tua",
            "Pas foto anak 2x3 berwarna, untuk anak usia 5 tahun ke atas",
        ),
        _AT_DUKCAPIL,
        1,
        "Kartu Identitas Anak",
        FREE_ADMINDUK,
        online=True,
    ),
]

DPMPTSP_SERVICES = [
    Spec(
        "nib",
        "Perizinan Berusaha: Nomor Induk Berusaha (NIB)",
        "Business licence: business identification number (NIB)",
        (
            "KTP-el pemilik atau penanggung jawab usaha",
            "NPWP, bila ada",
            "Alamat email dan nomor HP yang aktif",
            "Data usaha: bidang usaha (KBLI), alamat lokasi, modal dan jumlah tenaga kerja",
        ),
        (
            "Datang ke loket DPMPTSP atau MPP, atau daftar sendiri di oss.go.id",
            "Petugas mendampingi pembuatan akun OSS",
            "Isi data usaha dan pilih KBLI sesuai kegiatan usaha",
            "NIB terbit di OSS dan dapat diunduh pemohon",
        ),
        1,
        "Nomor Induk Berusaha (NIB) dari sistem OSS RBA",
        "Tidak dipungut biaya (PP 5/2021)",
    ),
    Spec(
        "pbg",
        "Persetujuan Bangunan Gedung (PBG)",
        "Building approval (PBG)",
        (
            "KTP-el pemilik bangunan",
            "Bukti kepemilikan tanah (sertifikat atau dokumen lain yang sah)",
            "Kesesuaian Kegiatan Pemanfaatan Ruang (KKPR) atau Keterangan Rencana Kota (KRK)",
            "Gambar rencana teknis: arsitektur, struktur dan utilitas",
            "Perhitungan struktur oleh tenaga ahli untuk bangunan lebih dari dua lantai",
        ),
        (
            "Ajukan permohonan di simbg.pu.go.id atau dengan pendampingan di loket MPP",
            "Pemeriksaan kelengkapan dokumen",
            "Konsultasi dengan Tim Profesi Ahli atau Tim Penilai Teknis",
            "Penetapan nilai retribusi dan penerbitan SKRD",
            "Pembayaran retribusi",
            "PBG diterbitkan",
        ),
        28,
        "Dokumen Persetujuan Bangunan Gedung dan lampirannya",
        "Retribusi PBG sesuai Perda Kota Banjarbaru tentang Pajak Daerah dan Retribusi Daerah, dihitung dari "
        "luas, fungsi dan indeks bangunan",
        cost_varies=True,
    ),
    Spec(
        "sip-nakes",
        "Surat Izin Praktik Tenaga Kesehatan (SIP)",
        "Practice licence for health workers (SIP)",
        (
            "Surat Tanda Registrasi (STR) yang masih berlaku",
            "Rekomendasi dari organisasi profesi",
            "Surat keterangan dari fasilitas pelayanan kesehatan tempat praktik",
            "Pas foto 4x6 berwarna",
            "Fotokopi KTP-el",
        ),
        (
            "Ajukan permohonan di loket DPMPTSP, MPP, atau daring",
            "Verifikasi berkas oleh petugas dan Dinas Kesehatan",
            "Penandatanganan SIP oleh Kepala DPMPTSP",
            "SIP diserahkan atau dikirim sebagai dokumen elektronik",
        ),
        5,
        "Surat Izin Praktik",
        "Tidak dipungut biaya",
        online=True,
    ),
    Spec(
        "konsultasi-perizinan",
        "Konsultasi Perizinan dan Nonperizinan",
        "Licensing advice",
        ("KTP-el, bila ada", "Dokumen yang ingin dikonsultasikan, bila ada"),
        (
            "Ambil nomor antrean di DPMPTSP atau MPP",
            "Sampaikan rencana usaha atau pertanyaan kepada petugas",
            "Petugas menjelaskan izin yang diperlukan, persyaratan dan alurnya",
        ),
        1,
        "Penjelasan dan daftar periksa perizinan",
        "Tidak dipungut biaya",
    ),
]

UPTD_PKB_SERVICES = [
    Spec(
        "uji-kir",
        "Pengujian Berkala Kendaraan Bermotor (Uji KIR)",
        "Periodic roadworthiness test (KIR)",
        (
            "STNK asli dan fotokopi",
            "Buku uji atau kartu uji lama, untuk uji berkala",
            "Fotokopi KTP-el pemilik",
            "Kendaraan dibawa ke tempat pengujian",
        ),
        (
            "Daftar di loket UPTD Pengujian Kendaraan Bermotor",
            "Bayar retribusi sesuai jenis kendaraan",
            "Kendaraan diuji di jalur uji",
            "Kartu uji dan tanda lulus uji diserahkan",
        ),
        1,
        "Kartu uji dan tanda lulus uji berkala",
        "Retribusi pengujian kendaraan bermotor sesuai jenis kendaraan (Perda Pajak Daerah dan Retribusi Daerah)",
        cost_varies=True,
    ),
]

# Which services each counter serves (codes); "*" is every service of the office.
KELURAHAN_COUNTERS = [
    ("Loket 1", ["*"]),
    ("Loket 2", ["sk-domisili", "sktm", "sk-usaha", "sk-belum-menikah", "legalisasi"]),
]
KECAMATAN_COUNTERS = [("Loket PATEN", ["*"])]
AGENCY_COUNTERS = {
    "DISDUKCAPIL": [
        ("Loket 1 KTP-el dan KIA", ["ktp-el", "kia"]),
        ("Loket 2 KK dan Pindah Datang", ["kartu-keluarga", "pindah-datang"]),
        ("Loket 3 Akta", ["akta-kelahiran", "akta-kematian"]),
    ],
    "DPMPTSP": [
        ("Loket Perizinan", ["nib", "pbg", "sip-nakes"]),
        ("Loket Konsultasi", ["konsultasi-perizinan"]),
    ],
    "UPTD-PKB": [("Loket Pendaftaran Uji", ["*"])],
}
# The MPP hosts desks of the agencies: (counter, agency code, service codes).
MPP_COUNTERS = [
    ("Loket Disdukcapil 1", "DISDUKCAPIL", ["ktp-el", "kia", "kartu-keluarga"]),
    ("Loket Disdukcapil 2", "DISDUKCAPIL", ["akta-kelahiran", "akta-kematian", "pindah-datang"]),
    ("Loket DPMPTSP", "DPMPTSP", ["nib", "pbg", "sip-nakes", "konsultasi-perizinan"]),
]


def _seed_unit(unit: OrgUnit, specs: list[Spec], complaints: str) -> dict[str, Service]:
    out = {}
    for order, spec in enumerate(specs, start=1):
        existing = Service.objects.filter(unit=unit, code=spec.code).first()
        out[spec.code] = existing or services.service_create(
            actor=None, unit=unit, **spec.values(complaints, order * 10)
        )
    return out


def _counters(unit: OrgUnit, plan: list[tuple[str, list[str]]], offered: dict[str, Service]) -> int:
    made = 0
    for name, codes in plan:
        if Counter.objects.filter(unit=unit, name=name).exists():
            continue
        chosen = list(offered.values()) if codes == ["*"] else [offered[c] for c in codes if c in offered]
        services.counter_create(actor=None, unit=unit, name=name, services=chosen)
        made += 1
    return made


def mpp_unit(root: OrgUnit) -> OrgUnit | None:
    """The demo's MPP: the unit coded ``MPP``, created as a UPTD of DPMPTSP when the tree has none yet."""
    existing = OrgUnit.objects.filter(code=MPP_CODE).first()
    if existing is not None:
        return existing
    parent = OrgUnit.objects.filter(code=MPP_PARENT, path__startswith=root.path).first()
    if parent is None:
        return None
    return org.orgunit_create(
        actor=None, parent=parent, name=MPP_NAME, short_name="MPP Banjarbaru", kind=UnitKind.UPTD, code=MPP_CODE
    )


def seed_catalogue(root: OrgUnit) -> dict[str, int]:
    """Load the catalogue and counters under ``root`` (idempotent: what exists is kept). Returns counts."""
    units = OrgUnit.objects.filter(path__startswith=root.path, is_active=True)
    counters = 0
    for kel in units.filter(kind__in=[UnitKind.KELURAHAN, UnitKind.DESA]).order_by("code"):
        offered = _seed_unit(kel, KELURAHAN_SERVICES, COMPLAINTS_KELURAHAN)
        counters += _counters(kel, KELURAHAN_COUNTERS, offered)
    for kec in units.filter(kind=UnitKind.KECAMATAN).order_by("code"):
        offered = _seed_unit(kec, KECAMATAN_SERVICES, COMPLAINTS_KECAMATAN)
        counters += _counters(kec, KECAMATAN_COUNTERS, offered)
    agency_offers: dict[str, dict[str, Service]] = {}
    for code, specs in (
        ("DISDUKCAPIL", DISDUKCAPIL_SERVICES),
        ("DPMPTSP", DPMPTSP_SERVICES),
        ("UPTD-PKB", UPTD_PKB_SERVICES),
    ):
        agency = units.filter(code=code).first()
        if agency is None:
            continue
        agency_offers[code] = _seed_unit(agency, specs, COMPLAINTS_AGENCY)
        counters += _counters(agency, AGENCY_COUNTERS[code], agency_offers[code])
    mpp = mpp_unit(root)
    if mpp is not None and services.is_mpp(mpp):
        for name, agency_code, codes in MPP_COUNTERS:
            offered = agency_offers.get(agency_code, {})
            counters += _counters(mpp, [(name, codes)], offered)
    return {
        "services": Service.objects.filter(unit__path__startswith=root.path).count(),
        "counters": counters,
        "mpp": int(mpp is not None),
    }
