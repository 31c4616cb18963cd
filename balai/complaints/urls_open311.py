from django.urls import re_path

from balai.complaints import open311

app_name = "complaints_open311"

# The format is any suffix: an unknown one gets the spec's 404 error list instead of a bare HTML page.
FMT = r"\.(?P<fmt>[A-Za-z0-9]+)$"
ID = r"(?P<%s>[^/]+?)"

urlpatterns = [
    re_path(r"^discovery" + FMT, open311.discovery, name="discovery"),
    re_path(r"^services" + FMT, open311.services, name="services"),
    re_path(r"^services/" + ID % "code" + FMT, open311.service_definition, name="service_definition"),
    re_path(r"^requests" + FMT, open311.requests, name="requests"),
    re_path(r"^requests/" + ID % "request_id" + FMT, open311.request_detail, name="request_detail"),
    re_path(r"^tokens/" + ID % "token" + FMT, open311.token_status, name="token"),
    re_path(r"^servicerequestupdates" + FMT, open311.service_request_updates, name="service_request_updates"),
]
