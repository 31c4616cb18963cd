from django.urls import path

from balai.rakor import views

app_name = "rakor"
urlpatterns = [
    path("", views.pack_list, name="list"),
    path("buat/", views.pack_create, name="create"),
    path("<int:pk>/", views.pack_detail, name="detail"),
    path("<int:pk>/progres/", views.pack_progress, name="progress"),
    path("<int:pk>/unduh/<str:kind>/", views.pack_download, name="download"),
]
