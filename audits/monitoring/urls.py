from django.urls import path

from . import views

urlpatterns = [
    path("monitors/", views.monitor_list, name="monitor_list"),
    path("monitors/<id:pk>/", views.monitor_detail, name="monitor_detail"),
]
