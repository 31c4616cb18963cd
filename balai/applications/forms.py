"""Forms of the citizen pages and of the desk. The rules live in services.py; these only shape the input."""

from __future__ import annotations

import secrets
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from balai.applications.choices import FieldType, Status
from balai.applications.models import FormField, RequiredDocument
from balai.org.forms import BalaiForm
from balai.publicservices.models import Service


class ContactForm(BalaiForm):
    contact = forms.CharField(
        label=_("E-mail address or mobile number"),
        max_length=254,
        widget=forms.TextInput(attrs={"autocomplete": "username", "inputmode": "email", "autofocus": True}),
    )


class CodeForm(BalaiForm):
    code = forms.CharField(
        label=_("Code"),
        max_length=12,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "pattern": "[0-9 ]*", "autofocus": True}
        ),
    )


def _question(field: FormField, initial: Any = None) -> forms.Field:
    common: dict[str, Any] = {
        "label": field.label,
        "required": field.is_required,
        "help_text": field.help_text,
        "initial": initial,
    }
    if field.field_type == FieldType.TEXTAREA:
        return forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=4000, **common)
    if field.field_type == FieldType.NUMBER:
        return forms.CharField(widget=forms.TextInput(attrs={"inputmode": "decimal"}), max_length=40, **common)
    if field.field_type == FieldType.DATE:
        return forms.CharField(widget=forms.DateInput(attrs={"type": "date"}), max_length=10, **common)
    if field.field_type == FieldType.CHOICE:
        options = [("", "—")] + [(o, o) for o in field.options]
        return forms.ChoiceField(choices=options, **common)
    return forms.CharField(max_length=500, **common)


class _ServiceForm(BalaiForm):
    """Fields and documents of one service; values are re-checked by the service function."""

    def __init__(self, *args: Any, service: Service, answers: dict[str, str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.service = service
        self.questions = list(FormField.objects.filter(service=service))
        self.requirements = list(RequiredDocument.objects.filter(service=service))
        for q in self.questions:
            self.fields[f"field_{q.code}"] = _question(q, (answers or {}).get(q.code))
        for r in self.requirements:
            self.fields[f"doc_{r.code}"] = forms.FileField(
                label=r.name,
                required=False,  # "required" is the service's check, with its message naming the document
                widget=forms.ClearableFileInput(attrs={"accept": r.accept_attr}),
            )
            self.fields[f"doc_{r.code}"].requirement = r  # type: ignore[attr-defined]
        for name, field in self.fields.items():
            if name.startswith(("field_", "doc_")):
                css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
                field.widget.attrs["class"] = css

    def answers(self) -> dict[str, str]:
        return {q.code: self.data.get(f"field_{q.code}", "") for q in self.questions}

    def uploads(self) -> dict[str, Any]:
        return {r.code: self.files.get(f"doc_{r.code}") for r in self.requirements}

    def question_fields(self) -> list[forms.BoundField]:
        return [self[f"field_{q.code}"] for q in self.questions]

    def document_fields(self) -> list[forms.BoundField]:
        return [self[f"doc_{r.code}"] for r in self.requirements]

    def add_service_errors(self, exc: ValidationError) -> None:
        if not hasattr(exc, "error_dict"):
            self.add_error(None, exc.messages)
            return
        for key, messages in exc.message_dict.items():
            self.add_error(key if key in self.fields else None, messages)


class ApplyForm(_ServiceForm):
    applicant_name = forms.CharField(
        label=_("Full name (as on your KTP)"),
        max_length=120,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    nik = forms.CharField(
        label=_("NIK"),
        max_length=20,
        help_text=_("The 16-digit number on your KTP."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=64)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial["idempotency_key"] = secrets.token_urlsafe(24)


class RevisionForm(_ServiceForm):
    version = forms.IntegerField(widget=forms.HiddenInput)
    note = forms.CharField(
        label=_("Note to the office"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class DeskFilterForm(BalaiForm):
    status = forms.ChoiceField(label=_("Status"), required=False, choices=[("", _("All")), *Status.choices])
    service = forms.TypedChoiceField(label=_("Service"), required=False, coerce=int, empty_value=None)
    overdue = forms.BooleanField(label=_("Past the time limit only"), required=False)
    q = forms.CharField(label=_("Tracking number"), required=False, max_length=20)

    def __init__(self, *args: Any, services: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["service"].choices = [("", _("All")), *services]  # type: ignore[attr-defined]


class DeskActionForm(BalaiForm):
    ACTIONS = ("verify", "revision", "process", "approve", "reject", "issue")
    action = forms.ChoiceField(choices=[(a, a) for a in ACTIONS])
    version = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.CharField(required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))


class FormFieldForm(BalaiForm):
    code = forms.SlugField(label=_("Code"), max_length=40)
    label = forms.CharField(label=_("Label"), max_length=200)
    field_type = forms.ChoiceField(label=_("Type"), choices=FieldType.choices)
    is_required = forms.BooleanField(label=_("Required"), required=False, initial=True)
    choices = forms.CharField(
        label=_("Options (for a choice, one per line)"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    help_text = forms.CharField(label=_("Help text"), required=False, max_length=255)
    order = forms.IntegerField(label=_("Order"), min_value=0, max_value=999, initial=100)


class RequiredDocumentForm(BalaiForm):
    code = forms.SlugField(label=_("Code"), max_length=40)
    name = forms.CharField(label=_("Name"), max_length=200)
    accepted_types = forms.MultipleChoiceField(
        label=_("Accepted types"),
        choices=[("pdf", "PDF"), ("jpeg", "JPEG"), ("png", "PNG")],
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
        initial=["pdf", "jpeg", "png"],
    )
    max_mb = forms.IntegerField(label=_("Largest size (MB)"), min_value=1, max_value=20, initial=2)
    is_required = forms.BooleanField(label=_("Required"), required=False, initial=True)
    order = forms.IntegerField(label=_("Order"), min_value=0, max_value=999, initial=100)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["accepted_types"].widget.attrs["class"] = "form-check-input"


class ResultTemplateForm(BalaiForm):
    title = forms.CharField(label=_("Title"), required=False, max_length=200)
    opening = forms.CharField(label=_("Opening text"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    closing = forms.CharField(label=_("Closing text"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    signer_title = forms.CharField(label=_("Signed by (position)"), required=False, max_length=200)
    signer_name = forms.CharField(label=_("Signed by (name)"), required=False, max_length=200)
