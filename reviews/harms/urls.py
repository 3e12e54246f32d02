from django.urls import path

from . import views

urlpatterns = [
    path("reviews/<int:pk>/register/", views.harm_register, name="harm_register"),
    path("harms/<int:pk>/mitigations/", views.mitigation_add, name="mitigation_add"),
]
