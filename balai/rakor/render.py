"""The pack as files: a PDF drawn with fpdf2 (cover, city summary, one page per perangkat daerah with a
12-month trend chart drawn from fpdf2's own lines and rectangles) and an XLSX with the numbers.

The pack is read aloud in a meeting of Indonesian officials and filed: like the SKM report it is in
Indonesian whatever the language of the screen that asked for it.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

from balai.core.formatting import format_number
from balai.rakor.selectors import PAGE_LINES, Line, PackContent, UnitPage, month_label

Progress = Callable[[], None]

_LATIN1 = str.maketrans({"–": "-", "—": "-", "≥": ">=", "≤": "<=", "’": "'", "“": '"', "”": '"', "×": "x"})


def _latin1(text: str) -> str:
    """fpdf2's built-in fonts are Latin-1: no font file to ship, and Indonesian needs nothing more."""
    return str(text).translate(_LATIN1).encode("latin-1", "replace").decode("latin-1")


def num(value: Any, decimals: int = 0) -> str:
    return format_number(value, decimals, lang="id") if value is not None else "-"


def pct(value: float | None) -> str:
    return f"{num(value, 1)} %" if value is not None else "-"


def line_cells(line: Line) -> list[str]:
    unit = f" {line.unit}" if line.unit and line.unit != "%" else (" %" if line.unit == "%" else "")
    value = num(line.value, line.decimals) + (unit if line.value is not None else "")
    return [
        line.name,
        value,
        num(line.previous, line.decimals),
        num(line.target, line.decimals),
        pct(line.achievement),
    ]


def rank_text(page: UnitPage, total: int) -> str:
    if page.score is None:
        return "Skor kinerja: belum ada kartu skor perangkat daerah"
    rank = f" (peringkat {page.rank} dari {total})" if page.rank else ""
    return f"Skor kinerja: {num(page.score, 1)}{rank}"


# ---------------------------------------------------------------------------------------------- PDF
HEADERS = ["Indikator", "Nilai", "Bulan lalu", "Target", "Capaian"]
WIDTHS = [0.44, 0.16, 0.14, 0.12, 0.14]
ALIGNS = "LRRRR"


def pdf_pack(content: PackContent, version: int, printed: str, progress: Progress | None = None) -> bytes:
    from fpdf import FPDF

    tick = progress or (lambda: None)
    pdf = FPDF(orientation="P", unit="mm", format="A4")
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.set_title(_latin1(f"Bahan Rakor {content.pemda} {month_label(content.period)}"))
    pdf.set_creator("Balai")
    width = pdf.w - pdf.l_margin - pdf.r_margin

    def text(value: str, size: float = 10, style: str = "", align: str = "L", height: float = 6) -> None:
        pdf.set_font("Helvetica", style=style, size=size)
        line = _latin1(value)
        # A line that fits needs no line breaking: cell() is several times cheaper than multi_cell() (bench/).
        if pdf.get_string_width(line) < width - 2 * pdf.c_margin:
            pdf.cell(width, height, line, align=align, new_x="LMARGIN", new_y="NEXT")
        else:
            pdf.multi_cell(width, height, line, align=align, new_x="LMARGIN", new_y="NEXT")

    def table(headers: list[str], rows: list[list[str]], widths: list[float], aligns: str, bold: set[int]) -> None:
        pdf.set_font("Helvetica", style="B", size=9)
        for header, w in zip(headers, widths, strict=True):
            pdf.cell(w * width, 7, _latin1(header), border=1, align="C")
        pdf.ln()
        for index, row in enumerate(rows):
            pdf.set_font("Helvetica", style="B" if index in bold else "", size=9)
            for value, w, align in zip(row, widths, aligns, strict=True):
                pdf.cell(w * width, 6, _latin1(value), border=1, align=align)
            pdf.ln()
        pdf.ln(3)

    # Cover
    pdf.add_page()
    pdf.ln(60)
    text("BAHAN RAPAT KOORDINASI BULANAN", 18, "B", "C", 10)
    text("KEPALA PERANGKAT DAERAH", 14, "B", "C", 8)
    pdf.ln(6)
    text(content.pemda, 14, "", "C", 8)
    text(f"Bulan {month_label(content.period)}", 13, "", "C", 8)
    pdf.ln(30)
    text(f"Versi {version} - disusun {printed} oleh Balai dari data Satu Dasbor.", 9, "", "C")
    text(f"{len(content.units)} perangkat daerah", 9, "", "C")

    # City summary
    pdf.add_page()
    text(f"Ringkasan {content.pemda} - {month_label(content.period)}", 13, "B")
    pdf.ln(2)
    if content.city:
        table(HEADERS, [line_cells(line) for line in content.city], WIDTHS, ALIGNS, set())
    else:
        text("Belum ada data indikator untuk bulan ini.", 10)
    if content.scorecard is not None and content.score_period is not None:
        ranked = sorted((p for p in content.units if p.score is not None), key=lambda p: (p.rank or 10**6, p.name))
        text(f"Peringkat perangkat daerah - {content.scorecard.name} ({content.score_period.label('id')})", 11, "B")
        table(
            ["Peringkat", "Perangkat daerah", "Skor", "Penarik skor ke bawah"],
            [[str(p.rank or "-"), p.name, num(p.score, 1), ", ".join(p.pulling_down[:2]) or "-"] for p in ranked],
            [0.12, 0.42, 0.1, 0.36],
            "CLRL",
            set(),
        )
    tick()

    # One page per perangkat daerah
    total = len(content.units)
    for page in content.units:
        pdf.add_page()
        text(f"Perangkat daerah: {page.name}", 13, "B")
        text(f"{month_label(content.period)} - dibandingkan {month_label(content.previous)}", 9)
        text(rank_text(page, total), 11, "B")
        if page.no_data:
            text(f"Belum melapor: {', '.join(page.no_data)} (dihitung 0 pada skor).", 9)
        pdf.ln(1)
        rows = [line_cells(line) for line in page.lines[:PAGE_LINES]]
        if rows:
            table(HEADERS, rows, WIDTHS, ALIGNS, set())
        else:
            text("Belum ada data indikator untuk bulan ini.", 10)
        if len(page.lines) > PAGE_LINES:
            text(f"... dan {len(page.lines) - PAGE_LINES} indikator lain (lihat berkas XLSX).", 8)
        if page.trend:
            text("Tren skor kinerja 12 bulan", 10, "B")
            _trend_chart(pdf, page, pdf.l_margin, pdf.get_y() + 1, width, 48)
            pdf.set_y(pdf.get_y() + 54)
        text("Peringatan", 10, "B")
        if page.alerts:
            for alert in page.alerts:
                text(f"- {alert}", 9, height=5)
        else:
            text("Tidak ada peringatan.", 9)
        tick()
    pdf.set_font("Helvetica", size=8)
    return bytes(pdf.output())


