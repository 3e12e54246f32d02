from django.urls import path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("organization/switch/", views.switch_organization, name="switch_organization"),
    path("events/", views.event_log, name="event_log"),
    path("notices/", views.notices, name="notices"),
]
