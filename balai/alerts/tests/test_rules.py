"""Rule validation (refused with the reason, nothing saved) and the rules admin pages."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from balai.alerts.choices import RuleKind
from balai.alerts.models import AlertRule
from balai.alerts.services import alert_rule_set_active
from balai.alerts.tests.helpers import make_indicator, rule
from balai.core.models import AuditEvent
from balai.core.testing import Story, sign_in
from balai.indicators.models import Indicator

pytestmark = pytest.mark.django_db
ACHIEVEMENT_RANGE = "The achievement must be a percentage of the target above 0 and at most 1000."


@pytest.fixture(autouse=True)
def english(settings: Any) -> None:
    settings.LANGUAGE_CODE = "en"


def refused(**kw: Any) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as exc:
        rule(**kw)
    assert AlertRule.objects.count() == 0
    return exc.value.message_dict


def test_inactive_indicator_is_refused(story: Story) -> None:
    ind = make_indicator("test.old", is_active=False)
    errors = refused(indicator=ind, kind=RuleKind.ABOVE_THRESHOLD, threshold=5, scope=story.root)
    assert errors == {"indicator": ["Indicator test.old is inactive: a rule on it would never run."]}


def test_deleted_indicator_is_refused(story: Story) -> None:
    ind = make_indicator("test.gone")
    ind.delete()
    errors = refused(indicator=ind, kind=RuleKind.ABOVE_THRESHOLD, threshold=5, scope=story.root)
    assert errors == {"indicator": ["The indicator does not exist (it may have been deleted)."]}


@pytest.mark.parametrize(
    ("kind", "threshold", "polarity", "message"),
    [
        (RuleKind.BELOW_TARGET, 0, 1, ACHIEVEMENT_RANGE),
        (RuleKind.BELOW_TARGET, 1200, 1, ACHIEVEMENT_RANGE),
        (RuleKind.WORSE_THAN_PREVIOUS, 150, 1, "The change must be a percentage above 0 and at most 100."),
        (RuleKind.WORSE_THAN_PREVIOUS, -5, -1, "The change must be a percentage above 0 and at most 1000."),
        (RuleKind.ABOVE_THRESHOLD, -1, -1, "Values of test.count are never negative: a negative limit is meaningless."),
        (RuleKind.BELOW_THRESHOLD, 0, 1, "Values of test.count are never below 0: the rule could never alert."),
        (RuleKind.ABOVE_THRESHOLD, None, 1, "This kind of rule needs a threshold."),
    ],
)
def test_thresholds_out_of_range_are_refused(
    story: Story, kind: str, threshold: float | None, polarity: int, message: str
) -> None:
    ind = make_indicator("test.count", polarity=polarity)
    assert refused(indicator=ind, kind=kind, threshold=threshold, scope=story.root) == {"threshold": [message]}


def test_rising_backlog_may_double(story: Story) -> None:
    ind = make_indicator("test.backlog", polarity=-1)
    r = rule(ind, RuleKind.WORSE_THAN_PREVIOUS, 150, story.root)
    assert r.threshold == 150


def test_finer_period_than_the_indicator_is_refused(story: Story) -> None:
    ind = make_indicator("test.quarterly", period_type="quarter")
    errors = refused(indicator=ind, kind=RuleKind.NO_DATA, threshold=None, scope=story.root, period_type="month")
    assert errors == {"period_type": ["Indicator test.quarterly is quarterly: a rule cannot check a finer period."]}


def test_polarity_rule_on_a_neutral_indicator_is_refused(story: Story) -> None:
    ind = make_indicator("test.received", polarity=0)
    errors = refused(indicator=ind, kind=RuleKind.BELOW_TARGET, threshold=100, scope=story.root)
    assert errors == {
        "kind": ["Indicator test.received has no better direction (neutral polarity): use a threshold instead."]
    }


def test_no_data_drops_a_threshold_and_checks_kinds_and_owners(story: Story) -> None:
    ind = make_indicator("test.count")
    r = rule(ind, RuleKind.NO_DATA, 7, story.root)
    assert r.threshold is None
    with pytest.raises(ValidationError) as exc:
        rule(ind, RuleKind.NO_DATA, None, story.root, ["rw"], owner_roles=["head_of_region"])
    assert exc.value.message_dict == {
        "checked_kinds": ["Choose which units are checked."],
        "owner_roles": ["Choose who is responsible for the alerts."],
    }
    assert AlertRule.objects.count() == 1


def test_only_an_admin_of_the_scope_manages_rules(story: Story) -> None:
    ind = make_indicator("test.count")
    with pytest.raises(PermissionDenied):
        rule(ind, RuleKind.NO_DATA, None, story.mentaos, actor=story.camat)
    assert AlertRule.objects.count() == 0


def test_reactivating_a_rule_on_an_inactive_indicator_is_refused(story: Story) -> None:
    ind = make_indicator("test.count")
    r = rule(ind, RuleKind.NO_DATA, None, story.root)
    alert_rule_set_active(actor=story.admin, rule=r, active=False)
    Indicator.objects.filter(pk=ind.pk).update(is_active=False)
    with pytest.raises(ValidationError) as exc:
        alert_rule_set_active(actor=story.admin, rule=r, active=True)
    assert exc.value.messages == ["Indicator test.count is inactive: the rule cannot run."]
    r.refresh_from_db()
    assert r.is_active is False
    assert AuditEvent.objects.filter(action="alert_rule.deactivate").count() == 1


# ------------------------------------------------------------------------------------------- pages
def form_data(**kw: Any) -> dict[str, Any]:
    data = {
        "name": "Aduan lewat tenggat",
        "indicator": "test.count",
        "kind": RuleKind.ABOVE_THRESHOLD,
        "threshold": "10",
        "scope_unit": "63.72",
        "checked_kinds": ["kelurahan"],
        "period_type": "month",
        "checked_period": "current",
        "severity": "critical",
        "owner_roles": ["kelurahan_operator", "camat"],
    }
    data.update(kw)
    return data


def test_admin_creates_a_rule_from_the_page(client: Any, story: Story) -> None:
    make_indicator("test.count", polarity=-1)
    sign_in(client, story.admin)
    response = client.post(reverse("alerts:rule_create"), form_data())
    assert response.status_code == 302
    r = AlertRule.objects.select_related("indicator").get()
    assert r.indicator is not None
    assert (r.name, r.indicator.code, r.threshold, r.scope_unit, r.checked_kinds, r.severity) == (
        "Aduan lewat tenggat",
        "test.count",
        10.0,
        story.root,
        ["kelurahan"],
        "critical",
    )
    assert AuditEvent.objects.filter(action="alert_rule.create", actor=story.admin).count() == 1


def test_unknown_indicator_code_is_refused_on_the_page(client: Any, story: Story) -> None:
    sign_in(client, story.admin)
    response = client.post(reverse("alerts:rule_create"), form_data(indicator="complaints.nope"))
    assert response.status_code == 400
    assert "No indicator has the code complaints.nope." in response.content.decode()
    assert AlertRule.objects.count() == 0


def test_negative_threshold_is_refused_on_the_page(client: Any, story: Story) -> None:
    make_indicator("test.count", polarity=-1)
    sign_in(client, story.admin)
    response = client.post(reverse("alerts:rule_create"), form_data(threshold="-3"))
    assert response.status_code == 400
    assert "Values of test.count are never negative: a negative limit is meaningless." in response.content.decode()
    assert AlertRule.objects.count() == 0


def test_rules_page_says_why_a_rule_stopped(client: Any, story: Story) -> None:
    ind = make_indicator("test.count")
    rule(ind, RuleKind.NO_DATA, None, story.root)
    Indicator.objects.filter(pk=ind.pk).update(is_active=False)
    sign_in(client, story.admin)
    response = client.get(reverse("alerts:rules"))
    assert response.status_code == 200
    assert "Stopped: indicator test.count is inactive." in response.content.decode()


def test_admin_deactivates_a_rule(client: Any, story: Story) -> None:
    r = rule(make_indicator("test.count"), RuleKind.NO_DATA, None, story.root)
    sign_in(client, story.admin)
    response = client.post(reverse("alerts:rule_toggle", args=[r.pk]), {"active": "0"})
    assert response.status_code == 302
    r.refresh_from_db()
    assert (r.is_active, r.stopped_reason) == (False, "Deactivated.")


def test_rules_pages_are_404_for_non_admins(client: Any, story: Story) -> None:
    r = rule(make_indicator("test.count"), RuleKind.NO_DATA, None, story.root)
    for user in (story.head, story.skpd_operator, story.mentaos_clerk):
        client.force_login(user)
        for url in (reverse("alerts:rules"), reverse("alerts:rule_create"), reverse("alerts:rule_edit", args=[r.pk])):
            assert client.get(url).status_code == 404, (user.username, url)


def test_admin_edits_a_rule_and_the_form_shows_its_values(client: Any, story: Story) -> None:
    r = rule(make_indicator("test.count", polarity=-1), RuleKind.ABOVE_THRESHOLD, 10, story.root, ["kelurahan"])
    sign_in(client, story.admin)
    page = client.get(reverse("alerts:rule_edit", args=[r.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert '<option value="test.count" selected>' in html
    assert 'value="kelurahan" class="form-check-input" id="id_checked_kinds_4" checked' in html
    response = client.post(reverse("alerts:rule_edit", args=[r.pk]), form_data(threshold="15.5"))
    assert response.status_code == 302
    r.refresh_from_db()
    assert (r.threshold, r.severity) == (15.5, "critical")
    event = AuditEvent.objects.get(action="alert_rule.update")
    assert event.changes["threshold"] == {"before": 10.0, "after": 15.5}


def test_editing_a_rule_of_an_inactive_indicator_names_it(client: Any, story: Story) -> None:
    ind = make_indicator("test.count", polarity=-1)
    r = rule(ind, RuleKind.ABOVE_THRESHOLD, 10, story.root, ["kelurahan"])
    Indicator.objects.filter(pk=ind.pk).update(is_active=False)
    sign_in(client, story.admin)
    page = client.get(reverse("alerts:rule_edit", args=[r.pk]))
    assert '<option value="test.count" selected>' in page.content.decode()
    assert "Stopped: indicator test.count is inactive." in page.content.decode()
    response = client.post(reverse("alerts:rule_edit", args=[r.pk]), form_data(threshold="12"))
    assert response.status_code == 400
    assert "Indicator test.count is inactive: a rule on it would never run." in response.content.decode()
    r.refresh_from_db()
    assert r.threshold == 10.0
    response = client.post(reverse("alerts:rule_edit", args=[r.pk]), form_data(indicator=""))
    assert "Choose an indicator." in response.content.decode()
