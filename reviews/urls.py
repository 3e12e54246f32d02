from django.urls import path

from . import views

urlpatterns = [
    path("systems/", views.system_list, name="system_list"),
    path("systems/<int:pk>/", views.system_detail, name="system_detail"),
    path("reviews/", views.review_list, name="review_list"),
    path("reviews/<int:pk>/", views.review_detail, name="review_detail"),
    path("reviews/<int:pk>/transition/", views.review_transition, name="review_transition"),
    path("reviews/<int:pk>/sign-off/", views.review_sign_off, name="review_sign_off"),
]