def _trend_chart(pdf: Any, page: UnitPage, x: float, y: float, w: float, h: float) -> None:
    """Bars of the monthly score, a dashed line at 100 (on target), month labels under the bars."""
    scores = [p.score for p in page.trend]
    top = max([120.0, *[s for s in scores if s is not None]])
    axis_w, label_h = 10.0, 5.0
    plot_x, plot_w, plot_h = x + axis_w, w - axis_w, h - label_h
    base = y + plot_h
    pdf.set_draw_color(120, 120, 120)
    pdf.set_line_width(0.2)
    pdf.line(plot_x, y, plot_x, base)
    pdf.line(plot_x, base, plot_x + plot_w, base)
    pdf.set_font("Helvetica", size=7)
    for tick_value in (0, 50, 100):
        ty = base - plot_h * tick_value / top
        pdf.text(x, ty + 1, str(tick_value))
    target_y = base - plot_h * 100 / top
    pdf.set_dash_pattern(dash=1, gap=1)
    pdf.line(plot_x, target_y, plot_x + plot_w, target_y)
    pdf.set_dash_pattern()
    slot = plot_w / max(len(page.trend), 1)
    for index, point in enumerate(page.trend):
        bx = plot_x + index * slot + slot * 0.15
        bw = slot * 0.7
        if point.score is not None:
            bh = plot_h * max(point.score, 0) / top
            last = index == len(page.trend) - 1
            pdf.set_fill_color(32, 107, 196) if last else pdf.set_fill_color(150, 180, 220)
            pdf.rect(bx, base - bh, bw, bh, style="F")
            pdf.text(bx, base - bh - 1, _latin1(num(point.score, 0)))
        pdf.text(bx, base + 4, _latin1(point.label))


# --------------------------------------------------------------------------------------------- XLSX
def _sheet_title(code: str, taken: set[str]) -> str:
    """Excel sheet names: at most 31 characters, none of []:*?/\\, unique in the workbook."""
    clean = "".join("_" if ch in "[]:*?/\\" else ch for ch in code)[:31]
    title, n = clean, 2
    while title.lower() in taken:
        suffix = f"~{n}"
        title, n = clean[: 31 - len(suffix)] + suffix, n + 1
    taken.add(title.lower())
    return title


def xlsx_pack(content: PackContent, version: int) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    bold = Font(bold=True)
    summary = wb.active
    assert summary is not None
    summary.title = "Ringkasan"
    summary.append([f"Bahan rakor {content.pemda}", content.period.id, month_label(content.period), f"versi {version}"])
    summary["A1"].font = bold
    summary.append([])
    score_label = content.scorecard.name if content.scorecard else "Skor kinerja"
    summary.append(["Peringkat", "Kode", "Perangkat daerah", score_label, "Indikator tanpa data", "Penarik skor"])
    for cell in summary[summary.max_row]:
        cell.font = bold
    ranked = sorted(content.units, key=lambda p: (p.rank or 10**6, p.name))
    for page in ranked:
        summary.append(
            [
                page.rank,
                page.code,
                page.name,
                round(page.score, 2) if page.score is not None else None,
                len(page.no_data),
                ", ".join(page.pulling_down),
            ]
        )
    summary.column_dimensions["C"].width = 44
    city = wb.create_sheet("Kota")
    city.append(["Kode", "Indikator", "Satuan", "Nilai", "Bulan lalu", "Target", "Capaian (%)"])
    for line in content.city:
        city.append(_line_row(line))
    taken = {"ringkasan", "kota"}
    for code, name, unit, _decimals in content.indicators:
        sheet = wb.create_sheet(_sheet_title(code, taken))
        sheet.append([name, unit, content.period.id])
        sheet["A1"].font = bold
        sheet.append(["Kode", "Perangkat daerah", "Nilai", "Bulan lalu", "Target", "Capaian (%)"])
        for page in content.units:
            found = next((x for x in page.lines if x.code == code), None)
            if found is not None:
                sheet.append([page.code, page.name, *_line_row(found)[3:]])
        sheet.column_dimensions["B"].width = 44
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _line_row(line: Line) -> list[Any]:
    ach = line.achievement
    return [
        line.code,
        line.name,
        line.unit,
        line.value,
        line.previous,
        line.target,
        round(ach, 2) if ach is not None else None,
    ]
