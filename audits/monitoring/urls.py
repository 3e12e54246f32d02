from django.urls import path

from . import views

urlpatterns = [
    path("monitors/", views.monitor_list, name="monitor_list"),
    path("monitors/<id:pk>/", views.monitor_detail, name="monitor_detail"),
    path("incidents/<id:pk>/", views.incident_detail, name="incident_detail"),
    path(
        "incidents/from-feedback/<id:pk>/",
        views.incident_from_feedback,
        name="incident_from_feedback",
    ),
]
