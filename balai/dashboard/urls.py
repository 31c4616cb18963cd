from django.urls import path

from balai.dashboard import views, views_overview

app_name = "dashboard"
urlpatterns = [
    path("", views.home, name="home"),
    path("dasbor-tata-letak/", views_overview.layout, name="layout"),
    path("dasbor-banding-unit/", views_overview.compare_units, name="compare_units"),
    path("transparansi/", views_overview.public_home, name="public_home"),
    path("transparansi/<str:code>/", views_overview.public_unit, name="public_unit"),
    path("dasbor/<str:code>/", views.unit, name="unit"),
    path("dasbor/<str:code>/banding-periode/", views_overview.compare_periods, name="compare_periods"),
    path("dasbor/<str:code>/<str:indicator>/", views.indicator, name="indicator"),
]
