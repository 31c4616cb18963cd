"""Forms of the catalogue pages. They parse input; the rules live in ``services`` (its messages land on the
fields through :func:`put_errors`)."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from balai.org.forms import BalaiForm
from balai.org.models import OrgUnit
from balai.publicservices import selectors
from balai.publicservices.models import Service


def put_errors(form: forms.Form, exc: ValidationError) -> None:
    """A service ValidationError onto the form: on the field it names when the form has it, else on top."""
    if hasattr(exc, "error_dict"):
        for name, errors in exc.error_dict.items():
            msgs = [m for e in errors for m in e.messages]
            form.add_error(name if name in form.fields else None, msgs)
    else:
        form.add_error(None, exc.messages)


class SearchForm(forms.Form):
    """The public search box and filters (GET); bad values are ignored, never an error page."""

    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    wilayah = forms.CharField(label=_("Area"), required=False, max_length=40)
    jenis = forms.ChoiceField(
        label=_("Office"), required=False, choices=[("", _("All offices")), *selectors.GROUP_CHOICES]
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["q"].widget.attrs.update(
            {"class": "form-control", "placeholder": _("e.g. KTP, akta kelahiran, domisili"), "type": "search"}
        )
        self.fields["jenis"].widget.attrs["class"] = "form-select"

    def values(self) -> tuple[str, str, str]:
        """(words, area code, office group); a field with a bad value is dropped, the others still apply."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        q = str(self.data.get("q") or "")[:100].strip()
        return q, (data.get("wilayah") or "").strip(), data.get("jenis") or ""


class ServiceForm(BalaiForm):
    unit = forms.ModelChoiceField(
        label=_("Office"),
        queryset=OrgUnit.objects.none(),
        to_field_name="code",
        help_text=_("The office that gives the service. It cannot be changed later."),
    )
    code = forms.CharField(
        label=_("Code"),
        max_length=60,
        help_text=_("Short, lower-case letters, digits and dashes, e.g. sk-domisili. Unique in the office."),
    )
    name_id = forms.CharField(label=_("Name (Indonesian)"), max_length=200)
    name_en = forms.CharField(label=_("Name (English)"), max_length=200, required=False)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2}), max_length=4000
    )
    requirements = forms.CharField(
        label=_("Requirements (persyaratan)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=4000,
        help_text=_("One requirement per line, in plain Indonesian, e.g. Fotokopi KTP."),
    )
    procedure = forms.CharField(
        label=_("Procedure (prosedur)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=4000,
        help_text=_("One step per line, in the order the citizen goes through them."),
    )
    time_limit_days = forms.IntegerField(
        label=_("Time limit (working days)"),
        min_value=1,
        max_value=365,
        initial=1,
        help_text=_("Counted in working days on the Pemda's holiday calendar."),
    )
    cost = forms.DecimalField(
        label=_("Cost (Rp)"), min_value=0, decimal_places=0, max_digits=12, initial=0, help_text=_("0 when free.")
    )
    cost_note = forms.CharField(
        label=_("Cost basis"),
        max_length=255,
        required=False,
        help_text=_("The regulation that sets the cost, or why it is free, e.g. UU 24/2013 pasal 79A."),
    )
    cost_varies = forms.BooleanField(
        label=_("The cost is computed per application (a levy by floor area, distance...)"),
        required=False,
        help_text=_("Then the cost above is the lowest amount (0 when none) and the cost basis explains the rule."),
    )
    product = forms.CharField(label=_("Product (produk layanan)"), max_length=255, required=False)
    complaint_channel = forms.CharField(
        label=_("Complaints handling"),
        max_length=255,
        required=False,
        help_text=_("Where citizens complain about this service; the public page always links the report form."),
    )
    is_online = forms.BooleanField(label=_("Can be applied for online"), required=False)
    is_active = forms.BooleanField(label=_("Active (shown in the public catalogue)"), required=False, initial=True)
    sort_order = forms.IntegerField(label=_("Order"), min_value=0, initial=100)

    def __init__(self, *args: Any, user: Any, service: Service | None = None, **kwargs: Any) -> None:
        if service is not None:
            kwargs.setdefault("initial", {name: getattr(service, name) for name in ServiceForm.service_fields_names()})
        super().__init__(*args, **kwargs)
        if service is None:
            cast(forms.ModelChoiceField, self.fields["unit"]).queryset = selectors.managed_units(user)
        else:
            del self.fields["unit"]

    @staticmethod
    def service_fields_names() -> tuple[str, ...]:
        from balai.publicservices.services import SERVICE_FIELDS

        return SERVICE_FIELDS

    def service_values(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self.service_fields_names()}


class ServiceChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name} · {obj.unit.short_name or obj.unit.name}"


class CounterForm(BalaiForm):
    """A counter of one office (chosen before the form: the services offered depend on it)."""

    name = forms.CharField(label=_("Name"), max_length=60, help_text=_("As shown on the call screen, e.g. Loket 1."))
    services = ServiceChoiceField(
        label=_("Services served here"),
        queryset=Service.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    is_active = forms.BooleanField(label=_("Open"), required=False, initial=True)

    def __init__(self, *args: Any, unit: OrgUnit, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Checkboxes: Tabler's form-check-input goes on each box, not on the list.
        self.fields["services"].widget.attrs["class"] = "form-check-input"
        cast(forms.ModelChoiceField, self.fields["services"]).queryset = selectors.counter_service_choices(unit)
