"""The nine SKM elements and their answer scales, worded as in Permenpan-RB 14/2017 (Lampiran, sample form).

These are regulated texts, so they are data here in Indonesian (the wording a respondent and an auditor of the
report expect, word for word) with an English rendering beside them, picked by the active language. They are not
run through gettext: a translator "improving" a regulated question would change what the survey measures.
The regulation's form is a model a unit may adapt; a Pemda that words a question differently edits this table
(the scale stays 1 = worst to 4 = best, which is all the computation relies on).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import get_language


@dataclass(frozen=True)
class Element:
    code: str  # "u1" ... "u9": the column of SkmResponse
    name_id: str
    name_en: str
    question_id: str
    question_en: str
    options_id: tuple[str, str, str, str]  # answer 1, 2, 3, 4
    options_en: tuple[str, str, str, str]

    @property
    def number(self) -> int:
        return int(self.code[1:])

    @property
    def label(self) -> str:
        """ "U4" as the report tables print it."""
        return self.code.upper()

    @property
    def name(self) -> str:
        return self.name_en if _english() else self.name_id

    @property
    def question(self) -> str:
        return self.question_en if _english() else self.question_id

    @property
    def options(self) -> list[tuple[int, str]]:
        labels = self.options_en if _english() else self.options_id
        return list(enumerate(labels, start=1))


def _english() -> bool:
    return (get_language() or "id").startswith("en")


ELEMENTS: tuple[Element, ...] = (
    Element(
        "u1",
        "Persyaratan",
        "Requirements",
        "Bagaimana pendapat Saudara tentang kesesuaian persyaratan pelayanan dengan jenis pelayanannya?",
        "How well do the requirements of the service fit the kind of service?",
        ("Tidak sesuai", "Kurang sesuai", "Sesuai", "Sangat sesuai"),
        ("Not suitable", "Less suitable", "Suitable", "Very suitable"),
    ),
    Element(
        "u2",
        "Sistem, Mekanisme, dan Prosedur",
        "System, mechanism and procedure",
        "Bagaimana pemahaman Saudara tentang kemudahan prosedur pelayanan di unit ini?",
        "How easy is the service procedure of this unit?",
        ("Tidak mudah", "Kurang mudah", "Mudah", "Sangat mudah"),
        ("Not easy", "Less easy", "Easy", "Very easy"),
    ),
    Element(
        "u3",
        "Waktu Penyelesaian",
        "Completion time",
        "Bagaimana pendapat Saudara tentang kecepatan waktu dalam memberikan pelayanan?",
        "How fast was the service given?",
        ("Tidak cepat", "Kurang cepat", "Cepat", "Sangat cepat"),
        ("Not fast", "Less fast", "Fast", "Very fast"),
    ),
    Element(
        "u4",
        "Biaya/Tarif",
        "Cost/fee",
        "Bagaimana pendapat Saudara tentang kewajaran biaya/tarif dalam pelayanan?",
        "How fair is the cost/fee of the service?",
        ("Sangat mahal", "Cukup mahal", "Murah", "Gratis"),
        ("Very expensive", "Fairly expensive", "Cheap", "Free"),
    ),
    Element(
        "u5",
        "Produk Spesifikasi Jenis Pelayanan",
        "Product of the service",
        "Bagaimana pendapat Saudara tentang kesesuaian produk pelayanan antara yang tercantum dalam standar "
        "pelayanan dengan hasil yang diberikan?",
        "Does the product you received match what the service standard states?",
        ("Tidak sesuai", "Kurang sesuai", "Sesuai", "Sangat sesuai"),
        ("Not matching", "Partly matching", "Matching", "Fully matching"),
    ),
    Element(
        "u6",
        "Kompetensi Pelaksana",
        "Competence of the staff",
        "Bagaimana pendapat Saudara tentang kompetensi/kemampuan petugas dalam pelayanan?",
        "How competent were the staff who served you?",
        ("Tidak kompeten", "Kurang kompeten", "Kompeten", "Sangat kompeten"),
        ("Not competent", "Less competent", "Competent", "Very competent"),
    ),
    Element(
        "u7",
        "Perilaku Pelaksana",
        "Behaviour of the staff",
        "Bagaimana pendapat Saudara tentang perilaku petugas dalam pelayanan terkait kesopanan dan keramahan?",
        "How polite and friendly were the staff?",
        ("Tidak sopan dan ramah", "Kurang sopan dan ramah", "Sopan dan ramah", "Sangat sopan dan ramah"),
        ("Not polite and friendly", "Less polite and friendly", "Polite and friendly", "Very polite and friendly"),
    ),
    Element(
        "u8",
        "Sarana dan Prasarana",
        "Facilities",
        "Bagaimana pendapat Saudara tentang kualitas sarana dan prasarana?",
        "How good are the facilities?",
        ("Buruk", "Cukup", "Baik", "Sangat baik"),
        ("Poor", "Fair", "Good", "Very good"),
    ),
    Element(
        "u9",
        "Penanganan Pengaduan, Saran dan Masukan",
        "Handling of complaints, suggestions and feedback",
        "Bagaimana pendapat Saudara tentang penanganan pengaduan pengguna layanan?",
        "How are complaints of service users handled?",
        ("Tidak ada", "Ada tetapi tidak berfungsi", "Berfungsi kurang maksimal", "Dikelola dengan baik"),
        ("None", "Exists but does not work", "Works, not fully", "Well managed"),
    ),
)
CODES: tuple[str, ...] = tuple(e.code for e in ELEMENTS)
BY_CODE = {e.code: e for e in ELEMENTS}
