"""The public report form: validation only; the view files the report through the services."""

from __future__ import annotations

import re
from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from balai.complaints import geo, photos
from balai.complaints.choices import Status
from balai.complaints.models import Category
from balai.complaints.selectors import active_category
from balai.complaints.services import MAX_DESCRIPTION
from balai.org.models import OrgUnit

PHONE_RE = re.compile(r"^\+?[0-9][0-9 \-]{6,18}$")


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleImageField(forms.FileField):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}))
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        files = data if isinstance(data, list | tuple) else ([data] if data else [])
        return [super(MultipleImageField, self).clean(f, initial) for f in files]


# Built once per process and cloned per form: a queryset is only a description of a query (each clone reads
# afresh), but building its filters again costs more than the whole validation of a report (bench/).
_villages_querysets: dict[tuple[int, str], Any] = {}


def villages_choices(pemda: OrgUnit) -> Any:
    key = (pemda.pk, pemda.path)
    queryset = _villages_querysets.get(key)
    if queryset is None:
        queryset = _villages_querysets[key] = (
            OrgUnit.objects.subtree_of(pemda).filter(kind__in=geo.VILLAGE_KINDS, is_active=True).order_by("name")
        )
    return queryset.all()


def active_categories() -> Any:
    return _ACTIVE_CATEGORIES.all()


_ACTIVE_CATEGORIES = Category.objects.filter(is_active=True)


class CategoryField(forms.ModelChoiceField):  # type: ignore[type-arg]
    """The choices are the active categories; the chosen one is looked up in the process's copy of them
    (balai.complaints.selectors.active_category) instead of one query per report (bench/intake_profile.py)."""

    def to_python(self, value: Any) -> Category | None:
        if value in self.empty_values:
            return None
        try:
            category = active_category(pk=int(value))
        except (TypeError, ValueError):
            category = None
        if category is None:
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice", params={"value": value})
        return category


class PublicReportForm(forms.Form):
    # No queryset here: __init__ sets the live one, and Django clones a field's queryset each time it copies
    # the field into a new form (a measurable part of a report's CPU; bench/intake_profile.py).
    category: CategoryField = CategoryField(
        label=_("What is it about?"), queryset=None, empty_label=_("Choose a category")
    )
    description = forms.CharField(
        label=_("Describe the problem"),
        max_length=MAX_DESCRIPTION,
        widget=forms.Textarea(attrs={"rows": 5, "maxlength": MAX_DESCRIPTION}),
    )
    photos = MultipleImageField(
        label=_("Photos"),
        required=False,
        help_text=_("Up to %(n)d photos (JPEG, PNG or WebP, 10 MB each).") % {"n": photos.MAX_CITIZEN_PHOTOS},
    )
    latitude = forms.FloatField(required=False, widget=forms.HiddenInput)
    longitude = forms.FloatField(required=False, widget=forms.HiddenInput)
    territory: forms.ModelChoiceField[OrgUnit] = forms.ModelChoiceField(
        label=_("Kelurahan"), queryset=None, required=False, empty_label=_("Choose a kelurahan")
    )
    address = forms.CharField(label=_("Address or landmark"), max_length=255, required=False)
    reporter_name = forms.CharField(label=_("Your name"), max_length=120, required=False)
    is_anonymous = forms.BooleanField(
        label=_("Anonymous (anonim)"),
        required=False,
        help_text=_("The office handling the report does not see your name or contact."),
    )
    is_confidential = forms.BooleanField(
        label=_("Confidential (rahasia)"),
        required=False,
        help_text=_("The report is not shown on the public list and map."),
    )
    phone = forms.CharField(label=_("Phone (for updates)"), max_length=20, required=False)
    email = forms.EmailField(label=_("Email (for updates)"), required=False)

    def __init__(self, *args: Any, pemda: OrgUnit, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.pemda = pemda
        cast(forms.ModelChoiceField, self.fields["category"]).queryset = active_categories()
        cast(forms.ModelChoiceField, self.fields["territory"]).queryset = villages_choices(pemda)
        self.photo_contents: list[bytes] = []
        self.location_from_photo = False

    def clean_photos(self) -> list[Any]:
        files = self.cleaned_data.get("photos") or []
        if len(files) > photos.MAX_CITIZEN_PHOTOS:
            raise ValidationError(_("At most %(n)d photos can be sent.") % {"n": photos.MAX_CITIZEN_PHOTOS})
        contents: list[bytes] = []
        errors: list[ValidationError] = []
        for f in files:
            if f.size > photos.MAX_BYTES:
                errors.append(ValidationError(_("%(name)s is larger than 10 MB.") % {"name": f.name}))
                continue
            content = f.read()
            try:
                photos.photo_check(content)
            except ValidationError as exc:
                errors.append(ValidationError(f"{f.name}: {' '.join(exc.messages)}"))
                continue
            contents.append(content)
        if errors:
            raise ValidationError(errors)
        self.photo_contents = contents
        return files

    def clean_phone(self) -> str:
        phone = self.cleaned_data["phone"].strip()
        if phone and not PHONE_RE.match(phone):
            raise ValidationError(_("Write the phone number with digits only, e.g. 081234567890."))
        return re.sub(r"[ \-]", "", phone)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        assert data is not None  # Form.clean() returns cleaned_data, which full_clean() has just set
        lat, lon = data.get("latitude"), data.get("longitude")
        territory = data.get("territory")
        if (lat is None) != (lon is None):
            lat = lon = None
        if lat is None and not territory:
            # No pin and no kelurahan: a phone photo usually knows where it was taken.
            for content in self.photo_contents:
                point = photos.read_gps(content)
                if point and geo.territory_for_point(self.pemda, *point):
                    lat, lon = point
                    self.location_from_photo = True
                    break
        if lat is not None and lon is not None:
            try:
                found = geo.territory_at(self.pemda, lat, lon)
            except ValidationError as exc:  # shown above the form, next to the map
                raise exc.error_dict["location"][0] from None
            territory = territory or found
        elif not territory and "category" in data:
            raise ValidationError(
                _("Show us where: drop a pin on the map, use your phone's location, or choose a kelurahan."),
                code="no_location",
            )
        data["latitude"], data["longitude"], data["territory"] = lat, lon, territory
        return data


class LookupForm(forms.Form):
    code = forms.CharField(label=_("Tracking code"), max_length=20)


class ReopenForm(forms.Form):
    reason = forms.CharField(label=_("What is still wrong?"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))


class RatingForm(forms.Form):
    rating = forms.TypedChoiceField(
        label=_("Your rating"), choices=[(i, str(i)) for i in range(1, 6)], coerce=int, widget=forms.RadioSelect
    )
    comment = forms.CharField(
        label=_("Comment"), max_length=1000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class MapFilterForm(forms.Form):
    category = forms.ModelChoiceField(queryset=Category.objects.none(), required=False, empty_label=_("All categories"))
    territory = forms.ModelChoiceField(queryset=OrgUnit.objects.none(), required=False, empty_label=_("All kelurahan"))
    status = forms.ChoiceField(required=False)

    def __init__(self, *args: Any, pemda: OrgUnit, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["category"]).queryset = active_categories()
        cast(forms.ModelChoiceField, self.fields["territory"]).queryset = villages_choices(pemda)
        public = [s for s in Status if s not in (Status.RECEIVED, Status.POSTPONED, Status.ARCHIVED)]
        status_field = cast(forms.ChoiceField, self.fields["status"])
        status_field.choices = [("", _("All statuses"))] + [(s.value, s.label) for s in public]
