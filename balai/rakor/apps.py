from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RakorConfig(AppConfig):
    name = "balai.rakor"
    label = "rakor"
    verbose_name = _("Monthly rakor pack")
