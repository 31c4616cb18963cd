"""Mounted at the site root: CKAN clients expect these exact paths, and none of them may redirect."""

from django.urls import path, re_path

from balai.opendata import ckan, views

app_name = "opendata_api"
urlpatterns = [
    re_path(r"^api/3/action/(?P<name>[A-Za-z0-9_.-]+)/?$", ckan.action, name="action"),
    re_path(r"^api/action/(?P<name>[A-Za-z0-9_.-]+)/?$", ckan.action, name="action_unversioned"),
    path("catalog.jsonld", views.catalog_jsonld, name="catalog"),
]
