from django.urls import path

from balai.scorecards import views

app_name = "scorecards"
urlpatterns = [
    path("", views.index, name="index"),
    path("kelola/", views.manage, name="manage"),
    path("kelola/baru/", views.edit, name="create"),
    path("kelola/<int:pk>/", views.edit, name="edit"),
    path("<int:pk>/", views.ranking, name="ranking"),
    path("<int:pk>/<str:code>/", views.unit, name="unit"),
]
