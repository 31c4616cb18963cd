from django.urls import path

from balai.applications import views_citizen, views_staff

app_name = "applications"
urlpatterns = [
    # Citizens
    path("masuk/", views_citizen.sign_in, name="sign_in"),
    path("keluar/", views_citizen.sign_out, name="sign_out"),
    path("ajukan/<int:service_id>/", views_citizen.apply, name="apply"),
    path("saya/", views_citizen.mine, name="mine"),
    path("lacak/<str:tracking>/", views_citizen.track, name="track"),
    path("lacak/<str:tracking>/revisi/", views_citizen.revise, name="revise"),
    path("lacak/<str:tracking>/dokumen/<int:pk>/", views_citizen.document, name="citizen_document"),
    path("lacak/<str:tracking>/hasil/", views_citizen.result_download, name="result_download"),
    path("lacak/<str:tracking>/nilai/", views_citizen.rate, name="rate"),
    # Anyone holding the paper
    path("verifikasi/<path:code>/", views_citizen.verify, name="verify"),
    # The desk; the settings before <tracking>/ so "formulir" is never read as a tracking number.
    path("permohonan/", views_staff.desk, name="desk"),
    path("permohonan/formulir/<int:service_id>/", views_staff.form_settings, name="form_settings"),
    path(
        "permohonan/formulir/<int:service_id>/<str:kind>/<int:pk>/hapus/",
        views_staff.form_settings_delete,
        name="form_settings_delete",
    ),
    path("permohonan/<str:tracking>/", views_staff.detail, name="desk_detail"),
    path("permohonan/<str:tracking>/dokumen/<int:pk>/", views_staff.document, name="desk_document"),
    path("permohonan/<str:tracking>/hasil/", views_staff.result, name="desk_result"),
]
