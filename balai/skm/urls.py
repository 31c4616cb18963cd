from django.urls import path, re_path

from balai.skm import views_public, views_staff

app_name = "skm"

urlpatterns = [
    path("hasil/", views_staff.results, name="results"),
    path("hasil/laporan.pdf", views_staff.results_pdf, name="results_pdf"),
    path("hasil/laporan.xlsx", views_staff.results_xlsx, name="results_xlsx"),
    path("undang/<int:event_id>/", views_staff.invite, name="invite"),
    path("terima-kasih/", views_public.thanks, name="thanks"),
    # Tokens are 43 URL-safe characters; the pattern leaves room for a longer one and never matches "hasil".
    re_path(r"^(?P<token>[A-Za-z0-9_-]{16,128})/$", views_public.survey, name="survey"),
]
