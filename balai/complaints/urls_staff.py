from django.urls import path

from balai.complaints import views_staff

app_name = "complaints_staff"
urlpatterns: list = [
    path("", views_staff.queue, name="queue"),
    path("ekspor/", views_staff.export, name="export"),
    path("<str:code>/", views_staff.detail, name="detail"),
]
