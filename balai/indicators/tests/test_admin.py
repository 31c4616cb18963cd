"""Indicator admin: defining external indicators, the module indicators' locked definition, who may do it."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse

from balai.core.audit import AuditEvent
from balai.core.testing import Story, sign_in
from balai.indicators.models import Indicator
from balai.indicators.services import (
    IndicatorDefinition,
    facts_import,
    indicator_create,
    indicator_deactivate,
    indicator_update,
    indicators_sync,
)
from balai.org import services as org
from balai.org.roles import Role

pytestmark = pytest.mark.django_db

MENTAOS = "63.72.04.1002"


@pytest.fixture(autouse=True)
def english(client: Client, in_english: None) -> None:
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


def _definition(code: str = "attendance.late_rate", **kw: Any) -> IndicatorDefinition:
    values: dict[str, Any] = {
        "name_id": "Keterlambatan ASN",
        "name_en": "Late arrivals",
        "period_type": "month",
        "aggregation": "ratio",
        "value_type": "percentage",
        "unit": "%",
        "polarity": -1,
        "decimals": 1,
        "ratio_factor": 100.0,
    }
    values.update(kw)
    return IndicatorDefinition(code=code, **values)


def test_admin_creates_an_external_indicator_audited(story: Story) -> None:
    indicator = indicator_create(
        actor=story.admin, definition=_definition(owner=story.diskominfo, is_public=True, category="kepegawaian")
    )
    row = Indicator.objects.get(code="attendance.late_rate")
    assert (row.source, row.aggregation, row.period_type, row.polarity, row.decimals, row.ratio_factor) == (
        "external",
        "ratio",
        "month",
        -1,
        1,
        100.0,
    )
    assert (row.owner, row.is_public, row.category, row.is_active) == (story.diskominfo, True, "kepegawaian", True)
    event = AuditEvent.objects.get(action="indicator.create")
    assert (event.actor, event.object_id) == (story.admin, str(indicator.pk))


@pytest.mark.parametrize(
    ("kw", "field", "message"),
    [
        (
            {"code": "Late-Rate"},
            "code",
            "Use lower-case letters, digits and underscores in two to five parts separated by dots, at most 80 "
            "characters, e.g. attendance.late_rate.",
        ),
        (
            {"code": "nodots"},
            "code",
            "Use lower-case letters, digits and underscores in two to five parts separated by dots, at most 80 "
            "characters, e.g. attendance.late_rate.",
        ),
        ({"code": "complaints.late"}, "code", "Codes starting with complaints. belong to the complaints module."),
        ({"decimals": 5}, "decimals", "Decimals must be between 0 and 4."),
        ({"decimals": -1}, "decimals", "Decimals must be between 0 and 4."),
        ({"ratio_factor": 0.0}, "ratio_factor", "The factor must be a number greater than 0, e.g. 100 or 1000."),
        ({"name_en": "  "}, "name_en", "Enter a name."),
        ({"aggregation": "mean_of_ratios"}, "aggregation", "Choose an aggregation."),
        ({"period_type": "decade"}, "period_type", "Choose a period type."),
        ({"value_type": "text"}, "value_type", "Choose a value type."),
        ({"polarity": 2}, "polarity", "Choose a polarity."),
    ],
)
def test_a_bad_definition_is_refused_with_its_reason(
    story: Story, kw: dict[str, Any], field: str, message: str
) -> None:
    code = kw.pop("code", "attendance.late_rate")
    with pytest.raises(ValidationError) as exc:
        indicator_create(actor=story.admin, definition=_definition(code, **kw))
    assert exc.value.message_dict[field] == [message]
    assert not Indicator.objects.filter(code=code).exists()
    assert not AuditEvent.objects.filter(action="indicator.create").exists()


def test_duplicate_code_and_owner_that_is_not_an_office_are_refused(story: Story) -> None:
    indicator_create(actor=story.admin, definition=_definition())
    with pytest.raises(ValidationError) as exc:
        indicator_create(actor=story.admin, definition=_definition(owner=story.mentaos))
    assert exc.value.message_dict == {
        "code": ["An indicator with the code attendance.late_rate already exists."],
        "owner": ["The owner must be an active office: the Pemda, a perangkat daerah, UPTD or division."],
    }
    assert Indicator.objects.filter(code="attendance.late_rate").count() == 1


def test_code_aggregation_and_period_type_are_fixed_once_there_are_facts(story: Story) -> None:
    indicator = indicator_create(actor=story.admin, definition=_definition(aggregation="sum", value_type="integer"))
    # Without data anything may still change.
    indicator = indicator_update(
        actor=story.admin, indicator=indicator, definition=_definition(aggregation="average", value_type="number")
    )
    facts_import(actor=None, rows=[{"dataElement": indicator.code, "orgUnit": MENTAOS, "period": "202601", "value": 3}])
    with pytest.raises(ValidationError) as exc:
        indicator_update(
            actor=story.admin,
            indicator=indicator,
            definition=_definition("attendance.late_days", aggregation="sum", period_type="quarter"),
        )
    assert exc.value.message_dict == {
        "code": ["The code cannot change once the indicator has data."],
        "aggregation": ["The aggregation cannot change once the indicator has data."],
        "period_type": ["The period type cannot change once the indicator has data."],
    }
    row = Indicator.objects.get(pk=indicator.pk)
    assert (row.code, row.aggregation, row.period_type) == ("attendance.late_rate", "average", "month")
    # Names, descriptions, polarity and the rest stay editable.
    indicator_update(
        actor=story.admin, indicator=row, definition=_definition(aggregation="average", name_en="Late", polarity=0)
    )
    row.refresh_from_db()
    assert (row.name_en, row.polarity) == ("Late", 0)
    assert AuditEvent.objects.filter(action="indicator.update").count() == 2


def test_a_module_indicator_keeps_its_definition_but_admin_fields_change(story: Story) -> None:
    indicators_sync(actor=None)
    received = Indicator.objects.get(code="complaints.received")
    changed = IndicatorDefinition.of(received)
    changed.name_en = "Complaints in"
    changed.aggregation = "average"
    with pytest.raises(ValidationError) as exc:
        indicator_update(actor=story.admin, indicator=received, definition=changed)
    locked = "Declared by the complaints module: only public, owner, sort order and active can change."
    assert exc.value.message_dict == {"name_en": [locked], "aggregation": [locked]}
    allowed = IndicatorDefinition.of(received)
    allowed.owner, allowed.sort_order, allowed.is_public = story.diskominfo, 5, False
    indicator_update(actor=story.admin, indicator=received, definition=allowed)
    indicators_sync(actor=None)  # the next deploy's sync keeps the administrator's choices
    received.refresh_from_db()
    assert (received.owner, received.sort_order, received.is_public, received.name_en) == (
        story.diskominfo,
        5,
        False,
        "Reports received",
    )


def test_deactivate_is_audited_and_hides_the_indicator_from_imports(story: Story) -> None:
    indicator = indicator_create(actor=story.admin, definition=_definition())
    indicator_deactivate(actor=story.admin, indicator=indicator)
    assert not Indicator.objects.get(pk=indicator.pk).is_active
    assert AuditEvent.objects.filter(action="indicator.deactivate", object_id=str(indicator.pk)).exists()
    summary = facts_import(
        actor=None, rows=[{"dataElement": indicator.code, "orgUnit": MENTAOS, "period": "202601", "value": 3}]
    )
    assert summary.imported == 0 and len(summary.conflicts) == 1


def test_only_an_administrator_of_the_whole_pemda_defines_indicators(story: Story) -> None:
    kec_admin = org.user_create(actor=None, username="admin_utara", full_name="Admin Utara", password=None)
    org.role_assign(actor=None, user=kec_admin, role=Role.ADMIN, org_unit=story.kec_utara)
    for user in (story.skpd_operator, story.camat, story.head, kec_admin):
        with pytest.raises(PermissionDenied):
            indicator_create(actor=user, definition=_definition())
    assert not Indicator.objects.filter(code="attendance.late_rate").exists()


# ------------------------------------------------------------------------------------------- pages
def test_admin_pages_are_404_for_everyone_but_the_city_administrator(client: Client, story: Story) -> None:
    indicator_create(actor=story.admin, definition=_definition())
    urls = [
        reverse("indicators:manage"),
        reverse("indicators:manage_add"),
        reverse("indicators:manage_edit", args=["attendance.late_rate"]),
    ]
    for user in (story.skpd_operator, story.camat, story.head, story.mentaos_clerk, story.auditor):
        sign_in(client, user)
        for url in urls:
            assert client.get(url).status_code == 404, (user, url)
        assert client.post(reverse("indicators:manage_deactivate", args=["attendance.late_rate"])).status_code == 404
    assert Indicator.objects.get(code="attendance.late_rate").is_active
    sign_in(client, story.admin)
    for url in urls:
        assert client.get(url).status_code == 200, url


def test_admin_creates_a_computed_indicator_through_the_page(client: Client, story: Story) -> None:
    indicators_sync(actor=None)
    sign_in(client, story.admin)
    form = {
        "code": "rates.complaints_per_1000",
        "name_id": "Aduan per 1.000 penduduk",
        "name_en": "Complaints per 1,000 residents",
        "value_type": "number",
        "aggregation": "computed",
        "period_type": "month",
        "polarity": "-1",
        "decimals": "2",
        "ratio_factor": "1000",
        "numerator": ["complaints.received"],
        "denominator": ["population.residents"],
        "owner": "DISKOMINFO",
        "sort_order": "60",
        "is_public": "on",
        "is_active": "on",
    }
    response = client.post(reverse("indicators:manage_add"), form)
    assert response.status_code == 302, response.context["form"].errors
    rate = Indicator.objects.get(code="rates.complaints_per_1000")
    assert (rate.aggregation, rate.ratio_factor, rate.owner, rate.is_public) == (
        "computed",
        1000.0,
        story.diskominfo,
        True,
    )
    assert sorted(rate.terms.values_list("component__code", "role")) == [
        ("complaints.received", "numerator"),
        ("population.residents", "denominator"),
    ]
    detail = client.get(reverse("indicators:detail", args=[rate.code]))
    assert "complaints.received" in detail.content.decode()
    # A bad factor comes back on the form, nothing saved.
    response = client.post(reverse("indicators:manage_add"), {**form, "code": "rates.other", "ratio_factor": "0"})
    assert response.status_code == 400
    assert response.context["form"].errors["ratio_factor"] == [
        "The factor must be a number greater than 0, e.g. 100 or 1000."
    ]
    assert not Indicator.objects.filter(code="rates.other").exists()


def test_the_edit_page_of_a_module_indicator_offers_only_the_admin_fields(client: Client, story: Story) -> None:
    indicators_sync(actor=None)
    sign_in(client, story.admin)
    url = reverse("indicators:manage_edit", args=["complaints.received"])
    page = client.get(url)
    assert sorted(page.context["form"].fields) == ["is_active", "is_public", "owner", "sort_order"]
    response = client.post(url, {"sort_order": "7", "owner": "DINKES", "is_active": "on", "name_en": "Ignored"})
    assert response.status_code == 302
    row = Indicator.objects.get(code="complaints.received")
    assert (row.sort_order, row.owner, row.is_public, row.name_en) == (7, story.dinkes, False, "Reports received")


def test_the_foundation_external_indicators_are_locked_like_module_ones(story: Story) -> None:
    indicators_sync(actor=None)
    residents = Indicator.objects.get(code="population.residents")
    changed = IndicatorDefinition.of(residents)
    changed.period_type = "quarter"
    with pytest.raises(ValidationError) as exc:
        indicator_update(actor=story.admin, indicator=residents, definition=changed)
    assert exc.value.message_dict == {
        "period_type": ["Declared by the foundation module: only public, owner, sort order and active can change."]
    }
