from django.urls import path

from . import views

urlpatterns = [
    path("systems/", views.system_list, name="system_list"),
    path("systems/<id:pk>/", views.system_detail, name="system_detail"),
    path("reviews/", views.review_list, name="review_list"),
    path("reviews/<id:pk>/", views.review_detail, name="review_detail"),
    path("reviews/<id:pk>/transition/", views.review_transition, name="review_transition"),
    path("reviews/<id:pk>/sign-off/", views.review_sign_off, name="review_sign_off"),
]
