"""The survey page, the results page and its exports, the API; scoped like every module."""

from __future__ import annotations

import datetime as dt
import io
import re
from typing import Any

import pytest
from django.utils import timezone

from balai.core.testing import ScopingContract, Story, pdf_streams
from balai.org.selectors import pemda_zone
from balai.skm import services
from balai.skm.models import SkmResponse, SurveyInvitation
from balai.skm.tests.conftest import ALL_FOUR, make_service, serve

pytestmark = pytest.mark.django_db


def _year() -> str:
    return str(timezone.localdate(timezone=pemda_zone()).year)


def _invite(service: Any) -> str:
    return services.invitation_create(event=serve(service))


# ------------------------------------------------------------------------------------------- survey
def test_survey_page_shows_the_nine_official_questions(client: Any, mentaos_service: Any) -> None:
    token = _invite(mentaos_service)
    page = client.get(f"/skm/{token}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Surat Keterangan Domisili" in html and "Kelurahan Mentaos" in html
    for code in ("u1", "u5", "u9"):
        for value in (1, 2, 3, 4):
            assert f'data-testid="{code}-{value}"' in html
    assert "Very expensive" in html and "Free" in html  # U4 in English
    assert "style=" not in html and "<script>" not in html
    assert page["Cache-Control"].startswith("max-age=0")


def test_survey_page_in_indonesian_uses_the_regulated_wording(client: Any, mentaos_service: Any) -> None:
    token = _invite(mentaos_service)
    html = client.get(f"/skm/{token}/", HTTP_ACCEPT_LANGUAGE="id").content.decode()
    assert "kewajaran biaya/tarif" in html
    for label in ("Sangat mahal", "Cukup mahal", "Murah", "Gratis"):
        assert label in html


def test_submit_redirects_to_thanks(client: Any, mentaos_service: Any) -> None:
    token = _invite(mentaos_service)
    data = {**{k: str(v) for k, v in ALL_FOUR.items()}, "sex": "L", "age_band": "40_49"}
    response = client.post(f"/skm/{token}/", data)
    assert response.status_code == 302 and response["Location"] == "/skm/terima-kasih/"
    assert client.get("/skm/terima-kasih/").status_code == 200
    saved = SkmResponse.objects.get()
    assert (saved.u1, saved.sex, saved.age_band, saved.education) == (4, "L", "40_49", "")
    # The link is spent: the same page now says it is not valid, and names nothing.
    again = client.get(f"/skm/{token}/")
    assert again.status_code == 410
    assert "Surat Keterangan Domisili" not in again.content.decode()


def test_bad_answer_re_renders_with_the_error_and_keeps_choices(client: Any, mentaos_service: Any) -> None:
    token = _invite(mentaos_service)
    response = client.post(f"/skm/{token}/", {"u1": "3", "u2": "7"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "U2: the answer must be 1, 2, 3 or 4." in html
    assert re.search(r'value="3"\s+class="form-selectgroup-input"\s+data-testid="u1-3" checked', html)
    assert SkmResponse.objects.count() == 0


def test_empty_submit_asks_for_an_answer(client: Any, mentaos_service: Any) -> None:
    token = _invite(mentaos_service)
    response = client.post(f"/skm/{token}/", {})
    assert response.status_code == 400
    assert "Answer at least one of the nine questions." in response.content.decode()


@pytest.mark.parametrize("kind", ["forged", "expired", "used"])
def test_dead_links_get_the_same_friendly_page(client: Any, mentaos_service: Any, kind: str) -> None:
    event = serve(mentaos_service)
    token = services.invitation_create(event=event)
    if kind == "forged":
        token = "A" * 43
    elif kind == "expired":
        SurveyInvitation.objects.update(expires_at=timezone.now() - dt.timedelta(minutes=1))
    else:
        services.response_submit(token=token, answers=ALL_FOUR)
    for response in (client.get(f"/skm/{token}/"), client.post(f"/skm/{token}/", {"u1": "4"})):
        assert response.status_code == (404 if kind == "forged" else 410)
        html = response.content.decode()
        assert "This survey link is not valid" in html
        assert "Mentaos" not in html and "Domisili" not in html
    assert SkmResponse.objects.count() == (1 if kind == "used" else 0)


# ------------------------------------------------------------------------------------------ results
def _fill(service: Any, n: int = 3, **profile: str) -> None:
    for _i in range(n):
        services.response_submit(token=_invite(service), answers=ALL_FOUR, profile=profile)


def test_results_page_shows_ikm_grade_sample_and_profile(client: Any, story: Story, mentaos_service: Any) -> None:
    _fill(mentaos_service, 3, sex="P", education="sma")
    serve(mentaos_service)  # served, did not answer: population 4
    client.force_login(story.mentaos_clerk)
    page = client.get(f"/skm/hasil/?unit={story.mentaos.code}&period={_year()}")
    assert page.status_code == 200
    html = page.content.decode()
    assert re.search(r'data-testid="skm-ikm">100\.00<', html)
    assert re.search(r'data-testid="skm-grade">A<', html)
    assert re.search(r'data-testid="skm-respondents">3<', html)
    assert re.search(r'data-testid="skm-minimum">4<', html)
    assert "Not met yet" in html
    assert "of 4 citizens served" in html
    assert "Very good (Sangat Baik)" in html
    profile = html[html.index('data-testid="skm-profile-sex"') :]
    assert re.search(r"Female</td>\s*<td class=\"text-end\">3</td>", profile)


def test_results_page_without_data_says_not_enough_data(client: Any, story: Story) -> None:
    client.force_login(story.mentaos_clerk)
    html = client.get("/skm/hasil/").content.decode()
    assert re.search(r'data-testid="skm-ikm">Not enough data<', html)
    assert "Kelurahan Mentaos" in html  # the clerk's own unit by default


def test_results_reject_a_period_that_is_not_a_quarter_or_year(client: Any, story: Story) -> None:
    client.force_login(story.mentaos_clerk)
    response = client.get("/skm/hasil/?period=202601")
    assert response.status_code == 400
    assert "per quarter (2026Q1) or per year (2026)" in response.content.decode()


def test_head_of_region_sees_the_city_pooled(
    client: Any, story: Story, mentaos_service: Any, komet_service: Any
) -> None:
    _fill(mentaos_service, 1)
    services.response_submit(token=_invite(komet_service), answers={f"u{i}": 1 for i in range(1, 10)})
    client.force_login(story.head)
    html = client.get(f"/skm/hasil/?period={_year()}").content.decode()
    assert re.search(r'data-testid="skm-ikm">62\.50<', html)  # (4 + 1) / 2 per element → 2.5 × 25
    assert 'data-testid="skm-by-unit"' in html and 'data-testid="skm-by-service"' in html


def _pdf_text(data: bytes) -> str:
    """The text drawn on the PDF's pages (fpdf2 deflates each content stream)."""
    out = [stream.decode("latin-1") for stream in pdf_streams(data)]
    # PDF strings escape their parentheses: "C \\(Kurang Baik\\)".
    return "\n".join(out).replace("\\(", "(").replace("\\)", ")")


def test_pdf_report_carries_the_numbers(client: Any, story: Story, mentaos_service: Any) -> None:
    rows: list[list[int | None]] = [
        [4, 3, 2, 4, 3, 4, 4, 3, 2],
        [3, None, 3, 4, None, 3, 4, 2, None],
        [2, 4, None, 3, 3, 4, 3, 3, 1],
    ]
    for row in rows:
        services.response_submit(
            token=_invite(mentaos_service), answers={f"u{i + 1}": v for i, v in enumerate(row)}, profile={"sex": "L"}
        )
    client.force_login(story.mentaos_clerk)
    response = client.get(f"/skm/hasil/laporan.pdf?unit={story.mentaos.code}&period={_year()}")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    text = _pdf_text(response.content)
    assert "LAPORAN HASIL SURVEI KEPUASAN MASYARAKAT" in text
    assert "Kelurahan Mentaos" in text
    assert "75,46" in text  # IKM of the hand-computed case
    assert "C (Kurang Baik)" in text
    assert "3,019" in text  # index on the 1-4 scale
    assert "3,50" in text and "1,50" in text  # NRR of U2 and U9
    assert "Laki-laki" in text


def test_xlsx_export_carries_the_numbers(client: Any, story: Story, mentaos_service: Any) -> None:
    from openpyxl import load_workbook

    _fill(mentaos_service, 2, occupation="pns")
    client.force_login(story.mentaos_clerk)
    response = client.get(f"/skm/hasil/laporan.xlsx?unit={story.mentaos.code}&period={_year()}")
    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="skm-{story.mentaos.code}-{_year()}.xlsx"'
    wb = load_workbook(io.BytesIO(response.content))
    values = {row[0]: row[1] for row in wb["IKM"].iter_rows(values_only=True) if row and row[0]}
    assert values["IKM unit pelayanan"] == 100.0
    assert values["Mutu pelayanan"] == "A (Sangat Baik)"
    assert values["Jumlah responden"] == 2
    assert values["U4"] == "Biaya/Tarif"
    profile = [r for r in wb["Profil responden"].iter_rows(values_only=True)]
    assert ("Pekerjaan", "PNS", 2) in profile


# ------------------------------------------------------------------------------------------ invite
def test_clerk_opens_a_survey_link_with_a_qr(client: Any, story: Story, mentaos_service: Any) -> None:
    event = serve(mentaos_service)
    client.force_login(story.mentaos_clerk)
    page = client.post(f"/skm/undang/{event.pk}/")
    assert page.status_code == 200
    html = page.content.decode()
    url = re.search(r'data-testid="skm-invite-url">([^<]+)<', html)
    assert url is not None and "/skm/" in url.group(1)
    assert 'src="data:image/svg+xml' in html
    token = url.group(1).rstrip("/").rsplit("/", 1)[-1]
    services.response_submit(token=token, answers=ALL_FOUR)
    assert client.post(f"/skm/undang/{event.pk}/").status_code == 409  # rated: no new link


def test_other_kelurahan_cannot_open_a_survey_link(client: Any, story: Story, mentaos_service: Any) -> None:
    event = serve(mentaos_service)
    client.force_login(story.komet_clerk)
    assert client.post(f"/skm/undang/{event.pk}/").status_code == 404
    assert SurveyInvitation.objects.count() == 0


# --------------------------------------------------------------------------------------------- API
def test_api_submit_and_read_results(client: Any, story: Story, mentaos_service: Any) -> None:
    token = _invite(mentaos_service)
    body = {"token": token, "answers": {**ALL_FOUR, "u9": 3}, "profile": {"sex": "P"}}
    response = client.post("/api/v1/skm/responses", body, content_type="application/json")
    assert response.status_code == 201, response.content
    assert response.json()["received"] is True
    again = client.post("/api/v1/skm/responses", body, content_type="application/json")
    assert again.status_code == 409 and again.json()["reason"] == "used"
    assert SkmResponse.objects.count() == 1

    secret = story.token(story.mentaos_clerk)
    result = client.get(
        f"/api/v1/skm/results?unit={story.mentaos.code}&period={_year()}", HTTP_AUTHORIZATION=f"Bearer {secret}"
    ).json()
    assert result["respondents"] == 1
    assert result["elements"][8] == {
        "code": "u9",
        "name": "Handling of complaints, suggestions and feedback",
        "answered": 1,
        "total": 3,
        "nrr": 3.0,
    }
    # (8 × 4 + 3) / 9 × 25 = 97.2222… → 97.22
    assert result["ikm"] == 97.22
    assert result["grade"] == "A"
    assert result["population"] == 1 and result["minimum_sample"] == 1 and result["sample_met"] is True


@pytest.mark.parametrize(
    ("answers", "field"),
    [({"u1": 5}, "u1"), ({"u3": 0}, "u3"), ({}, "answers")],
)
def test_api_rejects_bad_answers(client: Any, mentaos_service: Any, answers: dict[str, Any], field: str) -> None:
    token = _invite(mentaos_service)
    response = client.post(
        "/api/v1/skm/responses", {"token": token, "answers": answers}, content_type="application/json"
    )
    assert response.status_code == 400
    assert field in response.json()["errors"]
    assert SkmResponse.objects.count() == 0


def test_api_forged_and_expired_tokens(client: Any, mentaos_service: Any) -> None:
    token = _invite(mentaos_service)
    forged = client.post(
        "/api/v1/skm/responses", {"token": "x" * 43, "answers": ALL_FOUR}, content_type="application/json"
    )
    assert forged.status_code == 404
    SurveyInvitation.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    expired = client.post(
        "/api/v1/skm/responses", {"token": token, "answers": ALL_FOUR}, content_type="application/json"
    )
    assert expired.status_code == 410
    assert SkmResponse.objects.count() == 0


def test_api_invitation_for_a_kiosk(client: Any, story: Story, mentaos_service: Any) -> None:
    event = serve(mentaos_service)
    own = story.token(story.mentaos_clerk)
    other = story.token(story.komet_clerk)
    denied = client.post(
        "/api/v1/skm/invitations",
        {"event": event.pk},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {other}",
    )
    assert denied.status_code == 404
    made = client.post(
        "/api/v1/skm/invitations",
        {"event": event.pk},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {own}",
    )
    assert made.status_code == 201
    token = made.json()["token"]
    assert made.json()["url"].endswith(f"/skm/{token}/")
    ok = client.post("/api/v1/skm/responses", {"token": token, "answers": ALL_FOUR}, content_type="application/json")
    assert ok.status_code == 201


def test_api_results_need_a_token(client: Any, story: Story) -> None:
    assert client.get(f"/api/v1/skm/results?unit={story.mentaos.code}").status_code == 401


# --------------------------------------------------------------------------------------------- scope
class TestScoping(ScopingContract):
    def _service(self, story: Story) -> Any:
        from balai.publicservices.models import Service

        return Service.objects.filter(unit=story.mentaos).first() or make_service(story.mentaos)

    def mentaos_urls(self, story: Story) -> list[str]:
        service = self._service(story)
        year = _year()
        unit = story.mentaos.code
        return [
            f"/skm/hasil/?unit={unit}&period={year}",
            f"/skm/hasil/?unit={unit}&service={service.pk}&period={year}",
            f"/skm/hasil/?service={service.pk}",
            f"/skm/hasil/laporan.pdf?unit={unit}&period={year}",
            f"/skm/hasil/laporan.xlsx?unit={unit}&period={year}",
        ]

    def mentaos_api_urls(self, story: Story) -> list[str]:
        service = self._service(story)
        return [
            f"/api/v1/skm/results?unit={story.mentaos.code}&period={_year()}",
            f"/api/v1/skm/results?service={service.pk}",
        ]


def test_results_page_queries_do_not_grow_with_responses(
    client: Any, story: Story, mentaos_service: Any, komet_service: Any
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(story.camat)
    url = f"/skm/hasil/?unit={story.kec_utara.code}&period={_year()}"
    _fill(mentaos_service, 1)
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    _fill(mentaos_service, 4)
    _fill(komet_service, 5)
    with CaptureQueriesContext(connection) as many:
        assert client.get(url).status_code == 200
    assert len(many) == len(few) == 14, [q["sql"] for q in many.captured_queries]


def test_pdf_without_data_says_so(client: Any, story: Story) -> None:
    client.force_login(story.mentaos_clerk)
    response = client.get(f"/skm/hasil/laporan.pdf?unit={story.mentaos.code}&period={_year()}")
    assert response.status_code == 200
    assert "Data belum cukup" in _pdf_text(response.content)
