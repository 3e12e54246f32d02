from django.urls import path

from . import views

urlpatterns = [
    path("incidents/<id:pk>/", views.incident_detail, name="incident_detail"),
    path(
        "incidents/from-feedback/<id:pk>/",
        views.incident_from_feedback,
        name="incident_from_feedback",
    ),
]
