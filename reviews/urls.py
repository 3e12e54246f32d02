from django.urls import path

from . import views

urlpatterns = [
    path("systems/", views.system_list, name="system_list"),
    path("systems/<id:pk>/", views.system_detail, name="system_detail"),
    path("systems/<id:pk>/edit/", views.system_edit, name="system_edit"),
    path("systems/<id:pk>/delete/", views.system_delete, name="system_delete"),
    path("reviews/", views.review_list, name="review_list"),
    path("reviews/<id:pk>/", views.review_detail, name="review_detail"),
    path("reviews/<id:pk>/transition/", views.review_transition, name="review_transition"),
    path("reviews/<id:pk>/sign-off/", views.review_sign_off, name="review_sign_off"),
    path("reviews/<id:pk>/edit/", views.review_edit, name="review_edit"),
    path("reviews/<id:pk>/delete/", views.review_delete, name="review_delete"),
    path("reviews/<id:pk>/accept-risk/", views.risk_accept, name="risk_accept"),
    path("risk-acceptances/<id:pk>/withdraw/", views.risk_revoke, name="risk_revoke"),
]
