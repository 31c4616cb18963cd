"""The monthly rakor pack: queued, built in the background with progress, archived, scoped."""

from __future__ import annotations

import io
import re
from typing import Any

import pytest
from pypdf import PdfReader

from balai.core.testing import Story
from balai.rakor import render
from balai.rakor.choices import PackStatus
from balai.rakor.models import RakorPack
from balai.rakor.services import rakor_pack_request
from balai.scorecards.models import Scorecard
from balai.scorecards.tests.conftest import MONTH

pytestmark = pytest.mark.django_db


def _generate(client: Any, capture: Any, period: str = MONTH) -> RakorPack:
    with capture(execute=True):
        response = client.post("/rakor/buat/", {"period": period})
    assert response.status_code == 302, response
    pack = RakorPack.objects.order_by("-pk").first()
    assert pack is not None and response["Location"] == f"/rakor/{pack.pk}/"
    return pack


def _pages(data: bytes) -> list[str]:
    return [re.sub(r"\s+", " ", page.extract_text()) for page in PdfReader(io.BytesIO(data)).pages]


def test_head_generates_pdf_with_one_page_per_agency(
    client: Any, story: Story, scored: Scorecard, django_capture_on_commit_callbacks: Any
) -> None:
    client.force_login(story.head)
    pack = _generate(client, django_capture_on_commit_callbacks)
    pack.refresh_from_db()
    assert (pack.status, pack.progress, pack.total, pack.percent, pack.units) == (PackStatus.DONE, 5, 5, 100, 2)
    response = client.get(f"/rakor/{pack.pk}/unduh/pdf/")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert f'filename="rakor-{MONTH}-v1.pdf"' in response["Content-Disposition"]
    pages = _pages(b"".join(response.streaming_content))
    assert len(pages) == 4  # cover, city summary, Dinas Kesehatan, Dinas Komunikasi dan Informatika
    assert "BAHAN RAPAT KOORDINASI BULANAN" in pages[0] and "Bulan Oktober 2026" in pages[0]
    assert "Peringkat perangkat daerah - Kinerja perangkat daerah (Oktober 2026)" in pages[1]
    assert "1 Dinas Komunikasi dan Informatika 97,0" in pages[1]
    dinkes, kominfo = pages[2], pages[3]
    assert dinkes.startswith("Perangkat daerah: Dinas Kesehatan")
    assert "Skor kinerja: 70,0 (peringkat 2 dari 2)" in dinkes
    assert "Belum melapor: Realisasi (dihitung 0 pada skor)." in dinkes
    assert "Tepat waktu 99,0 % - - -" in dinkes  # no previous month, no target of its own
    assert "Tunggakan 20 berkas - - -" in dinkes
    assert "Tidak ada peringatan." in dinkes
    assert kominfo.startswith("Perangkat daerah: Dinas Komunikasi dan Informatika")
    assert "Skor kinerja: 97,0 (peringkat 1 dari 2)" in kominfo
    assert "Tepat waktu 81,0 % 72,0 - -" in kominfo
    assert "Realisasi 40,0 % - 50,0 80,0 %" in kominfo
    assert "Kunjungan 310 orang - - -" in kominfo
    assert "Tren skor kinerja 12 bulan" in kominfo and "Okt 26" in kominfo and "Nov 25" in kominfo
    assert "Dinas Kesehatan" not in kominfo


def test_xlsx_carries_the_numbers(
    client: Any, story: Story, scored: Scorecard, django_capture_on_commit_callbacks: Any
) -> None:
    from openpyxl import load_workbook

    client.force_login(story.head)
    pack = _generate(client, django_capture_on_commit_callbacks)
    response = client.get(f"/rakor/{pack.pk}/unduh/xlsx/")
    assert response.status_code == 200
    wb = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    summary = [row for row in wb["Ringkasan"].iter_rows(min_row=4, values_only=True)]
    assert [row[:5] for row in summary] == [
        (1, "DISKOMINFO", "Dinas Komunikasi dan Informatika", 97.0, 0),
        (2, "DINKES", "Dinas Kesehatan", 70.0, 1),
    ]
    assert wb.sheetnames == ["Ringkasan", "Kota", "t.on_time", "t.backlog", "t.realisation", "t.visits"]
    realisation = list(wb["t.realisation"].iter_rows(min_row=3, values_only=True))
    assert realisation == [("DISKOMINFO", "Dinas Komunikasi dan Informatika", 40.0, None, 50.0, 80.0)]
    city = {row[0]: row for row in wb["Kota"].iter_rows(min_row=2, values_only=True)}
    assert city["t.backlog"][3] == 25.0  # the city's roll-up: 5 + 20


