"""What the survey page renders (radio groups with big tap targets) and the results filter."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from balai.skm.choices import PROFILE_FIELDS
from balai.skm.questions import ELEMENTS


def survey_questions(data: Mapping[str, Any], errors: Mapping[str, list[str]]) -> list[dict[str, Any]]:
    """The nine elements with the answer already chosen (after a rejected submit) and their errors.

    The page posts plain radio values; :func:`balai.skm.services.response_submit` is the one validator, so the
    page and the API accept and refuse exactly the same answers.
    """
    return [
        {
            "element": e,
            "options": e.options,
            "chosen": str(data.get(e.code, "")),
            "errors": errors.get(e.code, []),
        }
        for e in ELEMENTS
    ]


PROFILE_LABELS = {"sex": _("Sex"), "age_band": _("Age"), "education": _("Education"), "occupation": _("Occupation")}


def profile_questions(data: Mapping[str, Any], errors: Mapping[str, list[str]]) -> list[dict[str, Any]]:
    return [
        {
            "name": name,
            "label": PROFILE_LABELS[name],
            "options": list(choices.choices),
            "chosen": str(data.get(name, "")),
            "errors": errors.get(name, []),
        }
        for name, choices in PROFILE_FIELDS.items()
    ]


class ResultsFilterForm(forms.Form):
    unit = forms.ChoiceField(label=_("Unit"), required=False)
    service = forms.ChoiceField(label=_("Service"), required=False)
    period = forms.ChoiceField(label=_("Period"), required=False)

    def __init__(
        self,
        *args: Any,
        units: list[tuple[str, str]],
        services: list[tuple[str, str]],
        periods: list[tuple[str, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["unit"]).choices = units
        cast(forms.ChoiceField, self.fields["service"]).choices = [("", _("All services")), *services]
        cast(forms.ChoiceField, self.fields["period"]).choices = periods
