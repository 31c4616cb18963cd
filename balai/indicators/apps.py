from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class IndicatorsConfig(AppConfig):
    name = "balai.indicators"
    label = "indicators"
    verbose_name = _("Indicators")

    def ready(self) -> None:
        from balai.indicators import registry

        registry.autodiscover()
        # Like contenttypes and permissions: the declared registry is mirrored to rows after migrate.
        post_migrate.connect(_sync_after_migrate, sender=self)


def _sync_after_migrate(**kwargs: object) -> None:
    from balai.indicators.services import indicators_sync

    indicators_sync(actor=None)
