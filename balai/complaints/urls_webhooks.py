from django.urls import path

from balai.complaints.channels import telegram, whatsapp

app_name = "complaints_webhooks"
urlpatterns: list = [
    path("whatsapp/", whatsapp.webhook, name="whatsapp"),
    path("telegram/", telegram.webhook, name="telegram"),
]
