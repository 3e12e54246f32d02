from django.urls import path

from . import views

urlpatterns = [
    path("compliance/controls/", views.control_list, name="control_list"),
    path("compliance/controls/<id:pk>/", views.control_edit, name="control_edit"),
    path(
        "compliance/controls/<id:pk>/evidence/",
        views.control_evidence_add,
        name="control_evidence_add",
    ),
    path(
        "compliance/control-evidence/<id:pk>/remove/",
        views.control_evidence_remove,
        name="control_evidence_remove",
    ),
]
