from django.urls import path

from . import views

urlpatterns = [
    path("reviews/<id:pk>/compliance/", views.review_compliance, name="review_compliance"),
    path(
        "reviews/<id:pk>/compliance/soa.<str:fmt>",
        views.statement_of_applicability,
        name="statement_of_applicability",
    ),
    path("compliance/checklists/<id:pk>/rule/", views.checklist_rule, name="checklist_rule"),
    path(
        "compliance/checklists/<id:pk>/upgrade/<id:to>/",
        views.checklist_upgrade,
        name="checklist_upgrade",
    ),
    path("compliance/assessments/<id:pk>/", views.assessment_edit, name="assessment_edit"),
    path(
        "compliance/assessments/<id:pk>/confirm/",
        views.assessment_confirm,
        name="assessment_confirm",
    ),
    path(
        "compliance/assessments/<id:pk>/sign-off/",
        views.assessment_sign_off,
        name="assessment_sign_off",
    ),
    path("compliance/assessments/<id:pk>/evidence/", views.evidence_add, name="evidence_add"),
    path("compliance/evidence/<id:pk>/remove/", views.evidence_remove, name="evidence_remove"),
]