def test_regenerating_adds_a_version_and_keeps_the_first(
    client: Any, story: Story, scored: Scorecard, django_capture_on_commit_callbacks: Any
) -> None:
    client.force_login(story.head)
    first = _generate(client, django_capture_on_commit_callbacks)
    second = _generate(client, django_capture_on_commit_callbacks)
    assert (first.version, second.version) == (1, 2)
    html = client.get("/rakor/").content.decode()
    assert html.count("· Walikota</td>") == 2  # who asked for each version
    assert re.findall(r'data-testid="rakor-pack" data-period="(\d+)" data-version="(\d)"', html) == [
        (MONTH, "2"),
        (MONTH, "1"),
    ]
    assert client.get(f"/rakor/{first.pk}/unduh/pdf/").status_code == 200


def test_progress_partial_polls_until_finished(client: Any, story: Story, scored: Scorecard) -> None:
    client.force_login(story.head)
    pack = rakor_pack_request(actor=story.head, period=MONTH)  # not committed: the task has not run
    html = client.get(f"/rakor/{pack.pk}/progres/").content.decode()
    assert f'hx-get="/rakor/{pack.pk}/progres/"' in html and 'hx-trigger="every 1s"' in html
    assert re.search(r'data-testid="rakor-percent">0%<', html)
    RakorPack.objects.filter(pk=pack.pk).update(status=PackStatus.RUNNING, progress=2, total=5)
    html = client.get(f"/rakor/{pack.pk}/progres/").content.decode()
    assert re.search(r'data-testid="rakor-percent">40%<', html) and "2 of 5 steps" in html
    assert client.get(f"/rakor/{pack.pk}/unduh/pdf/").status_code == 404  # not ready
    from balai.rakor.services import rakor_pack_build

    RakorPack.objects.filter(pk=pack.pk).update(status=PackStatus.QUEUED, progress=0)
    rakor_pack_build(pack_id=pack.pk)
    html = client.get(f"/rakor/{pack.pk}/progres/").content.decode()
    assert "hx-get" not in html and re.search(r'data-testid="rakor-percent">100%<', html)


def test_failure_is_recorded_with_the_reason(
    client: Any, story: Story, scored: Scorecard, django_capture_on_commit_callbacks: Any, monkeypatch: Any
) -> None:
    def broken(*args: Any, **kwargs: Any) -> bytes:
        raise RuntimeError("disk full")

    monkeypatch.setattr(render, "xlsx_pack", broken)
    client.force_login(story.head)
    pack = _generate(client, django_capture_on_commit_callbacks)
    pack.refresh_from_db()
    assert (pack.status, pack.error, pack.pdf.name) == (PackStatus.FAILED, "disk full", "")
    html = client.get(f"/rakor/{pack.pk}/").content.decode()
    assert "The pack could not be generated: disk full" in html
    assert client.get(f"/rakor/{pack.pk}/unduh/pdf/").status_code == 404


def test_bad_months_are_refused(client: Any, story: Story, scored: Scorecard) -> None:
    client.force_login(story.head)
    for period, message in (
        ("2026Q4", "A rakor pack is made per month (for example 202611)."),
        ("209901", "January 2099 has not started yet."),
        ("202613", "Period 202613 does not exist"),
    ):
        response = client.post("/rakor/buat/", {"period": period}, follow=True)
        assert message in response.content.decode(), period
    assert RakorPack.objects.count() == 0


def test_out_of_scope_roles_get_404(
    client: Any, story: Story, scored: Scorecard, django_capture_on_commit_callbacks: Any
) -> None:
    client.force_login(story.head)
    pack = _generate(client, django_capture_on_commit_callbacks)
    for user in (story.komet_clerk, story.mentaos_clerk, story.skpd_operator, story.camat):
        client.force_login(user)
        for url in (
            "/rakor/",
            f"/rakor/{pack.pk}/",
            f"/rakor/{pack.pk}/progres/",
            f"/rakor/{pack.pk}/unduh/pdf/",
            f"/rakor/{pack.pk}/unduh/xlsx/",
        ):
            assert client.get(url).status_code == 404, (user.username, url)
        assert client.post("/rakor/buat/", {"period": MONTH}).status_code == 404
    # The auditor reads the archive but does not generate.
    client.force_login(story.auditor)
    assert client.get(f"/rakor/{pack.pk}/unduh/pdf/").status_code == 200
    assert client.post("/rakor/buat/", {"period": MONTH}).status_code == 404
    assert RakorPack.objects.count() == 1


