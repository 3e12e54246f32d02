from django.urls import path

from . import edit_views, views

urlpatterns = [
    path("reviews/<id:pk>/register/", views.harm_register, name="harm_register"),
    path("reviews/<id:pk>/harms/", edit_views.harm_add, name="harm_add"),
    path("reviews/<id:pk>/stakeholders/", edit_views.stakeholders, name="stakeholders"),
    path("harms/<id:pk>/edit/", edit_views.harm_edit, name="harm_edit"),
    path("harms/<id:pk>/delete/", edit_views.harm_delete, name="harm_delete"),
    path("harms/<id:pk>/rate/", edit_views.harm_rate, name="harm_rate"),
    path("harms/<id:pk>/mitigations/", views.mitigation_add, name="mitigation_add"),
    path("mitigations/<id:pk>/edit/", edit_views.mitigation_edit, name="mitigation_edit"),
    path("mitigations/<id:pk>/delete/", edit_views.mitigation_delete, name="mitigation_delete"),
    path("stakeholders/<id:pk>/edit/", edit_views.stakeholder_edit, name="stakeholder_edit"),
    path("stakeholders/<id:pk>/delete/", edit_views.stakeholder_delete, name="stakeholder_delete"),
]
