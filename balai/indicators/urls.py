from django.urls import path

from balai.indicators import views

app_name = "indicators"
urlpatterns = [
    path("", views.indicator_list, name="list"),
    path("import/", views.import_upload, name="import"),
    path("import/<int:pk>/", views.import_preview, name="import_preview"),
    path("import/<int:pk>/confirm/", views.import_confirm, name="import_confirm"),
    path("<str:code>/", views.indicator_detail, name="detail"),
    path("<str:code>/targets/", views.target_edit, name="target_edit"),
]
