from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class PackForm(forms.Form):
    period = forms.CharField(label=_("Month"), max_length=10)
