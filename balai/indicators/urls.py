from django.urls import path

from balai.indicators import views, views_admin

app_name = "indicators"
urlpatterns = [
    path("", views.indicator_list, name="list"),
    path("import/", views.import_upload, name="import"),
    path("import/<int:pk>/", views.import_preview, name="import_preview"),
    path("import/<int:pk>/confirm/", views.import_confirm, name="import_confirm"),
    path("manage/", views_admin.indicator_manage, name="manage"),
    path("manage/new/", views_admin.indicator_add, name="manage_add"),
    path("manage/<str:code>/", views_admin.indicator_edit, name="manage_edit"),
    path("manage/<str:code>/deactivate/", views_admin.indicator_deactivate, name="manage_deactivate"),
    path("targets/import/", views_admin.targets_import, name="targets_import"),
    path("<str:code>/", views.indicator_detail, name="detail"),
    path("<str:code>/targets/", views.target_edit, name="target_edit"),
    path("<str:code>/targets/bulk/", views_admin.targets_bulk, name="targets_bulk"),
]
