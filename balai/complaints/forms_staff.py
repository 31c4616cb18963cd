"""Forms of the staff pages. They only parse input; the services decide and write."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from balai.complaints.choices import Channel, Classification, Status
from balai.complaints.models import Category
from balai.org.models import OrgUnit, User

MAX_PROOF_PHOTOS = 5


def _style(form: forms.Form) -> None:
    """Tabler classes on the widgets, so templates can render fields without per-field markup."""
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, (forms.HiddenInput, forms.RadioSelect, forms.CheckboxSelectMultiple)):
            continue
        if isinstance(widget, forms.CheckboxInput):
            widget.attrs.setdefault("class", "form-check-input")
        elif isinstance(widget, forms.Select):
            widget.attrs.setdefault("class", "form-select")
        else:
            widget.attrs.setdefault("class", "form-control")


class ActionForm(forms.Form):
    """Every action posts the version of the report it was rendered with (fields prefixed by the action name;
    the template adds an unprefixed ``action`` input that says which form was sent)."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    action_name = ""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", self.action_name)
        super().__init__(*args, **kwargs)
        _style(self)


class UnitChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return obj.name


class VerifyForm(ActionForm):
    action_name = "verify"
    title = forms.CharField(label=_("Title"), max_length=200)
    classification = forms.ChoiceField(label=_("Classification"), choices=Classification.choices)
    category = forms.ModelChoiceField(label=_("Category"), queryset=Category.objects.filter(is_active=True))
    tags = forms.CharField(label=_("Tags"), required=False, help_text=_("Separated by commas."))
    unit = UnitChoiceField(label=_("Responsible unit"), queryset=OrgUnit.objects.none())

    def __init__(self, *args: Any, units: QuerySet[OrgUnit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units  # type: ignore[attr-defined]

    def clean_tags(self) -> list[str]:
        return [t.strip() for t in self.cleaned_data["tags"].split(",") if t.strip()]


class PostponeForm(ActionForm):
    action_name = "postpone"
    reason = forms.CharField(label=_("What is missing"), widget=forms.Textarea(attrs={"rows": 2}))


class NotAuthorityForm(ActionForm):
    action_name = "not_authority"
    authority = forms.CharField(label=_("Authority that handles it"), max_length=200)


class ArchiveForm(ActionForm):
    action_name = "archive"
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))


class DisposeForm(ActionForm):
    action_name = "dispose"
    unit = UnitChoiceField(label=_("Send to unit"), queryset=OrgUnit.objects.none())
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, units: QuerySet[OrgUnit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units  # type: ignore[attr-defined]


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return obj.display_name


class AssignForm(ActionForm):
    action_name = "assign"
    assignee = PersonChoiceField(
        label=_("Assign to"), queryset=User.objects.none(), required=False, empty_label=_("Nobody")
    )

    def __init__(self, *args: Any, people: QuerySet[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = people  # type: ignore[attr-defined]


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleImageField(forms.ImageField):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}))
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        items = data if isinstance(data, (list, tuple)) else ([data] if data else [])
        if len(items) > MAX_PROOF_PHOTOS:
            raise ValidationError(_("At most %(n)d photos.") % {"n": MAX_PROOF_PHOTOS})
        return [super(MultipleImageField, self).clean(item, initial) for item in items]


class RespondForm(ActionForm):
    action_name = "respond"
    text = forms.CharField(label=_("Message"), widget=forms.Textarea(attrs={"rows": 3}))
    is_public = forms.TypedChoiceField(
        label=_("Visibility"),
        choices=[("1", _("Public response (sent to the reporter)")), ("0", _("Internal note"))],
        coerce=lambda v: v == "1",
        initial="1",
        widget=forms.RadioSelect,
    )
    status = forms.ChoiceField(label=_("Change status to"), required=False)
    photos = MultipleImageField(label=_("Proof photos"), required=False)

    def __init__(self, *args: Any, next_statuses: list[str], with_photos: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        statuses = [(s, Status(s).label) for s in next_statuses]
        self.fields["status"].choices = [("", _("(unchanged)")), *statuses]  # type: ignore[attr-defined]
        if not with_photos:
            del self.fields["photos"]


class MergeForm(ActionForm):
    action_name = "merge"
    original = forms.CharField(label=_("Tracking code of the original report"), max_length=20)


class ModerateForm(ActionForm):
    action_name = "moderate"
    public_description = forms.CharField(
        label=_("Description for the public"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    hide = forms.BooleanField(label=_("Hide the whole report from the public"), required=False)
    hide_photos = forms.TypedMultipleChoiceField(
        label=_("Hide photos"), required=False, coerce=int, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args: Any, photo_choices: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["hide_photos"].choices = photo_choices  # type: ignore[attr-defined]


class QueueFilterForm(forms.Form):
    category = forms.ChoiceField(label=_("Category"), required=False)
    kelurahan = forms.ChoiceField(label=_("Kelurahan"), required=False)
    status = forms.ChoiceField(label=_("Status"), required=False, choices=[("", _("All")), *list(Status.choices)])
    channel = forms.ChoiceField(label=_("Channel"), required=False, choices=[("", _("All")), *list(Channel.choices)])
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)

    def __init__(self, *args: Any, categories: list[tuple[str, str]], kelurahan: list[tuple[str, str]], **kw: Any):
        super().__init__(*args, **kw)
        self.fields["category"].choices = [("", _("All")), *categories]  # type: ignore[attr-defined]
        self.fields["kelurahan"].choices = [("", _("All")), *kelurahan]  # type: ignore[attr-defined]
        _style(self)


def add_service_errors(form: forms.Form, exc: ValidationError) -> None:
    """Put a service's ValidationError on the form: field errors where the field exists, else non-field."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            target = field if field in form.fields else None
            for error in errors:
                form.add_error(target, error)
    else:
        for message in exc.messages:
            form.add_error(None, message)
