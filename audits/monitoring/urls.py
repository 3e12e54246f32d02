from django.urls import path

from . import views

urlpatterns = [
    path("monitors/", views.monitor_list, name="monitor_list"),
    path("monitors/new/", views.monitor_create, name="monitor_create"),
    path("monitors/<id:pk>/", views.monitor_detail, name="monitor_detail"),
    path("monitors/<id:pk>/edit/", views.monitor_edit, name="monitor_edit"),
]
