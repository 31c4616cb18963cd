"""Forms of the queue pages: validation at the edge, the service functions decide the rest."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from balai.publicservices.models import Counter, Service
from balai.queues.services import MAX_SERVICE_MINUTES


class TakeForm(forms.Form):
    service = forms.ModelChoiceField(
        queryset=Service.objects.none(), error_messages={"invalid_choice": _("Choose one of the services shown.")}
    )
    kiosk = forms.BooleanField(required=False)

    def __init__(self, *args: Any, services: list[Service], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["service"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Service.objects.filter(pk__in=[s.pk for s in services])


class WalkInForm(forms.Form):
    service = forms.ModelChoiceField(
        label=_("Service"),
        queryset=Service.objects.none(),
        widget=forms.Select(attrs={"class": "form-select"}),
        error_messages={"invalid_choice": _("Choose one of the services of this office.")},
    )
    minutes = forms.IntegerField(
        label=_("Service time (minutes)"),
        required=False,
        min_value=0,
        max_value=MAX_SERVICE_MINUTES,
        widget=forms.NumberInput(attrs={"class": "form-control", "inputmode": "numeric"}),
    )
    note = forms.CharField(
        label=_("What for (no NIK)"),
        required=False,
        max_length=255,
        help_text=_("Optional, e.g. legalisir KK."),
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )

    def __init__(self, *args: Any, services: list[Service], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["service"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Service.objects.filter(pk__in=[s.pk for s in services]).order_by("sort_order", "name_id")


class TransferForm(forms.Form):
    to_counter = forms.ModelChoiceField(
        label=_("To counter"),
        queryset=Counter.objects.none(),
        required=False,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    to_service = forms.ModelChoiceField(
        label=_("To service"),
        queryset=Service.objects.none(),
        required=False,
        widget=forms.Select(attrs={"class": "form-select"}),
    )

    def __init__(self, *args: Any, counters: list[Counter], services: list[Service], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        to_counter = self.fields["to_counter"]
        to_service = self.fields["to_service"]
        assert isinstance(to_counter, forms.ModelChoiceField) and isinstance(to_service, forms.ModelChoiceField)
        to_counter.queryset = Counter.objects.filter(pk__in=[c.pk for c in counters]).order_by("name")
        to_service.queryset = Service.objects.filter(pk__in=[s.pk for s in services]).order_by("sort_order", "name_id")
