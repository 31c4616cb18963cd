from django.urls import include, path
from django.views.i18n import JavaScriptCatalog

from balai.api import api
from balai.core import views as core_views

urlpatterns = [
    path("", include("balai.dashboard.urls")),
    path("health/", core_views.health, name="health"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("api/v1/", api.urls),
    path("org/", include("balai.org.urls")),
    path("indicators/", include("balai.indicators.urls")),
    path("connectors/", include("balai.connectors.urls")),
    path("audit/", include("balai.core.urls")),
    path("aduan/", include("balai.complaints.urls_public")),
    path("layanan/", include("balai.publicservices.urls")),
    path("layanan/", include("balai.applications.urls")),
    path("pengaduan/", include("balai.complaints.urls_staff")),
    path("antrian/", include("balai.queues.urls")),
    path("skm/", include("balai.skm.urls")),
    path("peringatan/", include("balai.alerts.urls")),
    path("skor/", include("balai.scorecards.urls")),
    path("rakor/", include("balai.rakor.urls")),
    path("open311/v2/", include("balai.complaints.urls_open311")),
    path("webhooks/", include("balai.complaints.urls_webhooks")),
    path("data/", include("balai.opendata.urls")),
    path("", include("balai.opendata.urls_api")),
]
