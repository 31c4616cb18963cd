from django.urls import path

from balai.connectors import views

app_name = "connectors"
urlpatterns = [
    path("", views.connector_list, name="list"),
    path("new/", views.connector_new, name="new"),
    path("<int:pk>/", views.connector_detail, name="detail"),
    path("<int:pk>/edit/", views.connector_edit, name="edit"),
    path("<int:pk>/preview/", views.connector_preview, name="preview"),
    path("<int:pk>/pull/", views.connector_pull, name="pull"),
]
