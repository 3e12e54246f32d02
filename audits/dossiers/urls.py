from django.urls import path

from . import views

urlpatterns = [
    path("reviews/<id:pk>/dossiers/", views.review_dossiers, name="review_dossiers"),
    path("reviews/<id:pk>/dossiers/diff/", views.dossier_diff, name="dossier_diff"),
    path("dossiers/<id:pk>/status/", views.dossier_status, name="dossier_status"),
    path("dossiers/<id:pk>/download/", views.dossier_download, name="dossier_download"),
    path(
        "dossiers/<id:pk>/countersigned/", views.dossier_countersigned, name="dossier_countersigned"
    ),
    path("verify/", views.verify_page, name="dossier_verify"),
]
