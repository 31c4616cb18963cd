from django.urls import path

from balai.dashboard import views

app_name = "dashboard"
urlpatterns = [
    path("", views.home, name="home"),
    path("dasbor/<str:code>/", views.unit, name="unit"),
    path("dasbor/<str:code>/<str:indicator>/", views.indicator, name="indicator"),
]
