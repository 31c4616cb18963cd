"""Forms of the report settings pages (categories, routing rules, Open311 apps).

They parse input and show every problem at once; the rules themselves live in ``catalogue`` (the forms
call its checks so the clerk sees each message next to its field, and the service checks them again).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from balai.complaints import catalogue
from balai.complaints.choices import Classification
from balai.complaints.models import Category
from balai.org.choices import OFFICE_KINDS, UnitKind
from balai.org.forms import BalaiForm
from balai.org.models import OrgUnit
from balai.org.selectors import pemda_root

LADDER_HELP = _(
    "Working days, counted on the Pemda's holiday calendar. The LAPOR! ladder: a first response within 3; "
    "an information request or a complaint resolved within 5; a case without field inspection within 14; "
    "with field inspection within 60."
)
DATATYPE_CHOICES = [
    ("string", _("Short text")),
    ("text", _("Long text")),
    ("number", _("Number")),
    ("datetime", _("Date and time")),
    ("singlevaluelist", _("Choose one from a list")),
    ("multivaluelist", _("Choose several from a list")),
]
CATEGORY_FIELDS = (
    "name_id",
    "name_en",
    "description_id",
    "description_en",
    "classification",
    "first_response_days",
    "resolution_days",
    "default_unit",
    "keywords",
    "sort_order",
)


def _pemda_units() -> QuerySet[OrgUnit]:
    root = pemda_root()
    qs = OrgUnit.objects.filter(is_active=True).select_related("parent").order_by("path")
    return qs.filter(path__startswith=root.path) if root is not None else qs.none()


def offices() -> QuerySet[OrgUnit]:
    """The Pemda's offices: where a report can be sent."""
    return _pemda_units().filter(kind__in=OFFICE_KINDS)


def kelurahan() -> QuerySet[OrgUnit]:
    return _pemda_units().filter(kind__in=catalogue.ROUTABLE_KINDS)


def kecamatan() -> QuerySet[OrgUnit]:
    return _pemda_units().filter(kind=UnitKind.KECAMATAN)


class UnitField(forms.ModelChoiceField):
    """A unit chosen by its code; the label says where in the tree it sits."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("to_field_name", "code")
        super().__init__(*args, **kwargs)

    def label_from_instance(self, obj: Any) -> str:
        if obj.kind in catalogue.ROUTABLE_KINDS and obj.parent is not None:
            return f"{obj.name} · {obj.parent.short_name or obj.parent.name}"
        return str(obj.name)


def put_errors(form: forms.Form, exc: ValidationError) -> None:
    """A catalogue ValidationError onto the form: on the field it names when the form has it, else on top."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            messages = [m for e in errors for m in e.messages]
            form.add_error(field if field in form.fields else None, messages)
    else:
        form.add_error(None, exc.messages)


