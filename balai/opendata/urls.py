from django.urls import path, re_path

from balai.opendata import views

app_name = "opendata"
urlpatterns = [
    path("", views.index, name="index"),
    re_path(r"^(?P<name>[a-z0-9_-]{2,100})/$", views.dataset, name="dataset"),
    re_path(r"^(?P<name>[a-z0-9_-]{2,100})/(?P<year>[0-9]{4})\.(?P<fmt>csv|json)$", views.resource, name="resource"),
]
