from django.urls import path

from balai.core import audit_views

app_name = "core"
urlpatterns = [
    path("", audit_views.audit_list, name="audit_list"),
    path("<int:pk>/", audit_views.audit_detail, name="audit_detail"),
]
