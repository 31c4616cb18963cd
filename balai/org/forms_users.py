"""Forms of the user and role administration. Input checks only; services decide and write."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from balai.org.choices import OFFICE_KINDS
from balai.org.models import OrgUnit
from balai.org.roles import Role


class UnitChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: OrgUnit) -> str:
        # Indent by depth so the select reads like the tree (a kelurahan under its kecamatan).
        return f"{'— ' * obj.depth}{obj.name}"


def assignable_units(units: QuerySet[OrgUnit]) -> QuerySet[OrgUnit]:
    """Roles are held in offices, not in RW/RT: keeps the select short in a city with thousands of RT."""
    return units.filter(is_active=True, kind__in=[str(k) for k in OFFICE_KINDS]).order_by("path")


def role_choices(*, integration: bool) -> list[tuple[str, str]]:
    if integration:
        return [(Role.INTEGRATION.value, str(Role.INTEGRATION.label))]
    return [(value, str(label)) for value, label in Role.choices if value != Role.INTEGRATION]


class UserSearchForm(forms.Form):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"placeholder": _("Username, name or email"), "type": "search"}),
    )


class UserAddForm(forms.Form):
    username = forms.CharField(
        label=_("Username"),
        max_length=150,
        validators=[UnicodeUsernameValidator()],
        help_text=_("Lower-case letters, digits and @ . + - _ only."),
        widget=forms.TextInput(attrs={"autocapitalize": "none", "autocomplete": "off"}),
    )
    full_name = forms.CharField(label=_("Full name"), max_length=200, required=False)
    email = forms.EmailField(label=_("Email"), required=False)
    is_integration = forms.BooleanField(
        label=_("Integration account (API only)"),
        required=False,
        help_text=_(
            "For another application: it has no password, cannot use the web pages and signs in with an API token."
        ),
    )
    password = forms.CharField(
        label=_("Initial password"),
        required=False,
        strip=False,
        help_text=_(
            "At least 10 characters, not only digits, not a common password. Give it to the user in "
            "person and ask them to change it."
        ),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    role = forms.ChoiceField(label=_("Role"), required=False)
    org_unit = UnitChoiceField(
        label=_("Unit"), queryset=OrgUnit.objects.none(), required=False, empty_label=_("— choose a unit —")
    )

    def __init__(self, *args: Any, units: QuerySet[OrgUnit], role_required: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.role_required = role_required
        unit_field = self.fields["org_unit"]
        role_field = self.fields["role"]
        assert isinstance(unit_field, UnitChoiceField) and isinstance(role_field, forms.ChoiceField)
        unit_field.queryset = assignable_units(units)
        role_field.choices = [("", _("— no role yet —"))] + [(value, str(label)) for value, label in Role.choices]
        if role_required:
            # An admin below the Pemda root only sees users holding a role in their subtree, so a
            # user created without one would vanish from their list at once.
            self.fields["role"].required = True
            self.fields["org_unit"].required = True

    def clean_username(self) -> str:
        return self.cleaned_data["username"].strip().lower()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        integration = data.get("is_integration")
        if integration:
            data["password"] = ""
        elif not data.get("password"):
            self.add_error("password", _("Give a password, or tick “Integration account”."))
        role = data.get("role")
        if role:
            if integration and role != Role.INTEGRATION:
                self.add_error("role", _("An integration account can only hold the integration role."))
            if not integration and role == Role.INTEGRATION:
                self.add_error("role", _("The integration role is for integration accounts only."))
            if not data.get("org_unit"):
                self.add_error("org_unit", _("Choose the unit where this role applies."))
        elif data.get("org_unit"):
            self.add_error("role", _("Choose a role for this unit."))
        return data


class RoleAddForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"))
    org_unit = UnitChoiceField(label=_("Unit"), queryset=OrgUnit.objects.none(), empty_label=_("— choose a unit —"))

    def __init__(self, *args: Any, units: QuerySet[OrgUnit], integration: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        unit_field = self.fields["org_unit"]
        role_field = self.fields["role"]
        assert isinstance(unit_field, UnitChoiceField) and isinstance(role_field, forms.ChoiceField)
        unit_field.queryset = assignable_units(units)
        role_field.choices = role_choices(integration=integration)
