"""Edge validation of the org pages: shapes and required fields only.

The rules (codes unique, which kind may sit under which, NIP parts) live in ``services``; a
service ``ValidationError`` comes back onto the form with :func:`add_service_errors`, so a clerk
sees the message next to the field it is about.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from balai.org.choices import ALLOWED_CHILDREN, OFFICE_KINDS, EmploymentType, Sex, UnitKind
from balai.org.models import OrgUnit
from balai.org.validators import parse_nik, parse_nip


def add_service_errors(form: forms.Form, exc: ValidationError) -> None:
    """Put a service's ValidationError (dict or list) on the form: on the field it names, else on top."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            messages = [m for e in errors for m in e.messages]
            form.add_error(field if field in form.fields else None, messages)
    else:
        form.add_error(None, exc.messages)


class BalaiForm(forms.Form):
    """A form whose widgets carry Tabler's classes, so templates render fields without inline markup."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for bound_field in self.fields.values():
            widget = bound_field.widget
            if isinstance(widget, forms.HiddenInput):
                continue
            if isinstance(widget, forms.CheckboxInput):
                css = "form-check-input"
            elif isinstance(widget, forms.Select):
                css = "form-select"
            else:
                css = "form-control"
            widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()

    def add_error(self, field: str | None, error: Any) -> None:
        super().add_error(field, error)
        # Tabler draws the field red with is-invalid; mark every field that now has an error.
        for name in self.errors:
            if name in self.fields:
                widget = self.fields[name].widget
                if "is-invalid" not in widget.attrs.get("class", ""):
                    widget.attrs["class"] = f"{widget.attrs.get('class', '')} is-invalid".strip()


class UnitEditForm(BalaiForm):
    name = forms.CharField(label=_("Name"), max_length=200)
    short_name = forms.CharField(label=_("Short name"), max_length=60, required=False)
    code = forms.CharField(label=_("Code"), max_length=40)
    kemendagri_code = forms.CharField(label=_("Kemendagri region code"), max_length=20, required=False)
    is_active = forms.BooleanField(label=_("Active"), required=False)

    FIELDS = ("name", "short_name", "code", "kemendagri_code", "is_active")

    @classmethod
    def for_unit(cls, unit: OrgUnit, data: Any = None) -> UnitEditForm:
        return cls(data, initial={f: getattr(unit, f) for f in cls.FIELDS})


class UnitAddForm(BalaiForm):
    kind = forms.ChoiceField(label=_("Kind"))
    name = forms.CharField(label=_("Name"), max_length=200)
    short_name = forms.CharField(label=_("Short name"), max_length=60, required=False)
    code = forms.CharField(label=_("Code"), max_length=40)
    kemendagri_code = forms.CharField(label=_("Kemendagri region code"), max_length=20, required=False)

    def __init__(self, *args: Any, parent: OrgUnit, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        allowed = ALLOWED_CHILDREN[parent.kind]
        self.fields["code"].help_text = _("Unique in the whole tree, for example %(example)s.") % {
            "example": f"{parent.code}.001"
        }
        if not allowed & {UnitKind.KECAMATAN, UnitKind.KELURAHAN, UnitKind.DESA}:
            del self.fields["kemendagri_code"]  # RW, RT and offices have no Kemendagri code
        choices = [(value, label) for value, label in UnitKind.choices if value in allowed]
        kind = self.fields["kind"]
        assert isinstance(kind, forms.ChoiceField)
        kind.choices = choices
        if len(choices) == 1:
            kind.initial = choices[0][0]


class CsvUploadForm(BalaiForm):
    file = forms.FileField(label=_("CSV file"), widget=forms.FileInput(attrs={"accept": ".csv,text/csv"}))

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > settings.BALAI_IMPORT_MAX_BYTES:
            raise ValidationError(
                _("The file is too large (%(size)s bytes); the limit is %(limit)s bytes.")
                % {"size": upload.size, "limit": settings.BALAI_IMPORT_MAX_BYTES}
            )
        return upload


class ImportConfirmForm(forms.Form):
    token = forms.CharField(widget=forms.HiddenInput, max_length=64)


class PegawaiForm(BalaiForm):
    # Longer than 18 on purpose: NIPs are often written "19850312 201001 1 001"; the service
    # strips the spaces and its message names the part of the NIP that is wrong.
    nip = forms.CharField(label="NIP", max_length=30, help_text=_("18 digits; spaces are allowed."))
    name = forms.CharField(label=_("Name"), max_length=200)
    org_unit = forms.ModelChoiceField(label=_("Unit"), queryset=OrgUnit.objects.none(), to_field_name="code")
    employment_type = forms.ChoiceField(
        label=_("Employment type"), choices=EmploymentType.choices, initial=EmploymentType.PNS
    )
    position = forms.CharField(label=_("Position (jabatan)"), max_length=200, required=False)
    rank = forms.CharField(label=_("Rank (golongan)"), max_length=10, required=False)
    birth_date = forms.DateField(
        label=_("Birth date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("Leave empty to take it from the NIP."),
    )
    sex = forms.ChoiceField(
        label=_("Sex"),
        required=False,
        choices=[("", "—"), *Sex.choices],
        help_text=_("Leave empty to take it from the NIP."),
    )
    tmt_cpns = forms.DateField(
        label=_("Start of service (TMT CPNS)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("Leave empty to take it from the NIP."),
    )
    nik = forms.CharField(label="NIK", max_length=20, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=20, required=False)
    email = forms.EmailField(label=_("Email"), required=False)
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    DERIVED = ("birth_date", "sex", "tmt_cpns")
    PLAIN = ("nip", "name", "org_unit", "employment_type", "position", "rank", "nik", "phone", "email", "is_active")

    def __init__(self, *args: Any, units: QuerySet[OrgUnit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["org_unit"]
        assert isinstance(field, forms.ModelChoiceField)
        # ASN work in offices; RW and RT are territories only.
        field.queryset = units.filter(kind__in=OFFICE_KINDS).order_by("path")

    def clean_nip(self) -> str:
        # The same check the service runs, here too so a clerk sees every field's error at once.
        nip = self.cleaned_data["nip"].replace(" ", "")
        parse_nip(nip)
        return nip

    def clean_nik(self) -> str:
        nik = self.cleaned_data["nik"].replace(" ", "")
        if nik:
            parse_nik(nik)
        return nik

    def service_data(self, *, editing: bool) -> dict[str, Any]:
        """Keyword arguments for pegawai_create/pegawai_update.

        Birth date, sex and TMT left empty are not sent, so the service derives them from the NIP;
        on edit, when the NIP changes and these were not touched, they are re-derived too.
        """
        data = {name: self.cleaned_data[name] for name in self.PLAIN}
        nip_changed = "nip" in self.changed_data
        for name in self.DERIVED:
            value = self.cleaned_data.get(name)
            if value in (None, ""):
                continue
            if editing and nip_changed and name not in self.changed_data:
                continue
            data[name] = value
        return data
