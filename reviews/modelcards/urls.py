from django.urls import path

from . import views

urlpatterns = [
    path("systems/<id:pk>/model-card/", views.modelcard, name="modelcard"),
    path("systems/<id:pk>/model-card/create/", views.modelcard_create, name="modelcard_create"),
    path("systems/<id:pk>/model-card/new-draft/", views.new_draft, name="modelcard_new_draft"),
    path("systems/<id:pk>/model-card/import/", views.import_card, name="modelcard_import"),
    path("systems/<id:pk>/model-card/diff/", views.diff_view, name="modelcard_diff"),
    path("model-card-versions/<id:pk>/", views.version_detail, name="modelcard_version"),
    path("model-card-versions/<id:pk>/edit/", views.version_edit, name="modelcard_edit"),
    path(
        "model-card-versions/<id:pk>/analysis/", views.version_analysis, name="modelcard_analysis"
    ),
    path("model-card-versions/<id:pk>/publish/", views.version_publish, name="modelcard_publish"),
    path(
        "model-card-versions/<id:pk>/export/<slug:fmt>/",
        views.version_export,
        name="modelcard_export",
    ),
    path("model-cards/preview/", views.preview, name="modelcard_preview"),
]
