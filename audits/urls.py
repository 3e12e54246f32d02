from django.urls import path

from . import views

urlpatterns = [
    path("audits/", views.audit_home, name="audit_home"),
    path("audits/glossary/", views.glossary, name="audit_glossary"),
    path("audits/datasets/<id:pk>/", views.audit_configure, name="audit_configure"),
    path("audits/runs/<id:pk>/", views.audit_run_detail, name="audit_run_detail"),
    path("audits/runs/<id:pk>/status/", views.audit_run_status, name="audit_run_status"),
    path(
        "audits/runs/<id:pk>/charts/<int:dimension>-<str:kind>.svg",
        views.audit_run_chart,
        name="audit_run_chart",
    ),
    path("audits/runs/<id:pk>/result.json", views.audit_run_json, name="audit_run_json"),
    path("systems/<id:pk>/trend/", views.system_trend, name="system_trend"),
    path("reviews/<id:pk>/launch-gates/", views.launch_gates, name="launch_gates"),
    path("launch-gates/<id:pk>/edit/", views.launch_gate_edit, name="launch_gate_edit"),
    path("launch-gates/<id:pk>/delete/", views.launch_gate_delete, name="launch_gate_delete"),
]
