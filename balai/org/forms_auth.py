"""Forms of sign-in and the account pages. They validate input only; every write goes through services."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def add_service_errors(form: forms.Form, exc: ValidationError, default_field: str | None = None) -> None:
    """Show a service's ValidationError on the form: per field where the form has that field.

    Services raise ``{"username": [...]}`` or a plain list (password validators); keys the form does
    not know, and plain lists, go to ``default_field`` (or the top of the form).
    """
    if hasattr(exc, "error_dict"):
        for key, errors in exc.error_dict.items():
            field = key if key in form.fields else default_field
            for error in errors:
                form.add_error(field, error)
    else:
        for message in exc.messages:
            form.add_error(default_field, message)


class LoginForm(forms.Form):
    username = forms.CharField(
        label=_("Username"),
        max_length=150,
        widget=forms.TextInput(
            attrs={"autocomplete": "username", "autocapitalize": "none", "autofocus": True, "class": "form-control"}
        ),
    )
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password", "class": "form-control"}),
    )

    def clean_username(self) -> str:
        # Usernames are stored lower-case (services.user_create), so "Admin" signs in as "admin".
        return self.cleaned_data["username"].strip().lower()


class OneTimeCodeInput(forms.TextInput):
    def format_value(self, value: Any) -> str | None:
        # A wrong or used code is worthless: show an empty box for the next one.
        return None


class TotpCodeForm(forms.Form):
    code = forms.CharField(
        label=_("6-digit code"),
        max_length=12,
        widget=OneTimeCodeInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "pattern": "[0-9 ]*",
                "autofocus": True,
                "class": "form-control form-control-lg text-center",
            }
        ),
    )

    def clean_code(self) -> str:
        code = self.cleaned_data["code"].replace(" ", "")
        if not code.isdigit() or len(code) != 6:
            raise ValidationError(_("Enter the 6 digits shown in your authenticator app."))
        return code


class TokenCreateForm(forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=100,
        help_text=_("What will use it, for example “Attendance app”."),
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )
    expires_on = forms.DateField(
        label=_("Valid until (optional)"),
        required=False,
        help_text=_("The token stops working after this day. Leave empty for no expiry."),
        widget=forms.DateInput(attrs={"type": "date", "class": "form-control"}, format="%Y-%m-%d"),
    )

    def clean_expires_on(self) -> dt.date | None:
        value = self.cleaned_data.get("expires_on")
        if value is not None and value < timezone.localdate():
            raise ValidationError(_("The date must be today or later."))
        return value

    def expires_at(self) -> dt.datetime | None:
        """The end of the chosen local day: "valid until 31 Dec" means through that whole day."""
        day = self.cleaned_data.get("expires_on")
        if day is None:
            return None
        next_midnight = dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min)
        return timezone.make_aware(next_midnight, timezone.get_current_timezone())


def bootstrap(form: forms.Form) -> forms.Form:
    """Give every widget Tabler's class, and mark invalid fields so Bootstrap shows them red."""
    for name, field in form.fields.items():
        widget: Any = field.widget
        css = (
            "form-check-input"
            if isinstance(widget, forms.CheckboxInput)
            else ("form-select" if isinstance(widget, forms.Select) else "form-control")
        )
        classes = widget.attrs.get("class", "")
        if css not in classes.split():
            classes = f"{classes} {css}".strip()
        if form.is_bound and name in form.errors:
            classes += " is-invalid"
        widget.attrs["class"] = classes
    return form
