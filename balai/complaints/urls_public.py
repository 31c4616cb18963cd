from django.urls import path

from balai.complaints import views_public as views

app_name = "complaints_public"
urlpatterns = [
    path("baru/", views.report_new, name="new"),
    path("terkirim/<str:code>/", views.report_done, name="done"),
    path("lacak/", views.track_lookup, name="lookup"),
    path("lacak/<str:code>/", views.track, name="track"),
    path("lacak/<str:code>/buka/", views.track_reopen, name="reopen"),
    path("lacak/<str:code>/nilai/", views.track_rate, name="rate"),
    path("lacak/<str:code>/foto/<int:pk>/", views.track_photo, name="photo"),
    path("peta/", views.public_map, name="map"),
    path("peta.json", views.public_map_json, name="map_json"),
]
