from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "balai.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from balai.core import lookups  # noqa: F401  # registers field__literal_in
