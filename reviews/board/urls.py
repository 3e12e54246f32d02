from django.urls import path

from . import views

urlpatterns = [
    path("workshops/<id:pk>/", views.workshop_board, name="workshop_board"),
    path("workshops/<id:pk>/board/", views.workshop_board_fragment, name="workshop_board_fragment"),
    path("workshops/<id:pk>/cards/", views.workshop_add_card, name="workshop_add_card"),
    path("workshops/<id:pk>/cards/<id:harm>/rate/", views.card_rate, name="card_rate"),
    path("workshops/<id:pk>/cards/<id:harm>/vote/", views.card_vote, name="card_vote"),
    path(
        "workshops/<id:pk>/consequences/",
        views.workshop_add_consequence,
        name="workshop_add_consequence",
    ),
    path("consequences/<id:pk>/sort/", views.consequence_sort, name="consequence_sort"),
    path("consequences/<id:pk>/harm/", views.consequence_to_harm, name="consequence_to_harm"),
]
