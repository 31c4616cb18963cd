"""The audit log viewer: auditors and admins read their subtree's events; everyone else gets 404."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.test import Client

from balai.core.audit import audit_record
from balai.core.models import AuditEvent
from balai.core.testing import PASSWORD, Story, sign_in
from balai.org import services
from balai.org.models import OrgUnit, User
from balai.org.roles import Role

pytestmark = pytest.mark.django_db

UTC = dt.UTC


@pytest.fixture(autouse=True)
def english(client: Client) -> None:
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


def rows(response) -> int:
    return response.content.decode().count('data-testid="audit-row"')


def event_at(
    when: dt.datetime, *, action: str = "test.event", unit: OrgUnit | None = None, actor: User | None = None
) -> AuditEvent:
    event = audit_record(actor=actor, action=action, org_unit=unit, object_repr="x")
    AuditEvent.objects.filter(pk=event.pk).update(created_at=when)
    return event


@pytest.fixture
def kec_auditor(story: Story) -> User:
    user = services.user_create(actor=None, username="auditor_utara", password=PASSWORD)
    services.role_assign(actor=None, user=user, role=Role.AUDITOR, org_unit=story.kec_utara)
    return user


def test_auditor_reads_the_log_newest_first(client: Client, story: Story) -> None:
    for _ in range(10):
        audit_record(actor=None, action="test.filler", org_unit=story.mentaos)
    newest = event_at(dt.datetime(2030, 1, 1, tzinfo=UTC), action="test.newest", unit=story.mentaos)
    sign_in(client, story.auditor)
    response = client.get("/audit/")
    assert response.status_code == 200
    assert rows(response) == 50  # the story alone writes more than one page
    html = response.content.decode()
    assert html.index("test.newest") < html.index("role.assign")
    assert f'href="/audit/{newest.pk}/"' in html


def test_komet_clerk_gets_404(client: Client, story: Story) -> None:
    event = AuditEvent.objects.filter(org_unit=story.komet).first()
    assert event is not None
    sign_in(client, story.komet_clerk)
    assert client.get("/audit/").status_code == 404
    assert client.get(f"/audit/{event.pk}/").status_code == 404
    assert client.get("/audit/", {"format": "csv"}).status_code == 404


def test_admin_reads_the_log(client: Client, story: Story) -> None:
    sign_in(client, story.admin)
    assert client.get("/audit/").status_code == 200


def test_anonymous_is_sent_to_login(client: Client, story: Story) -> None:
    response = client.get("/audit/")
    assert response.status_code == 302
    assert response["Location"] == "/org/login/?next=/audit/"


def test_kecamatan_auditor_sees_only_their_subtree(client: Client, story: Story, kec_auditor: User) -> None:
    palam = OrgUnit.objects.get(code="63.72.03.1001")
    inside = event_at(dt.datetime(2030, 1, 1, tzinfo=UTC), action="test.inside", unit=story.mentaos)
    outside = event_at(dt.datetime(2030, 1, 1, tzinfo=UTC), action="test.outside", unit=palam)
    no_unit = event_at(dt.datetime(2030, 1, 1, tzinfo=UTC), action="test.nounit")
    sign_in(client, kec_auditor)
    html = client.get("/audit/", {"action": "test."}).content.decode()
    assert "test.inside" in html
    assert "test.outside" not in html
    assert "test.nounit" not in html  # unit-less events are for Pemda-level roles only
    assert client.get(f"/audit/{inside.pk}/").status_code == 200
    assert client.get(f"/audit/{outside.pk}/").status_code == 404
    assert client.get(f"/audit/{no_unit.pk}/").status_code == 404


def test_filters_by_actor_action_and_object_type(client: Client, story: Story) -> None:
    services.orgunit_update(actor=story.admin, unit=story.komet, name="Kelurahan Komet Raya")
    sign_in(client, story.auditor)
    by_actor = client.get("/audit/", {"actor": "ADMIN"})
    assert rows(by_actor) == AuditEvent.objects.filter(actor_label="admin").count() == 1
    by_action = client.get("/audit/", {"action": "role."})
    assert rows(by_action) == AuditEvent.objects.filter(action__startswith="role.").count() == 8
    by_type = client.get("/audit/", {"object_type": "org.user"})
    assert rows(by_type) == AuditEvent.objects.filter(object_type="org.user").count() == 9


def test_date_range_uses_local_days(client: Client, story: Story) -> None:
    # 16:30 UTC on 2 January is 00:30 WITA on 3 January in Banjarbaru.
    late = event_at(dt.datetime(2026, 1, 2, 16, 30, tzinfo=UTC), action="test.late")
    early = event_at(dt.datetime(2026, 1, 2, 15, 30, tzinfo=UTC), action="test.early")
    sign_in(client, story.auditor)
    html = client.get("/audit/", {"date_from": "2026-01-03", "date_to": "2026-01-03"}).content.decode()
    assert "test.late" in html and "test.early" not in html
    html = client.get("/audit/", {"date_from": "2026-01-02", "date_to": "2026-01-02"}).content.decode()
    assert "test.early" in html and "test.late" not in html
    assert late.pk != early.pk


def test_reversed_date_range_is_explained(client: Client, story: Story) -> None:
    sign_in(client, story.auditor)
    response = client.get("/audit/", {"date_from": "2026-02-01", "date_to": "2026-01-01"})
    assert response.status_code == 200
    assert "The end date is before the start date" in response.content.decode()


def test_pagination_has_fifty_a_page(client: Client, story: Story) -> None:
    for _ in range(60):
        audit_record(actor=None, action="test.filler", org_unit=story.mentaos)
    sign_in(client, story.auditor)
    total = AuditEvent.objects.count()
    assert rows(client.get("/audit/")) == 50
    assert rows(client.get("/audit/", {"page": 2})) == 50
    assert rows(client.get("/audit/", {"page": 3})) == total - 100
    assert rows(client.get("/audit/", {"action": "test.filler", "page": "2"})) == 10


def test_csv_export_follows_the_filters(client: Client, story: Story) -> None:
    sign_in(client, story.auditor)
    response = client.get("/audit/", {"action": "role.", "format": "csv"})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="audit-')
    text = b"".join(response.streaming_content).decode("utf-8-sig")  # type: ignore[attr-defined]
    table = list(csv.DictReader(io.StringIO(text)))
    assert len(table) == 8
    assert {r["action"] for r in table} == {"role.assign"}
    assert table[0]["time"].endswith("+08:00")  # local time, WITA
    assert "kelurahan_operator" in "".join(r["changes"] for r in table)


def test_csv_cells_cannot_become_formulas(client: Client, story: Story) -> None:
    audit_record(actor=None, action="test.formula", org_unit=story.mentaos, object_repr='=HYPERLINK("x")')
    sign_in(client, story.auditor)
    response = client.get("/audit/", {"action": "test.", "format": "csv"})
    text = b"".join(response.streaming_content).decode()  # type: ignore[attr-defined]
    assert "'=HYPERLINK" in text


def test_detail_shows_changes_as_before_and_after(client: Client, story: Story) -> None:
    services.orgunit_update(actor=story.admin, unit=story.komet, name="Kelurahan Komet Raya")
    event = AuditEvent.objects.get(action="orgunit.update")
    sign_in(client, story.auditor)
    response = client.get(f"/audit/{event.pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    table = html[html.index('data-testid="audit-changes"') :]
    assert table.index("Kelurahan Komet") < table.index("Kelurahan Komet Raya")
    assert "<code>name</code>" in table
    assert "admin" in html
