from django.urls import path

from . import views

urlpatterns = [
    path("incidents/<id:pk>/", views.incident_detail, name="incident_detail"),
    path(
        "incidents/from-feedback/<id:pk>/",
        views.incident_from_feedback,
        name="incident_from_feedback",
    ),
    path("monitors/<id:pk>/webhooks/new/", views.webhook_create_page, name="webhook_create"),
    path("webhooks/<id:pk>/edit/", views.webhook_edit_page, name="webhook_edit"),
    path("webhooks/<id:pk>/delete/", views.webhook_delete_page, name="webhook_delete"),
]
