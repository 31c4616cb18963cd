from django.apps import AppConfig


class AlertsConfig(AppConfig):
    name = "balai.alerts"
    label = "alerts"
    verbose_name = "Peringatan"
