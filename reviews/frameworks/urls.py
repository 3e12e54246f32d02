from django.urls import path

from . import views

urlpatterns = [
    path("compliance/frameworks/", views.framework_list, name="framework_list"),
    path("compliance/frameworks/<id:pk>/", views.framework_detail, name="framework_detail"),
    path("compliance/crosswalk/", views.crosswalk, name="crosswalk"),
]
