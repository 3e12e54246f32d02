from django.urls import path

from . import views

urlpatterns = [
    path("reviews/<id:pk>/register/", views.harm_register, name="harm_register"),
    path("harms/<id:pk>/mitigations/", views.mitigation_add, name="mitigation_add"),
]