# ------------------------------------------------------------------------------------------ categories
class CategoryForm(BalaiForm):
    code = forms.CharField(
        label=_("Code"),
        max_length=catalogue.CODE_MAX,
        help_text=_(
            "Lower-case letters, digits, “-” or “_”, for example lampu-jalan. It is the Open311 service_code "
            "apps use, so it cannot be changed later."
        ),
    )
    name_id = forms.CharField(
        label=_("Name (Indonesian)"),
        max_length=120,
        error_messages={"required": _("The Indonesian name is required.")},
    )
    name_en = forms.CharField(
        label=_("Name (English)"),
        max_length=120,
        error_messages={"required": _("The English name is required.")},
    )
    description_id = forms.CharField(
        label=_("Description (Indonesian)"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    description_en = forms.CharField(
        label=_("Description (English)"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    classification = forms.ChoiceField(
        label=_("Default classification"), choices=Classification.choices, initial=Classification.PENGADUAN
    )
    # No min/max on the fields: the catalogue's messages explain the LAPOR! ladder, Django's would not.
    first_response_days = forms.IntegerField(
        label=_("First response within (working days)"),
        initial=3,
        help_text=LADDER_HELP,
        widget=forms.NumberInput(attrs={"min": 1, "max": catalogue.MAX_DAYS}),
    )
    resolution_days = forms.IntegerField(
        label=_("Resolution within (working days)"),
        initial=5,
        help_text=_("At least the first response's days and at most 60: 5, 14 or 60 on the LAPOR! ladder."),
        widget=forms.NumberInput(attrs={"min": 1, "max": catalogue.MAX_DAYS}),
    )
    default_unit = UnitField(
        label=_("Default responsible unit"),
        queryset=OrgUnit.objects.none(),
        required=False,
        help_text=_("Suggested at verification when no routing rule covers the report's kelurahan."),
        error_messages={
            "invalid_choice": _(
                "Choose an active office of the Pemda (an agency, UPTD, division, kecamatan or kelurahan)."
            )
        },
    )
    keywords = forms.CharField(
        label=_("Keywords"),
        max_length=255,
        required=False,
        help_text=_("Separated by commas; Open311 apps use them to find the category."),
    )
    sort_order = forms.IntegerField(label=_("Order in lists"), initial=100, help_text=_("Smaller numbers come first."))

    def __init__(self, *args: Any, instance: Category | None = None, **kwargs: Any) -> None:
        self.instance = instance
        if instance is not None:
            initial = {name: getattr(instance, name) for name in CATEGORY_FIELDS}
            initial["default_unit"] = instance.default_unit.code if instance.default_unit else None
            initial["code"] = instance.code
            kwargs["initial"] = {**initial, **kwargs.get("initial", {})}
        super().__init__(*args, **kwargs)
        unit = self.fields["default_unit"]
        assert isinstance(unit, forms.ModelChoiceField)
        unit.queryset = offices()
        if instance is not None:
            code = self.fields["code"]
            code.disabled = True  # Open311 apps and exports know the category by it
            code.required = False
            code.help_text = _("The Open311 service_code; it cannot be changed.")

    def clean_code(self) -> str:
        if self.instance is not None:
            return self.instance.code
        try:
            return catalogue.check_code(self.cleaned_data["code"])
        except ValidationError as exc:
            raise ValidationError(exc.messages) from None

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        # Only the fields that parsed; the catalogue names what breaks its rules (days, names, unit).
        fields = {name: data[name] for name in CATEGORY_FIELDS if name in data}
        try:
            catalogue.check_category(fields, current=self.instance)
        except ValidationError as exc:
            put_errors(self, exc)
        return data

    def service_fields(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in CATEGORY_FIELDS}


class AttributeForm(BalaiForm):
    """One Open311 attribute: an extra question the citizen answers when choosing the category."""

    code = forms.CharField(label=_("Code"), max_length=catalogue.ATTRIBUTE_CODE_MAX)
    datatype = forms.ChoiceField(label=_("Answer type"), choices=DATATYPE_CHOICES, initial="string")
    required = forms.BooleanField(label=_("Required"), required=False)
    order = forms.IntegerField(label=_("Order"), required=False, min_value=0)
    description_id = forms.CharField(label=_("Question (Indonesian)"), max_length=255)
    description_en = forms.CharField(label=_("Question (English)"), max_length=255, required=False)
    datatype_description = forms.CharField(
        label=_("Answer hint"), max_length=255, required=False, help_text=_("For example: in metres.")
    )
    values = forms.CharField(
        label=_("Choices"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Only for list questions: one a line, as key=name, for example s=Kecil or s=Kecil | Small."),
    )

    spec: dict[str, Any] | None = None

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.errors:
            return data
        try:
            values = catalogue.parse_values(data.get("values", ""))
        except ValidationError as exc:
            self.add_error("values", exc.messages)
            return data
        try:
            self.spec = catalogue.clean_attribute(
                {
                    "code": data.get("code"),
                    "datatype": data.get("datatype"),
                    "required": data.get("required"),
                    "order": data.get("order"),
                    "description": {"id": data.get("description_id", ""), "en": data.get("description_en", "")},
                    "datatype_description": data.get("datatype_description"),
                    "values": values,
                }
            )
        except ValidationError as exc:
            put_errors(self, exc)
        return data


def _deleted(form: forms.Form) -> bool:
    return bool(getattr(form, "cleaned_data", {}).get("DELETE"))


class BaseAttributeFormSet(forms.BaseFormSet):  # type: ignore[type-arg]
    def add_fields(self, form: forms.Form, index: int | None) -> None:
        super().add_fields(form, index)
        if "DELETE" in form.fields:  # added after BalaiForm styled the others
            form.fields["DELETE"].label = _("Delete this question")
            form.fields["DELETE"].widget.attrs["class"] = "form-check-input"

    def _attribute_forms(self) -> list[AttributeForm]:
        return [f for f in self.forms if isinstance(f, AttributeForm)]

    def clean(self) -> None:
        if any(self.errors):
            return
        kept = [(f, f.spec) for f in self._attribute_forms() if f.spec is not None and not _deleted(f)]
        repeated = catalogue.repeated_codes(spec["code"] for _form, spec in kept)
        if repeated:
            for form, spec in kept:
                if spec["code"] in repeated:
                    form.add_error("code", _("Another question has this code."))
            raise ValidationError(
                _("Each question needs its own code; repeated: %(codes)s.") % {"codes": ", ".join(repeated)}
            )

    def specs(self) -> list[dict[str, Any]]:
        """The questions kept, in the order they were given (the catalogue sorts by their order field)."""
        out = []
        for position, form in enumerate(self._attribute_forms(), start=1):
            if form.spec is None or _deleted(form):
                continue
            spec = dict(form.spec)
            if spec["order"] is None:
                spec["order"] = position
            out.append(spec)
        return out


AttributeFormSet = forms.formset_factory(
    AttributeForm, formset=BaseAttributeFormSet, extra=2, can_delete=True, max_num=50, validate_max=True
)


def attribute_formset(data: Any = None, *, category: Category | None = None) -> BaseAttributeFormSet:
    initial = [
        catalogue.attribute_form_initial(spec, position)
        for position, spec in enumerate((category.attributes if category else None) or [], start=1)
    ]
    return AttributeFormSet(data, initial=initial, prefix="attributes")  # type: ignore[return-value]


# ------------------------------------------------------------------------------------------ routing rules
class RoutingRuleForm(BalaiForm):
    category = forms.ModelChoiceField(
        label=_("Category"),
        queryset=Category.objects.all(),
        to_field_name="code",
        error_messages={"invalid_choice": _("Choose one of the categories.")},
    )
    territory = UnitField(
        label=_("Kelurahan"),
        queryset=OrgUnit.objects.none(),
        error_messages={"invalid_choice": _("Choose a kecamatan, kelurahan or desa of the Pemda.")},
    )
    unit = UnitField(
        label=_("Responsible unit"),
        queryset=OrgUnit.objects.none(),
        help_text=_("Suggested at verification for reports of this category in this kelurahan."),
        error_messages={
            "invalid_choice": _(
                "Choose an active office of the Pemda (an agency, UPTD, division, kecamatan or kelurahan)."
            )
        },
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        territory = self.fields["territory"]
        unit = self.fields["unit"]
        assert isinstance(territory, forms.ModelChoiceField) and isinstance(unit, forms.ModelChoiceField)
        territory.queryset = kelurahan()
        unit.queryset = offices()


class RoutingFilterForm(BalaiForm):
    category = forms.ChoiceField(label=_("Category"), required=False)
    kecamatan = forms.ChoiceField(label=_("Kecamatan"), required=False)
    kelurahan = forms.ChoiceField(label=_("Kelurahan"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        everything = [("", _("All"))]
        self._choice("category", everything + [(c.code, c.name) for c in Category.objects.all()])
        self._choice("kecamatan", everything + [(u.code, u.name) for u in kecamatan()])
        self._choice("kelurahan", everything + [(u.code, u.name) for u in kelurahan().order_by("name")])

    def _choice(self, name: str, choices: list[tuple[str, Any]]) -> None:
        field = self.fields[name]
        assert isinstance(field, forms.ChoiceField)
        field.choices = choices

    def filters(self) -> dict[str, Any]:
        """Keyword arguments of :func:`catalogue.routing_rules` (a kelurahan narrows its kecamatan)."""
        if not self.is_valid():
            return {}
        data = self.cleaned_data
        out: dict[str, Any] = {}
        if data.get("category"):
            out["category"] = Category.objects.filter(code=data["category"]).first()
        area = data.get("kelurahan") or data.get("kecamatan")
        if area:
            out["area"] = OrgUnit.objects.filter(code=area).first()
        return out


# ------------------------------------------------------------------------------------------ Open311 apps
class Open311ClientForm(BalaiForm):
    name = forms.CharField(
        label=_("App name"),
        max_length=100,
        help_text=_("The name its users know it by, for example Aplikasi Banjarbaru Smart."),
    )
