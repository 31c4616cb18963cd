from django.urls import path

from balai.queues import views

app_name = "queues"
urlpatterns: list = [
    path("", views.index, name="index"),
    # Fixed words first, so an office code is never read as "loket" or "tiket".
    path("loket/", views.console, name="console"),
    path("loket/<int:pk>/", views.console_counter, name="console_counter"),
    path("loket/<int:pk>/aksi/", views.console_action, name="console_action"),
    path("loket/<int:pk>/tamu/", views.console_walk_in, name="console_walk_in"),
    path("buku-tamu/<str:code>/", views.logbook, name="logbook"),
    path("tiket/<str:key>/", views.ticket, name="ticket"),
    path("<str:code>/", views.kiosk, name="kiosk"),
    path("<str:code>/layar/", views.screen, name="screen"),
    path("<str:code>/layar/status/", views.screen_state, name="screen_state"),
]
