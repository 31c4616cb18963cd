"""The SKM report as the Permenpan-RB 14/2017 format prints it: PDF (fpdf2) and XLSX (openpyxl).

The report goes to KemenPAN-RB and to the unit's notice board, so it is in Indonesian whatever language the
reader's screen uses: its headings are the regulation's own terms (unsur pelayanan, NRR, NRR tertimbang,
IKM, mutu pelayanan), kept here as data like the questions in questions.py.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils import timezone

from balai.core.formatting import format_number
from balai.org.selectors import pemda_zone
from balai.skm.choices import GRADE_NAMES_ID, PROFILE_FIELDS
from balai.skm.ikm import IkmResult
from balai.skm.selectors import Row, Selection

PROFILE_TITLES_ID = {
    "sex": "Jenis kelamin",
    "age_band": "Umur",
    "education": "Pendidikan",
    "occupation": "Pekerjaan",
}
PROFILE_LABELS_ID: dict[str, dict[str, str]] = {
    "sex": {"L": "Laki-laki", "P": "Perempuan"},
    "age_band": {
        "lt20": "Di bawah 20 tahun",
        "20_29": "20-29 tahun",
        "30_39": "30-39 tahun",
        "40_49": "40-49 tahun",
        "50_59": "50-59 tahun",
        "60p": "60 tahun ke atas",
    },
    "education": {
        "sd": "SD ke bawah",
        "smp": "SMP",
        "sma": "SMA/SMK",
        "d1_d3": "D1-D3",
        "d4_s1": "D4/S1",
        "s2": "S2",
        "s3": "S3",
    },
    "occupation": {
        "pns": "PNS",
        "tni": "TNI",
        "polri": "POLRI",
        "swasta": "Swasta",
        "wirausaha": "Wirausaha",
        "lainnya": "Lainnya",
    },
}
NOT_STATED_ID = "Tidak mengisi"
NOT_ENOUGH_ID = "Data belum cukup"


@dataclass(frozen=True)
class Report:
    selection: Selection
    result: IkmResult
    by_unit: list[Row]
    by_service: list[Row]

    @property
    def unit_name(self) -> str:
        unit = self.selection.unit or (self.selection.service.unit if self.selection.service else None)
        return unit.name if unit is not None else ""

    @property
    def service_name(self) -> str:
        return self.selection.service.name_id if self.selection.service else "Semua layanan"

    @property
    def period_label(self) -> str:
        return self.selection.period.label("id")

    def filename(self, ext: str) -> str:
        unit = self.selection.unit.code if self.selection.unit else f"layanan-{self.selection.service.pk}"  # type: ignore[union-attr]
        suffix = f"-layanan-{self.selection.service.pk}" if self.selection.service and self.selection.unit else ""
        return f"skm-{unit}{suffix}-{self.selection.period.id}.{ext}"


def _num(value: Any, decimals: int) -> str:
    return format_number(value, decimals, lang="id") if value is not None else "-"


def grade_text(result: IkmResult) -> str:
    grade = result.grade
    return f"{grade.value} ({GRADE_NAMES_ID[grade.value]})" if grade is not None else NOT_ENOUGH_ID


def element_rows(result: IkmResult) -> list[list[str]]:
    """No, unsur, Σ nilai, responden menjawab, NRR, NRR tertimbang (the regulation's table)."""
    return [
        [
            score.element.label,
            score.element.name_id,
            str(score.total),
            str(score.answered),
            _num(score.nrr_display(2), 2),
            _num(score.weighted_display(3), 3),
        ]
        for score in result.elements
    ]


def summary_rows(result: IkmResult) -> list[list[str]]:
    met = result.sample_met
    return [
        ["IKM (nilai indeks, skala 1-4)", _num(result.index_display, 3)],
        ["IKM unit pelayanan (x 25)", _num(result.ikm, 2)],
        ["Mutu pelayanan", grade_text(result)],
        ["Jumlah responden", _num(result.respondents, 0)],
        ["Jumlah pengguna layanan (populasi)", _num(result.population, 0)],
        ["Sampel minimum (Krejcie-Morgan)", _num(result.minimum_sample, 0)],
        ["Sampel minimum terpenuhi", "-" if met is None else ("Ya" if met else "Belum")],
    ]


def profile_rows(result: IkmResult) -> list[list[str]]:
    rows: list[list[str]] = []
    total = result.respondents
    for name, choices in PROFILE_FIELDS.items():
        counts = result.profile.get(name, {})
        for value in [*choices.values, ""]:
            count = counts.get(value, 0)
            if value == "" and not count:
                continue
            share = Decimal(count * 100) / total if total else None
            label = PROFILE_LABELS_ID[name].get(value, value) if value else NOT_STATED_ID
            rows.append(
                [PROFILE_TITLES_ID[name], label, str(count), _num(share, 1) + (" %" if share is not None else "")]
            )
    return rows


def breakdown_rows(rows: list[Row]) -> list[list[str]]:
    return [[row.label, str(row.result.respondents), _num(row.result.ikm, 2), grade_text(row.result)] for row in rows]


GRADE_TABLE = [
    ["A", "88,31 - 100,00", "Sangat Baik"],
    ["B", "76,61 - 88,30", "Baik"],
    ["C", "65,00 - 76,60", "Kurang Baik"],
    ["D", "25,00 - 64,99", "Tidak Baik"],
]


# ---------------------------------------------------------------------------------------------- PDF
_LATIN1 = str.maketrans({"–": "-", "—": "-", "≥": ">=", "≤": "<=", "Σ": "Jumlah ", "’": "'", "“": '"', "”": '"'})


def _latin1(text: str) -> str:
    """fpdf2's built-in fonts are Latin-1: no font file to ship, and Indonesian needs nothing more."""
    return str(text).translate(_LATIN1).encode("latin-1", "replace").decode("latin-1")


def pdf_report(report: Report) -> bytes:
    from fpdf import FPDF

    pdf = FPDF(orientation="P", unit="mm", format="A4")
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.set_title(_latin1(f"SKM {report.unit_name} {report.period_label}"))
    pdf.set_creator("Balai")
    pdf.add_page()
    width = pdf.w - pdf.l_margin - pdf.r_margin

    def text(value: str, size: float = 10, style: str = "", align: str = "L", height: float = 6) -> None:
        pdf.set_font("Helvetica", style=style, size=size)
        pdf.multi_cell(width, height, _latin1(value), align=align, new_x="LMARGIN", new_y="NEXT")

    def table(headers: list[str], rows: list[list[str]], widths: list[float], aligns: str) -> None:
        pdf.set_font("Helvetica", style="B", size=9)
        for header, w in zip(headers, widths, strict=True):
            pdf.cell(w * width, 7, _latin1(header), border=1, align="C")
        pdf.ln()
        pdf.set_font("Helvetica", size=9)
        for row in rows:
            for value, w, align in zip(row, widths, aligns, strict=True):
                pdf.cell(w * width, 6, _latin1(value), border=1, align=align)
            pdf.ln()
        pdf.ln(3)

    text("LAPORAN HASIL SURVEI KEPUASAN MASYARAKAT", 13, "B", "C", 7)
    text("(Peraturan Menteri PANRB Nomor 14 Tahun 2017)", 9, "", "C", 5)
    pdf.ln(3)
    text(f"Unit pelayanan: {report.unit_name}")
    text(f"Jenis layanan: {report.service_name}")
    text(f"Periode: {report.period_label}")
    pdf.ln(2)
    result = report.result
    text("Nilai per unsur pelayanan", 11, "B")
    table(
        ["Unsur", "Unsur pelayanan", "Jumlah nilai", "Menjawab", "NRR", "NRR tertimbang"],
        element_rows(result),
        [0.08, 0.42, 0.13, 0.12, 0.10, 0.15],
        "CLRRRR",
    )
    text("Indeks Kepuasan Masyarakat", 11, "B")
    table(["Uraian", "Nilai"], summary_rows(result), [0.6, 0.4], "LR")
    if result.missing_elements:
        missing = ", ".join(e.label for e in result.missing_elements)
        text(
            f"IKM belum dapat dihitung: unsur {missing} belum dijawab oleh satu pun responden "
            "(IKM adalah rata-rata sembilan NRR).",
            9,
        )
    text("Nilai persepsi, interval konversi dan mutu pelayanan", 11, "B")
    table(["Mutu", "Nilai interval konversi", "Kinerja unit pelayanan"], GRADE_TABLE, [0.15, 0.4, 0.45], "CCL")
    text("Profil responden", 11, "B")
    table(["Karakteristik", "Kategori", "Jumlah", "Persentase"], profile_rows(result), [0.25, 0.35, 0.2, 0.2], "LLRR")
    if len(report.by_unit) > 1:
        text("Per unit pelayanan", 11, "B")
        table(["Unit", "Responden", "IKM", "Mutu"], breakdown_rows(report.by_unit), [0.45, 0.15, 0.15, 0.25], "LRRL")
    if len(report.by_service) > 1:
        text("Per jenis layanan", 11, "B")
        table(
            ["Layanan", "Responden", "IKM", "Mutu"], breakdown_rows(report.by_service), [0.45, 0.15, 0.15, 0.25], "LRRL"
        )
    printed = timezone.now().astimezone(pemda_zone())
    text(f"Dicetak {printed:%d-%m-%Y %H:%M} dari Balai.", 8)
    return bytes(pdf.output())


# --------------------------------------------------------------------------------------------- XLSX
def xlsx_report(report: Report) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "IKM"
    bold = Font(bold=True)
    result = report.result
    ws.append(["LAPORAN HASIL SURVEI KEPUASAN MASYARAKAT"])
    ws["A1"].font = bold
    ws.append(["Unit pelayanan", report.unit_name])
    ws.append(["Jenis layanan", report.service_name])
    ws.append(["Periode", report.selection.period.id, report.period_label])
    ws.append([])
    ws.append(["Unsur", "Unsur pelayanan", "Jumlah nilai", "Menjawab", "NRR", "NRR tertimbang"])
    for cell in ws[ws.max_row]:
        cell.font = bold
    for score in result.elements:
        nrr = score.nrr
        ws.append(
            [
                score.element.label,
                score.element.name_id,
                score.total,
                score.answered,
                float(nrr) if nrr is not None else None,
                float(score.weighted) if score.weighted is not None else None,
            ]
        )
    ws.append([])
    ws.append(["IKM (skala 1-4)", float(result.index) if result.index is not None else None])
    ws.append(["IKM unit pelayanan", float(result.ikm) if result.ikm is not None else None])
    ws.append(["Mutu pelayanan", grade_text(result)])
    ws.append(["Jumlah responden", result.respondents])
    ws.append(["Jumlah pengguna layanan (populasi)", result.population])
    ws.append(["Sampel minimum (Krejcie-Morgan)", result.minimum_sample])
    ws.append(
        ["Sampel minimum terpenuhi", None if result.sample_met is None else ("Ya" if result.sample_met else "Belum")]
    )

    profile = wb.create_sheet("Profil responden")
    profile.append(["Karakteristik", "Kategori", "Jumlah"])
    for row in profile_rows(result):
        profile.append([row[0], row[1], int(row[2])])
    for title, rows in (("Per unit", report.by_unit), ("Per layanan", report.by_service)):
        sheet = wb.create_sheet(title)
        sheet.append(["Nama", "Responden", "IKM", "Mutu"])
        for r in rows:
            sheet.append(
                [r.label, r.result.respondents, float(r.result.ikm) if r.result.ikm else None, grade_text(r.result)]
            )
    ws.column_dimensions["A"].width = 36
    ws.column_dimensions["B"].width = 44
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