def test_pack_without_scorecard_says_so(
    client: Any, story: Story, scored: Scorecard, django_capture_on_commit_callbacks: Any
) -> None:
    Scorecard.objects.update(is_active=False)
    client.force_login(story.head)
    pack = _generate(client, django_capture_on_commit_callbacks)
    pages = _pages(b"".join(client.get(f"/rakor/{pack.pk}/unduh/pdf/").streaming_content))
    assert "Skor kinerja: belum ada kartu skor perangkat daerah" in pages[2]


def test_pack_content_query_count_does_not_grow_with_agencies(
    story: Story, scored: Scorecard, django_assert_num_queries: Any
) -> None:
    from balai.core.periods import Period
    from balai.org import services as org
    from balai.org.choices import UnitKind
    from balai.rakor.selectors import pack_content
    from balai.scorecards.tests.conftest import load_facts

    period = Period.parse(MONTH)
    pack_content(story.head, period)  # the user's assignments and the Pemda root, cached afterwards
    with django_assert_num_queries(10):
        small = pack_content(story.head, period)
    for n in range(10):
        org.orgunit_create(
            actor=None,
            parent=story.root,
            name=f"Badan {n}",
            short_name=f"B{n}",
            kind=UnitKind.PERANGKAT_DAERAH,
            code=f"BADAN{n}",
        )
    load_facts([("t.on_time", f"BADAN{n}", MONTH, 60 + n) for n in range(10)])
    with django_assert_num_queries(10):
        big = pack_content(story.head, period)
    assert (len(small.units), len(big.units)) == (2, 12)
    badan = next(p for p in big.units if p.code == "BADAN9")
    assert [(line.code, line.value) for line in badan.lines] == [("t.on_time", 69.0)]
    assert badan.rank == 3 and round(badan.score or 0, 6) == round(0.5 * 69 / 90 * 100, 6)


def test_alert_lines_print_on_their_agency_page(story: Story, scored: Scorecard) -> None:
    from balai.core.periods import Period
    from balai.rakor.selectors import pack_content

    content = pack_content(story.head, Period.parse(MONTH))
    content.units[0].alerts = ["Aduan selesai tepat waktu di bawah target 3 bulan berturut-turut (71,0 % < 80 %)"]
    pages = _pages(render.pdf_pack(content, 1, "01-11-2026 08:00"))
    assert "Peringatan - Aduan selesai tepat waktu di bawah target 3 bulan berturut-turut (71,0 % < 80 %)" in pages[2]
    assert "Tidak ada peringatan." in pages[3] and "Tidak ada peringatan." not in pages[2]


def test_a_generated_pack_prints_the_alerts_of_the_month_on_their_agency_page(
    client: Any, story: Story, scored: Scorecard, django_capture_on_commit_callbacks: Any
) -> None:
    import datetime as dt

    from balai.alerts.models import Alert
    from balai.alerts.services import alert_raise

    alert = alert_raise(
        key="connector:1",
        unit=story.diskominfo,
        title="Konektor absensi gagal 3 kali berturut-turut",
        detail="HTTP 500",
        link="/konektor/1/",
        severity="critical",
    )
    # Opened in the middle of the pack's month (WITA), still open.
    Alert.objects.filter(pk=alert.pk).update(opened_at=dt.datetime(2026, 10, 14, 2, 0, tzinfo=dt.UTC))
    client.force_login(story.head)
    pack = _generate(client, django_capture_on_commit_callbacks)
    pages = _pages(pack.pdf.read())
    dinkes, kominfo = pages[2], pages[3]
    assert (
        "Peringatan - [Kritis] Konektor absensi gagal 3 kali berturut-turut - Dinas Komunikasi dan Informatika "
        "(dibuka 14-10-2026; menunggu tindakan)"
    ) in kominfo
    assert "Tidak ada peringatan." in dinkes and "Konektor" not in dinkes
