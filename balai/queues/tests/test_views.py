"""Queue pages and API: kiosk, ticket status, call screen, clerk console, logbook; scoping (404 elsewhere)."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from django.urls import reverse

from balai.core.testing import ScopingContract, Story
from balai.publicservices.models import ServiceEvent
from balai.queues import services as q
from balai.queues.choices import TicketChannel, TicketState
from balai.queues.models import Ticket
from balai.queues.tests.conftest import Office

pytestmark = pytest.mark.django_db


def kiosk_url(story: Story) -> str:
    return reverse("queues:kiosk", args=[story.mentaos.code])


def bearer(story: Story, user: Any) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {story.token(user)}"}


# ------------------------------------------------------------------------------------------- public
def test_kiosk_shows_a_button_per_service_with_its_letter(client: Any, story: Story, office: Office) -> None:
    html = client.get(kiosk_url(story)).content.decode()
    assert 'data-testid="take-sk-domisili"' in html and 'data-testid="take-sk-usaha"' in html
    assert ">A<" in html and ">B<" in html
    assert "Surat keterangan domisili" in html


def test_taking_a_ticket_on_a_phone_leads_to_its_status_page(client: Any, story: Story, office: Office) -> None:
    response = client.post(kiosk_url(story), {"service": office.domicile.pk})
    t = Ticket.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("queues:ticket", args=[t.key])
    assert t.channel == TicketChannel.PHONE
    page = client.get(response["Location"]).content.decode()
    assert "A-001" in page and "0 people before you" in page


def test_kiosk_mode_ticket_page_offers_print_and_a_qr_code(client: Any, story: Story, office: Office) -> None:
    response = client.post(kiosk_url(story) + "?kiosk=1", {"service": office.domicile.pk, "kiosk": "1"})
    t = Ticket.objects.get()
    assert t.channel == TicketChannel.KIOSK and response["Location"].endswith("?kiosk=1")
    page = client.get(response["Location"]).content.decode()
    assert "data-queue-print" in page and "<svg" in page


def test_kiosk_refuses_a_service_of_another_office(client: Any, story: Story, office: Office) -> None:
    response = client.post(kiosk_url(story), {"service": office.komet_service.pk})
    assert response.status_code == 400
    assert "Choose one of the services shown." in response.content.decode()
    assert Ticket.objects.count() == 0


def test_kiosk_limits_tickets_per_address(client: Any, story: Story, office: Office, settings: Any) -> None:
    settings.BALAI_QUEUE_TAKE_RATE = (2, 600)
    for _ in range(2):
        assert client.post(kiosk_url(story), {"service": office.domicile.pk}).status_code == 302
    response = client.post(kiosk_url(story), {"service": office.domicile.pk})
    assert response.status_code == 400 and "Too many tickets" in response.content.decode()
    assert Ticket.objects.count() == 2


def test_unknown_office_or_office_without_counters_is_404(client: Any, story: Story, office: Office) -> None:
    assert client.get(reverse("queues:kiosk", args=["nope"])).status_code == 404
    assert client.get(reverse("queues:kiosk", args=[story.kec_utara.code])).status_code == 404
    assert client.get(reverse("queues:ticket", args=["not-a-key"])).status_code == 404


def test_ticket_page_shows_place_and_then_the_counter(client: Any, story: Story, office: Office) -> None:
    first = q.ticket_take(office=story.mentaos, service=office.domicile)
    second = q.ticket_take(office=story.mentaos, service=office.domicile)
    url = reverse("queues:ticket", args=[second.key])
    assert "1 person before you" in client.get(url).content.decode()
    q.call_next(actor=story.mentaos_clerk, counter=office.loket1)
    q.call_next(actor=office.clerk2, counter=office.loket2)
    partial = client.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert partial.lstrip().startswith('<div class="card-footer')  # the polled fragment only
    assert "Please go to Loket 2" in partial and first.key not in partial


def test_a_served_citizen_rates_the_service_from_their_ticket(client: Any, story: Story, office: Office) -> None:
    from balai.skm.models import SkmResponse
    from balai.skm.services import response_submit

    t = q.ticket_take(office=story.mentaos, service=office.domicile)
    url = reverse("queues:ticket", args=[t.key])
    waiting = client.post(url, {"action": "rate"}).content.decode()
    assert "has not been served yet" in waiting and 'data-testid="skm-offer"' not in waiting
    q.call_next(actor=story.mentaos_clerk, counter=office.loket1)
    t.refresh_from_db()
    q.serve_start(actor=story.mentaos_clerk, counter=office.loket1, ticket=t)
    q.serve_finish(actor=story.mentaos_clerk, counter=office.loket1, ticket=t)
    t.refresh_from_db()
    assert t.event is not None
    assert 'data-testid="skm-offer"' in client.get(url).content.decode()

    response = client.post(url, {"action": "rate"})
    assert response.status_code == 302
    token = response["Location"].removeprefix("/skm/").strip("/")
    assert client.get(response["Location"]).status_code == 200  # the survey form of this service
    response_submit(token=token, answers={f"u{i}": 3 for i in range(1, 10)})
    assert SkmResponse.objects.filter(event=t.event).count() == 1
    page = client.get(url).content.decode()
    assert 'data-testid="skm-offer-rated"' in page
    assert "already been rated" in client.post(url, {"action": "rate"}).content.decode()
    assert SkmResponse.objects.count() == 1


def test_citizen_cancels_a_waiting_ticket(client: Any, story: Story, office: Office) -> None:
    t = q.ticket_take(office=story.mentaos, service=office.domicile)
    client.post(reverse("queues:ticket", args=[t.key]), {"action": "cancel"})
    assert Ticket.objects.get().state == TicketState.CANCELLED


def test_call_screen_shows_the_number_at_its_counter(
    client: Any, story: Story, office: Office, django_assert_max_num_queries: Any
) -> None:
    q.ticket_take(office=story.mentaos, service=office.domicile)
    q.ticket_take(office=story.mentaos, service=office.letter)
    q.call_next(actor=office.clerk2, counter=office.loket2)
    url = reverse("queues:screen_state", args=[story.mentaos.code])
    with django_assert_max_num_queries(6):
        html = client.get(url).content.decode()
    assert 'data-testid="screen-latest-code">A-001<' in html
    assert 'data-testid="screen-latest-counter">Loket 2<' in html
    assert "Surat keterangan usaha: 1 waiting" in html
    full = client.get(reverse("queues:screen", args=[story.mentaos.code])).content.decode()
    assert "queues_screen.js" in full and 'hx-trigger="every 3s"' in full
    assert "<script>" not in full and "style=" not in full  # strict CSP


# -------------------------------------------------------------------------------------------- console
def test_console_lists_only_the_clerks_office_counters(client: Any, story: Story, office: Office) -> None:
    client.force_login(story.mentaos_clerk)
    html = client.get(reverse("queues:console")).content.decode()
    assert html.count('data-testid="console-counter"') == 2 and "Kelurahan Komet" not in html


def test_clerk_calls_starts_and_finishes_with_htmx(client: Any, story: Story, office: Office) -> None:
    t = q.ticket_take(office=story.mentaos, service=office.domicile)
    client.force_login(story.mentaos_clerk)
    url = reverse("queues:console_action", args=[office.loket1.pk])
    html = client.post(url, {"action": "next"}, HTTP_HX_REQUEST="true").content.decode()
    assert 'data-testid="console-current">A-001<' in html and "Calling A-001." in html
    client.post(url, {"action": "start", "ticket": t.pk}, HTTP_HX_REQUEST="true")
    html = client.post(url, {"action": "finish", "ticket": t.pk}, HTTP_HX_REQUEST="true").content.decode()
    assert "A-001 served and recorded." in html and 'data-testid="console-served">1<' in html
    assert ServiceEvent.objects.get().kind == "queue"


def test_call_next_with_nobody_waiting_tells_the_clerk(client: Any, story: Story, office: Office) -> None:
    client.force_login(story.mentaos_clerk)
    url = reverse("queues:console_action", args=[office.loket1.pk])
    html = client.post(url, {"action": "next"}, HTTP_HX_REQUEST="true").content.decode()
    assert "Nobody is waiting for the services of Loket 1." in html


def test_bad_action_is_a_clear_error_and_changes_nothing(client: Any, story: Story, office: Office) -> None:
    t = q.ticket_take(office=story.mentaos, service=office.domicile)
    client.force_login(story.mentaos_clerk)
    url = reverse("queues:console_action", args=[office.loket1.pk])
    response = client.post(url, {"action": "finish", "ticket": t.pk}, HTTP_HX_REQUEST="true")
    assert response.status_code == 400 and "A-001 is waiting, not at Loket 1." in response.content.decode()
    assert client.post(url, {"action": "start", "ticket": "x"}, HTTP_HX_REQUEST="true").status_code == 404
    assert Ticket.objects.get().state == TicketState.WAITING


def test_clerk_cannot_act_on_a_ticket_of_another_office(client: Any, story: Story, office: Office) -> None:
    komet_ticket = q.ticket_take(office=story.komet, service=office.komet_service)
    client.force_login(story.mentaos_clerk)
    url = reverse("queues:console_action", args=[office.loket1.pk])
    assert client.post(url, {"action": "skip", "ticket": komet_ticket.pk}).status_code == 404
    # ... nor use another office's counter.
    other = reverse("queues:console_action", args=[office.komet_counter.pk])
    assert client.post(other, {"action": "next"}).status_code == 404
    assert Ticket.objects.get().state == TicketState.WAITING


def test_walk_in_from_the_console_and_the_logbook(client: Any, story: Story, office: Office) -> None:
    client.force_login(story.mentaos_clerk)
    response = client.post(
        reverse("queues:console_walk_in", args=[office.loket2.pk]),
        {"service": office.letter.pk, "minutes": "5", "note": "Legalisir"},
    )
    assert response.status_code == 302
    response = client.post(reverse("queues:logbook", args=[story.mentaos.code]), {"service": office.domicile.pk})
    assert response.status_code == 302
    events = list(ServiceEvent.objects.order_by("pk").values_list("kind", "counter_id", "service_seconds", "note"))
    assert events == [("walk_in", office.loket2.pk, 300, "Legalisir"), ("walk_in", None, None, "")]


def test_the_clerk_hands_the_last_citizen_a_survey_link(client: Any, story: Story, office: Office) -> None:
    from balai.skm.services import response_submit

    client.force_login(story.mentaos_clerk)
    console = reverse("queues:console_counter", args=[office.loket2.pk])
    assert 'data-testid="console-last-served"' not in client.get(console).content.decode()
    client.post(reverse("queues:console_walk_in", args=[office.loket2.pk]), {"service": office.letter.pk})
    page = client.get(console).content.decode()
    assert 'data-testid="console-last-served"' in page and "Surat keterangan usaha" in page
    event = ServiceEvent.objects.get()
    invite = client.post(reverse("skm:invite", args=[event.pk]))
    assert invite.status_code == 200 and 'data-testid="skm-invite-url"' in invite.content.decode()
    token = re.search(r"/skm/([A-Za-z0-9_-]{16,128})/", invite.content.decode())
    assert token is not None

    # The logbook offers the same for its entries; once rated, neither offers it again.
    client.post(reverse("queues:logbook", args=[story.mentaos.code]), {"service": office.domicile.pk})
    logbook = client.get(reverse("queues:logbook", args=[story.mentaos.code])).content.decode()
    assert logbook.count('data-testid="skm-invite"') == 2
    response_submit(token=token.group(1), answers={f"u{i}": 4 for i in range(1, 10)})
    assert 'data-testid="console-last-served"' not in client.get(console).content.decode()
    logbook = client.get(reverse("queues:logbook", args=[story.mentaos.code])).content.decode()
    assert logbook.count('data-testid="skm-invite"') == 1


def test_walk_in_bad_minutes_is_refused(client: Any, story: Story, office: Office) -> None:
    client.force_login(story.mentaos_clerk)
    response = client.post(
        reverse("queues:console_walk_in", args=[office.loket2.pk]),
        {"service": office.letter.pk, "minutes": "-3"},
        follow=True,
    )
    assert "greater than or equal to 0" in response.content.decode()
    assert ServiceEvent.objects.count() == 0


# ------------------------------------------------------------------------------------------------ API
def test_api_take_follow_call_and_serve(client: Any, story: Story, office: Office) -> None:
    response = client.post(
        f"/api/v1/queues/{story.mentaos.code}/tickets",
        json.dumps({"service": office.domicile.pk}),
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["code"], body["state"], body["ahead"]) == ("A-001", "waiting", 0)
    auth = bearer(story, story.mentaos_clerk)
    called = client.post(f"/api/v1/queues/counters/{office.loket1.pk}/call-next", **auth).json()
    assert called["current"]["code"] == "A-001" and called["current"]["key"] is None
    status = client.get(f"/api/v1/queues/tickets/{body['key']}").json()
    assert (status["state"], status["counter"]) == ("called", "Loket 1")
    ref = json.dumps({"ticket": body["id"]})
    start = client.post(
        f"/api/v1/queues/counters/{office.loket1.pk}/start", ref, content_type="application/json", **auth
    )
    assert start.status_code == 200
    visit = client.post(
        f"/api/v1/queues/counters/{office.loket1.pk}/serve", ref, content_type="application/json", **auth
    )
    assert visit.status_code == 200 and visit.json()["kind"] == "queue"
    screen = client.get(f"/api/v1/queues/{story.mentaos.code}/screen").json()
    assert screen["recent"][0]["code"] == "A-001" and screen["callKey"]


def test_api_errors_are_clear(client: Any, story: Story, office: Office) -> None:
    response = client.post(
        f"/api/v1/queues/{story.mentaos.code}/tickets",
        json.dumps({"service": office.komet_service.pk}),
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "is not served at the counters of Kelurahan Mentaos" in response.json()["message"]
    auth = bearer(story, story.mentaos_clerk)
    empty = client.post(f"/api/v1/queues/counters/{office.loket1.pk}/call-next", **auth)
    assert empty.status_code == 400 and "Nobody is waiting" in empty.json()["message"]
    komet = client.post(f"/api/v1/queues/counters/{office.komet_counter.pk}/call-next", **auth)
    assert komet.status_code == 404
    assert client.post(f"/api/v1/queues/counters/{office.loket1.pk}/call-next").status_code == 401


class TestScoping(ScopingContract):
    @pytest.fixture(autouse=True)
    def _office(self, office: Office) -> None:
        self.office = office

    def mentaos_urls(self, story: Story) -> list[str]:
        return [
            reverse("queues:console_counter", args=[self.office.loket1.pk]),
            reverse("queues:logbook", args=[story.mentaos.code]),
        ]

    def mentaos_api_urls(self, story: Story) -> list[str]:
        return [f"/api/v1/queues/counters/{self.office.loket1.pk}"]
