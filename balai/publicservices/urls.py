from django.urls import path

from balai.publicservices import views_public, views_staff

app_name = "publicservices"
urlpatterns = [
    path("", views_public.catalogue, name="catalogue"),
    path("<int:pk>/", views_public.service_detail, name="detail"),
    path("kelola/", views_staff.service_list, name="manage"),
    path("kelola/baru/", views_staff.service_create, name="manage_service_new"),
    path("kelola/<int:pk>/", views_staff.service_edit, name="manage_service_edit"),
    path("kelola/<int:pk>/nonaktifkan/", views_staff.service_deactivate, name="manage_service_deactivate"),
    path("kelola/loket/", views_staff.counter_list, name="manage_counters"),
    path("kelola/loket/baru/", views_staff.counter_create, name="manage_counter_new"),
    path("kelola/loket/<int:pk>/", views_staff.counter_edit, name="manage_counter_edit"),
]
