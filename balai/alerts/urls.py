from django.urls import path

from balai.alerts import views

app_name = "alerts"
urlpatterns = [
    path("", views.alert_list, name="list"),
    path("<int:pk>/", views.alert_detail, name="detail"),
    path("<int:pk>/tindak-lanjut/", views.alert_acknowledge, name="acknowledge"),
    path("<int:pk>/selesai/", views.alert_resolve, name="resolve"),
    path("aturan/", views.rule_list, name="rules"),
    path("aturan/baru/", views.rule_create, name="rule_create"),
    path("aturan/<int:pk>/", views.rule_edit, name="rule_edit"),
    path("aturan/<int:pk>/aktif/", views.rule_toggle, name="rule_toggle"),
]
