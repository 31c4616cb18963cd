from django.urls import path

from balai.complaints import views_manage, views_staff

app_name = "complaints_staff"
urlpatterns: list = [
    path("", views_staff.queue, name="queue"),
    path("ekspor/", views_staff.export, name="export"),
    # Report settings, before <code>/ so "kelola" is never read as a tracking code.
    path("kelola/", views_manage.index, name="manage"),
    path("kelola/kategori/", views_manage.category_list, name="manage_categories"),
    path("kelola/kategori/baru/", views_manage.category_create, name="manage_category_create"),
    path("kelola/kategori/<str:code>/ubah/", views_manage.category_edit, name="manage_category_edit"),
    path("kelola/kategori/<str:code>/aktif/", views_manage.category_set_active, name="manage_category_active"),
    path("kelola/kategori/<str:code>/hapus/", views_manage.category_delete, name="manage_category_delete"),
    path("kelola/rute/", views_manage.routing_list, name="manage_routing"),
    path("kelola/rute/tambah/", views_manage.routing_add, name="manage_routing_add"),
    path("kelola/rute/impor/", views_manage.routing_import, name="manage_routing_import"),
    path("kelola/rute/<int:pk>/hapus/", views_manage.routing_delete, name="manage_routing_delete"),
    path("kelola/open311/", views_manage.open311_list, name="manage_open311"),
    path("kelola/open311/<int:pk>/cabut/", views_manage.open311_revoke, name="manage_open311_revoke"),
    path("<str:code>/", views_staff.detail, name="detail"),
    path("<str:code>/foto/<int:pk>/", views_staff.photo, name="photo"),
]
